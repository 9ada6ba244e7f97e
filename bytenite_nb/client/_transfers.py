"""Results and input files as sans-I/O flows: list, preview, download, upload.

Result links and a ``file`` job's ``tempUrl`` are signed storage URLs: sent
without our token, retried within the call's deadline, never shown (messages,
errors and httpx's log lines drop their query). Bodies stream piece by piece
(the local side is :mod:`._local`).
"""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from .._urls import hide_url_queries_in_logs, url_secrets, without_query
from ..errors import (
    ApiError,
    BadRequestError,
    ByteNiteConnectionError,
    ByteNiteError,
    InternalServerError,
    JobNotReadyError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    api_error_from_body,
    redact,
)
from ..models import Job, JobResponse, JobResults, JobState, ResultFile
from ..progress import ProgressOption, Reporter, reporter
from ._local import (
    FileSink,
    HeadSink,
    Sink,
    check_dest,
    check_upload_path,
    make_folders,
    plan_downloads,
    read_pieces,
)
from ._once import _ExactlyOnce
from ._payloads import _envelope
from ._steps import USER_AGENT, AttemptTimeout, _Flow, _Send, _timeouts

#: The most of an error answer's body a transfer reads (the excerpt is shorter).
ERROR_BODY_MAX = 64 * 1024
#: Preview caps: bytes fetched of an image, and of a text, JSON or CSV file.
PREVIEW_BYTES = 256 * 1024
TEXT_PREVIEW_BYTES = 16 * 1024
#: Files previewed at most by one ``preview_results`` call.
PREVIEW_FILES = 12

_RENEW_LINKS = "ask for the results again to get fresh links"

# httpx logs every request at INFO with its URL: a signed URL's query must not land
# in a notebook's saved output under ``logging.basicConfig``.
hide_url_queries_in_logs()


# -- the streaming steps (the drivers carry them out) ----------------------------------------
@dataclass(frozen=True)
class _Streamed(_Send):
    """A storage step, download or upload: send ``request``, stream the answer's
    body into the sink ``attempt.start(response)`` gives (False from it stops
    early; a retry restarts). Socket timeouts are the attempt's budget."""

    attempt: _Attempt

    def __post_init__(self) -> None:
        self.request.extensions["timeout"] = _timeouts(max(self.timeout, 0.001))


@dataclass(frozen=True)
class _Upload(_Streamed):
    """A storage step sending ``size`` bytes of ``path``, read afresh each attempt."""

    path: Path
    progress: Reporter
    size: int

    def with_body(self, body: Iterator[bytes] | AsyncIterator[bytes]) -> httpx.Request:
        """The request to send this attempt, its body streamed from ``body``."""
        r = self.request
        return httpx.Request(
            r.method, r.url, headers=r.headers, content=body, extensions=r.extensions
        )

    def chunks(self) -> Iterator[bytes]:
        self.attempt.begin(self.request)
        for piece in read_pieces(self.path, self.size, self.progress):
            self.attempt.check()
            yield piece

    async def achunks(self) -> AsyncIterator[bytes]:
        # Reads of 256 KiB from local disk are short: inline, not in threads.
        for piece in self.chunks():
            yield piece


class _Attempt:
    """One storage transfer's bounds and answer, across its attempts.

    Every piece is checked against the call's ``deadline`` and the attempt's
    ``timeout`` (the client's clock): a trickling host is cut off. A 2xx body
    goes to the sink ``start_body`` gives; any other is kept here, capped and
    decoded leniently (a gzip 403 is read, never "undecodable").
    """

    def __init__(
        self,
        clock: Callable[[], float],
        deadline: float,
        timeout: float,
        start_body: Callable[[httpx.Response], Sink] | None = None,
    ) -> None:
        self.clock, self.deadline, self.timeout = clock, deadline, timeout
        self.start_body = start_body
        self.end = deadline
        self.kept = HeadSink(ERROR_BODY_MAX)
        self.encoding = ""
        self._request: httpx.Request | None = None
        self._begun = False

    def begin(self, request: httpx.Request) -> None:
        """An attempt starts (its request body is about to be sent)."""
        self.end = min(self.deadline, self.clock() + self.timeout)
        self._request, self._begun = request, True

    def check(self) -> None:
        """``AttemptTimeout`` once the attempt's time or the call's deadline is spent."""
        if self.clock() > self.end:
            raise AttemptTimeout("the transfer did not end in time", request=self._request)

    def start(self, response: httpx.Response) -> Sink:
        if not self._begun:
            self.begin(response.request)
        self._begun = False
        self.check()
        self.kept = HeadSink(ERROR_BODY_MAX)
        self.encoding = ""
        take: Sink = self.kept.write
        if not response.is_success:
            # Read the error body raw (httpx picks its decoder lazily, from this
            # header) and decode it here, leniently.
            self.encoding = response.headers.get("Content-Encoding", "").strip().lower()
            response.headers.pop("Content-Encoding", None)
        elif self.start_body is not None:
            take = self.start_body(response)

        def sink(piece: bytes) -> bool | None:
            self.check()
            return take(piece)

        return sink

    def answer(self, response: httpx.Response) -> httpx.Response:
        """``response`` with the body kept here, decoded as its encoding says."""
        if response.is_success and self.start_body is not None:
            return response
        body = _decoded_body(bytes(self.kept.data), self.encoding)
        return httpx.Response(
            response.status_code, headers=response.headers, content=body, request=response.request
        )


