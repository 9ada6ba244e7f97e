"""Pydantic models of ByteNite's create-job contract, derived from the shipped spec.

``spec/create-job.openapi.json`` is the single source of truth: enum values
(``JobState``, ``ExecutionPriority``) are read from it, and at import every
model is checked against its schema (same wire field names, same required
fields), so a drifted model fails loudly instead of sending a wrong payload.

Python names are snake_case; the wire is camelCase through aliases, and both
are accepted on input. Requests are strict where the service is (timeouts,
JSON objects, known data source descriptors); responses are lenient (missing
fields, unknown fields and unknown enum values all parse).

This module imports nothing else of the package.
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Iterable, Mapping
from datetime import datetime
from enum import Enum
from functools import cache
from importlib import resources
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

__all__ = [
    "AppParams",
    "CreateJobRequest",
    "DataSource",
    "ExecutionPriority",
    "Job",
    "JobConfig",
    "JobResponse",
    "JobState",
    "JobTemplate",
    "RpcStatus",
    "SelectionList",
    "format_seconds",
    "parse_seconds",
    "payload_problems",
    "spec",
    "spec_schema",
]

# --------------------------------------------------------------------------
# The spec
# --------------------------------------------------------------------------

SPEC_FILE = "create-job.openapi.json"


@cache
def spec() -> dict[str, Any]:
    """The shipped OpenAPI document (read once with UTF-8, then cached)."""
    text = resources.files(__package__).joinpath(f"spec/{SPEC_FILE}").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def spec_schema(name: str, *, standalone: bool = False) -> dict[str, Any]:
    """One schema of ``components.schemas``; ``standalone`` adds the components
    so that its ``$ref``s resolve (for jsonschema and hypothesis-jsonschema)."""
    components: dict[str, Any] = spec()["components"]
    found: dict[str, Any] = components["schemas"][name]
    return {**found, "components": components} if standalone else found


def _enum_values(name: str) -> tuple[str, ...]:
    return tuple(spec_schema(name)["enum"])


# --------------------------------------------------------------------------
# Enums: values from the spec; unknown future values still parse
# --------------------------------------------------------------------------


class _OpenStrEnum(str, Enum):
    """A str enum whose unknown values parse to a pseudo-member instead of failing."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    def __str__(self) -> str:
        return str(self.value)

    @property
    def is_known(self) -> bool:
        """False for a value the shipped spec does not list (a newer service)."""
        return self.value in type(self)._value2member_map_


def _add_members(namespace: Any, values: Iterable[str], prefix: str) -> None:
    """Add one enum member per spec value, named without the common prefix."""
    for value in values:
        namespace[value.removeprefix(prefix)] = value


_STATE_PREFIX = "JOB_STATE_"


class JobState(_OpenStrEnum):
    """A job's state; values are the wire strings, members are named without
    ``JOB_STATE_`` (``JobState["COMPLETE"]``). Values the spec does not list
    parse too (``is_known`` is then False) and render as their raw name."""

    _add_members(vars(), _enum_values("jobJobState"), _STATE_PREFIX)

    @property
    def short_name(self) -> str:
        """``"TASKS_COMPLETED"`` for ``JOB_STATE_TASKS_COMPLETED``."""
        return str(self.value).removeprefix(_STATE_PREFIX)

    @property
    def label(self) -> str:
        """A human label: ``"Tasks completed"``."""
        return self.short_name.replace("_", " ").capitalize()

    @property
    def is_terminal(self) -> bool:
        """True for COMPLETE and FAILED: the job will not change any more."""
        return self.short_name in _TERMINAL_STATES

    @property
    def is_failed(self) -> bool:
        return self.short_name == "FAILED"

    @property
    def step(self) -> int | None:
        """Index in :meth:`progression` (NEW is 0), None for FAILED or unknown."""
        try:
            return JobState.progression().index(self)
        except ValueError:
            return None

    @classmethod
    def progression(cls) -> tuple[JobState, ...]:
        """The normal path of a job, NEW → ... → COMPLETE, in spec order."""
        return tuple(s for s in cls if s.short_name != "FAILED")


