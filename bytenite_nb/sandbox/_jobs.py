"""A sandbox job: its record, its states over time, its wire form (protojson).

No locking here: ``Sandbox`` holds its lock around these calls."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..models import spec_schema, wire_integer
from ._templates import Template
from ._wire import rfc3339

_TYPE_PREFIX = "type.googleapis.com/bytenite.data_source."
#: A job's path from NEW to COMPLETE: the spec's ``jobJobState`` but FAILED, in its order.
STATES = tuple(s for s in spec_schema("jobJobState")["enum"] if s != "JOB_STATE_FAILED")


@dataclass
class _Job:
    id: str
    template: Template
    request: dict[str, Any]
    created: float
    run_at: float | None = None
    aborted_at: float | None = None
    deleted: bool = False
    #: The signed upload URL of a ``file`` job (its ``dataSource.params.tempUrl``).
    temp_url: str | None = None
    #: The sandbox's clock (epoch seconds): how far a running job has got.
    clock: Callable[[], float] = time.time

    @property
    def chunks(self) -> int:
        """The chunks the job makes, by its template (its params passed the template's check)."""
        return self.template.chunks(self.request.get("params", {}))

    @property
    def error(self) -> str:
        """Why the job failed, if it did."""
        return self.template.fails_with or "job aborted by the user"


def job_state(job: _Job, step_seconds: float) -> tuple[str, dict[str, float]]:
    """The state a job has reached by now, and when (epoch seconds) it entered each."""
    stamps = {"JOB_STATE_NEW": job.created}
    if job.run_at is None:
        return "JOB_STATE_NEW", stamps
    now = job.clock() if job.aborted_at is None else job.aborted_at
    steps = int((now - job.run_at) / step_seconds) + 1 if step_seconds else 99
    last = min(steps, len(STATES) - 1)
    if job.template.fails_with:
        last = min(last, 3)
    for index in range(1, last + 1):
        stamps[STATES[index]] = job.run_at + (index - 1) * step_seconds
    state = STATES[last]
    if job.template.fails_with and steps > 3:
        state = "JOB_STATE_FAILED"
        stamps[state] = job.run_at + 3 * step_seconds
    elif job.aborted_at is not None and state != "JOB_STATE_COMPLETE":
        state = "JOB_STATE_FAILED"
        stamps[state] = job.aborted_at
    return state, stamps


def job_json(job: _Job, step_seconds: float) -> dict[str, Any]:
    """The job as the service sends it. Never fails: a job that cannot be
    rendered in full (a bug) still renders its id, template and state."""
    try:
        return _render(job, step_seconds)
    except Exception as exc:  # a stored job must never break GET /jobs
        sys.stderr.write(f"sandbox: cannot render job {job.id}: {exc!r}\n")
        return {
            "id": job.id,
            "templateId": job.template.id,
            "state": job_state(job, step_seconds)[0],
        }


def _render(job: _Job, step_seconds: float) -> dict[str, Any]:
    """A stored request (canonical: ``_validate.read_create``), zero values left out."""
    request = job.request
    state, times = job_state(job, step_seconds)
    stamps = {name: rfc3339(when) for name, when in times.items()}
    config = request.get("config", {})
    source: dict[str, Any] | None = request.get("dataSource")
    if source is not None and job.temp_url:
        params = {"@type": _TYPE_PREFIX + "LocalFileDataSource", **source.get("params", {})}
        source = {**source, "params": {**params, "tempUrl": job.temp_url}}
    out: dict[str, Any] = {
        "id": job.id,
        "templateId": job.template.id,
        "name": request.get("name"),
        "description": request.get("description"),
        "state": state,
        "createdAt": stamps["JOB_STATE_NEW"],
        "stateTimestamps": stamps,
        "numUnitsEstimation": wire_integer("jobJob", "numUnitsEstimation", job.chunks * 12),
        "appId": job.template.app.split("@")[0],
        "priority": "EXECUTION_PRIORITY_BALANCED",
        "params": {key: value for key, value in request.get("params", {}).items() if value != ""},
        "config": {
            key: value if key == "isTestJob" else wire_integer("jobJobConfig", key, value)
            for key, value in config.items()
            if value  # 0 and false are protojson's unset
        },
        "dataSource": source,
        "dataDestination": request.get("dataDestination"),
    }
    if job.run_at is not None:
        out["submittedAt"] = rfc3339(job.run_at)
        out["startedAt"] = stamps.get("JOB_STATE_UPLOADING")
    if state in ("JOB_STATE_COMPLETE", "JOB_STATE_FAILED"):
        out["endedAt"] = stamps[state]
        out["duration"] = round(times[state] - (job.run_at or job.created), 3)
    if state == "JOB_STATE_COMPLETE":
        out["numChunks"] = wire_integer("jobJob", "numChunks", job.chunks)
        out["paymentAmount"] = round(job.chunks * 0.0125, 4)
    if state == "JOB_STATE_FAILED":
        out["errorMessage"] = job.error
    return {k: v for k, v in out.items() if v not in (None, "", {}, [])}
