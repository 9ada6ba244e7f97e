"""Shared helpers of the batch tests: a server-side view of what the client sends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from bytenite_nb import sandbox

CREATE_PATH = "/v1/customer/jobs"


class ServerTap:
    """Wraps a sandbox's request handler to count, slow down, interrupt or drop calls.

    ``peak`` is the most ``POST /jobs`` requests the server was handling at
    once: the concurrency the client really achieved.
    """

    def __init__(self, server: sandbox.SandboxServer, *, delay: float = 0.0) -> None:
        self.delay = delay
        self.now = self.peak = self.creates = 0
        self.lock = threading.Lock()
        #: Called with the create count after each create (e.g. to interrupt).
        self.after_create: Callable[[int], None] | None = None
        #: Creates (by number, from 1) whose job is made but whose answer is lost.
        self.lose_answers: set[int] = set()
        self._sandbox = server.sandbox
        self._original = server.sandbox.handle
        server.sandbox.handle = self.handle  # type: ignore[method-assign]

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> tuple[int, Any]:
        create = method == "POST" and urlsplit(target).path == CREATE_PATH
        if not create:
            return self._original(method, target, headers, body)
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
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


def requests_for(n: int, *, template: str = "hello-world-template") -> list[dict[str, Any]]:
    return [
        {"templateId": template, "name": f"job-{i}", "params": {"app": {"case": "upper"}}}
        for i in range(n)
    ]
