"""The synchronous driver: carries the flows' steps out with ``httpx.Client``."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from ..models import CreateJobRequest, JobResponse, JobTemplate
from ._base import T, _Flow, _Sleep
from ._jobs import _JobCalls

if TYPE_CHECKING:  # pragma: no cover
    from ..batch import JobBatch


class Client(_JobCalls):
    """A synchronous ByteNite client; use it as a context manager or ``close()`` it.

    Credentials come from ``api_key``/``access_token`` or ``BYTENITE_API_KEY``/
    ``BYTENITE_ACCESS_TOKEN``; the API root from ``base_url`` or
    ``BYTENITE_API_URL`` (default ``https://api.bytenite.com/v1``).
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
    ) -> None:
        super().__init__(
            api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            customer_path=customer_path,
        )
        self._http = httpx.Client(timeout=self._settings.timeout, transport=transport)
        self._sleep: Callable[[float], None] = time.sleep

    def _run(self, flow: _Flow[T]) -> T:
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
            try:
                value = self._http.send(step.request)
            except httpx.TransportError as exc:
                error = exc

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

    #: The batch of the last ``create_jobs`` call, kept even when it was interrupted.
    last_batch: JobBatch | None = None

    def create_jobs(
        self,
        requests: Sequence[CreateJobRequest | Mapping[str, Any]],
        concurrency: int = 16,
        run: bool = False,
        *,
        progress: bool | None = None,
    ) -> JobBatch:
        """Create many jobs concurrently (at most ``concurrency`` requests in flight).

        Returns a ``JobBatch`` with one item per request, in order. An invalid
        request becomes its item's ``PayloadError`` and is not sent; a failed
        create does not stop the others. With ``run=True`` each job is started
        once created. Interrupted, it raises ``BatchInterrupted`` (``.batch``;
        also ``client.last_batch``): ``batch.resume()`` finishes without
        duplicates. Safe inside a running kernel (threads, no event loop).
        """
        from ..batch import JobBatch

        batch = JobBatch.build(self, requests, concurrency=concurrency, run=run, progress=progress)
        self.last_batch = batch
        return batch.start()