_TERMINAL_STATES = frozenset({"COMPLETE", "FAILED"})
# Fail at import if the spec stops naming the states this module relies on.
assert _TERMINAL_STATES | {"NEW"} <= set(JobState.__members__), "spec lost a job state"


class ExecutionPriority(_OpenStrEnum):
    """``jobByteLevel``: the execution priority of a job."""

    _add_members(vars(), _enum_values("jobByteLevel"), "EXECUTION_PRIORITY_")


# --------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_INT_STRING = re.compile(r"[+-]?\d+")


def _int64(value: Any) -> int:
    """protojson int64: a JSON number or a decimal string; never a bool or fraction."""
    if isinstance(value, bool):
        raise PydanticCustomError("int64", "must be a whole number, not true/false")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise PydanticCustomError(
                "int64", "must be a whole number, got {value}", {"value": value}
            )
        number = int(value)
    elif isinstance(value, str) and _INT_STRING.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        raise PydanticCustomError(
            "int64", "must be a whole number, got {value}", {"value": _brief(value)}
        )
    if not INT64_MIN <= number <= INT64_MAX:
        raise PydanticCustomError("int64", "is out of the int64 range")
    return number


def _seconds(value: Any) -> int:
    number = _int64(value)
    if number < 0:
        raise PydanticCustomError(
            "int64", "must be 0 or more seconds, got {value}", {"value": number}
        )
    return number


_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_seconds(text: str | int) -> int:
    """``"90s"``, ``"15m"``, ``"2h"``, ``"1h30m"``, ``"1d"`` or ``"3600"`` → seconds.

    Raises ``ValueError`` with a message that shows the accepted forms.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        if text < 0:
            raise ValueError(f"must be 0 or more seconds, got {text}")
        return text
    value = str(text).strip().lower().replace(" ", "")
    if value.isdigit():
        return int(value)
    if re.fullmatch(r"-\d+(\.\d*)?[smhd]?", value):
        raise ValueError(f"must be 0 or more seconds, got {text!r}")
    if re.fullmatch(r"\d*\.\d+", value):
        raise ValueError(f"must be whole seconds, got {text!r} (or use units: 90s, 15m, 2h)")
    match = _DURATION.fullmatch(value)
    if not value or match is None or not any(match.groups()):
        raise ValueError(
            f"{text!r} is not a duration: use seconds (3600) or 90s, 15m, 2h, 1h30m, 1d"
        )
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return ((days * 24 + hours) * 60 + minutes) * 60 + seconds


def format_seconds(seconds: int) -> str:
    """The shortest exact text :func:`parse_seconds` reads back: ``5400`` → ``"1h30m"``."""
    if seconds <= 0:
        return "0"
    parts = []
    rest = seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(parts)


Int64 = Annotated[int, BeforeValidator(_int64)]
"""An int64 that accepts ``3600`` and ``"3600"`` alike."""
Seconds = Annotated[int, BeforeValidator(_seconds)]
"""A duration in whole seconds, >= 0, within int64."""


def _brief(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_problem(value: Any, path: str = "") -> str | None:
    """Where ``value`` stops being plain JSON, as a message; None when it is JSON."""
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{path or 'value'}: {value} is not valid JSON"
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"key {key!r} must be a string"
            problem = _json_problem(item, f"{path}.{key}" if path else key)
            if problem:
                return problem
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            problem = _json_problem(item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    where = f"{path}: " if path else ""
    return f"{where}{type(value).__name__} is not a JSON value"


def _json_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise PydanticCustomError(
            "json_object",
            "must be a JSON object, got {kind}",
            {"kind": _json_kind(value)},
        )
    problem = _json_problem(value)
    if problem:
        raise PydanticCustomError("json_object", "{problem}", {"problem": problem})
    return dict(value)


def _json_kind(value: Any) -> str:
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (list, tuple)):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__


JsonObject = Annotated[dict[str, Any], BeforeValidator(_json_object)]
"""A free JSON object (the app/partitioner/assembler params)."""


def _nested_object(value: Any) -> Any:
    """Give a clear message when a sub-object of the payload is not a mapping."""
    if value is None or isinstance(value, (Mapping, BaseModel)):
        return value
    raise PydanticCustomError(
        "json_object", "must be a JSON object, got {kind}", {"kind": _json_kind(value)}
    )


# --------------------------------------------------------------------------
# Base model and the spec check
# --------------------------------------------------------------------------


class _WireModel(BaseModel):
    """snake_case in Python, camelCase on the wire, extra fields kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )

    #: The spec schema this model mirrors (checked at import).
    spec_name: ClassVar[str] = ""

    def to_wire(self) -> dict[str, Any]:
        """The wire (camelCase, JSON-ready) dict, with unset and None fields left out."""
        data: dict[str, Any] = self.model_dump(
            mode="json", by_alias=True, exclude_none=True, exclude_unset=True
        )
        return data

    def __repr_args__(self) -> Any:
        # Short reprs: only the fields that hold something.
        for name, value in super().__repr_args__():
            if value is not None:
                yield name, value


