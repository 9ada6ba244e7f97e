"""The jobs table: one row per job of a ``JobsPage`` (name, id, state, template, created,
duration), folded past a row cap, with aligned text columns as the text version."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from ..errors import cut
from ..models import Job, JobsPage
from ._html import Cell, _now, duration, esc, grid, mimebundle, plural, relative, wrap
from ._states import badge, state_word

#: Rows shown at most; past it a marker says how many are left out.
MAX_JOB_ROWS = 50
_COLUMNS = ("name", "id", "state", "template", "created", "duration")


def _absolute(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def job_duration(job: Job, now: datetime) -> str:
    """How long the job ran: its ``duration``, ended − started, or so far (``…``)."""
    took = job.duration
    if took is None and job.started_at is not None and job.ended_at is not None:
        took = (job.ended_at - job.started_at).total_seconds()
    if took is not None:
        return duration(max(took, 0.0))
    if job.started_at is not None and job.state is not None and not job.state.is_terminal:
        return f"{duration(max((now - job.started_at).total_seconds(), 0.0))}…"
    return "—"


def _range(page: JobsPage) -> str:
    """``"jobs 21–40 of 45"``; ``"no jobs"`` for an empty page."""
    count = len(page.jobs)
    if not count:
        total = f" ({page.total:,} in all)" if page.total is not None else ""
        return f"no jobs at offset {page.offset:,}{total}" if page.offset else "no jobs"
    total = f" of {page.total:,}" if page.total is not None else ""
    return f"jobs {page.offset + 1:,}–{page.offset + count:,}{total}, newest first"


def _next_hint(page: JobsPage) -> str:
    if not page.has_next:
        return ""
    limit = page.limit or len(page.jobs)
    return (
        f"more: client.list_jobs(offset={page.next_offset}) or "
        f"%bytenite jobs --offset {page.next_offset} --limit {limit}"
    )


def _row(job: Job, now: datetime) -> list[Cell]:
    name = esc(cut(job.name or "Untitled job", 80))
    ident = esc(cut(job.id or "—", 80))
    template = esc(cut(job.template_id or "—", 60))
    when = job.created_at
    if when is not None:
        created = (
            f'<span title="{esc(when.isoformat())}">{esc(relative(when, now))}</span> '
            f'<span class="bn-sub">{esc(_absolute(when))}</span>'
        )
    else:
        created = "—"
    return [
        ("bn-name", name),
        ("bn-id", f"<code>{ident}</code>"),
        badge(job.state),
        f"<code>{template}</code>",
        ("bn-when", created),
        ("bn-when", esc(job_duration(job, now))),
    ]


def jobs_html(page: JobsPage, *, now: datetime | None = None) -> str:
    """The jobs table card: a grid of divs, one line per job."""
    at = _now(now)
    head = (
        '<div class="bn-head"><span class="bn-title">ByteNite jobs</span>'
        f'<span class="bn-sub">{esc(_range(page))}</span></div>'
    )
    body = [head]
    if page.jobs:
        hidden = len(page.jobs) - MAX_JOB_ROWS
        more = (
            f"… {plural(hidden, 'more job')} on this page not shown (page.jobs has them)"
            if hidden > 0
            else ""
        )
        rows = (_row(job, at) for job in page.jobs[:MAX_JOB_ROWS])
        body.append(grid("bn-jobs", _COLUMNS, rows, more=esc(more)))
    hint = _next_hint(page)
    if hint:
        body.append(f'<div class="bn-sub bn-mono">{esc(hint)}</div>')
    return wrap("bn-jobs-card", "".join(body))


def jobs_text(page: JobsPage, *, now: datetime | None = None) -> str:
    """The jobs as aligned text columns (the text/plain form)."""
    at = _now(now)
    lines = [f"ByteNite {_range(page)}"]
    rows = [
        (
            cut(job.name or "Untitled job", 30),
            cut(job.id or "—", 40),
            state_word(job.state).upper(),
            cut(job.template_id or "—", 36),
            f"{relative(job.created_at, at)} ({_absolute(job.created_at)})"
            if job.created_at
            else "—",
            job_duration(job, at),
        )
        for job in page.jobs[:MAX_JOB_ROWS]
    ]
    if rows:
        table = [tuple(c.upper() for c in _COLUMNS), *rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(_COLUMNS))]
        for row in table:
            lines.append(
                "  " + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
    hidden = len(page.jobs) - MAX_JOB_ROWS
    if hidden > 0:
        lines.append(f"  … {plural(hidden, 'more job')} not shown")
    hint = _next_hint(page)
    if hint:
        lines.append(hint)
    return "\n".join(lines)


def jobs_mimebundle(page: JobsPage, include: Iterable[str] | None = None) -> dict[str, Any]:
    """The jobs table as a mimebundle (see :func:`mimebundle`)."""
    now = _now(None)
    return mimebundle(jobs_text(page, now=now), jobs_html(page, now=now), page.to_wire, include)
