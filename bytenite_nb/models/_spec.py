"""The shipped spec, read at run time, and the enums it defines (declared in code)."""

from __future__ import annotations

import json
from enum import Enum
from functools import cache
from importlib import resources
from typing import Any

SPEC_FILE = "create-job.openapi.json"


@cache
def spec() -> dict[str, Any]:
    """The shipped OpenAPI document (read once with UTF-8, then cached)."""
    text = resources.files("bytenite_nb").joinpath(f"spec/{SPEC_FILE}").read_text("utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def spec_schema(name: str, *, standalone: bool = False) -> dict[str, Any]:
    """One schema of ``components.schemas``; ``standalone`` adds the components
    so that its ``$ref``s resolve (for jsonschema and hypothesis-jsonschema)."""
    components: dict[str, Any] = spec()["components"]
    found: dict[str, Any] = components["schemas"][name]
    return {**found, "components": components} if standalone else found


#: Integer fields of answers the seed spec does not describe, as BYTENITE_API.md
#: gives them (schema name -> field -> ``"string"`` or ``"number"``).
UNSPECIFIED_INTEGERS: dict[str, dict[str, str]] = {
    "authAccessTokenResponse": {"expiresIn": "string"},  # protobuf int64
    "Pagination": {"total": "number", "offset": "number"},  # generated SDK, docs example
}


@cache
def integer_wire_types() -> dict[str, dict[str, str]]:
    """Every integer field, by schema: ``"string"`` if it travels as a JSON string
    (protoc-gen-openapiv2 writes an int64 as ``"type": "string", "format": "int64"``,
    a uint32 as ``"type": "integer"``), ``"number"`` if not."""
    found: dict[str, dict[str, str]] = {}
    for name, schema in spec()["components"]["schemas"].items():
        for field, member in schema.get("properties", {}).items():
            kind, form = member.get("type"), member.get("format", "")
            if kind == "integer" or (kind == "string" and form in _INTEGER_FORMATS):
                found.setdefault(name, {})[field] = "number" if kind == "integer" else "string"
    for name, fields in UNSPECIFIED_INTEGERS.items():
        found.setdefault(name, {}).update(fields)
    return found


_INTEGER_FORMATS = frozenset({"int32", "uint32", "int64", "uint64", "fixed64", "sfixed64"})


def wire_integer(schema: str, field: str, value: int) -> int | str:
    """``value`` as the wire carries ``schema.field``: ``"12"`` or ``12``; ``KeyError``
    for a field that is not an integer of the spec (a typo must not pick a form)."""
    return str(value) if integer_wire_types()[schema][field] == "string" else int(value)


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


class JobState(_OpenStrEnum):
    """A job's state: the wire strings, members named without ``JOB_STATE_`` in the spec's
    order (``JobState.COMPLETE``). Values the spec does not list parse too (``is_known``
    is then False) and render as their raw name."""

    NEW = "JOB_STATE_NEW"
    STARTED = "JOB_STATE_STARTED"
    UPLOADING = "JOB_STATE_UPLOADING"
    PARTITIONING = "JOB_STATE_PARTITIONING"
    PARTITIONED = "JOB_STATE_PARTITIONED"
    TASKS_COMPLETED = "JOB_STATE_TASKS_COMPLETED"
    MERGING = "JOB_STATE_MERGING"
    MERGED = "JOB_STATE_MERGED"
    DOWNLOADING = "JOB_STATE_DOWNLOADING"
    COMPLETE = "JOB_STATE_COMPLETE"
    FAILED = "JOB_STATE_FAILED"

    @property
    def short_name(self) -> str:
        """``"TASKS_COMPLETED"`` for ``JOB_STATE_TASKS_COMPLETED``."""
        return str(self.value).removeprefix("JOB_STATE_")

    @property
    def label(self) -> str:
        """A human label: ``"Tasks completed"``."""
        return self.short_name.replace("_", " ").capitalize()

    @property
    def is_terminal(self) -> bool:
        """True for COMPLETE and FAILED: the job will not change any more."""
        return self in (JobState.COMPLETE, JobState.FAILED)

    @property
    def is_failed(self) -> bool:
        return self == JobState.FAILED

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
        return tuple(s for s in cls if s != JobState.FAILED)


class ExecutionPriority(_OpenStrEnum):
    """``jobByteLevel``: the execution priority of a job (members in the spec's
    order, named without ``EXECUTION_PRIORITY_``; a test holds them to the spec)."""

    UNDEFINED = "EXECUTION_PRIORITY_UNDEFINED"
    CHEAP = "EXECUTION_PRIORITY_CHEAP"
    BALANCED = "EXECUTION_PRIORITY_BALANCED"
    FAST = "EXECUTION_PRIORITY_FAST"
