"""One card of every family, from fixed data, for the checks that must hold for
all of them (sanitized export, contrast in each host page, screenshots).

``gallery()`` maps a family name to its mimebundle (text/plain, text/html) and
``MARKERS`` to a text that must show exactly once in that card wherever it is
rendered: the card's own words, or a value from the data.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from bytenite_nb.display.batch import (
    BatchRow,
    BatchView,
    batch_mimebundle,
    batch_progress_mimebundle,
)
from bytenite_nb.display.error import error_mimebundle
from bytenite_nb.display.job import job_mimebundle
from bytenite_nb.display.jobs import jobs_html, jobs_text
from bytenite_nb.display.logs import logs_mimebundle
from bytenite_nb.display.payload import payload_mimebundle
from bytenite_nb.display.progress import progress_mimebundle
from bytenite_nb.display.results import results_mimebundle
from bytenite_nb.errors import PayloadError, api_error_from_body
from bytenite_nb.models import (
    CreateJobRequest,
    JobLogs,
    JobResponse,
    JobResults,
    JobsPage,
    JobState,
)
from bytenite_nb.progress import Progress
from bytenite_nb.sandbox._lifecycle import png

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)

JOB = {
    "job": {
        "id": "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61",
        "templateId": "img-gen-diffusers-flux-gpu-template",
        "name": "lighthouse",
        "description": "Four variations for the poster",
        "state": "JOB_STATE_PARTITIONED",
        "dataSource": {"dataSourceDescriptor": "url", "params": {"url": "https://example.com/a"}},
        "params": {"app": {"prompt": "a lighthouse at dawn", "steps": 30}},
        "config": {"taskTimeout": 300, "jobTimeout": "3600"},
        "createdAt": "2026-11-28T11:50:00Z",
    }
}

PAGE = {
    "pagination": {"total": "45", "offset": "20", "hasNext": True},
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
        {"id": "j-failed", "name": "broken run", "state": "JOB_STATE_FAILED"},
    ],
}


def _log(msg: str, level: str, second: int, **extra: Any) -> dict[str, Any]:
    return {"log": msg, "level": level, "timestamp": f"2026-11-28T11:50:{second:02d}.250Z", **extra}


LOGS = {
    "partitioner": [_log("split into 2 chunks", "INFO", 1, container="part-1")],
    "taskrunner": {
        "task-a": {"logs": [_log("started", "INFO", 2), _log("slow disk", "WARN", 3)]},
        "task-b": {
            "logs": [
                _log("Traceback (most recent call last):\n  ValueError: bad frame", "ERROR", 4),
                _log("tick", "TRACE", 5),
            ]
        },
    },
    "assembler": [_log("nothing to merge", "DEBUG", 6)],
}

#: family → a text shown exactly once in that card (whatever renders it)
MARKERS = {
    "job": "Four variations for the poster",
    "job-failed": "partitioner exited with code 1",
    "error": "job template 'x' not found",
    "payload-error": "must be 0 or more",
    "payload": "Create-job payload",
    "jobs": "broken run",
    "logs": "slow disk",
    "results": "a lighthouse at dawn, 30 steps",
    "batch": "templateId: must not be blank",
    "batch-progress": "created, not started",
    "transfer": "out_0/poster.png",
}


def results() -> JobResults:
    """Three files: an image, a CSV and a text file, with their heads (previews)."""
    files = {
        "out_0/poster.png": png(96, 64, 0x3366CC),
        "out_0/scores.csv": b"variant,score,seconds\nA,0.91,12.5\nB,0.87,11.9\nC,0.95,13.1\n",
        "out_0/caption.txt": b"a lighthouse at dawn, 30 steps\nseed 7\n",
    }
    wire = {"results": [{"name": n, "link": f"https://storage.test/{n}?sig=S"} for n in files]}
    found = JobResults.from_wire(wire, "5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61")
    for file, data in zip(found.files, files.values(), strict=True):
        file.set_head(data, complete=True)
    return found


def batch_view(done: bool = True) -> BatchView:
    """A sweep of four items: complete, running or failed, and one refused."""
    states = (
        ["COMPLETE", "COMPLETE", "FAILED", None]
        if done
        else ["COMPLETE", "PARTITIONING", "NEW", None]
    )
    rows = []
    for index, (case, state) in enumerate(
        zip(["upper", "lower", "title", ""], states, strict=True)
    ):
        status = {"COMPLETE": "complete", "FAILED": "failed", "NEW": "new", None: "invalid"}
        status = status.get(state, "running")
        rows.append(
            BatchRow(
                index=index,
                values={"params.app.case": case} if case else {},
                job_id=f"job-{index}" if state else None,
                state=JobState[state] if state else None,
                status=status,
                seconds=42.0 if state == "COMPLETE" else None,
                error={"FAILED": "exit code 1", None: "templateId: must not be blank"}.get(
                    state, ""
                ),
            )
        )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    errors: dict[str, list[int]] = {}
    for row in rows:
        if row.error:
            errors.setdefault(row.error, []).append(row.index)
    rows.sort(key=lambda row: (row.status not in ("failed", "invalid"), row.index))
    return BatchView("sweep", 4, counts, ["params.app.case"], rows, note="", errors=errors)


def gallery() -> dict[str, dict[str, Any]]:
    """family → mimebundle of one card of that family."""
    failed = {
        "job": {
            "id": "j-2",
            "name": "broken input",
            "state": "JOB_STATE_FAILED",
            "errorMessage": "partitioner exited with code 1",
        }
    }
    api_error = api_error_from_body(
        404,
        json.dumps({"code": 5, "message": "job template 'x' not found"}).encode(),
        method="POST",
        url="https://api.test/v1/customer/jobs",
    )
    bad_payload = PayloadError(
        [{"field": "config.taskTimeout", "message": "must be 0 or more seconds, got -1"}]
    )
    request = CreateJobRequest.model_validate(
        {"templateId": "hello-world-template", "name": "demo", "params": {"app": {"n": 1}}}
    )
    page = JobsPage.from_wire(PAGE, limit=20)
    logs = JobLogs.from_wire(LOGS, job_id="5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61")
    progress = Progress("out_0/poster.png", 450_000, 1_000_000, 1.5)
    return {
        "job": job_mimebundle(JobResponse.model_validate(JOB)),
        "job-failed": job_mimebundle(JobResponse.model_validate(failed)),
        "error": error_mimebundle(api_error),
        "payload-error": error_mimebundle(bad_payload),
        "payload": payload_mimebundle(request),
        "jobs": {
            "text/plain": jobs_text(page, now=NOW),
            "text/html": jobs_html(page, now=NOW),
        },
        "logs": logs_mimebundle(logs),
        "results": results_mimebundle(results()),
        "batch": batch_mimebundle(batch_view()),
        "batch-progress": batch_progress_mimebundle(batch_view(done=False)),
        "transfer": progress_mimebundle(progress),
    }
