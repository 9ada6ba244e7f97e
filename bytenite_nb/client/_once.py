"""Creating and running a job exactly once.

A create that may have been applied (:func:`may_be_applied`) is looked for in
the jobs list before it is sent again (:meth:`_ExactlyOnce._find_created`): by
its batch marker, else by its signature (template, name, description, params,
created since the attempt began, give or take :data:`CLOCK_SKEW`). One match is
the answer; none: it is sent again (up to ``max_retries``); several, or an
unreadable list: the error says the job may exist. A run that may have been
applied is sent again, and counts as done once the job has left NEW.
UNCONFIRMED: that the jobs list shows a job as soon as its create has answered.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from ..errors import ApiError, BadRequestError, ByteNiteError
from ..models import CreateJobRequest, Job, JobResponse, JobState
from ..models.marker import mark, marker_of
from ._jobs import _JobCalls
from ._payloads import _envelope, create_body, parse_request
from ._steps import _backoff, _Flow, _Sleep, log

#: How far the service's clock may be behind ours when matching ``createdAt``.
CLOCK_SKEW = 120.0
#: Jobs per page read while looking for a create that may exist.
SEARCH_JOBS = 100
#: Pages read at most by one search (a batch's resume reads back further).
SEARCH_PAGES = 10

_CHECK = "check with client.list_jobs() or %bytenite jobs before creating it again"


def may_be_applied(error: BaseException) -> bool:
    """Whether a failed request that is not idempotent may have been carried out
    (``_base`` flags our errors as raised; an interrupt or a bug may have been)."""
    return not isinstance(error, ByteNiteError) or error.maybe_applied


class _ExactlyOnce(_JobCalls):
    """The create and run flows, each applied once whatever fails on the way."""

    def _create_job(
        self, request: CreateJobRequest | Mapping[str, Any], marker: str | None = None
    ) -> _Flow[JobResponse]:
        """Create the job (``marker``: a batch's, added to the description and
        used to find the job if the answer is lost)."""
        parsed = parse_request(request)
        if marker is not None:
            parsed = parsed.model_copy(update={"description": mark(parsed.description, marker)})
        content = create_body(parsed)  # PayloadError before any I/O
        key: str | None = marker  # the signature is built only if a search runs
        attempt = 0
        while True:
            began = time.time()  # wall clock: compared with the service's createdAt
            try:
                data = yield from self._call("POST", "/jobs", content=content, idempotent=False)
                return self._job_response(data, created=True)
            except ByteNiteError as exc:
                if not exc.maybe_applied:
                    raise
                failure = exc
            if key is None:
                key = _signature(parsed.to_payload())
            # Give the service time to list the job (or the time it asked for).
            wait = failure.retry_after if isinstance(failure, ApiError) else None
            yield _Sleep(_backoff(attempt + 1) if wait is None else wait)
            try:
                found = yield from self._find_created({key}, began, by_marker=marker is not None)
            except ByteNiteError as lookup:
                raise _may_exist(failure, f"the jobs list could not be read ({lookup})") from None
            matches = found.get(key, [])
            if len(matches) == 1:
                return (yield from self._get_job_found(matches[0], failure))
            if matches:
                raise _may_exist(failure, f"{len(matches)} recent jobs look like it")
            if attempt >= self._settings.max_retries:
                raise _not_created(failure, attempt + 1) from None
            attempt += 1  # it did not arrive: send it again

    def _find_created(
        self, keys: Collection[str], since: float, *, by_marker: bool, pages: int = SEARCH_PAGES
    ) -> _Flow[dict[str, list[Job]]]:
        """The lost-create search: jobs created after ``since`` (give or take
        :data:`CLOCK_SKEW`) whose marker (unique) or signature is in ``keys``."""

        def key(job: Job) -> str | None:
            return marker_of(job.description) if by_marker else _signature(job.to_wire())

        found, _ = yield from self._scan_jobs(key, keys, since - CLOCK_SKEW, pages, by_marker)
        return found

    def _scan_jobs(
        self,
        key: Callable[[Job], str | None],
        keys: Collection[str],
        oldest: float,
        pages: int,
        unique: bool,
    ) -> _Flow[tuple[dict[str, list[Job]], int]]:
        """Jobs whose ``key`` is in ``keys``, by key, and the pages read: the list read newest
        first, back to ``oldest`` (a timestamp), ``pages`` at most (``unique``: until all found)."""
        limit = min(SEARCH_JOBS, self.max_page_size)
        found: dict[str, list[Job]] = {}
        offset = read = 0
        while read < pages:
            page = yield from self._list_jobs(limit, offset)
            read += 1
            jobs = list(page.jobs)
            stamps = [job.created_at.timestamp() if job.created_at else None for job in jobs]
            for job, when in zip(jobs, stamps, strict=True):
                wanted = key(job) if when is None or when >= oldest else None
                if wanted is not None and wanted in keys:
                    found.setdefault(wanted, []).append(job)
            if unique and len(found) == len(keys):
                break
            last = stamps[-1] if stamps else None
            if not page.has_next or not jobs or (last is not None and last < oldest):
                break
            offset += len(jobs)
        return found, read

    def _get_job_found(self, job: Job, failure: ByteNiteError) -> _Flow[JobResponse]:
        if not job.id:
            return JobResponse(job=job)
        try:
            return (yield from self._get_job(job.id))
        except ByteNiteError as exc:
            why = f"job {job.id} looks like it, but reading it failed ({exc})"
            raise _may_exist(failure, why) from None

    def _run_job(self, job_id: str, *, earlier: bool = False) -> _Flow[dict[str, Any]]:
        """Start the job; ``earlier``: a run may have been sent before (a batch resuming)."""
        path = self._job_path(job_id, "/run")
        attempt = 0
        while True:
            try:
                data = yield from self._call("POST", path, body={}, idempotent=False)
                return _envelope(data, f"run job {job_id}")
            except ByteNiteError as exc:
                unsure = exc.maybe_applied
                if unsure and attempt < self._settings.max_retries:
                    attempt += 1
                    wait = exc.retry_after if isinstance(exc, ApiError) else None
                    yield _Sleep(_backoff(attempt) if wait is None else wait)
                    continue
                refused = isinstance(exc, BadRequestError) and (attempt or earlier)
                if not (unsure or refused) or not (yield from self._started(job_id)):
                    raise
                log.debug("run %s: an earlier attempt started it (%s)", job_id, exc)
                return {"ok": True, "message": "job started (by an earlier attempt)"}

    def _started(self, job_id: str) -> _Flow[bool]:
        """Whether the job has left NEW (False when it cannot be read)."""
        try:
            job = (yield from self._get_job(job_id)).job
        except ByteNiteError:
            return False
        return job.state is not None and job.state != JobState.NEW


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
    error.maybe_applied = True
    return _noted(error, f" The job may have been created ({why}): {_CHECK}.")


def _not_created(error: ByteNiteError, sent: int) -> ByteNiteError:
    """The last failure, after the jobs list showed no job from any attempt."""
    times = "once" if sent == 1 else f"{sent} times"
    note = f" The create was sent {times}; the jobs list shows no such job, so none was created."
    error.maybe_applied = False
    return _noted(error, note)


def _noted(error: ByteNiteError, note: str) -> ByteNiteError:
    if isinstance(error, ApiError):
        error.message += note
    else:
        error.args = (f"{error.args[0] if error.args else error}{note}", *error.args[1:])
    return error
