"""``JobBatch``: many jobs as one object (``AsyncJobBatch`` is its async twin)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from ..errors import ApiError, PayloadError
from . import persist, resume
from .item import BatchInterrupted, BatchItem
from .progress import Progress
from .sweeps import grid_values
from .wait import drive_async, drive_sync, wait_flow

if TYPE_CHECKING:  # pragma: no cover
    from ..display.batch import BatchView

#: ``concurrency`` must be in this range (httpx pools 100 connections).
MAX_CONCURRENCY = 100


def error_text(error: BaseException | None) -> str:
    """One line for a table cell: field problems, or the status and message."""
    if error is None:
        return ""
    if isinstance(error, PayloadError):
        first = "; ".join(f"{e['field'] or '(payload)'}: {e['message']}" for e in error.errors[:3])
        more = f" (+{len(error.errors) - 3} more)" if len(error.errors) > 3 else ""
        return f"invalid: {first}{more}"
    if isinstance(error, ApiError):
        return f"{error.reason}: {error.message}"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class JobBatch:
    """Many jobs as one object: ``client.create_jobs(requests)`` makes one.

    ``items`` are in input order, each with its ``request`` and its
    ``response`` (the job) or its ``error``. Interrupted (Ctrl-C, the stop
    button), a batch call raises :class:`BatchInterrupted` whose ``.batch`` is
    this object, also kept as ``client.last_batch``; ``resume()`` finishes it.
    """

    def __init__(
        self,
        client: Any,
        items: list[BatchItem],
        *,
        run: bool = False,
        concurrency: int = 16,
        batch_id: str | None = None,
        created_at: str | None = None,
        progress: bool | None = None,
    ) -> None:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int):
            raise TypeError(f"concurrency must be an int, got {concurrency!r}")
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be 1 to {MAX_CONCURRENCY}, got {concurrency}")
        self.client = client
        self.items = items
        self.run = bool(run)
        self.concurrency = concurrency
        self.batch_id = batch_id or uuid.uuid4().hex[:12]
        self.created_at = created_at or datetime.now(timezone.utc).isoformat()
        #: Show progress (None: in a notebook or on a terminal only).
        self.progress = progress
        self._lock = threading.Lock()
        self._background: list[ThreadPoolExecutor] = []
        self._sleep: Callable[[float], Any] = time.sleep

    @classmethod
    def build(
        cls,
        client: Any,
        requests: Sequence[Any],
        *,
        concurrency: int = 16,
        run: bool = False,
        progress: bool | None = None,
    ) -> Self:
        """A batch of unsent items; invalid requests get their ``PayloadError`` now."""
        from ..client import parse_request

        if isinstance(requests, (str, bytes, Mapping)) or not isinstance(requests, Sequence):
            raise TypeError("requests must be a list of request dicts (or CreateJobRequests)")
        batch = cls(client, [], run=run, concurrency=concurrency, progress=progress)
        wires: list[dict[str, Any]] = []
        for index, raw in enumerate(requests):
            marker = f"bn-batch:{batch.batch_id}:{index}"
            try:
                wire = parse_request(raw).to_payload()
                item = BatchItem(index, wire, marker)
            except PayloadError as exc:
                wire = dict(raw) if isinstance(raw, Mapping) else {}
                item = BatchItem(index, wire, marker, error=exc, phase="invalid")
            wires.append(wire)
            batch.items.append(item)
        for item, values in zip(batch.items, grid_values(wires), strict=True):
            item.values = values
        return batch

    # -- what it holds ------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """The ids of the jobs created so far, in item order."""
        return [item.id for item in self.items if item.id]

    def counts(self) -> dict[str, int]:
        """How many items have each status (``complete``, ``running``, ``error``...)."""
        out: dict[str, int] = {}
        with self._lock:
            for item in self.items:
                out[item.status] = out.get(item.status, 0) + 1
        return out

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[BatchItem]:
        return iter(self.items)

    def __getitem__(self, index: int) -> BatchItem:
        return self.items[index]

    # -- creating --------------------------------------------------------------------------
    def _progress(self, doing: str) -> Progress:
        name = f"Batch {self.batch_id}"
        return Progress(self, f"{name}: {doing}", self.progress, done=name)

    def _settle(self) -> None:
        """Let creates still in flight from an interrupted call finish (they record)."""
        while self._background:
            self._background.pop().shutdown(wait=True)

    def start(self) -> JobBatch:
        """Send every item not sent yet (what ``create_jobs`` does)."""
        return self.resume()

    def resume(self) -> JobBatch:
        """Finish the batch: create what is missing, run what is not started; no duplicates.

        Waits for creates still in flight from an interrupted call, looks for
        items whose create outcome is unknown in the jobs list (by marker),
        then sends the items with no job (never sent, or refused); creates
        whose answer is lost on the way are looked for and sent again the same
        way (up to ``resume.ROUNDS`` rounds). With ``run=True``, starts the
        created jobs not known to be started.
        """
        from .submit import create_sync, run_in_threads, run_one_sync

        self._settle()
        if not (resume.to_create(self) or resume.to_run(self) or self._unknown()):
            return self
        try:
            with self._progress("creating") as progress:
                for attempt in range(resume.ROUNDS):
                    unknown = [item for item in self.items if item.phase == "unknown"]
                    if unknown:
                        self._sleep(resume.grace(unknown))
                        found = _drive_find(self, resume.find_flow(self, unknown))
                        resume.apply_found(self, unknown, found)
                    create_sync(self, resume.plan(self, attempt, unknown), progress)
                    if not any(item.phase == "unknown" for item in self.items):
                        break
                runs = resume.to_run(self)
                run_in_threads(
                    self, lambda item: run_one_sync(self, item), runs, progress, threading.Event()
                )
        except KeyboardInterrupt:
            raise BatchInterrupted(self) from None
        return self

    def _unknown(self) -> list[BatchItem]:
        return [item for item in self.items if item.phase == "unknown"]

    # -- following ---------------------------------------------------------------------
    def wait(
        self,
        timeout: float | None = None,
        *,
        interval: float = 1.0,
        max_interval: float = 30.0,
        use_list: bool = True,
    ) -> JobBatch:
        """Poll until every job ended (``WaitTimeoutError`` after ``timeout`` s).

        Uses the jobs list, a few pages per round, rather than one request per
        job (see ``bytenite_nb.batch.wait``); the interval grows from
        ``interval`` to ``max_interval`` while nothing changes.
        """
        self._settle()
        flow = wait_flow(
            self, timeout=timeout, interval=interval, max_interval=max_interval, use_list=use_list
        )
        with self._progress("waiting") as progress:
            drive_sync(self, flow, progress)
        return self

    def get_results(self) -> list[Any]:
        """Per item, in order: its ``JobResults``, the error getting them, or ``None`` (no job)."""
        return self._per_job(lambda job_id: self.client.get_job_results(job_id))

    def download_results(self, dest: str | os.PathLike[str], overwrite: bool = False) -> list[Any]:
        """Download each job's results into ``dest/<index>_<job id>/``.

        Per item, in order: the list of local paths, the error, or ``None`` (no job).
        """
        folders = self._folders(Path(dest))
        return self._per_job(
            lambda job_id: self.client.download_results(
                job_id, folders[job_id], overwrite=overwrite
            )
        )

    def abort(self) -> list[str]:
        """Abort every job not ended yet; returns their ids. Items not yet created stay
        ``pending`` (``resume()`` would create them). Errors are put on the items."""
        self._settle()
        targets = [item for item in self.items if item.id and not item.done]
        if not targets:
            return []
        from .submit import map_sync

        answers = map_sync(self, self.client.abort_job, [item.id or "" for item in targets])
        return self._record_aborts(targets, answers)

    # -- helpers shared with the async twin ------------------------------------------------
    def _folders(self, dest: Path) -> dict[str, Path]:
        from ..client._transfers import prepare_dest

        dest = prepare_dest(dest)  # created (its parent must exist): one folder per job in it
        width = len(str(max(len(self.items) - 1, 0)))
        return {
            item.id: dest / f"{item.index:0{width}d}_{item.id}" for item in self.items if item.id
        }

    def _per_job(self, fn: Callable[[str], Any]) -> list[Any]:
        from .submit import map_sync

        self._settle()
        ids = self.ids
        answers = dict(zip(ids, map_sync(self, fn, ids), strict=True))
        return [answers.get(item.id) if item.id else None for item in self.items]

    def _record_aborts(self, targets: list[BatchItem], answers: list[Any]) -> list[str]:
        aborted = []
        with self._lock:
            for item, answer in zip(targets, answers, strict=True):
                if isinstance(answer, Exception):
                    item.error = answer
                elif item.id:
                    aborted.append(item.id)
        return aborted

    # -- showing and keeping ------------------------------------------------------------
    def view(self, title: str | None = None) -> BatchView:
        """The plain data a card shows (counts, and the first rows)."""
        from ..display.batch import MAX_ROWS, BatchRow, BatchView

        with self._lock:
            rows = []
            columns: list[str] = []
            for item in self.items[:MAX_ROWS]:
                columns.extend(c for c in item.values if c not in columns)
                job = item.job
                failed = job is not None and job.state is not None and job.state.is_failed
                message = error_text(item.error)
                if not message and failed and job is not None:
                    message = job.error_message or "the job failed"
                rows.append(
                    BatchRow(
                        item.index,
                        item.values,
                        item.id,
                        item.state,
                        item.status,
                        item.duration,
                        message,
                    )
                )
        counts = self.counts()
        note = ""
        if any(counts.get(s) for s in ("pending", "unknown", "error")):
            note = "Not everything was created: batch.resume() finishes it (no duplicates)."
        return BatchView(
            title or f"Batch {self.batch_id}", len(self.items), counts, columns, rows, note
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display.batch import batch_mimebundle

        return batch_mimebundle(self.view(), include)

    def _repr_html_(self) -> str:
        from ..display.batch import batch_html

        return batch_html(self.view())

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.counts().items()))
        return f"{type(self).__name__}({len(self.items)} items: {counts})"

    def to_pandas(self) -> Any:
        """One row per item: index, the grid values, id, name, status, state, duration, error.

        Needs pandas (``pip install pandas``); ``ImportError`` says so when it is absent.
        """
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "JobBatch.to_pandas() needs pandas, which is not installed: pip install pandas "
                "(batch.items holds the same data without it)"
            ) from None
        rows = []
        with self._lock:
            for item in self.items:
                job = item.job
                row: dict[str, Any] = {"index": item.index, **item.values}
                row["id"] = item.id
                row["name"] = (job.name if job else None) or item.request.get("name")
                row["status"] = item.status
                row["state"] = item.state.short_name if item.state is not None else None
                row["duration"] = item.duration
                failed = job is not None and job.state is not None and job.state.is_failed
                error = error_text(item.error)
                if not error and failed and job is not None:
                    error = job.error_message or "the job failed"
                row["error"] = error or None
                rows.append(row)
        columns = ["index", "id", "name", "status", "state", "duration", "error"]
        return pd.DataFrame(rows or None, columns=None if rows else columns).set_index("index")

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the batch to a JSON file (atomically; no key or token in it)."""
        return persist.save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], client: Any) -> JobBatch:
        """A saved batch, bound to ``client`` (an ``AsyncClient`` gives an ``AsyncJobBatch``).

        Nothing is sent: ``resume()`` finishes it, ``wait()`` follows it.
        """
        data, items = persist.load(path)
        kind: type[JobBatch] = cls
        if cls is JobBatch and _is_async(client):
            kind = AsyncJobBatch
        return kind(
            client,
            items,
            run=bool(data.get("run")),
            concurrency=int(data.get("concurrency") or 16),
            batch_id=str(data["batchId"]),
            created_at=str(data.get("createdAt") or ""),
        )


