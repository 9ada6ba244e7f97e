"""Creating and running a job exactly once.

A create that meets a 502, 503 or 504, a reset or a read timeout may have
been applied: the client cannot tell from the failure. Before sending it
again, the flow looks for the job it sent among the most recent jobs (same
template, name, description and params, created after the attempt began,
give or take :data:`CLOCK_SKEW`):

- exactly one match: that job is the answer (nothing is sent again);
- none: the create did not arrive, and it is sent again (up to ``max_retries``);
- several, or the jobs list cannot be read: the flow cannot decide, and the
  error says the job may exist and how to check.

Only a failure known to come before the request reached the service (no
connection) is retried without looking. UNCONFIRMED: that the jobs list
shows a job as soon as its create has answered (the sandbox does).

A run that meets the same failures is sent again; if the service then
refuses it because the job has already started (the first one arrived), the
run succeeded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from ..errors import ApiError, BadRequestError, ByteNiteConnectionError, ByteNiteError
from ..models import CreateJobRequest, Job, JobResponse, JobState
from ._jobs import _JobCalls
from ._payloads import _envelope, parse_request
from ._steps import _backoff, _Flow, _Sleep, log

#: Statuses after which a create may or may not have been applied.
UNSURE_STATUSES = frozenset({502, 503, 504})
#: How far the service's clock may be behind ours when matching ``createdAt``.
CLOCK_SKEW = 120.0
#: How many of the most recent jobs are searched for a create that may exist.
SEARCH_JOBS = 100

_CHECK = "check with client.list_jobs() or %bytenite jobs before creating it again"


class _ExactlyOnce(_JobCalls):
    """The create and run flows, each applied once whatever fails on the way."""

    def _create_job(self, request: CreateJobRequest | Mapping[str, Any]) -> _Flow[JobResponse]:
        payload = parse_request(request).to_payload()
        attempt = 0
        while True:
            began = time.time()  # wall clock: compared with the service's createdAt
            try:
                data = yield from self._call("POST", "/jobs", body=payload, idempotent=False)
                return self._job_response(data, created=True)
            except ByteNiteError as exc:
                if not _unsure(exc):
                    raise
                failure = exc
            # Give the service time to list the job (or the time it asked for).
            wait = failure.retry_after if isinstance(failure, ApiError) else None
            yield _Sleep(_backoff(attempt + 1) if wait is None else wait)
            try:
                matches = yield from self._find_created(payload, began)
            except ByteNiteError as lookup:
                raise _may_exist(failure, f"the jobs list could not be read ({lookup})") from None
            if len(matches) == 1:
                return (yield from self._get_job_found(matches[0]))
            if matches:
                raise _may_exist(failure, f"{len(matches)} recent jobs look like it")
            if attempt >= self._settings.max_retries:
                raise _not_created(failure, attempt + 1) from None
            attempt += 1  # it did not arrive: send it again

    def _run_job(self, job_id: str) -> _Flow[dict[str, Any]]:
        path = self._job_path(job_id, "/run")
        attempt = 0
        while True:
            try:
                data = yield from self._call("POST", path, body={}, idempotent=False)
                return _envelope(data, f"run job {job_id}")
            except BadRequestError as refused:
                if not attempt:
                    raise
                job = (yield from self._get_job(job_id)).job
                if job.state is None or job.state == JobState.NEW:
                    raise
                log.debug("run %s: the first attempt arrived (%s)", job_id, refused.message)
                return {"ok": True, "message": "job started (by an earlier attempt)"}
            except ByteNiteError as exc:
                if not _unsure(exc) or attempt >= self._settings.max_retries:
                    raise
                attempt += 1
                wait = exc.retry_after if isinstance(exc, ApiError) else None
                yield _Sleep(_backoff(attempt) if wait is None else wait)

    def _find_created(self, payload: Mapping[str, Any], began: float) -> _Flow[list[Job]]:
        """The recent jobs that look like ``payload``, created after ``began``."""
        limit = min(SEARCH_JOBS, self.max_page_size)
        page = yield from self._list_jobs(limit, 0)
        wanted = _signature(payload)
        found = []
        for job in page.jobs:
            when = job.created_at.timestamp() if job.created_at is not None else None
            if when is not None and when < began - CLOCK_SKEW:
                continue
            if _signature(job.to_wire()) == wanted:
                found.append(job)
        return found

    def _get_job_found(self, job: Job) -> _Flow[JobResponse]:
        if not job.id:
            return JobResponse(job=job)
        return (yield from self._get_job(job.id))


def _unsure(exc: ByteNiteError) -> bool:
    """Whether a failed create may have been applied."""
    if isinstance(exc, ByteNiteConnectionError):
        return exc.maybe_applied
    return isinstance(exc, ApiError) and exc.status_code in UNSURE_STATUSES


def _signature(wire: Mapping[str, Any]) -> str:
    """What identifies a create among recent jobs: template, name, description, params."""
    params = wire.get("params") or {}
    parts = {
        "templateId": (wire.get("templateId") or "").strip(),
        "name": wire.get("name") or "",
        "description": wire.get("description") or "",
        "params": {k: v for k, v in params.items() if v not in (None, {})}
        if isinstance(params, Mapping)
        else params,
    }
    return json.dumps(parts, sort_keys=True, default=str)


def _may_exist(error: ByteNiteError, why: str) -> ByteNiteError:
    """The original failure, saying the job may exist and how to check."""
    return _noted(error, f" The job may have been created ({why}): {_CHECK}.")


def _not_created(error: ByteNiteError, sent: int) -> ByteNiteError:
    """The last failure, after the jobs list showed no job from any attempt."""
    times = "once" if sent == 1 else f"{sent} times"
    note = f" The create was sent {times}; the jobs list shows no such job, so none was created."
    if isinstance(error, ByteNiteConnectionError):
        error.maybe_applied = False
    return _noted(error, note)


def _noted(error: ByteNiteError, note: str) -> ByteNiteError:
    if isinstance(error, ApiError):
        error.message += note
    else:
        error.args = (f"{error.args[0] if error.args else error}{note}", *error.args[1:])
    return error
