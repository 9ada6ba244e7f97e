"""What goes over the wire, checked without I/O: create-job payloads
validated, request bodies encoded as JSON (naming the field that cannot be
sent), wait arguments checked, and the JSON of answers read.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from ..errors import ApiError, PayloadError
from ..models import CreateJobRequest, field_path, payload_problems
from ..models.action import ActionAnswer

#: JSON integers longer than this are read as floats (Python refuses to
#: convert over 4,300 digits; no int64 needs more than 20).
_MAX_INT_DIGITS = 4000


def parse_request(request: CreateJobRequest | Mapping[str, Any]) -> CreateJobRequest:
    """Validate a create-job payload (wire dict or model); ``PayloadError`` if bad.

    The one validation entry point shared by the client, the magic and the form.
    """
    if isinstance(request, CreateJobRequest):
        return request
    try:
        return CreateJobRequest.model_validate(request)
    except ValidationError as exc:
        raise PayloadError(payload_problems(exc)) from None
    except RecursionError:
        raise PayloadError([{"field": "", "message": "nested too deeply to check"}]) from None


def json_body(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, or ``PayloadError`` naming the field that
    cannot be sent (a lone surrogate, ``NaN``, a non-JSON value). No I/O."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return text.encode("utf-8")
    except RecursionError:
        problem = ("", "nested too deeply to send as JSON")
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        problem = _unsendable(value) or ("", "cannot be sent as JSON")
    raise PayloadError([{"field": problem[0], "message": problem[1]}]) from None


def _unsendable(value: Any, path: tuple[int | str, ...] = ()) -> tuple[str, str] | None:
    """Where in ``value`` JSON over UTF-8 breaks, as ``(field path, message)``."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            return field_path(path), f"holds a lone surrogate ({value[exc.start]!a}) at {exc.start}"
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return field_path(path), f"{value} is not valid JSON"
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _unsendable(key, path) if isinstance(key, str) else None
            found = found or _unsendable(item, (*path, str(key)))
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _unsendable(item, (*path, index))
            if found:
                return found
    elif value is not None and not isinstance(value, (bool, int, float)):
        return field_path(path), f"{type(value).__name__} is not a JSON value"
    return None


def check_wait(timeout: Any, interval: Any) -> None:
    """``PayloadError`` unless ``interval`` is a finite number of seconds > 0 and
    ``timeout`` is None or a number of seconds >= 0 (``inf``: no limit)."""
    problems = []
    if not _is_seconds(interval) or interval <= 0 or math.isinf(interval):
        problems.append({"field": "interval", "message": f"must be seconds > 0, got {interval!r}"})
    if timeout is not None and (not _is_seconds(timeout) or timeout < 0):
        problems.append({"field": "timeout", "message": f"must be seconds >= 0, got {timeout!r}"})
    if problems:
        raise PayloadError(problems, subject="arguments")


def _is_seconds(value: Any) -> bool:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return ok and not math.isnan(value)


def _envelope(data: Any, what: str) -> dict[str, Any]:
    """Check an action's ``{"ok", "requestId", "message", "error"}`` answer."""
    if not isinstance(data, dict):
        return {}
    if data.get("ok") is False or data.get("error"):
        error = data.get("error") or {}
        message = (error.get("message") if isinstance(error, dict) else None) or data.get("message")
        raise ApiError(f"{what} failed: {message or 'no reason given'}", status_code=200)
    return ActionAnswer(data, what)


def _json_int(text: str) -> int | float:
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)


def _brief(value: Any, limit: int = 40) -> str:
    text = ascii(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
