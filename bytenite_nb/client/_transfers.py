"""Results and input files as sans-I/O flows: list, preview, download, upload.

Result links and a ``file`` job's ``tempUrl`` are signed storage URLs: they
get a request of their own with no ``Authorization`` header (the token never
leaves for a storage host), the same retries and timeouts as every call,
and a typed error when refused (403: the URL has probably expired).

Bodies stream: a download is written piece by piece to a temporary file in
the destination folder and renamed when complete (a failed one leaves
nothing behind); an upload is read from disk piece by piece. The drivers
carry out the two streaming steps, :class:`_Download` and :class:`_Upload`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import httpx

from ..errors import (
    ApiError,
    BadRequestError,
    ByteNiteConnectionError,
    ByteNiteError,
    InternalServerError,
    JobNotReadyError,
    LocalPathError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    api_error_from_body,
    redact,
)
from ..models import Job, JobResponse, JobResults, JobState, ResultFile
from ..progress import ProgressOption, Reporter, reporter
from ._once import _ExactlyOnce
from ._payloads import _envelope
from ._steps import USER_AGENT, _Flow, _Send

#: Bytes read from disk per piece of an upload.
UPLOAD_CHUNK = 256 * 1024
#: The most of an error answer's body a transfer reads (the excerpt is shorter).
ERROR_BODY_MAX = 64 * 1024
#: Preview caps: bytes fetched of an image, and of a text, JSON or CSV file.
PREVIEW_BYTES = 256 * 1024
TEXT_PREVIEW_BYTES = 16 * 1024
#: Files previewed at most by one ``preview_results`` call.
PREVIEW_FILES = 12

Sink = Callable[[bytes], bool | None]
_RENEW_LINKS = "ask for the results again to get fresh links"


# --------------------------------------------------------------------------
# The streaming steps (the drivers carry them out)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Download(_Send):
    """Send ``request``, stream a 2xx body into the sink ``start(response)`` returns.

    The sink returns False to stop early. A non-2xx answer is read (capped) and
    handed back whole; ``start`` is called once per attempt (a retry restarts).
    """

    start: Callable[[httpx.Response], Sink | None]


@dataclass(frozen=True)
class _Upload(_Send):
    """Send ``request`` with the body read from ``path`` piece by piece (fresh per attempt)."""

    path: Path
    progress: Reporter | None

    def start(self, response: httpx.Response) -> Sink | None:
        return None  # the answer to an upload is small: read it whole

    def with_body(self, body: Iterator[bytes] | AsyncIterator[bytes]) -> httpx.Request:
        """The request to send this attempt, its body streamed from ``body``."""
        r = self.request
        return httpx.Request(
            r.method, r.url, headers=r.headers, content=body, extensions=r.extensions
        )

    def chunks(self) -> Iterator[bytes]:
        if self.progress is not None:
            self.progress.restart(self.progress.total)
        with open(self.path, "rb") as stream:
            while piece := stream.read(UPLOAD_CHUNK):
                if self.progress is not None:
                    self.progress.advance(len(piece))
                yield piece

    async def achunks(self) -> AsyncIterator[bytes]:
        # Local disk reads of 256 KiB are short; they run inline rather than in threads.
        for piece in self.chunks():
            yield piece


def answered(response: httpx.Response, body: bytes) -> httpx.Response:
    """A complete, read response (for the flow) from a streamed one and its body."""
    return httpx.Response(
        response.status_code, headers=response.headers, content=body, request=response.request
    )


# --------------------------------------------------------------------------
# Local paths
# --------------------------------------------------------------------------


def check_upload_path(path: str | os.PathLike[str]) -> Path:
    """The file to upload; ``LocalPathError`` if missing, a folder or unreadable."""
    local = Path(path).expanduser()
    if not local.exists():
        raise LocalPathError(local, "no such file (nothing was sent)")
    if local.is_dir():
        raise LocalPathError(local, "is a folder; upload_file sends one file (nothing was sent)")
    try:
        with open(local, "rb"):
            pass
    except OSError as exc:
        problem = f"cannot be read: {exc.strerror or exc} (nothing was sent)"
        raise LocalPathError(local, problem) from None
    return local


def check_dest(dest: str | os.PathLike[str]) -> Path:
    """The download folder. It is created if missing, but its parent must exist
    (a missing parent is most likely a typo); ``LocalPathError`` otherwise."""
    root = Path(dest).expanduser().absolute()
    if root.exists():
        if not root.is_dir():
            raise LocalPathError(root, "is a file, not a folder to download into")
        where = root
    else:
        where = root.parent
        if not where.is_dir():
            raise LocalPathError(
                root,
                f"its parent folder {where} does not exist (download_results creates the "
                "destination folder itself, not its parents)",
            )
    if not os.access(where, os.W_OK | os.X_OK):
        raise LocalPathError(where, "the folder is not writable")
    return root


def result_target(root: Path, name: str) -> Path:
    """Where the result ``name`` goes under ``root``; refused if it would escape."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if (
        not name.strip()
        or name.startswith(("/", "\\"))
        or (len(name) > 1 and name[1] == ":")
        or any(p in ("..",) or "\x00" in p for p in parts)
    ):
        raise LocalPathError(name, f"refused: this result name would be written outside {root}")
    target = root.joinpath(*[p for p in parts if p != "."])
    resolved = target.resolve()
    if not resolved.is_relative_to(root.resolve()) or resolved == root.resolve():
        raise LocalPathError(name, f"refused: this result name would be written outside {root}")
    return target


