"""Shared HTML helpers of every card: the stylesheet, escaping, folding, times,
tables, sections, highlighted JSON, the outer wrapper and the mimebundle."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import date, datetime, timezone
from enum import Enum
from functools import cache
from importlib import resources
from itertools import islice
from typing import Any

# -- The caps of every card, in one place ----------------------------------------------
# Past each, a visible marker says how much is left out. Whatever the input, a
# card's HTML stays under MAX_CARD_BYTES and its text under MAX_TEXT_BYTES
# (tests/test_bounds.py holds every card to them with generated hostile input).

#: Characters shown of one JSON string value, or of a description.
MAX_STRING = 400
#: Keys or items shown per JSON mapping or list.
MAX_ITEMS = 40
#: Levels of JSON shown; deeper mappings and lists show as ``{…}``/``[…]``.
MAX_DEPTH = 6
#: Characters shown of an error message.
MAX_MESSAGE = 2000
#: Characters shown of a name, id, template id, state, key, field path or URL.
MAX_LABEL = 120
#: Characters of a badge's word (a state the spec does not list).
MAX_WORD = 60
#: Characters shown of one problem's message in a table of problems.
MAX_CELL = 200
#: Rows shown of a list of problems (payload errors, field violations).
MAX_ROWS = 20
#: Characters of JSON values one card shows in all (see :class:`Budget`).
MAX_JSON = 4000
#: What each JSON value costs of that budget on top of its characters (its markup).
NODE_COST = 16
#: Characters of a card's text/plain form.
MAX_TEXT = 3000
#: Bytes, at most, of a card's text/plain form (UTF-8) and of its HTML.
MAX_TEXT_BYTES = 4 * MAX_TEXT
MAX_CARD_BYTES = 128 * 1024

#: Classes the host page's CSS hides (JupyterLab, Notebook 7, nbconvert's ``lab`` and
#: ``classic`` templates): they hide what a sanitizer leaves as text (an empty
#: ``<style>``, an escaped ``<img>`` or ``<input>``); our CSS shows those again.
HIDDEN_BY_HOST = "lm-Widget lm-mod-hidden hidden"


@cache
def css() -> str:
    """``static/bytenite.css`` minified, read once. It sits in ``<style><!-- ... -->``
    (see :func:`wrap`), so it must not end that comment or element early."""
    text = minify_css(
        resources.files("bytenite_nb").joinpath("static/bytenite.css").read_text("utf-8")
    )
    for bad in ("-->", "--!>", "<!--", "</style"):
        if bad in text.lower():
            raise ValueError(f"bytenite.css must not contain {bad!r}")
    return text


def minify_css(text: str) -> str:
    """``text`` without comments and without whitespace CSS does not need (spaces stay
    where they can mean something: ``a :hover``, ``1px solid``). It would mangle CSS
    strings; ours has none."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ?([{};,>]) ?", r"\1", text)
    text = text.replace(": ", ":").replace(";}", "}")
    text = re.sub(r"(?<=[:, (])0\.(\d)", r".\1", text)  # 0.95em -> .95em
    text = re.sub(r"#([0-9a-f])\1([0-9a-f])\2([0-9a-f])\3\b", r"#\1\2\3", text)  # #fff
    return text.strip()


def esc(value: object) -> str:
    """HTML-escape anything (quotes too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def fold(text: str, limit: int = MAX_STRING) -> str:
    """``text`` cut to ``limit`` characters with a marker saying how many are left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters]"


def duration(seconds: float | None) -> str:
    """The one duration format: one decimal under 10 s (``"4.0s"``, ``"0.3s"``), whole
    units above (``"42s"``, ``"1m 30s"``, ``"1h"``, ``"2d 3h"``)."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if abs(seconds) < 9.95:
        return f"{seconds:.1f}s"
    rest = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    if rest or not parts:
        parts.append(f"{rest}s")
    return " ".join(parts[:2])


def plural(count: int, noun: str) -> str:
    """``"1 line"``, ``"1,234 lines"``: a count and its noun, plural by an ``s``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def size_text(size: int) -> str:
    """``1234567`` → ``"1.2 MB"`` (decimal units, as file managers show)."""
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} TB"


