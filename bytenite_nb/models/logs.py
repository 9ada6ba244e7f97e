"""A job's logs: ``POST /logs`` → ``JobLogs`` of ``LogEntry``, in time order.

The service groups log lines by the service that wrote them::

    {"partitioner": [Log], "assembler": [Log],
     "taskrunner": {"<taskId>": {"logs": [Log]}}}
    Log = {"log", "timestamp", "level", "container"}

Parsing is lenient: unknown levels and services and unreadable times parse.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from ._base import Card, _ShownAsCard
from ._spec import _OpenStrEnum

#: The log levels the service knows, least to most severe (``BYTENITE_API.md``).
LOG_LEVELS = ("UNKNOWN", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC")
#: The services that write a job's logs, in the order a job goes through them
#: (the keys of the answer, and how the package names them).
LOG_SERVICES = ("partitioner", "taskrunner", "assembler")
#: How the logs request names them: the service's ``LogsLogService`` enum names.
LOG_SERVICE_NAMES = {service: service.upper() for service in LOG_SERVICES}
#: Other spellings accepted for a level (case does not matter either).
LEVEL_ALIASES = {"WARNING": "WARN", "ERR": "ERROR", "CRITICAL": "FATAL"}


class LogLevel(_OpenStrEnum):
    """A log line's level: ``LogLevel("warn")`` is ``LogLevel.WARN`` (any case, ``LOG_LEVEL_``
    prefix, aliases); a level the service adds later parses (``is_known`` is then False)."""

    UNKNOWN = "UNKNOWN"
    TRACE = "TRACE"
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"
    FATAL = "FATAL"
    PANIC = "PANIC"

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            name = value.strip().upper().removeprefix("LOG_LEVEL_")
            name = LEVEL_ALIASES.get(name, name)
            if name in cls.__members__:
                return cls[name]
        return super()._missing_(value)

    @classmethod
    def known(cls, value: object) -> "LogLevel | None":
        """The known level ``value`` names (any case, aliases), or None."""
        try:
            level = cls(value)
        except ValueError:
            return None
        return level if level.is_known else None

    @property
    def severity(self) -> int:
        """0 (UNKNOWN) to 7 (PANIC); -1 for a level the package does not know."""
        return LOG_LEVELS.index(self.value) if self.is_known else -1

    @property
    def is_error(self) -> bool:
        """ERROR, FATAL or PANIC."""
        return self.severity >= LOG_LEVELS.index("ERROR")


class LogEntry(BaseModel):
    """One log line: ``timestamp`` (aware, UTC when the service gave no zone;
    None when missing or unreadable), ``level``, ``service``, ``task`` (the
    task id, taskrunner lines only), ``container`` and ``message``."""

    model_config = ConfigDict(frozen=True, defer_build=True)  # built on first use

    timestamp: datetime | None = None
    level: LogLevel = LogLevel.UNKNOWN
    service: str = ""
    task: str | None = None
    container: str | None = None
    message: str = ""

    def __repr__(self) -> str:
        when = self.timestamp.isoformat() if self.timestamp else "?"
        where = f"{self.service}/{self.task}" if self.task else self.service
        return f"LogEntry({when} {self.level.value} {where}: {self.message[:60]!r})"


class JobLogs(_ShownAsCard, BaseModel):
    """A job's log lines in time order (``entries``), with what was asked for:
    ``levels`` and ``services`` (empty: all) and ``task_ids``."""

    model_config = ConfigDict(extra="allow", defer_build=True)  # built on first use

    job_id: str | None = None
    entries: list[LogEntry] = Field(default_factory=list)
    levels: list[str] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)
    task_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _wire(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not cls.model_fields.keys() & set(data):
            return {"entries": entries_from_wire(data)}  # the service's grouped shape
        return data

    @classmethod
    def from_wire(
        cls,
        data: Any,
        *,
        job_id: str | None = None,
        levels: Iterable[str] = (),
        services: Iterable[str] = (),
        task_ids: Iterable[str] = (),
    ) -> "JobLogs":
        """Parse the service's answer to ``POST /logs`` (lenient, never raises)."""
        entries = entries_from_wire(data if isinstance(data, Mapping) else {})
        return cls.model_construct(
            job_id=job_id,
            entries=entries,
            levels=list(levels),
            services=list(services),
            task_ids=list(task_ids),
        )

    def filter(self, *, levels: Iterable[str] = (), services: Iterable[str] = ()) -> "JobLogs":
        """Only the entries of these levels and services (empty: all)."""
        wanted_levels = {LogLevel(level) for level in levels}
        wanted_services = {str(s).lower() for s in services}
        kept = [
            e
            for e in self.entries
            if (not wanted_levels or e.level in wanted_levels)
            and (not wanted_services or e.service.lower() in wanted_services)
        ]
        return self.model_copy(update={"entries": kept})

    def counts(self) -> dict[str, int]:
        """Lines per level, known levels in severity order, then any others."""
        found = Counter(entry.level.value for entry in self.entries)
        order = {name: index for index, name in enumerate(LOG_LEVELS)}
        return dict(sorted(found.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))

    @property
    def errors(self) -> list[LogEntry]:
        """The ERROR, FATAL and PANIC lines."""
        return [e for e in self.entries if e.level.is_error]

    def to_wire(self) -> dict[str, Any]:
        """The service's grouped shape again."""
        out: dict[str, Any] = {}
        for entry in self.entries:
            line: dict[str, Any] = {"log": entry.message, "level": entry.level.value}
            if entry.timestamp is not None:
                line["timestamp"] = entry.timestamp.isoformat().replace("+00:00", "Z")
            if entry.container:
                line["container"] = entry.container
            if entry.task is not None:
                tasks = out.setdefault(entry.service, {})
                tasks.setdefault(entry.task, {"logs": []})["logs"].append(line)
            else:
                out.setdefault(entry.service, []).append(line)
        return out

    @staticmethod
    def _repr_card() -> Card:
        from ..display.logs import logs_html, logs_mimebundle, logs_text

        return Card(logs_text, logs_html, logs_mimebundle)

    def __repr__(self) -> str:
        counts = ", ".join(f"{k} {v}" for k, v in self.counts().items())
        return f"JobLogs(job_id={self.job_id!r}, {len(self.entries)} entries: {counts or 'none'})"


