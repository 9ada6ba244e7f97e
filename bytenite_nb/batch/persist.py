"""``JobBatch.save`` / ``JobBatch.load``: a batch as a JSON file, written atomically.

The file holds each item's request, marker, job (wire form) and error, so a
batch survives a kernel restart; it never holds the API key, a token (the
client that loads it brings its own credentials) or a signed URL (a job's
``tempUrl`` is left out, the query of any URL in a message is redacted: a
job fetched again has a fresh ``tempUrl``).

A saved batch is a file the user may edit: :func:`load` checks every field
and raises ``ValueError`` naming the first one that is wrong (never a
``KeyError``, a ``TypeError`` or a pydantic error), so that a loaded batch
can always be resumed and waited for.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from .. import errors
from ..models import MAX_NESTING, JobResponse, too_deep
from .item import MAX_CONCURRENCY, BatchItem, Phase, RunPhase

#: What a saved item's ``phase`` and ``run`` may be (``sending`` is saved as ``unknown``).
PHASES = frozenset({"invalid", "pending", "unknown", "error", "created"})
RUN_PHASES = frozenset({"no", "unknown", "error", "done"})
#: Integers in a saved batch are small: anything longer is a tampered file.
_MAX_INT_DIGITS = 20

if TYPE_CHECKING:  # pragma: no cover
    from .core import BatchCore

FORMAT = "bytenite-nb.batch"
VERSION = 1
#: Levels a saved batch adds around a request or a job (file, items, item, response, job).
FILE_LEVELS = 6


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
    """Read a saved batch: its checked header and its items (``ValueError`` naming
    what is wrong if the file is not a batch this version wrote, or was edited
    into one that cannot be resumed)."""
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
        raise ValueError(
            f"{path}: batch file version {_brief(data.get('version'))} is not supported"
        )
    try:
        header = _header(data)
        raw_items = data.get("items", [])
        if not isinstance(raw_items, list):
            raise _Bad("items", "must be a list")
        items = [_load_item(raw, n) for n, raw in enumerate(raw_items)]
        indexes = [item.index for item in items]
        if len(set(indexes)) != len(indexes):
            raise _Bad("items", "two items have the same index")
    except _Bad as bad:
        raise ValueError(f"{path}: not a batch that can be resumed: {bad}") from None
    return header, items


class _Bad(Exception):
    """A field of a saved batch that is wrong (becomes the ``ValueError``)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field} {problem}")


def _small_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(text):,} digits")
    return int(text)


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _typed(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = raw.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise _Bad(f"{where}{key}", f"must be {names}, got {_brief(value)}")
    return value


def _header(data: dict[str, Any]) -> dict[str, Any]:
    batch_id = _typed(data, "batchId", str, "")
    if not batch_id.strip() or len(batch_id) > 200:
        raise _Bad("batchId", f"must be 1 to 200 characters, got {_brief(batch_id)}")
    concurrency = _typed(data, "concurrency", int, "")
    if not 1 <= concurrency <= MAX_CONCURRENCY:
        raise _Bad("concurrency", f"must be 1 to {MAX_CONCURRENCY}, got {concurrency}")
    run = data.get("run", False)
    if not isinstance(run, bool):
        raise _Bad("run", f"must be true or false, got {_brief(run)}")
    created = data.get("createdAt", "")
    if created is None:
        created = ""
    if not isinstance(created, str):
        raise _Bad("createdAt", f"must be a string, got {_brief(created)}")
    return {
        **data,
        "batchId": batch_id,
        "concurrency": concurrency,
        "run": run,
        "createdAt": created,
    }


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
        "response": _unsigned(response.to_wire()) if response is not None else None,
        "error": _unsigned(_error(item.error)) if item.error is not None else None,
    }


def _unsigned(value: Any) -> Any:
    """``value`` without signed URLs: ``tempUrl`` keys left out, URL queries redacted."""
    if isinstance(value, dict):
        return {k: _unsigned(v) for k, v in value.items() if k not in errors.SIGNED_KEYS}
    if isinstance(value, list):
        return [_unsigned(v) for v in value]
    if isinstance(value, str):
        return errors.redact_urls(value)
    return value


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


