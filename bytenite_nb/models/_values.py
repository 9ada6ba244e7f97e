"""Value types shared by requests and responses: int64, seconds, durations, JSON checks."""

import math
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from ..errors import cut

# --------------------------------------------------------------------------
# Nesting: one fixed bound, whatever the Python's recursion limits
# --------------------------------------------------------------------------

#: Mappings and lists may nest at most this deep (the value itself is level 1):
#: protobuf's default recursion limit (the sandbox refuses deeper bodies too).
MAX_NESTING = 100


def too_deep(value: Any, limit: int = MAX_NESTING) -> tuple[int | str, ...] | None:
    """The path to the first mapping or list nested deeper than ``limit`` levels
    in ``value``, or None. Iterative: never a ``RecursionError``."""
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, Mapping):
            children: Any = item.items()
        elif isinstance(item, list | tuple):
            children = enumerate(item)
        else:
            continue
        if len(path) >= limit:
            return path
        stack.extend((child, (*path, key)) for key, child in children)
    return None


# --------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_INT_STRING = re.compile(r"[+-]?\d+")


def _int64(value: Any) -> int:
    """protojson int64: a JSON number or a decimal string; never a bool or fraction."""
    if isinstance(value, bool):
        raise PydanticCustomError("int64", "must be a whole number, not true/false")
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and _INT_STRING.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int):
        raise PydanticCustomError(
            "int64", "must be a whole number, got {value}", {"value": cut(repr(value), 40)}
        )
    if not INT64_MIN <= value <= INT64_MAX:
        raise PydanticCustomError("int64", "is out of the int64 range")
    return value


def _seconds(value: Any) -> int:
    number = _int64(value)
    if number < 0:
        raise PydanticCustomError(
            "int64", "must be 0 or more seconds, got {value}", {"value": number}
        )
    return number


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_seconds(text: str | int) -> int:
    """``"90s"``, ``"15m"``, ``"2h"``, ``"1h30m"``, ``"1d"`` or ``"3600"`` → seconds.

    Raises ``ValueError`` with a message that shows the accepted forms.
    """
    value = str(text).strip().lower().replace(" ", "")
    if value.isdigit():
        return int(value)
    if re.fullmatch(r"-\d+(\.\d*)?[smhd]?", value):
        raise ValueError(f"must be 0 or more seconds, got {text!r}")
    if re.fullmatch(r"\d*\.\d+", value):
        raise ValueError(f"must be whole seconds, got {text!r} (or use units: 90s, 15m, 2h)")
    match = _DURATION.fullmatch(value)
    if not value or match is None or not any(match.groups()):
        raise ValueError(
            f"{text!r} is not a duration: use seconds (3600) or 90s, 15m, 2h, 1h30m, 1d"
        )
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def format_seconds(seconds: int) -> str:
    """The shortest exact text :func:`parse_seconds` reads back: ``5400`` → ``"1h30m"``."""
    if seconds <= 0:
        return "0"
    parts = []
    rest = seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts)


Int64 = Annotated[int, BeforeValidator(_int64)]
"""An int64 that accepts ``3600`` and ``"3600"`` alike."""
Seconds = Annotated[int, BeforeValidator(_seconds)]
"""A duration in whole seconds, >= 0, within int64."""


def sendable_text(value: str) -> bool:
    """False for text UTF-8 cannot encode (a lone surrogate, e.g. ``"\\ud800"``)."""
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


LONE_SURROGATE = "holds a lone surrogate (half of a UTF-16 pair), which cannot be sent"


def _json_problem(value: Any, path: str = "") -> str | None:
    """Where ``value`` stops being plain JSON, as a message; None when it is JSON."""
    if isinstance(value, str):
        return None if sendable_text(value) else f"{path or 'value'}: {LONE_SURROGATE}"
    if value is None or isinstance(value, (bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path or 'value'}: {value} is not valid JSON"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"key {key!r} must be a string"
            if not sendable_text(key):
                return f"key {key!a} {LONE_SURROGATE}"
            problem = _json_problem(item, f"{path}.{key}" if path else key)
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            problem = _json_problem(item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    where = f"{path}: " if path else ""
    return f"{where}{type(value).__name__} is not a JSON value"


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise not_object(value)
    problem = _json_problem(value)
    if problem:
        raise PydanticCustomError("json_object", "{problem}", {"problem": problem})
    return dict(value)


def not_object(value: Any, message: str = "must be a JSON object") -> PydanticCustomError:
    """The error for ``value`` where a JSON object belongs, saying what it is instead."""
    return PydanticCustomError("json_object", message + ", got {kind}", {"kind": _json_kind(value)})


def _json_kind(value: Any) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__


JsonObject = Annotated[dict[str, Any], BeforeValidator(_json_object)]
"""A free JSON object (the app/partitioner/assembler params)."""


def _nested_object(value: Any) -> Any:
    """Give a clear message when a sub-object of the payload is not a mapping."""
    if value is None or isinstance(value, (Mapping, BaseModel)):
        return value
    raise not_object(value)


# --------------------------------------------------------------------------
# Timestamps (responses)
# --------------------------------------------------------------------------

_LEAP_SECOND = re.compile(r"([Tt ]\d\d:\d\d:)60")


def _timestamp(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime:
    """Parse, then make aware and UTC (protojson always sends ``Z``; a time
    without an offset is taken as UTC). RFC 3339 allows a leap second
    (``23:59:60``), Python's datetime does not: it is read as ``:59``."""
    if isinstance(value, str) and ":60" in value:
        value = _LEAP_SECOND.sub(r"\g<1>59", value, count=1)
    when: datetime = handler(value)
    offset = when.utcoffset()
    if offset is None:
        return when.replace(tzinfo=timezone.utc)
    if not offset:
        return when
    try:
        return when.astimezone(timezone.utc)
    except OverflowError:
        raise PydanticCustomError(
            "timestamp", "is out of the range of dates Python can hold"
        ) from None


Timestamp = Annotated[datetime, WrapValidator(_timestamp)]
"""An RFC 3339 date-time, read as an aware UTC ``datetime``."""
