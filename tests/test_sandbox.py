"""The sandbox as a server: wire format, auth, routes, threads, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import Client

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
    assert job["config"] == {"taskTimeout": "60", "jobTimeout": "600"}  # false left out
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


def test_bearer_prefix_is_not_what_the_service_documents(server: sandbox.SandboxServer) -> None:
    token = token_for(server)
    answer = httpx.get(f"{server.url}/customer/jobs", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


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
    assert listing["pagination"] == {"total": "3", "hasNext": True}
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
