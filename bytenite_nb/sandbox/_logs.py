"""``POST /v1/customer/logs`` of the sandbox: a job's logs, derived from its states.

Every line is derived deterministically from the job (its id, template,
request) and the time it entered each state, so a job's logs grow as it runs
and are the same on every call: the partitioner's lines once it is
partitioning, one set per task (task ids derived from the job id) once
partitioned, the assembler's while merging. A failed job has an ERROR line
with the reason; a test job a WARN per task; params appear in DEBUG lines.

The answer has the service's shape (protojson: empty groups left out)::

    {"partitioner": [Log], "assembler": [Log],
     "taskrunner": {"<taskId>": {"logs": [Log]}}}
    Log = {"log", "timestamp", "level", "container"}
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._templates import Template
from ._wire import rfc3339

LEVELS = ("UNKNOWN", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC")
#: The answer's keys, one per service.
SERVICES = ("partitioner", "assembler", "taskrunner")
#: How a request names them: the ``LogsLogService`` enum names (protojson sends an enum
#: by its name); the answer's lower-case keys are taken too, as older clients sent them.
SERVICE_NAMES = {name.upper(): name for name in SERVICES} | {name: name for name in SERVICES}

Line = tuple[float, str, str, str]  # (time, level, container, message)


class LogsRequestError(ValueError):
    """A ``POST /logs`` body the service refuses; ``violations`` are (field, description)."""

    def __init__(self, violations: list[tuple[str, str]]) -> None:
        self.violations = violations
        super().__init__("invalid logs request: " + "; ".join(f"{f}: {d}" for f, d in violations))


def read_request(data: Mapping[str, Any]) -> tuple[str, list[str], list[str], list[str]]:
    """``(jobId, levels, services, taskIds)`` of a request body, checked as the service would;
    services come back as the answer's keys (``partitioner``...)."""
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
        raise LogsRequestError(problems)
    services = [SERVICE_NAMES[name] for name in lists["services"]]
    return str(job_id).strip(), lists["levels"], services, lists["taskIds"]


def task_id(job_id: str, index: int) -> str:
    """The id of a job's task ``index`` (stable for a job)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"bytenite-sandbox/{job_id}/task/{index}"))


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp[:26] + "+00:00").timestamp()


def _brief(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)[:500]


def job_logs(
    *,
    job_id: str,
    template: Template,
    request: Mapping[str, Any],
    state: str,
    stamps: Mapping[str, str],
    chunks: int,
    reason: str | None,
) -> tuple[list[Line], dict[str, list[Line]], list[Line]]:
    """(partitioner lines, taskrunner lines by task id, assembler lines) so far."""
    at = {name.removeprefix("JOB_STATE_"): _seconds(value) for name, value in stamps.items()}
    params = request.get("params") or {}
    config = request.get("config") or {}
    source = (request.get("dataSource") or {}).get("dataSourceDescriptor", "none")
    target = (request.get("dataDestination") or {}).get("dataSourceDescriptor", "none")
    part_box = f"{template.partitioner.split('@')[0]}-{job_id[:8]}"
    merge_box = f"{template.assembler.split('@')[0]}-{job_id[:8]}"
    app = template.app.split("@")[0]
    partitioner: list[Line] = []
    tasks: dict[str, list[Line]] = {}
    assembler: list[Line] = []
    if "PARTITIONING" in at:
        t = at["PARTITIONING"]
        partitioner += [
            (t + 0.001, "INFO", part_box, f"partitioner {template.partitioner} started"),
            (t + 0.002, "DEBUG", part_box, f"input data source: {source}"),
            (
                t + 0.003,
                "DEBUG",
                part_box,
                f"partitioner params: {_brief(params.get('partitioner') or {})}",
            ),
        ]
    if "PARTITIONED" in at:
        t = at["PARTITIONED"]
        partitioner.append((t + 0.001, "INFO", part_box, f"split the input into {chunks} chunk(s)"))
        for index in range(chunks):
            box = f"{app}-{task_id(job_id, index)[:8]}"
            lines = [
                (t + 0.010 + index / 1000, "INFO", box, f"task {index} started"),
                (t + 0.011 + index / 1000, "TRACE", box, "worker heartbeat"),
                (
                    t + 0.012 + index / 1000,
                    "DEBUG",
                    box,
                    f"app params: {_brief(params.get('app') or {})}",
                ),
            ]
            if config.get("isTestJob"):
                lines.append(
                    (
                        t + 0.013 + index / 1000,
                        "WARN",
                        box,
                        "test job: run on a test node, results are not billed",
                    )
                )
            if "TASKS_COMPLETED" in at:
                done = at["TASKS_COMPLETED"] + index / 1000
                lines.append(
                    (done, "INFO", box, f"task {index} done: wrote out_{index}/result.txt")
                )
            tasks[task_id(job_id, index)] = lines
    if "MERGING" in at:
        t = at["MERGING"]
        assembler.append(
            (
                t + 0.001,
                "INFO",
                merge_box,
                f"assembler {template.assembler} started: {chunks} part(s)",
            )
        )
    if "MERGED" in at:
        assembler.append((at["MERGED"] + 0.001, "INFO", merge_box, "merged the parts"))
    if "DOWNLOADING" in at:
        assembler.append(
            (at["DOWNLOADING"] + 0.001, "INFO", merge_box, f"uploading results to {target}")
        )
    if "COMPLETE" in at:
        assembler.append((at["COMPLETE"] + 0.001, "INFO", merge_box, "results are ready"))
    if state == "JOB_STATE_FAILED":
        t = at["FAILED"]
        message = reason or "job failed"
        if "MERGING" in at:
            assembler.append((t, "ERROR", merge_box, message))
        elif tasks and "TASKS_COMPLETED" not in at:
            for index, key in enumerate(tasks):
                box = f"{app}-{key[:8]}"
                tasks[key].append(
                    (t + index / 1000, "ERROR", box, f"task {index} stopped: {message}")
                )
        else:
            partitioner.append((t, "ERROR", part_box, message))
    return partitioner, tasks, assembler


def answer(
    logs: tuple[list[Line], dict[str, list[Line]], list[Line]],
    *,
    levels: list[str],
    services: list[str],
    task_ids: list[str],
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