def _load_error(raw: dict[str, Any], where: str) -> BaseException:
    kind = raw.get("type", "")
    message = raw.get("message", "")
    if not isinstance(kind, str) or not isinstance(message, str):
        raise _Bad(f"{where}error", "must have a string type and message")
    cls = getattr(errors, kind, None)
    if kind == "PayloadError":
        problems = raw.get("errors") or []
        if not isinstance(problems, list) or not all(isinstance(p, dict) for p in problems):
            raise _Bad(f"{where}error.errors", "must be a list of objects")
        return errors.PayloadError(problems)
    if isinstance(cls, type) and issubclass(cls, errors.ApiError):
        status, code = raw.get("statusCode"), raw.get("code")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise _Bad(f"{where}error.statusCode", f"must be an HTTP status, got {_brief(status)}")
        if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
            raise _Bad(f"{where}error.code", f"must be a number, got {_brief(code)}")
        method, url = raw.get("method"), raw.get("url")
        return cls(
            message,
            status_code=status,
            code=code,
            method=method if isinstance(method, str) else None,
            url=url if isinstance(url, str) else None,
        )
    if kind == "ByteNiteConnectionError":
        return errors.ByteNiteConnectionError(
            message, maybe_applied=raw.get("maybeApplied") is True
        )
    return errors.ByteNiteError(f"{kind}: {message}" if kind else message)


def _load_item(raw: Any, n: int) -> BatchItem:
    where = f"items[{n}]."
    if not isinstance(raw, dict):
        raise _Bad(f"items[{n}]", f"must be an object, got {_brief(raw)}")
    index = _typed(raw, "index", int, where)
    if not 0 <= index < 10**9:
        raise _Bad(f"{where}index", f"must be a whole number >= 0, got {index}")
    marker = _typed(raw, "marker", str, where)
    request = raw.get("request") or {}
    values = raw.get("values") or {}
    for key, value in (("request", request), ("values", values)):
        if not isinstance(value, dict):
            raise _Bad(f"{where}{key}", f"must be an object, got {_brief(value)}")
    phase, run = raw.get("phase", "pending"), raw.get("run", "no")
    if phase == "sending":
        phase = "unknown"
    if run == "sending":
        run = "unknown"
    if not isinstance(phase, str) or phase not in PHASES:
        raise _Bad(
            f"{where}phase", f"must be one of {', '.join(sorted(PHASES))}, got {_brief(phase)}"
        )
    if not isinstance(run, str) or run not in RUN_PHASES:
        raise _Bad(
            f"{where}run", f"must be one of {', '.join(sorted(RUN_PHASES))}, got {_brief(run)}"
        )
    gone = raw.get("gone", False)
    if not isinstance(gone, bool):
        raise _Bad(f"{where}gone", f"must be true or false, got {_brief(gone)}")
    wire, error = raw.get("response"), raw.get("error")
    if wire is not None and not isinstance(wire, dict):
        raise _Bad(f"{where}response", f"must be an object, got {_brief(wire)}")
    if error is not None and not isinstance(error, dict):
        raise _Bad(f"{where}error", f"must be an object, got {_brief(error)}")
    try:
        response = JobResponse.model_validate(wire) if wire else None
    except (ValidationError, RecursionError, ValueError) as exc:
        first = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise _Bad(f"{where}response", f"is not a job ({first})") from None
    if phase == "created" and (response is None or not response.job.id):
        raise _Bad(f"{where}response", "must hold the job (with its id) of a created item")
    if run != "no" and phase != "created":
        raise _Bad(f"{where}run", f"is {run!r} for an item that was not created")
    return BatchItem(
        index=index,
        request=dict(request),
        marker=marker,
        values=dict(values),
        response=response,
        error=_load_error(error, where) if error is not None else None,
        phase=cast(Phase, phase),
        run=cast(RunPhase, run),
        gone=gone,
    )
