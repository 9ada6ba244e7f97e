"""What goes over the wire, checked without I/O: create-job payloads, JSON
request bodies (naming the field that cannot be sent), wait arguments, answers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import ApiError, PayloadError
from ..models import MAX_NESTING, CreateJobRequest, field_path, payload_problems, too_deep
from ..models.action import ActionAnswer

#: JSON integers longer than this are read as floats (Python refuses to
#: convert over 4,300 digits; no int64 needs more than 20).
_MAX_INT_DIGITS = 4000
#: Integers of more bits than this are refused in a request (JSON numbers that
#: large are not read back as integers anywhere).
_MAX_INT_BITS = 1024
#: Strict JSON, written by the C encoder (``json.dumps`` builds an encoder each call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
#: A digit run at least as long as the shortest integer of more than ``_MAX_INT_BITS`` bits.
_LONG_DIGITS = re.compile(f"[0-9]{{{len(str(2**_MAX_INT_BITS))}}}")
_LONG_DIGITS_BYTES = re.compile(_LONG_DIGITS.pattern.encode())


def parse_request(request: CreateJobRequest | Mapping[str, Any]) -> CreateJobRequest:
    """Validate a create-job payload (wire dict or model); ``PayloadError`` if bad.
    The one validation entry point of the client, the magic and the form."""
    if isinstance(request, CreateJobRequest):
        return request
    text = _json_text(request)
    # Fewer containers than the bound cannot nest past it: the walk is for the rest.
    if text is None or text.count("{") + text.count("[") > MAX_NESTING:
        deep = too_deep(request)
        if deep is not None:
            message = f"nested more than {MAX_NESTING} levels deep"
            raise PayloadError([{"field": f"{field_path(deep[:3])} …", "message": message}])
    try:
        parsed = CreateJobRequest.model_validate(request)
    except ValidationError as exc:
        raise PayloadError(payload_problems(exc)) from None
    except RecursionError:
        raise PayloadError([{"field": "", "message": "nested too deeply to check"}]) from None
    # What the models let through (fields they do not know) is checked as given:
    # pydantic would write bytes as text and a set as a list.
    if not _plain(text):
        try:
            problem = _unsendable(request)
        except RecursionError:
            problem = ("", "nested too deeply to send as JSON")
        if problem:
            raise PayloadError([{"field": problem[0], "message": problem[1]}])
    return parsed


def json_body(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON, or ``PayloadError`` naming the field that
    cannot be sent (a lone surrogate, ``NaN``, a non-JSON value). No I/O."""
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except RecursionError:
        problem = ("", "nested too deeply to send as JSON")
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        problem = _unsendable(value) or ("", "cannot be sent as JSON")
    raise PayloadError([{"field": problem[0], "message": problem[1]}]) from None


def create_body(request: CreateJobRequest) -> bytes:
    """The create's JSON body: the model written by its own serializer, which is
    what ``json_body(request.to_payload())`` writes, at a third of the cost.
    Anything that serializer cannot write, or an integer too long to be sure
    of, goes the ``json_body`` way, whose error names the field. No I/O."""
    try:
        content = request.__pydantic_serializer__.to_json(
            request, by_alias=True, exclude_none=True, exclude_unset=True
        )
    except (ValueError, RecursionError):  # PydanticSerializationError is a ValueError
        content = None
    if content is None or _LONG_DIGITS_BYTES.search(content) is not None:
        try:
            payload = request.to_payload()
        except (ValueError, RecursionError):  # a model built by hand, nested too deep
            message = f"cannot be written as JSON (nested more than {MAX_NESTING} levels?)"
            raise PayloadError([{"field": "", "message": message}]) from None
        return json_body(payload)
    return content


def _json_text(value: Any) -> str | None:
    """``value`` as JSON text written by the C encoder, when it is valid UTF-8;
    None means "walk it" (:func:`_unsendable` names the field), never "bad"."""
    try:
        text = _ENCODER.encode(value)
        text.encode("utf-8")  # a lone surrogate fails here
    except (TypeError, ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
        return None
    return text


def _plain(text: str | None) -> bool:
    """True when ``text`` (from :func:`_json_text`) is certainly sendable: no
    digit run is long enough to be an integer of more than ``_MAX_INT_BITS``
    bits. False means "walk it", never "bad"."""
    return text is not None and _LONG_DIGITS.search(text) is None


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
    if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
        return field_path(path), f"an integer of {value.bit_length():,} bits is too large to send"
    if isinstance(value, (BaseModel, Enum)):
        return None  # validated (and written) by pydantic
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
        kind = type(value).__name__
        return field_path(path), f"{kind} is not a JSON value (JSON cannot carry it)"
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
