"""A token bucket: the sandbox's switchable rate limit."""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class TokenBucket:
    """``rate`` requests a second on average, bursts of up to ``burst`` (default: one
    second's worth, at least 1). Not thread-safe."""

    def __init__(
        self,
        rate: float,
        burst: int | None = None,
        retry_after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not rate > 0 or not math.isfinite(rate):
            raise ValueError(f"requests_per_second must be a positive number, got {rate!r}")
        if burst is None:
            burst = max(1, int(rate))  # one second's worth
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        if retry_after is not None and not retry_after >= 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {retry_after!r}")
        self.rate = rate
        self.burst = burst
        self.retry_after = retry_after
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()

    def take(self) -> str | None:
        """Spend a token: ``None`` if there was one, else the ``Retry-After`` to send (the
        fixed ``retry_after``, or the whole seconds until the next token, at least 1)."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        if self.retry_after is not None:
            return f"{self.retry_after:g}"
        return str(max(1, math.ceil((1 - self._tokens) / self.rate)))
