"""The jobs table and the logs view: fragments, hostile input, size caps, text forms."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bytenite_nb.display.jobs import MAX_JOB_ROWS, jobs_html, jobs_text
from bytenite_nb.display.logs import (
    MAX_LOG_BYTES,
    MAX_LOG_LINES,
    fold_logs,
    level_tone,
    logs_html,
    logs_text,
)
from bytenite_nb.models import JobLogs, JobsPage, LogLevel

from .html_audit import HOSTILE, assert_safe

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)

PAGE = {
    "pagination": {"total": "45", "offset": "20", "hasPrevious": True, "hasNext": True},
    "data": [
        {
            "id": "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61",
            "name": "lighthouse",
            "templateId": "img-gen-diffusers-flux-gpu-template",
            "state": "JOB_STATE_COMPLETE",
            "createdAt": "2026-11-28T11:50:00Z",
            "startedAt": "2026-11-28T11:51:00Z",
            "endedAt": "2026-11-28T11:52:30Z",
        },
        {
            "id": "j-running",
            "name": "sweep 2",
            "templateId": "hello-world-template",
            "state": "JOB_STATE_MERGING",
            "createdAt": "2026-11-28T09:00:00Z",
            "startedAt": "2026-11-28T11:58:00Z",
        },
        {"id": "j-new", "state": "JOB_STATE_NEW", "duration": 0},
        {"id": "j-odd", "state": "JOB_STATE_REWINDING", "createdAt": "2026-11-28T11:59:58"},
    ],
}


def _log(msg: str, level: str, second: int, **extra: Any) -> dict[str, Any]:
    return {"log": msg, "level": level, "timestamp": f"2026-11-28T11:50:{second:02d}.250Z", **extra}


LOGS = {
    "partitioner": [_log("split into 2 chunks", "INFO", 1, container="part-1")],
    "taskrunner": {
        "task-a": {"logs": [_log("started", "INFO", 2), _log("slow disk", "WARN", 3)]},
        "task-b": {"logs": [_log("exit code 1", "ERROR", 4), _log("tick", "TRACE", 5)]},
    },
    "assembler": [_log("nothing to merge", "LOUD", 6)],
}


def page_card(wire: Any = PAGE) -> str:
    return jobs_html(JobsPage.from_wire(wire, limit=20), now=NOW)


def rows(markup: str) -> list[str]:
    """The jobs table's rows (a grid of divs: one div of cells per job)."""
    return re.findall(r'<div><span class="bn-name">.*?</div>', markup)


def cells(row: str) -> list[str]:
    """A row's cells as text, split where the unstyled card shows " · "."""
    return [re.sub(r"<[^>]+>", "", c).strip() for c in row.split("<i> · </i>")]


# -- jobs table --------------------------------------------------------------------------


def test_jobs_table_rows_show_every_column() -> None:
    card = page_card()
    header = re.search(r'<div class="bn-gh">(.*?)</div>', card)
    assert header is not None and cells(header.group(1)) == [
        "name",
        "id",
        "state",
        "template",
        "created",
        "duration",
    ]
    assert 'style="grid-template-columns:repeat(6,auto)"' in card
    first, running, new, odd = rows(card)
    assert cells(first) == [
        "lighthouse",
        "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61",
        "Complete",
        "img-gen-diffusers-flux-gpu-template",
        "10 min ago 2026-11-28 11:50 UTC",
        "1m 30s",
    ]
    assert "lighthouse" in first and "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61" in first
    assert '<span class="bn-badge bn-ok" title="JOB_STATE_COMPLETE">Complete</span>' in first
    assert "img-gen-diffusers-flux-gpu-template" in first
    assert "10 min ago" in first and "2026-11-28 11:50 UTC" in first  # relative + absolute
    assert '<span class="bn-when">1m 30s</span>' in first  # ended - started
    assert '<span class="bn-when">2m…</span>' in running and "bn-run" in running  # so far
    assert "3h ago" in running
    assert "Untitled job" in new and '<span class="bn-when">0.0s</span>' in new
    assert "JOB_STATE_REWINDING" in odd and "just now" in odd  # no zone: taken as UTC
    assert "jobs 21–24 of 45, newest first" in card
    assert "client.list_jobs(offset=24)" in card and "--offset 24 --limit 20" in card


