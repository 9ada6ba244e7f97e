"""Finishing a partial batch without creating anything twice: an item whose
create outcome is ``unknown`` is looked for by its marker (the client's
lost-create search); found, it takes that job, else it is sent again.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from ..client.flows import ClientFlows, Flow, Sleep
from ..models import JobResponse, JobState
from .item import BatchItem

if TYPE_CHECKING:  # pragma: no cover
    from .core import BatchCore  # the core calls this module: for annotations only

C = TypeVar("C", bound="ClientFlows")

#: Pages of the jobs list read at most for lost creates (100 jobs a page).
MAX_FIND_PAGES = 100
#: A create cut off in flight may still land this long after: wait before looking.
GRACE = 1.0


def in_doubt(batch: BatchCore[Any]) -> list[BatchItem]:
    """Items whose create may or may not have made a job."""
    return [item for item in batch.items if item.phase in ("unknown", "sending")]


def find_flow(batch: BatchCore[C], items: list[BatchItem]) -> Flow[None]:
    """Look for ``items`` in the jobs list: found, they take the job; else ``pending``."""
    client = batch.client
    stamps = [item.unknown_at for item in items if item.unknown_at is not None]
    if stamps:
        yield Sleep(max(0.0, GRACE - (client._clock() - max(stamps))))
    found = yield from client._find_created(
        {item.marker for item in items}, _since(batch), by_marker=True, pages=MAX_FIND_PAGES
    )
    with batch._lock:
        for item in items:
            jobs = found.get(item.marker)
            if jobs:
                item.response, item.phase, item.error = JobResponse(job=jobs[0]), "created", None
                if batch.run and item.run == "no":
                    item.run = "unknown"  # a run may have followed: checked when resuming
            else:
                item.phase, item.error = "pending", None
            item.unknown_at = None


def to_create(batch: BatchCore[Any]) -> list[BatchItem]:
    """Items with no job that resuming sends (again): not sent, or refused earlier."""
    return [item for item in batch.items if item.phase in ("pending", "error")]


def to_run(batch: BatchCore[Any]) -> list[BatchItem]:
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


def _since(batch: BatchCore[Any]) -> float:
    """When the batch was made (wall clock), or 0 when its stamp does not parse."""
    try:
        return datetime.fromisoformat(batch.created_at).timestamp()
    except (TypeError, ValueError):
        return 0.0
