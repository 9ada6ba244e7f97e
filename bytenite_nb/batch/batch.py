"""``JobBatch`` and ``AsyncJobBatch``: the core's flows (``core.py``) handed to
their client's driver."""

from __future__ import annotations

import os
from typing import Unpack, overload

from ..client import AsyncClient, Client
from ..client.flows import Flow, T
from .core import BatchCore
from .item import BatchInterrupted
from .wait import WaitOptions


class JobBatch(BatchCore[Client]):
    """Many jobs as one object: ``client.create_jobs(requests)`` makes one.

    ``items`` are in input order, each with its ``request`` and its
    ``response`` (the job) or its ``error``. Interrupted, a batch call raises
    :class:`BatchInterrupted` (``.batch`` is this object); ``resume()`` finishes it.
    """

    def _run(self, flow: Flow[T]) -> T:
        try:
            return self.client._run(flow)
        except KeyboardInterrupt:
            raise BatchInterrupted(self) from None

    def resume(self) -> JobBatch:
        """Finish the batch: create what is missing, run what is not started; no duplicates.

        Creates whose outcome is unknown are looked for in the jobs list (by
        marker) before anything is sent again; with ``run=True``, the created
        jobs not known to be started are started.
        """
        self._run(self._resume_flow())
        return self

    def wait(self, timeout: float | None = None, **options: Unpack[WaitOptions]) -> JobBatch:
        """Poll until every job ended (``WaitTimeoutError`` after ``timeout`` s).

        Reads the jobs list, a few pages a round, rather than each job; the pause
        grows from ``interval`` (1 s) to ``max_interval`` (30 s) while nothing
        changes; ``use_list=False`` polls each job alone (:class:`WaitOptions`).
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
    Cancelled, it is ``client.last_batch``; ``await batch.resume()`` finishes it."""

    async def _run(self, flow: Flow[T]) -> T:
        return await self.client._run(flow)

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