def _check_against_spec(model: type[_WireModel]) -> None:
    """Fail at import when a model's wire fields drift from its spec schema."""
    aliases = {field.alias or name for name, field in model.model_fields.items()}
    wire = set(spec_schema(model.spec_name).get("properties", {}))
    if aliases != wire:
        raise RuntimeError(
            f"{model.__name__} does not match spec schema {model.spec_name}: "
            f"missing {sorted(wire - aliases)}, extra {sorted(aliases - wire)}"
        )
    required = {
        field.alias or name for name, field in model.model_fields.items() if field.is_required()
    }
    spec_required = set(spec_schema(model.spec_name).get("required", ()))
    if required != spec_required:
        raise RuntimeError(
            f"{model.__name__} requires {sorted(required)}, the spec {sorted(spec_required)}"
        )


# --------------------------------------------------------------------------
# Data sources
# --------------------------------------------------------------------------

_TYPE_PREFIX = "type.googleapis.com/bytenite.data_source."
_S3_TYPE = _TYPE_PREFIX + "S3DataSource"
_S3_PARAMS = ("name", "bucketName", "cloudRegion", "secret_id")

Direction = Literal["input", "output"]


class Descriptor:
    """What the service takes for one known data source descriptor."""

    def __init__(
        self,
        name: str,
        directions: frozenset[str],
        type_url: str | None,
        required: tuple[str, ...] = (),
        summary: str = "",
    ) -> None:
        self.name = name
        self.directions = directions
        self.type_url = type_url
        self.required = required
        self.summary = summary

    def __repr__(self) -> str:
        return f"Descriptor({self.name!r})"


_BOTH = frozenset({"input", "output"})

#: The data source descriptors the service is known to take (BYTENITE_API.md).
#: Any other descriptor is passed through untouched.
DESCRIPTORS: Mapping[str, Descriptor] = {
    d.name: d
    for d in (
        Descriptor(
            "url",
            frozenset({"input"}),
            _TYPE_PREFIX + "HttpDataSource",
            ("url",),
            "a file downloaded over HTTP(S)",
        ),
        Descriptor(
            "file",
            frozenset({"input"}),
            _TYPE_PREFIX + "LocalFileDataSource",
            (),
            "a file from this machine, uploaded after the job is created (signed upload URL)",
        ),
        Descriptor(
            "bucket", frozenset({"output"}), None, (), "ByteNite's temporary bucket (kept 48 h)"
        ),
        Descriptor("bypass", _BOTH, None, (), "no input / no output"),
        Descriptor("aws", _BOTH, _S3_TYPE, _S3_PARAMS, "an AWS S3 bucket"),
        Descriptor("s3", _BOTH, _S3_TYPE, _S3_PARAMS, "an AWS S3 bucket (older name of aws)"),
        Descriptor("gcp", _BOTH, _S3_TYPE, _S3_PARAMS, "a Google Cloud Storage bucket"),
        Descriptor("storj", _BOTH, _S3_TYPE, _S3_PARAMS, "a Storj bucket (region: global)"),
    )
}


