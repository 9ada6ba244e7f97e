"""Deadlines (issue 10, item 4): ``timeout`` bounds a whole attempt, ``deadline`` a call.

A server trickles its answer one byte per 1/8 s of the client's (fake) clock:
each read comes at once, so only a bound on the whole attempt stops it. The
clock is the one the client was given, so every figure below is exact and
nothing sleeps for real. Sync and async.
"""

from __future__ import annotations

import anyio
import httpx
import pytest

from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.errors import ByteNiteConnectionError, ServiceUnavailableError

from .flowdriver import FakeClock, Script, Trickle, answer

URL = "https://api.test/v1"
TOKEN = "tok-0123456789abcdef"
BODY = b'{"job": {"id": "j-1", "name": "' + b"x" * 100 + b'"}}'  # 132 bytes: 16.5 s trickled
STEP = 0.125  # seconds per byte (a power of two: the clock's sums are exact)


class Trickler(Script):
    """Answers every request with a 200 whose body trickles; keeps the bodies."""

    def __init__(self, clock: FakeClock, step: float = STEP) -> None:
        super().__init__(clock)
        self.bodies: list[Trickle] = []
        self.step = step
        self.default = self._trickle

    def _trickle(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(Trickle(BODY, self.clock, self.step))
        return httpx.Response(
            200, headers={"Content-Type": "application/json"}, stream=self.bodies[-1]
        )


def sync_client(script: Script, clock: FakeClock, **kwargs: float) -> Client:
    return Client(
        access_token=TOKEN,
        base_url=URL,
        transport=script.transport(),
        clock=clock,
        sleep=clock.sleep,
        **kwargs,  # type: ignore[arg-type]
    )


def async_client(script: Script, clock: FakeClock, **kwargs: float) -> AsyncClient:
    return AsyncClient(
        access_token=TOKEN,
        base_url=URL,
        transport=script.transport(),
        clock=clock,
        sleep=clock.asleep,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_trickled_body_does_not_outlive_the_timeout(clock: FakeClock) -> None:
    trickler = Trickler(clock)
    with sync_client(trickler, clock, timeout=1, max_retries=0) as client:
        with pytest.raises(ByteNiteConnectionError, match="timed out after 1 s"):
            client.get_job("j-1")
    # 8 bytes take exactly 1 s; the 9th is past the attempt's end: it stops there
    # (without the bound it would read all 132 bytes, 16.5 s).
    assert [body.read for body in trickler.bodies] == [9]
    assert clock.elapsed == 9 * STEP and clock.slept == []


def test_a_trickled_body_does_not_outlive_the_timeout_async(clock: FakeClock) -> None:
    trickler = Trickler(clock)

    async def main() -> None:
        async with async_client(trickler, clock, timeout=1, max_retries=0) as client:
            with pytest.raises(ByteNiteConnectionError, match="timed out after 1 s"):
                await client.get_job("j-1")

    anyio.run(main)
    assert [body.read for body in trickler.bodies] == [9]
    assert clock.elapsed == 9 * STEP


def test_a_fast_enough_trickle_is_read_whole(clock: FakeClock) -> None:
    trickler = Trickler(clock, step=2**-10)
    with sync_client(trickler, clock, timeout=5, max_retries=0) as client:
        assert client.get_job("j-1").job.name == "x" * 100
    assert [body.read for body in trickler.bodies] == [len(BODY)]


def _assert_deadline_bounds_the_call(trickler: Trickler, clock: FakeClock) -> None:
    # Attempt 1 ends at 0.625 s (past its 0.5 s), a backoff of 0.25-0.5 s, then
    # attempt 2 gets only what is left of the 1.3 s and no third one starts.
    assert len(trickler.bodies) == 2 and len(clock.slept) == 1
    assert 0.25 <= clock.slept[0] <= 0.5
    assert trickler.bodies[0].read == 5
    assert 1.3 < clock.elapsed <= 1.3 + STEP  # one byte past the deadline at most
    # Without the deadline: 11 attempts of 0.5 s and their backoff.


def test_the_deadline_bounds_a_call_and_its_retries(clock: FakeClock) -> None:
    trickler = Trickler(clock)
    with sync_client(trickler, clock, timeout=0.5, max_retries=10, deadline=1.3) as client:
        with pytest.raises(ByteNiteConnectionError, match=r"deadline \(1.3 s\) passed"):
            client.get_job("j-1")
    _assert_deadline_bounds_the_call(trickler, clock)


def test_the_deadline_bounds_a_call_async(clock: FakeClock) -> None:
    trickler = Trickler(clock)

    async def main() -> None:
        async with async_client(
            trickler, clock, timeout=0.5, max_retries=10, deadline=1.3
        ) as client:
            with pytest.raises(ByteNiteConnectionError, match=r"deadline \(1.3 s\) passed"):
                await client.get_job("j-1")

    anyio.run(main)
    _assert_deadline_bounds_the_call(trickler, clock)


def test_the_deadline_cuts_retry_waits_short(clock: FakeClock) -> None:
    busy = answer(503, headers={"Retry-After": "0.4"}, json={"code": 14, "message": "busy"})
    script = Script(clock, default=busy)
    with sync_client(script, clock, timeout=5, max_retries=10, deadline=1.0) as client:
        with pytest.raises(ServiceUnavailableError):
            client.get_job("j-1")
    # Requests at 0, 0.4 and 0.8 s; a third wait would end past the deadline, so
    # the 503 is the answer at once instead.
    assert script.times("/v1/customer/jobs/j-1") == pytest.approx([0.0, 0.4, 0.8])
    assert clock.slept == [0.4, 0.4] and clock.elapsed < 1.0


def test_a_wait_that_fits_is_taken_and_the_call_succeeds(clock: FakeClock) -> None:
    busy = answer(503, headers={"Retry-After": "0.4"}, json={"code": 14, "message": "busy"})
    script = Script(clock, answers=[busy, busy])
    with sync_client(script, clock, timeout=5, max_retries=10, deadline=1.0) as client:
        assert client.get_job("j-1").job.id == "j-1"
    assert clock.slept == [0.4, 0.4]


def test_the_token_exchange_spends_the_same_deadline(clock: FakeClock) -> None:
    # The exchange answers 503 twice (Retry-After 0.4 each): the call itself then
    # has 0.2 s of its 1 s left, less than the next 0.4 s wait.
    busy = answer(503, headers={"Retry-After": "0.4"})
    script = Script(clock, answers=[busy])

    def exchange_then_script(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/access_token") and exchange_busy:
            exchange_busy.pop()
            script.sent.append((clock.elapsed, request.method, request.url.path))
            return busy(request)
        return script(request)

    exchange_busy = [1, 1]
    with Client(
        "key-0123456789abcdef",
        base_url=URL,
        transport=httpx.MockTransport(exchange_then_script),
        clock=clock,
        sleep=clock.sleep,
        deadline=1.0,
    ) as client:
        with pytest.raises(ServiceUnavailableError):
            client.get_job("j-1")
    assert script.times("/v1/auth/access_token") == pytest.approx([0.0, 0.4, 0.8])
    assert script.times("/v1/customer/jobs/j-1") == pytest.approx([0.8])
    assert clock.slept == [0.4, 0.4]


class _Stalled(httpx.AsyncByteStream):
    """A body whose read ends the way anyio's ``fail_after`` ends a stalled one."""

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b'{"job": '
        raise TimeoutError


def test_an_attempt_the_event_loop_times_out_is_a_timeout_async(clock: FakeClock) -> None:
    script = Script(clock, default=lambda request: httpx.Response(200, stream=_Stalled()))

    async def main() -> None:
        async with async_client(script, clock, timeout=1, max_retries=0) as client:
            with pytest.raises(ByteNiteConnectionError, match="timed out after 1 s"):
                await client.get_job("j-1")

    anyio.run(main)
    assert script.times("/v1/customer/jobs/j-1") == [0.0]
