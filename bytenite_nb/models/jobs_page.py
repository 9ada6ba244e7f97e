"""A page of the jobs list: ``GET /jobs`` → ``JobsPage``, from ``{"pagination": {"total",
"offset", "hasPrevious", "hasNext"}, "data": [job, ...]}`` (zero values left out)."""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._base import Card, _ShownAsCard
from ._spec import wire_integer
from ._values import _int64
from .job import Job


def _int_or_none(value: Any) -> int | None:
    try:
        return _int64(value)
    except ValueError:  # PydanticCustomError is one: not a whole number
        return None


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


class JobsPage(_ShownAsCard, BaseModel):
    """One page of the jobs list, newest first: ``total`` counts every job of the
    account (None if the service did not say), ``limit`` is the page size asked."""

    model_config = ConfigDict(extra="allow", defer_build=True)  # built on first use

    jobs: list[Job] = Field(default_factory=list)
    total: int | None = None
    offset: int = 0
    has_next: bool = False
    has_previous: bool = False
    limit: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_wire(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and ("data" in data or "pagination" in data):
            return _page_fields(data)
        return data

    @classmethod
    def from_wire(cls, data: Any, *, limit: int | None = None) -> "JobsPage":
        """Parse the service's answer (lenient; a bad job raises ``ValidationError``)."""
        fields = _page_fields(data if isinstance(data, Mapping) else {})
        return cls.model_validate({**fields, "limit": limit})

    @property
    def next_offset(self) -> int:
        """The offset of the page after this one."""
        return self.offset + len(self.jobs)

    def to_wire(self) -> dict[str, Any]:
        """The service's shape again (``pagination`` and ``data``)."""
        pagination: dict[str, Any] = {"offset": wire_integer("Pagination", "offset", self.offset)}
        if self.total is not None:
            pagination["total"] = wire_integer("Pagination", "total", self.total)
        pagination["hasPrevious"] = self.has_previous
        pagination["hasNext"] = self.has_next
        return {"pagination": pagination, "data": [job.to_wire() for job in self.jobs]}

    @staticmethod
    def _repr_card() -> Card:
        from ..display.jobs import jobs_html, jobs_mimebundle, jobs_text

        return Card(jobs_text, jobs_html, jobs_mimebundle)

    def __repr__(self) -> str:
        total = "?" if self.total is None else str(self.total)
        return (
            f"JobsPage({len(self.jobs)} of {total} jobs, offset={self.offset}, "
            f"has_next={self.has_next})"
        )


def _page_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The wire shape flattened into ``JobsPage`` fields, leniently."""
    raw_pagination = data.get("pagination")
    pagination: Mapping[str, Any] = raw_pagination if isinstance(raw_pagination, Mapping) else {}
    items = data.get("data")
    jobs = [item for item in items if isinstance(item, Mapping)] if isinstance(items, list) else []
    total = _int_or_none(pagination.get("total"))
    if total is not None and total < 0:
        total = None  # a count below zero is no count
    if total is None and "total" not in pagination and not jobs:
        total = 0  # protojson leaves a zero total out
    offset = _int_or_none(pagination.get("offset")) or 0
    fields: dict[str, Any] = {
        "jobs": jobs,
        "total": total,
        "offset": max(offset, 0),
        "has_next": _flag(pagination.get("hasNext", pagination.get("has_next", False))),
        "has_previous": _flag(
            pagination.get("hasPrevious", pagination.get("has_previous", offset > 0))
        ),
    }
    extra = {k: v for k, v in data.items() if k not in ("pagination", "data")}
    return {**extra, **fields}
