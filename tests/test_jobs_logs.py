"""The jobs list, abort, delete and logs: models, then the client (sync and async)
against the sandbox over loopback, then faults a real server cannot give."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import MAX_PAGE_SIZE, AsyncClient, Client
from bytenite_nb.errors import ApiError, BadRequestError, NotFoundError, PayloadError
from bytenite_nb.models import LOG_LEVELS, JobLogs, JobsPage, JobState, LogEntry, LogLevel

from .flowdriver import no_sleep

HELLO = {"templateId": "hello-world-template", "name": "demo"}
FAILING = {"templateId": "sandbox-failing-template", "name": "broken"}
IMAGES = {
    "templateId": "img-gen-diffusers-flux-gpu-template",
    "name": "images",
    "params": {"app": {"prompt": "a lighthouse"}, "partitioner": {"num_replicas": 3}},
    "config": {"isTestJob": True},
}


# -- models ------------------------------------------------------------------------------


def test_jobs_page_parses_protojson_leniently() -> None:
    page = JobsPage.model_validate(
        {
            "pagination": {"total": "45", "offset": "20", "hasNext": True, "future": 1},
            "data": [{"id": "a", "state": "JOB_STATE_NEW", "newField": 3}, "junk", {"id": "b"}],
            "nextPageToken": "x",
        }
    )
    assert [j.id for j in page.jobs] == ["a", "b"]
    assert page.total == 45 and page.offset == 20 and page.next_offset == 22
    assert page.has_next and page.has_previous  # hasPrevious left out: implied by offset
    assert page.jobs[0].model_extra == {"newField": 3}
    assert page.model_extra == {"nextPageToken": "x"}
    assert page.to_wire()["pagination"] == {  # numbers, as the service sends them
        "offset": 20,
        "total": 45,
        "hasPrevious": True,
        "hasNext": True,
    }


@pytest.mark.parametrize(
    ("wire", "total", "has_next"),
    [
        ({}, 0, False),  # protojson leaves zeros and false out
        ({"data": []}, 0, False),
        ({"data": [{"id": "a"}]}, None, False),  # jobs but no total: unknown
        ({"pagination": {"total": "nope", "hasNext": "true"}, "data": [{}]}, None, True),
        ({"pagination": "junk", "data": "junk"}, 0, False),
    ],
)
def test_jobs_page_missing_and_odd_fields(wire: dict[str, Any], total: Any, has_next: bool) -> None:
    page = JobsPage.from_wire(wire, limit=10)
    assert page.total == total and page.has_next is has_next and page.limit == 10


RAW_LOGS = {
    "partitioner": [
        {"log": "split", "timestamp": "2026-11-28T11:50:02Z", "level": "INFO", "container": "p"},
        {"log": "no time", "level": "DEBUG"},
    ],
    "assembler": [{"log": "merged", "timestamp": "2026-11-28T11:50:09.5Z", "level": "info"}],
    "taskrunner": {
        "t-2": {"logs": [{"log": "boom", "timestamp": "2026-11-28T11:50:05Z", "level": "ERROR"}]},
        "t-1": {
            "logs": [
                {"log": "start", "timestamp": "2026-11-28T11:50:03Z", "level": "LOG_LEVEL_INFO"},
                {"log": "same time", "timestamp": "2026-11-28T11:50:05Z", "level": "SHOUT"},
                "junk",
            ]
        },
    },
    "merger": [{"log": "a service we do not know", "timestamp": "2026-11-28T11:50:00Z"}],
    "requestId": "r-1",
}


def test_logs_flatten_in_time_order_with_unknowns() -> None:
    logs = JobLogs.from_wire(RAW_LOGS, job_id="j")
    messages = [e.message for e in logs.entries]
    # time order; the two at :05 keep their order of arrival (stable); no time last
    assert messages == [
        "a service we do not know",
        "split",
        "start",
        "boom",
        "same time",
        "merged",
        "no time",
    ]
    first = logs.entries[0]
    assert first.service == "merger" and first.level is LogLevel.UNKNOWN and first.task is None
    boom = logs.entries[3]
    assert (boom.service, boom.task, boom.level) == ("taskrunner", "t-2", LogLevel.ERROR)
    assert boom.timestamp == datetime(2026, 11, 28, 11, 50, 5, tzinfo=timezone.utc)
    assert logs.entries[2].level is LogLevel.INFO  # the LOG_LEVEL_ prefix is read
    shout = logs.entries[4].level
    assert shout.value == "SHOUT" and not shout.is_known and shout.severity == -1
    assert logs.entries[1].container == "p" and logs.entries[-1].timestamp is None
    assert logs.counts() == {"UNKNOWN": 1, "DEBUG": 1, "INFO": 3, "ERROR": 1, "SHOUT": 1}
    assert [e.message for e in logs.errors] == ["boom"]
    # model_validate takes the wire shape too
    assert JobLogs.model_validate(RAW_LOGS).entries == logs.entries


def test_logs_round_trip_and_filter() -> None:
    logs = JobLogs.from_wire(RAW_LOGS)
    again = JobLogs.from_wire(logs.to_wire())

    def rows(x: JobLogs) -> list[tuple[Any, ...]]:
        return sorted((e.message, e.service, e.task, e.level.value, e.timestamp) for e in x.entries)  # type: ignore[arg-type]

    assert rows(again) == rows(logs) and len(again.entries) == 7
    only = logs.filter(levels=["error", "info"], services=["taskrunner"])
    assert [e.message for e in only.entries] == ["start", "boom"]


def test_log_level_names() -> None:
    assert LogLevel("warning") is LogLevel.WARN and LogLevel(" Error ") is LogLevel.ERROR
    assert LogLevel.known("verbose") is None and LogLevel.known("fatal") is LogLevel.FATAL
    assert [LogLevel(n).severity for n in LOG_LEVELS] == list(range(8))
    assert LogLevel.PANIC.is_error and not LogLevel.WARN.is_error
    entry = LogEntry(message="x", level="debug")  # type: ignore[arg-type]
    assert entry.level is LogLevel.DEBUG


# -- the client against the sandbox ------------------------------------------------------


@pytest.fixture
def own(fresh_server: sandbox.SandboxServer) -> Any:
    with Client(fresh_server.api_key, base_url=fresh_server.url, sleep=no_sleep) as c:
        yield c


def test_pagination_over_45_jobs(own: Client, fresh_server: sandbox.SandboxServer) -> None:
    created = [own.create_job({**HELLO, "name": f"job-{i:02d}"}).job.id for i in range(45)]
    first = own.list_jobs()
    assert len(first.jobs) == 20 and first.total == 45 and first.has_next
    assert not first.has_previous and first.offset == 0
    assert first.jobs[0].name == "job-44"  # newest first
    last = own.list_jobs(limit=20, offset=40)
    assert [j.name for j in last.jobs] == [f"job-{i:02d}" for i in range(4, -1, -1)]
    assert not last.has_next and last.has_previous and last.offset == 40
    assert own.list_jobs(offset=45).jobs == []

    before = fresh_server.sandbox.count("GET", "/customer/jobs")
    walked = own.iter_jobs(page_size=10)
    assert fresh_server.sandbox.count("GET", "/customer/jobs") == before  # lazy: nothing yet
    first_three = [next(walked) for _ in range(3)]
    assert fresh_server.sandbox.count("GET", "/customer/jobs") == before + 1
    rest = list(walked)
    ids = [j.id for j in first_three + rest]
    assert ids == created[::-1] and len(set(ids)) == 45
    assert fresh_server.sandbox.count("GET", "/customer/jobs") == before + 5  # 10+10+10+10+5


def test_iter_jobs_defaults_to_the_largest_page() -> None:
    client, sent = _fake(lambda request: httpx.Response(200, json={"data": [{"id": "a"}]}))
    with client:
        assert [j.id for j in client.iter_jobs()] == ["a"]
        client.max_page_size = 250
        list(client.iter_jobs())
    assert [r.url.params["pagination.limit"] for r in sent] == [str(MAX_PAGE_SIZE), "250"]


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [(0, 0, "limit"), (MAX_PAGE_SIZE + 1, 0, "limit"), (True, 0, "limit"), (10, -1, "offset")],
)
def test_list_jobs_refuses_bad_pages_before_sending(
    own: Client, fresh_server: sandbox.SandboxServer, limit: Any, offset: int, field: str
) -> None:
    with pytest.raises(PayloadError) as info:
        own.list_jobs(limit=limit, offset=offset)
    assert info.value.errors[0]["field"] == field
    assert "jobs list request (nothing was sent)" in str(info.value)
    with pytest.raises(PayloadError, match="page_size"):
        own.iter_jobs(page_size=0)  # eager: refused at the call, not at the first next()
    assert fresh_server.sandbox.requests == []


def test_max_page_size_is_a_setting(own: Client) -> None:
    with pytest.raises(PayloadError, match="from 1 to 100"):
        own.list_jobs(limit=150)
    own.max_page_size = 200
    assert own.list_jobs(limit=150).jobs == []


def test_abort_a_running_job_ends_it_failed(own: Client) -> None:
    slow = sandbox.start(step_seconds=5)
    try:
        with Client(slow.api_key, base_url=slow.url) as client:
            job_id = client.create_job(HELLO).job.id or ""
            client.run_job(job_id)
            envelope = client.abort_job(job_id)
            assert envelope["ok"] is True
            job = client.get_job(job_id).job
            assert (
                job.state is JobState["FAILED"] and job.error_message == "job aborted by the user"
            )
            logs = client.get_job_logs(job_id)
            assert [e.message for e in logs.errors] == ["job aborted by the user"]
            with pytest.raises(BadRequestError) as info:
                client.abort_job(job_id)
            assert "has already ended (FAILED)" in info.value.message
    finally:
        slow.stop()


def test_abort_a_new_job_deletes_it(own: Client) -> None:
    job_id = own.create_job(HELLO).job.id or ""
    own.abort_job(job_id)
    with pytest.raises(NotFoundError):
        own.get_job(job_id)


def test_abort_a_finished_job_says_it_ended_and_its_state(
    own: Client, fresh_server: sandbox.SandboxServer
) -> None:
    job_id = own.create_job(HELLO).job.id or ""
    own.run_job(job_id)
    own.wait_for_job(job_id, interval=0.05)
    with pytest.raises(BadRequestError) as info:
        own.abort_job(job_id)
    error = info.value
    assert error.status_code == 400 and error.code == 3
    assert f"job {job_id} has already ended (COMPLETE)" in error.message
    assert "only a job that is running can be aborted" in error.message
    assert own.get_job(job_id).job.state is JobState["COMPLETE"]  # untouched
    assert fresh_server.sandbox.count("POST", f"/customer/jobs/{job_id}/abort") == 1


def test_delete_and_unknown_ids(own: Client, fresh_server: sandbox.SandboxServer) -> None:
    job_id = own.create_job(HELLO).job.id or ""
    assert own.delete_job(job_id)["ok"] is True
    assert own.list_jobs().jobs == []
    with pytest.raises(NotFoundError) as info:
        own.delete_job(job_id)
    assert job_id in str(info.value)
    with pytest.raises(NotFoundError, match="no-such-job"):
        own.abort_job("no-such-job")
    with pytest.raises(NotFoundError, match="no-such-job"):
        own.get_job_logs("no-such-job")
    assert fresh_server.sandbox.count("DELETE", f"/customer/jobs/{job_id}") == 2  # not retried
    with pytest.raises(ValueError, match="job_id"):
        own.delete_job("  ")


def test_logs_of_a_completed_job(own: Client, fresh_server: sandbox.SandboxServer) -> None:
    job_id = own.create_job(IMAGES).job.id or ""
    before = own.get_job_logs(job_id)
    assert before.entries == [] and before.job_id == job_id  # a draft has no logs yet
    own.run_job(job_id)
    own.wait_for_job(job_id, interval=0.05)
    logs = own.get_job_logs(job_id)
    assert {e.service for e in logs.entries} == {"partitioner", "taskrunner", "assembler"}
    tasks = {e.task for e in logs.entries if e.service == "taskrunner"}
    assert len(tasks) == 3 and None not in tasks
    stamps = [e.timestamp for e in logs.entries]
    assert None not in stamps and stamps == sorted(stamps)  # type: ignore[type-var]
    assert logs.entries[0].service == "partitioner" and logs.entries[-1].service == "assembler"
    assert {"TRACE", "DEBUG", "INFO", "WARN"} <= set(logs.counts())
    assert all(e.container for e in logs.entries)
    assert any("a lighthouse" in e.message for e in logs.entries)  # params in DEBUG lines
    assert own.get_job_logs(job_id).entries == logs.entries  # deterministic

    warned = own.get_job_logs(job_id, levels=["Warning", "error"])
    assert warned.levels == ["WARN", "ERROR"] and len(warned.entries) == 3
    assert {e.level for e in warned.entries} == {LogLevel.WARN}
    one_task = sorted(tasks)[0]
    runner = own.get_job_logs(job_id, services="taskrunner", task_ids=[one_task])
    assert {e.task for e in runner.entries} == {one_task}
    assembler = own.get_job_logs(job_id, services=["ASSEMBLER", "partitioner"])
    assert {e.service for e in assembler.entries} == {"assembler", "partitioner"}


def test_logs_of_a_failed_job_have_the_reason(own: Client) -> None:
    job_id = own.create_job(FAILING).job.id or ""
    own.run_job(job_id)
    done = own.wait_for_job(job_id, interval=0.05)
    logs = own.get_job_logs(job_id, levels="error")
    assert [(e.service, e.level) for e in logs.entries] == [("partitioner", LogLevel.ERROR)]
    assert logs.entries[0].message == done.job.error_message


def test_logs_request_body_and_bad_levels(
    own: Client, fresh_server: sandbox.SandboxServer, debug_logs: Any
) -> None:
    with pytest.raises(PayloadError) as info:
        own.get_job_logs("j", levels=["info", "verbose", "loud"])
    problem = info.value.errors[0]
    assert problem["field"] == "levels"
    assert "'verbose', 'loud' are not log levels" in problem["message"]
    assert "UNKNOWN, TRACE, DEBUG, INFO, WARN, ERROR, FATAL, PANIC" in problem["message"]
    assert "logs request (nothing was sent)" in str(info.value)
    with pytest.raises(PayloadError, match="partitioner, taskrunner, assembler"):
        own.get_job_logs("j", services=["merger"])
    assert fresh_server.sandbox.requests == []

    seen: list[httpx.Request] = []
    with Client(
        fresh_server.api_key,
        base_url=fresh_server.url,
        transport=_spy(seen, fresh_server),
    ) as spy:
        job_id = spy.create_job(HELLO).job.id or ""
        spy.get_job_logs(job_id, levels="warn, ERROR,warn", services=["taskrunner"])
    body = json.loads(seen[-1].content)
    assert seen[-1].url.path == "/v1/customer/logs" and seen[-1].method == "POST"
    assert body == {
        "jobId": job_id,
        "taskIds": [],
        "levels": ["WARN", "ERROR"],
        "services": ["TASKRUNNER"],  # the LogsLogService enum name
    }


def _spy(seen: list[httpx.Request], server: sandbox.SandboxServer) -> httpx.BaseTransport:
    """A real HTTP transport that records what it sends."""
    inner = httpx.HTTPTransport()

    class Spy(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return inner.handle_request(request)

        def close(self) -> None:
            inner.close()

    return Spy()


def test_the_sandbox_refuses_unknown_levels_itself(fresh_server: sandbox.SandboxServer) -> None:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        job_id = client.create_job(HELLO).job.id
        with pytest.raises(BadRequestError, match=r"levels\[0\]: unknown value 'info'"):
            client._run(
                client._call(
                    "POST", "/logs", body={"jobId": job_id, "levels": ["info"]}, idempotent=True
                )
            )


# -- async -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_jobs_abort_delete_logs(fresh_server: sandbox.SandboxServer) -> None:
    async with AsyncClient(fresh_server.api_key, base_url=fresh_server.url) as client:
        ids = [(await client.create_job({**HELLO, "name": f"a{i}"})).job.id for i in range(7)]
        page = await client.list_jobs(limit=5)
        assert len(page.jobs) == 5 and page.total == 7 and page.has_next
        walked = [job.id async for job in client.iter_jobs(page_size=3)]
        assert walked == ids[::-1]
        with pytest.raises(PayloadError):
            client.iter_jobs(page_size=101)
        with pytest.raises(PayloadError):
            await client.list_jobs(limit=0)

        failing = (await client.create_job(FAILING)).job.id or ""
        await client.run_job(failing)
        await client.wait_for_job(failing, interval=0.05)
        logs = await client.get_job_logs(failing, levels=["ERROR"])
        assert [e.message for e in logs.entries] == [
            "partitioner exited with code 1: input file is empty"
        ]
        with pytest.raises(BadRequestError, match=r"already ended \(FAILED\)"):
            await client.abort_job(failing)
        with pytest.raises(PayloadError, match="not a log level"):
            await client.get_job_logs(failing, levels="loud")

        assert (await client.delete_job(ids[0] or ""))["ok"] is True
        with pytest.raises(NotFoundError, match=ids[0] or ""):
            await client.delete_job(ids[0] or "")
        await client.abort_job(ids[1] or "")  # NEW: deleted
        assert (await client.list_jobs()).total == 6


# -- faults a real server cannot give ----------------------------------------------------


def _fake(pages: Any) -> tuple[Client, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/access_token"):
            return httpx.Response(200, json={"token": "tok", "expiresIn": "3600"})
        sent.append(request)
        return pages(request)

    transport = httpx.MockTransport(handler)
    client = Client("key", base_url="https://api.test/v1", transport=transport, sleep=no_sleep)
    return client, sent


def test_iter_jobs_stops_on_a_page_that_repeats() -> None:
    page = {"pagination": {"total": "99", "hasNext": True}, "data": [{"id": "a"}, {"id": "b"}]}
    client, sent = _fake(lambda request: httpx.Response(200, json=page))
    with client:
        assert [j.id for j in client.iter_jobs(page_size=2)] == ["a", "b"]
    assert len(sent) == 2  # the second page brought nothing new: stop
    assert sent[1].url.params["pagination.offset"] == "2"


def test_iter_jobs_skips_a_job_shifted_onto_the_next_page() -> None:
    pages = [
        {"pagination": {"hasNext": True}, "data": [{"id": "c"}, {"id": "b"}]},
        {"pagination": {"hasNext": True, "offset": "2"}, "data": [{"id": "b"}, {"id": "a"}]},
        {"pagination": {"offset": "4"}, "data": []},
    ]
    client, sent = _fake(lambda request: httpx.Response(200, json=pages[len(sent) - 1]))
    with client:
        assert [j.id for j in client.iter_jobs(page_size=2)] == ["c", "b", "a"]
    assert [r.url.params["pagination.offset"] for r in sent] == ["0", "2", "4"]


def test_iter_jobs_stops_on_an_empty_page_that_claims_more() -> None:
    client, sent = _fake(lambda r: httpx.Response(200, json={"pagination": {"hasNext": True}}))
    with client:
        assert list(client.iter_jobs()) == []
    assert len(sent) == 1


def test_a_jobs_list_with_an_unreadable_field_still_parses() -> None:
    # Responses are lenient: a value the client cannot read is kept as received.
    bad = {"data": [{"id": "a", "createdAt": "yesterday"}, {"id": "b"}], "pagination": []}
    client, _ = _fake(lambda request: httpx.Response(200, json=bad))
    with client:
        page = client.list_jobs()
    assert [job.id for job in page.jobs] == ["a", "b"]
    assert page.jobs[0].created_at is None and "yesterday" in str(page.jobs[0].to_wire())


@pytest.mark.parametrize("call", ["abort_job", "delete_job"])
def test_abort_and_delete_are_not_repeated_after_a_gateway_timeout(call: str) -> None:
    client, sent = _fake(lambda request: httpx.Response(504, text="<html>timeout</html>"))
    with client, pytest.raises(ApiError) as info:
        getattr(client, call)("j-1")
    assert info.value.status_code == 504 and len(sent) == 1


def test_logs_are_retried_after_a_gateway_timeout() -> None:
    answers = [httpx.Response(504), httpx.Response(200, json=RAW_LOGS)]
    client, sent = _fake(lambda request: answers[len(sent) - 1])
    with client:
        logs = client.get_job_logs("j-1", levels="error")
    assert len(sent) == 2 and [e.message for e in logs.entries] == ["boom"]  # filtered here too


def test_a_400_on_abort_of_a_running_job_is_passed_on_as_is() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(400, json={"code": 9, "message": "try later"})
        return httpx.Response(200, json={"job": {"id": "j-1", "state": "JOB_STATE_MERGING"}})

    client, sent = _fake(answer)
    with client, pytest.raises(BadRequestError) as info:
        client.abort_job("j-1")
    assert info.value.message == "try later" and [r.method for r in sent] == ["POST", "GET"]
