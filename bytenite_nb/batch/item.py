"""One item of a batch: its request, and its job or its error, and where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from ..models import CreateJobRequest, Job, JobResponse, JobState

#: ``concurrency`` must be in this range (httpx pools 100 connections).
MAX_CONCURRENCY = 100

#: Where the create of an item stands:
#: ``invalid``  failed local validation, never sent;
#: ``pending``  not sent yet (or cancelled before it was sent);
#: ``sending``  in flight;
#: ``unknown``  sent, but whether the job was created is not known (the answer
#:              was lost, or the call was interrupted): ``resume()`` looks for it;
#: ``error``    the service refused it (nothing was created);
#: ``created``  the job exists (``response``).
Phase = Literal["invalid", "pending", "sending", "unknown", "error", "created"]
RunPhase = Literal["no", "sending", "unknown", "error", "done"]


@dataclass
class BatchItem:
    """One request of a batch and what became of it: ``request`` (the validated
    wire dict, the raw input when invalid), ``response`` once created (refreshed
    by ``wait()``), ``error`` (the last one), and ``marker``, which ends the job's
    description: how a create whose answer was lost is found.
    """

    index: int
    request: dict[str, Any]
    marker: str
    values: dict[str, Any] = field(default_factory=dict)
    response: JobResponse | None = None
    error: BaseException | None = None
    phase: Phase = "pending"
    run: RunPhase = "no"
    #: The job was deleted on the service (a ``get`` answered 404).
    gone: bool = False
    #: When (the client's clock) the create outcome became unknown; not saved.
    unknown_at: float | None = field(default=None, repr=False, compare=False)
    #: ``request`` as validated when the batch was built, sent as is; not saved
    #: (a loaded batch's requests are validated as they are sent).
    parsed: CreateJobRequest | None = field(default=None, repr=False, compare=False)

    @property
    def job(self) -> Job | None:
        """The job, once created."""
        return self.response.job if self.response is not None else None

    @property
    def id(self) -> str | None:
        """The job id, once created."""
        job = self.job
        return job.id if job is not None else None

    @property
    def state(self) -> JobState | None:
        job = self.job
        return job.state if job is not None else None

    @property
    def done(self) -> bool:
        """True when waiting on this item is over (the job ended, or there is none)."""
        state = self.state
        return self.phase != "created" or self.gone or (state is not None and state.is_terminal)

    @property
    def status(self) -> str:
        """One word for tables and counts: ``complete``, ``failed``, ``running``,
        ``new`` (created, not started), or the create phase when there is no job."""
        if self.phase != "created":
            return self.phase
        if self.gone:
            return "deleted"
        state = self.state
        if state is not None and state.is_terminal:
            return "failed" if state.is_failed else "complete"
        if state is None or state == JobState.NEW or not state.is_known:
            return "running" if self.run == "done" else "new"
        return "running"

    @property
    def duration(self) -> float | None:
        """Seconds the job ran (the service's figure, else from its timestamps)."""
        job = self.job
        if job is None:
            return None
        if job.duration is not None:
            return job.duration
        start: datetime | None = job.started_at or job.submitted_at
        if start is not None and job.ended_at is not None:
            return (job.ended_at - start).total_seconds()
        return None

    def __repr__(self) -> str:
        job = f", id={self.id!r}" if self.id else ""
        error = f", error={type(self.error).__name__}" if self.error is not None else ""
        return f"BatchItem(index={self.index}, status={self.status!r}{job}{error})"


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C (the stop button) during a batch call; ``.batch`` is the partial batch
    (creates in flight finish or are ``unknown``): ``batch.resume()`` finishes it."""

    def __init__(self, batch: Any) -> None:
        super().__init__("batch interrupted: batch.resume() finishes it")
        self.batch = batch
