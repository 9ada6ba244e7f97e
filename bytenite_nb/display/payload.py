"""The payload card: a create-job body, highlighted, valid or not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..models import CreateJobRequest
from ._html import (
    MAX_CELL,
    MAX_LABEL,
    MAX_ROWS,
    MAX_TEXT,
    esc,
    fold,
    json_block,
    json_text,
    kv_table,
    mimebundle,
    wrap,
)


def _payload_dict(payload: CreateJobRequest | Mapping[str, Any]) -> Any:
    """What the card shows: the wire dict, or (when pydantic cannot serialize it, e.g.
    params nested hundreds of levels deep) the model itself, which the card walks."""
    if isinstance(payload, CreateJobRequest):
        try:
            return payload.to_payload()
        except (ValueError, RecursionError):
            return payload
    return payload


def _problems(errors: Sequence[Mapping[str, str]]) -> tuple[list[tuple[str, str]], int]:
    shown = [
        (str(e.get("field") or "(payload)"), str(e.get("message", ""))) for e in errors[:MAX_ROWS]
    ]
    return shown, max(0, len(errors) - MAX_ROWS)


def payload_html(
    payload: CreateJobRequest | Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
    *,
    wire: Any = None,
) -> str:
    """The payload card: the wire JSON, highlighted, and whether it is valid."""
    wire = _payload_dict(payload) if wire is None else wire
    valid = not errors
    word = "valid" if valid else f"{len(errors):,} problem{'s' if len(errors) != 1 else ''}"
    tone = "ok" if valid else "bad"
    head = (
        f'<div class="bn-head"><span class="bn-title">Create-job payload</span>'
        f'<span class="bn-badge bn-{tone}">{esc(word)}</span>'
        f'<span class="bn-sub">POST /jobs · not sent</span></div>'
    )
    body = [head]
    if errors:
        problems, more = _problems(errors)
        rows = (
            (f, f'<span class="bn-error-msg">{esc(fold(m, MAX_CELL))}</span>') for f, m in problems
        )
        body.append(kv_table(rows, more=more))
    body.append(json_block(wire))
    return wrap(f"bn-payload bn-{tone}", "".join(body), payload_text(payload, errors, wire=wire))


def payload_text(
    payload: CreateJobRequest | Mapping[str, Any],
    errors: Sequence[Mapping[str, str]] = (),
    *,
    wire: Any = None,
) -> str:
    """A plain-text version of the payload card."""
    wire = _payload_dict(payload) if wire is None else wire
    head = "Create-job payload (valid, not sent)" if not errors else "Create-job payload (invalid)"
    lines = [head]
    problems, more = _problems(errors)
    lines += [f"  {fold(f, MAX_LABEL)}: {fold(m, MAX_CELL)}" for f, m in problems]
    if more:
        lines.append(f"  … {more:,} more")
    lines.append(json_text(wire, MAX_TEXT - 600, indent=2))
    return fold("\n".join(lines), MAX_TEXT)


def payload_mimebundle(
    payload: CreateJobRequest | Mapping[str, Any], include: Iterable[str] | None = None
) -> dict[str, Any]:
    """The payload card as a mimebundle (see :func:`mimebundle`)."""
    wire = _payload_dict(payload)

    def as_json() -> Any:
        if isinstance(wire, CreateJobRequest):  # pydantic could not serialize it
            raise ValueError("no wire form")
        return dict(wire)

    text, markup = payload_text(payload, wire=wire), payload_html(payload, wire=wire)
    return mimebundle(text, markup, as_json, include)