def plan_downloads(
    results: JobResults, root: Path, overwrite: bool
) -> list[tuple[ResultFile, Path]]:
    """Each file and its local path, checked before anything is written."""
    plan: list[tuple[ResultFile, Path]] = []
    seen: dict[Path, str] = {}
    existing: list[str] = []
    for file in results.files:
        target = result_target(root, file.name)
        if target in seen:
            raise LocalPathError(file.name, f"two results share this name ({seen[target]!r})")
        seen[target] = file.name
        if not file.link:
            raise ApiError(f"result {file.name!r} came without a link", status_code=200)
        for parent in target.parents:
            if parent == root or not parent.is_relative_to(root):
                break
            if parent.exists() and not parent.is_dir():
                raise LocalPathError(parent, "is a file where a result folder should be")
        if target.is_dir():
            raise LocalPathError(target, "is a folder where a result file should be")
        if target.exists() and not overwrite:
            existing.append(str(target))
        plan.append((file, target))
    if existing:
        more = f" (and {len(existing) - 1} more)" if len(existing) > 1 else ""
        raise LocalPathError(
            existing[0], f"already exists{more}; pass overwrite=True to replace (nothing written)"
        )
    return plan


def _safe_url(url: str) -> str:
    """A signed URL without its query (the signature): fit for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class _FileSink:
    """Writes one download to ``<dest folder>/.<name>.<random>.part``; renames at the end."""

    def __init__(self, target: Path, progress: Reporter) -> None:
        self.target = target
        self.part = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        self.progress = progress
        self._stream: Any = None
        self.expected: int | None = None

    def start(self, response: httpx.Response) -> Sink | None:
        if not response.is_success:
            return None
        self.close()
        self._stream = open(self.part, "wb")  # noqa: SIM115 - closed by close()/discard()
        length = response.headers.get("Content-Length", "")
        self.expected = int(length) if length.isdigit() else None
        self.progress.restart(self.expected)
        return self.write

    def write(self, piece: bytes) -> None:
        self._stream.write(piece)
        self.progress.advance(len(piece))

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def commit(self) -> Path:
        self.close()
        os.replace(self.part, self.target)
        return self.target

    def discard(self) -> None:
        self.close()
        self.part.unlink(missing_ok=True)


class _HeadSink:
    """Keeps the first ``limit`` bytes of a body, then stops the transfer."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.cut = False
        self.size: int | None = None

    def start(self, response: httpx.Response) -> Sink | None:
        if not response.is_success:
            return None
        self.data.clear()
        self.cut = False
        length = response.headers.get("Content-Length", "")
        self.size = int(length) if length.isdigit() else None
        return self.write

    def write(self, piece: bytes) -> bool:
        room = self.limit - len(self.data)
        self.data += piece[:room]
        if len(piece) > room:
            self.cut = True
            return False
        return True


