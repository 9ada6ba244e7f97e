"""The batch card: a summary (counts per state, a bar, what failed grouped by error), then
a table, failures first, cut with "… N more"; and the live frames a batch call shows while
it goes on. It reads a :class:`BatchView` (plain data), no batch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..models import JobState
from ._html import MAX_STRING, Cell, duration, esc, fold, grid, json_text, mimebundle, plural, wrap
from ._states import badge

#: Rows a view holds (failures first); the HTML table shows MAX_HTML_ROWS of them.
MAX_ROWS = 200
MAX_HTML_ROWS = 12
MAX_TEXT_ROWS = 50
MAX_ERROR = 300
#: Kinds of error listed in the summary (each with its count and items).
MAX_ERROR_KINDS = 5
#: Statuses that count as a failure (listed first, and in the summary).
BAD_STATUSES = frozenset({"failed", "error", "invalid"})

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
_TONE_AND_LABEL = {name: (tone, label) for name, tone, label in STATUSES}


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
    #: Each error message (one line) with the indexes of the items that have it.
    errors: Mapping[str, Sequence[int]] = field(default_factory=dict)


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
    if any(counts.get(s) for s in BAD_STATUSES):
        return "bad"
    if counts.get("complete", 0) == view.total and view.total:
        return "ok"
    if any(counts.get(s) for s in ("unknown", "deleted")):
        return "warn"
    return "run"


def _bar_and_counts(view: BatchView) -> str:
    """The bar (a segment per status, "not sent" aside) and the count of each status."""
    segments, chips = [], []
    for name, tone, label in STATUSES:
        count = view.counts.get(name, 0)
        if not count:
            continue
        toned = f" bn-{tone}" if tone else ""
        chips.append(f'<span class="bn-count{toned}">{count:,} {esc(label)}</span>')
        if name != "pending":
            width = 100 * count / max(view.total, 1)
            segments.append(
                f'<span class="bn-seg{toned}" style="width:{width:.3f}%" '
                f'title="{count} {esc(label)}"></span>'
            )
    label = esc(progress_line(view))
    bar = f'<div class="bn-bar" role="img" aria-label="{label}">{"".join(segments)}</div>'
    return f'{bar}<div class="bn-counts">{"".join(chips)}</div>'


def _summary(view: BatchView) -> str:
    head = (
        f'<div class="bn-head"><span class="bn-title">{esc(fold(view.title, 200))}</span>'
        f'<span class="bn-sub">{plural(view.total, "job")}</span></div>'
    )
    note = f'<div class="bn-note">{esc(fold(view.note, MAX_STRING))}</div>' if view.note else ""
    return head + _bar_and_counts(view) + _errors(view) + note


def _items(indexes: Sequence[int]) -> str:
    shown = ", ".join(f"#{i}" for i in indexes[:8])
    return f"item{'s' if len(indexes) > 1 else ''} {shown}{', …' if len(indexes) > 8 else ''}"


def _error_groups(view: BatchView) -> list[tuple[str, Sequence[int]]]:
    """The errors, most frequent first."""
    return sorted(view.errors.items(), key=lambda kv: (-len(kv[1]), kv[1][0]))


def _errors(view: BatchView) -> str:
    """What failed and why, once per distinct error: ``3× <message> (items #2, #5, #9)``."""
    groups = _error_groups(view)
    if not groups:
        return ""
    lines = [
        f'<div class="bn-err-group"><b>{len(idx):,}×</b> '
        f'<span class="bn-error-msg">{esc(fold(message, MAX_ERROR))}</span> '
        f'<span class="bn-sub">({esc(_items(idx))})</span></div>'
        for message, idx in groups[:MAX_ERROR_KINDS]
    ]
    if len(groups) > MAX_ERROR_KINDS:
        lines.append(
            f'<div class="bn-more">… {len(groups) - MAX_ERROR_KINDS:,} more kinds of error</div>'
        )
    failed = sum(len(idx) for _, idx in groups)
    title = f"{failed:,} failed"
    return (
        f'<div class="bn-section bn-errors"><div class="bn-section-title"><b>{title}</b></div>'
        f"{''.join(lines)}</div>"
    )


def _status_badge(row: BatchRow) -> str:
    if row.state is not None and row.status != "deleted":
        if row.status == "running" and row.state == JobState.NEW:
            return '<span class="bn-badge bn-run">Started</span>'
        return badge(row.state)
    tone, label = _TONE_AND_LABEL.get(row.status, ("", row.status))
    css_class = f"bn-badge bn-{tone}" if tone else "bn-badge"
    return f'<span class="{css_class}">{esc(label)}</span>'


def _cell(value: Any) -> str:
    return value if isinstance(value, str) and len(value) <= 60 else json_text(value, 60)


def _varying(view: BatchView) -> tuple[list[str], dict[str, Any]]:
    """The grid columns that differ between rows, and those the same in every row."""
    rows = view.rows
    varying, same = [], {}
    missing = object()
    for column in view.columns:
        values = [row.values.get(column, missing) for row in rows]
        first = values[0] if values else missing
        if len(rows) > 1 and first is not missing and all(v == first for v in values):
            same[column] = first
        else:
            varying.append(column)
    return varying, same


def _table(view: BatchView) -> str:
    columns, same = _varying(view)
    rows_shown = view.rows[:MAX_HTML_ROWS]
    with_time = any(row.seconds is not None for row in rows_shown)
    # errors are listed once, grouped, above; a column only when not all of them fit there
    with_error = len(view.errors) > MAX_ERROR_KINDS and any(row.error for row in rows_shown)
    heads = ["#", *columns, "state", *(["duration"] if with_time else []), "job id"]
    heads += ["error"] if with_error else []
    rows: list[list[Cell]] = []
    for row in rows_shown:
        values: list[Cell] = [
            ("bn-mono", esc(_cell(row.values[c]))) if c in row.values else ("bn-muted", "—")
            for c in columns
        ]
        cells: list[Cell] = [str(row.index), *values, _status_badge(row)]
        if with_time:
            cells.append(esc(duration(row.seconds)) if row.seconds is not None else "—")
        ident = esc(fold(row.job_id, 80)) if row.job_id else "—"
        cells.append(("bn-mono bn-id", ident))
        if with_error:
            cells.append(("bn-error-msg", esc(fold(row.error, MAX_ERROR))) if row.error else "")
        rows.append(cells)
    hidden = view.total - len(rows_shown)
    more = (
        f"… {hidden:,} more items (batch.items, or batch.to_pandas(), has them all)"
        if hidden > 0
        else ""
    )
    # In a narrow cell the job id gives way first and furthest (its start tells jobs
    # apart; batch.ids has them whole), then the values; "#", state and duration never.
    fixed = 2 + len(columns) + with_time  # "#", the values, state, duration
    tracks = ["max-content", *["minmax(0, auto)"] * len(columns)]
    tracks += ["max-content"] * (fixed - len(tracks)) + ["minmax(10ch, 1fr)"]
    tracks += ["minmax(0, auto)"] if with_error else []
    table = grid("bn-table", heads, rows, more=esc(more), columns=tracks)
    shared = ""
    if same:
        pairs = ", ".join(f"{k} = {_cell(v)}" for k, v in same.items())
        shared = f'<div class="bn-sub">Same for every job: {esc(fold(pairs, MAX_STRING))}</div>'
    return f'<div class="bn-batch-rows">{shared}{table}</div>'


def batch_text(view: BatchView, *, rows: bool = True) -> str:
    """The plain-text card: the summary, then at most ``MAX_TEXT_ROWS`` rows."""
    lines = [f"{fold(view.title, 200)}: {view.total} jobs", f"  {progress_line(view)}"]
    for message, idx in _error_groups(view)[:MAX_ERROR_KINDS]:
        lines.append(f"  {len(idx)}× {fold(message, 200)} ({_items(idx)})")
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
    return wrap(f"bn-batch bn-{_tone(view)}", _summary(view) + _table(view))


def batch_mimebundle(view: BatchView, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The batch card as a mimebundle (text/plain and text/html)."""
    return mimebundle(batch_text(view), batch_html(view))


def batch_progress_mimebundle(view: BatchView) -> dict[str, Any]:
    """The live progress: the summary and bar only (cheap to send 4 times a second)."""
    text = batch_text(view, rows=False)
    markup = wrap(f"bn-batch bn-{_tone(view)}", _summary(view))
    return {"text/plain": text, "text/html": markup}


def live_frame(view: BatchView, doing: str, stage: str) -> tuple[dict[str, Any], str]:
    """What a batch call shows (see ``bytenite_nb.progress.Live``): the summary while
    ``doing`` (``running``), then the whole card, which ends the output."""
    if stage == "running":  # what is not done yet is not a problem yet: no note
        view = replace(view, title=f"{view.title}: {doing}", note="")
        return batch_progress_mimebundle(view), f"{view.title}: {progress_line(view)}"
    if stage == "interrupted":
        view = replace(view, title=f"{view.title}: {doing} (interrupted)")
    return batch_mimebundle(view), f"{view.title}: {progress_line(view)}"
