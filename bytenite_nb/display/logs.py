"""The logs view: a job's log lines grouped by service and task, each level
shown by word and colour, the counts per level, bounded in size.

When there are more lines than fit (``MAX_LOG_LINES`` lines or
``MAX_LOG_BYTES`` bytes of messages), the most recent lines are the ones
kept, and a marker says how many earlier lines are not shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timezone
from typing import Any

from ..models import LOG_SERVICES, JobLogs, LogEntry, LogLevel
from ._html import esc, fold, mimebundle, section, wrap

#: At most this many lines are shown, and this many bytes of their messages;
#: each message is cut at ``MAX_LINE_CHARS``. The most recent lines are kept.
MAX_LOG_LINES = 200
MAX_LOG_BYTES = 48_000
MAX_LINE_CHARS = 1000
#: Groups (service, task) are all shown as main sections when there are at
#: most this many; past it only those with errors are, the rest more quietly.
OPEN_GROUPS = 4

_TONES = {
    "PANIC": "bad",
    "FATAL": "bad",
    "ERROR": "bad",
    "WARN": "warn",
    "INFO": "info",
    "DEBUG": "dim",
    "TRACE": "dim",
    "UNKNOWN": "dim",
}


_NO_LINES = '<span class="bn-sub">no lines</span>'


def level_tone(level: LogLevel) -> str:
    """The CSS tone of a level: ``bad``, ``warn``, ``info`` or ``dim`` (from a fixed set)."""
    return _TONES.get(level.value, "dim") if level.is_known else "dim"


def level_word(level: LogLevel) -> str:
    return str(level.value) or "UNKNOWN"


def _level(level: LogLevel) -> str:
    return f'<span class="bn-lvl bn-lv-{level_tone(level)}">{esc(level_word(level))}</span>'


def fold_logs(
    entries: Sequence[LogEntry], *, max_lines: int = MAX_LOG_LINES, max_bytes: int = MAX_LOG_BYTES
) -> tuple[list[LogEntry], int]:
    """The most recent entries that fit the caps (in time order), and how many are left out."""
    kept: list[LogEntry] = []
    used = 0
    for entry in reversed(entries):
        size = len(entry.message[:MAX_LINE_CHARS].encode("utf-8", "replace")) + 40
        if len(kept) >= max_lines or (kept and used + size > max_bytes):
            break
        kept.append(entry)
        used += size
    kept.reverse()
    return kept, len(entries) - len(kept)


def _groups(entries: Iterable[LogEntry]) -> dict[tuple[str, str | None], list[LogEntry]]:
    """Entries by (service, task): services in a job's order, tasks by first line."""
    groups: dict[tuple[str, str | None], list[LogEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.service, entry.task), []).append(entry)
    order = {name: index for index, name in enumerate(LOG_SERVICES)}
    keys = list(groups)  # first appearance = first line in time
    keys.sort(key=lambda k: (order.get(k[0], len(order)), k[0]))
    return {k: groups[k] for k in keys}


def _group_title(key: tuple[str, str | None]) -> str:
    service, task = key
    return f"{service or 'unknown service'} · task {task}" if task is not None else service


def _when(entry: LogEntry, with_date: bool) -> str:
    if entry.timestamp is None:
        return "—"
    utc = entry.timestamp.astimezone(timezone.utc)
    shape = "%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S"
    return f"{utc.strftime(shape)}.{utc.microsecond // 1000:03d}"


def _spans_days(entries: Sequence[LogEntry]) -> bool:
    days = {e.timestamp.astimezone(timezone.utc).date() for e in entries if e.timestamp}
    return len(days) > 1


def _message(entry: LogEntry) -> str:
    return fold(entry.message, MAX_LINE_CHARS)