# --------------------------------------------------------------------------
# The calls
# --------------------------------------------------------------------------


class _TransferCalls(_ExactlyOnce):
    """Results, previews, downloads and uploads, written once for both drivers."""

    def _storage_request(
        self, method: str, url: str, headers: dict[str, str] | None = None
    ) -> httpx.Request:
        """A request to a signed storage URL: our User-Agent and timeout, never our token."""
        request = httpx.Request(
            method,
            url,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            extensions={"timeout": httpx.Timeout(self._settings.timeout).as_dict()},
        )
        if "authorization" in request.headers:  # pragma: no cover - a bug, never sent
            raise RuntimeError("refusing to send an Authorization header to a storage URL")
        return request

    def _storage_send(
        self, request: httpx.Request, step: _Send, what: str, renew: str
    ) -> _Flow[httpx.Response]:
        """Send to storage with the usual retries; typed errors, the signature never shown."""
        url = str(request.url)
        hidden = (url, urlsplit(url).query or None)
        try:
            response = yield from self._retrying(request, idempotent=True, send=step)
        except ByteNiteConnectionError as exc:
            message = redact(str(exc).replace(url, _safe_url(url)), hidden)
            raise ByteNiteConnectionError(message, maybe_applied=exc.maybe_applied) from None
        if response.is_success:
            return response
        error = api_error_from_body(
            response.status_code,
            response.content,
            method=request.method,
            url=_safe_url(url),
            secrets=(*self._secrets(), *hidden),
        )
        if isinstance(error, PermissionDeniedError):
            error.message = (
                f"{what} was refused ({error.message}): the signed URL has most likely "
                f"expired; {renew}"
            )
        else:
            error.message = f"{what} failed: {error.message}"
        raise error

    # -- results -------------------------------------------------------------------------
    def _get_job_results(self, job_id: str) -> _Flow[JobResults]:
        path = self._job_path(job_id, "/results")
        try:
            data = yield from self._call("GET", path, idempotent=True)
        except (BadRequestError, NotFoundError, InternalServerError) as exc:
            # The service answers 400/404/500 until the job is COMPLETE: ask the job.
            response = yield from self._get_job(job_id)
            state = response.job.state
            if state != JobState.COMPLETE:
                raise JobNotReadyError(job_id, state, response.job.error_message) from None
            raise exc
        return JobResults.from_wire(data, job_id)

    def _preview_results(
        self, job: str | JobResults, max_bytes: int, max_files: int
    ) -> _Flow[JobResults]:
        if max_bytes <= 0 or max_files < 0:
            raise ValueError("max_bytes must be > 0 and max_files >= 0")
        if isinstance(job, JobResults):
            results = job
        else:
            results = yield from self._get_job_results(job)
        chosen = [f for f in results.files if f.preview_kind and f.link][:max_files]
        for file in chosen:
            limit = (
                max_bytes if file.preview_kind == "image" else min(max_bytes, TEXT_PREVIEW_BYTES)
            )
            sink = _HeadSink(limit)
            request = self._storage_request("GET", file.link or "")
            yield from self._storage_send(
                request,
                _Download(request, True, self._settings.timeout, sink.start),
                f"the preview of {file.name!r}",
                _RENEW_LINKS,
            )
            if sink.size is not None:
                file.size = sink.size
            complete = not sink.cut and (sink.size is None or len(sink.data) >= sink.size)
            file.set_head(bytes(sink.data), complete=complete)
        return results

    def _download_results(
        self,
        job_id: str,
        dest: str | os.PathLike[str],
        overwrite: bool,
        progress: ProgressOption,
    ) -> _Flow[list[Path]]:
        root = check_dest(dest)
        results = yield from self._get_job_results(job_id)
        plan = plan_downloads(results, root, overwrite)
        paths = []
        for file, target in plan:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LocalPathError(target.parent, f"cannot be created: {exc.strerror}") from None
            path = yield from self._download_one(file, target, overwrite, progress)
            paths.append(path)
        return paths

    def _download_one(
        self, file: ResultFile, target: Path, overwrite: bool, progress: ProgressOption
    ) -> _Flow[Path]:
        sink = _FileSink(target, reporter(progress, file.name))
        request = self._storage_request("GET", file.link or "")
        try:
            yield from self._storage_send(
                request,
                _Download(request, True, self._settings.timeout, sink.start),
                f"the download of {file.name!r}",
                _RENEW_LINKS,
            )
            if not overwrite and target.exists():  # appeared meanwhile: leave it alone
                raise LocalPathError(target, "appeared during the download; not replaced")
            path = sink.commit()
        except BaseException as exc:
            sink.discard()
            sink.progress.finish(failed=True)
            if isinstance(exc, OSError) and not isinstance(exc, ByteNiteError):
                # the disk, not the network (ours and httpx's errors are not plain OSErrors)
                problem = f"cannot be written: {exc.strerror or exc}"
                raise LocalPathError(target, problem) from None
            raise
        file.size = path.stat().st_size
        sink.progress.finish()
        return path

    # -- upload -----------------------------------------------------------------------------
    def _upload_target(self, job: str | Job | JobResponse) -> _Flow[tuple[str, str]]:
        """The job's id and ``tempUrl`` (fetching the job when not at hand)."""
        if isinstance(job, JobResponse):
            job = job.job
        if isinstance(job, Job):
            job_id, source = job.id, job.data_source
        elif isinstance(job, str):
            job_id, source = job, None
        else:
            raise TypeError(f"job must be a JobResponse, a Job or a job id, got {job!r}")
        if not job_id:
            raise ValueError("the job has no id: create it first (client.create_job)")
        if source is None or not (source.params or {}).get("tempUrl"):
            source = (yield from self._get_job(job_id)).job.data_source
        kind = source.data_source_descriptor if source is not None else None
        if kind != "file":
            raise PayloadError(
                [
                    {
                        "field": "dataSource.dataSourceDescriptor",
                        "message": f"is {kind!r}: upload_file needs a job whose data source "
                        "is 'file' (nothing was sent)",
                    }
                ]
            )
        temp_url = ((source.params if source is not None else None) or {}).get("tempUrl")
        if not isinstance(temp_url, str) or not temp_url:
            raise PayloadError(
                [
                    {
                        "field": "dataSource.params.tempUrl",
                        "message": "the service gave this job no upload URL (nothing was sent)",
                    }
                ]
            )
        return job_id, temp_url

    def _upload_file(
        self, job: str | Job | JobResponse, path: str | os.PathLike[str], progress: ProgressOption
    ) -> _Flow[dict[str, Any]]:
        local = check_upload_path(path)
        job_id, temp_url = yield from self._upload_target(job)
        size = local.stat().st_size
        headers = {
            "Content-Disposition": "attachment",
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
        }
        bar = reporter(progress, local.name, size)
        request = self._storage_request("PUT", temp_url, headers)
        try:
            yield from self._storage_send(
                request,
                _Upload(request, True, self._settings.timeout, local, bar),
                f"the upload of {local.name}",
                "create the job again to get a new tempUrl (nothing was marked uploaded)",
            )
        except BaseException:
            bar.finish(failed=True)
            raise
        bar.finish()
        data = yield from self._call(
            "PATCH", self._job_path(job_id, "/uploadcompleted"), body={}, idempotent=True
        )
        return _envelope(data, f"mark the upload of job {job_id} complete")
