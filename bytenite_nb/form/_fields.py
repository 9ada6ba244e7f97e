"""The form's editors and the parsing of their text: constants, JSON editors,
durations, wire names, and the guard that shows a callback's exception."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import ipywidgets as w
from ipywidgets.widgets.widget_bool import CheckboxStyle
from ipywidgets.widgets.widget_description import DescriptionStyle
from ipywidgets.widgets.widget_string import HTMLStyle, TextStyle

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
#: The descriptors whose params are the bucket fields.
BUCKET_KINDS = ("aws", "gcp", "storj")
#: Templates used in this kernel, newest first (suggested in every new form).
RECENT_TEMPLATES: list[str] = []


class Kit:
    """The Layout and Style models one form's widgets share (unshared, the saved widget
    state is three times larger); nothing is shared between forms (``close_all()``)."""

    def __init__(self) -> None:
        width = "110px"
        self.text = TextStyle(description_width=width)  # Text, Textarea, Combobox
        self.choice = DescriptionStyle(description_width=width)  # Dropdown
        self.check = CheckboxStyle(description_width=width)
        self.html = HTMLStyle()
        self.button = w.ButtonStyle()
        self.plain = w.Layout()
        self.fit = w.Layout(width="auto")  # a button as wide as its label (never cut)
        self.wide = w.Layout(width="420px")
        self.area = w.Layout(width="420px", height="70px")
        self.label = w.Layout(margin="0 0 0 8px")
        self.indent = w.Layout(margin="0 0 0 24px")

    def html_widget(self, value: str = "") -> w.HTML:
        return w.HTML(value, style=self.html, layout=self.plain)

    def row(self, *children: w.Widget) -> w.HBox:
        return w.HBox(list(children), layout=self.plain)


def guarded(method: F) -> F:
    """Catch anything a widget callback raises and show it in the form."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:  # an exception in a callback is invisible otherwise
            self.show_error(exc)
            return None

    return wrapper  # type: ignore[return-value]


#: Up to this many characters a JSON editor is checked as you type; past it, when
#: it loses focus (sending a big text at every key would lag).
LIVE_CHECK_CHARS = 64_000


def json_editor(kit: Kit, label: str) -> w.Textarea:
    """A JSON editor, checked as you type (on blur once its text is big)."""
    editor = w.Textarea(
        description=label,
        placeholder='{"key": "value"}',
        continuous_update=True,
        layout=kit.area,
        style=kit.text,
    )

    def size_guard(change: Any) -> None:
        editor.continuous_update = len(change["new"] or "") <= LIVE_CHECK_CHARS

    editor.observe(size_guard, names="value")
    return editor


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
