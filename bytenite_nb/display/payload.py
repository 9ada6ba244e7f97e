"""The payload card: a create-job body, highlighted, valid or not."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..models import CreateJobRequest
from ._html import (
    esc,
    fold,
    json_block,
    kv_table,
    mimebundle,
    wrap,
)


def _payload_dict(payload: CreateJobRequest | Mapping[str, Any]) -> dict[str, Any]:
    return payload.to_payload() if isinstance(payload, CreateJobRequest) else dict(payload)


def payload_html(
    payload: CreateJobRequest | Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
) -> str:
    """The payload card: the wire JSON, highlighted, and whether it is valid."""
    wire = _payload_dict(payload)
    valid = not errors
    word = "valid" if valid else f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
    tone = "ok" if valid else "bad"
    head = (
        f'<div class="bn-head"><span class="bn-title">Create-job payload</span>'
        f'<span class="bn-badge bn-{tone}">{esc(word)}</span>'
        f'<span class="bn-sub">POST /jobs · not sent</span></div>'
    )
    body = [head]
    if errors:
        body.append(
            kv_table(
                (
                    e.get("field") or "(payload)",
                    f'<span class="bn-error-msg">{esc(e.get("message", ""))}</span>',
                )
                for e in errors
            )
        )
    body.append(json_block(wire))
    return wrap(f"bn-payload bn-{tone}", "".join(body), payload_text(payload, errors))


def payload_text(
    payload: CreateJobRequest | Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
) -> str:
    wire = _payload_dict(payload)
    head = "Create-job payload (valid, not sent)" if not errors else "Create-job payload (invalid)"
    lines = [head]
    lines += [f"  {e.get('field') or '(payload)'}: {e.get('message', '')}" for e in errors]
    lines.append(fold(json.dumps(wire, indent=2, ensure_ascii=False, default=str), 4000))
    return "\n".join(lines)


def payload_mimebundle(
    payload: CreateJobRequest | Mapping[str, Any], include: Iterable[str] | None = None
) -> dict[str, Any]:
    """The payload card as a mimebundle (see :func:`mimebundle`)."""
    return mimebundle(payload_text(payload), payload_html(payload), _payload_dict(payload), include)