def relative(when: datetime, now: datetime) -> str:
    """The one relative-time format, in whole units: ``"just now"`` (under 10 s),
    ``"42s ago"``, ``"3 min ago"``, ``"2h ago"``, ``"3d ago"``, or ``"in 3 min"``."""
    delta = (now - when).total_seconds()
    if abs(delta) < 10:
        return "just now"
    rest = abs(delta)
    for unit, size in (("d", 86400), ("h", 3600), (" min", 60), ("s", 1)):
        if rest >= size:
            span = f"{round(rest / size)}{unit}"
            break
    return f"{span} ago" if delta > 0 else f"in {span}"


def timestamp(when: datetime, now: datetime) -> str:
    """Absolute UTC time with a relative one: ``2026-11-28 19:49:15 UTC (3 min ago)``."""
    utc = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{utc} ({relative(when, now)})"


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def kv_table(rows: Iterable[tuple[str, str]], *, more: int = 0) -> str:
    """Rows of (label, ready HTML), labels cut and escaped here; ``""`` when there are none;
    ``more`` > 0 adds a row saying how many were left out. Divs, not a ``<table>``: bleach
    (``nbconvert --sanitize-html``) escapes ``<th>`` and the ``<tbody>`` parsers add.
    Unstyled, each row reads ``label: value``."""
    body = "".join(
        f'<div class="bn-row"><span class="bn-th">{esc(fold(k, MAX_LABEL))}'
        f'<span class="bn-sep">:</span></span> <span class="bn-td">{v}</span></div>'
        for k, v in rows
    )
    if more > 0:
        body += (
            '<div class="bn-row"><span class="bn-th">…<span class="bn-sep">:</span></span> '
            f'<span class="bn-td bn-more">{more:,} more</span></div>'
        )
    return f'<div class="bn-kv">{body}</div>' if body else ""


def problems_table(problems: Sequence[tuple[str, str]], count: int | None = None) -> str:
    """A table of the first :data:`MAX_ROWS` (field, message) problems, each message cut
    to :data:`MAX_CELL`, and how many more there are (of ``count``, when ``problems``
    holds only the first)."""
    rows = (
        (field, f'<span class="bn-error-msg">{esc(fold(message, MAX_CELL))}</span>')
        for field, message in problems[:MAX_ROWS]
    )
    return kv_table(rows, more=(len(problems) if count is None else count) - MAX_ROWS)


def problems_lines(problems: Sequence[tuple[str, str]], count: int | None = None) -> list[str]:
    """The text form of :func:`problems_table`: ``  field: message`` lines."""
    lines = [
        f"  {fold(key, MAX_LABEL)}: {fold(text, MAX_CELL)}" for key, text in problems[:MAX_ROWS]
    ]
    more = (len(problems) if count is None else count) - MAX_ROWS
    return lines + ([f"  … {more:,} more"] if more > 0 else [])


