"""The steps a flow yields to its driver, the retry constants and arithmetic,
:class:`driven`, and the drivers' transport lookup (:func:`api_transport`). No I/O.
"""

from __future__ import annotations

import email.utils
import functools
import inspect
import logging
import math
import platform
import random
import time
from collections.abc import Callable, Coroutine, Generator, Iterable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from types import MethodType
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar, overload

import httpx

from .._urls import without_query
from .._version import __version__
from ..errors import ApiError

log = logging.getLogger("bytenite_nb")

T = TypeVar("T")
P = ParamSpec("P")

USER_AGENT = (
    f"bytenite-nb/{__version__} httpx/{httpx.__version__} Python/{platform.python_version()}"
)
#: Statuses retried for requests safe to repeat; a call that is not (a create,
#: a run) decides in its own flow, since the answer may hide its effect.
RETRY_STATUSES = frozenset({502, 503, 504})
#: Answers after which a request that is not idempotent may have been applied
#: (the service may have done the work and failed after it, or on the way back).
UNSURE_STATUSES = frozenset({500, 502, 503, 504})
#: 429: the request was NOT applied, so every request (creates too) is retried
#: after ``Retry-After`` until the deadline; the count only bounds a stuck server.
RATE_LIMITED = 429
RATE_LIMIT_RETRIES = 1000
BACKOFF_BASE = 0.5
BACKOFF_MAX = 8.0
RETRY_AFTER_MAX = 60.0
#: Exchange the key again this long before the token expires.
TOKEN_MARGIN = 60.0
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.LocalProtocolError,
    httpx.UnsupportedProtocol,
)
#: One pool: as many kept-alive connections as a batch may have requests in
#: flight (``batch.MAX_CONCURRENCY``), so a busy batch reuses its connections.
POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)


class _NoCookies(CookieJar):
    """A cookie jar that keeps nothing: ``send`` never adds stored cookies, so
    reading ``Set-Cookie`` would be work for nothing."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None


#: What a driver hands back to the flow when a ``_Send`` fails (anything else is a bug).
SEND_ERRORS = (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, httpx.CookieConflict)


class AttemptTimeout(httpx.ReadTimeout):
    """An attempt's whole answer did not arrive within its time budget."""


#: The largest answer (decoded) the client reads from the API; past it the call
#: fails (a 300 KB gzipped answer can unpack to 400 MB). Storage bodies stream
#: to their sinks and are not bound by it.
MAX_ANSWER_BYTES = 32 * 1024 * 1024


class _Answer:
    """An API answer's body as its chunks arrive: ``ApiError`` past
    :data:`MAX_ANSWER_BYTES`, ``AttemptTimeout`` once ``clock()`` passes ``end``."""

    def __init__(self, request: httpx.Request, end: float, clock: Callable[[], float]) -> None:
        self.request, self.end, self.clock = request, end, clock
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.size += len(chunk)
        if self.size > MAX_ANSWER_BYTES:
            raise ApiError(
                f"the answer was larger than {MAX_ANSWER_BYTES // (1024 * 1024)} MiB "
                f"({self.size:,} bytes read before stopping); it was not read further",
                status_code=None,
                method=self.request.method,
                url=without_query(str(self.request.url)),
            )
        if self.clock() > self.end:
            raise AttemptTimeout("the answer did not arrive in time", request=self.request)


#: httpx's own lookup of the transport for a URL (private: missing, ``send`` serves).
_TRANSPORT_LOOKUP = "_transport_for_url"


def api_transport(http: httpx.Client | httpx.AsyncClient, url: httpx.URL) -> Any:
    """The transport ``http`` sends to ``url`` on (its pool, or a proxy's mount), for an
    API attempt sent there directly: ``Client.send``'s auth, redirect, cookie, event-hook
    and logging steps are work the flows do themselves or never need (about 30 µs of
    each call). None when this httpx has no such lookup: then ``http.send`` serves."""
    if http.is_closed:
        raise RuntimeError("Cannot send a request, as the client has been closed.")
    lookup = getattr(http, _TRANSPORT_LOOKUP, None)
    try:
        return None if lookup is None else lookup(url)
    except TypeError:  # another httpx's private lookup
        return None


