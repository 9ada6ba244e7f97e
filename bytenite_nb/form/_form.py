"""The ``JobForm`` class: lays out the editors, wires the callbacks, hands checking to
``_check`` and sends through ``Client.submit_job`` (create, upload, run)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import yaml

from .. import client as client_part  # its drivers (httpx) load with the first Client
from ..display import esc, size_text, style_block
from ..display.error import error_html
from ..errors import PayloadError
from ..models import CreateJobRequest, JobResponse
from ..progress import Progress
from ._check import (
    collect,
    render_magic_text,
    set_busy,
    summary_html,
    summary_text,
    tone,
    validate,
    widget_for,
)
from ._fields import (
    INPUT_KINDS,
    OUTPUT_KINDS,
    PARAM_PARTS,
    RECENT_TEMPLATES,
    Kit,
    guarded,
    json_editor,
    seconds_text,
    wire_names,
)
from ._source import SourceEditor

if TYPE_CHECKING:  # pragma: no cover
    from ..client import Client

#: The top-level wire fields the form's widgets edit; it keeps the others as loaded.
_SHOWN_FIELDS = frozenset(
    ("name", "templateId", "description", "dataSource", "dataDestination", "params", "config")
)


@dataclass
class FormState:
    """What a ``JobForm`` knows besides its widgets; ``_check`` uses it and the form's
    public widgets, never its private attributes."""

    client: Client | None = None  # None: one is made on the first submission
    payload: CreateJobRequest | None = None  # None while the form has problems
    errors: dict[str, str] = field(default_factory=dict)  # by wire path: config.jobTimeout
    busy: bool = False  # a submission is in flight
    loading: bool = False  # the widgets are being set from a payload
    submitted: bool = False  # after a success, until the next change
    # What no widget edits (top-level fields, params parts, config members), as loaded.
    extra: dict[str, Any] = field(default_factory=dict)
    params_extra: dict[str, Any] = field(default_factory=dict)
    config_extra: dict[str, Any] = field(default_factory=dict)


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
        self.state = FormState(client=client)
        self._initial = wire_names(initial)
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        self.response: JobResponse | None = None
        kit = self._kit = Kit()

        self.name = w.Text(description="Name", style=kit.text, layout=kit.wide)
        # No placeholder: grey text in an empty required field reads as a value.
        self.template = w.Combobox(
            description="Template",
            options=tuple(RECENT_TEMPLATES),
            ensure_option=False,
            style=kit.text,
            layout=kit.wide,
        )
        self.description = w.Textarea(description="Description", style=kit.text, layout=kit.area)
        self.labels: dict[int, w.HTML] = {}
        self.source = SourceEditor("dataSource", INPUT_KINDS, self._on_change, self._row, kit)
        self.destination = SourceEditor(
            "dataDestination", OUTPUT_KINDS, self._on_change, self._row, kit
        )
        self.params = {part: json_editor(kit, part.capitalize()) for part in PARAM_PARTS}
        hint = "e.g. 90s, 15m, 2h"
        self.task_timeout, self.job_timeout = (
            w.Text(description=name, placeholder=hint, style=kit.text, layout=kit.plain)
            for name in ("Task timeout", "Job timeout")
        )
        self.test_job = w.Checkbox(
            description="Test job", indent=True, style=kit.check, layout=kit.plain
        )

        self.summary = kit.html_widget()
        self.submit_button, self.run_button, self.reset_button = (
            w.Button(
                description=text, icon=icon, button_style=tone, style=kit.button, layout=kit.fit
            )
            for text, icon, tone in (
                ("Submit", "send", "primary"),
                ("Submit and run", "play", ""),
                ("Reset", "undo", ""),
            )
        )
        self.preview = kit.html_widget()
        self.magic_text = kit.html_widget()  # a <pre>, so it can be selected and copied
        self.result = w.Output(layout=kit.plain)
        self.message = kit.html_widget()

        #: The widget of each wire field path (its message label: ``labels[id(widget)]``).
        self.field_widgets: dict[str, w.Widget] = {
            "name": self.name,
            "templateId": self.template,
            "description": self.description,
            **{f"params.{p}": editor for p, editor in self.params.items()},
            "config.taskTimeout": self.task_timeout,
            "config.jobTimeout": self.job_timeout,
            "config.isTestJob": self.test_job,
        }
        self.details = w.Accordion(
            children=[self.preview, self.magic_text],
            titles=("Payload preview", "Copy as %%bytenite"),
            layout=kit.plain,
        )
        super().__init__(
            children=[
                kit.html_widget(
                    f'{style_block()}<div class="bn-root"><b class="bn-form-title">'
                    "New ByteNite job</b></div>"
                ),
                *map(self._row, (self.name, self.template, self.description)),
                kit.html_widget("<b>Data</b>"),
                self._row(self.source.kind),
                self.source.box,
                self._row(self.destination.kind),
                self.destination.box,
                kit.html_widget("<b>Params</b> (JSON objects, passed to the containers)"),
                *map(self._row, self.params.values()),
                kit.html_widget("<b>Config</b>"),
                *map(self._row, (self.task_timeout, self.job_timeout, self.test_job)),
                kit.row(self.submit_button, self.run_button, self.reset_button),
                self.summary,
                self.message,
                self.details,
                self.result,
            ],
            layout=kit.plain,
        )
        self.add_class("bn-form")  # the stylesheet's rules for the form's widgets
        for widget in self.field_widgets.values():
            widget.observe(self._on_change, names="value")
        self.details.observe(self._on_details, names="selected_index")
        self.submit_button.on_click(self._on_submit)
        self.run_button.on_click(lambda button: self._on_submit(button, run=True))
        self.reset_button.on_click(self._on_reset)
        self.load(self._initial)
        self._suggestions = threading.Thread(target=self._suggest_templates, daemon=True)
        self._suggestions.start()

    # -- building ---------------------------------------------------------------
    @classmethod
    def from_payload(
        cls, payload: Mapping[str, Any] | CreateJobRequest, client: Client | None = None
    ) -> JobForm:
        """A form showing ``payload`` (a wire dict or a ``CreateJobRequest``)."""
        wire = payload.to_payload() if isinstance(payload, CreateJobRequest) else dict(payload)
        return cls(client, **wire)

    def _row(self, widget: w.Widget) -> w.HBox:
        label = w.HTML(style=self._kit.html, layout=self._kit.label)
        self.labels[id(widget)] = label
        return self._kit.row(widget, label)

    def label_of(self, path: str) -> str:
        """The label on screen of a field path, with the sub-path it does not show:
        ``config.taskTimeout`` → ``Task timeout``, ``params.app.case`` → ``App: case``."""
        widget, owner, rest = widget_for(self, path)
        if widget is None:
            return path
        label = str(widget.description or owner)
        for editor in (self.source, self.destination):
            if owner.startswith(editor.field + ".") and widget is not editor.kind:
                # "Input URL", "Output bucket"
                label = f"{editor.label} {label if label[1:2].isupper() else label.lower()}"
        return f"{label}: {rest}" if rest else label

    # -- state ------------------------------------------------------------------------
    def load(self, wire: Mapping[str, Any]) -> None:
        """Set every field from a wire dict (missing fields are cleared)."""
        wire = wire_names(wire)
        state = self.state
        state.loading = True
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
            state.params_extra = params
            config = dict(wire.get("config") or {})
            self.task_timeout.value = seconds_text(config.pop("taskTimeout", None))
            self.job_timeout.value = seconds_text(config.pop("jobTimeout", None))
            self.test_job.value = bool(config.pop("isTestJob", False))
            state.config_extra = config
            state.extra = {k: v for k, v in wire.items() if k not in _SHOWN_FIELDS}
        finally:
            state.loading = False
        validate(self)

    @property
    def value(self) -> dict[str, Any]:
        """The current wire dict, even when invalid (to save a draft)."""
        return collect(self)[0]

    @property
    def payload(self) -> CreateJobRequest | None:
        """The valid ``CreateJobRequest``, or None while the form has problems."""
        return self.state.payload

    @property
    def errors(self) -> dict[str, str]:
        """Problems by wire field path (``"config.jobTimeout"``); empty when valid."""
        return dict(self.state.errors)

    def magic_cell(self, var: str = "job") -> str:
        """The equivalent ``%%bytenite`` cell, to paste into a notebook."""
        body = yaml.safe_dump(self.value, sort_keys=False, allow_unicode=True, width=88)
        body = body.replace("{{", "\\{{")  # a literal {{, not an interpolation
        return f"%%bytenite {var}\n{body}"

    # -- callbacks ----------------------------------------------------------------
    @guarded
    def _on_change(self, change: Any = None) -> None:
        if self.state.loading:
            return
        self.message.value = ""
        self.state.submitted = False  # a change makes a new submission possible
        validate(self)

    @guarded
    def _on_details(self, change: Any) -> None:
        render_magic_text(self)

    @guarded
    def _on_reset(self, button: Any) -> None:
        self.state.submitted = False
        self.load(self._initial)
        self.show_result(None)
        self.message.value = ""

    @guarded
    def _on_submit(self, button: Any, run: bool = False) -> None:
        with self._lock:
            state = self.state
            if state.busy or state.submitted or state.payload is None:
                return  # in flight, already sent, or invalid: a click does nothing
            set_busy(self, True, "Submitting…")
        self._worker = threading.Thread(target=self._submit_in_background, args=(run,), daemon=True)
        self._worker.start()

    def _submit_in_background(self, run: bool) -> None:
        try:
            response = self._send_payload(run)
        except Exception as exc:
            self.show_error(exc, keep_result=self.response is not None)
            return
        finally:
            set_busy(self, False)
        if run:
            self._follow(response)

    # -- the result card ---------------------------------------------------------
    #: While following a started job: seconds between polls, and when to stop.
    follow_interval = 2.0
    follow_timeout = 6 * 3600.0

    def show_result(self, response: JobResponse | None) -> None:
        """The form's one result card, replaced in place (None: no card)."""
        if response is None:
            self.result.outputs = ()
            return
        bundle = response._repr_mimebundle_()
        self.result.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)

    def _follow(self, response: JobResponse) -> None:
        """After "Submit and run": the card follows the job until it ends (one card)."""
        job_id, client = response.job.id, self.state.client
        if not job_id or client is None or (response.job.state and response.job.state.is_terminal):
            return

        def show(update: JobResponse) -> None:
            current = self.response
            if current is not None and current.job.id == job_id:  # not reset or sent again
                self.response = update
                self.show_result(update)

        try:
            show(
                client.wait_for_job(
                    job_id,
                    timeout=self.follow_timeout,
                    interval=self.follow_interval,
                    on_update=show,
                )
            )
        except Exception as exc:  # the job goes on; the card stays as it was
            self.show_error(exc, keep_result=True)

    # -- sending -------------------------------------------------------------------
    def submit(self, run: bool = False) -> JobResponse:
        """Send the form's payload and return the ``JobResponse`` (also in ``.response``).

        With a ``file`` input, the local file is uploaded once the job exists;
        ``run=True`` then starts the job. Raises ``PayloadError`` (nothing sent)
        while the form is invalid, and the client's errors on failure; the card
        or error card shows in the form.
        """
        with self._lock:
            if self.state.busy:
                raise RuntimeError("a submission is already in flight")
            set_busy(self, True, "Submitting…")
        try:
            return self._send_payload(run)
        finally:
            set_busy(self, False)

    def _send_payload(self, run: bool) -> JobResponse:
        """Validate, create the job, upload its local file, run it when asked, show its
        card; errors show in the form (with the card, once the job exists) and raise."""
        state = self.state
        validate(self)
        payload = state.payload
        if payload is None:
            error = PayloadError([{"field": k, "message": v} for k, v in state.errors.items()])
            self.show_error(error)
            raise error
        client = state.client
        if client is None:
            client = state.client = client_part.Client()
        local_file = self.source.local_file()
        self.response = None
        template = payload.template_id

        def on_update(stage: str, response: JobResponse) -> None:
            if stage == "created":
                self.response = response
                self.show_result(response)
                if template in RECENT_TEMPLATES:
                    RECENT_TEMPLATES.remove(template)
                RECENT_TEMPLATES.insert(0, template)
            elif stage == "uploading":
                set_busy(self, True, "Uploading…")
            elif stage == "starting":
                set_busy(self, True, "Starting…")

        try:
            response = client.submit_job(
                payload,
                upload=local_file,
                run=run,
                on_update=on_update,
                progress=upload_status(self) if local_file is not None else None,
            )
        except Exception as exc:
            self.show_error(exc, keep_result=self.response is not None)
            raise
        if run:
            self.response = response
            self.show_result(response)
        state.submitted = True
        self.message.value = ""
        done = "submitted and started" if run else "submitted"
        self.summary.value = tone(
            "bn-form-ok",
            f"✓ {done} job {esc(response.job.id or '')}: change a field to submit again",
        )
        return response

    def _suggest_templates(self) -> None:
        """Fill the template suggestions from the service, quietly (in a thread)."""
        shared = self.state.client
        try:
            client = shared or client_part.Client(timeout=5, max_retries=0)
            try:
                ids = [t.id for t in client.list_templates() if t.id]
            finally:
                if client is not shared:
                    client.close()
        except Exception:
            return  # suggestions are a convenience; no credentials is fine here
        self.template.options = tuple(dict.fromkeys([*RECENT_TEMPLATES, *ids]))

    def show_error(self, exc: BaseException, keep_result: bool = False) -> None:
        """Show an error in the form (the fields stay; a created job's card too)."""
        self.message.value = error_html(exc).replace(style_block(), "")
        if not keep_result:
            self.show_result(None)

    # -- static views --------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The widget view, with a text and an HTML summary where widgets cannot
        render (a saved notebook without its kernel, nbconvert, GitHub, a terminal)."""
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = summary_text(self)
        bundle["text/html"] = summary_html(self)
        return bundle

    def __repr__(self) -> str:
        return summary_text(self)


def upload_status(form: JobForm) -> Callable[[Progress], None]:
    """A ``progress=`` callable (at most ~4 calls a second): the button and the summary
    say how far the upload is, in bytes and percent."""

    def show(progress: Progress) -> None:
        fraction = progress.fraction
        percent = f"{fraction:.0%}" if fraction is not None and not progress.finished else ""
        form.submit_button.description = f"Uploading… {percent}".rstrip()
        amount = size_text(progress.done)
        if progress.total is not None and not progress.finished:
            amount += f" of {size_text(progress.total)}"
        if progress.failed:
            text = f"upload of {progress.label} failed after {amount}"
        elif progress.finished:
            text = f"uploaded {progress.label} ({amount} in {progress.elapsed:.1f} s)"
        else:
            text = f"uploading {progress.label}: {amount}" + (f" ({percent})" if percent else "")
        form.summary.value = tone("bn-form-bad" if progress.failed else "bn-form-ok", esc(text))

    return show
