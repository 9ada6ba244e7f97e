"""App params, job config, selection lists, templates and ``rpcStatus``."""

from typing import Any, ClassVar

from pydantic import Field, StrictBool, StrictStr

from ._base import _Lenient, _WireModel
from ._values import Int64, JsonObject, Seconds


class AppParams(_WireModel):
    """``jobAppParams``: free JSON objects for the app, partitioner and assembler."""

    spec_name: ClassVar[str] = "jobAppParams"

    preset: StrictStr | None = Field(
        default=None, description="Deprecated by the service; accepted with a warning."
    )
    partitioner: JsonObject | None = None
    assembler: JsonObject | None = None
    app: JsonObject | None = None


class JobConfig(_WireModel):
    """``jobJobConfig``: timeouts in whole seconds and the test-job flag."""

    spec_name: ClassVar[str] = "jobJobConfig"

    task_timeout: Seconds | None = None
    job_timeout: Seconds | None = None
    is_test_job: StrictBool | None = None


class _AppParamsOut(_Lenient, AppParams):
    """``AppParams`` as a response holds them: objects read from JSON, not re-checked."""

    partitioner: dict[str, Any] | None = None
    assembler: dict[str, Any] | None = None
    app: dict[str, Any] | None = None


class _JobConfigOut(_Lenient, JobConfig):
    """``JobConfig`` as a response holds it: any int64 timeout, negative ones too."""

    task_timeout: Int64 | None = None
    job_timeout: Int64 | None = None


class SelectionList(_Lenient):
    """``commonSelectionList``: regions to use (whitelist) or avoid (blacklist)."""

    spec_name: ClassVar[str] = "commonSelectionList"

    blacklist: list[str] | None = None
    whitelist: list[str] | None = None


class JobTemplate(_Lenient):
    """``jobJobTemplate``: the app, partitioner and assembler a job runs."""

    spec_name: ClassVar[str] = "jobJobTemplate"

    id: str | None = None
    owner: str | None = None
    description: str | None = None
    app: str | None = None
    partitioner: str | None = None
    assembler: str | None = None


class RpcStatus(_Lenient):
    """``rpcStatus``: the service's error body."""

    spec_name: ClassVar[str] = "rpcStatus"

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None
