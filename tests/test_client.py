"""The client against the sandbox's real request handler, sync and async: in process
where the socket adds nothing, over loopback where it is the point (connection
reuse, nothing listening) or the shared ``server`` serves."""

from __future__ import annotations

import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import USER_AGENT, AsyncClient, Client
from bytenite_nb.errors import (
    ApiError,
    AuthenticationError,
    BadRequestError,
    ByteNiteConnectionError,
    InternalServerError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from bytenite_nb.models import CreateJobRequest, JobResponse, JobState
from bytenite_nb.sandbox._inprocess import InProcessSandbox

from .flowdriver import FakeClock, Script, no_sleep

HELLO = {"templateId": "hello-world-template", "name": "demo", "params": {"app": {"case": "upper"}}}


def test_create_job_happy_path(client: Client, server: sandbox.SandboxServer) -> None:
    response = client.create_job({**HELLO, "config": {"taskTimeout": "300", "isTestJob": True}})
    assert isinstance(response, JobResponse)
    job = response.job
    assert job.id and job.name == "demo" and job.template_id == "hello-world-template"
    assert job.state is JobState["NEW"]
    assert job.config is not None and job.config.task_timeout == 300 and job.config.is_test_job
    assert job.params is not None and job.params.app == {"case": "upper"}
    assert job.created_at is not None and job.created_at.tzinfo is not None
    assert response.template_info is not None
    assert response.template_info.app == "hello-world@1"
    assert job.id in {j["id"] for j in server.sandbox.jobs}


def test_create_job_takes_a_model_and_get_job_reads_it_back(client: Client) -> None:
    created = client.create_job(CreateJobRequest.model_validate(HELLO))
    fetched = client.get_job(created.job.id or "")
    assert fetched.job.id == created.job.id and fetched.job.name == "demo"


def test_run_job_starts_a_draft_that_ends_complete(box_client: Client) -> None:
    # (The states on the way: test_wait_for_job_reports_each_new_state_until_it_ends.)
    job_id = box_client.create_job(HELLO).job.id or ""
    assert box_client.get_job(job_id).job.state is JobState["NEW"]
    assert box_client.run_job(job_id)["ok"] is True
    job = box_client.get_job(job_id).job  # the box's jobs take no time
    assert job.state is JobState["COMPLETE"]
    assert job.ended_at is not None and job.num_chunks == 1 and job.duration is not None
    assert job.state_timestamps is not None and "JOB_STATE_COMPLETE" in job.state_timestamps


def test_list_templates(client: Client) -> None:
    ids = {t.id for t in client.list_templates()}
    assert {"hello-world-template", "img-gen-diffusers-flux-gpu-template"} <= ids


def test_one_connection_is_reused_across_calls(fresh_server: sandbox.SandboxServer) -> None:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        for _ in range(3):
            client.create_job(HELLO)
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert len(pool.connections) == 1


def test_token_is_exchanged_once_and_cached(box: InProcessSandbox) -> None:
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as client:
        for _ in range(3):
            client.create_job(HELLO)
    assert box.sandbox.count("POST", "/auth/access_token") == 1
    assert box.sandbox.count("POST", "/customer/jobs") == 3


def test_expired_token_is_exchanged_again_before_use(
    box: InProcessSandbox, box_client: Client, clock: FakeClock
) -> None:
    box_client.create_job(HELLO)  # a token valid 3600 s, used until 60 s before its end
    clock.advance(3539)
    box_client.create_job(HELLO)  # still valid
    assert box.sandbox.count("POST", "/auth/access_token") == 1
    clock.advance(2)
    box_client.create_job(HELLO)
    assert box.sandbox.count("POST", "/auth/access_token") == 2
    assert box.sandbox.count("POST", "/customer/jobs") == 3  # never a 401 round trip


def test_a_short_lived_token_keeps_a_tenth_of_its_life_as_margin(clock: FakeClock) -> None:
    script = Script(clock, token_lifetime="100")
    with Client(
        "key-0123456789", base_url="https://api.test/v1", transport=script.transport(),
        clock=clock, sleep=clock.sleep,
    ) as client:  # fmt: skip
        client.get_job("j-1")
        clock.advance(89)
        client.get_job("j-1")
        clock.advance(2)
        client.get_job("j-1")
    assert script.times("/v1/auth/access_token") == [0.0, 91.0]


def test_a_revoked_token_gets_one_new_exchange(box: InProcessSandbox) -> None:
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as client:
        client.create_job(HELLO)
        box.sandbox.revoke_tokens()
        client.create_job(HELLO)
    assert box.sandbox.count("POST", "/auth/access_token") == 2
    assert box.sandbox.count("POST", "/customer/jobs") == 3


def test_user_agent_and_raw_token_header(box: InProcessSandbox) -> None:
    seen = {}
    original = box.sandbox.handle

    def spy(method, target, headers, body):  # type: ignore[no-untyped-def]
        seen[target] = headers
        return original(method, target, headers, body)

    box.sandbox.handle = spy  # type: ignore[method-assign]
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as client:
        client.create_job(HELLO)
    jobs_headers = seen["/v1/customer/jobs"]
    assert jobs_headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("bytenite-nb/")
    assert jobs_headers["authorization"].startswith("sbx.")  # raw, no "Bearer "
    assert "authorization" not in seen["/v1/auth/access_token"]


# -- errors from the server ------------------------------------------------------------


def test_template_schema_violation_is_a_bad_request_with_details(client: Client) -> None:
    with pytest.raises(BadRequestError) as info:
        client.create_job({"templateId": "hello-world-template", "params": {"app": {"case": "x"}}})
    error = info.value
    assert error.status_code == 400 and error.code == 3 and error.code_name == "INVALID_ARGUMENT"
    assert "params.app.case" in error.message
    assert error.details[0]["fieldViolations"][0]["field"] == "params.app.case"


def test_unknown_template_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError) as info:
        client.create_job({"templateId": "no-such-template"})
    assert info.value.status_code == 404 and info.value.code == 5
    assert "no-such-template" in str(info.value)


