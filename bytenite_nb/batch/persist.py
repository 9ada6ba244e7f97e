"""``JobBatch.save`` / ``JobBatch.load``: a batch as a JSON file, written atomically.

The file holds each item's request, marker, job (wire form) and error, so a
batch survives a kernel restart; it never holds the API key or a token (the
client that loads it brings its own credentials).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import errors
from .item import BatchItem

if TYPE_CHECKING:  # pragma: no cover
    from .core import BatchCore

FORMAT = "bytenite-nb.batch"
VERSION = 1


def dump(batch: BatchCore[Any]) -> dict[str, Any]:
    """The JSON-ready form of a batch."""
    with batch._lock:
        items = [_item(item) for item in batch.items]
    return {
        "format": FORMAT,
        "version": VERSION,
        "batchId": batch.batch_id,
        "run": batch.run,
        "concurrency": batch.concurrency,
        "createdAt": batch.created_at,
        "baseUrl": batch.client.base_url,
        "items": items,
    }


def save(batch: BatchCore[Any], path: str | os.PathLike[str]) -> Path:
    """Write the batch to ``path`` (a temporary file renamed over it: never half-written)."""
    target = Path(path)
    text = json.dumps(dump(batch), ensure_ascii=False, indent=1)
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


def load(path: str | os.PathLike[str]) -> tuple[dict[str, Any], list[BatchItem]]:
    """Read a saved batch: its header and its items (``ValueError`` if not one)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not a saved batch (invalid JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a saved bytenite-nb batch")
    if data.get("version") != VERSION:
        raise ValueError(f"{path}: batch file version {data.get('version')!r} is not supported")
    return data, [_load_item(raw) for raw in data.get("items", [])]


def _item(item: BatchItem) -> dict[str, Any]:
    response = item.response
    return {
        "index": item.index,
        "marker": item.marker,
        "request": item.request,
        "values": item.values,
        # An item in flight while saving may or may not get created: resume checks it.
        "phase": "unknown" if item.phase == "sending" else item.phase,
        "run": "unknown" if item.run == "sending" else item.run,
        "gone": item.gone,
        "response": response.to_wire() if response is not None else None,
        "error": _error(item.error) if item.error is not None else None,
    }


def _error(error: BaseException) -> dict[str, Any]:
    out: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, errors.PayloadError):
        out["errors"] = error.errors
    elif isinstance(error, errors.ApiError):
        out.update(
            message=error.message,
            statusCode=error.status_code,
            code=error.code,
            method=error.method,
            url=error.url,
        )
    elif isinstance(error, errors.ByteNiteConnectionError):
        out["maybeApplied"] = error.maybe_applied
    return out


def _load_error(raw: dict[str, Any]) -> BaseException:
    kind = str(raw.get("type", ""))
    message = str(raw.get("message", ""))
    cls = getattr(errors, kind, None)
    if kind == "PayloadError":
        return errors.PayloadError(raw.get("errors") or [])
    if isinstance(cls, type) and issubclass(cls, errors.ApiError):
        return cls(
            message,
            status_code=raw.get("statusCode"),
            code=raw.get("code"),
            method=raw.get("method"),
            url=raw.get("url"),
        )
    if kind == "ByteNiteConnectionError":
        return errors.ByteNiteConnectionError(message, maybe_applied=bool(raw.get("maybeApplied")))
    return errors.ByteNiteError(f"{kind}: {message}" if kind else message)


def _load_item(raw: dict[str, Any]) -> BatchItem:
    from ..models import JobResponse

    response = raw.get("response")
    error = raw.get("error")
    return BatchItem(
        index=int(raw["index"]),
        request=dict(raw.get("request") or {}),
        marker=str(raw["marker"]),
        values=dict(raw.get("values") or {}),
        response=JobResponse.model_validate(response) if response else None,
        error=_load_error(error) if isinstance(error, dict) else None,
        phase=raw.get("phase", "pending"),
        run=raw.get("run", "no"),
        gone=bool(raw.get("gone")),
    )
