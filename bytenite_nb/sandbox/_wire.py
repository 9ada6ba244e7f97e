"""The sandbox's wire format: rpcStatus errors, strict JSON in, protojson values out.

The service sits behind grpc-gateway, which reads bodies with Go's protojson:
UTF-8 JSON only (no ``NaN``/``Infinity``, no duplicate keys), int64 as a JSON
number or a decimal string, ``null`` for a field meaning "unset". What it
refuses, the sandbox refuses the same way: a 4xx ``rpcStatus``.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from typing import Any

Violation = tuple[str, str]

# gRPC status codes used in rpcStatus bodies.
INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION = 3, 5, 7, 9
RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, UNAUTHENTICATED = 8, 12, 13, 14, 16
#: HTTP status -> gRPC code, as grpc-gateway maps them (2 = UNKNOWN otherwise).
STATUS_CODES = {
    400: INVALID_ARGUMENT,
    401: UNAUTHENTICATED,
    403: PERMISSION_DENIED,
    404: NOT_FOUND,
    405: UNIMPLEMENTED,  # grpc-gateway: "Method Not Allowed" with code 12
    408: 4,  # DEADLINE_EXCEEDED
    409: FAILED_PRECONDITION,
    411: INVALID_ARGUMENT,
    413: INVALID_ARGUMENT,
    429: RESOURCE_EXHAUSTED,
    500: INTERNAL,
    501: UNIMPLEMENTED,
    502: UNAVAILABLE,
    503: UNAVAILABLE,
    504: 4,
}

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: A decimal integer as protojson reads one from a string (JSON number grammar).
INT_STRING = re.compile(r"-?(?:0|[1-9][0-9]*)")
#: Deeper JSON is refused (protojson's own limit is higher; Python's stack is not).
MAX_DEPTH = 100


def rpc_status(status: int, message: str, details: list[dict[str, Any]] | None = None) -> bytes:
    """An ``rpcStatus`` JSON body for an HTTP status."""
    body = {"code": STATUS_CODES.get(status, 2), "message": message, "details": details or []}
    return json.dumps(body).encode()


class Reject(Exception):
    """An error answer: HTTP status, rpcStatus message and details."""

    def __init__(
        self, status: int, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {
            "code": STATUS_CODES.get(self.status, 2),
            "message": self.message,
            "details": self.details,
        }


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


class _Malformed(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Malformed(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Malformed(f"number {text[:40]} is out of range")
    return value


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Malformed(f"duplicate key {key[:80]!r}")
            seen.add(key)
    return out


def _depth_ok(value: Any) -> bool:
    """Whether ``value`` nests at most ``MAX_DEPTH`` containers deep (no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def parse_json(body: bytes) -> Any:
    """Parse a request body as protojson would read it; refuse anything else with a 400."""
    try:
        text = body.decode("utf-8")
        value = json.loads(
            text,
            parse_constant=_no_constant,
            parse_float=_finite,
            object_pairs_hook=_unique,
        )
    except RecursionError:
        raise Reject(400, f"invalid JSON body: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, _Malformed, int digits
        raise Reject(400, f"invalid JSON body: {exc}") from None
    if not _depth_ok(value):
        raise Reject(400, f"invalid JSON body: nested deeper than {MAX_DEPTH} levels")
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
