"""The form's editors and the parsing of their text: constants, JSON editors,
durations, wire names, and the guard that shows a callback's exception."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import ipywidgets as w

from ..models import CreateJobRequest, format_seconds, parse_seconds

F = TypeVar("F", bound=Callable[..., Any])

NONE = "(none)"
OTHER = "other…"
INPUT_KINDS = (NONE, "url", "file", "bypass", "aws", "gcp", "storj", OTHER)
OUTPUT_KINDS = (NONE, "bucket", "bypass", "aws", "gcp", "storj", OTHER)
BUCKET_FIELDS = (
    ("bucketName", "Bucket"),
    ("cloudRegion", "Region"),
    ("name", "Path"),
    ("secret_id", "Secret id"),
)
PARAM_PARTS = ("app", "partitioner", "assembler")
#: Templates used in this kernel, newest first (suggested in every new form).
RECENT_TEMPLATES: list[str] = []
LABEL = {"description_width": "110px"}
WIDE = w.Layout(width="420px")


def guarded(method: F) -> F:
    """Catch anything a widget callback raises and show it in the form."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # an exception in a callback is invisible otherwise
            self._show_error(exc)
            return None

    return wrapper  # type: ignore[return-value]


def json_editor(part: str) -> w.Textarea:
    return w.Textarea(
        description=part.capitalize(),
        placeholder='{"key": "value"}',
        continuous_update=False,  # validated on blur: a 1 MB paste must not lag
        layout=w.Layout(width="420px", height="70px"),
        style=LABEL,
    )


def parse_json_object(text: str) -> tuple[Any, str | None]:
    """Editor text → (value, problem). Empty text is no value."""
    if not text.strip():
        return None, None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return text, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
    return value, None


def wire_names(values: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level snake_case names (``template_id``) to their wire names."""
    aliases = {name: field.alias or name for name, field in CreateJobRequest.model_fields.items()}
    return {aliases.get(k, k): v for k, v in values.items()}


def seconds_text(value: Any) -> str:
    if value is None:
        return ""
    try:
        return format_seconds(parse_seconds(value))
    except ValueError:
        return str(value)
