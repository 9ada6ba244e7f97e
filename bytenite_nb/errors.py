"""One hierarchy of exceptions for everything bytenite-nb raises.

::

    ByteNiteError
    ├── PayloadError (also ValueError)          bad payload, raised before any I/O
    ├── ApiError                                the service answered non-2xx
    │   ├── BadRequestError            400
    │   ├── AuthenticationError        401 (and: no credentials configured)
    │   ├── PermissionDeniedError      403
    │   ├── NotFoundError              404
    │   ├── InternalServerError        500
    │   └── ServiceUnavailableError    503
    ├── ByteNiteConnectionError (also ConnectionError)   transport failure
    ├── WaitTimeoutError (also TimeoutError)    a job did not finish in time
    ├── JobNotReadyError                        results asked before COMPLETE
    └── LocalPathError (also ValueError)        a local file/folder cannot be used
                                                (checked before anything is sent)

No front end and no HTTP library: errors are built from a status code and a body.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from ._urls import MIN_SECRET

__all__ = [
    "GRPC_CODE_NAMES",
    "MIN_SECRET",
    "ApiError",
    "AuthenticationError",
    "BadRequestError",
    "ByteNiteConnectionError",
    "ByteNiteError",
    "InternalServerError",
    "JobNotReadyError",
    "LocalPathError",
    "NotFoundError",
    "PayloadError",
    "PermissionDeniedError",
    "ServiceUnavailableError",
    "TooManyItemsError",
    "WaitTimeoutError",
    "api_error_from_body",
    "cut",
    "one_line",
    "redact",
]

#: gRPC status code numbers (what ``rpcStatus.code`` holds) and their names.
GRPC_CODE_NAMES: Mapping[int, str] = {
    0: "OK",
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    6: "ALREADY_EXISTS",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}

EXCERPT_CHARS = 200
#: Bounds of what an error says about itself: str() message, repr(), problems listed.
MESSAGE_CHARS = 2000
REPR_CHARS = 200
SUMMARY_ROWS = 20
_REDACTED = "***"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every occurrence of each secret in ``text`` by ``***`` (redact whole texts,
    then cut them: cutting first can keep a secret's start). Secrets shorter than
    ``MIN_SECRET`` (no real key or token is) are left alone: replacing every ``k`` protects
    nothing."""
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET:
            text = text.replace(secret, _REDACTED)
    return text


def redact_error(error: BaseException, secrets: Iterable[str | None]) -> BaseException:
    """Redact ``secrets`` from an error's message, args and text attributes, in place."""
    secrets = tuple(s for s in secrets if s)
    if not secrets:
        return error
    for name, value in list(vars(error).items()):
        if isinstance(value, str):
            setattr(error, name, redact(value, secrets))
        elif name == "details" and isinstance(value, list):
            setattr(error, name, [_redact_json(d, secrets) for d in value])
    error.args = tuple(redact(a, secrets) if isinstance(a, str) else a for a in error.args)
    return error


