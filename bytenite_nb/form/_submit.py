"""Sending: create the job with the shared client (in the form's worker thread
when clicked), remember the template, show the card or the error."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ._fields import RECENT_TEMPLATES

if TYPE_CHECKING:  # pragma: no cover
    from ..models import JobResponse
    from ._form import JobForm


def send(form: JobForm) -> JobResponse:
    """Validate, create the job, show its card; errors show in the form and raise."""
    from ..errors import PayloadError

    form._validate()
    payload = form._payload
    if payload is None:
        error = PayloadError([{"field": k, "message": v} for k, v in form._errors.items()])
        form._show_error(error)
        raise error
    client = form._client
    if client is None:
        from ..client import Client

        client = form._client = Client()
    try:
        response = client.create_job(payload)
    except Exception as exc:
        form._show_error(exc)
        raise
    form.response = response
    template = payload.template_id
    if template in RECENT_TEMPLATES:
        RECENT_TEMPLATES.remove(template)
    RECENT_TEMPLATES.insert(0, template)
    form.result.clear_output()
    form.result.append_display_data(response)
    form.message.value = ""
    return response


def suggest_templates(form: JobForm) -> threading.Thread:
    """Fill the template suggestions from the service, quietly, in the background."""

    def fetch() -> None:
        try:
            client = form._client
            if client is None:
                from ..client import Client

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
        form.template.options = tuple(merged)

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    return thread
