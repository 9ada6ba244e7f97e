"""The asynchronous driver: the same flows, carried out with ``httpx.AsyncClient``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from ..models import CreateJobRequest, JobResponse, JobTemplate
from ._base import T, _Flow, _Sleep
from ._jobs import _JobCalls

if TYPE_CHECKING:  # pragma: no cover
    from ..batch import AsyncJobBatch


class AsyncClient(_JobCalls):
    """The ``async`` twin of :class:`Client` (same arguments, same methods)."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        access_token: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        customer_path: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(
            api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            customer_path=customer_path,
        )
        self._http = httpx.AsyncClient(timeout=self._settings.timeout, transport=transport)
        import anyio

        self._sleep: Callable[[float], Any] = anyio.sleep

    async def _run(self, flow: _Flow[T]) -> T:
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
                await self._sleep(step.seconds)
                continue
            try:
                value = await self._http.send(step.request)
            except httpx.TransportError as exc:
                error = exc

    async def authenticate(self) -> None:
        """Exchange the API key for a token now (``AuthenticationError`` if refused)."""
        await self._run(self._token_flow())

    async def create_job(self, request: CreateJobRequest | Mapping[str, Any]) -> JobResponse:
        """Validate ``request`` (``PayloadError`` before any I/O), create the job."""
        return await self._run(self._create_job(request))

    async def get_job(self, job_id: str) -> JobResponse:
        """The job as it stands now."""
        return await self._run(self._get_job(job_id))

    async def run_job(self, job_id: str) -> dict[str, Any]:
        """Start a job created as a draft (state NEW); returns the service's envelope."""
        return await self._run(self._run_job(job_id))

    async def list_templates(self) -> list[JobTemplate]:
        """The job templates the account can use."""
        return await self._run(self._list_templates())

    async def wait_for_job(
        self,
        job_id: str,
        *,
        timeout: float | None = None,
        interval: float = 2.0,
        on_update: Callable[[JobResponse], Any] | None = None,
    ) -> JobResponse:
        """Poll the job every ``interval`` s until COMPLETE or FAILED; return it."""
        return await self._run(self._wait_for_job(job_id, timeout, interval, on_update))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    #: The batch of the last ``create_jobs`` call, kept even when it was cancelled.
    last_batch: AsyncJobBatch | None = None

    async def create_jobs(
        self,
        requests: Sequence[CreateJobRequest | Mapping[str, Any]],
        concurrency: int = 16,
        run: bool = False,
        *,
        progress: bool | None = None,
    ) -> AsyncJobBatch:
        """The async twin of :meth:`Client.create_jobs` (tasks in an anyio task group).

        Cancelled, the partial batch is ``client.last_batch``; creates that were
        in flight are ``unknown`` and ``await batch.resume()`` checks them.
        """
        from ..batch import AsyncJobBatch

        batch = AsyncJobBatch.build(
            self, requests, concurrency=concurrency, run=run, progress=progress
        )
        self.last_batch = batch
        return await batch.start()
