"""``JobBatch.save`` / ``JobBatch.load``: a batch as a JSON file, written atomically.

It holds each item's request, marker, job and error; never a key, a token or a
signed URL (``tempUrl`` left out, URL queries redacted). The user may edit it:
``load`` checks every field (``ValueError`` naming the first one wrong), so a
loaded batch can always be resumed and waited for.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from .. import errors
from .._urls import SIGNED_KEYS, redact_urls
from ..models import MAX_NESTING, JobResponse, too_deep
from .item import MAX_CONCURRENCY, BatchItem

if TYPE_CHECKING:  # pragma: no cover
    from .core import BatchCore

FORMAT = "bytenite-nb.batch"
VERSION = 1
#: Levels a saved batch adds around a request or a job (file, items, item, response, job).
FILE_LEVELS = 6
#: Integers in a saved batch are small: anything longer is a tampered file.
_MAX_INT_DIGITS = 20


def save(batch: BatchCore[Any], path: str | os.PathLike[str]) -> Path:
    """Write the batch to ``path`` (a temporary file renamed over it: never half-written)."""
    with batch.lock:
        items = [_item(item) for item in batch.items]
    data = {
        "format": FORMAT,
        "version": VERSION,
        "batchId": batch.batch_id,
        "run": batch.run,
        "concurrency": batch.concurrency,
        "createdAt": batch.created_at,
        "baseUrl": batch.client.base_url,
        "items": items,
    }
    target = Path(path)
    text = json.dumps(data, ensure_ascii=False, indent=1)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def load(path: str | os.PathLike[str]) -> tuple[SavedBatch, list[BatchItem]]:
    """A saved batch's checked header and items (``ValueError`` naming what is wrong)."""
    try:
        text = Path(path).read_text("utf-8")
        data = json.loads(text, parse_int=_small_int)
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not a saved batch (not UTF-8: {exc.reason})") from None
    except RecursionError:
        raise ValueError(f"{path}: not a saved batch (nested too deeply)") from None
    except ValueError as exc:
        raise ValueError(f"{path}: not a saved batch (invalid JSON: {exc})") from None
    if too_deep(data, MAX_NESTING + FILE_LEVELS) is not None:  # whatever the Python's limits
        raise ValueError(f"{path}: not a saved batch (nested too deeply)")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a saved bytenite-nb batch")
    if data.get("version") != VERSION:
        version = repr(data.get("version"))[:60]
        raise ValueError(f"{path}: batch file version {version} is not supported")
    try:
        saved = SavedBatch.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        problem = f"{where}: {first['msg']}" if where else first["msg"]
        raise ValueError(f"{path}: not a batch that can be resumed: {problem}") from None
    items = [
        BatchItem(**{**dict(raw), "error": raw.error.restore() if raw.error else None})
        for raw in saved.items
    ]
    return saved, items


def _small_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text):,} digits")
    return int(text)


def _unsent(phase: str) -> str:
    """An item in flight when saved may or may not have been created: resume checks it."""
    return "unknown" if phase == "sending" else phase


class _Saved(BaseModel):
    model_config = ConfigDict(strict=True, alias_generator=to_camel, defer_build=True)


class SavedError(_Saved):
    """An item's error as saved; :meth:`restore` makes the exception again."""

    type: str = ""
    message: str = ""
    errors: list[dict[str, Any]] | None = None
    status_code: int | None = Field(default=None, ge=100, le=599)
    code: int | None = None
    method: str | None = None
    url: str | None = None
    maybe_applied: bool = False

    def restore(self) -> BaseException:
        kind = getattr(errors, self.type, None)
        if self.type == "PayloadError":
            return errors.PayloadError(self.errors or [])
        if isinstance(kind, type) and issubclass(kind, errors.ApiError):
            return kind(
                self.message,
                status_code=self.status_code,
                code=self.code,
                method=self.method,
                url=self.url,
            )
        if self.type == "ByteNiteConnectionError":
            return errors.ByteNiteConnectionError(self.message, maybe_applied=self.maybe_applied)
        return errors.ByteNiteError(f"{self.type}: {self.message}" if self.type else self.message)


class SavedItem(_Saved):
    index: int = Field(ge=0, lt=10**9)
    marker: str
    request: dict[str, Any] = {}
    values: dict[str, Any] = {}
    phase: Literal["invalid", "pending", "unknown", "error", "created"] = "pending"
    run: Literal["no", "unknown", "error", "done"] = "no"
    gone: bool = False
    response: JobResponse | None = None
    error: SavedError | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.phase == "created" and (self.response is None or not self.response.job.id):
            raise ValueError("a created item must hold its job (with its id)")
        if self.run != "no" and self.phase != "created":
            raise ValueError(f"run is {self.run!r} for an item that was not created")
        return self


class SavedBatch(_Saved):
    """A saved batch's header and items, checked."""

    batch_id: str = Field(min_length=1, max_length=200, pattern=r"\S")
    concurrency: int = Field(ge=1, le=MAX_CONCURRENCY)
    run: bool = False
    created_at: str | None = None
    items: list[SavedItem] = []

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if len({item.index for item in self.items}) != len(self.items):
            raise ValueError("two items have the same index")
        return self


def _item(item: BatchItem) -> dict[str, Any]:
    response = item.response
    return {
        "index": item.index,
        "marker": item.marker,
        "request": item.request,
        "values": item.values,
        "phase": _unsent(item.phase),
        "run": _unsent(item.run),
        "gone": item.gone,
        "response": _unsigned(response.to_wire()) if response is not None else None,
        "error": _unsigned(_error(item.error)) if item.error is not None else None,
    }


def _unsigned(value: Any) -> Any:
    """``value`` without signed URLs: ``tempUrl`` keys left out, URL queries redacted."""
    if isinstance(value, dict):
        return {k: _unsigned(v) for k, v in value.items() if k not in SIGNED_KEYS}
    if isinstance(value, list):
        return [_unsigned(v) for v in value]
    if isinstance(value, str):
        return redact_urls(value)
    return value


def _error(error: BaseException) -> dict[str, Any]:
    saved = SavedError(type=type(error).__name__, message=str(error))
    if isinstance(error, errors.PayloadError):
        saved.errors = error.errors
    elif isinstance(error, errors.ApiError):
        saved.message, saved.status_code, saved.code = error.message, error.status_code, error.code
        saved.method, saved.url = error.method, error.url
    elif isinstance(error, errors.ByteNiteConnectionError):
        saved.maybe_applied = error.maybe_applied
    return saved.model_dump(by_alias=True, exclude_defaults=True)
