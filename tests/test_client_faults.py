"""Faults a real server cannot easily give, through httpx.MockTransport.

Each test counts the requests that reached the transport: a create that may
have reached the service is never sent twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone

import httpx
import pytest

from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.errors import ApiError, ByteNiteConnectionError, ServiceUnavailableError

from .flowdriver import FakeClock, answer, no_asleep, raise_

URL = "https://api.test/v1"
JOB = {"job": {"id": "j-1", "state": "JOB_STATE_NEW"}}
Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers auth itself, counts job creates and
    answers the jobs list (the lookup a create makes before resending) from
    ``listed``; the script answers everything else in order."""

    def __init__(self, *jobs: Callable[[httpx.Request], httpx.Response]) -> None:
        self.script = list(jobs)
        self.creates = 0
        self.exchanges = 0
        self.lookups = 0
        self.posts = 0  # POST /jobs: the creates that reached the service
        self.listed: Callable[[httpx.Request], httpx.Response] = lambda r: httpx.Response(
            200, json={"data": []}
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/auth/access_token":
            self.exchanges += 1
            return httpx.Response(200, json={"token": "tok", "expiresIn": "3600"})
        assert request.headers["Authorization"] == "tok"
        if request.method == "GET" and request.url.path == "/v1/customer/jobs":
            self.lookups += 1
            return self.listed(request)
        self.creates += 1
        self.posts += request.method == "POST" and request.url.path == "/v1/customer/jobs"
        step = self.script.pop(0) if self.script else (lambda r: httpx.Response(200, json=JOB))
        return step(request)


def make_client(recorder: Recorder, waits: list[float] | None = None, **kwargs: object) -> Client:
    """A client on a fake clock; ``waits`` collects the sleeps it asks for."""
    clock = FakeClock()
    if waits is not None:
        clock.slept = waits
    transport = httpx.MockTransport(recorder)
    return Client(
        "key", base_url=URL, transport=transport, clock=clock, sleep=clock.sleep, **kwargs
    )  # type: ignore[arg-type]


UNSURE = [
    httpx.ReadTimeout("read timed out"),
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.ReadError("connection reset by peer"),
]
UNSURE_IDS = ["read-timeout", "disconnect", "reset-after-send"]


def _listed(template: str, job_id: str = "j-1", name: str = "n") -> dict[str, object]:
    """A job as the jobs list shows it, created just now."""
    now = datetime.now(timezone.utc).isoformat()
    return {"id": job_id, "templateId": template, "name": name, "createdAt": now}


def test_connection_refused_before_sending_is_retried() -> None:
    recorder = Recorder(raise_(httpx.ConnectError("connection refused")))
    waits: list[float] = []
    with make_client(recorder, waits) as client:
        assert client.create_job({"templateId": "t"}).job.id == "j-1"
    assert recorder.creates == 2 and len(waits) == 1 and 0.25 <= waits[0] <= 0.5


def test_connect_failures_give_up_after_max_retries_with_growing_backoff() -> None:
    recorder = Recorder(*[raise_(httpx.ConnectError("reset")) for _ in range(10)])
    waits: list[float] = []
    with make_client(recorder, waits, max_retries=3) as client:
        with pytest.raises(ByteNiteConnectionError) as info:
            client.create_job({"templateId": "t"})
    assert recorder.creates == 4 and len(waits) == 3
    assert waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0 and 1.0 <= waits[2] <= 2.0
    assert not info.value.maybe_applied


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset by peer"),
    ],
    ids=["read-timeout", "disconnect", "reset-after-send"],
)
def test_create_is_never_sent_twice_after_it_may_have_arrived(exc: Exception) -> None:
    # The job arrived before the failure: the client finds it and sends nothing again.
    recorder = Recorder(raise_(exc))
    recorder.listed = lambda r: httpx.Response(200, json={"data": [_listed("t")]})
    with make_client(recorder) as client:
        assert client.create_job({"templateId": "t", "name": "n"}).job.id == "j-1"
    assert recorder.posts == 1 and recorder.lookups == 1


@pytest.mark.parametrize("exc", UNSURE, ids=UNSURE_IDS)
def test_a_create_that_did_not_arrive_is_sent_again_after_looking(exc: Exception) -> None:
    recorder = Recorder(raise_(exc))
    with make_client(recorder) as client:
        assert client.create_job({"templateId": "t", "name": "n"}).job.id == "j-1"
    assert recorder.posts == 2 and recorder.lookups == 1


