"""What the service answers about a job: ``Job`` and ``JobResponse``."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field

from ._base import _WireModel
from ._parts import AppParams, JobConfig, JobTemplate, SelectionList
from ._spec import ExecutionPriority, JobState
from ._values import Int64, _brief
from .data_source import DataSource

# --------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------


class Job(_WireModel):
    """``jobJob``: a job as the service reports it. Every field may be missing."""

    spec_name: ClassVar[str] = "jobJob"

    id: str | None = None
    template_id: str | None = None
    name: str | None = None
    config: JobConfig | None = None
    priority: ExecutionPriority | None = None
    start_at: datetime | None = None
    submitted_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    regions: SelectionList | None = None
    state: JobState | None = None
    data_source: DataSource | None = None
    params: AppParams | None = None
    data_destination: DataSource | None = None
    duration: float | None = None
    deleted_at: datetime | None = None
    created_at: datetime | None = None
    payment_amount: float | None = None
    num_units_estimation: Int64 | None = None
    num_chunks: int | None = None
    error_message: str | None = None
    description: str | None = None
    state_timestamps: dict[str, datetime] | None = None
    app_id: str | None = None
    template_info: JobTemplate | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display import job_mimebundle

        return job_mimebundle(JobResponse(job=self, template_info=self.template_info), include)

    def __repr__(self) -> str:
        state = self.state.short_name if self.state else "?"
        state = state if len(state) <= 60 else state[:59] + "…"
        return f"Job(id={_brief(self.id, 80)}, name={_brief(self.name, 80)}, state={state})"


class JobResponse(_WireModel):
    """``jobsJobResponse``: what create and get return."""

    spec_name: ClassVar[str] = "jobsJobResponse"

    job: Job = Field(default_factory=Job)
    template_info: JobTemplate | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display import job_mimebundle

        return job_mimebundle(self, include)

    def _repr_html_(self) -> str:
        from ..display import job_html

        return job_html(self)

    def __repr__(self) -> str:
        return f"JobResponse({self.job!r})"

    def __str__(self) -> str:
        from ..display import job_text

        return job_text(self)
