"""The error card: API errors, payload problems, connection failures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice
from typing import Any

from ..errors import (
    ApiError,
    ByteNiteConnectionError,
    JobNotReadyError,
    LocalPathError,
    PayloadError,
)
from ._html import (
    MAX_LABEL,
    MAX_MESSAGE,
    MAX_ROWS,
    MAX_TEXT,
    esc,
    field_problems,
    fold,
    folded,
    json_block,
    json_text,
    kv_table,
    mimebundle,
    problems_lines,
    problems_table,
    section,
    wrap,
)


def _violations(details: Sequence[Mapping[str, Any]]) -> tuple[list[tuple[str, str]], int]:
    """The first :data:`MAX_ROWS` ``google.rpc.BadRequest`` field violations, as (field,
    description), and how many there are (counted, not copied: an answer may hold millions)."""
    pairs = (
        (violation.get("field", ""), violation.get("description", ""))
        for detail in details
        if isinstance(violations := detail.get("fieldViolations"), (list, tuple))
        for violation in violations
        if isinstance(violation, Mapping)
    )
    first = [(str(field), str(text)) for field, text in islice(pairs, MAX_ROWS)]
    return first, len(first) + sum(1 for _ in pairs)


def _repeats(message: str, violations: list[tuple[str, str]]) -> bool:
    """True when the message only restates the field problems shown (each is said once)."""
    return any(d and d in message for _, d in violations)


def error_title(error: BaseException) -> str:
    if isinstance(error, PayloadError):
        return f"Invalid {error.subject} — nothing was sent"
    if isinstance(error, ApiError):
        if error.status_code is None:
            return "Not signed in to ByteNite"
        return f"ByteNite API error · {error.reason}"
    if isinstance(error, ByteNiteConnectionError):
        return "No usable answer from ByteNite"  # no connection, a reset, a timeout or the deadline
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
        body.append(problems_table(field_problems(error.errors), len(error.errors)))
    elif isinstance(error, ApiError):
        violations, count = _violations(error.details)
        rows = []
        if error.code is not None:
            name = esc(fold(str(error.code_name), MAX_LABEL))
            rows.append(("code", f"{esc(fold(f'{error.code} ', MAX_LABEL))}<code>{name}</code>"))
        if not _repeats(error.message, violations):
            message = esc(fold(error.message, MAX_MESSAGE))
            rows.append(("message", f'<span class="bn-error-msg">{message}</span>'))
        if error.method and error.url:
            request = f"{esc(fold(error.method, 20))} {esc(fold(error.url, 300))}"
            rows.append(("request", f"<code>{request}</code>"))
        body.append(kv_table(rows))
        if violations:
            body.append(section("Field problems", problems_table(violations, count), open=True))
        other = [d for d in error.details if not d.get("fieldViolations")]  # not shown yet
        if other:
            body.append(folded("Details", json_block(other)))
    else:
        body.append(f'<div class="bn-error-msg">{esc(fold(str(error), MAX_MESSAGE))}</div>')
        if isinstance(error, ByteNiteConnectionError) and error.maybe_applied:
            body.append(
                '<div class="bn-note">The request may have been applied: '
                "check your jobs before sending it again.</div>"
            )
    return wrap("bn-error bn-bad", "".join(body))


def error_text(error: BaseException) -> str:
    """A compact plain-text version of the error card."""
    lines = [error_title(error)]
    rows: list[tuple[str, str]] = []
    count = None
    if isinstance(error, PayloadError):
        rows, count = field_problems(error.errors), len(error.errors)
    elif isinstance(error, ApiError):
        if error.code is not None:
            lines.append(fold(f"  code     {error.code} {error.code_name}", MAX_LABEL))
        rows, count = _violations(error.details)
        if not _repeats(error.message, rows):
            lines.append(f"  message  {fold(error.message, MAX_MESSAGE)}")
    else:
        lines.append(f"  {fold(str(error), MAX_MESSAGE)}")
    lines += problems_lines(rows, count)
    if isinstance(error, ApiError) and error.details:
        lines.append(f"  details  {json_text(error.details, 600)}")  # raw, for a bug report
    return fold("\n".join(lines), MAX_TEXT)


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
    return mimebundle(error_text(error), error_html(error), lambda: error_json(error), include)
