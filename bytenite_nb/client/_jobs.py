"""The job calls as sans-I/O flows: get, list, wait, abort, delete, logs,
templates (create and run are in ``_once``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from ..errors import ApiError, BadRequestError, NotFoundError, WaitTimeoutError, one_line
from ..models import Job, JobLogs, JobResponse, JobsPage, JobTemplate
from ..models.logs import LOG_SERVICE_NAMES
from ._base import _BaseClient
from ._checks import MAX_PAGE_SIZE, check_job_id, check_page, log_levels, log_services, log_task_ids
from ._payloads import _envelope, check_wait
from ._steps import _Flow, _Sleep


class _JobCalls(_BaseClient):
    """Every job call, written once as a flow for both drivers."""

    #: The largest ``limit`` of ``list_jobs`` (UNCONFIRMED, see ``_checks.MAX_PAGE_SIZE``).
    max_page_size: int = MAX_PAGE_SIZE

    def _get_job(self, job_id: str) -> _Flow[JobResponse]:
        """The job as it stands now."""
        data = yield from self._call("GET", self._job_path(job_id), idempotent=True)
        return self._job_response(data)

    def _list_jobs(self, limit: int = 20, offset: int = 0) -> _Flow[JobsPage]:
        """One page of your jobs, newest first (``.jobs``, ``.total``, ``.has_next``);
        ``PayloadError`` unless 1 <= ``limit`` <= ``max_page_size`` and ``offset`` >= 0."""
        limit, offset = check_page(limit, offset, largest=self.max_page_size)
        query = urlencode({"pagination.limit": limit, "pagination.offset": offset})
        data = yield from self._call("GET", f"/jobs?{query}", idempotent=True)
        try:
            return JobsPage.from_wire(data, limit=limit)
        except ValueError as exc:  # a job in it that does not parse
            raise ApiError(
                f"unexpected jobs list: {one_line(str(exc), 300)}", status_code=200
            ) from None

    def _job_walk(self, page_size: int | None) -> _JobWalk:
        size = self.max_page_size if page_size is None else page_size
        check_page(size, 0, largest=self.max_page_size, limit_name="page_size")
        return _JobWalk(size)

    def _abort_job(self, job_id: str) -> _Flow[dict[str, Any]]:
        """Abort a running job (it ends FAILED); a job never run (NEW) is deleted.
        ``BadRequestError`` saying so if the job has already ended."""
        path = self._job_path(job_id, "/abort")
        try:
            data = yield from self._call("POST", path, body={}, idempotent=False)
        except NotFoundError as error:
            raise _naming(error, job_id) from None
        except BadRequestError as error:
            try:
                job = (yield from self._get_job(job_id)).job
            except ApiError:
                raise error from None
            if job.state is not None and job.state.is_terminal:
                error.message = (
                    f"job {job_id} has already ended ({job.state.short_name}): only a job "
                    f"that is running can be aborted (the service said: {error.message})"
                )
            raise error from None
        return _envelope(data, f"abort job {job_id}")

    def _delete_job(self, job_id: str) -> _Flow[dict[str, Any]]:
        """Delete a job (``NotFoundError`` naming the id if there is none)."""
        path = self._job_path(job_id)
        try:
            # Not repeated after a timeout: a second delete would say "not found".
            data = yield from self._call("DELETE", path, idempotent=False)
        except NotFoundError as error:
            raise _naming(error, job_id) from None
        return _envelope(data, f"delete job {job_id}")

    def _get_job_logs(
        self,
        job_id: str,
        levels: str | Iterable[str] | None = None,
        services: str | Iterable[str] | None = None,
        *,
        task_ids: str | Iterable[str] | None = None,
    ) -> _Flow[JobLogs]:
        """The job's log lines in time order (``.entries``), all or only these
        ``levels`` (``"error"``, ``["WARN", "ERROR"]``, any case), ``services``
        (partitioner, taskrunner, assembler) and ``task_ids``; ``PayloadError``
        listing the valid ones for a level or service that does not exist."""
        job_id = check_job_id(job_id)
        wanted = log_levels(levels)
        where = log_services(services)
        ids = log_task_ids(task_ids)
        names = [LOG_SERVICE_NAMES[service] for service in where]  # the enum names
        body = {"jobId": job_id, "taskIds": ids, "levels": wanted, "services": names}
        try:
            data = yield from self._call("POST", "/logs", body=body, idempotent=True)
        except NotFoundError as error:
            raise _naming(error, job_id) from None
        logs = JobLogs.from_wire(data, job_id=job_id, levels=wanted, services=where, task_ids=ids)
        # Filtered here too, in case the service sends more than was asked.
        return logs.filter(levels=wanted, services=where) if wanted or where else logs

    def _wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        interval: float = 2.0,
        on_update: Callable[[JobResponse], Any] | None = None,
    ) -> _Flow[JobResponse]:
        """Poll the job every ``interval`` s until it ends; return it. ``on_update``
        hears each new state; ``WaitTimeoutError`` (with the last ``response``)
        after ``timeout`` s, the job left running."""
        check_wait(timeout, interval)  # PayloadError before any I/O
        deadline = None if timeout is None else self._clock() + timeout
        seen: Any = object()
        while True:
            response = yield from self._get_job(job_id)
            state = response.job.state
            if state != seen:
                seen = state
                if on_update is not None:
                    on_update(response)
            if state is not None and state.is_terminal:
                return response
            if deadline is not None and self._clock() + interval > deadline:
                word = state.short_name if state is not None else "no state"
                raise WaitTimeoutError(
                    f"job {job_id} is still {word} after {timeout:g} s (it goes on running)",
                    response,
                )
            yield _Sleep(interval)

    def _list_templates(self) -> _Flow[list[JobTemplate]]:
        """The job templates the account can use."""
        data = yield from self._call("GET", "/jobs/templates", idempotent=True)
        items = data.get("data", data.get("templates", [])) if isinstance(data, dict) else data
        if not isinstance(items, list):
            return []
        return [JobTemplate.model_validate(item) for item in items if isinstance(item, dict)]


#: Pages ``iter_jobs`` reads past what the first page's ``total`` needs (jobs
#: created meanwhile shift the list), and at most when no total is given: a
#: service that keeps saying ``hasNext`` cannot loop it.
SLACK_PAGES = 10
MAX_PAGES_UNKNOWN = 1000


class _JobWalk:
    """Where ``iter_jobs`` is in the newest-first list: the next offset, the jobs
    given (never twice), and whether it is done."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.offset = 0
        self.done = False
        self.pages = 0
        self.budget = MAX_PAGES_UNKNOWN
        self._seen: set[str] = set()

    def accept(self, page: JobsPage) -> list[Job]:
        """The jobs of ``page`` not given before; done at ``hasNext`` false, an empty
        page, nothing new, past ``total`` or past the page budget."""
        fresh = []
        for job in page.jobs:
            key = job.id or json.dumps(job.to_wire(), sort_keys=True, default=str)
            if key not in self._seen:
                self._seen.add(key)
                fresh.append(job)
        self.offset += len(page.jobs)
        self.pages += 1
        total = page.total if page.total is not None and page.total >= 0 else None
        if self.pages == 1 and total is not None:
            self.budget = -(-total // self.size) + SLACK_PAGES
        ended = total is not None and self.offset >= total
        if not page.has_next or not fresh or ended or self.pages >= self.budget:
            self.done = True
        return fresh


def _naming(error: NotFoundError, job_id: str) -> NotFoundError:
    """A 404 whose message names the job id (the service's may not)."""
    if job_id not in error.message:
        error.message = f"no job {job_id!r} (it never existed or was deleted): {error.message}"
    return error