def test_jobs_table_folds_past_the_row_cap() -> None:
    many = {"data": [{"id": f"j{i}", "name": f"n{i}"} for i in range(130)]}
    card = page_card(many)
    assert len(rows(card)) == MAX_JOB_ROWS
    assert "… 80 more jobs on this page not shown" in card
    assert "j49" in card and ">j50<" not in card
    text = jobs_text(JobsPage.from_wire(many), now=NOW)
    assert "… 80 more jobs not shown" in text and len(text.splitlines()) == 53
    assert len(page_card(many).encode()) < 60_000


def test_jobs_text_is_aligned_columns() -> None:
    text = jobs_text(JobsPage.from_wire(PAGE), now=NOW)
    lines = text.splitlines()
    assert lines[0] == "ByteNite jobs 21–24 of 45, newest first"
    header, *body = lines[1:6]
    assert header.split() == ["NAME", "ID", "STATE", "TEMPLATE", "CREATED", "DURATION"]
    column = header.index("STATE")
    assert [line[column:].split()[0] for line in body] == [
        "COMPLETE",
        "MERGING",
        "NEW",
        "JOB_STATE_REWINDING",
    ]
    assert lines[-1].startswith("more: client.list_jobs(offset=24)")


def test_an_empty_page() -> None:
    card = page_card({})
    assert "no jobs" in card and 'class="bn-grid' not in card and "more:" not in card
    assert jobs_text(JobsPage.from_wire({"pagination": {"offset": "40"}})) == (
        "ByteNite no jobs at offset 40 (0 in all)"
    )


def test_jobs_page_renders_itself() -> None:
    page = JobsPage.from_wire(PAGE)
    bundle = page._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    assert bundle["text/plain"].startswith("ByteNite jobs 21–24")
    assert 'class="bn-card bn-jobs-card"' in bundle["text/html"]
    assert set(page._repr_mimebundle_(include=["application/json"])) >= {"application/json"}
    assert str(page) == bundle["text/plain"] and repr(page).startswith("JobsPage(4 of 45 jobs")


# -- logs view ---------------------------------------------------------------------------


def logs_card(wire: Any = LOGS, levels: list[str] | None = None) -> str:
    return logs_html(JobLogs.from_wire(wire, job_id="j-1", levels=levels or []))


def section_titles(card: str) -> list[str]:
    return re.findall(r'<div class="bn-section-title"><b>(.*?)</b></div>', card)


def test_logs_view_groups_by_service_and_task() -> None:
    card = logs_card()
    assert section_titles(card) == [
        "partitioner (1 line)",
        "taskrunner · task task-a (2 lines)",
        "taskrunner · task task-b (2 lines, 1 error)",
        "assembler (1 line)",
    ]
    assert card.count('<div class="bn-section">') == 4  # few groups: all main sections
    assert card.count('<pre class="bn-log">') == 4 and "bn-minor" not in card


def test_logs_view_levels_by_word_and_colour_and_counts() -> None:
    card = logs_card()
    assert '<span class="bn-lvl bn-lv-bad">ERROR</span>' in card
    assert '<span class="bn-lvl bn-lv-warn">WARN</span>' in card
    assert '<span class="bn-lvl bn-lv-info">INFO</span>' in card
    assert '<span class="bn-lvl bn-lv-dim">TRACE</span>' in card
    assert '<span class="bn-lvl bn-lv-dim">LOUD</span>' in card  # unknown: its word, no colour
    chips = re.search(r'<div class="bn-lvls">(.*?)</div>', card)
    assert chips is not None
    counts = re.sub(r"<[^>]+>", "", chips.group(1))
    assert counts == "TRACE 1 INFO 2 WARN 1 ERROR 1 LOUD 1"
    assert "levels shown: all · services: all" in card
    assert 'class="bn-card bn-logs bn-bad"' in card  # an error line: the red accent
    line = re.search(r'<span class="bn-ll bn-lv-bad">.*?</span></span>\n', card)
    assert line is not None
    assert '<span class="bn-ts" title="2026-11-28T11:50:04.250000+00:00">11:50:04.250</span>' in (
        line.group(0)
    )
    assert "exit code 1" in line.group(0)
    assert '<span class="bn-ctr">[part-1]</span>' in card


def test_logs_view_says_which_levels_are_shown() -> None:
    card = logs_card(levels=["WARN", "ERROR"])
    assert "levels shown: WARN, ERROR" in card
    text = logs_text(JobLogs.from_wire({}, job_id="j-1", levels=["ERROR"]))
    assert text == "ByteNite logs of job j-1: 0 lines; levels: ERROR; services: all"
    assert "No log lines." in logs_card({})


