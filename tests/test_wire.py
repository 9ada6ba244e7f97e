"""The wire as ByteNite's own generated SDK reads it (issue 20), through the sandbox and the client.

Which integers travel as JSON strings is read here from the shipped spec file
itself (``"type": "string", "format": "int64"``: a string; ``"type":
"integer"``: a number), never from a list typed into the tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import httpx
import pytest
from pydantic import create_model

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.models import Job, JobResponse, JobsPage
from bytenite_nb.models._base import _check_against_spec, _Lenient
from bytenite_nb.models._spec import integer_wire_types
from bytenite_nb.models.logs import LOG_SERVICES

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}
CONFIG = {"taskTimeout": 300, "jobTimeout": 3600, "isTestJob": True}
_REF = "#/components/schemas/"


def shipped_spec() -> dict[str, Any]:
    text = resources.files("bytenite_nb").joinpath("spec/create-job.openapi.json").read_text()
    doc: dict[str, Any] = json.loads(text)
    return doc


def spec_integers() -> dict[str, dict[str, str]]:
    """Every integer member of the spec's schemas: ``"string"`` or ``"number"`` on the wire."""
    found: dict[str, dict[str, str]] = {}
    for name, schema in shipped_spec()["components"]["schemas"].items():
        for field, member in schema.get("properties", {}).items():
            if member.get("type") == "integer":
                found.setdefault(name, {})[field] = "number"
            elif member.get("type") == "string" and member.get("format") == "int64":
                found.setdefault(name, {})[field] = "string"
    return found


def check_integers(value: Any, schema: dict[str, Any], seen: list[str], where: str = "") -> None:
    """Walk ``value`` along ``schema`` (refs resolved): each integer member has its spec's form."""
    schemas = shipped_spec()["components"]["schemas"]
    while "$ref" in schema:
        schema = schemas[schema["$ref"].removeprefix(_REF)]
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_integers(item, schema.get("items", {}), seen, f"{where}[{index}]")
        return
    if not isinstance(value, dict):
        return
    for field, member in schema.get("properties", {}).items():
        if field not in value:
            continue
        path = f"{where}.{field}".lstrip(".")
        got = value[field]
        if member.get("type") == "integer":
            assert isinstance(got, int) and not isinstance(got, bool), (path, got)
            seen.append(path)
        elif member.get("type") == "string" and member.get("format") == "int64":
            assert isinstance(got, str) and got.lstrip("-").isdigit(), (path, got)
            seen.append(path)
        else:
            check_integers(got, member, seen, path)


@pytest.fixture(scope="module")
def instant() -> Iterator[sandbox.SandboxServer]:
    """A sandbox whose jobs complete as soon as they run (no waiting in these tests)."""
    srv = sandbox.start(step_seconds=0)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def headers(instant: sandbox.SandboxServer) -> dict[str, str]:
    answer = httpx.post(f"{instant.url}/auth/access_token", json={"apiKey": instant.api_key})
    return {"Authorization": answer.json()["token"]}


def _create(srv: sandbox.SandboxServer, headers: dict[str, str], **extra: Any) -> str:
    answer = httpx.post(f"{srv.url}/customer/jobs", headers=headers, json={**HELLO, **extra})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["job"]["id"])


# -- item 1: numbers that are numbers ------------------------------------------------------


def test_the_one_derivation_matches_the_spec_file() -> None:
    from_spec = spec_integers()
    derived = integer_wire_types()
    assert {name: derived[name] for name in from_spec} == from_spec
    kinds = {kind for fields in from_spec.values() for kind in fields.values()}
    assert kinds == {"string", "number"}  # the spec has both forms: the test can tell them apart


def test_the_sandbox_writes_each_integer_as_the_spec_types_it(
    instant: sandbox.SandboxServer, headers: dict[str, str]
) -> None:
    job_id = _create(instant, headers, config=CONFIG)
    jobs = f"{instant.url}/customer/jobs"
    assert httpx.post(f"{jobs}/{job_id}/run", headers=headers).status_code == 200
    answer = httpx.get(f"{jobs}/{job_id}", headers=headers).json()
    assert answer["job"]["state"] == "JOB_STATE_COMPLETE"
    response_schema = {"$ref": _REF + "jobsJobResponse"}
    seen: list[str] = []
    check_integers(answer, response_schema, seen)
    # every integer member of a job and of its config is there to be checked
    expected = {f"job.{f}" for f in spec_integers()["jobJob"]}
    expected |= {f"job.config.{f}" for f in spec_integers()["jobJobConfig"]}
    assert expected <= set(seen), (expected, seen)


