"""Issue 17, classes 3, 7 and 11, and the answer-size cap: ids that would change
the path, answers that would hang the client, values JSON cannot carry.

Against the sandbox's real handler on loopback; what was sent is read from the
sandbox's own request log.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.client._jobs import MAX_PAGES_UNKNOWN, SLACK_PAGES, _JobWalk
from bytenite_nb.display.jobs import jobs_html, jobs_text
from bytenite_nb.errors import ApiError, PayloadError
from bytenite_nb.models import JobsPage

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}


def sent(srv: sandbox.SandboxServer) -> list[tuple[str, str]]:
    with srv.sandbox._lock:
        return list(srv.sandbox.requests)


# -- class 3: ids that would change the request's path ----------------------------------------

DOT_IDS = [".", "..", " . ", " .. ", "\t..\n", ". ", "  ..  "]


def calls(c: Client, job_id: str, tmp_path: Path) -> list[Any]:
    return [
        lambda: c.get_job(job_id),
        lambda: c.delete_job(job_id),
        lambda: c.run_job(job_id),
        lambda: c.abort_job(job_id),
        lambda: c.get_job_logs(job_id),
        lambda: c.get_job_results(job_id),
        lambda: c.preview_results(job_id),
        lambda: c.download_results(job_id, tmp_path / "out"),
        lambda: c.wait_for_job(job_id, timeout=1),
        lambda: c.upload_file(job_id, __file__),
    ]


@pytest.mark.parametrize("job_id", DOT_IDS)
def test_a_dot_segment_id_is_refused_before_anything_is_sent(
    srv: sandbox.SandboxServer, c: Client, tmp_path: Path, job_id: str
) -> None:
    before = sent(srv)
    for call in calls(c, job_id, tmp_path):
        with pytest.raises(PayloadError) as caught:
            call()
        assert caught.value.errors[0]["field"] == "job_id"
        assert "path" in caught.value.errors[0]["message"]
    assert sent(srv) == before  # was DELETE /v1/customer/jobs, DELETE /v1/customer, ...


@pytest.mark.parametrize("job_id", ["...", ".a", "a.", "%2e%2e", "./x", "a/../b", " .../ "])
def test_ids_that_only_look_like_dots_are_sent_encoded(
    srv: sandbox.SandboxServer, c: Client, job_id: str
) -> None:
    with pytest.raises(ApiError) as caught:
        c.get_job(job_id)
    assert caught.value.status_code == 404
    method, path = sent(srv)[-1]
    assert method == "GET" and path.startswith("/v1/customer/jobs/") and path.count("/") == 4


@pytest.mark.anyio
async def test_the_async_client_refuses_them_too(srv: sandbox.SandboxServer) -> None:
    async with AsyncClient(srv.api_key, base_url=srv.url) as a:
        before = sent(srv)
        for job_id in DOT_IDS:
            with pytest.raises(PayloadError):
                await a.delete_job(job_id)
        assert sent(srv) == before


# -- class 7: answers that would hang the client ---------------------------------------------


@pytest.mark.parametrize("applied", [False, True])
@pytest.mark.parametrize(
    "answer",
    [
        '{"job": {"name": "x"}}',
        '{"job": {"id": ""}}',
        '{"job": {"id": null}}',
        "{}",
        '{"job": null}',
    ],
)
def test_a_create_answer_without_a_job_id_never_gives_a_job_without_one(
    srv: sandbox.SandboxServer, c: Client, answer: str, applied: bool
) -> None:
    """An answer without an id may hide a made job: as for the batch, the client
    looks for it (found: that job) or creates it again (not made): one job, with its id."""
    srv.sandbox.fail_next(200, path="/customer/jobs", method="POST", body=answer, applied=applied)
    job = c.create_job(HELLO)
    assert job.job.id
    assert c.list_jobs(limit=10).total == 1


@pytest.mark.parametrize("applied", [False, True])
def test_a_batch_item_is_never_created_without_an_id_and_wait_returns(
    srv: sandbox.SandboxServer, c: Client, applied: bool
) -> None:
    """The answer without an id is an error of the create; the batch then finds
    the job by its marker (or creates it): every created item has its id, once."""
    srv.sandbox.fail_next(
        200, path="/customer/jobs", method="POST", body='{"job": {}}', applied=applied
    )
    batch = c.create_jobs([HELLO, HELLO], run=True)
    assert all(item.phase == "created" and item.id for item in batch.items)
    assert len(set(batch.ids)) == 2
    assert c.list_jobs(limit=10).total == 2  # no duplicate
    batch.wait(timeout=60)  # returns (the jobs end in the sandbox)
    assert all(item.done for item in batch.items)


def page(ids: list[str], total: Any, has_next: bool = True) -> JobsPage:
    data = [{"id": i, "templateId": "t"} for i in ids]
    return JobsPage.from_wire(
        {"data": data, "pagination": {"total": total, "hasNext": has_next}}, limit=len(ids)
    )


def walk(pages: Iterator[JobsPage], size: int = 10) -> tuple[int, int]:
    w = _JobWalk(size)
    given = 0
    while not w.done:
        given += len(w.accept(next(pages)))
    return given, w.pages


def endless(total: Any, size: int = 10, grow: int = 0) -> Iterator[JobsPage]:
    n = 0
    while True:
        yield page([f"job-{n + i}" for i in range(size)], total if not grow else total + n * grow)
        n += size


@pytest.mark.parametrize(
    ("total", "grow", "most"),
    [
        (250, 0, 250),  # stops at total although hasNext stays true
        (0, 0, 10),  # one page at most
        (-5, 0, MAX_PAGES_UNKNOWN * 10),  # no usable total: the page budget
        (None, 0, MAX_PAGES_UNKNOWN * 10),
        ("lots", 0, MAX_PAGES_UNKNOWN * 10),
        (250, 10, (25 + SLACK_PAGES) * 10),  # a total that keeps growing: the budget
    ],
)
def test_iter_jobs_stops_on_endless_pages(total: Any, grow: int, most: int) -> None:
    given, pages = walk(endless(total, grow=grow))
    assert given <= most
    assert pages <= most // 10 + 1


def test_iter_jobs_through_the_client_stops_at_total(srv: sandbox.SandboxServer, c: Client) -> None:
    for n in range(40):  # 40 pages of new ids, each saying hasNext and total 250
        data = [{"id": f"hostile-{n}-{i}", "templateId": "t"} for i in range(10)]
        body = {"data": data, "pagination": {"total": 250, "hasNext": True}}
        srv.sandbox.fail_next(200, path="/customer/jobs", method="GET", body=json.dumps(body))
    jobs = list(c.iter_jobs(page_size=10))
    assert len(jobs) == 250  # was: as many as the server gave (20,000+)


@pytest.mark.parametrize("total", ["-5", -5, "-1", -(10**30)])
def test_a_negative_total_is_not_shown(total: Any) -> None:
    shown = page(["a", "b"], total)
    assert shown.total is None
    assert "-5" not in jobs_text(shown) + jobs_html(shown) + repr(shown)


# -- class 11: values JSON cannot carry -----------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"x": b"\xff"}, "x"),
        ({"x": bytearray(b"ok")}, "x"),
        ({"x": {1, 2}}, "x"),
        ({"x": 1 + 2j}, "x"),
        ({"x": object()}, "x"),
        ({"x": Decimal("1.5")}, "x"),
        ({"x": datetime.date(2026, 1, 1)}, "x"),
        ({"x": {"deep": [1, {"b": b"\x00"}]}}, "x.deep[1].b"),
        ({"x": 10**400}, "x"),
        ({"params": {"app": {"blob": b"\xff"}}}, "params.app"),
        ({"x": memoryview(b"ab")}, "x"),
    ],
)
def test_a_value_json_cannot_carry_is_a_payload_error_naming_it(
    srv: sandbox.SandboxServer, c: Client, extra: dict[str, Any], field: str
) -> None:
    before = sent(srv)
    with pytest.raises(PayloadError) as caught:
        c.create_job({"templateId": "hello-world-template", **extra})
    assert caught.value.errors[0]["field"] == field
    assert sent(srv) == before


def test_a_payload_too_deep_to_walk_is_a_payload_error(c: Client) -> None:
    deep: Any = "leaf"
    for _ in range(5000):
        deep = {"d": deep}
    with pytest.raises(PayloadError):
        c.create_job({"templateId": "hello-world-template", "x": deep})


# -- answers read with a size cap -------------------------------------------------------------


def test_an_answer_past_the_cap_is_an_error_not_read_whole(
    srv: sandbox.SandboxServer, c: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bytenite_nb.client._steps as steps

    monkeypatch.setattr(steps, "MAX_ANSWER_BYTES", 4096)
    job_id = c.create_job(HELLO).job.id or ""
    lines = [{"log": "x" * 100, "level": "INFO"} for _ in range(200)]
    srv.sandbox.fail_next(
        200, path="/customer/logs", method="POST", body=json.dumps({"logs": lines})
    )
    with pytest.raises(ApiError, match="larger than"):
        c.get_job_logs(job_id)
    assert c.get_job(job_id).job.id == job_id  # the client goes on working


@pytest.mark.anyio
async def test_the_async_driver_caps_answers_too(
    srv: sandbox.SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bytenite_nb.client._steps as steps

    monkeypatch.setattr(steps, "MAX_ANSWER_BYTES", 4096)
    async with AsyncClient(srv.api_key, base_url=srv.url) as a:
        srv.sandbox.fail_next(
            200, path="/customer/jobs", method="GET", body=b"[" + b"0," * 5000 + b"0]"
        )
        with pytest.raises(ApiError, match="larger than"):
            await a.list_jobs()
