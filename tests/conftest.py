"""Shared fixtures: one real sandbox on loopback for the session, clients on it.

Hypothesis profiles: ``ci`` (the default: small, for every run) and ``large``
(``BYTENITE_HYPOTHESIS_PROFILE=large pytest ...``: ten times the examples, for
a long hunt before a release). Suites that do not pin ``max_examples`` follow
the profile.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from bytenite_nb import sandbox
from bytenite_nb.client import Client

settings.register_profile(
    "ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "large", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("BYTENITE_HYPOTHESIS_PROFILE", "ci"))

#: Canary secrets: no output, repr, error or log line may ever contain them.
CANARY_KEY = "canary-api-key-7c1f3a9e5b2d4f60"
CANARY_TOKEN = "canary-token-d41d8cd98f00b204e980"


@pytest.fixture(scope="session")
def server() -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start(step_seconds=0.05)
    yield srv
    srv.stop()


@pytest.fixture
def fresh_server() -> Iterator[sandbox.SandboxServer]:
    """A sandbox of the test's own (for request counts and faults)."""
    srv = sandbox.start(step_seconds=0.05)
    yield srv
    srv.stop()


@pytest.fixture
def client(server: sandbox.SandboxServer) -> Iterator[Client]:
    with Client(server.api_key, base_url=server.url) as c:
        c._sleep = lambda seconds: None  # retries without waiting
        yield c


@pytest.fixture(autouse=True)
def _no_bytenite_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real credentials."""
    for name in ("BYTENITE_API_KEY", "BYTENITE_ACCESS_TOKEN", "BYTENITE_API_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
