"""The sandbox's wire format: answers and rpcStatus errors, strict JSON in, protojson out.

The service sits behind grpc-gateway, which reads bodies with Go's protojson:
UTF-8 JSON only (no ``NaN``/``Infinity``, no duplicate keys), int64 as a JSON
number or a decimal string, ``null`` for a field meaning "unset". What it
refuses, the sandbox refuses the same way: a 4xx ``rpcStatus``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from io import BufferedIOBase
from typing import Any

from ..models import INT64_MAX, INT64_MIN, MAX_NESTING, too_deep

API_PREFIX = "/v1"
CUSTOMER_PREFIX = "/v1/customer"
Violation = tuple[str, str]
Headers = Mapping[str, str]

#: HTTP status -> gRPC code, as grpc-gateway maps them (2 = UNKNOWN otherwise).
STATUS_CODES = {
    400: 3,  # INVALID_ARGUMENT
    401: 16,  # UNAUTHENTICATED
    403: 7,  # PERMISSION_DENIED
    404: 5,  # NOT_FOUND
    405: 12,  # UNIMPLEMENTED: grpc-gateway's "Method Not Allowed"
    408: 4,  # DEADLINE_EXCEEDED
    409: 9,  # FAILED_PRECONDITION
    411: 3,
    413: 3,
    429: 8,  # RESOURCE_EXHAUSTED
    500: 13,  # INTERNAL
    501: 12,
    502: 14,  # UNAVAILABLE
    503: 14,
    504: 4,
}

#: A decimal integer as protojson reads one from a string (JSON number grammar).
INT_STRING = re.compile(r"-?(?:0|[1-9][0-9]*)")
#: The largest piece of a body read or written at once.
CHUNK = 64 * 1024
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")
#: JSON nested deeper than ``MAX_NESTING`` is refused (protojson's own limit is higher).
_TOO_DEEP = f"invalid JSON body: nested deeper than {MAX_NESTING} levels"


class Reject(Exception):
    """An error answer: HTTP status, rpcStatus message and details, extra headers."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: Headers | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        return {
            "code": STATUS_CODES.get(self.status, 2),
            "message": self.message,
            "details": self.details,
        }


class BadFraming(Reject):
    """The body cannot be delimited: answer, then close the connection."""


def body_pieces(handler: BaseHTTPRequestHandler, limit: int | None) -> Iterator[bytes]:
    """The request body in pieces of at most ``CHUNK`` bytes, by ``Content-Length`` or
    chunked, never whole; ``BadFraming`` if neither works or it is over ``limit`` bytes."""
    coding = handler.headers.get_all("Transfer-Encoding") or []
    if coding:
        if [c.strip().lower() for c in coding] != ["chunked"]:
            raise BadFraming(501, f"unsupported Transfer-Encoding: {', '.join(coding)}")
        yield from _chunked(handler.rfile, limit)
        return
    lengths = {value.strip() for value in handler.headers.get_all("Content-Length") or []}
    if not lengths:
        return
    text = lengths.pop()
    if lengths or not _DIGITS.fullmatch(text):
        raise BadFraming(400, "invalid Content-Length header")
    if limit is not None and int(text) > limit:
        raise BadFraming(413, f"request body over {limit} bytes")
    yield from _exactly(handler.rfile, int(text), "request body shorter than its Content-Length")


def _chunked(rfile: BufferedIOBase, limit: int | None) -> Iterator[bytes]:
    total = 0
    while True:
        line = rfile.readline(1024)
        size_text = line.split(b";", 1)[0].strip()
        if not line.endswith(b"\n") or not _HEX.fullmatch(size_text):
            raise BadFraming(400, "malformed chunked body")
        size = int(size_text, 16)
        if size == 0:
            break
        total += size
        if limit is not None and total > limit:
            raise BadFraming(413, f"request body over {limit} bytes")
        yield from _exactly(rfile, size, "malformed chunked body")
        if rfile.readline(3) not in (b"\r\n", b"\n"):
            raise BadFraming(400, "malformed chunked body")
    for _ in range(100):  # trailer fields, up to the blank line
        if rfile.readline(8192) in (b"\r\n", b"\n", b""):
            return
    raise BadFraming(400, "too many trailer fields")


def _exactly(rfile: BufferedIOBase, size: int, short: str) -> Iterator[bytes]:
    """``size`` bytes in pieces; ``BadFraming(400, short)`` if the client stops before."""
    while size:
        piece = rfile.read(min(CHUNK, size))
        if not piece:
            raise BadFraming(400, short)
        size -= len(piece)
        yield piece


def rpc_status(status: int, message: str) -> bytes:
    """An ``rpcStatus`` JSON body for an HTTP status."""
    return json.dumps(Reject(status, message).body()).encode()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: Headers) -> None:
    """Answer with ``status``, ``headers`` and ``body`` (not sent to a ``HEAD``)."""
    send_head(handler, status, {**headers, "Content-Length": str(len(body))})
    if handler.command != "HEAD":
        handler.wfile.write(body)


def send_head(handler: BaseHTTPRequestHandler, status: int, headers: Headers) -> None:
    """The status line and headers (``Connection: close`` when the handler will close)."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if handler.close_connection:
        handler.send_header("Connection", "close")
    handler.end_headers()


def xml_error(code: str, message: str) -> bytes:
    """A storage host's XML error body."""
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    ).encode()


def send_xml(handler: BaseHTTPRequestHandler, status: int, code: str, message: str) -> None:
    """A storage host's error answer (XML, no rpcStatus)."""
    xml = {"Content-Type": "application/xml; charset=UTF-8"}
    send(handler, status, xml_error(code, message), xml)


def bad_request(violations: list[Violation], subject: str = "job request") -> Reject:
    """A 400 whose details carry a ``google.rpc.BadRequest`` with every field violation;
    its message says what was invalid (``subject``: a job request, a logs request...)."""
    summary = "; ".join(f"{f}: {d}" for f, d in violations)
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": f, "description": d} for f, d in violations],
        }
    ]
    return Reject(400, f"invalid {subject}: {summary}", details)


def rfc3339(ts: float) -> str:
    """protojson Timestamp: UTC, ``Z``, nanosecond precision."""
    whole = int(ts)
    nanos = round((ts - whole) * 1e9) % 1_000_000_000
    stamp = datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key[:80]!r}")
            seen.add(key)
    return out


def parse_json(body: bytes) -> Any:
    """Parse a request body as protojson would read it; refuse anything else with a 400."""
    try:
        text = body.decode("utf-8")
        value = json.loads(
            text, parse_constant=_no_constant, parse_float=_finite, object_pairs_hook=_unique
        )
    except RecursionError:
        raise Reject(400, _TOO_DEEP) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, a hook's refusal
        raise Reject(400, f"invalid JSON body: {exc}") from None
    if too_deep(value) is not None:
        raise Reject(400, _TOO_DEEP)
    return value


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object (an empty body reads as ``{}``, as grpc-gateway does)."""
    data = parse_json(body) if body.strip() else {}
    if not isinstance(data, dict):
        raise Reject(400, "the request body must be a JSON object")
    return data


def int64(value: Any) -> int | None:
    """An int64 as protojson reads it (a number or a decimal string), or ``None`` if invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not value.is_integer():  # protojson takes 3600.0 (and 3.6e3) as 3600
            return None
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and len(value) <= 20 and INT_STRING.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if INT64_MIN <= number <= INT64_MAX else None
