"""From widgets to a checked payload: the wire dict, validation with the shared
models, and the messages at the fields and in the summary."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import ipywidgets as w
from pydantic import ValidationError

from ..display import esc, kv_table, plural, section, style_block, wrap
from ..display.payload import payload_html
from ..models import CreateJobRequest, parse_seconds, payload_problems
from ._fields import parse_json_object

if TYPE_CHECKING:  # pragma: no cover
    from ._form import JobForm  # the form calls this module: for annotations only


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
    params: dict[str, Any] = dict(form.state.params_extra)
    for part, editor in form.params.items():
        value, problem = parse_json_object(editor.value)
        if problem:
            problems[f"params.{part}"] = problem
        if value is not None:
            params[part] = value
    if params:
        wire["params"] = params
    config: dict[str, Any] = dict(form.state.config_extra)
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
    wire.update(form.state.extra)
    return wire, problems


def validate(form: JobForm) -> None:
    """Check the form: set ``form.state.payload`` and ``.errors``, and show them."""
    wire, problems = collect(form)
    try:
        with warnings.catch_warnings():  # params.preset: the payload card says enough
            warnings.simplefilter("ignore", DeprecationWarning)
            form.state.payload = CreateJobRequest.model_validate(wire)
    except ValidationError as exc:
        form.state.payload = None
        for problem in payload_problems(exc):
            # a form-level message (bad JSON, bad duration) says more
            if not any(problem["field"].startswith(p) for p in problems):
                problems.setdefault(problem["field"], problem["message"])
    if problems:
        form.state.payload = None
    form.state.errors = problems
    render(form, wire)


def tone(css_class: str, text: str) -> str:
    """Text coloured by the card palette (AA in light and dark themes)."""
    return f'<span class="bn-root"><span class="{css_class}">{text}</span></span>'


def render(form: JobForm, wire: dict[str, Any]) -> None:
    """Show the problems at their fields and in the summary; refresh the preview."""
    shown: dict[int, list[str]] = {}
    for path, message in form.state.errors.items():
        widget, _, where = widget_for(form, path)
        if widget is not None:
            shown.setdefault(id(widget), []).append(f"{where}: {message}" if where else message)
    for key, label in form.labels.items():
        label.value = tone("bn-form-bad", esc("; ".join(shown[key]))) if key in shown else ""
    count = len(form.state.errors)
    if count:
        names = list(dict.fromkeys(form.label_of(path).split(":")[0] for path in form.state.errors))
        fields = ", ".join(names[:3]) + ("…" if len(names) > 3 else "")
        verb = "problems remain" if count != 1 else "problem remains"
        form.summary.value = tone("bn-form-bad", f"{count} {verb}: {esc(fields)}")
    else:
        form.summary.value = tone("bn-form-ok", "✓ ready to submit")
    set_busy(form, form.state.busy, "Submitting…")
    errors = [{"field": k, "message": v} for k, v in form.state.errors.items()]
    form.preview.value = payload_html(wire, errors).replace(style_block(), "")
    render_magic_text(form)


def summary_text(form: JobForm) -> str:
    """One line for a terminal or a saved notebook: template, name, problems."""
    template = form.template.value.strip() or "(no template)"
    name = form.name.value.strip()
    count = len(form.state.errors)
    if count:
        state = plural(count, "problem")
    else:
        state = "submitted" if form.state.submitted else "ready to submit"
    named = f" {name!r}" if name else ""
    return f"ByteNite job form{named} · template {template} · {state} (run the cell to edit)"


def summary_html(form: JobForm) -> str:
    """The static view: a small card with the same summary and the problems."""
    rows = [
        ("template", esc(form.template.value.strip() or "—")),
        ("name", esc(form.name.value.strip() or "—")),
    ]
    problems = kv_table((form.label_of(p), esc(m)) for p, m in list(form.state.errors.items())[:20])
    body = (
        '<div class="bn-head"><span class="bn-title">ByteNite job form</span></div>'
        f"{kv_table(rows)}{section('Problems', problems, open=True)}"
        '<div class="bn-note">A form: run the cell to edit and submit it.</div>'
    )
    tone = "bn-bad" if form.state.errors else "bn-ok"
    return wrap(f"bn-form {tone}", body)


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


def widget_for(form: JobForm, path: str) -> tuple[w.Widget | None, str, str]:
    """The shown widget of a field path (or of its nearest parent), its path, and the
    rest of ``path`` below it (``""`` when it is the widget's own)."""
    shown = {**form.field_widgets}
    for editor in (form.source, form.destination):  # hidden sub-fields don't count
        shown.update(editor.widgets())
    candidates = [p for p in shown if path == p or path.startswith(p + ".")]
    if candidates:
        owner = max(candidates, key=len)
        return shown[owner], owner, path[len(owner) + 1 :]
    for editor in (form.source, form.destination):
        if path.split(".")[0] == editor.field:  # e.g. a descriptor problem
            return editor.kind, f"{editor.field}.dataSourceDescriptor", ""
    return None, "", ""


def set_busy(form: JobForm, busy: bool, doing: str = "") -> None:
    """Buttons while sending (``doing`` says what), after a success, and otherwise."""
    state = form.state
    state.busy = busy
    blocked = busy or state.submitted or bool(state.errors)
    form.submit_button.disabled = form.run_button.disabled = blocked
    if busy:
        form.submit_button.description, form.submit_button.icon = doing, "spinner"
    elif state.submitted:
        form.submit_button.description, form.submit_button.icon = "Submitted", "check"
    else:
        form.submit_button.description, form.submit_button.icon = "Submit", "send"
    form.reset_button.disabled = busy
