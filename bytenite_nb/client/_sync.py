"""The synchronous driver: carries the flows' steps out with ``httpx.Client``."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Unpack

import httpx

from ..errors import ByteNiteError, redact_error
from ..models import CreateJobRequest, Job, JobLogs, JobResponse, JobResults, JobsPage, JobTemplate
from ..progress import ProgressOption
from ._checks import MAX_ITEMS
from ._jobs import _JobWalk
from ._payloads import MAX_ANSWER_BYTES, too_large
from ._steps import (
    POOL_LIMITS,
    TICK,
    AttemptTimeout,
    T,
    _Flow,
    _Gather,
    _Locked,
    _NoCookies,
    _Send,
    _Sleep,
    _Step,
    _timeouts,
)
from ._submit import ClientFlows, SubmitOptions, batch_type
from ._transfers import ERROR_BODY_MAX, PREVIEW_BYTES, PREVIEW_FILES, _Download, _Upload, answered

if TYPE_CHECKING:  # pragma: no cover
    from ..batch import JobBatch


class Client(ClientFlows):
    """A synchronous ByteNite client; use it as a context manager or ``close()`` it.

    Credentials come from ``api_key``/``access_token`` or ``BYTENITE_API_KEY``/
    ``BYTENITE_ACCESS_TOKEN``; the API root from ``base_url`` or
    ``BYTENITE_API_URL`` (default ``https://api.bytenite.com/v1``).

    Time limits: ``timeout`` bounds one attempt of a request as a whole
    (connect, send, the entire answer: a server trickling its body gets cut
    off); ``deadline`` bounds one call, its retries, their waits and the
    token exchange included (see ``bytenite_nb.config.DEFAULT_DEADLINE``).
    ``clock`` (monotonic seconds) and ``sleep`` replace ``time.monotonic`` and
    ``time.sleep`` for all of the client's timing: tests run its retries,
    waits and deadlines on a fake clock, without sleeping.
    Safe to share between threads: one token exchange at a time.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        access_token: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        customer_path: str | None = None,
        transport: httpx.BaseTransport | None = None,
        deadline: float | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(
            api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            customer_path=customer_path,
            deadline=deadline,
            clock=clock,
        )
        self._http = httpx.Client(
            timeout=self._settings.timeout,
            transport=transport,
            limits=POOL_LIMITS,
            cookies=_NoCookies(),
        )
        self._sleep: Callable[[float], None] = sleep or time.sleep
        self._token_lock = threading.Lock()

    def _run(self, flow: _Flow[T]) -> T:
        """Carry a flow's steps out; every error leaves as a redacted ``ByteNiteError``."""
        try:
            return self._drive(flow)
        except ByteNiteError as exc:
            redact_error(exc, self._secrets())  # in place
            raise

    def _drive(self, flow: _Flow[T]) -> T:
        value: Any = None
        error: BaseException | None = None
        try:
            while True:
                try:
                    step = flow.throw(error) if error is not None else flow.send(value)
                except StopIteration as stop:
                    result: T = stop.value
                    return result
                value, error = None, None
                try:
                    value = self._step(step)
                except Exception as exc:  # into the flow: it retries, decides or cleans up
                    error = exc
        except BaseException:
            flow.close()  # an interrupt: the flow's cleanup runs now (no-op once it ended)
            raise

    def _step(self, step: _Step) -> Any:
        """Carry out one step."""
        if type(step) is _Send:  # the common step first
            return self._send(step)
        if isinstance(step, _Sleep):
            return self._sleep(step.seconds)
        if isinstance(step, _Download | _Upload):
            return self._stream(step)
        if isinstance(step, _Locked):
            with self._token_lock:
                return self._drive(step.flow)
        if isinstance(step, _Gather):
            return self._gather(step)
        return self._send(step)

    def _gather(self, step: _Gather) -> list[Any]:
        """Run the step's flows on up to ``step.limit`` threads (see ``_Gather``)."""
        flows = list(step.flows)
        results: list[Any] = [None] * len(flows)
        queue = iter(range(len(flows)))
        taking = threading.Lock()
        stop = threading.Event()

        def work() -> None:
            while not stop.is_set():
                with taking:
                    index = next(queue, None)
                if index is None:
                    return
                try:
                    results[index] = self._run(flows[index])
                except Exception as exc:
                    results[index] = exc

        workers = min(step.limit, len(flows))
        if not workers:
            return results
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bn-gather")
        pending = {pool.submit(work) for _ in range(workers)}
        try:
            while pending:
                done, pending = futures_wait(pending, timeout=TICK, return_when=FIRST_EXCEPTION)
                if step.tick is not None:
                    step.tick()
                for future in done:
                    future.result()  # a bug in a flow surfaces here, not silently
        except BaseException:
            stop.set()  # no new flow starts; those in flight finish and record
            pool.shutdown(wait=False)
            step.unfinished.append(lambda: pool.shutdown(wait=True))
            raise
        pool.shutdown(wait=True)
        return results

    def _send(self, step: _Send) -> httpx.Response:
        """One attempt: the request and its whole answer within ``step.timeout`` s.

        Socket timeouts bound each wait; the attempt's end is checked between
        the body's chunks, and the body's reads wait at most what is left.
        """
        request, end = step.request, self._clock() + step.timeout
        request.extensions["timeout"] = _timeouts(step.timeout)
        response = self._http.send(request, stream=True)
        try:
            left = end - self._clock()
            if left <= 0:
                raise AttemptTimeout("no answer in time", request=request)
            request.extensions["timeout"] = _timeouts(left)  # read per chunk
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise too_large(request, size)
                if self._clock() > end:
                    raise AttemptTimeout("the answer did not arrive in time", request=request)
            response._content = b"".join(chunks)
        finally:
            response.close()
        return response

    def authenticate(self) -> None:
        """Exchange the API key for a token now (``AuthenticationError`` if refused)."""
        self._run(self._token_flow())

    def create_job(self, request: CreateJobRequest | Mapping[str, Any]) -> JobResponse:
        """Validate ``request`` (``PayloadError`` before any I/O), create the job."""
        return self._run(self._create_job(request))

    def submit_job(
        self,
        request: CreateJobRequest | Mapping[str, Any],
        **options: Unpack[SubmitOptions],
    ) -> JobResponse:
        """Create the job, upload ``upload`` to its ``file`` data source, run it
        (``run``), follow it to its end (``wait``: see :meth:`wait_for_job`);
        the options are :class:`~bytenite_nb.client.flows.SubmitOptions`.

        Everything is checked before anything is sent (``PayloadError``,
        ``LocalPathError``); the create is applied once. ``on_update(stage,
        response)`` hears ``created`` as soon as the job exists, then
        ``uploading``, ``starting`` and ``waiting`` (each new state): a failure
        after ``created`` leaves the job in place. Returns the job as it
        stands at the end (read again after a run).
        """
        return self._run(self._submit_job(request, **options))

    def get_job(self, job_id: str) -> JobResponse:
        """The job as it stands now."""
        return self._run(self._get_job(job_id))

    def list_jobs(self, limit: int = 20, offset: int = 0) -> JobsPage:
        """One page of your jobs, newest first (``.jobs``, ``.total``, ``.has_next``).

        ``limit`` is 1 to ``max_page_size`` (100), ``offset`` >= 0; ``PayloadError``
        before sending otherwise.
        """
        return self._run(self._list_jobs(limit, offset))

    def iter_jobs(self, page_size: int | None = None) -> Iterator[Job]:
        """Every job, newest first, fetching one page of ``page_size`` at a time
        (default ``max_page_size``) as the loop goes. A job is given once even
        if jobs created meanwhile shift the pages."""
        return self._walk_jobs(self._job_walk(page_size))

    def _walk_jobs(self, walk: _JobWalk) -> Iterator[Job]:
        while not walk.done:
            yield from walk.accept(self._run(self._list_jobs(walk.size, walk.offset)))

    def abort_job(self, job_id: str) -> dict[str, Any]:
        """Abort a running job (it ends FAILED); a job never run (NEW) is deleted.

        ``BadRequestError`` saying so if the job has already ended. Not retried
        once it may have reached the service.
        """
        return self._run(self._abort_job(job_id))

    def delete_job(self, job_id: str) -> dict[str, Any]:
        """Delete a job (``NotFoundError`` naming the id if there is none)."""
        return self._run(self._delete_job(job_id))

    def get_job_logs(
        self,
        job_id: str,
        levels: str | Iterable[str] | None = None,
        services: str | Iterable[str] | None = None,
        *,
        task_ids: str | Iterable[str] | None = None,
    ) -> JobLogs:
        """The job's log lines in time order (``.entries``), all or only these
        ``levels`` (``"error"``, ``["WARN", "ERROR"]``, any case), ``services``
        (partitioner, taskrunner, assembler) and ``task_ids``. A level or service
        that does not exist raises ``PayloadError`` listing the valid ones, before sending.
        """
        return self._run(self._get_job_logs(job_id, levels, services, task_ids))

    def run_job(self, job_id: str) -> dict[str, Any]:
        """Start a job created as a draft (state NEW); returns the service's envelope."""
        return self._run(self._run_job(job_id))

    def list_templates(self) -> list[JobTemplate]:
        """The job templates the account can use."""
        return self._run(self._list_templates())

    def get_job_results(self, job_id: str) -> JobResults:
        """The job's output files (names and signed links, never shown in reprs).

        ``JobNotReadyError`` (with ``.state``) while the job is not COMPLETE.
        """
        return self._run(self._get_job_results(job_id))

    def preview_results(
        self,
        job: str | JobResults,
        *,
        max_bytes: int = PREVIEW_BYTES,
        max_files: int = PREVIEW_FILES,
    ) -> JobResults:
        """The results with the first bytes of up to ``max_files`` previewable files
        (images up to ``max_bytes``, text/JSON/CSV up to 16 KiB) fetched, so that
        displaying them shows inline previews. Fetches go to the signed links
        without our token."""
        return self._run(self._preview_results(job, max_bytes, max_files))

    def download_results(
        self,
        job_id: str,
        dest: str | os.PathLike[str],
        overwrite: bool = False,
        *,
        progress: ProgressOption = None,
    ) -> list[Path]:
        """Download every output file under ``dest``; return their local paths.

        Names like ``out_0/result.txt`` become subfolders. ``dest`` is created if
        its parent exists. Each file is streamed to a temporary name beside it
        and renamed when complete. ``LocalPathError`` (before anything is
        written) for a bad ``dest``, an existing file without ``overwrite=True``
        or a name that would land outside ``dest``. ``progress``: see
        :mod:`bytenite_nb.progress`.
        """
        return self._run(self._download_results(job_id, dest, overwrite, progress))

    def upload_file(
        self,
        job: str | Job | JobResponse,
        path: str | os.PathLike[str],
        *,
        progress: ProgressOption = None,
    ) -> dict[str, Any]:
        """Send a local file as the input of a job with a ``file`` data source.

        Streams it to the job's ``tempUrl`` (no token sent there), then marks the
        upload complete; run the job afterwards. ``LocalPathError`` for a missing
        file or a folder, ``PayloadError`` for a job without a ``file`` data
        source, both before anything is sent; ``PermissionDeniedError`` when the
        ``tempUrl`` has expired.
        """
        return self._run(self._upload_file(job, path, progress))

    def wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        interval: float = 2.0,
        on_update: Callable[[JobResponse], Any] | None = None,
    ) -> JobResponse:
        """Poll the job every ``interval`` s until COMPLETE or FAILED; return it.

        ``on_update`` is called with each new state; ``WaitTimeoutError`` (with
        the last ``response``) after ``timeout`` s. The job itself is not touched.
        """
        return self._run(self._wait_for_job(job_id, timeout, interval, on_update))

    def _stream(self, step: _Download | _Upload) -> httpx.Response:
        """Carry out a streaming step: body from/to the step piece by piece."""
        request = step.with_body(step.chunks()) if isinstance(step, _Upload) else step.request
        response = self._http.send(request, stream=True)
        try:
            sink = step.start(response)
            if sink is None:
                body = bytearray()
                for piece in response.iter_bytes():
                    body += piece
                    if len(body) >= ERROR_BODY_MAX:
                        break
                return answered(response, bytes(body[:ERROR_BODY_MAX]))
            for piece in response.iter_bytes():
                if sink(piece) is False:
                    break
            return response
        finally:
            response.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    #: The batch of the last ``create_jobs`` call, kept even when it was interrupted.
    last_batch: JobBatch | None = None

    def create_jobs(
        self,
        requests: Sequence[CreateJobRequest | Mapping[str, Any]],
        concurrency: int = 16,
        run: bool = False,
        *,
        progress: bool | None = None,
        max_items: int | None = MAX_ITEMS,
    ) -> JobBatch:
        """Create many jobs concurrently (at most ``concurrency`` requests in flight).

        Returns a ``JobBatch`` with one item per request, in order. An invalid
        request becomes its item's ``PayloadError`` and is not sent; a failed
        create does not stop the others. With ``run=True`` each job is started
        once created. Interrupted, it raises ``BatchInterrupted`` (``.batch``;
        also ``client.last_batch``): ``batch.resume()`` finishes without
        duplicates. Safe inside a running kernel (threads, no event loop).
        More than ``max_items`` (10,000) requests raise ``TooManyItemsError`` (a
        ``PayloadError``) before anything is sent: pass ``max_items=None`` (or a
        larger number) to send them all.
        """
        batch: JobBatch = batch_type("sync").build(
            self,
            requests,
            concurrency=concurrency,
            run=run,
            progress=progress,
            max_items=max_items,
        )
        self.last_batch = batch
        return batch.start()
