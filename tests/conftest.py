"""The one home of the shared fixtures.

- ``server`` (one real sandbox on loopback for the session) and ``client`` on it;
  ``fresh_server``/``fresh_client``: a loopback sandbox of the test's own.
- ``clock``: a ``FakeClock`` (``tests/flowdriver.py``); ``box``: a sandbox of the
  test's own served in process (no socket); ``box_client``/``box_aclient``: clients
  on it whose timing runs on ``clock``.
- ``srv``/``c``: a loopback sandbox of the test's own (jobs move in real time)
  and a client on it that does not sleep.
- ``shell``: an IPython shell with the extension loaded, on ``fresh_server``.
- ``lab`` (JupyterLab, then Notebook 7, per module) and ``page`` (a Chromium tab):
  the browser tests' front ends.

Hypothesis profiles: ``ci`` (the default: 30 examples, for every run) and ``large``
(``BYTENITE_HYPOTHESIS_PROFILE=large pytest ...``: 1,000 examples, for
a long hunt before a release). Suites that do not pin ``max_examples`` follow
the profile.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.sandbox._http import make_server
from bytenite_nb.sandbox._inprocess import InProcessSandbox

from .flowdriver import FakeClock, SkipClock, no_sleep
from .jupyterlab import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Lab, chromium_missing, jupyterlab
from .notebook_runs import FAST_SANDBOX

settings.register_profile(  # 30: the core's time budget (issue 16); `large` for a hunt
    "ci", max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "large", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("BYTENITE_HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def skip_clock() -> SkipClock:
    """The session sandbox's clock: ``client`` skips its waits on it."""
    return SkipClock()


@pytest.fixture(scope="session")
def server(skip_clock: SkipClock) -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start(step_seconds=0.05)
    srv.sandbox.clock = skip_clock
    yield srv
    srv.stop()


def own_server(step_seconds: float) -> sandbox.SandboxServer:
    """A sandbox of the test's own on loopback, whose loop looks for ``stop()`` every
    10 ms rather than ``start()``'s 200 ms: some 290 tests use one, and each stop
    waited for that look."""
    httpd = make_server(step_seconds=step_seconds)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
    )
    thread.start()
    return sandbox.SandboxServer(httpd, thread)


@pytest.fixture
def fresh_server() -> Iterator[sandbox.SandboxServer]:
    """A sandbox of the test's own (for request counts and faults) on a skipping clock."""
    srv = own_server(step_seconds=0.05)
    srv.sandbox.clock = SkipClock()
    yield srv
    srv.stop()


@pytest.fixture
def client(server: sandbox.SandboxServer, skip_clock: SkipClock) -> Iterator[Client]:
    """A client on ``server`` whose waits (polls, backoff) skip ahead on the
    sandbox's clock: its jobs move on at once, nothing sleeps or spins."""
    with Client(server.api_key, base_url=server.url, clock=skip_clock, sleep=skip_clock.sleep) as c:
        yield c


@pytest.fixture
def fresh_client(fresh_server: sandbox.SandboxServer) -> Iterator[Client]:
    """The same on ``fresh_server``."""
    clock = fresh_server.sandbox.clock
    assert isinstance(clock, SkipClock)
    with Client(
        fresh_server.api_key, base_url=fresh_server.url, clock=clock, sleep=clock.sleep
    ) as c:
        yield c


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def box() -> InProcessSandbox:
    """A sandbox of the test's own, in process; its jobs end as soon as they run."""
    return InProcessSandbox(step_seconds=0.0)


@pytest.fixture
def box_client(box: InProcessSandbox, clock: FakeClock) -> Iterator[Client]:
    with Client(
        box.api_key, base_url=box.url, transport=box.transport(), clock=clock, sleep=clock.sleep
    ) as c:
        yield c


@pytest.fixture
async def box_aclient(box: InProcessSandbox, clock: FakeClock) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(
        box.api_key, base_url=box.url, transport=box.transport(), clock=clock, sleep=clock.asleep
    ) as c:
        yield c


@pytest.fixture
def shell(fresh_server: sandbox.SandboxServer) -> Iterator[Any]:
    """An IPython shell with the extension loaded, pointed at a sandbox of the
    test's own, polling every 0.02 s; the names a test leaves behind are removed."""
    from IPython.core.interactiveshell import InteractiveShell

    from bytenite_nb.config import restore_session, set_session

    ip = InteractiveShell.instance()
    names = set(ip.user_ns)
    ip.run_line_magic("load_ext", "bytenite_nb")
    ip.run_line_magic("config", "ByteNiteMagics.poll_interval = 0.02")
    before = set_session("test", base_url=fresh_server.url, api_key=fresh_server.api_key)
    yield ip
    ip.run_line_magic("unload_ext", "bytenite_nb")
    ip.config.pop("ByteNiteMagics", None)  # %config values outlive the extension
    restore_session(before)
    for name in set(ip.user_ns) - names:
        if not name.startswith("_"):
            ip.user_ns.pop(name, None)


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


@pytest.fixture
def srv() -> Iterator[sandbox.SandboxServer]:
    """A loopback sandbox of the test's own whose jobs move on in real time (the
    hostile-answer tests: faults, storage, request counts)."""
    server = own_server(step_seconds=0.01)
    yield server
    server.stop()


@pytest.fixture
def c(srv: sandbox.SandboxServer) -> Iterator[Client]:
    """A client on ``srv`` that does not sleep between retries, token in hand."""
    with Client(srv.api_key, base_url=srv.url, sleep=no_sleep) as client:
        client.authenticate()
        yield client


# -- browser tests: JupyterLab and Notebook 7, and a Chromium tab -----------------------
def _need_chromium() -> None:
    """Skip loudly without Chromium; fail instead when it is required (CI)."""
    reason = chromium_missing()
    if reason:
        if os.environ.get("BYTENITE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but cannot run: {reason}")
        pytest.skip(f"BROWSER TESTS SKIPPED (not run!): {reason}")


@pytest.fixture(scope="session", params=["lab", "notebook"])
def lab(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab or Notebook 7, one server each for the session (pytest groups the
    tests by front end); kernels run ``%bytenite sandbox`` jobs in about a second."""
    _need_chromium()
    env = {k: "" for k in ("BYTENITE_API_KEY", "BYTENITE_ACCESS_TOKEN", "BYTENITE_API_URL")}
    env[FAST_SANDBOX[0]] = FAST_SANDBOX[1]
    workdir = tmp_path_factory.mktemp(request.param)
    with jupyterlab(workdir, env=env, frontend=request.param) as running:
        yield running


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One headless Chromium for the session (a launch costs a second or two);
    each test gets a fresh context of its own (no cookies or storage shared)."""
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(lab: Lab, chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A tab in a fresh context; after the test, a screenshot and its kernels shut down."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = getattr(request.module, "VIEWPORT_WIDTH", 1280)
    context = chromium.new_context(viewport={"width": width, "height": 1800})
    tab = context.new_page()
    try:
        yield tab
    finally:
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
        context.close()
        lab.stop_kernels()
