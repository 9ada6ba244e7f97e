"""The create-job request, and validation errors in wire terms."""

import warnings
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import cut
from ._base import _WireModel
from ._parts import AppParams, JobConfig, JobTemplate, RpcStatus, SelectionList
from ._values import LONE_SURROGATE, _nested_object, not_object, sendable_text
from .data_source import DataSource, _with_type_url
from .job import Job, JobResponse


class CreateJobRequest(_WireModel):
    """``jobsCreateJobRequest``, the body of ``POST /jobs``: ``model_validate`` takes the
    camelCase wire form (snake_case too); ``to_payload()`` gives the wire dict back."""

    spec_name: ClassVar[str] = "jobsCreateJobRequest"

    name: StrictStr | None = None
    template_id: StrictStr
    description: StrictStr | None = None
    data_source: Annotated[DataSource | None, BeforeValidator(_nested_object)] = None
    data_destination: Annotated[DataSource | None, BeforeValidator(_nested_object)] = None
    params: Annotated[AppParams | None, BeforeValidator(_nested_object)] = None
    config: Annotated[JobConfig | None, BeforeValidator(_nested_object)] = None

    @model_validator(mode="before")
    @classmethod
    def _mapping(cls, data: Any) -> Any:
        if isinstance(data, (Mapping, BaseModel)):
            return data
        raise not_object(data, "the payload must be a mapping of fields (a JSON object)")

    @field_validator("template_id")
    @classmethod
    def _template_id(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "must not be blank")
        return value.strip()

    @field_validator("template_id", "name", "description")
    @classmethod
    def _sendable(cls, value: str | None) -> str | None:
        if value is not None and not sendable_text(value):
            raise PydanticCustomError("unicode", LONE_SURROGATE)
        return value

    @field_validator("data_source", "data_destination")
    @classmethod
    def _source(cls, value: DataSource | None, info: ValidationInfo) -> DataSource | None:
        if value is None:
            return None
        problems = value.problems("input" if info.field_name == "data_source" else "output")
        if problems:
            summary = "; ".join(f"{path}: {message}" for path, message in problems)
            context = {"summary": summary, "problems": problems}
            raise PydanticCustomError("data_source", "{summary}", context)
        return _with_type_url(value)

    @field_validator("params")
    @classmethod
    def _preset(cls, value: AppParams | None) -> AppParams | None:
        if value is not None and value.preset:
            warnings.warn(
                "params.preset is deprecated by ByteNite and no longer used; "
                "set params.app / partitioner / assembler instead",
                DeprecationWarning,
                stacklevel=2,
            )
        return value

    def to_payload(self) -> dict[str, Any]:
        """The wire dict to send, with unset and None fields left out."""
        return self.to_wire()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display.payload import payload_mimebundle

        return payload_mimebundle(self, include)

    def __repr__(self) -> str:
        name = f", name={cut(repr(self.name), 80)}" if self.name else ""
        return f"CreateJobRequest(template_id={cut(repr(self.template_id), 80)}{name})"


#: Every model that mirrors a spec schema (tests/test_models.py checks each
#: against it with ``_base._check_against_spec``: same wire fields, same required).
SPEC_MODELS: tuple[type[_WireModel], ...] = (
    DataSource,
    AppParams,
    JobConfig,
    SelectionList,
    JobTemplate,
    RpcStatus,
    Job,
    JobResponse,
    CreateJobRequest,
)


_MESSAGES = {
    "missing": "required",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    "list_type": "must be a list",
}


def field_path(loc: Iterable[int | str]) -> str:
    """``("config", "taskTimeout")`` → ``"config.taskTimeout"``; list indexes as ``[0]``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


def payload_problems(error: ValidationError) -> list[dict[str, str]]:
    """A pydantic error as ``[{"field": "config.taskTimeout", "message": ...}]``,
    with wire (camelCase) field paths and messages a user can act on."""
    problems: list[dict[str, str]] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        base = field_path(loc)
        ctx = item.get("ctx") or {}
        nested = ctx.get("problems")
        if nested:
            for sub, message in nested:
                problems.append({"field": f"{base}.{sub}" if base else sub, "message": message})
            continue
        message = _MESSAGES.get(item["type"], item["msg"])
        problems.append({"field": base, "message": message})
    return problems