def _asked(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "all"


def _summary_line(logs: JobLogs) -> str:
    counts = logs.counts()
    shown = ", ".join(f"{level} {n:,}" for level, n in counts.items())
    total = len(logs.entries)
    return (
        f"{total:,} line{'s' if total != 1 else ''}{f' ({shown})' if shown else ''}; "
        f"levels: {_asked(logs.levels)}; services: {_asked(logs.services)}"
    )


def _line_html(entry: LogEntry, with_date: bool) -> str:
    title = esc(entry.timestamp.isoformat()) if entry.timestamp else "no time given"
    container = (
        f' <span class="bn-ctr">[{esc(fold(entry.container, 80))}]</span>'
        if entry.container
        else ""
    )
    return (
        f'<span class="bn-ll bn-lv-{level_tone(entry.level)}">'
        f'<span class="bn-ts" title="{title}">{esc(_when(entry, with_date))}</span> '
        f"{_level(entry.level)}{container} "
        f'<span class="bn-msg">{esc(_message(entry))}</span></span>\n'
    )


def logs_html(
    logs: JobLogs, *, max_lines: int = MAX_LOG_LINES, max_bytes: int = MAX_LOG_BYTES
) -> str:
    """The logs view card."""
    kept, hidden = fold_logs(logs.entries, max_lines=max_lines, max_bytes=max_bytes)
    whole = _groups(logs.entries)
    shown = _groups(kept)
    with_date = _spans_days(kept)
    who = f' <span class="bn-sub bn-mono">{esc(logs.job_id)}</span>' if logs.job_id else ""
    chips = " ".join(f"{_level(LogLevel(level))} {n:,}" for level, n in logs.counts().items())
    body = [
        f'<div class="bn-head"><span class="bn-title">Logs</span>{who}</div>',
        f'<div class="bn-lvls">{chips or _NO_LINES}</div>',
        f'<div class="bn-sub">levels shown: {esc(_asked(logs.levels))} · services: '
        f"{esc(_asked(logs.services))}"
        + (f" · tasks: {esc(fold(', '.join(logs.task_ids), 200))}" if logs.task_ids else "")
        + "</div>",
    ]
    if hidden:
        body.append(
            f'<div class="bn-more">… {hidden:,} earlier line{"s" if hidden != 1 else ""} not '
            f"shown: the most recent {len(kept):,} are (all are in .entries; "
            "ask for fewer with levels=…)</div>"
        )
    if not logs.entries:
        body.append('<div class="bn-sub">No log lines.</div>')
    many = len(whole) > OPEN_GROUPS
    for key, every in whole.items():
        lines = shown.get(key, [])
        errors = sum(1 for e in every if e.level.is_error)
        count = f"{len(every):,} line{'s' if len(every) != 1 else ''}"
        if len(lines) < len(every):
            count += f", last {len(lines):,} shown"
        if errors:
            count += f", {errors:,} error{'s' if errors != 1 else ''}"
        earlier = len(every) - len(lines)
        marker = (
            f'<span class="bn-ll bn-more">… {earlier:,} earlier '
            f"line{'s' if earlier != 1 else ''} not shown</span>\n"
            if earlier
            else ""
        )
        title = f"{_group_title(key)} ({count})"
        lines_html = "".join(_line_html(e, with_date) for e in lines)
        # A <pre>, a span and a newline per line: one line each, styled or not.
        log = f'<pre class="bn-log">{marker}{lines_html}</pre>'
        body.append(section(title, log, open=bool(errors) or not many))
    tone = "bad" if logs.errors else ("warn" if "WARN" in logs.counts() else "")
    return wrap(f"bn-logs bn-{tone}" if tone else "bn-logs", "".join(body), "")


def logs_text(
    logs: JobLogs, *, max_lines: int = MAX_LOG_LINES, max_bytes: int = MAX_LOG_BYTES
) -> str:
    """The logs as text, grouped the same way and folded the same way."""
    kept, hidden = fold_logs(logs.entries, max_lines=max_lines, max_bytes=max_bytes)
    with_date = _spans_days(kept)
    who = f" of job {logs.job_id}" if logs.job_id else ""
    lines = [f"ByteNite logs{who}: {_summary_line(logs)}"]
    if hidden:
        lines.append(f"… {hidden:,} earlier line{'s' if hidden != 1 else ''} not shown")
    for key, group in _groups(kept).items():
        lines.append(f"== {_group_title(key)} ==")
        for entry in group:
            container = f" [{fold(entry.container, 80)}]" if entry.container else ""
            message = _message(entry).replace("\n", "\n    ")
            lines.append(
                f"{_when(entry, with_date)} {level_word(entry.level):<5}{container} {message}"
            )
    return "\n".join(lines)


def logs_mimebundle(logs: JobLogs, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The logs view as a mimebundle (see :func:`mimebundle`)."""
    return mimebundle(logs_text(logs), logs_html(logs), logs.to_wire, include)
