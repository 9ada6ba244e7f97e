"""The sandbox as a server: wire format, auth, routes, threads, the CLI."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.errors import ApiError
from bytenite_nb.sandbox._inprocess import InProcessSandbox
from bytenite_nb.sandbox._server import TokenBucket

from .flowdriver import FakeClock

RFC3339_NANOS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")


def token_for(srv: sandbox.SandboxServer) -> str:
    answer = httpx.post(f"{srv.url}/auth/access_token", json={"apiKey": srv.api_key})
    assert answer.status_code == 200
    body = answer.json()
    assert body["expiresIn"] == "3600"  # int64 as a string, like protojson
    return str(body["token"])


def test_create_answers_in_protojson_style(server: sandbox.SandboxServer) -> None:
    token = token_for(server)
    answer = httpx.post(
        f"{server.url}/customer/jobs",
        headers={"Authorization": token},
        json={
            "templateId": "hello-world-template",
            "config": {"taskTimeout": 60, "jobTimeout": "600", "isTestJob": False},
            "dataSource": {"dataSourceDescriptor": "file"},
        },
    )
    assert answer.status_code == 200
    job = answer.json()["job"]
    assert job["config"] == {"taskTimeout": 60, "jobTimeout": 600}  # uint32: numbers; false out
    assert "name" not in job and "description" not in job  # empty fields left out
    assert RFC3339_NANOS.fullmatch(job["createdAt"])
    assert job["numUnitsEstimation"] == "12"
    assert job["dataSource"]["params"]["tempUrl"].startswith(server.url)
    assert answer.json()["templateInfo"]["id"] == "hello-world-template"


@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "missing access token"), ({"Authorization": "forged"}, "invalid access token")],
)
def test_customer_routes_need_a_token(
    server: sandbox.SandboxServer, headers: dict[str, str], message: str
) -> None:
    answer = httpx.post(f"{server.url}/customer/jobs", headers=headers, json={"templateId": "x"})
    assert answer.status_code == 401
    assert answer.json()["code"] == 16 and message in answer.json()["message"]


@pytest.mark.parametrize("form", ["{}", "Bearer {}", "bearer  {}"])
def test_the_raw_token_and_the_bearer_form_are_both_accepted(
    server: sandbox.SandboxServer, form: str
) -> None:
    token = token_for(server)
    headers = {"Authorization": form.format(token)}
    assert httpx.get(f"{server.url}/customer/jobs", headers=headers).status_code == 200
    forged = {"Authorization": form.format("sbx.forged")}
    assert httpx.get(f"{server.url}/customer/jobs", headers=forged).status_code == 401
    bare = {"Authorization": "Bearer"}
    answer = httpx.get(f"{server.url}/customer/jobs", headers=bare)
    assert answer.status_code == 401 and "missing access token" in answer.json()["message"]


@pytest.mark.parametrize(
    ("body", "status", "code", "fragment"),
    [
        (b"{not json", 400, 3, "invalid JSON"),
        (b"[]", 400, 3, "JSON object"),
        (json.dumps({"name": "x"}).encode(), 400, 3, "templateId"),
        (
            json.dumps({"templateId": "t", "config": {"taskTimeout": -1}}).encode(),
            404,
            5,
            "not found",
        ),
        (
            json.dumps(
                {"templateId": "hello-world-template", "config": {"taskTimeout": -1}}
            ).encode(),
            400,
            3,
            "config.taskTimeout",
        ),
        (
            json.dumps(
                {
                    "templateId": "img-gen-diffusers-flux-gpu-template",
                    "params": {"partitioner": {"num_replicas": 0}},
                }
            ).encode(),
            400,
            3,
            "params.app.prompt",
        ),
    ],
)
def test_create_validates_like_the_service(
    server: sandbox.SandboxServer, body: bytes, status: int, code: int, fragment: str
) -> None:
    answer = httpx.post(
        f"{server.url}/customer/jobs",
        headers={"Authorization": token_for(server), "Content-Type": "application/json"},
        content=body,
    )
    assert answer.status_code == status
    assert answer.json()["code"] == code and fragment in answer.json()["message"]


def test_list_abort_delete_and_results(fresh_server: sandbox.SandboxServer) -> None:
    headers = {"Authorization": token_for(fresh_server)}
    jobs = f"{fresh_server.url}/customer/jobs"
    ids = [
        httpx.post(jobs, headers=headers, json={"templateId": "hello-world-template"}).json()[
            "job"
        ]["id"]
        for _ in range(3)
    ]
    listing = httpx.get(jobs, headers=headers, params={"pagination.limit": 2}).json()
    assert listing["pagination"] == {"total": 3, "hasNext": True}  # numbers, as the docs show
    assert [j["id"] for j in listing["data"]] == ids[::-1][:2]
    assert httpx.get(f"{jobs}/{ids[0]}/results", headers=headers).status_code == 400
    assert httpx.post(f"{jobs}/{ids[0]}/abort", headers=headers).json()["ok"] is True
    assert httpx.get(f"{jobs}/{ids[0]}", headers=headers).status_code == 404  # draft deleted
    assert httpx.delete(f"{jobs}/{ids[1]}", headers=headers).status_code == 200
    assert len(fresh_server.sandbox.jobs) == 1


def test_failing_template_ends_failed_with_a_message(server: sandbox.SandboxServer) -> None:
    with Client(server.api_key, base_url=server.url) as client:
        job_id = client.create_job({"templateId": "sandbox-failing-template"}).job.id or ""
        client.run_job(job_id)
        import time

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            job = client.get_job(job_id).job
            if job.state is not None and job.state.is_terminal:
                break
            time.sleep(0.05)
    assert job.state is not None and job.state.is_failed
    assert job.error_message and "partitioner" in job.error_message


def test_many_threads_create_jobs_at_once(fresh_server: sandbox.SandboxServer) -> None:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        client.create_job({"templateId": "hello-world-template"})

        def create(i: int) -> str:
            return (
                client.create_job({"templateId": "hello-world-template", "name": f"n{i}"}).job.id
                or ""
            )

        with ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(create, range(40)))
    assert len(set(ids)) == 40
    assert len(fresh_server.sandbox.jobs) == 41


def test_stop_frees_the_port() -> None:
    srv = sandbox.start()
    url = srv.url
    srv.stop()
    srv.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/customer/jobs")


def test_python_m_sandbox_runs_in_the_foreground() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bytenite_nb.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.match(r"ByteNite sandbox at (http://127\.0\.0\.1:\d+/v1)", first)
        assert match, first
        key_line = process.stdout.readline()
        assert sandbox.SANDBOX_API_KEY in key_line
        with Client(sandbox.SANDBOX_API_KEY, base_url=match.group(1)) as client:
            assert client.create_job({"templateId": "hello-world-template"}).job.id
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- robustness: no request crashes a handler, wedges an endpoint or hangs a connection --


def _raw(srv: sandbox.SandboxServer, request: bytes, method: str = "POST") -> tuple[int, Any, bool]:
    """Send raw bytes; return the status, the JSON body and whether the server then closed."""
    with socket.create_connection((srv.host, srv.port), timeout=5) as sock:
        sock.sendall(request)
        answer = http.client.HTTPResponse(sock, method=method)
        answer.begin()
        body = answer.read()
        try:
            closed = sock.recv(1) == b""
        except TimeoutError:
            closed = False
        return answer.status, json.loads(body) if body else None, closed


def _post(path: str, token: str, body: bytes, extra: str = "") -> bytes:
    head = f"POST /v1/customer{path} HTTP/1.1\r\nHost: x\r\nAuthorization: {token}\r\n{extra}"
    return head.encode() + b"\r\n" + body


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Content-Length: abc", 400),
        ("Content-Length: -5", 400),
        ("Content-Length: 5\r\nContent-Length: 6", 400),
        (f"Content-Length: {70 * 1024 * 1024}", 413),
        ("Content-Length: 50", 400),  # the client sends 2 bytes, then half-closes
        ("Transfer-Encoding: gzip", 501),
        ("Transfer-Encoding: chunked", 400),  # not valid chunked framing
    ],
)
def test_a_broken_body_frame_is_answered_and_the_connection_closed(
    server: sandbox.SandboxServer, header: str, status: int
) -> None:
    token = token_for(server)
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        body = b"zz\r\n{}" if "chunked" in header else b"{}"
        sock.sendall(_post("/jobs", token, body, header + "\r\n"))
        if header == "Content-Length: 50":
            sock.shutdown(socket.SHUT_WR)
        answer = http.client.HTTPResponse(sock, method="POST")
        answer.begin()
        body = json.loads(answer.read())
        assert sock.recv(1) == b""  # closed, not left waiting for a body
    assert answer.status == status
    assert answer.getheader("Connection") == "close"
    assert set(body) == {"code", "message", "details"}


def test_a_chunked_body_is_read(server: sandbox.SandboxServer) -> None:
    payload = json.dumps({"templateId": "hello-world-template", "name": "chunked"}).encode()
    chunks = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in (payload[:7], payload[7:]))
    request = _post(
        "/jobs", token_for(server), chunks + b"0\r\n\r\n", "Transfer-Encoding: chunked\r\n"
    )
    status, body, _ = _raw(
        server, request.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
    )
    assert status == 200 and body["job"]["name"] == "chunked"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested deeper"),
        (
            b'{"templateId": "hello-world-template", "params": {"app": '
            + b'{"a": ' * 150
            + b"1"
            + b"}" * 152,
            "nested deeper",
        ),
        (b'{"templateId": "hello-world-template", "params": {"app": {"x": NaN}}}', "NaN"),
        (b'{"templateId": "hello-world-template", "params": {"app": {"x": -Infinity}}}', "Inf"),
        (b'{"templateId": "hello-world-template", "params": {"app": {"x": 1e400}}}', "range"),
        (b'{"templateId": "hello-world-template", "name": "a", "name": "b"}', "duplicate"),
        (b'{"templateId": "hello-world-template", "name": "\xff"}', "utf-8"),
    ],
)
def test_json_protojson_refuses_is_a_400(
    server: sandbox.SandboxServer, body: bytes, fragment: str
) -> None:
    answer = httpx.post(
        f"{server.url}/customer/jobs", headers={"Authorization": token_for(server)}, content=body
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == 3 and fragment in answer.json()["message"]


def test_json_nested_within_the_limit_is_accepted(server: sandbox.SandboxServer) -> None:
    app: Any = 1
    for _ in range(90):
        app = {"a": app}
    answer = httpx.post(
        f"{server.url}/customer/jobs",
        headers={"Authorization": token_for(server)},
        json={"templateId": "video-transcoding-template", "params": {"app": app}},
    )
    assert answer.status_code == 200
    assert answer.json()["job"]["params"]["app"] == app


INT64_MAX = 2**63 - 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"config": {"taskTimeout": INT64_MAX + 1}}, "config.taskTimeout"),
        ({"config": {"jobTimeout": str(INT64_MAX + 1)}}, "config.jobTimeout"),
        ({"config": {"taskTimeout": 1.5}}, "config.taskTimeout"),
        ({"config": {"taskTimeout": " 60"}}, "config.taskTimeout"),
        ({"config": {"taskTimeout": True}}, "config.taskTimeout"),
        ({"config": {"isTestJob": "yes"}}, "config.isTestJob"),
        ({"config": []}, "config"),
        ({"params": {"preset": 5}}, "params.preset"),
        ({"params": {"app": [1]}}, "params.app"),
        ({"params": "x"}, "params"),
        ({"name": 5}, "name"),
        ({"dataSource": {"dataSourceDescriptor": "url", "params": ["x"]}}, "dataSource.params"),
        ({"dataSource": {"dataSourceDescriptor": "file", "params": "x"}}, "dataSource.params"),
        ({"dataDestination": {"dataSourceDescriptor": "gcp", "params": 3}}, "dataDestination"),
        ({"dataSource": {"dataSourceDescriptor": 7}}, "dataSource.dataSourceDescriptor"),
        (
            {"dataSource": {"dataSourceDescriptor": "url", "params": {"@type": 1, "url": "x"}}},
            "dataSource.params.@type",
        ),
        ({"dataSource": []}, "dataSource"),
    ],
)
def test_a_wrongly_typed_member_is_a_400_and_nothing_is_stored(
    fresh_server: sandbox.SandboxServer, body: dict[str, Any], field: str
) -> None:
    headers = {"Authorization": token_for(fresh_server)}
    answer = httpx.post(
        f"{fresh_server.url}/customer/jobs",
        headers=headers,
        json={"templateId": "video-transcoding-template", **body},
    )
    assert answer.status_code == 400, answer.text
    violation = answer.json()["details"][0]["fieldViolations"][0]
    assert violation["field"].startswith(field)
    assert fresh_server.sandbox.jobs == []
    assert httpx.get(f"{fresh_server.url}/customer/jobs", headers=headers).status_code == 200


def test_timeouts_read_numbers_and_strings_and_are_written_as_numbers(
    server: sandbox.SandboxServer,
) -> None:
    answer = httpx.post(
        f"{server.url}/customer/jobs",
        headers={"Authorization": token_for(server)},
        json={
            "templateId": "video-transcoding-template",
            "config": {"taskTimeout": INT64_MAX, "jobTimeout": 3600.0},
        },
    )
    assert answer.status_code == 200
    assert answer.json()["job"]["config"] == {"taskTimeout": INT64_MAX, "jobTimeout": 3600}


def test_null_members_read_as_unset_and_are_not_echoed(server: sandbox.SandboxServer) -> None:
    answer = httpx.post(
        f"{server.url}/customer/jobs",
        headers={"Authorization": token_for(server)},
        json={
            "templateId": "video-transcoding-template",
            "name": None,
            "config": {"taskTimeout": None, "isTestJob": None},
            "params": {"preset": None, "app": {"keep": None}, "partitioner": None},
            "dataSource": {"dataSourceDescriptor": "bypass", "params": None},
            "dataDestination": {"dataSourceDescriptor": "gcp", "params": {"name": None}},
        },
    )
    assert answer.status_code == 200, answer.text
    job = answer.json()["job"]
    assert "name" not in job and "config" not in job
    assert job["params"] == {"app": {"keep": None}}  # inside a Struct, null is a value
    assert job["dataSource"] == {"dataSourceDescriptor": "bypass"}
    assert job["dataDestination"] == {"dataSourceDescriptor": "gcp"}


def test_a_job_that_cannot_be_rendered_does_not_break_the_list(
    fresh_server: sandbox.SandboxServer,
) -> None:
    from bytenite_nb.sandbox import _server

    state = fresh_server.sandbox
    broken = sandbox.Template(
        id="broken",
        description="",
        app="a",
        partitioner="p",
        assembler="a",
        chunks=lambda p: 1 // 0,
    )
    odd = {"params": "x", "config": {"taskTimeout": "soon"}, "dataSource": ["x"], "name": 5}
    with state._lock:
        state._jobs["b1"] = _server._Job("b1", broken, {}, 1.0)
        state._jobs["b2"] = _server._Job("b2", sandbox.TEMPLATES["hello-world-template"], odd, 2.0)
    headers = {"Authorization": token_for(fresh_server)}
    jobs = f"{fresh_server.url}/customer/jobs"
    assert httpx.post(jobs, headers=headers, json={"templateId": "hello-world-template"})
    for _ in range(2):  # and again: nothing wedged
        listing = httpx.get(jobs, headers=headers)
        assert listing.status_code == 200
        assert {j["id"] for j in listing.json()["data"]} >= {"b1", "b2"}
    odd_job = httpx.get(f"{jobs}/b2", headers=headers).json()["job"]
    assert odd_job["state"] == "JOB_STATE_NEW"
    assert not {"params", "config", "dataSource", "name"} & set(odd_job)


def test_a_bug_in_a_handler_is_a_json_500_not_a_dropped_connection(
    fresh_server: sandbox.SandboxServer, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: Any) -> Any:
        raise RuntimeError("boom")

    fresh_server.sandbox.handle = explode  # type: ignore[method-assign]
    with httpx.Client() as http_client:
        answer = http_client.get(f"{fresh_server.url}/customer/jobs")
        assert answer.status_code == 500
        assert answer.json()["code"] == 13 and "boom" in answer.json()["message"]
        del fresh_server.sandbox.handle  # the class's handle again
        assert http_client.post(f"{fresh_server.url}/auth/access_token", json={}).status_code == 400
    assert "RuntimeError: boom" in capsys.readouterr().err


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "TRACE", "PATCH", "PUT", "FOO"])
def test_a_method_a_path_does_not_take_is_a_json_405_with_allow(
    server: sandbox.SandboxServer, method: str
) -> None:
    headers = {"Authorization": token_for(server)}
    answer = httpx.request(method, f"{server.url}/customer/jobs", headers=headers)
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "GET, POST"
    assert answer.headers["Content-Type"] == "application/json"
    if method == "HEAD":
        assert answer.content == b""
    else:
        assert answer.json()["code"] == 12
    job = httpx.request(method, f"{server.url}/customer/jobs/some-id/run", headers=headers)
    assert (job.status_code, job.headers["Allow"]) == (405, "POST")


def test_unknown_paths_and_methods_of_the_auth_path(server: sandbox.SandboxServer) -> None:
    answer = httpx.get(f"{server.url}/auth/access_token")
    assert (answer.status_code, answer.headers["Allow"], answer.json()["code"]) == (405, "POST", 12)
    answer = httpx.get(f"{server.url}/nowhere")
    assert (answer.status_code, answer.json()["code"]) == (404, 5)
    assert "Allow" not in answer.headers


def test_a_malformed_request_line_is_a_json_400(server: sandbox.SandboxServer) -> None:
    status, body, closed = _raw(server, b"GARBAGE\r\n\r\n", method="GET")
    assert status == 400 and body["code"] == 3 and closed


def test_odd_api_keys_and_query_parameters_are_4xx(server: sandbox.SandboxServer) -> None:
    exchange = f"{server.url}/auth/access_token"
    assert httpx.post(exchange, content=b'{"apiKey": "\\ud800"}').status_code == 401
    headers = {"Authorization": token_for(server)}
    jobs = f"{server.url}/customer/jobs"
    for query in (
        "pagination.limit=",
        "pagination.limit=1&pagination.limit=2",
        "pagination.offset=x",
    ):
        assert httpx.get(f"{jobs}?{query}", headers=headers).status_code == 400, query
    assert httpx.get(f"{jobs}?pagination.limit=9{'9' * 5000}", headers=headers).status_code == 400


def test_a_page_holds_at_most_100_jobs(fresh_server: sandbox.SandboxServer) -> None:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        for _ in range(101):
            client.create_job({"templateId": "video-transcoding-template"})
    headers = {"Authorization": token_for(fresh_server)}
    jobs = f"{fresh_server.url}/customer/jobs"
    page = httpx.get(jobs, headers=headers, params={"pagination.limit": 500}).json()
    assert len(page["data"]) == 100 and page["pagination"] == {"total": 101, "hasNext": True}
    assert (
        len(httpx.get(jobs, headers=headers, params={"pagination.limit": 0}).json()["data"]) == 20
    )


def test_aborting_a_job_that_ended_is_a_400(server: sandbox.SandboxServer) -> None:
    headers = {"Authorization": token_for(server)}
    jobs = f"{server.url}/customer/jobs"
    job_id = httpx.post(
        jobs, headers=headers, json={"templateId": "sandbox-failing-template"}
    ).json()["job"]["id"]
    run = httpx.post(f"{jobs}/{job_id}/run", headers=headers).json()
    assert run["ok"] is True and run["error"] is None
    deadline = time.monotonic() + 5
    while httpx.get(f"{jobs}/{job_id}", headers=headers).json()["job"]["state"] != (
        "JOB_STATE_FAILED"
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    answer = httpx.post(f"{jobs}/{job_id}/abort", headers=headers)
    assert answer.status_code == 400 and "ended" in answer.json()["message"]


# -- load ----------------------------------------------------------------------------------


def test_the_listen_backlog_holds_a_burst_of_128_connections() -> None:
    from bytenite_nb.sandbox._http import SandboxServer, make_server

    httpd = make_server()  # bound and listening, not accepting yet
    srv = SandboxServer(httpd, None)
    sockets = []
    try:
        for _ in range(128):  # with the old backlog of 5, connect() stalls after ~6
            sockets.append(socket.create_connection((srv.host, srv.port), timeout=2))
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        request = b"POST /v1/auth/access_token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
        for sock in sockets:
            sock.sendall(request + b"Connection: close\r\n\r\n{}")
        statuses = []
        for sock in sockets:
            answer = http.client.HTTPResponse(sock, method="POST")
            answer.begin()
            statuses.append(answer.status)
        assert statuses == [400] * 128  # every one answered ("apiKey is required")
    finally:
        for sock in sockets:
            sock.close()
        httpd.shutdown()
        httpd.server_close()


# -- rate limits ---------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(fresh_server: sandbox.SandboxServer) -> None:
    headers = {"Authorization": token_for(fresh_server)}
    templates = f"{fresh_server.url}/customer/jobs/templates"
    fresh_server.sandbox.rate_limit(5, burst=2, retry_after=0.25)
    with httpx.Client(headers=headers) as http_client:
        statuses = [http_client.get(templates).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = http_client.get(templates)
        assert refused.headers["Retry-After"] == "0.25"
        assert refused.json()["code"] == 8 and "rate limit" in refused.json()["message"]
        assert token_for(fresh_server)  # the token exchange is not a customer call
        fresh_server.sandbox.rate_limit(None)
        assert {http_client.get(templates).status_code for _ in range(10)} == {200}
        fresh_server.sandbox.rate_limit(0.5, burst=1)
        assert http_client.get(templates).status_code == 200
        assert http_client.get(templates).headers["Retry-After"] == "2"  # whole seconds
    assert fresh_server.sandbox.count("GET", "/customer/jobs/templates") == 16


def test_the_rate_limit_refills_with_time(clock: FakeClock) -> None:
    bucket = TokenBucket(5, burst=2, retry_after=0.25, clock=clock)
    assert [bucket.take() for _ in range(3)] == [None, None, "0.25"]
    clock.advance(0.125)
    assert bucket.take() == "0.25"  # 5 a second: not yet a whole token back
    clock.advance(0.125)
    assert bucket.take() is None
    clock.advance(10)
    assert [bucket.take() for _ in range(3)] == [None, None, "0.25"]  # at most the burst
    whole = TokenBucket(0.5, burst=1, clock=clock)
    assert whole.take() is None and whole.take() == "2"  # whole seconds to the next
    clock.advance(1.5)
    assert whole.take() == "1"


def test_fail_next_429_still_works_under_a_rate_limit(fresh_server: sandbox.SandboxServer) -> None:
    fresh_server.sandbox.rate_limit(100)
    fresh_server.sandbox.fail_next(429, retry_after=3, path="/customer/jobs")
    headers = {"Authorization": token_for(fresh_server)}
    answer = httpx.get(f"{fresh_server.url}/customer/jobs", headers=headers)
    assert (answer.status_code, answer.headers["Retry-After"]) == (429, "3")
    assert answer.json()["code"] == 8


def test_the_client_reads_the_rate_limit_answer(
    box: InProcessSandbox, box_client: Client, clock: FakeClock
) -> None:
    # In process, on the client's fake clock: the 429s are retried after their
    # Retry-After (7 s, spread by up to half) until the call's deadline, at once.
    box.sandbox.rate_limit(0.001, burst=1, retry_after=7)
    box_client.create_job({"templateId": "hello-world-template"})
    clock.slept.clear()
    started = clock.now
    with pytest.raises(ApiError) as caught:
        box_client.create_job({"templateId": "hello-world-template"})
    assert caught.value.status_code == 429 and "rate limit" in caught.value.message
    assert caught.value.retry_after == 7.0
    assert len(box.sandbox.jobs) == 1
    deadline = box_client.settings.deadline
    assert clock.slept and all(7.0 <= wait <= 10.5 for wait in clock.slept)
    assert deadline - 10.5 <= clock.now - started < deadline  # no wait past the deadline
    assert box.sandbox.count("POST", "/customer/jobs") == 1 + len(clock.slept) + 1


def test_rate_limit_arguments_are_checked(server: sandbox.SandboxServer) -> None:
    for args in ((0,), (-1,), (float("nan"),)):
        with pytest.raises(ValueError, match="requests_per_second"):
            server.sandbox.rate_limit(*args)
    with pytest.raises(ValueError, match="burst"):
        server.sandbox.rate_limit(1, burst=0)