@pytest.mark.parametrize("exc", UNSURE, ids=UNSURE_IDS)
def test_a_create_the_client_cannot_decide_on_says_the_job_may_exist(exc: Exception) -> None:
    recorder = Recorder(raise_(exc))
    recorder.listed = answer(503)  # the jobs list fails too
    with make_client(recorder) as client, pytest.raises(ByteNiteConnectionError) as info:
        client.create_job({"templateId": "t", "name": "n"})
    assert recorder.posts == 1
    assert info.value.maybe_applied and "may have been created" in str(info.value)
    assert "list_jobs" in str(info.value)  # how to check


def test_two_lookalike_jobs_are_not_guessed_between() -> None:
    recorder = Recorder(answer(502))
    both = [_listed("t", "j-1"), _listed("t", "j-2")]
    recorder.listed = lambda r: httpx.Response(200, json={"data": both})
    with make_client(recorder) as client, pytest.raises(ApiError) as info:
        client.create_job({"templateId": "t", "name": "n"})
    assert recorder.posts == 1 and "2 recent jobs look like it" in info.value.message


def test_an_older_or_different_job_is_not_taken_for_the_create() -> None:
    recorder = Recorder(answer(502))
    old = {**_listed("t", "old"), "createdAt": "2001-01-01T00:00:00Z"}
    other = _listed("t", "other", name="another")
    recorder.listed = lambda r: httpx.Response(200, json={"data": [old, other]})
    with make_client(recorder) as client:
        assert client.create_job({"templateId": "t", "name": "n"}).job.id == "j-1"
    assert recorder.posts == 2  # neither matched: sent again


def test_a_read_timeout_on_a_get_is_retried() -> None:
    recorder = Recorder(raise_(httpx.ReadTimeout("slow")))
    with make_client(recorder) as client:
        assert client.get_job("j-1").job.id == "j-1"
    assert recorder.creates == 2


@pytest.mark.parametrize("made", [False, True])
def test_truncated_body_on_create_is_looked_for_before_anything_is_sent_again(made: bool) -> None:
    """A 200 whose body is cut short may hide a made job: the one may-be-applied
    rule looks for it (found: that job, nothing resent; not found: sent again)."""

    def truncated(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b'{"job": {"id": "j-1", "sta', headers={"Content-Type": "application/json"}
        )

    recorder = Recorder(truncated)
    if made:
        recorder.listed = lambda r: httpx.Response(200, json={"data": [_listed("t")]})
    with make_client(recorder) as client:
        job = client.create_job({"templateId": "t", "name": "n"})
    assert job.job.id == "j-1"
    assert recorder.lookups == 1 and recorder.posts == (1 if made else 2)


def test_503_then_200_honours_retry_after() -> None:
    recorder = Recorder(
        answer(503, headers={"Retry-After": "3"}, json={"code": 14, "message": "busy"})
    )
    waits: list[float] = []
    with make_client(recorder, waits) as client:
        assert client.get_job("j-1").job.id == "j-1"
    assert recorder.creates == 2 and waits == [3.0]


