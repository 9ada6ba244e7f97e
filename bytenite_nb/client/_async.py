"""The asynchronous driver: the same flows, carried out with ``httpx.AsyncClient``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
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
    from ..batch import AsyncJobBatch


class AsyncClient(ClientFlows):
    """The ``async`` twin of :class:`Client` (same arguments, same methods;
    ``sleep`` is a coroutine function, default ``anyio.sleep``)."""

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
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
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
        self._http = httpx.AsyncClient(transport=transport, **self._http_options())
        import anyio  # here: the sync client never needs it

        self._anyio = anyio
        self._sleep: Callable[[float], Awaitable[None]] = sleep or anyio.sleep
        self._token_lock = anyio.Lock()

    async def _run(self, flow: _Flow[T]) -> T:
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
                    value = await self._step(step)
                except Exception as exc:  # into the flow: it retries, decides or cleans up
                    error = exc
        except BaseException as exc:
            flow.close()  # cancelled: the flow's cleanup runs now (no-op once it ended)
            if isinstance(exc, ByteNiteError):
                redact_error(exc, self._secrets())  # in place
            raise

    async def _step(self, step: _Step) -> Any:
        if isinstance(step, _Sleep):
            return await self._sleep(step.seconds)
        if isinstance(step, _Streamed):
            return await self._stream(step)
        if isinstance(step, _Locked):
            async with self._token_lock:
                return await self._run(step.flow)
        if isinstance(step, _Gather):
            return await self._gather(step)
        return await self._send(step)

    async def _gather(self, step: _Gather) -> list[Any]:
        """Run the step's flows in up to ``step.limit`` tasks (see ``_Gather``)."""
        flows = list(step.flows)
        results: list[Any] = [None] * len(flows)
        queue = iter(range(len(flows)))

        async def work() -> None:
            for index in queue:  # one shared iterator: each flow is taken once
                try:
                    results[index] = await self._run(flows[index])
                except Exception as exc:
                    results[index] = exc

        async def ticker(tick: Callable[[], None]) -> None:
            while True:
                await self._anyio.sleep(TICK)
                tick()

        async with self._anyio.create_task_group() as outer:
            if step.tick is not None:
                outer.start_soon(ticker, step.tick)
            async with self._anyio.create_task_group() as workers:
                for _ in range(min(step.limit, len(flows))):
                    workers.start_soon(work)
            outer.cancel_scope.cancel()
        return results

    async def _send(self, step: _Send) -> httpx.Response:
        """One attempt: the request and its whole answer within ``step.timeout`` s."""
        request, end = step.request, self._clock() + step.timeout
        request.extensions["timeout"] = _timeouts(step.timeout)
        try:
            with self._anyio.fail_after(step.timeout):
                transport = api_transport(self._http, request.url)
                if transport is None:
                    response = await self._http.send(request, stream=True)
                else:
                    response = await transport.handle_async_request(request)
                    response.request = request
                try:
                    answer = _Answer(request, end, self._clock)
                    async for chunk in response.aiter_bytes():
                        answer.add(chunk)
                    response._content = b"".join(answer.chunks)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise AttemptTimeout("the answer did not arrive in time", request=request) from None
        return response

    def iter_jobs(self, page_size: int | None = None) -> AsyncIterator[Job]:
        """Every job, newest first, one page at a time: ``async for job in client.iter_jobs()``."""
        return self._walk_jobs(self._job_walk(page_size))

    async def _walk_jobs(self, walk: _JobWalk) -> AsyncIterator[Job]:
        while not walk.done:
            for job in walk.accept(await self._run(self._list_jobs(walk.size, walk.offset))):
                yield job

    async def _stream(self, step: _Streamed) -> httpx.Response:
        """Carry out a storage step: the body from/to the step piece by piece."""
        request = step.with_body(step.achunks()) if isinstance(step, _Upload) else step.request
        response = await self._http.send(request, stream=True)
        try:
            sink = step.attempt.start(response)
            async for piece in response.aiter_bytes():
                if sink(piece) is False:
                    break
            return response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
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
        max_items: int | None = MAX_ITEMS,
    ) -> AsyncJobBatch:
        """The async twin of :meth:`Client.create_jobs` (anyio tasks). Cancelled, the
        partial batch is ``client.last_batch``; ``await batch.resume()`` finishes it."""
        # The batch part sits above the client: loaded by name, on first use.
        batch: AsyncJobBatch = import_module("bytenite_nb.batch").AsyncJobBatch.build(
            self, requests, concurrency, run, progress, max_items
        )
        self.last_batch = batch
        return await batch.resume()