def test_pagination_total_and_offset_are_numbers(
    fresh_server: sandbox.SandboxServer,
) -> None:
    kinds = integer_wire_types()["Pagination"]
    assert kinds == {"total": "number", "offset": "number"}  # BYTENITE_API.md: not in the spec
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        for _ in range(3):
            client.create_job(HELLO)
        page = client.list_jobs(limit=2, offset=1)
        assert (page.total, page.offset, len(page.jobs)) == (3, 1, 2)  # the client reads them
    key = {"apiKey": fresh_server.api_key}
    answer = httpx.post(f"{fresh_server.url}/auth/access_token", json=key)
    auth = {"Authorization": answer.json()["token"]}
    assert isinstance(answer.json()["expiresIn"], str)  # a real int64: a string
    raw = httpx.get(
        f"{fresh_server.url}/customer/jobs",
        headers=auth,
        params={"pagination.limit": 2, "pagination.offset": 1},
    ).json()["pagination"]
    assert raw == {"total": 3, "offset": 1, "hasPrevious": True}


@pytest.mark.parametrize("as_text", [False, True])
def test_the_client_reads_every_integer_as_a_number_or_a_string(as_text: bool) -> None:
    integers = spec_integers()
    job: dict[str, Any] = {name: index + 7 for index, name in enumerate(integers["jobJob"])}
    job["config"] = {name: index + 60 for index, name in enumerate(integers["jobJobConfig"])}
    wire = json.loads(json.dumps(job), parse_int=str if as_text else int)
    parsed = JobResponse.model_validate({"job": wire}).job.model_dump(by_alias=True)
    for name, value in job.items():
        if name != "config":
            assert parsed[name] == value, name
    assert {k: parsed["config"][k] for k in job["config"]} == job["config"]


@pytest.mark.parametrize("as_text", [False, True])
def test_the_models_write_every_integer_as_the_spec_types_it(as_text: bool) -> None:
    integers = spec_integers()
    job: dict[str, Any] = {name: index + 7 for index, name in enumerate(integers["jobJob"])}
    job["config"] = {name: index + 60 for index, name in enumerate(integers["jobJobConfig"])}
    wire = json.loads(json.dumps(job), parse_int=str if as_text else int)
    response = JobResponse.model_validate({"job": wire, "templateInfo": {"id": "t"}})
    for written in (
        response.to_wire(),
        json.loads(response.model_dump_json(exclude_none=True)),
        {"job": JobsPage.model_validate({"data": [wire]}).to_wire()["data"][0]},
    ):
        seen: list[str] = []
        check_integers(written, {"$ref": _REF + "jobsJobResponse"}, seen)
        expected = {f"job.{f}" for f in integers["jobJob"]}
        expected |= {f"job.config.{f}" for f in integers["jobJobConfig"]}
        assert set(seen) == expected
    # read back, the same numbers; in Python (not JSON) mode an int stays an int
    again = JobResponse.model_validate(response.to_wire()).job
    assert again.num_units_estimation == response.job.num_units_estimation == 7
    assert response.job.model_dump()["numUnitsEstimation"] == 7


def test_a_job_read_from_the_sandbox_is_written_back_as_the_sandbox_wrote_it(
    instant: sandbox.SandboxServer, headers: dict[str, str]
) -> None:
    job_id = _create(instant, headers, config=CONFIG)
    jobs = f"{instant.url}/customer/jobs"
    assert httpx.post(f"{jobs}/{job_id}/run", headers=headers).status_code == 200
    raw = httpx.get(f"{jobs}/{job_id}", headers=headers).json()
    with Client(instant.api_key, base_url=instant.url) as client:
        response = client.get_job(job_id)
        page = client.list_jobs(limit=50)
    assert response.to_wire()["job"]["numUnitsEstimation"] == raw["job"]["numUnitsEstimation"]
    assert isinstance(raw["job"]["numUnitsEstimation"], str)  # an int64: the spec says a string
    listed = next(j for j in page.to_wire()["data"] if j["id"] == job_id)
    for name in spec_integers()["jobJob"]:
        assert listed[name] == raw["job"][name], name
    assert listed["config"] == raw["job"]["config"]


def test_the_spec_check_catches_a_model_that_would_write_an_int64_as_a_number() -> None:
    fields: dict[str, Any] = {
        name: (field.annotation, None) for name, field in Job.model_fields.items()
    }
    bare = create_model("Bare", __base__=_Lenient, **fields)
    bare.spec_name = "jobJob"
    with pytest.raises(RuntimeError, match=r"as strings \(\['numUnitsEstimation'\]\)"):
        _check_against_spec(bare)
    _check_against_spec(Job)  # the real one passes


# -- item 2: logs services as enum names --------------------------------------------------