def test_unknown_job_is_not_found(client: Client) -> None:
    with pytest.raises(NotFoundError):
        client.get_job("does/not/exist")  # quoted into one path segment


def test_private_template_is_permission_denied(client: Client) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        client.create_job({"templateId": "private-template"})
    assert info.value.code == 7


def test_wrong_api_key_is_an_authentication_error(server: sandbox.SandboxServer) -> None:
    with (
        Client("wrong-key", base_url=server.url) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.create_job(HELLO)
    assert info.value.status_code == 401 and info.value.code == 16
    assert "API key was rejected" in str(info.value)


def test_wrong_fixed_token_is_an_authentication_error(server: sandbox.SandboxServer) -> None:
    with Client(access_token="not-a-token", base_url=server.url) as client:
        with pytest.raises(AuthenticationError) as info:
            client.create_job(HELLO)
    assert info.value.status_code == 401


def test_a_fixed_access_token_works_without_a_key(server: sandbox.SandboxServer) -> None:
    with Client(server.api_key, base_url=server.url) as keyed:
        keyed.create_job(HELLO)
        token = keyed._token.value  # type: ignore[union-attr]
    with Client(access_token=token, base_url=server.url) as client:
        assert client.create_job(HELLO).job.id


def test_no_credentials_fails_before_any_request(box: InProcessSandbox) -> None:
    with (
        Client(base_url=box.url, transport=box.transport()) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.create_job(HELLO)
    assert info.value.status_code is None and "BYTENITE_API_KEY" in str(info.value)
    assert box.sandbox.requests == []


def test_credentials_and_url_come_from_the_environment(
    server: sandbox.SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTENITE_API_KEY", server.api_key)
    monkeypatch.setenv("BYTENITE_API_URL", server.url)
    with Client() as client:
        assert client.base_url == server.url
        assert client.create_job(HELLO).job.id


def test_invalid_payload_raises_before_any_request(box: InProcessSandbox) -> None:
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as client:
        with pytest.raises(PayloadError) as info:
            client.create_job({"templateId": "t", "config": {"taskTimeout": -5}})
    assert info.value.errors == [
        {"field": "config.taskTimeout", "message": "must be 0 or more seconds, got -5"}
    ]
    assert isinstance(info.value, ValueError)
    assert box.sandbox.requests == []


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(500, InternalServerError), (503, ServiceUnavailableError), (418, ApiError)],
)
def test_server_failures_map_to_their_error(
    box: InProcessSandbox, status: int, error_type: type[ApiError]
) -> None:
    with Client(
        box.api_key, base_url=box.url, transport=box.transport(), max_retries=2, sleep=no_sleep
    ) as client:
        client.create_job(HELLO)  # token in hand
        box.sandbox.fail_next(status, times=5, path="/customer/jobs")
        with pytest.raises(error_type) as info:
            client.create_job(HELLO)
    assert type(info.value) is error_type and info.value.status_code == status
    # A create is never sent again blindly: after a 500 or 503 the client looks
    # for the job first, and here the jobs list fails too, so it cannot tell and says so.
    assert box.sandbox.count("POST", "/customer/jobs") == 2
    assert ("may have been created" in info.value.message) == (status in (500, 503))


def test_503_on_create_looks_for_the_job_then_sends_it_again(
    box: InProcessSandbox, box_client: Client, clock: FakeClock
) -> None:
    box.sandbox.fail_next(503, times=2, path="/customer/jobs", retry_after=2)
    assert box_client.create_job(HELLO).job.id
    # POST 503 -> GET /jobs 503 (Retry-After: 2) -> GET /jobs: not there -> POST 200
    assert clock.slept[0] == 2.0 and len(clock.slept) == 2
    assert box.sandbox.count("GET", "/customer/jobs") == 2
    assert box.sandbox.count("POST", "/customer/jobs") == 2
    assert len(box.sandbox.jobs) == 1


def test_html_proxy_page_gives_a_short_api_error(box: InProcessSandbox) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    with Client(box.api_key, base_url=box.url, transport=box.transport(), max_retries=0) as client:
        box.sandbox.fail_next(502, body=page, content_type="text/html")
        with pytest.raises(ApiError) as info:
            client.list_templates()
    assert info.value.status_code == 502 and info.value.code is None
    assert info.value.message == "502 Bad Gateway"
    assert "Traceback" not in str(info.value) and len(str(info.value)) < 300


def test_empty_error_body(box: InProcessSandbox) -> None:
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as client:
        box.sandbox.fail_next(500, body=b"", content_type="text/plain")
        with pytest.raises(InternalServerError) as info:
            client.list_templates()
    assert info.value.message == "empty response body"


def test_nothing_listening_is_a_connection_error() -> None:
    with sandbox.start() as srv:
        url = srv.url
    with Client("k", base_url=url, max_retries=1, sleep=no_sleep) as client:
        with pytest.raises(ByteNiteConnectionError) as info:
            client.create_job(HELLO)
    assert isinstance(info.value, ConnectionError) and not info.value.maybe_applied
    assert "no connection could be made" in str(info.value)


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="base_url"):
        Client("k", base_url="api.bytenite.com")
    with pytest.raises(ValueError, match="max_retries"):
        Client("k", max_retries=-1)


