"""A create or a run is applied once, whatever fails on the way: counted on the
sandbox, over loopback, for every fault a real server can give."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.errors import ApiError, ByteNiteConnectionError

HELLO = {"templateId": "hello-world-template", "name": "once", "params": {"app": {"case": "upper"}}}
#: (status, applied): 0 is a hang-up with no answer; applied means the service
#: carried the request out and only its answer was lost.
FAULTS = [(s, a) for s in (0, 502, 503, 504) for a in (True, False)]
IDS = [f"{'hangup' if s == 0 else s}-{'applied' if a else 'lost'}" for s, a in FAULTS]


@pytest.fixture
def server() -> Iterator[sandbox.SandboxServer]:
    with sandbox.start(step_seconds=0.05) as running:
        yield running


def _client(server: sandbox.SandboxServer) -> Client:
    client = Client(server.api_key, base_url=server.url, timeout=5)
    client._sleep = lambda seconds: None
    return client


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

    async with AsyncClient(server.api_key, base_url=server.url, timeout=5) as client:
        client._sleep = no_sleep
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