def _redact_json(value: Any, secrets: tuple[str | None, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {redact(str(k), secrets): _redact_json(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json(v, secrets) for v in value]
    return value


def _phrase(status_code: int) -> str:
    """The reason phrase of an HTTP status (``"Not Found"``), ``""`` when unknown."""
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


def cut(text: str, limit: int) -> str:
    """``text`` (lines kept) cut to ``limit`` characters, the last an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (each run of whitespace one space), :func:`cut` to ``limit``."""
    return cut(" ".join(text.split()), limit)


class ByteNiteError(Exception):
    """Base class of every error this package raises."""

    #: The failed request may have been carried out (see ``client._once.may_be_applied``).
    maybe_applied: bool = False

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The error card (text/plain and text/html; application/json when asked)."""
        from .display.error import error_mimebundle

        return error_mimebundle(self, include)

    def _repr_html_(self) -> str:
        from .display.error import error_html

        return error_html(self)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython prints exceptions with its own text printer, ahead of the
        # mimebundle's text/plain; this hook is found first.
        from .display.error import error_text

        printer.text(error_text(self))

    def __repr__(self) -> str:
        # Subclasses override _short_repr, not __repr__: IPython's printer uses the first
        # class in the MRO that defines __repr__ or _repr_pretty_ (the latter is above).
        return self._short_repr()

    def _short_repr(self) -> str:
        return f"{type(self).__name__}({cut(repr(one_line(str(self), REPR_CHARS)), REPR_CHARS)})"


class PayloadError(ByteNiteError, ValueError):
    """A payload (or another argument: a job id, an interval, a setting) failed local
    validation; nothing was sent. ``errors`` lists ``{"field": "config.taskTimeout",
    "message": ...}`` (wire paths); ``subject`` names what was refused."""

    def __init__(
        self, errors: Sequence[Mapping[str, str]], *, subject: str = "job payload"
    ) -> None:
        self.errors: list[dict[str, str]] = [
            {"field": str(e.get("field", "")), "message": str(e.get("message", ""))} for e in errors
        ]
        self.subject = subject
        super().__init__(self._summary())

    def _summary(self) -> str:
        count = len(self.errors)
        head = f"{count:,} problem{'s' if count != 1 else ''} in the {self.subject}"
        lines = [f"{head} (nothing was sent):"]
        lines += [
            f"  {cut(e['field'] or '(payload)', 120)}: {cut(e['message'], 300)}"
            for e in self.errors[:SUMMARY_ROWS]
        ]
        if count > SUMMARY_ROWS:
            lines.append(f"  … {count - SUMMARY_ROWS:,} more")
        return "\n".join(lines)

    def _short_repr(self) -> str:
        fields = [e["field"] or "(payload)" for e in self.errors[:SUMMARY_ROWS]]
        if len(self.errors) > SUMMARY_ROWS:
            fields.append(f"… {len(self.errors) - SUMMARY_ROWS:,} more")
        shown = one_line(", ".join(fields), REPR_CHARS)
        return f"PayloadError({len(self.errors):,} problem(s): {shown})"


class ApiError(ByteNiteError):
    """The service answered with a non-2xx status. ``code``, ``message`` and ``details``
    come from an ``rpcStatus`` body, else ``message`` is an excerpt of the body;
    ``retry_after``: the seconds the service asked to wait (``Retry-After``)."""

    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: int | None = None,
        details: Sequence[Mapping[str, Any]] | None = None,
        method: str | None = None,
        url: str | None = None,
    ) -> None:
        self.message = message
        self.status_code = status_code
        self.code = code
        self.details: list[dict[str, Any]] = [dict(d) for d in details or ()]
        self.method = method
        self.url = url
        super().__init__(str(self))

    @property
    def code_name(self) -> str | None:
        """The gRPC name of ``code`` (``"INVALID_ARGUMENT"`` for 3), if known."""
        if self.code is None:
            return None
        return GRPC_CODE_NAMES.get(self.code, f"CODE_{self.code}")

    @property
    def reason(self) -> str:
        """The HTTP status with its reason phrase, e.g. ``"404 Not Found"``."""
        if self.status_code is None:
            return "no response"
        return f"{self.status_code} {_phrase(self.status_code)}".rstrip()

    def __str__(self) -> str:
        where = (
            f" ({cut(self.method, 20)} {cut(self.url, 300)})" if self.method and self.url else ""
        )
        code = f" [{cut(str(self.code_name), 40)}]" if self.code is not None else ""
        return f"{self.reason}{code}: {cut(self.message, MESSAGE_CHARS)}{where}"

    def _short_repr(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, "
            f"code={one_line(repr(self.code), 40)}, "
            f"message={cut(repr(one_line(self.message, 80)), 100)})"
        )


class BadRequestError(ApiError):
    """400: the service rejected the payload (rpcStatus code 3, usually)."""


class AuthenticationError(ApiError):
    """401, or no API key/access token configured (then ``status_code`` is None)."""


class PermissionDeniedError(ApiError):
    """403: the account may not use this resource."""


class NotFoundError(ApiError):
    """404: no such job or template."""


class InternalServerError(ApiError):
    """500: the service failed."""


class ServiceUnavailableError(ApiError):
    """503: the service is temporarily unavailable (retried before raising)."""


class ByteNiteConnectionError(ByteNiteError, ConnectionError):
    """No usable HTTP answer (no connection, a reset, a timeout, the deadline, a body
    that could not be decoded). ``maybe_applied``: the request may have reached the
    service first (a read timeout on ``POST /jobs``: the job may exist)."""

    def __init__(self, message: str, *, maybe_applied: bool = False) -> None:
        self.maybe_applied = maybe_applied
        super().__init__(cut(message, MESSAGE_CHARS))


class WaitTimeoutError(ByteNiteError, TimeoutError):
    """A job did not reach a terminal state in time; ``response`` is the last seen."""

    def __init__(self, message: str, response: Any) -> None:
        self.response = response
        super().__init__(cut(message, MESSAGE_CHARS))


class JobNotReadyError(ByteNiteError):
    """A job's results were asked for before it was COMPLETE (a FAILED job never has
    any); ``state`` is its ``JobState`` (None if it reported none)."""

    def __init__(self, job_id: str, state: Any, error_message: str | None = None) -> None:
        self.job_id = job_id
        self.state = state
        word = getattr(state, "short_name", None) or (str(state) if state else "in no known state")
        if getattr(state, "is_failed", False):
            reason = f": {error_message}" if error_message else ""
            message = f"job {job_id} FAILED{reason}; a failed job has no results"
        else:
            message = (
                f"job {job_id} is {word}: results come when it is COMPLETE "
                f"(wait for it first, e.g. client.wait_for_job({job_id!r}))"
            )
        super().__init__(message)


class LocalPathError(ByteNiteError, ValueError):
    """A local ``path`` cannot be used as asked (missing, a folder, not writable, there
    without ``overwrite=True``, a result name landing outside the destination), says
    ``problem``; raised before anything is sent or written."""

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class TooManyItemsError(PayloadError):
    """``count`` items, more than ``max_items`` (``sweep``, ``create_jobs``): refused
    before any is built or sent; the message says how to opt in."""

    def __init__(
        self, errors: Sequence[Mapping[str, str]], *, subject: str, count: int, max_items: int
    ) -> None:
        self.count = count
        self.max_items = max_items
        super().__init__(errors, subject=subject)


_ERRORS_BY_STATUS: Mapping[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    500: InternalServerError,
    503: ServiceUnavailableError,
}


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def _json_excerpt(data: Any, text: str) -> str:
    try:
        return one_line(json.dumps(data), EXCERPT_CHARS)
    except (ValueError, RecursionError):  # nested too deep to dump again
        return one_line(text, EXCERPT_CHARS)


def _excerpt(text: str) -> str:
    """A short, tag-free, one-line excerpt of a body that is not rpcStatus JSON."""
    text = text.strip()
    if not text:
        return "empty response body"
    title = _TITLE.search(text)
    if title and title.group(1).strip():
        text = title.group(1)
    elif "<" in text:
        text = _TAG.sub(" ", text)
    return one_line(html.unescape(text), EXCERPT_CHARS)


def api_error_from_body(
    status_code: int,
    body: bytes,
    *,
    method: str | None = None,
    url: str | None = None,
    secrets: Iterable[str | None] = (),
) -> ApiError:
    """The right ``ApiError`` subclass for a status and a raw body: an ``rpcStatus`` JSON
    body fills ``code``/``message``/``details``; any other body (an HTML proxy page, an empty
    or truncated body) gives its excerpt. Every occurrence of a secret becomes ``***``."""
    secrets = tuple(s for s in secrets if s)
    cls = _ERRORS_BY_STATUS.get(status_code, ApiError)
    code: int | None = None
    details: list[dict[str, Any]] = []
    message = ""
    # Redact first, cut after: an excerpt cut inside a token would keep its start.
    text = redact(body.decode("utf-8", "replace"), secrets)
    try:
        data = _redact_json(json.loads(text), secrets)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        raw_code = data.get("code")
        if isinstance(raw_code, int) and not isinstance(raw_code, bool):
            code = raw_code
        raw_message = data.get("message", data.get("error"))
        if isinstance(raw_message, dict):  # {"error": {"code", "message", ...}}
            raw_message = raw_message.get("message")
        if raw_message is not None:
            message = str(raw_message)
        raw_details = data.get("details")
        if isinstance(raw_details, list):
            details = [d if isinstance(d, dict) else {"value": d} for d in raw_details]
    if not message:
        message = _excerpt(text) if data is None else _json_excerpt(data, text)
    if secrets:
        message = redact(message, secrets)
        url = redact(url, secrets) if url else url
    return cls(
        message or _phrase(status_code) or "error",
        status_code=status_code,
        code=code,
        details=details,
        method=method,
        url=url,
    )
