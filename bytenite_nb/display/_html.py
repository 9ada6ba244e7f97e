"""Shared HTML helpers of every card: the stylesheet, escaping, folding, times,
tables, sections, highlighted JSON, the outer wrapper and the mimebundle."""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from functools import cache
from importlib import resources
from typing import Any

#: Folding limits: past these, a visible marker says how much is left out.
MAX_STRING = 400
MAX_ITEMS = 40
MAX_DEPTH = 6
MAX_MESSAGE = 2000

#: Params that grant access and are never shown (a signed upload URL).
HIDDEN_PARAMS = frozenset({"tempUrl"})


@cache
def css() -> str:
    """The card stylesheet, minified (read and minified once; UTF-8).

    ``static/bytenite.css`` stays readable, with comments; every card embeds
    this shorter form. It sits in ``<style><!-- ... --></style>`` (see
    ``wrap``), so it must not end that comment or that element early.
    """
    text = minify_css(
        resources.files("bytenite_nb").joinpath("static/bytenite.css").read_text("utf-8")
    )
    for bad in ("-->", "--!>", "<!--", "</style"):
        if bad in text.lower():
            raise ValueError(f"bytenite.css must not contain {bad!r}")
    return text


def minify_css(text: str) -> str:
    """``text`` without comments, and without whitespace where CSS needs none.

    Spaces stay where they can mean something (``a :hover``, ``1px solid``);
    a ``:`` loses only the space after it. No strings in our CSS hold these
    characters, which this does not check.
    """
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r" ?([{};,>]) ?", r"\1", text)
    text = text.replace(": ", ":").replace(";}", "}")
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
    """``3600`` → ``"1h"``, ``90`` → ``"1m 30s"``, ``0.25`` → ``"0.25s"``."""
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 10 and seconds != int(seconds):
        return f"{seconds:.2f}s"
    rest = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    if rest or not parts:
        parts.append(f"{rest}s")
    return " ".join(parts[:2])


def relative(when: datetime, now: datetime) -> str:
    """``"3 min ago"`` / ``"in 2h"`` between two aware datetimes."""
    delta = (now - when).total_seconds()
    if abs(delta) < 5:
        return "just now"
    span = duration(abs(delta)).split(" ")[0].replace("m", " min")
    return f"{span} ago" if delta > 0 else f"in {span}"


def timestamp(when: datetime | None, now: datetime) -> str:
    """Absolute UTC time with a relative one: ``2026-11-28 19:49:15 UTC (3 min ago)``."""
    if when is None:
        return "—"
    utc = when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{utc} ({relative(when, now)})"


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(timezone.utc)


def kv_table(rows: Iterable[tuple[str, str]]) -> str:
    """Rows of (escaped label, ready HTML value); empty when there are none.

    Divs and spans laid out as a grid by the CSS, not a ``<table>``: bleach
    (``nbconvert --sanitize-html``) escapes ``<th>`` and the ``<tbody>`` that
    HTML parsers add to every table. Unstyled, each row reads ``label: value``.
    """
    body = "".join(
        f'<div class="bn-row"><span class="bn-th">{esc(k)}<span class="bn-sep">:</span></span> '
        f'<span class="bn-td">{v}</span></div>'
        for k, v in rows
    )
    return f'<div class="bn-kv">{body}</div>' if body else ""


Cell = str | tuple[str, str]
"""A grid cell: ready HTML, or (CSS class, ready HTML)."""


def grid(
    css_class: str,
    header: Iterable[str],
    rows: Iterable[Iterable[Cell]],
    *,
    sep: str = " · ",
    more: str = "",
) -> str:
    """A table of divs: a header row (escaped words), then rows of ready cells.

    Not a ``<table>`` (see :func:`kv_table`): the CSS lays the cells out as a
    grid of ``len(header)`` columns; unstyled, each row is a line whose cells
    are apart by ``sep``. ``more`` (ready HTML) is a last line across the grid.
    """
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
    style = f"grid-template-columns:repeat({len(heads)},auto)"
    return f'<div class="bn-grid {css_class}" style="{style}">{"".join(lines)}</div>'


def section(title: str, body: str, *, open: bool = False) -> str:
    """A titled section; empty body → nothing.

    A ``<div>`` and a ``<b>``, not ``<details>``: sanitizers escape
    ``<details>``/``<summary>`` into literal text. ``open=False`` marks a
    secondary section (shown more quietly); long bodies fold and scroll.
    """
    if not body:
        return ""
    tone = "" if open else " bn-minor"
    return (
        f'<div class="bn-section{tone}"><div class="bn-section-title"><b>{esc(title)}</b></div>'
        f"{body}</div>"
    )