@dataclass(frozen=True)
class _Send:
    """Send ``request`` and read its whole answer within ``timeout`` seconds."""

    request: httpx.Request
    timeout: float


@dataclass(frozen=True)
class _Sleep:
    seconds: float


@dataclass(frozen=True)
class _Locked:
    """Run ``flow`` holding the client's token lock (one exchange at a time)."""

    flow: Generator[Any, Any, Any]


@dataclass(frozen=True)
class _Gather:
    """Run ``flows`` at most ``limit`` at a time; the answer is each flow's result
    or the ``Exception`` it raised, in order. ``tick`` is called every ``TICK`` s.
    Interrupted, the driver starts no more and appends to ``unfinished`` a
    callable that waits for the ones in flight (they finish and record).
    """

    flows: Iterable[Generator[Any, Any, Any]]
    limit: int
    tick: Callable[[], None] | None = None
    unfinished: list[Callable[[], None]] = field(default_factory=list)


_Step = _Send | _Sleep | _Locked | _Gather
_Flow = Generator[_Step, Any, T]
#: How often (seconds) a driver calls a gather's ``tick``.
TICK = 0.25


class _SyncDriver(Protocol):
    def _run(self, flow: _Flow[T], /) -> T: ...


class _AsyncDriver(Protocol):
    def _run(self, flow: _Flow[T], /) -> Coroutine[Any, Any, T]: ...


class driven(Generic[P, T]):
    """A public call from a flow (its signature and docstring), carried out by the
    client's ``_run``: on ``Client`` a plain method returning the result, on
    ``AsyncClient`` a coroutine function (``async def``, as ``inspect`` sees it)."""

    def __init__(self, flow: Callable[Concatenate[Any, P], _Flow[T]]) -> None:
        name = flow.__name__  # looked up on each call: a subclass may override the flow

        def call(client: Any, /, *args: Any, **kwargs: Any) -> Any:
            return client._run(getattr(client, name)(*args, **kwargs))

        async def call_async(client: Any, /, *args: Any, **kwargs: Any) -> Any:
            return await client._run(getattr(client, name)(*args, **kwargs))

        signature = inspect.signature(flow)  # for help(): without the flow's return type
        for function in (call, call_async):
            functools.update_wrapper(function, flow)
            function.__signature__ = signature.replace(  # type: ignore[union-attr]
                return_annotation=inspect.Signature.empty
            )
        self._calls = (call, call_async)

    def __set_name__(self, owner: type, name: str) -> None:
        for function in self._calls:
            function.__name__ = name
            function.__qualname__ = f"{owner.__qualname__}.{name}"

    @overload
    def __get__(self, client: None, owner: type) -> Callable[..., Any]: ...
    @overload
    def __get__(self, client: _AsyncDriver, owner: type) -> Callable[P, Coroutine[Any, Any, T]]: ...
    @overload
    def __get__(self, client: _SyncDriver, owner: type) -> Callable[P, T]: ...
    def __get__(self, client: Any, owner: type) -> Any:
        function = self._calls[_drives_async(owner)]
        return function if client is None else MethodType(function, client)


@functools.cache
def _drives_async(driver: type) -> bool:
    """Whether the driver's ``_run`` is a coroutine function (``AsyncClient``)."""
    return inspect.iscoroutinefunction(getattr(driver, "_run", None))


def _seconds_or(value: Any, default: float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return seconds if seconds > 0 else default  # NaN is not > 0


def _timeouts(seconds: float) -> dict[str, float]:
    """A request's ``timeout`` extension: ``httpx.Timeout(seconds).as_dict()``
    without building a ``Timeout`` (the drivers set it twice an attempt)."""
    return {"connect": seconds, "read": seconds, "write": seconds, "pool": seconds}


def _backoff(attempt: int) -> float:
    """Exponential backoff with jitter: about 0.5, 1, 2, 4 s ... capped at 8 s."""
    delay: float = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (attempt - 1))
    return delay * (0.5 + random.random() / 2)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds):
        return None
    return max(0.0, min(seconds, RETRY_AFTER_MAX))