def test_the_client_sends_the_service_enum_names(fresh_server: sandbox.SandboxServer) -> None:
    seen: list[httpx.Request] = []
    inner = httpx.HTTPTransport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return inner.handle_request(request)

    with Client(fresh_server.api_key, base_url=fresh_server.url, transport=Spy()) as client:
        job_id = client.create_job(HELLO).job.id or ""
        logs = client.get_job_logs(job_id, services=["Taskrunner", "ASSEMBLER", "partitioner"])
    body = json.loads(seen[-1].content)
    assert body["services"] == ["TASKRUNNER", "ASSEMBLER", "PARTITIONER"]
    assert sorted(logs.services) == sorted(LOG_SERVICES)  # the package still names them so


@pytest.mark.parametrize(
    "services", [["PARTITIONER", "ASSEMBLER", "TASKRUNNER"], ["partitioner", "taskrunner"]]
)
def test_the_sandbox_takes_the_enum_names_and_the_field_names(
    instant: sandbox.SandboxServer, headers: dict[str, str], services: list[str]
) -> None:
    job_id = _create(instant, headers)
    httpx.post(f"{instant.url}/customer/jobs/{job_id}/run", headers=headers)
    body = {"jobId": job_id, "services": services}
    answer = httpx.post(f"{instant.url}/customer/logs", headers=headers, json=body)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {s.lower() for s in services}


def test_a_bad_logs_request_is_called_a_logs_request(
    instant: sandbox.SandboxServer, headers: dict[str, str]
) -> None:
    body = {"jobId": "j", "services": ["Partitioner", "merger"]}
    answer = httpx.post(f"{instant.url}/customer/logs", headers=headers, json=body)
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert message.startswith("invalid logs request: ") and "job request" not in message
    fields = [v["field"] for v in answer.json()["details"][0]["fieldViolations"]]
    assert fields == ["services[0]", "services[1]"]


# -- item 4: honest routes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/customer/jobs/filter"),
        ("POST", "/customer/jobs/runningTasks"),
        ("GET", "/customer/jobs/runningTasks"),
        ("PATCH", "/customer/jobs/some-id/jobname"),
        ("PATCH", "/customer/jobs/some-id/configs"),
        ("GET", "/customer/events"),
        ("POST", "/auth/secrets"),
    ],
)
def test_an_endpoint_the_sandbox_lacks_is_a_501_naming_it(
    instant: sandbox.SandboxServer, headers: dict[str, str], method: str, path: str
) -> None:
    answer = httpx.request(method, f"{instant.url}{path}", headers=headers, json={})
    assert answer.status_code == 501 and "Allow" not in answer.headers
    assert answer.json()["code"] == 12 and f"{method} /v1{path}" in answer.json()["message"]


@pytest.mark.parametrize("path", ["/customer/jobs/a/b/c", "/customer/nothing", "/nowhere"])
def test_a_path_nobody_serves_is_a_json_404_naming_it(
    instant: sandbox.SandboxServer, headers: dict[str, str], path: str
) -> None:
    answer = httpx.post(f"{instant.url}{path}", headers=headers, json={})
    assert answer.status_code == 404 and "Allow" not in answer.headers
    assert answer.json()["code"] == 5 and f"/v1{path}" in answer.json()["message"]