# -- async ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_client_happy_path_and_errors(server: sandbox.SandboxServer) -> None:
    async with AsyncClient(server.api_key, base_url=server.url) as client:
        response = await client.create_job(HELLO)
        assert response.job.state is JobState["NEW"]
        assert (await client.get_job(response.job.id or "")).job.id == response.job.id
        assert await client.list_templates()
        assert (await client.run_job(response.job.id or ""))["ok"]
        with pytest.raises(NotFoundError):
            await client.create_job({"templateId": "no-such-template"})
        with pytest.raises(PermissionDeniedError):
            await client.create_job({"templateId": "private-template"})
        with pytest.raises(BadRequestError):
            await client.create_job(
                {"templateId": "hello-world-template", "params": {"app": {"case": 1}}}
            )
        with pytest.raises(PayloadError):
            await client.create_job({"templateId": ""})


@pytest.mark.anyio
async def test_async_client_retries_and_reauthenticates(
    box: InProcessSandbox, box_aclient: AsyncClient, clock: FakeClock
) -> None:
    await box_aclient.create_job(HELLO)
    box.sandbox.revoke_tokens()
    box.sandbox.fail_next(503, path="/customer/jobs", retry_after=1)
    await box_aclient.create_job(HELLO)
    # 401 -> a new token -> POST 503 -> GET /jobs (not there) after 1 s -> POST 200
    assert clock.slept == [1.0]
    assert box.sandbox.count("POST", "/auth/access_token") == 2


