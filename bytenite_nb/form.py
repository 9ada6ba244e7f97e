"""``JobForm``: an ipywidgets form that builds, validates and submits a job.

A thin front end over the same pieces as the magic: the form turns its
widgets into a wire dict, validates it with the shared models, sends it with
the shared client and shows the shared cards. Core ipywidgets only (no custom
JavaScript), so it works in JupyterLab, Notebook 7, VS Code and Colab.

No widget ever holds the API key or a token: widget state goes to the browser
and can be saved in the notebook. Every callback is guarded, so that an
exception shows in the form instead of vanishing in the front end.
"""

from __future__ import annotations

import functools
import json
import threading
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as w

from .display import error_html, esc, payload_html
from .models import (
    DESCRIPTORS,
    CreateJobRequest,
    JobResponse,
    format_seconds,
    parse_seconds,
    payload_problems,
)

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client

__all__ = ["JobForm"]

F = TypeVar("F", bound=Callable[..., Any])

NONE = "(none)"
OTHER = "other…"
INPUT_KINDS = (NONE, "url", "file", "bypass", "aws", "gcp", "storj", OTHER)
OUTPUT_KINDS = (NONE, "bucket", "bypass", "aws", "gcp", "storj", OTHER)
BUCKET_FIELDS = (
    ("bucketName", "Bucket"),
    ("cloudRegion", "Region"),
    ("name", "Path"),
    ("secret_id", "Secret id"),
)
PARAM_PARTS = ("app", "partitioner", "assembler")
#: Templates used in this kernel, newest first (suggested in every new form).
RECENT_TEMPLATES: list[str] = []
_LABEL = {"description_width": "110px"}
_WIDE = w.Layout(width="420px")