def test_retry_after_as_an_http_date_and_capped() -> None:
    recorder = Recorder(
        answer(503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"}),
    )
    waits: list[float] = []
    with make_client(recorder, waits) as client:
        client.get_job("j-1")
    assert waits == [60.0]


def test_gateway_timeout_on_create_looks_before_it_resends() -> None:
    recorder = Recorder(answer(504, text="<html><title>504 Gateway Time-out</title></html>"))
    with make_client(recorder) as client:
        assert client.create_job({"templateId": "t"}).job.id == "j-1"
    assert recorder.lookups == 1 and recorder.posts == 2


def test_gateway_timeout_on_a_get_is_retried() -> None:
    recorder = Recorder(answer(504), answer(502))
    with make_client(recorder) as client:
        client.get_job("j-1")
    assert recorder.creates == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
def test_other_statuses_are_never_retried(status: int) -> None:
    recorder = Recorder(*[answer(status, json={"code": 2, "message": "no"}) for _ in range(3)])
    client = Client(access_token="tok", base_url=URL, transport=httpx.MockTransport(recorder))
    with client, pytest.raises(ApiError) as info:
        client.create_job({"templateId": "t"})
    assert recorder.creates == 1 and info.value.status_code == status
    assert recorder.lookups == 0


def test_a_500_on_create_is_looked_for_then_sent_again_once() -> None:
    """500 is one of the answers that may hide a made job (as 502/503/504):
    looked for first; not found, sent again."""
    recorder = Recorder(answer(500, json={"code": 13, "message": "oops"}))
    with make_client(recorder) as client:
        assert client.create_job({"templateId": "t"}).job.id == "j-1"
    assert recorder.lookups == 1 and recorder.posts == 2


def test_persistent_503_on_create_stops_after_max_retries() -> None:
    recorder = Recorder(*[answer(503) for _ in range(10)])
    with (
        make_client(recorder, max_retries=2) as client,
        pytest.raises(ServiceUnavailableError) as info,
    ):
        client.create_job({"templateId": "t"})
    assert recorder.posts == 3 and recorder.lookups == 3
    assert "none was created" in info.value.message


def test_every_request_carries_the_timeout() -> None:
    seen: list[httpx.Request] = []
    reads: list[float] = []  # as sent: the body's reads then wait only what is left

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        reads.append(request.extensions["timeout"]["read"])
        if request.url.path.endswith("access_token"):
            return httpx.Response(200, json={"token": "tok"})
        return httpx.Response(200, json=JOB)

    with Client("k", base_url=URL, timeout=7, transport=httpx.MockTransport(handler)) as client:
        client.create_job({"templateId": "t"})
    assert reads == [7.0, 7.0]
    assert json.loads(seen[0].content) == {"apiKey": "k"}


def test_a_non_json_success_body_from_a_get_is_an_api_error() -> None:
    recorder = Recorder(answer(200, text="<html>maintenance</html>"))
    with make_client(recorder) as client, pytest.raises(ApiError, match="not JSON"):
        client.get_job("j")


def test_token_response_without_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"expiresIn": "3600"})

    with Client("k", base_url=URL, transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ApiError, match="without a token"):
            client.create_job({"templateId": "t"})


@pytest.mark.anyio
async def test_async_create_that_may_have_arrived_is_found_not_resent() -> None:
    recorder = Recorder(raise_(httpx.ReadTimeout("slow")))
    recorder.listed = lambda r: httpx.Response(200, json={"data": [_listed("t")]})

    async def handler(request: httpx.Request) -> httpx.Response:
        return recorder(request)

    transport = httpx.MockTransport(handler)
    async with AsyncClient("k", base_url=URL, transport=transport, sleep=no_asleep) as client:
        assert (await client.create_job({"templateId": "t", "name": "n"})).job.id == "j-1"
    assert recorder.posts == 1 and recorder.lookups == 1


def test_a_retried_run_that_finds_the_job_started_is_a_success() -> None:
    started = {"job": {"id": "j-1", "state": "JOB_STATE_STARTED"}}
    recorder = Recorder(
        answer(502),  # the first run arrived, its answer was lost
        answer(400, json={"code": 9, "message": "job 'j-1' has already been started"}),
        lambda r: httpx.Response(200, json=started),  # GET /jobs/j-1
    )
    with make_client(recorder) as client:
        assert client.run_job("j-1")["ok"] is True
    assert recorder.creates == 3


def test_a_first_run_refused_as_already_started_is_still_an_error() -> None:
    recorder = Recorder(answer(400, json={"code": 9, "message": "already been started"}))
    with make_client(recorder) as client, pytest.raises(ApiError, match="already been started"):
        client.run_job("j-1")
    assert recorder.creates == 1


def test_a_429_waits_its_retry_after_spread_and_resends_even_a_create() -> None:
    # 429: the request was not applied, so a create is sent again without a lookup.
    limited = answer(429, headers={"Retry-After": "2"}, json={"code": 8, "message": "slow down"})
    recorder = Recorder(limited)
    waits: list[float] = []
    with make_client(recorder, waits) as client:
        assert client.create_job({"templateId": "t"}).job.id == "j-1"
    assert recorder.posts == 2 and recorder.lookups == 0
    assert len(waits) == 1 and 2.0 <= waits[0] <= 3.0  # up to half again: callers spread


def test_a_429_without_retry_after_backs_off_exponentially() -> None:
    recorder = Recorder(*[answer(429) for _ in range(3)])
    waits: list[float] = []
    with make_client(recorder, waits, max_retries=0) as client:  # 429s are not "retries"
        assert client.get_job("j-1").job.id == "j-1"
    assert recorder.creates == 4 and len(waits) == 3
    assert waits[0] <= 0.5 and 0.5 <= waits[1] <= 1.0 and 1.0 <= waits[2] <= 2.0
