"""Pydantic models of ByteNite's API, derived from the shipped spec.

``spec/create-job.openapi.json`` is the single source of truth: tests/test_models.py
holds the enums and every model of ``SPEC_MODELS`` to it, so a drifted model fails the
suite. Python names are snake_case, the wire's camelCase (aliases); both are accepted.
Requests are strict where the service is; responses are lenient (missing and unknown
fields and unknown enum values parse). Of the package only ``errors`` (for ``cut``) is
imported, and ``display`` lazily, in the reprs. Annotations are not postponed here:
pydantic reads them as built instead of compiling each string at import (2 ms of the
first dry run).
"""

from ._parts import AppParams, JobConfig, JobTemplate, RpcStatus, SelectionList
from ._spec import SPEC_FILE, ExecutionPriority, JobState, spec, spec_schema, wire_integer
from ._values import (
    INT64_MAX,
    INT64_MIN,
    MAX_NESTING,
    Int64,
    JsonObject,
    Seconds,
    format_seconds,
    parse_seconds,
    too_deep,
)
from .data_source import DESCRIPTORS, DataSource, Descriptor, Direction
from .job import Job, JobResponse
from .jobs_page import JobsPage
from .logs import LEVEL_ALIASES, LOG_LEVELS, LOG_SERVICES, JobLogs, LogEntry, LogLevel
from .request import SPEC_MODELS, CreateJobRequest, field_path, payload_problems
from .results import JobResults, ResultFile, ResultsCard

__all__ = [
    "DESCRIPTORS",
    "INT64_MAX",
    "INT64_MIN",
    "LEVEL_ALIASES",
    "LOG_LEVELS",
    "LOG_SERVICES",
    "MAX_NESTING",
    "SPEC_FILE",
    "SPEC_MODELS",
    "AppParams",
    "CreateJobRequest",
    "DataSource",
    "Descriptor",
    "Direction",
    "ExecutionPriority",
    "Int64",
    "Job",
    "JobConfig",
    "JobLogs",
    "JobResponse",
    "JobResults",
    "JobState",
    "JobTemplate",
    "JobsPage",
    "JsonObject",
    "LogEntry",
    "LogLevel",
    "ResultFile",
    "ResultsCard",
    "RpcStatus",
    "Seconds",
    "SelectionList",
    "field_path",
    "format_seconds",
    "parse_seconds",
    "payload_problems",
    "spec",
    "spec_schema",
    "too_deep",
    "wire_integer",
]
