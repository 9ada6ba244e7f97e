"""``JobBatch`` and ``AsyncJobBatch``: thin typed wrappers that hand the core's
flows (``core.py``) to their client's driver, as ``Client`` and ``AsyncClient``
do with the client's flows."""

from __future__ import annotations

import os
from collections.abc import Coroutine
from typing import Any, Unpack, overload

from ..client import AsyncClient, Client
from ..client.flows import Flow, T, register_batches
from .core import BatchCore
from .item import BatchInterrupted
from .wait import WaitOptions

__all__ = ["AsyncJobBatch", "JobBatch"]


class JobBatch(BatchCore[Client]):
    """Many jobs as one object: ``client.create_jobs(requests)`` makes one.

    ``items`` are in input order, each with its ``request`` and its
    ``response`` (the job) or its ``error``. Interrupted (Ctrl-C, the stop
    button), a batch call raises :class:`BatchInterrupted` whose ``.batch`` is
    this object, also kept as ``client.last_batch``; ``resume()`` finishes it.
    """

    def _run(self, flow: Flow[T]) -> T:
        try:
            return self.client._run(flow)
        except KeyboardInterrupt:
            raise BatchInterrupted(self) from None

    def resume(self) -> JobBatch:
        """Finish the batch: create what is missing, run what is not started; no duplicates.

        Waits for creates still in flight from an interrupted call, looks for
        items whose create outcome is unknown in the jobs list (by marker),
        then sends the items with no job (never sent, or refused); a create
        whose answer is lost on the way is looked for before it is sent
        again. With ``run=True``, starts the created jobs not known to be started.
        """
        self._run(self._resume_flow())
        return self

    def wait(self, timeout: float | None = None, **options: Unpack[WaitOptions]) -> JobBatch:
        """Poll until every job ended (``WaitTimeoutError`` after ``timeout`` s).

        Uses the jobs list, a few pages per round, rather than one request per
        job (see ``bytenite_nb.batch.wait``); the interval grows from
        ``interval`` (1 s) to ``max_interval`` (30 s) while nothing changes;
        ``use_list=False`` polls each job alone (options: :class:`WaitOptions`).
        Pauses use the client's ``clock`` and ``sleep``.
        """
        self._run(self._wait_flow(timeout, options))
        return self

    @overload
    @classmethod
    def load(cls, path: str | os.PathLike[str], client: Client) -> JobBatch: ...

    @overload
    @classmethod
    def load(cls, path: str | os.PathLike[str], client: AsyncClient) -> AsyncJobBatch: ...

    @classmethod
    def load(
        cls, path: str | os.PathLike[str], client: Client | AsyncClient
    ) -> JobBatch | AsyncJobBatch:
        """A saved batch, bound to ``client`` (an ``AsyncClient`` gives an ``AsyncJobBatch``).

        Nothing is sent: ``resume()`` finishes it, ``wait()`` follows it.
        """
        if isinstance(client, AsyncClient):
            return AsyncJobBatch._restore(path, client)
        return cls._restore(path, client)


class AsyncJobBatch(BatchCore[AsyncClient]):
    """The batch of an ``AsyncClient``: the calls that talk to the service are ``async``.

    Cancelled, the partial batch is ``client.last_batch``; creates that were in
    flight are ``unknown`` and ``await batch.resume()`` checks them.
    """

    def _run(self, flow: Flow[T]) -> Coroutine[Any, Any, T]:
        return self.client._run(flow)

    async def resume(self) -> AsyncJobBatch:
        """See :meth:`JobBatch.resume`."""
        await self._run(self._resume_flow())
        return self

    async def wait(
        self, timeout: float | None = None, **options: Unpack[WaitOptions]
    ) -> AsyncJobBatch:
        """See :meth:`JobBatch.wait`."""
        await self._run(self._wait_flow(timeout, options))
        return self

    @classmethod
    def load(cls, path: str | os.PathLike[str], client: AsyncClient) -> AsyncJobBatch:
        """A saved batch, bound to the async ``client``; nothing is sent."""
        return cls._restore(path, client)


register_batches(JobBatch, AsyncJobBatch)  # what ``client.create_jobs`` builds
