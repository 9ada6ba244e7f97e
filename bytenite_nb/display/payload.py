"""The payload card: a create-job body, highlighted, valid or not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..models import CreateJobRequest
from ._html import (
    MAX_TEXT,
    esc,
    field_problems,
    fold,
    json_block,
    json_text,
    mimebundle,
    plural,
    problems_lines,
    problems_table,
    wrap,
)

Payload = CreateJobRequest | Mapping[str, Any]
Problems = Sequence[Mapping[str, str]]


def _payload_dict(payload: Payload) -> Any:
    """What the card shows: the wire dict, or (when pydantic cannot serialize it, e.g.
    params nested hundreds of levels deep) the model itself, which the card walks."""
    if isinstance(payload, CreateJobRequest):
        try:
            return payload.to_payload()
        except (ValueError, RecursionError):
            return payload
    return payload


def payload_html(payload: Payload, errors: Problems = ()) -> str:
    """The payload card: the wire JSON, highlighted, and whether it is valid."""
    valid = not errors
    word = "valid" if valid else plural(len(errors), "problem")
    tone = "ok" if valid else "bad"
    head = (
        f'<div class="bn-head"><span class="bn-title">Create-job payload</span>'
        f'<span class="bn-badge bn-{tone}">{esc(word)}</span>'
        f'<span class="bn-sub">POST /jobs · not sent</span></div>'
    )
    body = [head]
    if errors:
        body.append(problems_table(field_problems(errors), len(errors)))
    body.append(json_block(_payload_dict(payload)))
    return wrap(f"bn-payload bn-{tone}", "".join(body))


def payload_text(payload: Payload, errors: Problems = ()) -> str:
    """A plain-text version of the payload card."""
    head = "Create-job payload (valid, not sent)" if not errors else "Create-job payload (invalid)"
    lines = [head, *problems_lines(field_problems(errors), len(errors))]
    lines.append(json_text(_payload_dict(payload), MAX_TEXT - 600, indent=2))
    return fold("\n".join(lines), MAX_TEXT)


def payload_mimebundle(payload: Payload, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The payload card as a mimebundle (see :func:`mimebundle`)."""
    wire = _payload_dict(payload)
    json = None if isinstance(wire, CreateJobRequest) else dict(wire)  # None: unserializable
    return mimebundle(payload_text(wire), payload_html(wire), json, include)
