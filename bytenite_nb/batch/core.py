"""The one core of ``JobBatch`` and ``AsyncJobBatch``: the items, what they show,
and every batch call as a flow: one ``submit_job`` flow per item (with its
marker) gathered under ``concurrency``, a wait on the jobs list (``wait.py``),
a resume that looks for creates left in doubt by their markers (the client's
lost-create search) before sending them again.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from ..client import MAX_ITEMS, check_item_count, parse_request
from ..client.flows import (
    ClientFlows,
    Flow,
    Gather,
    Sleep,
    driven,
    may_be_applied,
    prepare_dest,
)
from ..errors import ApiError, PayloadError
from ..models import DataSource, JobResponse, JobState
from ..models.marker import make_marker
from ..progress import Frame, Live, Stage, detect_mode, show_in_place
from . import persist
from .item import MAX_CONCURRENCY, BatchItem
from .sweeps import grid_values
from .wait import WaitOptions, wait_flow

if TYPE_CHECKING:  # pragma: no cover
    from ..display.batch import BatchView  # built inside the reprs (DESIGN.md: lazy reprs)

C = TypeVar("C", bound="ClientFlows")

#: Pages of the jobs list read at most for lost creates (100 jobs a page).
MAX_FIND_PAGES = 100
#: A create cut off in flight may still land this long after: wait before looking.
GRACE = 1.0


def _item_error(item: BatchItem) -> str:
    """The item's error in one line (a table cell): field problems, the status and
    message, or its failed job's reason."""
    error, job = item.error, item.job
    if isinstance(error, PayloadError):
        first = "; ".join(f"{e['field'] or '(payload)'}: {e['message']}" for e in error.errors[:3])
        more = f" (+{len(error.errors) - 3} more)" if len(error.errors) > 3 else ""
        return f"invalid: {first}{more}"
    if isinstance(error, ApiError):
        return f"{error.reason}: {error.message}"
    if error is not None:
        text = str(error).strip().splitlines()
        return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__
    if job is not None and job.state is not None and job.state.is_failed:
        return job.error_message or "the job failed"
    return ""


