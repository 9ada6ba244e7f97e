"""What the service answers about a job: ``Job`` and ``JobResponse``."""

from typing import Annotated, Any, ClassVar

from pydantic import Field

from ..errors import cut
from ._base import Card, _Lenient, _ShownAsCard, _SpecIntegers
from ._parts import AppParams, JobConfig, JobTemplate, SelectionList, _AppParamsOut, _JobConfigOut
from ._spec import ExecutionPriority, JobState
from ._values import Int64, Timestamp
from .data_source import DataSource, _DataSourceOut

# Shared parts are read with their lenient response twins (a request's ``JobConfig``
# refuses a negative timeout); the public class stays accepted for models built in Python.
_Config = Annotated[_JobConfigOut | JobConfig, Field(union_mode="left_to_right")]
_Params = Annotated[_AppParamsOut | AppParams, Field(union_mode="left_to_right")]
_Source = Annotated[_DataSourceOut | DataSource, Field(union_mode="left_to_right")]


class Job(_Lenient, _SpecIntegers):
    """``jobJob``: a job as the service reports it. Every field may be missing,
    and a value a field cannot read is kept among the extra fields (``_Lenient``)."""

    spec_name: ClassVar[str] = "jobJob"

    id: str | None = None
    template_id: str | None = None
    name: str | None = None
    config: _Config | None = None
    priority: ExecutionPriority | None = None
    start_at: Timestamp | None = None
    submitted_at: Timestamp | None = None
    started_at: Timestamp | None = None
    ended_at: Timestamp | None = None
    regions: SelectionList | None = None
    state: JobState | None = None
    data_source: _Source | None = None
    params: _Params | None = None
    data_destination: _Source | None = None
    duration: float | None = None
    deleted_at: Timestamp | None = None
    created_at: Timestamp | None = None
    payment_amount: float | None = None
    num_units_estimation: Int64 | None = None
    num_chunks: int | None = None
    error_message: str | None = None
    description: str | None = None
    state_timestamps: dict[str, Timestamp] | None = None
    app_id: str | None = None
    template_info: JobTemplate | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display.job import job_mimebundle

        return job_mimebundle(JobResponse(job=self, template_info=self.template_info), include)

    def __repr__(self) -> str:
        state = cut(self.state.short_name, 60) if self.state else "?"
        return f"Job(id={cut(repr(self.id), 80)}, name={cut(repr(self.name), 80)}, state={state})"


class JobResponse(_ShownAsCard, _Lenient):
    """``jobsJobResponse``: what create and get return."""

    spec_name: ClassVar[str] = "jobsJobResponse"

    job: Job = Field(default_factory=Job)
    template_info: JobTemplate | None = None

    @staticmethod
    def _repr_card() -> Card:
        from ..display.job import job_html, job_mimebundle, job_text

        return Card(job_text, job_html, job_mimebundle)

    def __repr__(self) -> str:
        return f"JobResponse({self.job!r})"
