"""Shared helpers of the batch tests: a server-side view of what the client sends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

CREATE_PATH = "/v1/customer/jobs"


class ServerTap:
    """Wraps a sandbox's request handler (of a ``SandboxServer`` or an
    ``InProcessSandbox``) to count, slow down, hold, interrupt or drop calls.

    ``peak`` is the most ``POST /jobs`` requests the server was handling at
    once: the concurrency the client really achieved.
    """

    def __init__(self, server: Any, *, delay: float = 0.0, meet: int | None = None) -> None:
        self.delay = delay
        #: The first creates wait (10 s at most) until ``meet`` are in flight at
        #: once: a client that sends that many concurrently reaches the peak
        #: whatever the scheduling; one that sends fewer does not.
        self.meet = meet
        self._met = threading.Event()
        self.now = self.peak = self.creates = 0
        self.lock = threading.Lock()
        #: Called with the create count after each create (e.g. to interrupt).
        self.after_create: Callable[[int], None] | None = None
        #: Creates (by number, from 1) whose job is made but whose answer is lost.
        self.lose_answers: set[int] = set()
        #: Creates after this many wait for ``gate`` before they are handled.
        self.hold_after: int | None = None
        self.gate = threading.Event()
        self._started = 0
        self._sandbox = server.sandbox
        self._original = server.sandbox.handle
        server.sandbox.handle = self.handle  # type: ignore[method-assign]

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any]:
        create = method == "POST" and urlsplit(target).path == CREATE_PATH
        if not create:
            return self._original(method, target, headers, body)
        with self.lock:
            self._started += 1
            held = self.hold_after is not None and self._started > self.hold_after
        if held:
            self.gate.wait(timeout=60)  # a bound against a stuck test, not a timing
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
            if self.meet is not None and self.now >= self.meet:
                self._met.set()
        if self.meet is not None:
            self._met.wait(timeout=10)  # a bound against a stuck test, not a timing
        try:
            if self.delay:
                time.sleep(self.delay)
            answer = self._original(method, target, headers, body)
        finally:
            with self.lock:
                self.now -= 1
                self.creates += 1
                number = self.creates
        if self.after_create is not None:
            self.after_create(number)
        if number in self.lose_answers:
            raise ConnectionResetError("the answer to this create is lost")
        return answer

    def jobs_by_description(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for job in self._sandbox.jobs:
            key = str(job.get("description"))
            counts[key] = counts.get(key, 0) + 1
        return counts


class FakeTime:
    """A clock that only moves when slept on: ``clock`` and ``sleep`` for a client."""

    def __init__(self, on_sleep: Callable[[float], None] | None = None) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def requests_for(n: int, *, template: str = "hello-world-template") -> list[dict[str, Any]]:
    return [
        {"templateId": template, "name": f"job-{i}", "params": {"app": {"case": "upper"}}}
        for i in range(n)
    ]
