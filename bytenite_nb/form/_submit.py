"""Sending the form through ``Client.submit_job`` (create, upload, run)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import client as client_part  # its drivers (httpx) load with the first Client
from ..display import esc, size_text
from ..errors import PayloadError
from ..models import JobResponse
from ..progress import Progress
from ._check import set_busy, tone, validate
from ._fields import RECENT_TEMPLATES

if TYPE_CHECKING:  # pragma: no cover
    from ._form import JobForm


def upload_status(form: JobForm) -> Callable[[Progress], None]:
    """A ``progress=`` callable (at most ~4 calls a second): the button and the summary
    say how far the upload is, in bytes and percent."""

    def show(progress: Progress) -> None:
        fraction = progress.fraction
        percent = f" {fraction:.0%}" if fraction is not None and not progress.finished else ""
        form.submit_button.description = f"Uploading…{percent}"
        amount = size_text(progress.done)
        if progress.total is not None and not progress.finished:
            amount += f" of {size_text(progress.total)}"
        if progress.failed:
            text = f"upload of {progress.label} failed after {amount}"
        elif progress.finished:
            text = f"uploaded {progress.label} ({amount} in {progress.elapsed:.1f} s)"
        else:
            text = (
                f"uploading {progress.label}: {amount}{f' ({percent.strip()})' if percent else ''}"
            )
        form.summary.value = tone("bn-form-bad" if progress.failed else "bn-form-ok", esc(text))

    return show


def send(form: JobForm, run: bool = False) -> JobResponse:
    """Validate, create the job, upload its local file, run it when asked, show
    its card; errors show in the form (with the card, once the job exists) and raise."""
    state = form.state
    validate(form)
    payload = state.payload
    if payload is None:
        error = PayloadError([{"field": k, "message": v} for k, v in state.errors.items()])
        form.show_error(error)
        raise error
    client = state.client
    if client is None:
        client = state.client = client_part.Client()
    local_file = form.source.local_file()
    form.response = None
    template = payload.template_id

    def on_update(stage: str, response: JobResponse) -> None:
        if stage == "created":
            form.response = response
            form.show_result(response)
            if template in RECENT_TEMPLATES:
                RECENT_TEMPLATES.remove(template)
            RECENT_TEMPLATES.insert(0, template)
        elif stage == "uploading":
            set_busy(form, True, "Uploading…")
        elif stage == "starting":
            set_busy(form, True, "Starting…")

    try:
        response = client.submit_job(
            payload,
            upload=local_file,
            run=run,
            on_update=on_update,
            progress=upload_status(form) if local_file is not None else None,
        )
    except Exception as exc:
        # Once the job exists, its card stays with the error.
        form.show_error(exc, keep_result=form.response is not None)
        raise
    if run:
        form.response = response
        form.show_result(response)
    state.submitted = True
    form.message.value = ""
    done = "submitted and started" if run else "submitted"
    form.summary.value = tone(
        "bn-form-ok", f"✓ {done} job {esc(response.job.id or '')}: change a field to submit again"
    )
    return response


def suggest_templates(form: JobForm) -> threading.Thread:
    """Fill the template suggestions from the service, quietly, in the background."""

    def fetch() -> None:
        shared = form.state.client
        try:
            client = shared or client_part.Client(timeout=5, max_retries=0)
            try:
                ids = [t.id for t in client.list_templates() if t.id]
            finally:
                if client is not shared:
                    client.close()
        except Exception:
            return  # suggestions are a convenience; no credentials is fine here
        merged = list(dict.fromkeys([*RECENT_TEMPLATES, *ids]))
        form.template.options = tuple(merged)

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    return thread