def json_html(value: Any, *, indent: int = 0, depth: int = 0) -> str:
    """JSON, syntax-highlighted with spans, long strings and big containers folded."""
    pad = "  " * (indent + 1)
    end = "  " * indent
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        if depth >= MAX_DEPTH:
            return '<span class="bn-more">{…}</span>'
        items = list(value.items())
        lines = [
            f'{pad}<span class="bn-k">{esc(json.dumps(str(k), ensure_ascii=False))}</span>: '
            f"{json_html(v, indent=indent + 1, depth=depth + 1)}"
            for k, v in items[:MAX_ITEMS]
        ]
        if len(items) > MAX_ITEMS:
            lines.append(
                f'{pad}<span class="bn-more">… {len(items) - MAX_ITEMS:,} more keys</span>'
            )
        return "{\n" + ",\n".join(lines) + f"\n{end}}}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if depth >= MAX_DEPTH:
            return '<span class="bn-more">[…]</span>'
        lines = [
            f"{pad}{json_html(v, indent=indent + 1, depth=depth + 1)}" for v in value[:MAX_ITEMS]
        ]
        if len(value) > MAX_ITEMS:
            lines.append(
                f'{pad}<span class="bn-more">… {len(value) - MAX_ITEMS:,} more items</span>'
            )
        return "[\n" + ",\n".join(lines) + f"\n{end}]"
    if isinstance(value, str):
        shown = json.dumps(value[:MAX_STRING], ensure_ascii=False)
        more = (
            f'<span class="bn-more">… {len(value) - MAX_STRING:,} more characters</span>'
            if len(value) > MAX_STRING
            else ""
        )
        return f'<span class="bn-s">{esc(shown)}</span>{more}'
    if isinstance(value, bool) or value is None:
        return f'<span class="bn-l">{json.dumps(value)}</span>'
    if isinstance(value, (int, float)):
        return f'<span class="bn-n">{esc(json.dumps(value))}</span>'
    return f'<span class="bn-s">{esc(json.dumps(str(value), ensure_ascii=False))}</span>'


def json_block(value: Any) -> str:
    return f'<pre class="bn-json">{json_html(value)}</pre>'


def json_text(value: Any, limit: int = 600) -> str:
    """Compact one-line JSON for text output, folded."""
    return fold(json.dumps(value, ensure_ascii=False, default=str), limit)


#: Classes that the host page's own CSS hides: JupyterLab/Lumino pages
#: (nbconvert's ``lab`` template, Lab, Notebook 7) and nbconvert's ``classic``
#: template. They hide what a sanitizer leaves as text (an empty
#: ``<style></style>``, an escaped ``<img>``); our CSS shows the image again.
HIDDEN_BY_HOST = "lm-Widget lm-mod-hidden hidden"
_HIDDEN = f"bn-css {HIDDEN_BY_HOST}"


@cache
def style_block() -> str:
    """The stylesheet's markup in every card (see ``wrap``); a page needs it once."""
    return f'<div class="{_HIDDEN}" hidden><style><!--\n{css()}\n--></style></div>'


def wrap(card_class: str, body: str, text: str) -> str:
    """The outer markup: the stylesheet and the card, readable with or without CSS.

    The card uses only tags that sanitizers keep (div, span, pre, code, b, a;
    no table, details, p or br) and reads the same unstyled, so no second, text copy is
    needed (``text`` is the ``text/plain`` view, shown where HTML is not).
    The stylesheet sits in an HTML comment inside ``<style>``: browsers apply
    it (CSS ignores ``<!--``/``-->``); bleach (``nbconvert --sanitize-html``)
    drops the comment and escapes the empty ``<style>``, which the holder's
    classes hide; GitHub and JupyterLab's untrusted view drop ``<style>``.
    """
    del text  # the text/plain view of the bundle carries it
    card_class = " ".join(card_class.split())
    # Adjacent spans (title, badge, ids) need a space between them when unstyled.
    body = body.replace("</span><span", "</span> <span")
    return (
        f'<div class="bn-root">{style_block()}<div class="bn-card {card_class}">{body}</div></div>'
    )


def mimebundle(
    text: str, markup: str, wire: Any, include: Iterable[str] | None = None
) -> dict[str, Any]:
    """text/plain and text/html; application/json (the wire form) only when asked for.

    JupyterLab ranks its JSON tree viewer above HTML, so offering
    application/json unasked would hide the card behind a JSON tree.
    """
    bundle: dict[str, Any] = {"text/plain": text, "text/html": markup}
    if include is not None and "application/json" in include:
        bundle["application/json"] = wire
    return bundle
