"""Argument checks made before anything is sent (job ids, pages, log filters,
item counts), shared with the magic's options: each raises ``PayloadError``
naming the argument and, for a name that does not exist, the valid ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import PayloadError, TooManyItemsError, cut
from ..models import LOG_LEVELS, LOG_SERVICES, LogLevel
from ._payloads import _unsendable

#: The largest page ``GET /jobs`` is assumed to give (UNCONFIRMED: ``BYTENITE_API.md``
#: says 100): the default of ``Client.max_page_size``, which a client or the class
#: may raise if the service allows more.
MAX_PAGE_SIZE = 100


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_page(
    limit: Any, offset: Any, *, largest: int = MAX_PAGE_SIZE, limit_name: str = "limit"
) -> tuple[int, int]:
    """``(limit, offset)`` if 1 <= limit <= ``largest`` and offset >= 0, else ``PayloadError``."""
    problems = []
    if not _whole(limit) or not 1 <= limit <= largest:
        message = f"must be a whole number from 1 to {largest} (the largest page the service gives)"
        problems.append({"field": limit_name, "message": f"{message}, got {limit!r}"})
    if not _whole(offset) or offset < 0:
        message = f"must be a whole number >= 0, got {offset!r}"
        problems.append({"field": "offset", "message": message})
    if problems:
        raise PayloadError(problems, subject="jobs list request")
    return int(limit), int(offset)


def _names(values: str | Iterable[Any] | None, field: str) -> list[str]:
    """A list of names from None, one string (commas split it) or an iterable."""
    if values is None:
        return []
    items = [values] if isinstance(values, str) else values
    try:
        words = [str(v.value if isinstance(v, LogLevel) else v) for v in items]
    except TypeError:
        raise PayloadError(
            [{"field": field, "message": f"must be a list of names, got {values!r}"}],
            subject="logs request",
        ) from None
    return [part.strip() for word in words for part in word.split(",") if part.strip()]


def _refuse(bad: list[str], field: str, kind: str, valid: Iterable[str], note: str = "") -> None:
    """``PayloadError`` for names that do not exist, listing the valid ones."""
    if not bad:
        return
    words = ", ".join(repr(b) for b in bad)
    verb = f"is not a {kind}" if len(bad) == 1 else f"are not {kind}s"
    message = f"{words} {verb}; use one of {', '.join(valid)}{note}"
    raise PayloadError([{"field": field, "message": message}], subject="logs request")


def log_levels(levels: str | Iterable[Any] | None) -> list[str]:
    """Level names (any case, commas, aliases like WARNING) → wire names, no repeats;
    ``PayloadError`` (field ``levels``) listing the valid ones."""
    found: list[str] = []
    bad: list[str] = []
    for name in _names(levels, "levels"):
        level = LogLevel.known(name)
        if level is None:
            bad.append(name)
        elif level.value not in found:
            found.append(level.value)
    _refuse(bad, "levels", "log level", LOG_LEVELS, " (any case)")
    return found


def log_services(services: str | Iterable[Any] | None) -> list[str]:
    """Service names (any case, commas) → wire names; ``PayloadError`` listing the valid ones."""
    found: list[str] = []
    bad: list[str] = []
    for name in _names(services, "services"):
        service = name.lower()
        if service not in LOG_SERVICES:
            bad.append(name)
        elif service not in found:
            found.append(service)
    _refuse(bad, "services", "service that writes logs", LOG_SERVICES)
    return found


def log_task_ids(ids: str | Iterable[Any] | None) -> list[str]:
    """Task ids as a list of non-empty strings."""
    return list(dict.fromkeys(_names(ids, "task_ids")))


#: The longest job id sent (ids are UUIDs; this only keeps a request line sane).
MAX_JOB_ID = 1024


def check_job_id(job_id: Any) -> str:
    """The job id to put in a path (surrounding spaces dropped), or ``PayloadError``
    (field ``job_id``): not a string, empty, too long, not encodable, or ``.``/``..``
    (it would change the request's path)."""
    problem: str | None = None
    if not isinstance(job_id, str):
        problem = f"must be a string, got {cut(ascii(job_id), 40)}"
    elif not job_id.strip() or len(job_id) > MAX_JOB_ID:
        problem = f"must be 1 to {MAX_JOB_ID:,} characters, got {cut(ascii(job_id), 40)}"
    elif job_id.strip() in (".", ".."):  # a server (or httpx) resolves them away
        problem = (
            f"{job_id.strip()!r} is not a job id: as a path segment it would send the "
            "request to another path (nothing was sent)"
        )
    else:
        found = _unsendable(job_id)
        problem = found[1] if found else None
    if problem:
        raise PayloadError([{"field": "job_id", "message": problem}], subject="arguments")
    return str(job_id).strip()


#: The most items one ``sweep`` builds or one ``create_jobs`` sends unless the
#: caller says more (``max_items=``, ``None`` for no bound): past it a list is
#: most likely a mistake (10^6 combinations take ~1 GB and would be 10^6 jobs).
MAX_ITEMS = 10_000


def check_item_count(count: int, max_items: Any, *, field: str, subject: str, verb: str) -> None:
    """``PayloadError`` (field ``max_items``) unless ``max_items`` is a whole number
    >= 0 or None; ``TooManyItemsError`` (naming ``field``, saying how to opt in) when
    ``count`` is past it."""
    if max_items is not None and (not _whole(max_items) or max_items < 0):
        message = f"must be a whole number >= 0 or None, got {max_items!r}"
        raise PayloadError([{"field": "max_items", "message": message}], subject="arguments")
    if max_items is not None and count > max_items:
        message = (
            f"{count:,} requests, more than max_items={max_items:,}; pass max_items=None "
            f"(or a larger number) to {verb} them all"
        )
        raise TooManyItemsError(
            [{"field": field, "message": message}],
            subject=subject,
            count=count,
            max_items=max_items,
        )
