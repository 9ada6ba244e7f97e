"""The error card: API errors, payload problems, connection failures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import (
    ApiError,
    ByteNiteConnectionError,
    JobNotReadyError,
    LocalPathError,
    PayloadError,
)
from ._html import (
    MAX_MESSAGE,
    esc,
    fold,
    json_block,
    kv_table,
    mimebundle,
    section,
    wrap,
)


def _violations(details: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``google.rpc.BadRequest`` field violations, as (field, description)."""
    found = []
    for detail in details:
        for violation in detail.get("fieldViolations") or ():
            if isinstance(violation, Mapping):
                found.append(
                    (str(violation.get("field", "")), str(violation.get("description", "")))
                )
    return found


def error_title(error: BaseException) -> str:
    if isinstance(error, PayloadError):
        return f"Invalid {error.subject} — nothing was sent"
    if isinstance(error, ApiError):
        if error.status_code is None:
            return "Not signed in to ByteNite"
        return f"ByteNite API error · {error.reason}"
    if isinstance(error, ByteNiteConnectionError):
        return "Could not reach ByteNite"
    if isinstance(error, JobNotReadyError):
        return "No results yet"
    if isinstance(error, LocalPathError):
        return "Cannot use this local path"
    return f"ByteNite error · {type(error).__name__}"


def error_html(error: BaseException) -> str:
    """The error card for any of our errors."""
    head = (
        f'<div class="bn-head"><span class="bn-badge bn-bad">Error</span>'
        f'<span class="bn-title">{esc(error_title(error))}</span></div>'
    )
    body = [head]
    if isinstance(error, PayloadError):
        rows = [(e["field"] or "(payload)", esc(fold(e["message"]))) for e in error.errors]
        body.append(kv_table((f, f"<span class='bn-error-msg'>{m}</span>") for f, m in rows))
    elif isinstance(error, ApiError):
        rows = []
        if error.code is not None:
            rows.append(("code", f"{error.code} <code>{esc(error.code_name)}</code>"))
        rows.append(
            (
                "message",
                f'<span class="bn-error-msg">{esc(fold(error.message, MAX_MESSAGE))}</span>',
            )
        )
        if error.method and error.url:
            rows.append(
                ("request", f"<code>{esc(error.method)} {esc(fold(error.url, 300))}</code>")
            )
        body.append(kv_table(rows))
        violations = _violations(error.details)
        if violations:
            body.append(
                section("Field problems", kv_table((f, esc(d)) for f, d in violations), open=True)
            )
        if error.details:
            body.append(section("Details", json_block(error.details)))
    else:
        body.append(f'<div class="bn-error-msg">{esc(fold(str(error), MAX_MESSAGE))}</div>')
        if isinstance(error, ByteNiteConnectionError) and error.maybe_applied:
            body.append(
                '<div class="bn-note">The request may have been applied: '
                "check your jobs before sending it again.</div>"
            )
    return wrap("bn-error bn-bad", "".join(body), error_text(error))


def error_text(error: BaseException) -> str:
    """A compact plain-text version of the error card."""
    lines = [error_title(error)]
    if isinstance(error, PayloadError):
        lines += [f"  {e['field'] or '(payload)'}: {fold(e['message'], 300)}" for e in error.errors]
    elif isinstance(error, ApiError):
        if error.code is not None:
            lines.append(f"  code     {error.code} {error.code_name}")
        lines.append(f"  message  {fold(error.message, MAX_MESSAGE)}")
        lines += [f"  {f}: {d}" for f, d in _violations(error.details)]
    else:
        lines.append(f"  {fold(str(error), MAX_MESSAGE)}")
    return "\n".join(lines)


def error_json(error: BaseException) -> dict[str, Any]:
    if isinstance(error, PayloadError):
        return {"errors": error.errors}
    if isinstance(error, ApiError):
        return {
            "statusCode": error.status_code,
            "code": error.code,
            "message": error.message,
            "details": error.details,
        }
    return {"error": type(error).__name__, "message": str(error)}


def error_mimebundle(error: BaseException, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The error card as a mimebundle (see :func:`mimebundle`)."""
    return mimebundle(error_text(error), error_html(error), error_json(error), include)
