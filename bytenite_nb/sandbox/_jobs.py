"""A sandbox job: its record, its states over time, its wire form (protojson) and its
logs (``POST /v1/customer/logs``). No locking here: ``Sandbox`` holds its lock.

Each log line derives from the job and the time it entered each state, so the logs grow
as the job runs and are the same on every call.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..models import spec_schema, wire_integer
from ._templates import Template
from ._wire import bad_request, rfc3339

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


LEVELS = ("UNKNOWN", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC")
#: The answer's keys, one per service.
SERVICES = ("partitioner", "assembler", "taskrunner")
#: How a request names them: the ``LogsLogService`` enum names (protojson sends an enum
#: by its name); the answer's lower-case keys are taken too, as older clients sent them.
SERVICE_NAMES = {name.upper(): name for name in SERVICES} | {name: name for name in SERVICES}

Line = tuple[float, str, str, str]  # (time, level, container, message)
Logs = tuple[list[Line], dict[str, list[Line]], list[Line]]


def read_request(data: Mapping[str, Any]) -> tuple[str, list[str], list[str], list[str]]:
    """``(jobId, levels, services, taskIds)`` of a request body, checked as the service would
    (``Reject`` 400); services come back as the answer's keys (``partitioner``...)."""
    problems: list[tuple[str, str]] = []
    job_id = data.get("jobId")
    if not isinstance(job_id, str) or not job_id.strip():
        problems.append(("jobId", "is required"))
    lists: dict[str, list[str]] = {}
    for key, allowed in (("levels", LEVELS), ("services", SERVICE_NAMES), ("taskIds", None)):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append((key, "must be a list of strings"))
            continue
        for index, item in enumerate(value):
            if allowed is not None and item not in allowed:
                problems.append((f"{key}[{index}]", f"unknown value {item!r}"))
        lists[key] = value
    if problems:
        raise bad_request(problems, "logs request")
    services = [SERVICE_NAMES[name] for name in lists["services"]]
    return str(job_id).strip(), lists["levels"], services, lists["taskIds"]


def _json(params: Mapping[str, Any], key: str) -> str:
    return json.dumps(params.get(key) or {}, ensure_ascii=False, sort_keys=True)[:500]


def job_logs(job: _Job, times: Mapping[str, float]) -> Logs:
    """(partitioner lines, taskrunner lines by task id, assembler lines) so far,
    for a job that entered each state at ``times`` (``job_state``)."""
    at = {name.removeprefix("JOB_STATE_"): when for name, when in times.items()}
    template, request, chunks = job.template, job.request, job.chunks
    params = request.get("params", {})
    source = request.get("dataSource", {}).get("dataSourceDescriptor", "none")
    target = request.get("dataDestination", {}).get("dataSourceDescriptor", "none")
    part_box = f"{template.partitioner.split('@')[0]}-{job.id[:8]}"
    merge_box = f"{template.assembler.split('@')[0]}-{job.id[:8]}"
    partitioner: list[Line] = [
        (at[state] + offset, level, part_box, message)
        for state, offset, level, message in (
            ("PARTITIONING", 0.001, "INFO", f"partitioner {template.partitioner} started"),
            ("PARTITIONING", 0.002, "DEBUG", f"input data source: {source}"),
            ("PARTITIONING", 0.003, "DEBUG", f"partitioner params: {_json(params, 'partitioner')}"),
            ("PARTITIONED", 0.001, "INFO", f"split the input into {chunks} chunk(s)"),
        )
        if state in at
    ]
    assembler: list[Line] = [
        (at[state] + 0.001, "INFO", merge_box, message)
        for state, message in (
            ("MERGING", f"assembler {template.assembler} started: {chunks} part(s)"),
            ("MERGED", "merged the parts"),
            ("DOWNLOADING", f"uploading results to {target}"),
            ("COMPLETE", "results are ready"),
        )
        if state in at
    ]
    tasks: dict[str, list[Line]] = {}
    for index in range(chunks if "PARTITIONED" in at else 0):
        key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bytenite-sandbox/{job.id}/task/{index}"))
        box = f"{template.app.split('@')[0]}-{key[:8]}"
        start = at["PARTITIONED"] + index / 1000
        tasks[key] = [
            (start + 0.010, "INFO", box, f"task {index} started"),
            (start + 0.011, "TRACE", box, "worker heartbeat"),
            (start + 0.012, "DEBUG", box, f"app params: {_json(params, 'app')}"),
        ]
        if request.get("config", {}).get("isTestJob"):
            warning = "test job: run on a test node, results are not billed"
            tasks[key].append((start + 0.013, "WARN", box, warning))
        if "TASKS_COMPLETED" in at:
            done = at["TASKS_COMPLETED"] + index / 1000
            tasks[key].append(
                (done, "INFO", box, f"task {index} done: wrote out_{index}/result.txt")
            )
        elif "FAILED" in at:
            stopped = f"task {index} stopped: {job.error}"
            tasks[key].append((at["FAILED"] + index / 1000, "ERROR", box, stopped))
    if "FAILED" in at and "MERGING" in at:
        assembler.append((at["FAILED"], "ERROR", merge_box, job.error))
    elif "FAILED" in at and (not tasks or "TASKS_COMPLETED" in at):
        partitioner.append((at["FAILED"], "ERROR", part_box, job.error))
    return partitioner, tasks, assembler


def answer(
    logs: Logs, *, levels: list[str], services: list[str], task_ids: list[str]
) -> dict[str, Any]:
    """The protojson answer, keeping only the levels, services and tasks asked (empty: all)."""
    partitioner, tasks, assembler = logs

    def wire(lines: list[Line]) -> list[dict[str, Any]]:
        return [
            {"log": message, "timestamp": rfc3339(when), "level": level, "container": box}
            for when, level, box, message in lines
            if not levels or level in levels
        ]

    out: dict[str, Any] = {}
    if not services or "partitioner" in services:
        out["partitioner"] = wire(partitioner)
    if not services or "taskrunner" in services:
        out["taskrunner"] = {
            key: {"logs": wire(lines)}
            for key, lines in tasks.items()
            if (not task_ids or key in task_ids) and wire(lines)
        }
    if not services or "assembler" in services:
        out["assembler"] = wire(assembler)
    return {k: v for k, v in out.items() if v}
