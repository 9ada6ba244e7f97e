"""Concurrent creates (and runs): threads sharing one ``httpx.Client``, or anyio tasks.

Both drivers use a fixed pool of ``concurrency`` workers that take items one
at a time, so never more than ``concurrency`` requests are in flight (each
worker makes one request at a time), whatever the batch size. The sync driver
uses no event loop at all, so it works inside a running kernel. What happens
to an item (created, refused, unknown) is decided by one set of functions
shared by both drivers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from typing import TYPE_CHECKING, TypeVar

from ..models import JobState
from .item import BatchItem, maybe_created

if TYPE_CHECKING:  # pragma: no cover
    from ..models import JobResponse
    from .batch import JobBatch
    from .progress import Progress

T = TypeVar("T")
A = TypeVar("A")
#: How often the waiting thread wakes up to refresh the progress display.
TICK = 0.25


# -- what becomes of an item (shared) ------------------------------------------------
def _sending(batch: JobBatch, item: BatchItem) -> None:
    with batch._lock:
        item.phase = "sending"


def _created(batch: JobBatch, item: BatchItem, response: JobResponse) -> None:
    with batch._lock:
        item.response, item.phase, item.error = response, "created", None


def _not_created(batch: JobBatch, item: BatchItem, error: BaseException) -> None:
    with batch._lock:
        item.error = error
        item.phase = "unknown" if maybe_created(error) else "error"
        item.unknown_at = time.monotonic() if item.phase == "unknown" else None


def _run_failed(batch: JobBatch, item: BatchItem, error: BaseException) -> None:
    with batch._lock:
        item.error = error
        item.run = "unknown" if maybe_created(error) else "error"


def _already_started(response: JobResponse) -> bool:
    state = response.job.state
    return state is not None and state != JobState.NEW


# -- sync -------------------------------------------------------------------------------
def _ran(
    batch: JobBatch, item: BatchItem, error: BaseException | None, latest: JobResponse | None
) -> None:
    """Record a run call's outcome: done, unless it failed (``error``) and the
    job (``latest``, None if it could not be read) shows it did not start."""
    if error is not None:
        if latest is None or not _already_started(latest):
            _run_failed(batch, item, error)
            return
        with batch._lock:
            item.response = latest
    with batch._lock:
        item.run = "done"
        item.error = None


def create_sync(batch: JobBatch, items: Sequence[BatchItem], progress: Progress) -> None:
    """Create (and, with ``batch.run``, run) ``items`` in a pool of threads.

    On an interrupt the queued items are cancelled (they stay ``pending``),
    the ones in flight finish in the background (``resume()`` waits for them)
    and the interrupt is re-raised.
    """
    client = batch.client
    stop = threading.Event()

    def one(item: BatchItem) -> None:
        if stop.is_set():
            return
        _sending(batch, item)
        try:
            response = client.create_job(item.payload())
        except Exception as exc:
            _not_created(batch, item, exc)
            return
        _created(batch, item, response)
        if batch.run and not stop.is_set():
            run_one_sync(batch, item)

    run_in_threads(batch, one, items, progress, stop)


def run_one_sync(batch: JobBatch, item: BatchItem) -> None:
    """Start a created job; a run refused because it already started is a success."""
    client = batch.client
    job_id = item.id
    if job_id is None:
        return
    with batch._lock:
        item.run = "sending"
    try:
        client.run_job(job_id)
    except Exception as exc:
        try:
            latest = client.get_job(job_id)
        except Exception:
            latest = None
        _ran(batch, item, exc, latest)
        return
    _ran(batch, item, None, None)


def run_in_threads(
    batch: JobBatch,
    work: Callable[[BatchItem], None],
    items: Sequence[BatchItem],
    progress: Progress,
    stop: threading.Event,
) -> None:
    """``work(item)`` for every item on ``batch.concurrency`` threads; progress ticks."""
    if not items:
        return
    pool = ThreadPoolExecutor(
        max_workers=min(batch.concurrency, len(items)), thread_name_prefix="bn-batch"
    )
    futures = [pool.submit(work, item) for item in items]
    try:
        pending = set(futures)
        while pending:
            done, pending = futures_wait(pending, timeout=TICK, return_when=FIRST_EXCEPTION)
            progress.update()
            for future in done:
                future.result()  # a bug in work() surfaces here, not silently
    except BaseException:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        batch._background.append(pool)
        raise
    pool.shutdown(wait=True)


def map_sync(batch: JobBatch, fn: Callable[[A], T], args: Sequence[A]) -> list[T | Exception]:
    """``fn(arg)`` for each arg on ``batch.concurrency`` threads; results or errors, in order."""
    results: list[T | Exception] = [RuntimeError("not done")] * len(args)

    def one(index: int) -> None:
        try:
            results[index] = fn(args[index])
        except Exception as exc:
            results[index] = exc

    if not args:
        return []
    with ThreadPoolExecutor(max_workers=min(batch.concurrency, len(args))) as pool:
        for future in [pool.submit(one, i) for i in range(len(args))]:
            future.result()
    return results


# -- async --------------------------------------------------------------------------------
async def create_async(batch: JobBatch, items: Sequence[BatchItem], progress: Progress) -> None:
    """The async twin of :func:`create_sync`: ``concurrency`` tasks in an anyio task group.

    Cancelled (the task is cancelled, or the kernel interrupted), an item
    whose create was in flight is marked ``unknown``; ``resume()`` checks it.
    """
    import anyio

    client = batch.client
    cancelled = anyio.get_cancelled_exc_class()

    async def one(item: BatchItem) -> None:
        _sending(batch, item)
        try:
            response = await client.create_job(item.payload())
        except cancelled:
            _not_created(batch, item, KeyboardInterrupt("cancelled while in flight"))
            raise
        except Exception as exc:
            _not_created(batch, item, exc)
            return
        _created(batch, item, response)
        if batch.run:
            await run_one_async(batch, item)

    await run_in_tasks(batch, one, items, progress)


async def run_one_async(batch: JobBatch, item: BatchItem) -> None:
    """The async twin of :func:`run_one_sync`."""
    client = batch.client
    job_id = item.id
    if job_id is None:
        return
    with batch._lock:
        item.run = "sending"
    try:
        await client.run_job(job_id)
    except Exception as exc:
        try:
            latest = await client.get_job(job_id)
        except Exception:
            latest = None
        _ran(batch, item, exc, latest)
        return
    _ran(batch, item, None, None)


async def run_in_tasks(
    batch: JobBatch,
    work: Callable[[BatchItem], Awaitable[None]],
    items: Sequence[BatchItem],
    progress: Progress,
) -> None:
    """``await work(item)`` for every item on ``batch.concurrency`` tasks; progress ticks."""
    import anyio

    if not items:
        return
    queue = iter(items)

    async def worker() -> None:
        for item in queue:  # one shared iterator: each item is taken once
            await work(item)

    async def ticker() -> None:
        while True:
            await anyio.sleep(TICK)
            progress.update()

    async with anyio.create_task_group() as outer:
        outer.start_soon(ticker)
        async with anyio.create_task_group() as workers:
            for _ in range(min(batch.concurrency, len(items))):
                workers.start_soon(worker)
        outer.cancel_scope.cancel()


async def map_async(
    batch: JobBatch, fn: Callable[[A], Awaitable[T]], args: Sequence[A]
) -> list[T | Exception]:
    """The async twin of :func:`map_sync`."""
    import anyio

    results: list[T | Exception] = [RuntimeError("not done")] * len(args)
    queue = iter(range(len(args)))

    async def worker() -> None:
        for index in queue:
            try:
                results[index] = await fn(args[index])
            except Exception as exc:
                results[index] = exc

    async with anyio.create_task_group() as group:
        for _ in range(min(batch.concurrency, len(args))):
            group.start_soon(worker)
    return results
