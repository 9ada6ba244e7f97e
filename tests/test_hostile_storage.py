"""Issue 17, classes 1, 2 and 9: storage transfers under a hostile storage host.

The sandbox's storage faults (``srv.sandbox.storage.faults``: trickle, 429,
gzip 403, an echoed signature) meet the real client over loopback. Time is a
fake clock shared by the client (its deadline, its waits) and the sandbox's
trickle (its pauses): nothing here sleeps for real, and every call must end
by its deadline on that clock with one typed error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bytenite_nb import sandbox
from bytenite_nb._urls import without_query
from bytenite_nb.client import Client
from bytenite_nb.client._steps import _Send, _Sleep
from bytenite_nb.client._transfers import _Streamed, _Upload
from bytenite_nb.errors import ApiError, ByteNiteConnectionError, PermissionDeniedError
from bytenite_nb.models import JobResults, JobState, ResultFile

from .flowdriver import no_sleep

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}
FILE_JOB = {"templateId": "hello-world-template", "dataSource": {"dataSourceDescriptor": "file"}}
DEADLINE = 5.0
TIMEOUT = 3.0


class FakeClock:
    """A monotonic clock that moves only when told (by the client's waits or the trickle)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.now += seconds


def completed_job(srv: sandbox.SandboxServer) -> str:
    with Client(srv.api_key, base_url=srv.url) as c:
        job_id = c.create_job(HELLO).job.id or ""
        c.run_job(job_id)
        assert c.wait_for_job(job_id, interval=0.01, timeout=30).job.state == JobState["COMPLETE"]
        return job_id


@pytest.fixture
def timed(srv: sandbox.SandboxServer) -> Iterator[tuple[Client, FakeClock]]:
    """A client whose deadline, waits and the sandbox's trickle share one fake clock."""
    clock = FakeClock()
    srv.sandbox.storage.faults.sleep = clock.advance
    with Client(
        srv.api_key,
        base_url=srv.url,
        timeout=TIMEOUT,
        deadline=DEADLINE,
        clock=clock,
        sleep=clock.advance,
    ) as c:
        c.authenticate()
        yield c, clock


def storage_requests(srv: sandbox.SandboxServer) -> int:
    return len(srv.sandbox.storage.requests)


# -- class 1: every storage transfer ends by the call's deadline ------------------------------


@pytest.mark.parametrize("piece", [1, 7, 64])
def test_a_trickled_download_ends_by_the_deadline(
    srv: sandbox.SandboxServer, timed: tuple[Client, FakeClock], tmp_path: Path, piece: int
) -> None:
    client, _clock = timed
    job_id = completed_job(srv)
    srv.sandbox.storage.faults.trickle(piece=piece, pause=0.5, times=1000)
    with pytest.raises(ByteNiteConnectionError, match="deadline"):
        client.download_results(job_id, tmp_path / "out")
    assert storage_requests(srv) <= 4  # a few attempts, not one per piece
    # Nothing half-written: a file that is there is whole (files are whole one by one).
    srv.sandbox.storage.faults.clear()
    with Client(srv.api_key, base_url=srv.url) as c:
        c.download_results(job_id, tmp_path / "good")
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert (
                path.read_bytes()
                == (tmp_path / "good" / path.relative_to(tmp_path / "out")).read_bytes()
            )


def test_a_trickled_preview_is_that_files_error(
    srv: sandbox.SandboxServer, timed: tuple[Client, FakeClock]
) -> None:
    client, _clock = timed
    job_id = completed_job(srv)
    srv.sandbox.storage.faults.trickle(piece=1, pause=0.5, times=1000)
    results = client.preview_results(job_id)  # the call itself succeeds
    previewed = [f for f in results.files if f.preview_kind]
    assert previewed and all(f.preview_error for f in previewed)
    assert all("deadline" in (f.preview_error or "") for f in previewed)
    assert "X-Signature" not in " ".join(f.preview_error or "" for f in previewed)
    text = str(results.card())
    assert "no preview:" in text and "deadline" in text


def test_one_bad_file_spoils_only_its_own_preview(
    srv: sandbox.SandboxServer, timed: tuple[Client, FakeClock]
) -> None:
    client, _ = timed
    job_id = completed_job(srv)
    srv.sandbox.storage.faults.expired(times=1)  # the first previewed file only
    results = client.preview_results(job_id)
    previewed = [f for f in results.files if f.preview_kind]
    assert len(previewed) >= 2
    assert "expired" in (previewed[0].preview_error or "")
    assert all(f.head is not None and f.preview_error is None for f in previewed[1:])


@pytest.mark.parametrize("target", ["results", "upload"])
def test_429_forever_from_storage_stops_at_the_deadline(
    srv: sandbox.SandboxServer, timed: tuple[Client, FakeClock], tmp_path: Path, target: str
) -> None:
    client, clock = timed
    srv.sandbox.storage.faults.answer(429, times=10**6, retry_after=1, target=target)  # type: ignore[arg-type]
    start = clock()
    if target == "results":
        job_id = completed_job(srv)
        before = storage_requests(srv)
        with pytest.raises(ApiError) as caught:
            client.download_results(job_id, tmp_path / "out")
    else:
        job = client.create_job(FILE_JOB)
        local = tmp_path / "in.txt"
        local.write_text("hello")
        before = storage_requests(srv)
        with pytest.raises(ApiError) as caught:
            client.upload_file(job, local)
    assert caught.value.status_code == 429
    assert storage_requests(srv) - before <= DEADLINE / 1 + 2  # was up to 1,001
    assert clock() - start <= DEADLINE + 1.5 * 1  # the last Retry-After's jitter at most


class Flow:
    """Drives a transfer flow by hand: every storage step's read waits its whole
    budget and times out (a host that sends headers, then nothing)."""

    def __init__(self, client: Client, clock: FakeClock) -> None:
        self.client, self.clock = client, clock
        self.budgets: list[float] = []

    def run(self, flow: Any) -> Any:
        value: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = flow.throw(error) if error is not None else flow.send(value)
            except StopIteration as stop:
                return stop.value
            value, error = None, None
            if isinstance(step, _Sleep):
                self.clock.advance(step.seconds)
            elif isinstance(step, _Streamed | _Upload):
                self.budgets.append(step.timeout)
                timeouts = step.request.extensions["timeout"]
                assert timeouts["read"] == pytest.approx(step.timeout)  # the socket waits that long
                self.clock.advance(step.timeout)
                error = httpx.ReadTimeout("silence", request=step.request)
            elif isinstance(step, _Send):
                error = httpx.ConnectError("no API in this test", request=step.request)
            else:  # pragma: no cover
                raise AssertionError(step)


def silent_results(count: int) -> JobResults:
    files = [
        ResultFile(name=f"out_{i}/r.txt", link=f"http://127.0.0.1:9/s/{i}?X-Signature=s{i}" * 1)
        for i in range(count)
    ]
    return JobResults(results=files)


@pytest.mark.parametrize("files", [1, 3, 12])
def test_a_silent_storage_host_is_cut_at_the_deadline(
    srv: sandbox.SandboxServer, timed: tuple[Client, FakeClock], files: int
) -> None:
    client, clock = timed
    driver = Flow(client, clock)
    start = clock()
    results = driver.run(
        client._preview_results(silent_results(files), max_bytes=1024, max_files=12)
    )
    assert clock() - start <= DEADLINE + 1e-9  # retries included, all files together
    assert all(b <= TIMEOUT for b in driver.budgets)
    assert all("deadline" in (f.preview_error or "") for f in results.files)


def test_a_silent_upload_host_is_cut_at_the_deadline(
    timed: tuple[Client, FakeClock], tmp_path: Path
) -> None:
    client, clock = timed
    local = tmp_path / "in.bin"
    local.write_bytes(b"x" * 1000)
    from bytenite_nb.models import DataSource, Job

    job = Job(
        id="j-1",
        data_source=DataSource(
            data_source_descriptor="file",
            params={"tempUrl": "http://127.0.0.1:9/_upload/j-1?X-Signature=abcdefgh12345"},
        ),
    )
    driver = Flow(client, clock)
    start = clock()
    with pytest.raises(ByteNiteConnectionError) as caught:
        driver.run(client._upload_file(job, local))
    assert clock() - start <= DEADLINE + 1e-9
    assert "abcdefgh12345" not in str(caught.value)


# -- class 9: storage error answers read right -------------------------------------------------


@pytest.mark.parametrize("gzip", [True, False])
@pytest.mark.parametrize("target", ["results", "upload"])
def test_an_expired_link_is_permission_denied_gzip_or_not(
    srv: sandbox.SandboxServer, client: Client, tmp_path: Path, gzip: bool, target: str
) -> None:
    srv.sandbox.storage.faults.expired(gzip=gzip, times=5)
    with Client(srv.api_key, base_url=srv.url, sleep=no_sleep) as c:
        if target == "results":
            job_id = completed_job(srv)
            before = storage_requests(srv)
            with pytest.raises(PermissionDeniedError, match="most likely expired") as caught:
                c.download_results(job_id, tmp_path / "out")
        else:
            job = c.create_job(FILE_JOB)
            local = tmp_path / "in.txt"
            local.write_text("hello")
            before = storage_requests(srv)
            with pytest.raises(PermissionDeniedError, match="most likely expired") as caught:
                c.upload_file(job, local)
    assert "Request has expired" in str(caught.value)
    assert storage_requests(srv) - before == 1  # read at once, not retried as undecodable


def test_a_lying_gzip_header_on_an_error_is_read_as_it_came(
    srv: sandbox.SandboxServer, tmp_path: Path
) -> None:
    faults = srv.sandbox.storage.faults
    faults.answer(403, body="<Error><Message>Request has expired</Message></Error>")
    faults._faults[-1].headers["Content-Encoding"] = "gzip"  # the body is not gzip at all
    job_id = completed_job(srv)
    with Client(srv.api_key, base_url=srv.url) as c, pytest.raises(PermissionDeniedError):
        c.download_results(job_id, tmp_path / "out")


@pytest.mark.parametrize(
    "link", ["http://[::1/x", "ftp://host/x", "not a url", "http://", "javascript:alert(1)"]
)
def test_a_malformed_link_is_a_typed_error(client: Client, tmp_path: Path, link: str) -> None:
    results = JobResults(results=[{"name": "a.txt", "link": link}])
    previewed = client.preview_results(results)
    assert "malformed link" in (previewed.files[0].preview_error or "")
    listed = httpx.MockTransport(
        lambda request: httpx.Response(200, json=[{"name": "a.txt", "link": link}])
    )
    with Client(access_token="t" * 16, base_url="http://api.test/v1", transport=listed) as c:
        with pytest.raises(ApiError, match="malformed link"):
            c.download_results("job-1", tmp_path / "out")


# -- class 2: signed URLs appear nowhere -------------------------------------------------------


def test_httpx_log_lines_carry_no_signature(
    srv: sandbox.SandboxServer, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    job_id = completed_job(srv)
    with Client(srv.api_key, base_url=srv.url) as c:
        results = c.preview_results(job_id)
        c.download_results(job_id, tmp_path / "out")
        job = c.create_job(FILE_JOB)
        local = tmp_path / "in.txt"
        local.write_text("hello")
        c.upload_file(job, local)
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("HTTP Request:") for line in lines)  # httpx did log
    text = "\n".join(lines)
    assert "X-Signature" not in text and "X-Expires" not in text
    for file in results.files:
        assert (file.link or "").split("?")[1] not in text


def test_a_storage_error_echoing_the_signature_does_not_show_it(
    srv: sandbox.SandboxServer, tmp_path: Path
) -> None:
    job_id = completed_job(srv)
    srv.sandbox.storage.faults.echo_signature(times=2)
    with Client(srv.api_key, base_url=srv.url) as c:
        links = [f.link or "" for f in c.get_job_results(job_id).files]
        with pytest.raises(PermissionDeniedError) as caught:
            c.download_results(job_id, tmp_path / "out")
    signatures = {link.split("X-Signature=")[1] for link in links}
    shown = f"{caught.value} {caught.value!r} {caught.value.message} {caught.value.url}"
    assert "does not match" in shown
    assert not any(sig in shown for sig in signatures)
    assert "***" in shown


def test_without_query_and_repr_keep_links_out() -> None:
    url = "https://storage.example/b/out.txt?X-Expires=1&X-Signature=0123456789abcdef"
    assert without_query(url) == "https://storage.example/b/out.txt"
    assert without_query("http://[::1/x") == "(a malformed URL)"
    file = ResultFile(name="out.txt", link=url)
    assert "0123456789abcdef" not in repr(file) + str(file) + repr(JobResults(results=[file]))


# -- the async driver carries out the same steps ---------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("fault", ["trickle", "429"])
async def test_the_async_client_ends_by_the_deadline_too(
    srv: sandbox.SandboxServer, tmp_path: Path, fault: str
) -> None:
    from bytenite_nb.client import AsyncClient

    job_id = completed_job(srv)
    clock = FakeClock()
    faults = srv.sandbox.storage.faults
    faults.sleep = clock.advance
    if fault == "trickle":
        faults.trickle(piece=1, pause=0.5, times=1000)
    else:
        faults.answer(429, times=10**6, retry_after=1)

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds)

    async with AsyncClient(
        srv.api_key,
        base_url=srv.url,
        timeout=TIMEOUT,
        deadline=DEADLINE,
        clock=clock,
        sleep=fake_sleep,
    ) as a:
        before = storage_requests(srv)
        with pytest.raises((ByteNiteConnectionError, ApiError)) as caught:
            await a.download_results(job_id, tmp_path / "out")
        results = await a.preview_results(job_id)
    assert "deadline" in str(caught.value) or "429" in str(caught.value)
    assert storage_requests(srv) - before <= 2 * (DEADLINE + 2)
    assert all(f.preview_error for f in results.files if f.preview_kind)
