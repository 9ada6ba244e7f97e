"""Batch calls built on the jobs list and the job lifecycle calls (``list_jobs``,
``abort_job``, ``get_job_results``, ``download_results``): the efficient wait
with its request count, resume of creates whose answer was lost, results,
downloads and abort."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bytenite_nb import sandbox as sandbox_mod
from bytenite_nb.batch import wait as wait_module
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.sandbox._inprocess import InProcessSandbox

from .batch_helpers import FakeTime, ServerTap, requests_for


@pytest.fixture
def server(fresh_server: sandbox_mod.SandboxServer) -> sandbox_mod.SandboxServer:
    return fresh_server  # a sandbox of the test's own


@pytest.fixture
def client(fresh_client: Client) -> Client:
    return fresh_client  # on it, its waits skipped on the sandbox's clock


def _gets(server: sandbox_mod.SandboxServer | InProcessSandbox) -> tuple[int, int]:
    """(jobs list requests, single-job gets) received so far."""
    requests = server.sandbox.requests
    pages = sum(1 for m, p in requests if m == "GET" and p == "/v1/customer/jobs")
    singles = sum(
        1
        for m, p in requests
        if m == "GET" and p.startswith("/v1/customer/jobs/") and p != "/v1/customer/jobs/templates"
    )
    return pages, singles


def test_waiting_on_1000_jobs_costs_at_most_20_requests_a_round() -> None:
    # In process: 2,000 creates and runs through the real handler, no socket.
    box = InProcessSandbox(step_seconds=10_000.0)  # the jobs move only when the wait sleeps

    def advance(seconds: float) -> None:
        box.sandbox.step_seconds /= 8  # each pause moves every job on, no real time passes

    time = FakeTime(advance)
    with Client(
        box.api_key,
        base_url=box.url,
        transport=box.transport(),
        clock=time.clock,
        sleep=time.sleep,
    ) as client:
        batch = client.create_jobs(requests_for(1000), concurrency=32, run=True)
        before = _gets(box)
        batch.wait(timeout=120, interval=0.2)
        pages, singles = (a - b for a, b in zip(_gets(box), before, strict=True))
    rounds = len(time.slept) + 1
    assert batch.counts() == {"complete": 1000}
    assert 2 < rounds < 12, time.slept  # it did wait for the jobs to move
    assert pages + singles <= 20 * rounds
    assert pages >= math.ceil(1000 / wait_module.PAGE_SIZE)  # the list was used
    naive = 1000 * rounds  # one get per job per round
    assert pages + singles < naive / 40, (pages, singles, rounds)


def test_the_interval_backs_off_while_nothing_changes(server: sandbox_mod.SandboxServer) -> None:
    time = FakeTime()
    with Client(server.api_key, base_url=server.url, clock=time.clock, sleep=time.sleep) as client:
        batch = client.create_jobs(requests_for(30))  # never run: nothing will change
        with pytest.raises(TimeoutError, match="30 of 30 jobs still running after 20 s"):
            batch.wait(timeout=20, interval=0.5, max_interval=4)
    assert time.slept == [0.75, 1.125, 1.6875, 2.53125, 3.796875, 4, 4]
    assert time.now - 1000 <= 20  # the timeout is kept on the client's clock


def test_a_create_whose_answer_was_lost_is_found_not_sent_twice(
    server: sandbox_mod.SandboxServer,
) -> None:
    tap = ServerTap(server)
    tap.lose_answers = {3, 10, 11}  # created on the server, answer dropped
    time = FakeTime()
    with Client(server.api_key, base_url=server.url, clock=time.clock, sleep=time.sleep) as client:
        batch = client.create_jobs(requests_for(30), concurrency=4)
        assert tap.creates == 30  # the three were looked for, not sent again
        assert server.sandbox.count("GET", "/customer/jobs") >= 1  # ...in the jobs list
        assert len(server.sandbox.jobs) == 30 and len(set(batch.ids)) == 30
        assert batch.counts() == {"new": 30}
        batch.resume()
    assert len(server.sandbox.jobs) == 30
    assert all(count == 1 for count in tap.jobs_by_description().values())


@pytest.mark.anyio
async def test_async_cancel_then_resume_creates_nothing_twice() -> None:
    import anyio

    box = InProcessSandbox()
    tap = ServerTap(box)
    time = FakeTime()
    async with AsyncClient(
        box.api_key,
        base_url=box.url,
        transport=box.transport(),
        clock=time.clock,
        sleep=time.asleep,
    ) as client:
        with anyio.CancelScope() as scope:
            # Cancelled at a chosen step: as the 20th create is answered.
            tap.after_create = lambda n: scope.cancel() if n == 20 else None
            await client.create_jobs(requests_for(80), concurrency=8)
        tap.after_create = None
        batch = client.last_batch
        assert batch is not None and 0 < len(batch.ids) < 80
        in_doubt = [item for item in batch.items if item.status == "unknown"]
        assert in_doubt  # creates cut off in flight: their fate is not known
        await batch.resume()
    assert len(batch.ids) == 80 and len(set(batch.ids)) == 80
    assert len(box.sandbox.jobs) == 80
    assert all(count == 1 for count in tap.jobs_by_description().values())


def test_results_and_downloads_one_folder_per_job(client: Client, tmp_path: Path) -> None:
    batch = client.create_jobs([*requests_for(3), {"templateId": ""}], run=True)
    batch.wait(timeout=30, interval=0.05)
    results = batch.get_results()
    assert len(results) == 4 and results[3] is None
    assert all(len(r.files) >= 1 for r in results[:3])
    paths = batch.download_results(tmp_path)
    for item, got in zip(batch.items[:3], paths[:3], strict=True):
        assert got and all(Path(p).is_file() for p in got)
        assert all(f"_{item.id}" in str(p) for p in got)
    assert paths[3] is None


def test_abort_aborts_the_running_jobs_only(
    server: sandbox_mod.SandboxServer, client: Client
) -> None:
    server.sandbox.step_seconds = 5  # long enough to abort
    batch = client.create_jobs(requests_for(5), run=True)
    aborted = batch.abort()
    assert sorted(aborted) == sorted(batch.ids)
    batch.wait(timeout=30, interval=0.05)
    assert batch.counts() == {"failed": 5}
    assert batch.abort() == []  # nothing left to abort


def test_sweep_magic_wait_follows_the_batch_to_the_end(server: sandbox_mod.SandboxServer) -> None:
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from bytenite_nb.config import restore_session, set_session

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "bytenite_nb")
    before = set_session("test", base_url=server.url, api_key=server.api_key)
    ip.run_line_magic("config", "ByteNiteMagics.poll_interval = 0.02")
    try:
        ip.user_ns["grid"] = {"params.app.case": ["upper", "lower"], "config.taskTimeout": [1, 2]}
        with capture_output():
            result = ip.run_cell(
                "%%bytenite b --sweep grid --wait\ntemplateId: hello-world-template\n"
            )
        assert result.success
        assert ip.user_ns["b"].counts() == {"complete": 4}
    finally:
        ip.run_line_magic("unload_ext", "bytenite_nb")
        ip.config.pop("ByteNiteMagics", None)
        restore_session(before)
        ip.user_ns.pop("b", None)
