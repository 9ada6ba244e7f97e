"""The asynchronous driver: the same flows, carried out with ``httpx.AsyncClient``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import httpx

from ..errors import ByteNiteError, redact_error
from ..models import CreateJobRequest, JobResponse, JobTemplate
from ._base import SEND_ERRORS, AttemptTimeout, T, _Flow, _Locked, _Send, _Sleep
from ._jobs import _JobCalls


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
        self._http = httpx.AsyncClient(timeout=self._settings.timeout, transport=transport)
        import anyio  # here: the sync client never needs it

        self._anyio = anyio
        self._sleep: Callable[[float], Any] = anyio.sleep
        self._token_lock = anyio.Lock()

    async def _run(self, flow: _Flow[T]) -> T:
        """Carry a flow's steps out; every error leaves as a redacted ``ByteNiteError``."""
        try:
            return await self._drive(flow)
        except ByteNiteError as exc:
            redact_error(exc, self._secrets())  # in place
            raise

    async def _drive(self, flow: _Flow[T]) -> T:
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
            if isinstance(step, _Locked):
                try:
                    async with self._token_lock:
                        value = await self._drive(step.flow)
                except Exception as exc:
                    error = exc
                continue
            try:
                value = await self._send(step)
            except SEND_ERRORS as exc:
                error = exc

    async def _send(self, step: _Send) -> httpx.Response:
        """One attempt: the request and its whole answer within ``step.timeout`` s."""
        request = step.request
        request.extensions["timeout"] = httpx.Timeout(step.timeout).as_dict()
        try:
            with self._anyio.fail_after(step.timeout):
                response = await self._http.send(request, stream=True)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
        except TimeoutError:
            raise AttemptTimeout("the answer did not arrive in time", request=request) from None
        return response

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