@cache
def _datetime() -> TypeAdapter[datetime]:
    return TypeAdapter(datetime)


def _timestamp(value: Any) -> datetime | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        when = _datetime().validate_python(value)
    except ValidationError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def _entry(raw: Any, service: str, task: str | None) -> LogEntry | None:
    if not isinstance(raw, Mapping):
        return None
    message = raw.get("log", raw.get("message", ""))
    level = raw.get("level")
    container = raw.get("container")
    return LogEntry.model_construct(
        timestamp=_timestamp(raw.get("timestamp")),
        level=LogLevel(level) if isinstance(level, str) and level.strip() else LogLevel.UNKNOWN,
        service=service,
        task=task,
        container=str(container) if container not in (None, "") else None,
        message="" if message is None else str(message),
    )


def entries_from_wire(data: Mapping[str, Any]) -> list[LogEntry]:
    """Every line of a ``POST /logs`` answer, sorted by time (stable; no time last);
    a list of lines or a map of task ids is read under any service name."""
    found: list[LogEntry] = []
    known = [s for s in LOG_SERVICES if s in data]
    for service in known + sorted(str(k) for k in data if k not in LOG_SERVICES):
        value = data.get(service)
        if isinstance(value, list):
            groups: list[tuple[str | None, Any]] = [(None, value)]
        elif isinstance(value, Mapping):
            groups = []
            for task, item in value.items():
                lines = item.get("logs") if isinstance(item, Mapping) else item
                groups.append((str(task), lines if isinstance(lines, list) else []))
        else:
            continue
        for task, lines in groups:
            for raw in lines:
                entry = _entry(raw, service, task)
                if entry is not None:
                    found.append(entry)
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(found, key=lambda e: (e.timestamp is None, e.timestamp or far))