class DataSource(_WireModel):
    """``data_sourceDataSource``: a descriptor (``url``, ``bucket``, ...) and its params.

    Build the known kinds with :meth:`url`, :meth:`file`, :meth:`bucket`,
    :meth:`bypass`, :meth:`aws`, :meth:`gcp`, :meth:`storj`; any other
    descriptor is kept as given.
    """

    spec_name: ClassVar[str] = "data_sourceDataSource"

    data_source_descriptor: StrictStr | None = None
    params: JsonObject | None = None

    def problems(self, direction: Direction | None = None) -> list[tuple[str, str]]:
        """What the service would reject, as ``(sub-path, message)`` pairs."""
        return _data_source_problems(self, direction)

    # -- constructors for the known descriptors ---------------------------
    @classmethod
    def url(cls, url: str) -> DataSource:
        """An input file downloaded from an ``http(s)://`` URL."""
        return cls._known("url", {"url": url}, "input")

    @classmethod
    def file(cls) -> DataSource:
        """An input uploaded from this machine after the job is created."""
        return cls._known("file", {}, "input")

    @classmethod
    def bucket(cls) -> DataSource:
        """Output to ByteNite's temporary bucket (files kept 48 h)."""
        return cls._known("bucket", None, "output")

    @classmethod
    def bypass(cls) -> DataSource:
        """No input, or no output."""
        return cls._known("bypass", None, None)

    @classmethod
    def aws(cls, *, bucket_name: str, cloud_region: str, name: str, secret_id: str) -> DataSource:
        """An S3 bucket: ``name`` is a file path for input, a folder for output."""
        return cls._s3("aws", bucket_name, cloud_region, name, secret_id)

    @classmethod
    def gcp(cls, *, bucket_name: str, cloud_region: str, name: str, secret_id: str) -> DataSource:
        """A Google Cloud Storage bucket, e.g. ``cloud_region="us-west2-b"``."""
        return cls._s3("gcp", bucket_name, cloud_region, name, secret_id)

    @classmethod
    def storj(
        cls, *, bucket_name: str, name: str, secret_id: str, cloud_region: str = "global"
    ) -> DataSource:
        """A Storj bucket (region ``"global"``)."""
        return cls._s3("storj", bucket_name, cloud_region, name, secret_id)

    @classmethod
    def _s3(
        cls, kind: str, bucket_name: str, cloud_region: str, name: str, secret_id: str
    ) -> DataSource:
        params = {
            "name": name,
            "bucketName": bucket_name,
            "cloudRegion": cloud_region,
            "secret_id": secret_id,
        }
        return cls._known(kind, params, None)

    @classmethod
    def _known(
        cls, kind: str, params: dict[str, Any] | None, direction: Direction | None
    ) -> DataSource:
        source = _with_type_url(cls(data_source_descriptor=kind, params=params))
        problems = source.problems(direction)
        if problems:
            raise ValueError("; ".join(f"{path}: {message}" for path, message in problems))
        return source


def _with_type_url(source: DataSource) -> DataSource:
    """Fill in ``params["@type"]`` for a known descriptor that needs one."""
    known = DESCRIPTORS.get(source.data_source_descriptor or "")
    if known is None or known.type_url is None:
        return source
    params = dict(source.params or {})
    if "@type" in params:
        return source
    params = {"@type": known.type_url, **params}
    return source.model_copy(update={"params": params})


def _data_source_problems(source: DataSource, direction: Direction | None) -> list[tuple[str, str]]:
    kind = source.data_source_descriptor
    if kind is None or not kind.strip():
        return [("dataSourceDescriptor", "required (e.g. " + ", ".join(DESCRIPTORS) + ")")]
    known = DESCRIPTORS.get(kind)
    if known is None:
        return []  # unknown descriptors pass through untouched
    problems: list[tuple[str, str]] = []
    if direction is not None and direction not in known.directions:
        (only,) = known.directions
        problems.append(("dataSourceDescriptor", f"'{kind}' can only be used as an {only}"))
    params = source.params or {}
    type_url = params.get("@type")
    if type_url is not None and known.type_url is not None and type_url != known.type_url:
        problems.append(("params.@type", f"must be {known.type_url!r} for '{kind}'"))
    for key in known.required:
        value = params.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append((f"params.{key}", f"required for '{kind}'"))
        elif not isinstance(value, str):
            problems.append((f"params.{key}", "must be a string"))
    if kind == "url" and isinstance(params.get("url"), str) and params["url"].strip():
        problem = _http_url_problem(params["url"])
        if problem:
            problems.append(("params.url", problem))
    return problems


