"""The batch card: a summary (counts per state, a progress bar of plain HTML/CSS)
and a table with one row per item, capped; and the one-line terminal progress.

The batch hands over a :class:`BatchView` (plain data), so this module knows
nothing of batches or clients.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models import JobState
from ._html import MAX_STRING, Cell, duration, esc, fold, grid, json_text, mimebundle, wrap
from ._states import badge

#: At most this many rows in the HTML table and in the text version.
MAX_ROWS = 200
MAX_TEXT_ROWS = 50
MAX_ERROR = 300

#: Every status an item can have, in display order, with its tone and label.
STATUSES: tuple[tuple[str, str, str], ...] = (
    ("complete", "ok", "complete"),
    ("failed", "bad", "failed"),
    ("running", "run", "running"),
    ("new", "", "created, not started"),
    ("sending", "", "sending"),
    ("pending", "", "not sent"),
    ("unknown", "warn", "unknown (resume checks)"),
    ("deleted", "warn", "deleted"),
    ("error", "bad", "create failed"),
    ("invalid", "bad", "invalid"),
)
_TONES = {name: tone for name, tone, _ in STATUSES}
_LABELS = {name: label for name, _, label in STATUSES}


@dataclass(frozen=True)
class BatchRow:
    """One item as the table shows it."""

    index: int
    values: Mapping[str, Any]
    job_id: str | None
    state: JobState | None
    status: str
    seconds: float | None
    error: str


@dataclass(frozen=True)
class BatchView:
    """What a batch card shows; ``rows`` holds at most the first ``MAX_ROWS`` items."""

    title: str
    total: int
    counts: Mapping[str, int]
    columns: list[str] = field(default_factory=list)
    rows: list[BatchRow] = field(default_factory=list)
    note: str = ""


def progress_line(view: BatchView) -> str:
    """``"120/200 created · 80 running · 30 complete · 2 failed"`` (one line)."""
    counts = view.counts
    created = sum(counts.get(s, 0) for s in ("complete", "failed", "running", "new", "deleted"))
    parts = [f"{created}/{view.total} created"]
    parts += [
        f"{counts[name]} {name}"
        for name, _, _ in STATUSES
        if name not in ("new", "pending") and counts.get(name)
    ]
    return " · ".join(parts)


def _tone(view: BatchView) -> str:
    counts = view.counts
    if any(counts.get(s) for s in ("failed", "error", "invalid")):
        return "bad"
    if counts.get("complete", 0) == view.total and view.total:
        return "ok"
    if any(counts.get(s) for s in ("unknown", "deleted")):
        return "warn"
    return "run"


def _bar(view: BatchView) -> str:
    total = max(view.total, 1)
    segments = []
    for name, tone, label in STATUSES:
        count = view.counts.get(name, 0)
        if not count or name == "pending":
            continue
        width = 100 * count / total
        css_class = f"bn-seg bn-{tone}" if tone else "bn-seg"
        segments.append(
            f'<span class="{css_class}" style="width:{width:.3f}%" '
            f'title="{count} {esc(label)}"></span>'
        )
    label = esc(progress_line(view))
    return f'<div class="bn-bar" role="img" aria-label="{label}">{"".join(segments)}</div>'


def _counts(view: BatchView) -> str:
    chips = []
    for name, tone, label in STATUSES:
        count = view.counts.get(name, 0)
        if count:
            css_class = f"bn-count bn-{tone}" if tone else "bn-count"
            chips.append(f'<span class="{css_class}">{count:,} {esc(label)}</span>')
    return f'<div class="bn-counts">{"".join(chips)}</div>'


def _summary(view: BatchView) -> str:
    head = (
        f'<div class="bn-head"><span class="bn-title">{esc(fold(view.title, 200))}</span>'
        f'<span class="bn-sub">{view.total:,} job{"s" if view.total != 1 else ""}</span></div>'
    )
    note = f'<div class="bn-sub">{esc(fold(view.note, MAX_STRING))}</div>' if view.note else ""
    return head + _bar(view) + _counts(view) + note


def _status_badge(row: BatchRow) -> str:
    if row.state is not None and row.status not in ("deleted",):
        if row.status == "running" and row.state == JobState.NEW:
            return '<span class="bn-badge bn-run">Started</span>'
        return badge(row.state)
    tone = _TONES.get(row.status, "")
    css_class = f"bn-badge bn-{tone}" if tone else "bn-badge"
    return f'<span class="{css_class}">{esc(_LABELS.get(row.status, row.status))}</span>'


def _cell(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= 60 else json_text(value, 60)


def _table(view: BatchView) -> str:
    heads = ["#", *view.columns, "job id", "state", "duration", "error"]
    rows: list[list[Cell]] = []
    for row in view.rows[:MAX_ROWS]:
        values: list[Cell] = [
            ("bn-mono", esc(_cell(row.values[c]))) if c in row.values else ("bn-muted", "—")
            for c in view.columns
        ]
        ident = f"<code>{esc(fold(row.job_id, 80))}</code>" if row.job_id else "—"
        error = f'<span class="bn-error-msg">{esc(fold(row.error, MAX_ERROR))}</span>'
        took = esc(duration(row.seconds)) if row.seconds is not None else "—"
        rows.append(
            [str(row.index), *values, ident, _status_badge(row), took, error if row.error else ""]
        )
    hidden = view.total - min(len(view.rows), MAX_ROWS)
    more = (
        f"… {hidden:,} more items (batch.items, or batch.to_pandas(), has them all)"
        if hidden > 0
        else ""
    )
    table = grid("bn-table", [fold(h, 60) for h in heads], rows, more=esc(more))
    return f'<div class="bn-batch-rows">{table}</div>'


def batch_text(view: BatchView, *, rows: bool = True) -> str:
    """The plain-text card: the summary, then at most ``MAX_TEXT_ROWS`` rows."""
    lines = [f"{fold(view.title, 200)}: {view.total} jobs", f"  {progress_line(view)}"]
    if view.note:
        lines.append(f"  {fold(view.note, MAX_STRING)}")
    if not rows:
        return "\n".join(lines)
    for row in view.rows[:MAX_TEXT_ROWS]:
        values = ", ".join(f"{k}={_cell(v)}" for k, v in row.values.items())
        status = row.state.short_name if row.state is not None else row.status
        took = f" {duration(row.seconds)}" if row.seconds is not None else ""
        error = f"  error: {fold(row.error, 120)}" if row.error else ""
        lines.append(
            f"  [{row.index}] {row.job_id or '-'} {status}{took}"
            + (f"  {fold(values, 160)}" if values else "")
            + error
        )
    hidden = view.total - min(len(view.rows), MAX_TEXT_ROWS)
    if hidden > 0:
        lines.append(f"  … {hidden:,} more items")
    return "\n".join(lines)


def batch_html(view: BatchView) -> str:
    """The batch card: summary, progress bar, and the table of items."""
    return wrap(f"bn-batch bn-{_tone(view)}", _summary(view) + _table(view), batch_text(view))


def batch_mimebundle(view: BatchView, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The batch card as a mimebundle (text/plain and text/html)."""
    return mimebundle(batch_text(view), batch_html(view), None, None)


def progress_html(view: BatchView) -> str:
    """The live progress: the summary and bar only (cheap to send 4 times a second)."""
    return wrap(f"bn-batch bn-{_tone(view)}", _summary(view), batch_text(view, rows=False))


def progress_mimebundle(view: BatchView) -> dict[str, Any]:
    return {"text/plain": batch_text(view, rows=False), "text/html": progress_html(view)}
