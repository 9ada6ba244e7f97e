"""A create or a run is applied once, whatever fails on the way: counted on the
sandbox, over loopback, for every fault a real server can give."""

from __future__ import annotations

import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.errors import ApiError, ByteNiteConnectionError

HELLO = {"templateId": "hello-world-template", "name": "once", "params": {"app": {"case": "upper"}}}
#: (status, applied): 0 is a hang-up with no answer; applied means the service
#: carried the request out and only its answer was lost.
FAULTS = [(s, a) for s in (0, 500, 502, 503, 504) for a in (True, False)]
IDS = [f"{'hangup' if s == 0 else s}-{'applied' if a else 'lost'}" for s, a in FAULTS]


@pytest.fixture
def server(fresh_server: sandbox.SandboxServer) -> sandbox.SandboxServer:
    return fresh_server  # a sandbox of the test's own


def _client(server: sandbox.SandboxServer) -> Client:
    return Client(server.api_key, base_url=server.url, timeout=5, sleep=lambda seconds: None)


@pytest.mark.parametrize(("status", "applied"), FAULTS, ids=IDS)
def test_a_create_makes_exactly_one_job(
    server: sandbox.SandboxServer, status: int, applied: bool
) -> None:
    with _client(server) as client:
        client.authenticate()
        server.sandbox.fail_next(status, method="POST", path="/customer/jobs", applied=applied)
        response = client.create_job(HELLO)
    jobs = server.sandbox.jobs
    assert len(jobs) == 1 and jobs[0]["id"] == response.job.id
    assert server.sandbox.count("POST", "/customer/jobs") == (1 if applied else 2)


@pytest.mark.anyio
@pytest.mark.parametrize(("status", "applied"), FAULTS, ids=IDS)
async def test_an_async_create_makes_exactly_one_job(
    server: sandbox.SandboxServer, status: int, applied: bool
) -> None:
    async def no_sleep(seconds: float) -> None:
        return None

    async with AsyncClient(
        server.api_key, base_url=server.url, timeout=5, sleep=no_sleep
    ) as client:
        await client.authenticate()
        server.sandbox.fail_next(status, method="POST", path="/customer/jobs", applied=applied)
        response = await client.create_job(HELLO)
    assert [job["id"] for job in server.sandbox.jobs] == [response.job.id]


def test_a_create_whose_fate_cannot_be_told_says_the_job_may_exist(
    server: sandbox.SandboxServer,
) -> None:
    with _client(server) as client:
        client.authenticate()
        server.sandbox.fail_next(502, method="POST", path="/customer/jobs", applied=True)
        server.sandbox.fail_next(503, times=10, method="GET", path="/customer/jobs")
        with pytest.raises(ApiError) as info:
            client.create_job(HELLO)
    assert "may have been created" in info.value.message and "list_jobs" in info.value.message
    assert len(server.sandbox.jobs) == 1  # it was: the client said so instead of sending again


def test_a_twin_job_made_earlier_is_not_taken_for_the_create(
    server: sandbox.SandboxServer,
) -> None:
    with _client(server) as client:
        twin = client.create_job(HELLO)  # the same payload, created just before
        server.sandbox.fail_next(0, method="POST", path="/customer/jobs", applied=True)
        with pytest.raises(ByteNiteConnectionError) as info:
            client.create_job(HELLO)
    # Two jobs match (within the clock-skew window): the client cannot tell which.
    assert "2 recent jobs look like it" in str(info.value)
    assert len(server.sandbox.jobs) == 2 and twin.job.id


@pytest.mark.parametrize(("status", "applied"), FAULTS, ids=IDS)
def test_a_run_starts_the_job_once_and_succeeds(
    server: sandbox.SandboxServer, status: int, applied: bool
) -> None:
    with _client(server) as client:
        job_id = client.create_job(HELLO).job.id
        path = f"/customer/jobs/{job_id}/run"
        server.sandbox.fail_next(status, method="POST", path=path, applied=applied)
        assert client.run_job(job_id)["ok"] is True
        state = client.get_job(job_id).job.state
    assert state is not None and state.short_name != "NEW"
    assert server.sandbox.count("POST", path) == 2


@pytest.mark.parametrize("status", [0, 500, 502, 503, 504], ids=lambda s: f"{s or 'hangup'}")
def test_create_job_and_create_jobs_agree_on_a_lost_answer(
    server: sandbox.SandboxServer, status: int
) -> None:
    """The same lost answer (the job was made): both succeed with that one job."""
    with _client(server) as client:
        client.authenticate()
        server.sandbox.fail_next(status, method="POST", path="/customer/jobs", applied=True)
        single = client.create_job(HELLO)
        server.sandbox.fail_next(status, method="POST", path="/customer/jobs", applied=True)
        batch = client.create_jobs([HELLO])
    [item] = batch.items
    assert item.error is None and item.status == "new" and item.id
    ids = [job["id"] for job in server.sandbox.jobs]
    assert ids == [single.job.id, item.id]  # one job each, nothing made twice
    assert server.sandbox.count("POST", "/customer/jobs") == 2


@pytest.mark.parametrize("status", [0, 500, 502, 503, 504], ids=lambda s: f"{s or 'hangup'}")
def test_create_job_and_create_jobs_agree_when_no_job_was_made(
    server: sandbox.SandboxServer, status: int
) -> None:
    """Every attempt lost before it was applied: one clear error, no job, from both."""
    with Client(
        server.api_key, base_url=server.url, timeout=5, max_retries=1, sleep=lambda s: None
    ) as client:
        client.authenticate()
        server.sandbox.fail_next(status, times=2, method="POST", path="/customer/jobs")
        with pytest.raises((ApiError, ByteNiteConnectionError)) as info:
            client.create_job(HELLO)
        server.sandbox.fail_next(status, times=2, method="POST", path="/customer/jobs")
        batch = client.create_jobs([HELLO])
    assert "none was created" in str(info.value)
    [item] = batch.items
    assert item.status == "error" and "none was created" in str(item.error)
    assert type(item.error) is type(info.value)
    assert server.sandbox.jobs == []
