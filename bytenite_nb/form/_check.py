"""From widgets to a checked payload: the wire dict, validation with the shared
models, and the messages at the fields and in the summary."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from ..display import esc, payload_html
from ..models import CreateJobRequest, parse_seconds, payload_problems
from ._fields import parse_json_object

if TYPE_CHECKING:  # pragma: no cover
    import ipywidgets as w

    from ._form import JobForm


def collect(form: JobForm) -> tuple[dict[str, Any], dict[str, str]]:
    """Widgets → (wire dict, form-level problems such as bad JSON)."""
    problems: dict[str, str] = {}
    wire: dict[str, Any] = {}
    if form.name.value.strip():
        wire["name"] = form.name.value
    if form.template.value.strip():
        wire["templateId"] = form.template.value.strip()
    if form.description.value.strip():
        wire["description"] = form.description.value
    for editor in (form.source, form.destination):
        source, source_problems = editor.value()
        problems.update(source_problems)
        if source is not None:
            wire[editor.field] = source
    params: dict[str, Any] = dict(form._params_extra)
    for part, editor in form.params.items():
        value, problem = parse_json_object(editor.value)
        if problem:
            problems[f"params.{part}"] = problem
        if value is not None:
            params[part] = value
    if params:
        wire["params"] = params
    config: dict[str, Any] = dict(form._config_extra)
    for key, widget in (("taskTimeout", form.task_timeout), ("jobTimeout", form.job_timeout)):
        text = widget.value.strip()
        if not text:
            continue
        try:
            config[key] = parse_seconds(text)
        except ValueError as exc:
            problems[f"config.{key}"] = str(exc)
            config[key] = text
    if form.test_job.value:
        config["isTestJob"] = True
    if config:
        wire["config"] = config
    wire.update(form._extra)
    return wire, problems


def validate(form: JobForm) -> dict[str, Any]:
    """Check the form: set ``form._payload`` and ``form._errors``; return the wire dict."""
    from pydantic import ValidationError

    wire, problems = collect(form)
    try:
        with warnings.catch_warnings():  # params.preset: the payload card says enough
            warnings.simplefilter("ignore", DeprecationWarning)
            form._payload = CreateJobRequest.model_validate(wire)
    except ValidationError as exc:
        form._payload = None
        for problem in payload_problems(exc):
            # a form-level message (bad JSON, bad duration) says more
            if not any(problem["field"].startswith(p) for p in problems):
                problems.setdefault(problem["field"], problem["message"])
    if problems:
        form._payload = None
    form._errors = problems
    return wire


def render(form: JobForm, wire: dict[str, Any]) -> None:
    """Show the problems at their fields and in the summary; refresh the preview."""
    shown: dict[int, str] = {}
    for path, message in form._errors.items():
        widget, owner = widget_for(form, path)
        if widget is not None:
            key = id(widget)
            note = esc(message if path == owner else f"{path}: {message}")
            shown[key] = f"{shown[key]}; {note}" if key in shown else note
    for key, label in form._labels.items():
        value = shown.get(key, "")
        html = f'<span style="color:var(--jp-error-color1,#cf222e)">{value}</span>'
        label.value = html if value else ""
    count = len(form._errors)
    if count:
        fields = ", ".join(list(form._errors)[:3]) + ("…" if count > 3 else "")
        form.summary.value = (
            f'<span style="color:var(--jp-error-color1,#cf222e)">'
            f"{count} problem{'s remain' if count != 1 else ' remains'}: {esc(fields)}</span>"
        )
    else:
        form.summary.value = (
            '<span style="color:var(--jp-success-color1,#1a7f37)">✓ ready to submit</span>'
        )
    form.submit_button.disabled = bool(count) or form._busy
    errors = [{"field": k, "message": v} for k, v in form._errors.items()]
    form.preview.value = payload_html(wire, errors)
    render_magic_text(form)


def render_magic_text(form: JobForm) -> None:
    """The %%bytenite text, built only while its section is open: a YAML dump
    of a large params object costs too much to redo on every keystroke."""
    if form.details.selected_index != 1:
        form.magic_text.value = ""
        return
    form.magic_text.value = (
        '<pre style="user-select:text;margin:0;white-space:pre-wrap">'
        f"{esc(form.magic_cell())}</pre>"
    )


def widget_for(form: JobForm, path: str) -> tuple[w.Widget | None, str]:
    """The shown widget of a field path (or of its nearest parent) and its path."""
    shown = {**form._field_widgets}
    for editor in (form.source, form.destination):  # hidden sub-fields don't count
        for sub, widget in editor.all_widgets().items():
            if widget not in editor.widgets().values():
                shown.pop(sub, None)
    candidates = [p for p in shown if path == p or path.startswith(p + ".")]
    if candidates:
        owner = max(candidates, key=len)
        return shown[owner], owner
    for editor in (form.source, form.destination):
        if path.split(".")[0] == editor.field:  # e.g. a descriptor problem
            return editor.kind, f"{editor.field}.dataSourceDescriptor"
    return None, ""
