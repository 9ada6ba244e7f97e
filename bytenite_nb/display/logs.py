"""The logs view: a job's log lines grouped by service and task, levels by word and colour,
the counts per level. The most recent lines that fit the caps are kept, a marker says how
many earlier ones are not shown; labels, groups and level counts are bounded, the text
form is inert."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timezone
from typing import Any

from ..models import LOG_SERVICES, JobLogs, LogEntry, LogLevel
from ._html import (
    MAX_CARD_BYTES,
    MAX_LABEL,
    MAX_WORD,
    esc,
    fold,
    mimebundle,
    plural,
    section,
    wrap,
)
from ._text import bounded, inert, inert_lines

#: At most this many lines are shown, and this many bytes of their messages;
#: each message is cut at ``MAX_LINE_CHARS``. The most recent lines are kept.
MAX_LOG_LINES = 200
MAX_LOG_BYTES = 48_000
MAX_LINE_CHARS = 1000
#: Groups (service, task) are all shown as main sections when there are at
#: most this many; past it only those with errors are, the rest more quietly.
OPEN_GROUPS = 4
#: At most this many (service, task) groups get a section, and this many levels a count.
MAX_GROUPS = 24
MAX_LEVEL_CHIPS = 12
#: The HTML of the sections stops growing past this (a marker says what is left out).
_SECTIONS_BYTES = MAX_CARD_BYTES - 16 * 1024


#: A group of log lines: (service, task).
Group = tuple[str, str | None]


def level_tone(level: LogLevel) -> str:
    """The CSS tone of a level: ``bad``, ``warn``, ``info`` or ``dim`` (from a fixed set)."""
    return "bad" if level.is_error else {"WARN": "warn", "INFO": "info"}.get(level.value, "dim")


def level_word(level: LogLevel) -> str:
    """The level's name, cut to ``MAX_WORD`` characters (a server may send any)."""
    return fold(str(level.value), MAX_WORD) or "UNKNOWN"


def _level(level: LogLevel) -> str:
    return f'<span class="bn-lvl bn-lv-{level_tone(level)}">{esc(level_word(level))}</span>'


def fold_logs(entries: Sequence[LogEntry]) -> tuple[list[LogEntry], int]:
    """The most recent entries that fit the caps (in time order), and how many are left out."""
    kept: list[LogEntry] = []
    used = 0
    for entry in reversed(entries):
        size = len(entry.message[:MAX_LINE_CHARS].encode("utf-8", "replace")) + 40
        if len(kept) >= MAX_LOG_LINES or (kept and used + size > MAX_LOG_BYTES):
            break
        kept.append(entry)
        used += size
    kept.reverse()
    return kept, len(entries) - len(kept)


def _groups(entries: Iterable[LogEntry]) -> dict[Group, list[LogEntry]]:
    """Entries by (service, task): services in a job's order, tasks by first line."""
    groups: dict[Group, list[LogEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.service, entry.task), []).append(entry)
    order = {name: index for index, name in enumerate(LOG_SERVICES)}
    # sorted() is stable: within a service, tasks stay in the order of their first line
    keys = sorted(groups, key=lambda k: (order.get(k[0], len(order)), k[0]))
    return {k: groups[k] for k in keys}


def _group_title(key: Group) -> str:
    service, task = key
    service = fold(service or "unknown service", MAX_LABEL)
    return f"{service} · task {fold(task, MAX_LABEL)}" if task is not None else service


def _chosen_groups(whole: dict[Group, list[LogEntry]], kept: Sequence[LogEntry]) -> list[Group]:
    """The groups that get a section: all when at most ``MAX_GROUPS``, else those
    with the most recent lines shown (at most ``MAX_GROUPS``), in the usual order."""
    if len(whole) <= MAX_GROUPS:
        return list(whole)
    last = {(entry.service, entry.task): position for position, entry in enumerate(kept)}
    recent = set(sorted(last, key=last.__getitem__)[-MAX_GROUPS:])
    return [key for key in whole if key in recent]


def _level_counts(logs: JobLogs) -> tuple[list[tuple[str, int]], int]:
    """The first ``MAX_LEVEL_CHIPS`` (level, count) pairs and how many levels are left out."""
    counts = list(logs.counts().items())
    return counts[:MAX_LEVEL_CHIPS], max(0, len(counts) - MAX_LEVEL_CHIPS)


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
    return fold(", ".join(values), MAX_LABEL * 2) if values else "all"