def _guarded(method: F) -> F:
    """Catch anything a widget callback raises and show it in the form."""

    @functools.wraps(method)
    def wrapper(self: JobForm, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # an exception in a callback is invisible otherwise
            self._show_error(exc)
            return None

    return wrapper  # type: ignore[return-value]


def _json_editor(part: str) -> w.Textarea:
    return w.Textarea(
        description=part.capitalize(),
        placeholder='{"key": "value"}',
        continuous_update=False,  # validated on blur: a 1 MB paste must not lag
        layout=w.Layout(width="420px", height="70px"),
        style=_LABEL,
    )


def _parse_json_object(text: str) -> tuple[Any, str | None]:
    """Editor text → (value, problem). Empty text is no value."""
    if not text.strip():
        return None, None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return text, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return value, None


class _SourceEditor:
    """A descriptor dropdown and the params that descriptor takes."""

    def __init__(
        self,
        field: str,
        kinds: tuple[str, ...],
        on_change: Callable[[], None],
        row: Callable[[w.Widget], w.Widget],
    ) -> None:
        self.field = field
        label = "Input" if field == "dataSource" else "Output"
        self.kind = w.Dropdown(options=kinds, value=NONE, description=label, style=_LABEL)
        self.url = w.Text(description="URL", placeholder="https://…", style=_LABEL, layout=_WIDE)
        self.buckets = {
            key: w.Text(description=text, style=_LABEL, layout=_WIDE) for key, text in BUCKET_FIELDS
        }
        self.other_kind = w.Text(description="Descriptor", style=_LABEL, layout=_WIDE)
        self.other_params = w.Textarea(
            description="Params",
            placeholder='{"key": "value"}',
            continuous_update=False,
            style=_LABEL,
            layout=w.Layout(width="420px", height="60px"),
        )
        self.note = w.HTML()
        self.extra: dict[str, Any] = {}  # params kept from a payload, not shown
        self.box = w.VBox(layout=w.Layout(margin="0 0 0 24px"))
        self._rows = {id(widget): row(widget) for widget in self.all_widgets().values()}
        self.kind.observe(lambda change: self._relayout(), names="value")
        for widget in (self.url, self.other_kind, self.other_params, *self.buckets.values()):
            widget.observe(lambda change: on_change(), names="value")
        self.kind.observe(lambda change: on_change(), names="value")
        self._relayout()

    def all_widgets(self) -> dict[str, w.Widget]:
        """Every sub-field widget by its wire path (``dataSource.params.url``)."""
        sub = {
            "params.url": self.url,
            "dataSourceDescriptor": self.other_kind,
            "params": self.other_params,
            **{f"params.{key}": widget for key, widget in self.buckets.items()},
        }
        return {f"{self.field}.{path}": widget for path, widget in sub.items()}

    def widgets(self) -> dict[str, w.Widget]:
        """Wire sub-paths (under the field) of the widgets shown now."""
        kind = self.kind.value
        if kind == "url":
            return {"params.url": self.url}
        if kind in ("aws", "gcp", "storj"):
            return {f"params.{key}": widget for key, widget in self.buckets.items()}
        if kind == OTHER:
            return {"dataSourceDescriptor": self.other_kind, "params": self.other_params}
        return {}

    def _relayout(self) -> None:
        known = DESCRIPTORS.get(self.kind.value)
        self.note.value = f"<small>{esc(known.summary.capitalize())}.</small>" if known else ""
        shown = [self._rows[id(widget)] for widget in self.widgets().values()]
        self.box.children = [*shown, self.note]

    def value(self) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """The wire data source (or None) and form-level problems."""
        kind = self.kind.value
        if kind == NONE:
            return None, {}
        problems: dict[str, str] = {}
        params: dict[str, Any] = dict(self.extra)
        if kind == OTHER:
            descriptor = self.other_kind.value.strip()
            parsed, problem = _parse_json_object(self.other_params.value)
            if problem:
                problems[f"{self.field}.params"] = problem
            source: dict[str, Any] = {"dataSourceDescriptor": descriptor}
            if parsed is not None:  # not an object: the models say so, like for params
                source["params"] = parsed
            return source, problems
        if kind == "url":
            params["url"] = self.url.value.strip()
        elif kind in ("aws", "gcp", "storj"):
            for key, widget in self.buckets.items():
                if widget.value.strip():
                    params[key] = widget.value.strip()
        source = {"dataSourceDescriptor": kind}
        if params:
            source["params"] = params
        return source, problems

    def load(self, source: Mapping[str, Any] | None) -> None:
        """Show a wire data source."""
        for widget in (self.url, self.other_kind, self.other_params, *self.buckets.values()):
            widget.value = ""
        self.extra = {}
        if not source:
            self.kind.value = NONE
            return
        kind = str(source.get("dataSourceDescriptor") or "")
        params = dict(source.get("params") or {})
        if kind in self.kind.options and kind not in (NONE, OTHER):
            params.pop("@type", None)
            if kind == "url":
                self.url.value = str(params.pop("url", ""))
            for key, widget in self.buckets.items():
                if kind in ("aws", "gcp", "storj") and key in params:
                    widget.value = str(params.pop(key))
            self.extra = params
            self.kind.value = kind
        else:
            self.other_kind.value = kind
            self.other_params.value = json.dumps(params, indent=2) if params else ""
            self.kind.value = OTHER


class JobForm(w.VBox):
    """A form for a create-job request: live validation, preview, submit.

    ``JobForm(client=None, **initial)`` takes initial fields in wire or
    snake_case form (``templateId=`` or ``template_id=``);
    ``JobForm.from_payload(wire_dict)`` rebuilds a form from a payload.
    ``.payload`` is the valid ``CreateJobRequest`` or None, ``.errors`` maps
    wire field paths to messages, ``.value`` is the wire dict even when
    invalid, ``.submit()`` sends it and returns the ``JobResponse``.
    """

    def __init__(self, client: Client | None = None, **initial: Any) -> None:
        self._client = client
        self._initial = _wire_names(initial)
        self._lock = threading.Lock()
        self._busy = False
        self._loading = False
        self._worker: threading.Thread | None = None
        self.response: JobResponse | None = None
        self._payload: CreateJobRequest | None = None
        self._errors: dict[str, str] = {}
        self._extra: dict[str, Any] = {}
        self._params_extra: dict[str, Any] = {}
        self._config_extra: dict[str, Any] = {}
        self._suggestions: threading.Thread | None = None

        self.name = w.Text(description="Name", placeholder="my job", style=_LABEL, layout=_WIDE)
        self.template = w.Combobox(
            description="Template",
            placeholder="hello-world-template",
            options=tuple(RECENT_TEMPLATES),
            ensure_option=False,
            style=_LABEL,
            layout=_WIDE,
        )
        self.description = w.Textarea(
            description="Description", style=_LABEL, layout=w.Layout(width="420px", height="44px")
        )
        self._labels: dict[int, w.HTML] = {}
        self.source = _SourceEditor("dataSource", INPUT_KINDS, self._changed, self._row)
        self.destination = _SourceEditor("dataDestination", OUTPUT_KINDS, self._changed, self._row)
        self.params = {part: _json_editor(part) for part in PARAM_PARTS}
        self.task_timeout = w.Text(
            description="Task timeout", placeholder="e.g. 90s, 15m, 2h", style=_LABEL
        )
        self.job_timeout = w.Text(
            description="Job timeout", placeholder="e.g. 90s, 15m, 2h", style=_LABEL
        )
        self.test_job = w.Checkbox(description="Test job", indent=True, style=_LABEL)

        self.summary = w.HTML()
        self.submit_button = w.Button(description="Submit", button_style="primary", icon="send")
        self.reset_button = w.Button(description="Reset", icon="undo")
        self.preview = w.HTML()
        self.magic_text = w.HTML()  # a <pre>, so it can be selected and copied
        self.result = w.Output()
        self.message = w.HTML()

        self._field_widgets: dict[str, w.Widget] = {
            "name": self.name,
            "templateId": self.template,
            "description": self.description,
            **{f"params.{p}": editor for p, editor in self.params.items()},
            "config.taskTimeout": self.task_timeout,
            "config.jobTimeout": self.job_timeout,
            "config.isTestJob": self.test_job,
            **self.source.all_widgets(),
            **self.destination.all_widgets(),
        }
        rows = [
            self._row(self.name),
            self._row(self.template),
            self._row(self.description),
            w.HTML("<b>Data</b>"),
            self._row(self.source.kind),
            self.source.box,
            self._row(self.destination.kind),
            self.destination.box,
            w.HTML("<b>Params</b> <small>(JSON objects, passed to the containers)</small>"),
            *(self._row(editor) for editor in self.params.values()),
            w.HTML("<b>Config</b>"),
            self._row(self.task_timeout),
            self._row(self.job_timeout),
            self._row(self.test_job),
        ]
        self.details = w.Accordion(
            children=[self.preview, self.magic_text],
            titles=("Payload preview", "Copy as %%bytenite"),
        )
        super().__init__(
            children=[
                w.HTML("<h4 style='margin:4px 0'>New ByteNite job</h4>"),
                *rows,
                w.HBox([self.submit_button, self.reset_button, self.summary]),
                self.message,
                self.details,
                self.result,
            ]
        )
        for widget in (
            self.name,
            self.template,
            self.description,
            self.task_timeout,
            self.job_timeout,
            self.test_job,
            *self.params.values(),
        ):
            widget.observe(self._on_change, names="value")
        self.details.observe(self._on_details, names="selected_index")
        self.submit_button.on_click(self._on_submit)
        self.reset_button.on_click(self._on_reset)
        self.load(self._initial)
        self._suggest_templates()

    # -- building ---------------------------------------------------------------
    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any] | CreateJobRequest, client: Client | None = None
    ) -> JobForm:
        """A form showing ``payload`` (a wire dict or a ``CreateJobRequest``)."""
        wire = payload.to_payload() if isinstance(payload, CreateJobRequest) else dict(payload)
        return cls(client, **wire)

    def _row(self, widget: w.Widget) -> w.HBox:
        label = w.HTML(layout=w.Layout(margin="0 0 0 8px"))
        label.add_class("bn-field-error")
        self._labels[id(widget)] = label
        return w.HBox([widget, label])

    # -- state ------------------------------------------------------------------------
    def load(self, wire: Mapping[str, Any]) -> None:
        """Set every field from a wire dict (missing fields are cleared)."""
        wire = _wire_names(wire)
        self._loading = True
        try:
            self.name.value = str(wire.get("name") or "")
            self.template.value = str(wire.get("templateId") or "")
            self.description.value = str(wire.get("description") or "")
            self.source.load(wire.get("dataSource"))
            self.destination.load(wire.get("dataDestination"))
            params = dict(wire.get("params") or {})
            for part, editor in self.params.items():
                value = params.pop(part, None)
                editor.value = "" if value is None else json.dumps(value, indent=2)
            self._params_extra = params
            config = dict(wire.get("config") or {})
            for key, widget in (
                ("taskTimeout", self.task_timeout),
                ("jobTimeout", self.job_timeout),
            ):
                value = config.pop(key, None)
                widget.value = _seconds_text(value)
            self.test_job.value = bool(config.pop("isTestJob", False))
            self._config_extra = config
            known = {
                "name",
                "templateId",
                "description",
                "dataSource",
                "dataDestination",
                "params",
                "config",
            }
            self._extra = {k: v for k, v in wire.items() if k not in known}
        finally:
            self._loading = False
        self._validate()

    @property
    def value(self) -> dict[str, Any]:
        """The current wire dict, even when invalid (to save a draft)."""
        return self._collect()[0]

    @property
    def payload(self) -> CreateJobRequest | None:
        """The valid ``CreateJobRequest``, or None while the form has problems."""
        return self._payload

    @property
    def errors(self) -> dict[str, str]:
        """Problems by wire field path (``"config.jobTimeout"``); empty when valid."""
        return dict(self._errors)

    def magic_cell(self, var: str = "job") -> str:
        """The equivalent ``%%bytenite`` cell, to paste into a notebook."""
        import yaml

        body = yaml.safe_dump(self.value, sort_keys=False, allow_unicode=True, width=88)
        body = body.replace("{{", "\\{{")  # a literal {{, not an interpolation
        return f"%%bytenite {var}\n{body}"

    def _collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Widgets → (wire dict, form-level problems such as bad JSON)."""
        problems: dict[str, str] = {}
        wire: dict[str, Any] = {}
        if self.name.value.strip():
            wire["name"] = self.name.value
        if self.template.value.strip():
            wire["templateId"] = self.template.value.strip()
        if self.description.value.strip():
            wire["description"] = self.description.value
        for editor in (self.source, self.destination):
            source, source_problems = editor.value()
            problems.update(source_problems)
            if source is not None:
                wire[editor.field] = source
        params: dict[str, Any] = dict(self._params_extra)
        for part, editor in self.params.items():
            value, problem = _parse_json_object(editor.value)
            if problem:
                problems[f"params.{part}"] = problem
            if value is not None:
                params[part] = value
        if params:
            wire["params"] = params
        config: dict[str, Any] = dict(self._config_extra)
        for key, widget in (("taskTimeout", self.task_timeout), ("jobTimeout", self.job_timeout)):
            text = widget.value.strip()
            if not text:
                continue
            try:
                config[key] = parse_seconds(text)
            except ValueError as exc:
                problems[f"config.{key}"] = str(exc)
                config[key] = text
        if self.test_job.value:
            config["isTestJob"] = True
        if config:
            wire["config"] = config
        wire.update(self._extra)
        return wire, problems

    def _validate(self) -> None:
        from pydantic import ValidationError

        wire, problems = self._collect()
        try:
            with warnings.catch_warnings():  # params.preset: the payload card says enough
                warnings.simplefilter("ignore", DeprecationWarning)
                self._payload = CreateJobRequest.model_validate(wire)
        except ValidationError as exc:
            self._payload = None
            for problem in payload_problems(exc):
                # a form-level message (bad JSON, bad duration) says more
                if not any(problem["field"].startswith(p) for p in problems):
                    problems.setdefault(problem["field"], problem["message"])
        if problems:
            self._payload = None
        self._errors = problems
        self._render(wire)

    def _render(self, wire: dict[str, Any]) -> None:
        shown: dict[int, str] = {}
        for path, message in self._errors.items():
            widget, owner = self._widget_for(path)
            if widget is not None:
                key = id(widget)
                note = esc(message if path == owner else f"{path}: {message}")
                shown[key] = f"{shown[key]}; {note}" if key in shown else note
        for key, label in self._labels.items():
            value = shown.get(key, "")
            html = f'<span style="color:var(--jp-error-color1,#cf222e)">{value}</span>'
            label.value = html if value else ""
        count = len(self._errors)
        if count:
            fields = ", ".join(list(self._errors)[:3]) + ("…" if count > 3 else "")
            self.summary.value = (
                f'<span style="color:var(--jp-error-color1,#cf222e)">'
                f"{count} problem{'s remain' if count != 1 else ' remains'}: {esc(fields)}</span>"
            )
        else:
            self.summary.value = (
                '<span style="color:var(--jp-success-color1,#1a7f37)">✓ ready to submit</span>'
            )
        self.submit_button.disabled = bool(count) or self._busy
        errors = [{"field": k, "message": v} for k, v in self._errors.items()]
        self.preview.value = payload_html(wire, errors)
        self._render_magic_text()

    def _render_magic_text(self) -> None:
        """The %%bytenite text, built only while its section is open: a YAML dump
        of a large params object costs too much to redo on every keystroke."""
        if self.details.selected_index != 1:
            self.magic_text.value = ""
            return
        self.magic_text.value = (
            '<pre style="user-select:text;margin:0;white-space:pre-wrap">'
            f"{esc(self.magic_cell())}</pre>"
        )

    def _widget_for(self, path: str) -> tuple[w.Widget | None, str]:
        """The shown widget of a field path (or of its nearest parent) and its path."""
        shown = {**self._field_widgets}
        for editor in (self.source, self.destination):  # hidden sub-fields don't count
            for sub, widget in editor.all_widgets().items():
                if widget not in editor.widgets().values():
                    shown.pop(sub, None)
        candidates = [p for p in shown if path == p or path.startswith(p + ".")]
        if candidates:
            owner = max(candidates, key=len)
            return shown[owner], owner
        for editor in (self.source, self.destination):
            if path.split(".")[0] == editor.field:  # e.g. a descriptor problem
                return editor.kind, f"{editor.field}.dataSourceDescriptor"
        return None, ""

    # -- callbacks ----------------------------------------------------------------
    def _changed(self) -> None:
        if not self._loading:
            self._on_change(None)

    @_guarded
    def _on_change(self, change: Any) -> None:
        if self._loading:
            return
        self.message.value = ""
        self._validate()

    @_guarded
    def _on_details(self, change: Any) -> None:
        self._render_magic_text()

    @_guarded
    def _on_reset(self, button: Any) -> None:
        self.load(self._initial)
        self.result.clear_output()
        self.message.value = ""

    @_guarded
    def _on_submit(self, button: Any) -> None:
        with self._lock:
            if self._busy or self._payload is None:
                return  # a second click while a request is in flight does nothing
            self._set_busy(True)
        self._worker = threading.Thread(target=self._submit_in_background, daemon=True)
        self._worker.start()

    def _submit_in_background(self) -> None:
        try:
            self._send()
        except Exception as exc:
            self._show_error(exc)
        finally:
            self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.submit_button.disabled = busy or bool(self._errors)
        self.submit_button.description = "Submitting…" if busy else "Submit"
        self.submit_button.icon = "spinner" if busy else "send"
        self.reset_button.disabled = busy

    # -- sending -------------------------------------------------------------------
    def submit(self) -> JobResponse:
        """Send the form's payload and return the ``JobResponse`` (also in ``.response``).

        Raises ``PayloadError`` (nothing sent) while the form is invalid, and the
        client's errors on failure; the card or error card shows in the form.
        """
        with self._lock:
            if self._busy:
                raise RuntimeError("a submission is already in flight")
            self._set_busy(True)
        try:
            return self._send()
        finally:
            self._set_busy(False)

    def _send(self) -> JobResponse:
        from .errors import PayloadError

        self._validate()
        if self._payload is None:
            error = PayloadError([{"field": k, "message": v} for k, v in self._errors.items()])
            self._show_error(error)
            raise error
        client = self._client
        if client is None:
            from .client import Client

            client = self._client = Client()
        try:
            response = client.create_job(self._payload)
        except Exception as exc:
            self._show_error(exc)
            raise
        self.response = response
        template = self._payload.template_id
        if template in RECENT_TEMPLATES:
            RECENT_TEMPLATES.remove(template)
        RECENT_TEMPLATES.insert(0, template)
        self.result.clear_output()
        self.result.append_display_data(response)
        self.message.value = ""
        return response

    def _show_error(self, exc: BaseException) -> None:
        """Show an error in the form (the form's fields stay as they were)."""
        self.message.value = error_html(exc)
        self.result.clear_output()

    def _suggest_templates(self) -> None:
        """Fill the template suggestions from the service, quietly, in the background."""

        def fetch() -> None:
            try:
                client = self._client
                if client is None:
                    from .client import Client

                    client = Client(timeout=5, max_retries=0)
                    try:
                        ids = [t.id for t in client.list_templates() if t.id]
                    finally:
                        client.close()
                else:
                    ids = [t.id for t in client.list_templates() if t.id]
            except Exception:
                return  # suggestions are a convenience; no credentials is fine here
            merged = list(dict.fromkeys([*RECENT_TEMPLATES, *ids]))
            self.template.options = tuple(merged)

        self._suggestions = threading.Thread(target=fetch, daemon=True)
        self._suggestions.start()


def _wire_names(values: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level snake_case names (``template_id``) to their wire names."""
    aliases = {name: field.alias or name for name, field in CreateJobRequest.model_fields.items()}
    return {aliases.get(k, k): v for k, v in values.items()}


def _seconds_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        return format_seconds(parse_seconds(value))
    except ValueError:
        return str(value)
