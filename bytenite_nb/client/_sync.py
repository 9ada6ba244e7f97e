"""The synchronous driver: carries the flows' steps out with ``httpx.Client``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from ..errors import ByteNiteError, redact_error
from ..models import CreateJobRequest, JobResponse, JobTemplate
from ._base import SEND_ERRORS, AttemptTimeout, T, _Flow, _Locked, _Send, _Sleep
from ._jobs import _JobCalls


class Client(_JobCalls):
    """A synchronous ByteNite client; use it as a context manager or ``close()`` it.

    Credentials come from ``api_key``/``access_token`` or ``BYTENITE_API_KEY``/
    ``BYTENITE_ACCESS_TOKEN``; the API root from ``base_url`` or
    ``BYTENITE_API_URL`` (default ``https://api.bytenite.com/v1``).

    Time limits: ``timeout`` bounds one attempt of a request as a whole
    (connect, send, the entire answer: a server trickling its body gets cut
    off); ``deadline`` bounds one call, its retries, their waits and the
    token exchange included (see ``bytenite_nb.config.DEFAULT_DEADLINE``).
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
    ) -> None:
        super().__init__(
            api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            customer_path=customer_path,
            deadline=deadline,
        )
        self._http = httpx.Client(timeout=self._settings.timeout, transport=transport)
        self._sleep: Callable[[float], None] = time.sleep
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
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(value)
            except StopIteration as stop:
                result: T = stop.value
                return result
            value, error = None, None
            if isinstance(step, _Sleep):
                self._sleep(step.seconds)
                continue
            if isinstance(step, _Locked):
                try:
                    with self._token_lock:
                        value = self._drive(step.flow)
                except Exception as exc:
                    error = exc
                continue
            try:
                value = self._send(step)
            except SEND_ERRORS as exc:
                error = exc

    def _send(self, step: _Send) -> httpx.Response:
        """One attempt: the request and its whole answer within ``step.timeout`` s.

        Socket timeouts bound each wait; the attempt's end is checked between
        the body's chunks, and the body's reads wait at most what is left.
        """
        request, end = step.request, time.monotonic() + step.timeout
        request.extensions["timeout"] = httpx.Timeout(step.timeout).as_dict()
        response = self._http.send(request, stream=True)
        try:
            left = end - time.monotonic()
            if left <= 0:
                raise AttemptTimeout("no answer in time", request=request)
            request.extensions["timeout"] = httpx.Timeout(left).as_dict()  # read per chunk
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > end:
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

    def get_job(self, job_id: str) -> JobResponse:
        """The job as it stands now."""
        return self._run(self._get_job(job_id))

    def run_job(self, job_id: str) -> dict[str, Any]:
        """Start a job created as a draft (state NEW); returns the service's envelope."""
        return self._run(self._run_job(job_id))

    def list_templates(self) -> list[JobTemplate]:
        """The job templates the account can use."""
        return self._run(self._list_templates())

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