def _summary_line(logs: JobLogs) -> str:
    counts, more = _level_counts(logs)
    shown = ", ".join(f"{level_word(LogLevel(level))} {n:,}" for level, n in counts)
    if more:
        shown += f", … {more:,} more levels"
    total = len(logs.entries)
    return (
        f"{plural(total, 'line')}{f' ({shown})' if shown else ''}; "
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


def logs_html(logs: JobLogs) -> str:
    """The logs view card."""
    kept, hidden = fold_logs(logs.entries)
    whole = _groups(logs.entries)
    shown = _groups(kept)
    with_date = _spans_days(kept)
    ident = esc(fold(logs.job_id, MAX_LABEL)) if logs.job_id else ""
    who = f' <span class="bn-sub bn-mono">{ident}</span>' if ident else ""
    counts, more_levels = _level_counts(logs)
    chips = " ".join(f"{_level(LogLevel(level))} {n:,}" for level, n in counts)
    chips = chips or '<span class="bn-sub">no lines</span>'
    if more_levels:
        chips += f' <span class="bn-more">… {more_levels:,} more levels</span>'
    body = [
        f'<div class="bn-head"><span class="bn-title">Logs</span>{who}</div>',
        f'<div class="bn-lvls">{chips}</div>',
        f'<div class="bn-sub">levels shown: {esc(_asked(logs.levels))} · services: '
        f"{esc(_asked(logs.services))}"
        + (f" · tasks: {esc(fold(', '.join(logs.task_ids), 200))}" if logs.task_ids else "")
        + "</div>",
    ]
    if hidden:
        body.append(
            f'<div class="bn-more">… {plural(hidden, "earlier line")} not shown: the most recent '
            f"{len(kept):,} are (all are in .entries; "
            "ask for fewer with levels=…)</div>"
        )
    if not logs.entries:
        body.append('<div class="bn-sub">No log lines.</div>')
    sections: list[str] = []
    for key in _chosen_groups(whole, kept):
        every, lines = whole[key], shown.get(key, [])
        errors = sum(1 for e in every if e.level.is_error)
        earlier = len(every) - len(lines)
        count = plural(len(every), "line")
        count += f", last {len(lines):,} shown" if earlier else ""
        count += f", {plural(errors, 'error')}" if errors else ""
        marker = (
            f'<span class="bn-ll bn-more">… {plural(earlier, "earlier line")} not shown</span>\n'
            if earlier
            else ""
        )
        title = f"{_group_title(key)} ({count})"
        lines_html = "".join(_line_html(e, with_date) for e in lines)
        # A <pre>, a span and a newline per line: one line each, styled or not.
        log = f'<pre class="bn-log">{marker}{lines_html}</pre>'
        part = section(title, log, open=bool(errors) or len(whole) <= OPEN_GROUPS)
        if sum(map(len, sections)) + len(part) > _SECTIONS_BYTES:
            break
        sections.append(part)
    body += sections
    left = len(whole) - len(sections)
    if left:
        body.append(
            f'<div class="bn-more">… {plural(left, "more group")} (services and tasks) not '
            "shown: ask for some with task_ids=… or services=…</div>"
        )
    tone = "bad" if logs.errors else ("warn" if "WARN" in logs.counts() else "")
    return wrap(f"bn-logs bn-{tone}" if tone else "bn-logs", "".join(body))


def logs_text(logs: JobLogs) -> str:
    """The logs as text, grouped and folded the same way; inert (every control
    character shown, not acted on) and at most 12 kB, the most recent lines kept."""
    kept, hidden = fold_logs(logs.entries)
    with_date = _spans_days(kept)
    who = f" of job {inert(logs.job_id, MAX_LABEL)}" if logs.job_id else ""
    head = [f"ByteNite logs{who}: {inert(_summary_line(logs))}"]
    if hidden:
        head.append(f"… {plural(hidden, 'earlier line')} not shown")
    lines: list[str] = []
    groups = _groups(kept)
    chosen = _chosen_groups(groups, kept)
    for key in chosen:
        lines.append(f"== {inert(_group_title(key))} ==")
        for entry in groups[key]:
            container = f" [{inert(entry.container, 80)}]" if entry.container else ""
            message = "\n    ".join(inert_lines(_message(entry)))
            lines.append(
                f"{_when(entry, with_date)} {inert(level_word(entry.level)):<5}{container} "
                f"{message}"
            )
    if len(groups) > len(chosen):
        lines.append(f"… {len(groups) - len(chosen):,} more groups (services and tasks) not shown")
    text = bounded("\n".join(head), 2000)
    return f"{text}\n{bounded(chr(10).join(lines), 10_000, tail=True)}" if lines else text


def logs_mimebundle(logs: JobLogs, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The logs view as a mimebundle (see :func:`mimebundle`)."""
    return mimebundle(logs_text(logs), logs_html(logs), logs.to_wire, include)
