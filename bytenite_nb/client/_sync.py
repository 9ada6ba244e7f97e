"""The synchronous driver: carries the flows' steps out with ``httpx.Client``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from importlib import import_module
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import ByteNiteError, redact_error
from ..models import CreateJobRequest, Job
from ._checks import MAX_ITEMS
from ._jobs import _JobWalk
from ._steps import (
    TICK,
    AttemptTimeout,
    T,
    _Answer,
    _Flow,
    _Gather,
    _Locked,
    _Send,
    _Sleep,
    _Step,
    _timeouts,
    api_transport,
)
from ._submit import ClientFlows
from ._transfers import _Streamed, _Upload

if TYPE_CHECKING:  # pragma: no cover
    from ..batch import JobBatch


class Client(ClientFlows):
    """A synchronous ByteNite client; use it as a context manager or ``close()`` it.

    Credentials come from ``api_key``/``access_token`` or ``BYTENITE_API_KEY``/
    ``BYTENITE_ACCESS_TOKEN``; the API root from ``base_url`` or
    ``BYTENITE_API_URL`` (default ``https://api.bytenite.com/v1``).
    ``timeout`` bounds one attempt as a whole (a trickling answer is cut off);
    ``deadline`` one call, retries, waits and token exchange included.
    ``clock`` (monotonic seconds) and ``sleep`` replace ``time.monotonic`` and
    ``time.sleep`` for all its timing (tests use a fake clock). Thread-safe.
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
        self._http = httpx.Client(transport=transport, **self._http_options())
        self._sleep: Callable[[float], None] = sleep or time.sleep
        self._token_lock = threading.Lock()

    def _run(self, flow: _Flow[T]) -> T:
        """Carry a flow's steps out; every error leaves as a redacted ``ByteNiteError``."""
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
        except BaseException as exc:
            flow.close()  # an interrupt: the flow's cleanup runs now (no-op once it ended)
            if isinstance(exc, ByteNiteError):
                redact_error(exc, self._secrets())  # in place
            raise

    def _step(self, step: _Step) -> Any:
        if type(step) is _Send:  # the common step first
            return self._send(step)
        if isinstance(step, _Sleep):
            return self._sleep(step.seconds)
        if isinstance(step, _Streamed):
            return self._stream(step)
        if isinstance(step, _Locked):
            with self._token_lock:
                return self._run(step.flow)
        if isinstance(step, _Gather):
            return self._gather(step)
        return self._send(step)

    def _gather(self, step: _Gather) -> list[Any]:
        """Run the step's flows on up to ``step.limit`` threads (see ``_Gather``)."""
        flows = list(step.flows)
        if not flows:
            return []
        workers = min(step.limit, len(flows))
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bn-gather")
        futures: list[Future[Any]] = []
        try:  # an interrupt while submitting cancels what is queued, as one while waiting does
            futures.extend(pool.submit(self._run, flow) for flow in flows)
            pending: set[Future[Any]] = set(futures)
            while pending:
                done, pending = futures_wait(pending, timeout=TICK, return_when=FIRST_EXCEPTION)
                if step.tick is not None:
                    step.tick()
                for future in done:
                    _outcome(future)  # an interrupt (or a bug) surfaces here
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # those in flight finish and record
            step.unfinished.append(lambda: pool.shutdown(wait=True))
            raise
        pool.shutdown(wait=True)
        return [_outcome(future) for future in futures]

    def _send(self, step: _Send) -> httpx.Response:
        """One attempt: the request and its whole answer within ``step.timeout`` s
        (socket timeouts bound each wait, the end is checked between chunks)."""
        request, end = step.request, self._clock() + step.timeout
        request.extensions["timeout"] = _timeouts(step.timeout)
        transport = api_transport(self._http, request.url)
        if transport is None:
            response = self._http.send(request, stream=True)
        else:
            response = transport.handle_request(request)
            response.request = request
        try:
            left = end - self._clock()
            if left <= 0:
                raise AttemptTimeout("no answer in time", request=request)
            request.extensions["timeout"] = _timeouts(left)  # read per chunk
            answer = _Answer(request, end, self._clock)
            for chunk in response.iter_bytes():
                answer.add(chunk)
            response._content = b"".join(answer.chunks)
        finally:
            response.close()
        return response

    def iter_jobs(self, page_size: int | None = None) -> Iterator[Job]:
        """Every job, newest first, one page of ``page_size`` (default
        ``max_page_size``) at a time, each job once even if the pages shift."""
        return self._walk_jobs(self._job_walk(page_size))

    def _walk_jobs(self, walk: _JobWalk) -> Iterator[Job]:
        while not walk.done:
            yield from walk.accept(self._run(self._list_jobs(walk.size, walk.offset)))

    def _stream(self, step: _Streamed) -> httpx.Response:
        """Carry out a storage step: the body from/to the step piece by piece."""
        request = step.with_body(step.chunks()) if isinstance(step, _Upload) else step.request
        response = self._http.send(request, stream=True)
        try:
            sink = step.attempt.start(response)
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

    def __exit__(self, *exc: object) -> None:
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
        """Create many jobs, at most ``concurrency`` requests in flight (threads: safe
        in a running kernel); a ``JobBatch`` with one item per request, in order.

        An invalid request becomes its item's ``PayloadError``, unsent; a failed
        create does not stop the others; ``run=True`` starts each job once
        created. Interrupted: ``BatchInterrupted`` (``.batch``, also
        ``client.last_batch``); ``batch.resume()`` finishes without duplicates.
        More than ``max_items`` requests: ``TooManyItemsError`` before anything
        is sent (``max_items=None`` lifts the bound).
        """
        # The batch part sits above the client: loaded by name, on first use.
        batch: JobBatch = import_module("bytenite_nb.batch").JobBatch.build(
            self, requests, concurrency, run, progress, max_items
        )
        self.last_batch = batch
        return batch.resume()


def _outcome(future: Future[Any]) -> Any:
    """A gathered flow's result, or the ``Exception`` it raised (anything else is raised)."""
    error = future.exception()
    if error is None:
        return future.result()
    if isinstance(error, Exception):
        return error
    raise error