def _decoded_body(body: bytes, encoding: str) -> bytes:
    """``body`` decoded (gzip, deflate), or as it came when it does not decode."""
    for wbits in {"gzip": (31,), "x-gzip": (31,), "deflate": (15, -15)}.get(encoding, ()):
        with contextlib.suppress(zlib.error):
            return zlib.decompressobj(wbits).decompress(body, ERROR_BODY_MAX)
    return body


# -- the calls ---------------------------------------------------------------------------------
class _TransferCalls(_ExactlyOnce):
    """Results, previews, downloads and uploads, written once for both drivers."""

    def _storage_request(
        self, method: str, url: str, what: str, headers: dict[str, str] | None = None
    ) -> httpx.Request:
        """A request to a signed storage URL, without our token; ``ApiError`` (the
        link's query hidden) for a link that is no URL."""
        try:
            request = httpx.Request(
                method, url, headers={"User-Agent": USER_AGENT, **(headers or {})}
            )
            usable = request.url.scheme in ("http", "https") and bool(request.url.host)
        except (httpx.InvalidURL, ValueError, TypeError):
            usable = False
        if not usable:
            raise ApiError(
                f"{what}: the service gave a malformed link ({without_query(str(url))!r}); "
                f"{_RENEW_LINKS}",
                status_code=200,
            ) from None
        return request

    def _storage_send(self, step: _Streamed, what: str, renew: str) -> _Flow[httpx.Response]:
        """Send to storage with retries by the attempt's deadline; typed errors
        (403: the link has most likely expired), the signature never shown."""
        request, attempt = step.request, step.attempt
        url = str(request.url)
        hidden = url_secrets(url)
        try:
            response = yield from self._retrying(
                request, idempotent=True, send=step, deadline=attempt.deadline
            )
        except ByteNiteConnectionError as exc:
            message = redact(str(exc).replace(url, without_query(url)), hidden)
            raise ByteNiteConnectionError(message, maybe_applied=exc.maybe_applied) from None
        response = attempt.answer(response)
        if response.is_success:
            return response
        error = api_error_from_body(
            response.status_code,
            response.content,
            method=request.method,
            url=without_query(url),
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

    def _fetch(
        self,
        file: ResultFile,
        start: Callable[[httpx.Response], Sink],
        what: str,
        deadline: float,
    ) -> _Flow[None]:
        """GET one result's link into the sink ``start`` gives, by ``deadline``."""
        request = self._storage_request("GET", file.link or "", what)
        attempt = _Attempt(self._clock, deadline, self._settings.timeout, start)
        step = _Streamed(request, self._settings.timeout, attempt)
        yield from self._storage_send(step, what, _RENEW_LINKS)

    # -- results -------------------------------------------------------------------------
    def _get_job_results(self, job_id: str) -> _Flow[JobResults]:
        """The job's output files (names and signed links, never shown in reprs);
        ``JobNotReadyError`` (with ``.state``) while the job is not COMPLETE."""
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
        self,
        job: str | JobResults,
        *,
        max_bytes: int = PREVIEW_BYTES,
        max_files: int = PREVIEW_FILES,
    ) -> _Flow[JobResults]:
        """The results with the first bytes of up to ``max_files`` previewable files
        fetched (images up to ``max_bytes``, text/JSON/CSV up to 16 KiB): their
        card shows inline previews."""
        if max_bytes <= 0 or max_files < 0:
            raise ValueError("max_bytes must be > 0 and max_files >= 0")
        deadline = self._deadline()
        results = job if isinstance(job, JobResults) else (yield from self._get_job_results(job))
        chosen = [f for f in results.files if f.preview_kind and f.link][:max_files]
        for file in chosen:
            text = file.preview_kind != "image"
            sink = HeadSink(min(max_bytes, TEXT_PREVIEW_BYTES) if text else max_bytes)
            try:
                yield from self._fetch(file, sink.start, f"the preview of {file.name!r}", deadline)
            except ByteNiteError as exc:  # that file's problem, shown on its row
                file.set_preview_error(str(exc))
                continue
            if sink.size is not None:
                file.size = sink.size
            complete = not sink.cut and (sink.size is None or len(sink.data) >= sink.size)
            file.set_head(bytes(sink.data), complete=complete)
        return results

    def _download_results(
        self,
        job_id: str,
        dest: str | os.PathLike[str],
        overwrite: bool = False,
        *,
        progress: ProgressOption = None,
    ) -> _Flow[list[Path]]:
        """Download every output file under ``dest`` (created if its parent exists;
        ``out_0/result.txt`` becomes a subfolder); return the local paths.

        Each file goes to a temporary name, renamed when complete.
        ``LocalPathError``, before anything is written, for a bad ``dest``, an
        existing file without ``overwrite=True`` or a name outside ``dest``.
        """
        deadline = self._deadline()
        root = check_dest(dest)
        results = yield from self._get_job_results(job_id)
        plan = plan_downloads(results, root, overwrite)
        for file, target in plan:
            make_folders(target)
            sink = FileSink(target, reporter(progress, file.name))
            try:
                yield from self._fetch(file, sink.start, f"the download of {file.name!r}", deadline)
                file.size = sink.commit(overwrite)
            except BaseException:
                sink.discard()
                sink.progress.finish(failed=True)
                raise
            sink.progress.finish()
        return [target for _, target in plan]

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
        temp_url = ((source.params if source is not None else None) or {}).get("tempUrl")
        if kind != "file":
            field = "dataSource.dataSourceDescriptor"
            message = f"is {kind!r}: upload_file needs a job whose data source is 'file'"
        elif not isinstance(temp_url, str) or not temp_url:
            field = "dataSource.params.tempUrl"
            message = "the service gave this job no upload URL"
        else:
            return job_id, temp_url
        raise PayloadError([{"field": field, "message": f"{message} (nothing was sent)"}])

    def _upload_file(
        self,
        job: str | Job | JobResponse,
        path: str | os.PathLike[str],
        *,
        progress: ProgressOption = None,
    ) -> _Flow[dict[str, Any]]:
        """Send a local file to a job's ``file`` data source (its ``tempUrl``), then
        mark the upload complete; run the job afterwards.

        Before anything is sent: ``LocalPathError`` for a missing file or a folder,
        ``PayloadError`` for a job without a ``file`` data source.
        ``PermissionDeniedError`` when the ``tempUrl`` has expired.
        """
        deadline = self._deadline()
        local = check_upload_path(path)
        size = local.stat().st_size
        job_id, temp_url = yield from self._upload_target(job)
        what = f"the upload of {local.name}"
        headers = {
            "Content-Disposition": "attachment",
            "Content-Type": "application/octet-stream",
            "Content-Length": str(size),
        }
        bar = reporter(progress, local.name, size)
        request = self._storage_request("PUT", temp_url, what, headers)
        attempt = _Attempt(self._clock, deadline, self._settings.timeout)
        step = _Upload(request, self._settings.timeout, attempt, local, bar, size)
        try:
            yield from self._storage_send(
                step,
                what,
                "create the job again to get a new tempUrl (nothing was marked uploaded)",
            )
        except BaseException:
            bar.finish(failed=True)
            raise
        bar.finish()
        data = yield from self._call(
            "PATCH",
            self._job_path(job_id, "/uploadcompleted"),
            body={},
            idempotent=True,
            deadline=deadline,
        )
        return _envelope(data, f"mark the upload of job {job_id} complete")
