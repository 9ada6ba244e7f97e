"""The ``JobForm`` class: lays out the editors, wires the callbacks, and hands
checking to ``_check`` and sending to ``_submit``."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from ..display import error_html
from ..models import CreateJobRequest, JobResponse
from ._check import collect, render, render_magic_text, validate
from ._fields import (
    INPUT_KINDS,
    LABEL,
    OUTPUT_KINDS,
    PARAM_PARTS,
    RECENT_TEMPLATES,
    WIDE,
    guarded,
    json_editor,
    seconds_text,
    wire_names,
)
from ._source import SourceEditor
from ._submit import send, suggest_templates

if TYPE_CHECKING:  # pragma: no cover
    from ..client import Client

__all__ = ["JobForm"]


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
        self._initial = wire_names(initial)
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

        self.name = w.Text(description="Name", placeholder="my job", style=LABEL, layout=WIDE)
        self.template = w.Combobox(
            description="Template",
            placeholder="hello-world-template",
            options=tuple(RECENT_TEMPLATES),
            ensure_option=False,
            style=LABEL,
            layout=WIDE,
        )
        self.description = w.Textarea(
            description="Description", style=LABEL, layout=w.Layout(width="420px", height="44px")
        )
        self._labels: dict[int, w.HTML] = {}
        self.source = SourceEditor("dataSource", INPUT_KINDS, self._changed, self._row)
        self.destination = SourceEditor("dataDestination", OUTPUT_KINDS, self._changed, self._row)
        self.params = {part: json_editor(part) for part in PARAM_PARTS}
        self.task_timeout = w.Text(
            description="Task timeout", placeholder="e.g. 90s, 15m, 2h", style=LABEL
        )
        self.job_timeout = w.Text(
            description="Job timeout", placeholder="e.g. 90s, 15m, 2h", style=LABEL
        )
        self.test_job = w.Checkbox(description="Test job", indent=True, style=LABEL)

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
        self._suggestions = suggest_templates(self)

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
        wire = wire_names(wire)
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
                widget.value = seconds_text(value)
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
        return collect(self)[0]

    @property
    def payload(self) -> CreateJobRequest | None:
        """The valid ``CreateJobRequest``, or None while the form has problems."""
        return self._payload

    @property
    def errors(self) -> dict[str, str]:
        """Problems by wire field path (``"config.jobTimeout"``); empty when valid."""
        return dict(self._errors)

    def _validate(self) -> None:
        self._render(validate(self))

    def _render(self, wire: dict[str, Any]) -> None:
        render(self, wire)

    def magic_cell(self, var: str = "job") -> str:
        """The equivalent ``%%bytenite`` cell, to paste into a notebook."""
        import yaml

        body = yaml.safe_dump(self.value, sort_keys=False, allow_unicode=True, width=88)
        body = body.replace("{{", "\\{{")  # a literal {{, not an interpolation
        return f"%%bytenite {var}\n{body}"

    # -- callbacks ----------------------------------------------------------------
    def _changed(self) -> None:
        if not self._loading:
            self._on_change(None)

    @guarded
    def _on_change(self, change: Any) -> None:
        if self._loading:
            return
        self.message.value = ""
        self._validate()

    @guarded
    def _on_details(self, change: Any) -> None:
        render_magic_text(self)

    @guarded
    def _on_reset(self, button: Any) -> None:
        self.load(self._initial)
        self.result.clear_output()
        self.message.value = ""

    @guarded
    def _on_submit(self, button: Any) -> None:
        with self._lock:
            if self._busy or self._payload is None:
                return  # a second click while a request is in flight does nothing
            self._set_busy(True)
        self._worker = threading.Thread(target=self._submit_in_background, daemon=True)
        self._worker.start()

    def _submit_in_background(self) -> None:
        try:
            send(self)
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
            return send(self)
        finally:
            self._set_busy(False)

    def _show_error(self, exc: BaseException) -> None:
        """Show an error in the form (the form's fields stay as they were)."""
        self.message.value = error_html(exc)
        self.result.clear_output()