def test_logs_fold_keeps_the_most_recent_lines() -> None:
    wire = {
        "taskrunner": {
            "t": {"logs": [_log(f"line {i}", "INFO", i % 60) for i in range(1000)]},
        },
        "partitioner": [{"log": "early", "level": "INFO", "timestamp": "2026-11-28T11:00:00Z"}],
    }
    # distinct, increasing times
    for i, line in enumerate(wire["taskrunner"]["t"]["logs"]):  # type: ignore[index]
        line["timestamp"] = (NOW + timedelta(seconds=i)).isoformat()
    card = logs_card(wire)
    assert "… 801 earlier lines not shown: the most recent 200 are" in card
    assert "line 999" in card and "line 800" in card and ">line 799<" not in card
    assert "early" not in card
    assert "partitioner (1 line, last 0 shown)" in section_titles(card)
    assert len(card.encode()) < 80_000
    text = logs_text(JobLogs.from_wire(wire))
    assert "… 801 earlier lines not shown" in text and "line 999" in text
    assert len(text.splitlines()) < 210


def test_logs_byte_cap_and_line_cap() -> None:
    huge = {"assembler": [_log("x" * 50_000, "INFO", i) for i in range(10)]}
    card = logs_card(huge)
    assert "… [49,000 more characters]" in card  # each line cut at MAX_LINE_CHARS
    assert len(card.encode()) < 30_000
    wide = {"assembler": [_log(f"{i:03d}" + "y" * 897, "INFO", i % 60) for i in range(150)]}
    entries = JobLogs.from_wire(wide).entries
    kept, hidden = fold_logs(entries)
    assert len(kept) + hidden == 150 and len(kept) < MAX_LOG_LINES  # bytes ran out
    assert sum(len(e.message) for e in kept) <= MAX_LOG_BYTES
    assert kept == entries[-len(kept) :]  # the most recent ones
    card = logs_card(wide)
    assert f"… {hidden:,} earlier lines not shown" in card
    assert len(card.encode()) < MAX_LOG_BYTES + 30_000


def test_many_groups_open_only_those_with_errors() -> None:
    wire = {
        "taskrunner": {
            f"t{i}": {"logs": [_log("ok", "ERROR" if i == 3 else "INFO", i)]} for i in range(8)
        }
    }
    card = logs_card(wire)
    assert card.count('<div class="bn-section">') == 1
    assert card.count('<div class="bn-section bn-minor">') == 7
    assert section_titles(card)[3] == "taskrunner · task t3 (1 line, 1 error)"


def test_job_logs_render_themselves() -> None:
    logs = JobLogs.from_wire(LOGS, job_id="j-1")
    bundle = logs._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}
    text = bundle["text/plain"]
    assert text.splitlines()[0] == (
        "ByteNite logs of job j-1: 6 lines (TRACE 1, INFO 2, WARN 1, ERROR 1, LOUD 1); "
        "levels: all; services: all"
    )
    assert "== taskrunner · task task-b ==\n11:50:04.250 ERROR exit code 1" in text
    assert "11:50:01.250 INFO  [part-1] split into 2 chunks" in text
    assert str(logs) == text and "6 entries" in repr(logs)


def test_level_tones_come_from_a_fixed_set() -> None:
    assert {level_tone(LogLevel(n)) for n in ("PANIC", "FATAL", "ERROR")} == {"bad"}
    assert level_tone(LogLevel('"><b>')) == "dim"


# -- hostile input -----------------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(HOSTILE), st.text(alphabet="<>\"'&=/ abcjs:onerror()\n", max_size=40)
)


@settings(max_examples=60, deadline=None)
@given(hostile_text, hostile_text, hostile_text)
def test_hostile_strings_render_as_text(a: str, b: str, c: str) -> None:
    page = {
        "pagination": {"total": a, "offset": b},
        "data": [{"id": a, "name": b, "templateId": c, "state": a, b or "k": c}],
    }
    jobs = page_card(page)
    assert_safe(jobs)
    logs = {
        "partitioner": [{"log": a, "level": b, "container": c, "timestamp": a}],
        "taskrunner": {b or "t": {"logs": [{"log": c, "level": a, "container": b}]}},
        a or "svc": [{"log": b, "level": c}],
    }
    card = logs_html(JobLogs.from_wire(logs, job_id=c, levels=[a], services=[b]))
    assert_safe(card)
    for value in (a, b, c):
        if value in HOSTILE and "<" in value:  # only escaped, in both cards
            assert value not in card and value not in jobs
    if a in HOSTILE:
        assert html.escape(a) in card  # the message of a log line, as text