class BatchCore(Generic[C]):
    """Many jobs as one object, bound to a client of type ``C``."""

    def __init__(
        self,
        client: C,
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
        #: Held while ``items`` change (a create, a wait round): hold it to read them at once.
        self.lock = threading.Lock()
        #: Waits for flows an interrupted call left in flight (they finish and record).
        self._background: list[Callable[[], None]] = []

    @classmethod
    def build(
        cls,
        client: C,
        requests: Sequence[Any],
        concurrency: int = 16,
        run: bool = False,
        progress: bool | None = None,
        max_items: int | None = MAX_ITEMS,
    ) -> Self:
        """A batch of unsent items; invalid requests get their ``PayloadError`` now;
        ``TooManyItemsError`` past ``max_items``."""
        if isinstance(requests, (str, bytes, Mapping)) or not isinstance(requests, Sequence):
            raise TypeError("requests must be a list of request dicts (or CreateJobRequests)")
        check_item_count(
            len(requests), max_items, field="requests", subject="create_jobs call", verb="send"
        )
        batch = cls(client, [], run=run, concurrency=concurrency, progress=progress)
        for index, raw in enumerate(requests):
            marker = make_marker(batch.batch_id, index)
            try:
                wire = parse_request(raw).to_payload()
                # What is sent is this snapshot's model: a caller's later edits to the
                # objects it passed (shared by a first model) never reach the service.
                item = BatchItem(index, wire, marker, parsed=parse_request(wire))
            except PayloadError as exc:
                wire = dict(raw) if isinstance(raw, Mapping) else {}
                item = BatchItem(index, wire, marker, error=exc, phase="invalid")
            batch.items.append(item)
        values = grid_values([item.request for item in batch.items])
        for item, grid in zip(batch.items, values, strict=True):
            item.values = grid
        return batch

    @classmethod
    def _restore(cls, path: str | os.PathLike[str], client: C) -> Self:
        saved, items = persist.load(path)
        header = saved.model_dump(include={"run", "concurrency", "batch_id", "created_at"})
        return cls(client, items, **header)

    # -- what it holds ------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        """The ids of the jobs created so far, in item order."""
        return [item.id for item in self.items if item.id]

    def counts(self) -> dict[str, int]:
        """How many items have each status (``complete``, ``running``, ``error``...)."""
        with self.lock:
            return dict(Counter(item.status for item in self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[BatchItem]:
        return iter(self.items)

    def __getitem__(self, index: int) -> BatchItem:
        return self.items[index]

    # -- the calls, as flows ------------------------------------------------------------
    def _settle(self) -> None:
        """Let flows still in flight from an interrupted call finish (they record)."""
        while self._background:
            self._background.pop()()

    def _progress(self, doing: str) -> Live:
        """The call's live output: the summary while ``doing``, then the batch card."""

        def render(stage: Stage) -> Frame:
            from ..display.batch import live_frame

            return live_frame(self.view(), doing, stage)

        return Live(detect_mode(self.progress), render, key=self)

    def _gather(self, flows: Iterable[Flow[Any]], progress: Live | None = None) -> Gather:
        tick = progress.update if progress is not None else None
        return Gather(flows, self.concurrency, tick, self._background)

    def _in_phase(self, *phases: str) -> list[BatchItem]:
        return [item for item in self.items if item.phase in phases]

    def _to_run(self) -> list[BatchItem]:
        """Created items of a ``run=True`` batch that are not known to be started."""
        if not self.run:
            return []
        return [
            item
            for item in self._in_phase("created")
            if not item.gone
            and item.run != "done"
            and (item.state is None or item.state == JobState.NEW)
        ]

    def _resume_flow(self) -> Flow[None]:
        """See :meth:`JobBatch.resume`."""
        self._settle()
        doubt = self._in_phase("unknown", "sending")  # a job may or may not exist
        if not (doubt or self._in_phase("pending", "error") or self._to_run()):
            return
        with self._progress("creating") as progress:
            if doubt:
                yield from self._find_flow(doubt)
            creates = self._in_phase("pending", "error")  # not sent, or refused earlier
            yield self._gather((self._create_item(item) for item in creates), progress)
            runs = self._to_run()
            yield self._gather((self._run_item(item) for item in runs), progress)

    def _find_flow(self, items: list[BatchItem]) -> Flow[None]:
        """Look for ``items`` in the jobs list: found, they take the job; else ``pending``."""
        stamps = [item.unknown_at for item in items if item.unknown_at is not None]
        if stamps:
            yield Sleep(max(0.0, GRACE - (self.client.clock() - max(stamps))))
        try:  # when the batch was made (wall clock)
            since = datetime.fromisoformat(self.created_at).timestamp()
        except (TypeError, ValueError):
            since = 0.0
        found = yield from self.client._find_created(
            {item.marker for item in items}, since, by_marker=True, pages=MAX_FIND_PAGES
        )
        with self.lock:
            for item in items:
                jobs = found.get(item.marker)
                if jobs:
                    item.response, item.phase, item.error = (
                        JobResponse(job=jobs[0]),
                        "created",
                        None,
                    )
                    if self.run and item.run == "no":
                        item.run = "unknown"  # a run may have followed: checked when resuming
                else:
                    item.phase, item.error = "pending", None
                item.unknown_at = None

    def _create_item(self, item: BatchItem) -> Flow[None]:
        """One item through the submit flow: created (and run) once, recorded as it goes."""

        def record(stage: str, response: Any) -> None:
            with self.lock:
                if stage == "created":
                    item.response, item.phase, item.error = response, "created", None
                elif stage == "starting":
                    item.run = "sending"

        with self.lock:
            item.phase = "sending"
        submit = self.client._submit_job(
            item.parsed or item.request,
            run=self.run,
            on_update=record,
            marker=item.marker,
            refresh=False,
        )
        yield from self._tracked(item, submit, started=self.run)

    def _run_item(self, item: BatchItem) -> Flow[None]:
        """Start a created job (a run sent before may have started it: checked)."""
        earlier = item.run == "unknown"
        with self.lock:
            item.run = "sending"
        start = self.client._run_job(item.id or "", earlier=earlier)
        yield from self._tracked(item, start, started=True)

    def _tracked(self, item: BatchItem, flow: Flow[Any], *, started: bool) -> Flow[None]:
        """Run an item's create or run ``flow``, recording how it ended (in doubt if
        it may have been applied or was cut off in flight)."""
        try:
            yield from flow
            if started:
                with self.lock:
                    item.run, item.error = "done", None
        except Exception as exc:
            doubt = may_be_applied(exc)
            with self.lock:
                item.error = exc
                if item.phase != "created":
                    item.phase = "unknown" if doubt else "error"
                    item.unknown_at = self.client.clock() if doubt else None
                else:
                    item.run = "unknown" if doubt else "error"
        finally:
            with self.lock:
                if item.phase == "sending":
                    item.phase, item.unknown_at = "unknown", self.client.clock()
                if item.run == "sending":
                    item.run = "unknown"

    def _wait_flow(self, timeout: float | None, options: WaitOptions) -> Flow[None]:
        self._settle()
        with self._progress("waiting") as progress:
            yield from wait_flow(self, progress, timeout, **options)

    def _each_job(self, flow: Callable[[str], Flow[Any]]) -> Flow[list[Any]]:
        """``flow(job_id)`` for each job, gathered; per item its result, error or None."""
        self._settle()
        ids = self.ids
        answers = yield self._gather(flow(job_id) for job_id in ids)
        by_id = dict(zip(ids, answers, strict=True))
        return [by_id.get(item.id) if item.id else None for item in self.items]

    def _results_flow(self) -> Flow[list[Any]]:
        """Per item, in order: its ``JobResults``, the error getting them, or ``None`` (no job)."""
        return (yield from self._each_job(self.client._get_job_results))

    def _download_flow(
        self, dest: str | os.PathLike[str], overwrite: bool = False
    ) -> Flow[list[Any]]:
        """Download each job's results into ``dest/<index>_<job id>/``; per item, in
        order: the list of local paths, the error, or ``None`` (no job)."""
        root = prepare_dest(dest)
        width = len(str(max(len(self.items) - 1, 0)))
        folders = {
            item.id: root / f"{item.index:0{width}d}_{item.id}" for item in self.items if item.id
        }
        return (
            yield from self._each_job(
                lambda job_id: self.client._download_results(job_id, folders[job_id], overwrite)
            )
        )

    def _abort_flow(self) -> Flow[list[str]]:
        """Abort every job not ended yet; returns their ids (errors go on the items;
        items not created stay ``pending``)."""
        self._settle()
        targets = [item for item in self.items if item.id and not item.done]
        answers = yield self._gather(self.client._abort_job(item.id or "") for item in targets)
        aborted = []
        with self.lock:
            for item, answer in zip(targets, answers, strict=True):
                if isinstance(answer, Exception):
                    item.error = answer
                elif item.id:
                    aborted.append(item.id)
        return aborted

    get_results = driven(_results_flow)
    download_results = driven(_download_flow)
    abort = driven(_abort_flow)

    # -- showing and keeping ------------------------------------------------------------
    def view(self, title: str | None = None) -> BatchView:
        """What a card shows: counts, errors grouped, the first rows (failures first)."""
        from ..display.batch import BAD_STATUSES, MAX_ROWS, BatchRow, BatchView

        with self.lock:
            errors: dict[str, list[int]] = {}
            rows = []
            for item in self.items:
                message = _item_error(item)
                if message:
                    errors.setdefault(message, []).append(item.index)
                rows.append((item.status not in BAD_STATUSES, item.index, item, message))
            rows.sort(key=lambda row: row[:2])
            shown = [
                BatchRow(
                    item.index, item.values, item.id, item.state, item.status, item.duration, msg
                )
                for _, _, item, msg in rows[:MAX_ROWS]
            ]
            columns: list[str] = []
            for item in self.items[:MAX_ROWS]:
                columns.extend(c for c in item.values if c not in columns)
        counts = self.counts()
        note = ""
        if any(counts.get(s) for s in ("pending", "unknown", "error")):
            note = "Not everything was created: batch.resume() finishes it (no duplicates)."
        title = title or f"Batch {self.batch_id}"
        return BatchView(title, len(self.items), counts, columns, shown, note, errors)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display.batch import batch_mimebundle

        return batch_mimebundle(self.view(), include)

    def _ipython_display_(self) -> None:
        """One output per batch per cell: a live one, if this cell has it, becomes the card."""
        show_in_place(self, self._repr_mimebundle_())

    def _repr_html_(self) -> str:
        from ..display.batch import batch_html

        return batch_html(self.view())

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={v}" for k, v in sorted(self.counts().items()))
        return f"{type(self).__name__}({len(self.items)} items: {counts})"

    def to_pandas(self) -> Any:
        """One row per item: index, the grid values, id, name, status, duration, output
        (where the results go), error. Durations and timeouts are ``Timedelta``.
        Needs pandas (``ImportError`` says so)."""
        try:
            import pandas as pd
        except ImportError:
            raise ImportError(
                "JobBatch.to_pandas() needs pandas, which is not installed: pip install pandas "
                "(batch.items holds the same data without it)"
            ) from None
        from ..display.job import source_summary  # the card's text (a repr of the item)

        rows = []
        with self.lock:
            for item in self.items:
                job = item.job
                name = (job.name if job else None) or item.request.get("name")
                row = {"index": item.index, **item.values, "id": item.id, "name": name}
                row.update(status=item.status, duration=item.duration)
                output = job.data_destination if job is not None else None
                if output is None and isinstance(item.request.get("dataDestination"), dict):
                    with contextlib.suppress(ValueError):
                        output = DataSource.model_validate(item.request["dataDestination"])
                row["output"] = source_summary(output) or None
                row["error"] = _item_error(item) or None
                rows.append(row)
        columns = ["index", "id", "name", "status", "duration", "output", "error"]
        frame = pd.DataFrame(rows or None, columns=None if rows else columns).set_index("index")
        for column in frame.columns:  # seconds → Timedelta
            if column == "duration" or str(column).endswith("Timeout"):
                seconds = pd.to_numeric(frame[column], errors="coerce")
                frame[column] = pd.to_timedelta(seconds, unit="s")
        return frame

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the batch to a JSON file (atomically; no key or token in it)."""
        return persist.save(self, path)
