"""Finishing a partial batch without creating anything twice.

Each item is sent with a marker in its description (``[bn-batch:<batch
id>:<index>]``, see :meth:`BatchItem.payload`). An item whose create was sent
but whose answer never came back (``unknown``) is looked for in the jobs list
(newest first, back to a little before the batch was made): found, the item
takes that job; not found, it was not created and is sent again.

Assumes the jobs list shows a job as soon as its create has answered (true of
the sandbox; UNCONFIRMED for the service, hence the marker search runs only
for items whose outcome is unknown, never for items known to be created or
refused).
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..models import JobState
from .wait import PAGE_SIZE, ListPage

if TYPE_CHECKING:  # pragma: no cover
    from ..models import Job
    from .batch import JobBatch
    from .item import BatchItem

#: How far back (at most) the jobs list is searched for lost creates.
MAX_FIND_PAGES = 100
#: Clock skew allowed between this machine and the service.
SKEW = timedelta(minutes=10)
#: A create cut off in flight may still land this long after: wait before looking.
GRACE = 1.0
#: Rounds of "look for the unknown ones, send again those not found" per resume.
ROUNDS = 3
_MARKER = re.compile(r"\[(bn-batch:[0-9a-f]+:\d+)\]")


def marker_of(description: str | None) -> str | None:
    """The batch marker in a job's description, if it has one."""
    if not description:
        return None
    found = _MARKER.findall(description)
    return found[-1] if found else None


def find_flow(batch: JobBatch, items: list[BatchItem]) -> Generator[ListPage, Any, dict[int, Job]]:
    """Look for ``items`` (by marker) in the jobs list; returns ``{index: job}`` found."""
    wanted = {item.marker: item for item in items}
    found: dict[int, Job] = {}
    since = _parse(batch.created_at)
    offset = 0
    for _ in range(MAX_FIND_PAGES):
        page = yield ListPage(PAGE_SIZE, offset)
        jobs = list(page.jobs)
        for job in jobs:
            item = wanted.get(marker_of(job.description) or "")
            if item is not None:
                found.setdefault(item.index, job)
        if len(found) == len(wanted) or not page.has_next or not jobs:
            break
        last = jobs[-1].created_at
        if since is not None and last is not None and last < since - SKEW:
            break
        offset += len(jobs)
    return found


def grace(items: list[BatchItem]) -> float:
    """Seconds to wait before the jobs list can tell whether ``items`` were created."""
    stamps = [item.unknown_at for item in items if item.unknown_at is not None]
    return max(0.0, GRACE - (time.monotonic() - max(stamps))) if stamps else 0.0


def plan(batch: JobBatch, attempt: int, resolved: list[BatchItem]) -> list[BatchItem]:
    """What a round sends: first every item with no job, then only those that
    were found not to exist after an unknown outcome."""
    if attempt == 0:
        return to_create(batch)
    return [item for item in resolved if item.phase == "pending"]


def apply_found(batch: JobBatch, items: list[BatchItem], found: dict[int, Job]) -> None:
    """Found jobs are adopted; the rest are known not to exist and become ``pending``."""
    from ..models import JobResponse

    with batch._lock:
        for item in items:
            job = found.get(item.index)
            if job is not None:
                item.response, item.phase, item.error = JobResponse(job=job), "created", None
                if batch.run and item.run == "no":
                    item.run = "unknown"  # resume runs it unless it already started
            else:
                item.phase, item.error = "pending", None
            item.unknown_at = None


def to_create(batch: JobBatch) -> list[BatchItem]:
    """Items with no job that resuming sends (again): not sent, or refused earlier."""
    return [item for item in batch.items if item.phase in ("pending", "error")]


def to_run(batch: JobBatch) -> list[BatchItem]:
    """Created items of a ``run=True`` batch that are not known to be started."""
    if not batch.run:
        return []
    return [
        item
        for item in batch.items
        if item.phase == "created"
        and not item.gone
        and item.run != "done"
        and (item.state is None or item.state == JobState.NEW)
    ]


def _parse(stamp: str) -> datetime | None:
    try:
        return datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return None