class AsyncJobBatch(JobBatch):
    """The batch of an ``AsyncClient``: the calls that talk to the service are ``async``."""

    async def start(self) -> AsyncJobBatch:  # type: ignore[override]
        return await self.resume()

    async def resume(self) -> AsyncJobBatch:  # type: ignore[override]
        """See :meth:`JobBatch.resume`."""
        import anyio

        from .submit import create_async, run_in_tasks, run_one_async

        if not (resume.to_create(self) or resume.to_run(self) or self._unknown()):
            return self
        with self._progress("creating") as progress:
            for attempt in range(resume.ROUNDS):
                unknown = [item for item in self.items if item.phase == "unknown"]
                if unknown:
                    await anyio.sleep(resume.grace(unknown))
                    found = await _drive_find_async(self, resume.find_flow(self, unknown))
                    resume.apply_found(self, unknown, found)
                await create_async(self, resume.plan(self, attempt, unknown), progress)
                if not any(item.phase == "unknown" for item in self.items):
                    break
            runs = resume.to_run(self)
            await run_in_tasks(self, lambda item: run_one_async(self, item), runs, progress)
        return self

    async def wait(  # type: ignore[override]
        self,
        timeout: float | None = None,
        *,
        interval: float = 1.0,
        max_interval: float = 30.0,
        use_list: bool = True,
    ) -> AsyncJobBatch:
        """See :meth:`JobBatch.wait`."""
        flow = wait_flow(
            self, timeout=timeout, interval=interval, max_interval=max_interval, use_list=use_list
        )
        with self._progress("waiting") as progress:
            await drive_async(self, flow, progress)
        return self

    async def get_results(self) -> list[Any]:  # type: ignore[override]
        """See :meth:`JobBatch.get_results`."""
        return await self._per_job_async(self.client.get_job_results)

    async def download_results(  # type: ignore[override]
        self, dest: str | os.PathLike[str], overwrite: bool = False
    ) -> list[Any]:
        """See :meth:`JobBatch.download_results`."""
        folders = self._folders(Path(dest))

        async def one(job_id: str) -> Any:
            return await self.client.download_results(job_id, folders[job_id], overwrite=overwrite)

        return await self._per_job_async(one)

    async def abort(self) -> list[str]:  # type: ignore[override]
        """See :meth:`JobBatch.abort`."""
        from .submit import map_async

        targets = [item for item in self.items if item.id and not item.done]
        answers = await map_async(self, self.client.abort_job, [item.id or "" for item in targets])
        return self._record_aborts(targets, answers)

    async def _per_job_async(self, fn: Callable[[str], Any]) -> list[Any]:
        from .submit import map_async

        ids = self.ids
        answers = dict(zip(ids, await map_async(self, fn, ids), strict=True))
        return [answers.get(item.id) if item.id else None for item in self.items]


def _is_async(client: Any) -> bool:
    from ..client import AsyncClient

    return isinstance(client, AsyncClient)


def _drive_find(batch: JobBatch, flow: Any) -> Any:
    value: Any = None
    while True:
        try:
            step = flow.send(value)
        except StopIteration as stop:
            return stop.value
        value = batch.client.list_jobs(limit=step.limit, offset=step.offset)


async def _drive_find_async(batch: JobBatch, flow: Any) -> Any:
    value: Any = None
    while True:
        try:
            step = flow.send(value)
        except StopIteration as stop:
            return stop.value
        value = await batch.client.list_jobs(limit=step.limit, offset=step.offset)