@pytest.mark.anyio
async def test_async_wrong_key(server: sandbox.SandboxServer) -> None:
    async with AsyncClient("nope", base_url=server.url) as client:
        with pytest.raises(AuthenticationError):
            await client.create_job(HELLO)


def test_wait_for_job_reports_each_new_state_until_it_ends(client: Client) -> None:
    job_id = client.create_job(HELLO).job.id or ""
    client.run_job(job_id)
    seen: list[str] = []
    final = client.wait_for_job(
        job_id, interval=0.01, on_update=lambda r: seen.append(r.job.state.short_name)
    )
    assert final.job.state is JobState["COMPLETE"]
    assert seen[-1] == "COMPLETE" and len(seen) == len(set(seen))
    order = [s.short_name for s in JobState.progression()]
    assert [order.index(s) for s in seen] == sorted(order.index(s) for s in seen)


def test_wait_for_a_draft_times_out_with_the_last_response(
    box: InProcessSandbox, box_client: Client, clock: FakeClock
) -> None:
    from bytenite_nb.errors import WaitTimeoutError

    job_id = box_client.create_job(HELLO).job.id or ""
    with pytest.raises(WaitTimeoutError) as info:
        box_client.wait_for_job(job_id, timeout=5, interval=1)
    assert info.value.response.job.state is JobState["NEW"]
    assert "still NEW after 5 s" in str(info.value) and isinstance(info.value, TimeoutError)
    # A look at 0, 1, ..., 5 s: no wait that would end past the timeout.
    assert clock.slept == [1, 1, 1, 1, 1]
    assert box.sandbox.count("GET", f"/customer/jobs/{job_id}") == 6


@pytest.mark.anyio
async def test_async_wait_for_job(server: sandbox.SandboxServer) -> None:
    async with AsyncClient(server.api_key, base_url=server.url) as client:
        job_id = (await client.create_job(HELLO)).job.id or ""
        await client.run_job(job_id)
        final = await client.wait_for_job(job_id, interval=0.01)
    assert final.job.state is JobState["COMPLETE"]


LOST = [(0, True), (0, False), (502, True), (502, False), (504, True), (503, False)]


@pytest.mark.parametrize(
    ("status", "applied"),
    LOST,
    ids=[f"{s or 'hangup'}-{'applied' if a else 'lost'}" for s, a in LOST],
)
def test_a_create_whose_answer_is_lost_makes_exactly_one_job(
    box: InProcessSandbox, box_client: Client, clock: FakeClock, status: int, applied: bool
) -> None:
    # The answer is lost (a hang-up, a gateway error), the create applied or not:
    # the client looks for its job before it sends the create again.
    box.sandbox.fail_next(status, path="/customer/jobs", method="POST", applied=applied)
    created = box_client.create_job(HELLO)
    assert [job["id"] for job in box.sandbox.jobs] == [created.job.id]
    assert box.sandbox.count("GET", "/customer/jobs") == 1  # the lookup
    assert box.sandbox.count("POST", "/customer/jobs") == (1 if applied else 2)
    assert clock.elapsed < box_client.settings.deadline