def _http_url_problem(url: str) -> str | None:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return f"{_brief(url)} is not a valid URL"
    if parts.scheme not in ("http", "https"):
        scheme = f"'{parts.scheme}://'" if parts.scheme else "no scheme"
        return f"must be an http:// or https:// URL (got {scheme})"
    if not parts.hostname:
        return "must name a host (e.g. https://example.com/data.zip)"
    return None


# --------------------------------------------------------------------------
# Params, config, selection, template, status
# --------------------------------------------------------------------------


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


class SelectionList(_WireModel):
    """``commonSelectionList``: regions to use (whitelist) or avoid (blacklist)."""

    spec_name: ClassVar[str] = "commonSelectionList"

    blacklist: list[str] | None = None
    whitelist: list[str] | None = None


class JobTemplate(_WireModel):
    """``jobJobTemplate``: the app, partitioner and assembler a job runs."""

    spec_name: ClassVar[str] = "jobJobTemplate"

    id: str | None = None
    owner: str | None = None
    description: str | None = None
    app: str | None = None
    partitioner: str | None = None
    assembler: str | None = None


class RpcStatus(_WireModel):
    """``rpcStatus``: the service's error body."""

    spec_name: ClassVar[str] = "rpcStatus"

    code: int | None = None
    message: str | None = None
    details: list[dict[str, Any]] | None = None


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
        from .display import job_mimebundle

        return job_mimebundle(JobResponse(job=self, template_info=self.template_info), include)

    def __repr__(self) -> str:
        state = self.state.short_name if self.state else "?"
        return f"Job(id={self.id!r}, name={self.name!r}, state={state})"


class JobResponse(_WireModel):
    """``jobsJobResponse``: what create and get return."""

    spec_name: ClassVar[str] = "jobsJobResponse"

    job: Job = Field(default_factory=Job)
    template_info: JobTemplate | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from .display import job_mimebundle

        return job_mimebundle(self, include)

    def _repr_html_(self) -> str:
        from .display import job_html

        return job_html(self)

    def __repr__(self) -> str:
        return f"JobResponse({self.job!r})"

    def __str__(self) -> str:
        from .display import job_text

        return job_text(self)


# --------------------------------------------------------------------------
# The create-job request
# --------------------------------------------------------------------------


class CreateJobRequest(_WireModel):
    """``jobsCreateJobRequest``: the body of ``POST /jobs``.

    ``CreateJobRequest.model_validate(wire_dict)`` takes the camelCase wire
    form (snake_case works too); ``to_payload()`` gives the wire dict back.
    """

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
        raise PydanticCustomError(
            "json_object",
            "the payload must be a mapping of fields (a JSON object), got {kind}",
            {"kind": _json_kind(data)},
        )

    @field_validator("template_id")
    @classmethod
    def _template_id(cls, value: str) -> str:
        if not value.strip():
            raise PydanticCustomError("blank", "must not be blank")
        return value.strip()

    @field_validator("data_source")
    @classmethod
    def _input(cls, value: DataSource | None) -> DataSource | None:
        return _checked_source(value, "input")

    @field_validator("data_destination")
    @classmethod
    def _output(cls, value: DataSource | None) -> DataSource | None:
        return _checked_source(value, "output")

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
        from .display import payload_mimebundle

        return payload_mimebundle(self, include)

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"CreateJobRequest(template_id={self.template_id!r}{name})"


def _checked_source(value: DataSource | None, direction: Direction) -> DataSource | None:
    if value is None:
        return None
    problems = value.problems(direction)
    if problems:
        raise PydanticCustomError(
            "data_source",
            "{summary}",
            {"summary": "; ".join(f"{p}: {m}" for p, m in problems), "problems": problems},
        )
    return _with_type_url(value)


#: Every model that mirrors a spec schema (each checked against it at import).
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
for _model in SPEC_MODELS:
    _check_against_spec(_model)


# --------------------------------------------------------------------------
# Validation errors in wire terms
# --------------------------------------------------------------------------

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
