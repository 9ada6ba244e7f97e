"""The test driver of the client's flows: a fake clock that only moves when
the client sleeps (or a test says so), and clients built on it.

A ``Client(clock=clock, sleep=clock.sleep)`` runs its retries, backoff,
``Retry-After`` waits, deadlines and token lifetimes on this clock: a test
reads what the flow waited (``clock.slept``) and when each request went out
(``Script.sent``), and nothing sleeps for real. Answers come from the
sandbox's request handler in process (``bytenite_nb.sandbox._inprocess``) or
from a ``Script`` of canned answers and transport errors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import anyio.lowlevel
import httpx

Answer = Callable[[httpx.Request], httpx.Response]


def no_sleep(seconds: float) -> None:
    """A ``sleep=`` for clients whose waits do not matter to the test."""


async def no_asleep(seconds: float) -> None:
    """The same for an ``AsyncClient``."""


class FakeClock:
    """Monotonic seconds that pass only by ``sleep``/``asleep``/``advance``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.start = self.now = start
        #: Every sleep the client asked for, in order.
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """The sync client's ``sleep``: the time passes at once."""
        assert seconds >= 0, seconds
        self.slept.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        """The async client's ``sleep``; other tasks get their turn."""
        self.sleep(seconds)
        await anyio.lowlevel.checkpoint()

    def advance(self, seconds: float) -> None:
        """Time passing outside the client (a slow server, an idle hour)."""
        self.now += seconds

    @property
    def elapsed(self) -> float:
        return self.now - self.start


class SkipClock:
    """Real epoch time plus every wait the clients on it skipped.

    For a loopback sandbox (``Sandbox.clock``) and the clients on it
    (``clock=``, ``sleep=``): a client's wait moves the sandbox's jobs on at
    once instead of the client polling in a busy loop (or sleeping), while
    time still passes for everyone else (a client on real time, a server
    thread), so nothing can stall.
    """

    def __init__(self) -> None:
        self.skipped = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return time.time() + self.skipped

    def sleep(self, seconds: float) -> None:
        """Skip ``seconds`` (the clients' ``sleep``)."""
        assert seconds >= 0, seconds
        with self._lock:
            self.skipped += seconds


def answer(status: int, **kwargs: object) -> Answer:
    """A canned answer (``httpx.Response`` keyword arguments)."""
    return lambda request: httpx.Response(status, **kwargs)  # type: ignore[arg-type]


def raise_(exc: Exception) -> Answer:
    """A transport failure instead of an answer."""

    def step(request: httpx.Request) -> httpx.Response:
        raise exc

    return step


@dataclass
class Script:
    """A transport handler: the token exchange answered by itself, every other
    request by the next answer in ``answers`` (then ``default``). Records each
    request with the clock's time."""

    clock: FakeClock
    answers: list[Answer] = field(default_factory=list)
    default: Answer = field(default_factory=lambda: answer(200, json={"job": {"id": "j-1"}}))
    token_lifetime: str = "3600"
    #: ``(seconds since start, method, path)`` of every request, exchanges included.
    sent: list[tuple[float, str, str]] = field(default_factory=list)
    tokens: Iterator[str] = field(default_factory=lambda: (f"tok-{n:016d}" for n in range(99)))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((self.clock.elapsed, request.method, request.url.path))
        if request.url.path.endswith("/auth/access_token"):
            return httpx.Response(
                200, json={"token": next(self.tokens), "expiresIn": self.token_lifetime}
            )
        step = self.answers.pop(0) if self.answers else self.default
        return step(request)

    def times(self, path: str) -> list[float]:
        """When requests to ``path`` went out."""
        return [t for t, _, p in self.sent if p == path]

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


class Trickle(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that comes one byte per ``step`` seconds of the fake clock."""

    def __init__(self, body: bytes, clock: FakeClock, step: float) -> None:
        self.body, self.clock, self.step, self.read = body, clock, step, 0

    def __iter__(self) -> Iterator[bytes]:
        for byte in self.body:
            self.clock.advance(self.step)
            self.read += 1
            yield bytes([byte])

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for piece in self:
            yield piece
