"""The data source / destination sub-form: a descriptor dropdown and the
params that descriptor takes (URL, bucket fields, a local file, or free JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as w

from ..client import check_upload_path
from ..display import esc
from ..errors import LocalPathError
from ..models import DESCRIPTORS
from ._fields import (
    BUCKET_FIELDS,
    BUCKET_KINDS,
    NONE,
    OTHER,
    Kit,
    json_editor,
    parse_json_object,
)

#: The label of each sub-field (a path under the data source).
_LABELS = {
    "params.url": "URL",
    "dataSourceDescriptor": "Descriptor",
    "localFile": "Local file",
    **{f"params.{key}": text for key, text in BUCKET_FIELDS},
}
#: The sub-fields each descriptor shows (``file`` is an input kind only).
_SHOWN = {
    "url": ("params.url",),
    "file": ("localFile",),
    OTHER: ("dataSourceDescriptor", "params"),
    **{kind: tuple(f"params.{key}" for key, _ in BUCKET_FIELDS) for kind in BUCKET_KINDS},
}


class SourceEditor:
    """A descriptor dropdown and the params that descriptor takes."""

    def __init__(
        self,
        field: str,
        kinds: tuple[str, ...],
        on_change: Callable[[], None],
        row: Callable[[w.Widget], w.Widget],
        kit: Kit,
    ) -> None:
        self.field = field
        self.label = "Input" if field == "dataSource" else "Output"
        self._kit = kit
        self._row = row
        self._on_change = on_change
        self.kind = w.Dropdown(
            options=kinds, value=NONE, description=self.label, style=kit.choice, layout=kit.plain
        )
        # Sub-fields are made when first needed: most forms never show most of
        # them, and each costs three widget models in the saved notebook.
        self._made: dict[str, w.Widget] = {}
        self._rows: dict[str, w.Widget] = {}
        self.note = kit.html_widget()
        self.extra: dict[str, Any] = {}  # params kept from a payload, not shown
        self.box = w.VBox(layout=kit.indent)
        self.kind.observe(lambda change: self._relayout(), names="value")
        self.kind.observe(lambda change: on_change(), names="value")
        self._relayout()

    def _sub(self, key: str) -> w.Widget:
        """The sub-field widget ``key`` (a path under the field), made on first use."""
        if key not in self._made:
            kit = self._kit
            widget: w.Widget
            if key == "params":
                widget = json_editor(kit, "Params")
            else:
                hint = "https://…" if key == "params.url" else ""
                widget = w.Text(
                    description=_LABELS[key], placeholder=hint, style=kit.text, layout=kit.wide
                )
            widget.observe(lambda change: self._on_change(), names="value")
            self._made[key] = widget
            self._rows[key] = self._row(widget)
        return self._made[key]

    @property
    def url(self) -> w.Text:
        return self._sub("params.url")

    @property
    def buckets(self) -> dict[str, w.Text]:
        return {key: self._sub(f"params.{key}") for key, _ in BUCKET_FIELDS}

    @property
    def other_kind(self) -> w.Text:
        return self._sub("dataSourceDescriptor")

    @property
    def other_params(self) -> w.Textarea:
        return self._sub("params")

    @property
    def path(self) -> w.Text:
        """The local file to upload after the job is created (``file`` inputs only)."""
        return self._sub("localFile")

    def widgets(self) -> dict[str, w.Widget]:
        """Full paths (``dataSource.params.url``) of the sub-field widgets shown now."""
        keys = _SHOWN.get(self.kind.value, ())
        return {f"{self.field}.{key}": self._sub(key) for key in keys}

    def _relayout(self) -> None:
        known = DESCRIPTORS.get(self.kind.value)
        self.note.value = f"<small>{esc(known.summary.capitalize())}.</small>" if known else ""
        shown = [self._rows[path.split(".", 1)[1]] for path in self.widgets()]
        self.box.children = [*shown, self.note]

    def local_file(self) -> str | None:
        """The local file to upload after creating the job, when the input is ``file``."""
        widget = self._made.get("localFile")
        if self.kind.value != "file" or widget is None:
            return None
        return str(widget.value).strip() or None

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
        elif kind == "file":  # the local file is no wire field: only the form checks it
            where = f"{self.field}.localFile"
            path = self.local_file()
            if not path:
                problems[where] = "required: the local file to upload"
            else:
                try:
                    check_upload_path(path)  # the client's own check, before anything is sent
                except LocalPathError as exc:
                    problems[where] = exc.problem
        elif kind in BUCKET_KINDS:
            for key, widget in self.buckets.items():
                if widget.value.strip():
                    params[key] = widget.value.strip()
        source = {"dataSourceDescriptor": kind}
        if params:
            source["params"] = params
        return source, problems

    def load(self, source: Mapping[str, Any] | None) -> None:
        """Show a wire data source (the local file path is kept: it is not on the wire)."""
        for key, widget in self._made.items():
            if key != "localFile":
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
            if kind in BUCKET_KINDS:
                for key, widget in self.buckets.items():
                    widget.value = str(params.pop(key, ""))
            self.extra = params
            self.kind.value = kind
        else:
            self.other_kind.value = kind
            self.other_params.value = json.dumps(params, indent=2) if params else ""
            self.kind.value = OTHER
