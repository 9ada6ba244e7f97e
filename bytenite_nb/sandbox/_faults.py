"""Canned faults: ``Sandbox.fail_next``'s for API calls, ``storage.faults``'s for the
next result links (``target="results"``), ``tempUrl``\\s (``"upload"``) or both
(``"any"``), so that tests and notebooks meet them through the real client.
"""

from __future__ import annotations

import gzip as gzip_module
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Generic, Literal, Protocol, TypeVar
from urllib.parse import parse_qs

from ._wire import send, send_xml, xml_error

Target = Literal["results", "upload", "any"]


@dataclass
class StorageFault:
    """One canned misbehaviour for the next ``times`` matching storage requests."""

    kind: Literal["trickle", "cut", "answer", "echo"]
    target: Target = "any"
    times: int = 1
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: The bytes a trickle sends at once, or a cut sends before it hangs up.
    piece: int = 1
    pause: float = 0.0


class _Counted(Protocol):
    times: int


_F = TypeVar("_F", bound=_Counted)


class Faults(Generic[_F]):
    """Faults waiting for requests, each for the next ``times`` it matches. Thread-safe."""

    def __init__(self) -> None:
        self._faults: list[_F] = []
        self._lock = threading.Lock()

    def add(self, fault: _F) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, matches: Callable[[_F], bool]) -> _F | None:
        """The first fault that ``matches`` (one use of it spent), or None."""
        with self._lock:
            for fault in self._faults:
                if matches(fault):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None


@dataclass
class Fault:
    """A canned failure for the next matching API request(s)."""

    status: int
    times: int = 1
    path: str | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    retry_after: str | None = None
    method: str | None = None
    #: Apply the request, then answer with the fault (the answer is lost, not
    #: the request: a create that happened although the client saw a 502).
    applied: bool = False


class StorageFaults(Faults[StorageFault]):
    """The faults waiting for storage requests. Thread-safe."""

    #: How a trickle waits between pieces (``time.sleep``; a test's fake clock).
    sleep: Callable[[float], None] = time.sleep

    def trickle(
        self, *, piece: int = 1, pause: float = 0.05, times: int = 1, target: Target = "results"
    ) -> None:
        """The next ``times`` downloads send ``piece`` bytes every ``pause`` seconds."""
        self.add(StorageFault("trickle", target, times, piece=max(1, piece), pause=pause))

    def cut(self, after: int, *, times: int = 1) -> None:
        """The next ``times`` result-link requests stop after ``after`` bytes (connection
        closed); a link refused before its file is sent spends one too."""
        self.add(StorageFault("cut", "results", times, piece=after))

    def answer(
        self,
        status: int,
        *,
        times: int = 1,
        target: Target = "any",
        retry_after: str | int | None = None,
        body: bytes | str = b"",
        gzip: bool = False,
        content_type: str = "application/xml; charset=UTF-8",
    ) -> None:
        """The next ``times`` storage requests get ``status`` (and ``Retry-After``)."""
        raw = body.encode() if isinstance(body, str) else body
        headers = {"Content-Type": content_type}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        if gzip:
            raw = gzip_module.compress(raw)
            headers["Content-Encoding"] = "gzip"
        self.add(StorageFault("answer", target, times, status, raw, headers))

    def expired(self, *, gzip: bool = True, times: int = 1, target: Target = "any") -> None:
        """The next ``times`` requests: 403 ``Request has expired`` (gzip-encoded by default)."""
        body = xml_error("AccessDenied", "Request has expired")
        self.answer(403, times=times, target=target, body=body, gzip=gzip)

    def echo_signature(self, *, times: int = 1, target: Target = "any") -> None:
        """The next ``times`` requests: a 403 whose body quotes the URL's signature
        (as some hosts' ``SignatureDoesNotMatch`` pages do)."""
        self.add(StorageFault("echo", target, times, 403))


def serve_answer(handler: BaseHTTPRequestHandler, fault: StorageFault, query: str) -> None:
    """Answer with ``fault``'s status and body (an echo fault quotes the signature)."""
    if fault.kind == "echo":
        signature = parse_qs(query).get("X-Signature", [""])[0]
        message = f"The signature {signature} does not match"
        send_xml(handler, fault.status, "SignatureDoesNotMatch", message)
    else:
        send(handler, fault.status, fault.body, fault.headers)
