"""Deadlines (issue 10, item 4): ``timeout`` bounds a whole attempt, ``deadline`` a call.

A tiny socket server on loopback trickles its answer one byte at a time:
each read succeeds well within the read timeout, so only a bound on the whole
attempt stops it. Sync and async.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import anyio
import pytest

from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.errors import ByteNiteConnectionError, ServiceUnavailableError

TOKEN = "tok-0123456789abcdef"
BODY = b'{"job": {"id": "j-1", "name": "' + b"x" * 100 + b'"}}'  # ~120 bytes: 12 s at 10 B/s


@dataclass
class Trickler:
    """Answers every request with a 200 whose body comes ``step`` seconds per byte,
    or (``status`` 503) at once with a ``Retry-After``."""

    step: float = 0.1
    status: int = 200
    retry_after: str = "0.2"
    requests: int = 0
    url: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)

    def serve(self, listener: socket.socket) -> None:
        listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                self.requests += 1
                if self.status != 200:
                    conn.sendall(
                        f"HTTP/1.1 {self.status} Unavailable\r\nRetry-After: {self.retry_after}"
                        "\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".encode()
                    )
                    return
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Connection: close\r\nContent-Length: " + str(len(BODY)).encode() + b"\r\n\r\n"
                )
                for byte in BODY:
                    if self._stop.is_set():
                        return
                    conn.sendall(bytes([byte]))
                    time.sleep(self.step)
            except OSError:
                return  # the client hung up: what a deadline does


@pytest.fixture
def trickler() -> Iterator[Trickler]:
    server = Trickler()
    listener = socket.create_server(("127.0.0.1", 0))
    server.url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    thread = threading.Thread(target=server.serve, args=(listener,), daemon=True)
    thread.start()
    yield server
    server._stop.set()
    thread.join(5)
    listener.close()


def test_a_trickled_body_does_not_outlive_the_timeout(trickler: Trickler) -> None:
    with Client(access_token=TOKEN, base_url=trickler.url, timeout=1, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(ByteNiteConnectionError, match="timed out after 1 s"):
            client.get_job("j-1")
        took = time.monotonic() - started
    assert 0.9 <= took < 1.6, took  # before: 12 s


def test_a_trickled_body_does_not_outlive_the_timeout_async(trickler: Trickler) -> None:
    async def main() -> float:
        async with AsyncClient(
            access_token=TOKEN, base_url=trickler.url, timeout=1, max_retries=0
        ) as client:
            started = time.monotonic()
            with pytest.raises(ByteNiteConnectionError, match="timed out after 1 s"):
                await client.get_job("j-1")
            return time.monotonic() - started

    took = anyio.run(main)
    assert 0.9 <= took < 1.3, took


def test_a_fast_enough_trickle_is_read_whole(trickler: Trickler) -> None:
    trickler.step = 0.001
    with Client(access_token=TOKEN, base_url=trickler.url, timeout=5, max_retries=0) as client:
        assert client.get_job("j-1").job.name == "x" * 100


def test_the_deadline_bounds_a_call_and_its_retries(trickler: Trickler) -> None:
    with Client(
        access_token=TOKEN, base_url=trickler.url, timeout=0.5, max_retries=10, deadline=1.3
    ) as client:
        started = time.monotonic()
        with pytest.raises(ByteNiteConnectionError, match="deadline"):
            client.get_job("j-1")
        took = time.monotonic() - started
    assert took < 1.9, took  # 11 attempts of 0.5 s and their backoff, without it
    assert 2 <= trickler.requests <= 3


def test_the_deadline_cuts_retry_waits_short(trickler: Trickler) -> None:
    trickler.status, trickler.retry_after = 503, "0.4"
    with Client(
        access_token=TOKEN, base_url=trickler.url, timeout=5, max_retries=10, deadline=1.0
    ) as client:
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError):
            client.get_job("j-1")
        took = time.monotonic() - started
    assert took < 1.0, took  # no wait starts that would end past the deadline
    assert 2 <= trickler.requests <= 3


def test_the_deadline_bounds_a_call_async(trickler: Trickler) -> None:
    async def main() -> float:
        async with AsyncClient(
            access_token=TOKEN, base_url=trickler.url, timeout=0.5, max_retries=10, deadline=1.3
        ) as client:
            started = time.monotonic()
            with pytest.raises(ByteNiteConnectionError):
                await client.get_job("j-1")
            return time.monotonic() - started

    assert anyio.run(main) < 1.6