def field_problems(problems: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The first :data:`MAX_ROWS` ``{"field", "message"}`` problems as (field, message)
    pairs (the tables count the rest: pass them ``len(problems)``)."""
    return [
        (str(p.get("field") or "(payload)"), str(p.get("message", ""))) for p in problems[:MAX_ROWS]
    ]


Cell = str | tuple[str, str]
"""A grid cell: ready HTML, or (CSS class, ready HTML)."""


def grid(
    css_class: str,
    header: Iterable[str],
    rows: Iterable[Iterable[Cell]],
    *,
    sep: str = " · ",
    more: str = "",
    columns: str | list[str] = "auto",
) -> str:
    """A grid of divs (not a ``<table>``, see :func:`kv_table`): a header row of escaped
    words, rows of ready cells (unstyled: one line each, cells apart by ``sep``), ``more``
    (ready HTML) across the end. ``columns``: one CSS track size for all, or one each."""
    heads = list(header)
    gap = f"<i>{esc(sep)}</i>"  # short: a batch has thousands; the CSS hides it
    lines = [f'<div class="bn-gh">{gap.join(f"<b>{esc(h)}</b>" for h in heads)}</div>']
    for row in rows:
        cells = (
            f'<span class="{c[0]}">{c[1]}</span>' if isinstance(c, tuple) else f"<span>{c}</span>"
            for c in row
        )
        lines.append(f"<div>{gap.join(cells)}</div>")
    if more:
        lines.append(f'<div class="bn-gall bn-more">{more}</div>')
    tracks = f"repeat({len(heads)},{columns})" if isinstance(columns, str) else " ".join(columns)
    style = f"grid-template-columns:{tracks}"
    return f'<div class="bn-grid {css_class}" style="{style}">{"".join(lines)}</div>'


def section(title: str, body: str, *, open: bool = False) -> str:
    """A titled section (``""`` for an empty body); ``open=False`` shows it more quietly.
    A ``<div>``, not ``<details>``: sanitizers escape ``<details>`` into text."""
    if not body:
        return ""
    tone = "" if open else " bn-minor"
    return (
        f'<div class="bn-section{tone}"><div class="bn-section-title"><b>{esc(title)}</b></div>'
        f"{body}</div>"
    )


def folded(title: str, body: str, summary: str = "") -> str:
    """A section folded where our CSS runs (a click on the title opens it), open where
    styles are stripped; ``""`` for an empty body; ``summary`` (ready HTML) follows the
    title. The toggle is a checkbox in a :data:`HIDDEN_BY_HOST` holder (an escaped
    ``<input>`` stays hidden); our CSS lays the box, invisible, over the title."""
    if not body:
        return ""
    toggle = (
        f'<span class="bn-tog {HIDDEN_BY_HOST}"><input type="checkbox" '
        f'aria-label="{esc(title)}"></span>'
    )
    line = f' <span class="bn-sub">{summary}</span>' if summary else ""
    return (
        f'<div class="bn-section bn-fold"><div class="bn-section-title">{toggle}'
        f"<b>{esc(title)}</b>{line}</div>{body}</div>"
    )


class Budget:
    """How many characters of JSON one card may still show (shared by its JSON blocks): a
    string or key spends its length plus :data:`NODE_COST`, any other value ``NODE_COST``;
    once spent, the rest of each mapping and list folds into "… N more"."""

    def __init__(self, chars: int = MAX_JSON) -> None:
        self.left = chars

    def spend(self, chars: int) -> None:
        self.left -= chars + NODE_COST


class _Note(str):
    """A fold marker in clipped JSON (``"… 12 more keys"``): shown as a note, not data."""


class _Cut(str):
    """A string cut to its first characters; as text it ends with a marker."""

    kept: str
    more: int

    def __new__(cls, kept: str, more: int) -> _Cut:
        cut = super().__new__(cls, f"{kept}… [{more:,} more characters]")
        cut.kept, cut.more = kept, more
        return cut


def _cut(text: str, limit: int) -> str:
    return _Cut(text[:limit], len(text) - limit) if len(text) > limit else text


def _fields(model: Any) -> dict[str, Any]:
    """A pydantic model's set, non-None fields by wire name (and its extras), unserialized."""
    found = {
        (field.alias or name): getattr(model, name)
        for name, field in type(model).model_fields.items()
        if name in model.model_fields_set and getattr(model, name) is not None
    }
    return {**found, **(getattr(model, "model_extra", None) or {})}


def clip(value: Any, budget: Budget | None = None, depth: int = 0) -> Any:
    """A small copy of ``value`` within the caps (:data:`MAX_STRING`, :data:`MAX_LABEL` for
    keys, :data:`MAX_ITEMS`, :data:`MAX_DEPTH`, ``budget``), with markers (strings, so
    ``json.dumps`` writes it) where it was folded; never copies a big container. Pydantic
    models are walked as their wire fields."""
    budget = budget if budget is not None else Budget()
    if isinstance(value, str):
        budget.spend(min(len(value), MAX_STRING))
        return _cut(str(value), MAX_STRING)
    if value is None or isinstance(value, (bool, float)):
        budget.spend(0)
        return value
    if isinstance(value, int):
        budget.spend(0)
        bits = value.bit_length()
        return value if bits <= 1300 else _Note(f"<an integer of {bits:,} bits>")
    if isinstance(value, Enum):
        return clip(value.value, budget, depth)
    if isinstance(value, (datetime, date)):
        return clip(value.isoformat(), budget, depth)
    if isinstance(value, (bytes, bytearray)):
        return _Note(f"<{len(value):,} bytes>")
    if hasattr(type(value), "model_fields") and hasattr(value, "model_fields_set"):
        value = _fields(value)
    if isinstance(value, Mapping):
        return _clip_items(value, budget, depth, mapping=True)
    if isinstance(value, (list, tuple)):
        return _clip_items(value, budget, depth, mapping=False)
    try:
        text = str(value)
    except Exception:
        return _Note(f"<{type(value).__name__}>")
    return clip(text, budget, depth)


def _clip_items(
    value: Any, budget: Budget, depth: int, *, mapping: bool
) -> dict[str, Any] | list[Any] | _Note:
    if not value:
        return {} if mapping else []
    if depth >= MAX_DEPTH:
        return _Note("{…}" if mapping else "[…]")
    budget.spend(0)
    pairs: list[tuple[Any, Any]] = []
    for key, item in islice(value.items() if mapping else enumerate(value), MAX_ITEMS):
        if budget.left <= 0:
            break
        if mapping:
            key = _cut(key if isinstance(key, str) else str(key), MAX_LABEL)
            budget.spend(min(len(key), MAX_LABEL))
        pairs.append((key, clip(item, budget, depth + 1)))
    more = len(value) - len(pairs)
    note = _Note(f"… {more:,} more {'keys' if mapping else 'items'}")
    if mapping:
        return {**dict(pairs), note: _Note("")} if more else dict(pairs)
    return [item for _, item in pairs] + ([note] if more else [])


def json_html(value: Any, budget: Budget | None = None) -> str:
    """JSON, syntax-highlighted with spans, folded to the caps (see :func:`clip`)."""
    return _render(clip(value, budget), 0)


def _string_html(text: str, css_class: str) -> str:
    kept, more = str(text), ""
    if isinstance(text, _Cut):
        kept, more = text.kept, f'<span class="bn-more">… {text.more:,} more characters</span>'
    return f'<span class="{css_class}">{esc(json.dumps(kept, ensure_ascii=False))}</span>{more}'


def _render(value: Any, indent: int) -> str:
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(value, _Note):
        return f'<span class="bn-more">{esc(value)}</span>'
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = [
            f'{pad}<span class="bn-more">{esc(k)}</span>'
            if isinstance(k, _Note)
            else f"{pad}{_string_html(k, 'bn-k')}: {_render(v, indent + 1)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(lines) + f"\n{end}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = [f"{pad}{_render(v, indent + 1)}" for v in value]
        return "[\n" + ",\n".join(lines) + f"\n{end}]"
    if isinstance(value, str):
        return _string_html(value, "bn-s")
    if isinstance(value, bool) or value is None:
        return f'<span class="bn-l">{json.dumps(value)}</span>'
    return f'<span class="bn-n">{esc(json.dumps(value))}</span>'


def json_block(value: Any, budget: Budget | None = None) -> str:
    """A ``<pre>`` of highlighted JSON (see :func:`json_html`)."""
    return f'<pre class="bn-json">{json_html(value, budget)}</pre>'


def json_text(value: Any, limit: int = 600, *, indent: int | None = None) -> str:
    """JSON for text output (one line unless ``indent``), clipped, then cut to ``limit``."""
    return fold(json.dumps(clip(value, Budget(limit)), ensure_ascii=False, indent=indent), limit)


@cache
def style_block() -> str:
    """The stylesheet's markup in every card (see ``wrap``); a page needs it once."""
    return f'<div class="bn-css {HIDDEN_BY_HOST}" hidden><style><!--\n{css()}\n--></style></div>'


def wrap(card_class: str, body: str) -> str:
    """The outer markup: the stylesheet and the card. The stylesheet sits in a comment
    inside ``<style>``: browsers apply it (CSS ignores ``<!--``); bleach drops the comment
    and escapes the empty ``<style>``, which the holder's classes hide; GitHub and
    untrusted JupyterLab drop ``<style>``."""
    # Adjacent spans (title, badge, ids) need a space between them when unstyled.
    body = body.replace("</span><span", "</span> <span")
    return (
        f'<div class="bn-root">{style_block()}<div class="bn-card {card_class}">{body}</div></div>'
    )


def mimebundle(
    text: str, markup: str, wire: Any = None, include: Iterable[str] | None = None
) -> dict[str, Any]:
    """text/plain and text/html; application/json (``wire``, or what the function ``wire``
    builds) only when asked for (JupyterLab ranks its JSON tree above HTML), and left out
    when ``wire`` is None or cannot be built (nested past what pydantic serializes)."""
    bundle: dict[str, Any] = {"text/plain": text, "text/html": markup}
    if wire is not None and include is not None and "application/json" in include:
        with suppress(ValueError, RecursionError):
            bundle["application/json"] = wire() if callable(wire) else wire
    return bundle