def test_a_new_job_takes_a_new_data_source_and_params(
    instant: sandbox.SandboxServer, headers: dict[str, str]
) -> None:
    job_id = _create(instant, headers)
    job_url = f"{instant.url}/customer/jobs/{job_id}"
    source = {"dataSource": {"dataSourceDescriptor": "file"}}
    answer = httpx.patch(f"{job_url}/datasource", headers=headers, json=source)
    assert answer.status_code == 200, answer.text
    job = answer.json()["job"]
    assert job["dataSource"]["params"]["tempUrl"].startswith(instant.url)
    assert "dataDestination" not in job  # only what the body names changes
    unchanged = httpx.patch(f"{job_url}/datasource", headers=headers, json={})
    assert unchanged.json()["job"] == job
    destination = {"dataDestination": {"dataSourceDescriptor": "bucket"}}
    job = httpx.patch(f"{job_url}/datasource", headers=headers, json=destination).json()["job"]
    assert job["dataSource"]["dataSourceDescriptor"] == "file"
    assert job["dataDestination"] == {"dataSourceDescriptor": "bucket"}
    answer = httpx.patch(f"{job_url}/params", headers=headers, json={"app": {"case": "upper"}})
    assert answer.status_code == 200 and answer.json()["job"]["params"] == {
        "app": {"case": "upper"}
    }
    assert httpx.get(job_url, headers=headers).json()["job"]["params"]["app"]["case"] == "upper"


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        ("datasource", {"dataSource": {"dataSourceDescriptor": "url"}}, "dataSource.params.url"),
        ("datasource", {"dataDestination": []}, "dataDestination"),
        ("params", {"app": {"case": "title"}}, "params.app.case"),
        ("params", {"app": 3}, "params.app"),
    ],
)
def test_a_bad_change_is_a_400_naming_the_field_and_changes_nothing(
    instant: sandbox.SandboxServer,
    headers: dict[str, str],
    action: str,
    body: dict[str, Any],
    field: str,
) -> None:
    job_id = _create(instant, headers)
    job_url = f"{instant.url}/customer/jobs/{job_id}"
    before = httpx.get(job_url, headers=headers).json()
    answer = httpx.patch(f"{job_url}/{action}", headers=headers, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["details"][0]["fieldViolations"][0]["field"] == field
    assert "job request" not in answer.json()["message"]
    assert httpx.get(job_url, headers=headers).json() == before


def test_only_a_new_job_can_be_changed(
    instant: sandbox.SandboxServer, headers: dict[str, str]
) -> None:
    job_id = _create(instant, headers)
    job_url = f"{instant.url}/customer/jobs/{job_id}"
    httpx.post(f"{job_url}/run", headers=headers)
    answer = httpx.patch(f"{job_url}/params", headers=headers, json={"app": {"case": "upper"}})
    assert answer.status_code == 400 and "only a new job" in answer.json()["message"]
    missing = f"{instant.url}/customer/jobs/no-such-job/datasource"
    bucket = {"dataDestination": {"dataSourceDescriptor": "bucket"}}
    assert httpx.patch(missing, headers=headers, json=bucket).status_code == 404
    allowed = httpx.get(f"{job_url}/params", headers=headers)
    assert (allowed.status_code, allowed.headers["Allow"]) == (405, "PATCH")


# -- item 5: the run body ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"not json", "invalid JSON"),
        (b"[]", "JSON object"),
        (b'{"config": {"taskTimeout": -1}}', "config.taskTimeout"),
        (b'{"jobTimeout": "soon"}', "config.jobTimeout"),
        (b'{"config": {"isTestJob": 1}, "taskTimeout": 5}', "config.isTestJob"),
    ],
)
def test_a_run_body_the_service_refuses_is_a_400_and_the_job_stays_new(
    instant: sandbox.SandboxServer, headers: dict[str, str], body: bytes, fragment: str
) -> None:
    job_id = _create(instant, headers)
    job_url = f"{instant.url}/customer/jobs/{job_id}"
    answer = httpx.post(f"{job_url}/run", headers=headers, content=body)
    assert answer.status_code == 400 and answer.json()["code"] == 3
    assert fragment in answer.json()["message"]
    assert httpx.get(job_url, headers=headers).json()["job"]["state"] == "JOB_STATE_NEW"


@pytest.mark.parametrize(
    "body",
    [
        {"config": {"taskTimeout": 90, "isTestJob": True}},  # nested (a 2025 demo)
        {"taskTimeout": 90, "isTestJob": True},  # flat (the docs)
        {"taskTimeout": 5, "config": {"taskTimeout": 90, "isTestJob": True}},  # nested wins
    ],
)
def test_a_config_in_the_run_body_is_applied_over_the_create_config(
    instant: sandbox.SandboxServer, headers: dict[str, str], body: dict[str, Any]
) -> None:
    job_id = _create(instant, headers, config={"taskTimeout": 30, "jobTimeout": 600})
    job_url = f"{instant.url}/customer/jobs/{job_id}"
    assert httpx.post(f"{job_url}/run", headers=headers, json=body).status_code == 200
    config = httpx.get(job_url, headers=headers).json()["job"]["config"]
    assert config == {"taskTimeout": 90, "jobTimeout": 600, "isTestJob": True}


# -- item 6: one envelope ------------------------------------------------------------------


def test_every_action_answers_the_same_envelope(
    instant: sandbox.SandboxServer, headers: dict[str, str]
) -> None:
    jobs = f"{instant.url}/customer/jobs"
    file_job = httpx.post(
        jobs, headers=headers, json={**HELLO, "dataSource": {"dataSourceDescriptor": "file"}}
    ).json()["job"]
    put = httpx.put(
        file_job["dataSource"]["params"]["tempUrl"],
        content=b"hello",
        headers={"Content-Disposition": "attachment"},
    )
    assert put.status_code == 200
    answers = {
        "uploadcompleted": httpx.patch(f"{jobs}/{file_job['id']}/uploadcompleted", headers=headers),
        "run": httpx.post(f"{jobs}/{file_job['id']}/run", headers=headers),
        "abort": httpx.post(f"{jobs}/{_create(instant, headers)}/abort", headers=headers),
        "delete": httpx.delete(f"{jobs}/{_create(instant, headers)}", headers=headers),
    }
    for action, answer in answers.items():
        body = answer.json()
        assert answer.status_code == 200, (action, body)
        assert sorted(body) == ["error", "message", "ok", "requestId"], action
        assert body["ok"] is True and body["error"] is None and body["requestId"], action
