"""The data source / destination sub-form: a descriptor dropdown and the
params that descriptor takes (URL, bucket fields, or free JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from ..display import esc
from ..models import DESCRIPTORS
from ._fields import BUCKET_FIELDS, LABEL, NONE, OTHER, WIDE, parse_json_object


class SourceEditor:
    """A descriptor dropdown and the params that descriptor takes."""

    def __init__(
        self,
        field: str,
        kinds: tuple[str, ...],
        on_change: Callable[[], None],
        row: Callable[[w.Widget], w.Widget],
    ) -> None:
        self.field = field
        label = "Input" if field == "dataSource" else "Output"
        self.kind = w.Dropdown(options=kinds, value=NONE, description=label, style=LABEL)
        self.url = w.Text(description="URL", placeholder="https://…", style=LABEL, layout=WIDE)
        self.buckets = {
            key: w.Text(description=text, style=LABEL, layout=WIDE) for key, text in BUCKET_FIELDS
        }
        self.other_kind = w.Text(description="Descriptor", style=LABEL, layout=WIDE)
        self.other_params = w.Textarea(
            description="Params",
            placeholder='{"key": "value"}',
            continuous_update=False,
            style=LABEL,
            layout=w.Layout(width="420px", height="60px"),
        )
        self.note = w.HTML()
        self.extra: dict[str, Any] = {}  # params kept from a payload, not shown
        self.box = w.VBox(layout=w.Layout(margin="0 0 0 24px"))
        self._rows = {id(widget): row(widget) for widget in self.all_widgets().values()}
        self.kind.observe(lambda change: self._relayout(), names="value")
        for widget in (self.url, self.other_kind, self.other_params, *self.buckets.values()):
            widget.observe(lambda change: on_change(), names="value")
        self.kind.observe(lambda change: on_change(), names="value")
        self._relayout()

    def all_widgets(self) -> dict[str, w.Widget]:
        """Every sub-field widget by its wire path (``dataSource.params.url``)."""
        sub = {
            "params.url": self.url,
            "dataSourceDescriptor": self.other_kind,
            "params": self.other_params,
            **{f"params.{key}": widget for key, widget in self.buckets.items()},
        }
        return {f"{self.field}.{path}": widget for path, widget in sub.items()}

    def widgets(self) -> dict[str, w.Widget]:
        """Wire sub-paths (under the field) of the widgets shown now."""
        kind = self.kind.value
        if kind == "url":
            return {"params.url": self.url}
        if kind in ("aws", "gcp", "storj"):
            return {f"params.{key}": widget for key, widget in self.buckets.items()}
        if kind == OTHER:
            return {"dataSourceDescriptor": self.other_kind, "params": self.other_params}
        return {}

    def _relayout(self) -> None:
        known = DESCRIPTORS.get(self.kind.value)
        self.note.value = f"<small>{esc(known.summary.capitalize())}.</small>" if known else ""
        shown = [self._rows[id(widget)] for widget in self.widgets().values()]
        self.box.children = [*shown, self.note]

    def value(self) -> tuple[dict[str, Any] | None, dict[str, str]]:
        """The wire data source (or None) and form-level problems."""
        kind = self.kind.value
        if kind == NONE:
            return None, {}
        problems: dict[str, str] = {}
        params: dict[str, Any] = dict(self.extra)
        if kind == OTHER:
            descriptor = self.other_kind.value.strip()
            parsed, problem = parse_json_object(self.other_params.value)
            if problem:
                problems[f"{self.field}.params"] = problem
            source: dict[str, Any] = {"dataSourceDescriptor": descriptor}
            if parsed is not None:  # not an object: the models say so, like for params
                source["params"] = parsed
            return source, problems
        if kind == "url":
            params["url"] = self.url.value.strip()
        elif kind in ("aws", "gcp", "storj"):
            for key, widget in self.buckets.items():
                if widget.value.strip():
                    params[key] = widget.value.strip()
        source = {"dataSourceDescriptor": kind}
        if params:
            source["params"] = params
        return source, problems

    def load(self, source: Mapping[str, Any] | None) -> None:
        """Show a wire data source."""
        for widget in (self.url, self.other_kind, self.other_params, *self.buckets.values()):
            widget.value = ""
        self.extra = {}
        if not source:
            self.kind.value = NONE
            return
        kind = str(source.get("dataSourceDescriptor") or "")
        params = dict(source.get("params") or {})
        if kind in self.kind.options and kind not in (NONE, OTHER):
            params.pop("@type", None)
            if kind == "url":
                self.url.value = str(params.pop("url", ""))
            for key, widget in self.buckets.items():
                if kind in ("aws", "gcp", "storj") and key in params:
                    widget.value = str(params.pop(key))
            self.extra = params
            self.kind.value = kind
        else:
            self.other_kind.value = kind
            self.other_params.value = json.dumps(params, indent=2) if params else ""
            self.kind.value = OTHER
