"""Waiting on many jobs without one request per job per poll (:func:`wait_flow`).

A round reads the jobs list newest first until every pending job was seen, the
list ends, a page reaches jobs older than the oldest pending one, or
``MAX_PAGES`` pages were read; the jobs not found are fetched one by one (only
that, when fewer are pending than the pages the last round needed). The pause
grows by ``BACKOFF`` up to ``max_interval`` while no job changes state.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from ..client.flows import SEARCH_JOBS, Flow, Sleep
from ..errors import NotFoundError, WaitTimeoutError
from ..models import Job, JobResponse
from ..progress import Live
from .item import BatchItem

if TYPE_CHECKING:  # pragma: no cover
    from .core import BatchCore  # the core calls this module: for annotations only

#: Jobs per page of the list scan a wait round reads (for its estimate of pages).
PAGE_SIZE = SEARCH_JOBS
#: At most this many list pages per poll round.
MAX_PAGES = 20
BACKOFF = 1.5
MAX_INTERVAL = 30.0


class WaitOptions(TypedDict, total=False):
    """The options of ``JobBatch.wait`` (and its async twin), declared once."""

    #: The first pause between rounds (s), growing to ``max_interval`` while nothing changes.
    interval: float
    max_interval: float
    #: False: poll each job with ``get_job`` only (for a service without the jobs list).
    use_list: bool


def wait_flow(
    batch: BatchCore[Any], progress: Live, timeout: float | None, **options: Unpack[WaitOptions]
) -> Flow[None]:
    """Poll until every item is done (job ended, or no job); ``WaitTimeoutError`` after
    ``timeout`` s."""
    interval, use_list = options.get("interval", 1.0), options.get("use_list", True)
    max_interval = options.get("max_interval", MAX_INTERVAL)
    if not (interval > 0 and math.isfinite(interval)):
        raise ValueError(f"interval must be a positive number of seconds, got {interval!r}")
    clock = batch.client.clock
    deadline = None if timeout is None else clock() + timeout
    delay = interval
    depth = 0  # list pages the last round needed
    while True:
        pending = [item for item in batch.items if not item.done]
        if not pending:
            return
        changed, depth = yield from _poll_round(batch, progress, pending, depth, use_list)
        if all(item.done for item in pending):
            return
        delay = interval if changed else min(delay * BACKOFF, max(max_interval, interval))
        if deadline is not None and clock() + delay > deadline:
            left = sum(1 for item in batch.items if not item.done)
            raise WaitTimeoutError(
                f"{left} of {len(batch.items)} jobs still running after {timeout:g} s "
                "(they go on running; batch.wait() again picks them up)",
                batch,
            )
        progress.update()
        yield Sleep(delay)
        progress.update()


def _poll_round(
    batch: BatchCore[Any], progress: Live, pending: list[BatchItem], depth: int, use_list: bool
) -> Flow[tuple[bool, int]]:
    client = batch.client
    by_id = {item.id: item for item in pending if item.id}
    seen: dict[str, Job] = {}
    pages = 0
    estimate = depth or math.ceil(len(by_id) / PAGE_SIZE)
    if use_list and len(by_id) > estimate:
        found, pages = yield from client._scan_jobs(
            lambda job: job.id, by_id.keys(), _oldest(pending), MAX_PAGES, True
        )
        seen = {job_id: jobs[0] for job_id, jobs in found.items()}
    changed = False
    with batch.lock:
        for job_id, job in seen.items():
            changed |= _refresh(by_id[job_id], job)
    missing = [job_id for job_id in by_id if job_id not in seen]
    if missing:
        answers = yield batch._gather((client._get_job(job_id) for job_id in missing), progress)
        first_error: Exception | None = None
        with batch.lock:
            for job_id, answer in zip(missing, answers, strict=True):
                item = by_id[job_id]
                if isinstance(answer, NotFoundError):
                    item.gone, item.error, changed = True, answer, True
                elif isinstance(answer, Exception):
                    first_error = first_error or answer
                else:
                    changed |= _refresh(item, answer.job)
        if first_error is not None:
            raise first_error
    return changed, pages


def _refresh(item: BatchItem, job: Job) -> bool:
    """Take the job's latest state; True when it changed."""
    before = item.state
    template = item.response.template_info if item.response is not None else None
    item.response = JobResponse(job=job, template_info=template)
    return job.state != before


def _oldest(items: list[BatchItem]) -> float:
    """When the oldest of ``items`` was created (a timestamp; -inf when none says)."""
    stamps = [item.job.created_at for item in items if item.job and item.job.created_at]
    return min(stamps).timestamp() if stamps else -math.inf
