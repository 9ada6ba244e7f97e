"""Results, downloads and uploads against the sandbox on loopback (sync and async).

The sandbox serves real result files behind signed links that refuse any
request carrying an ``Authorization`` header, and takes uploads at a signed
``tempUrl``; every test that moves bytes checks that no token reached them.
"""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import bytenite_nb
from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.client._local import plan_downloads, result_target
from bytenite_nb.errors import (
    BadRequestError,
    ByteNiteConnectionError,
    JobNotReadyError,
    LocalPathError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
)
from bytenite_nb.models import JobResults, JobState
from bytenite_nb.progress import Progress
from bytenite_nb.sandbox._lifecycle import big_chunks

from .flowdriver import no_asleep

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}
FILE_JOB = {"templateId": "hello-world-template", "dataSource": {"dataSourceDescriptor": "file"}}
BIG = 100 * 1024 * 1024
#: Peak traced memory allowed while moving a 100 MB file (measured: under 1 MB).
MEMORY_BOUND = 4 * 1024 * 1024
#: The other streaming tests move 16 MB: four times the bound, so a body held in
#: memory fails them as surely; the one 100 MB move is the sync download.
STREAMED = 16 * 1024 * 1024


def completed(client: Client, body: dict[str, Any] = HELLO) -> str:
    job_id = client.create_job(body).job.id or ""
    client.run_job(job_id)
    assert client.wait_for_job(job_id, interval=0.02, timeout=10).job.state == JobState["COMPLETE"]
    return job_id


def no_token_reached_storage(srv: sandbox.SandboxServer) -> None:
    storage = srv.sandbox.storage
    assert storage.requests, "the test moved no bytes"
    assert storage.authorization_refused == 0
    assert not any(carried for _, _, carried in storage.requests)


@pytest.fixture
async def aclient(fresh_server: sandbox.SandboxServer) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(fresh_server.api_key, base_url=fresh_server.url, sleep=no_asleep) as c:
        yield c


def test_the_new_names_are_public() -> None:
    for name in ("JobResults", "ResultFile", "JobNotReadyError", "LocalPathError"):
        assert name in bytenite_nb.__all__ and getattr(bytenite_nb, name) is not None
    assert issubclass(bytenite_nb.JobNotReadyError, bytenite_nb.ByteNiteError)
    assert issubclass(bytenite_nb.LocalPathError, ValueError)


# -- results -------------------------------------------------------------------------


def test_results_before_completion_say_the_state(fresh_client: Client) -> None:
    job_id = fresh_client.create_job(HELLO).job.id or ""
    with pytest.raises(JobNotReadyError) as caught:
        fresh_client.get_job_results(job_id)
    assert caught.value.state == JobState["NEW"]
    assert "is NEW" in str(caught.value) and "COMPLETE" in str(caught.value)
    assert "400" not in str(caught.value).replace(job_id, "")  # not the service's 400


def test_results_of_a_failed_job_say_it_failed(fresh_client: Client) -> None:
    job_id = fresh_client.create_job({"templateId": "sandbox-failing-template"}).job.id or ""
    fresh_client.run_job(job_id)
    fresh_client.wait_for_job(job_id, interval=0.02, timeout=10)
    with pytest.raises(JobNotReadyError) as caught:
        fresh_client.get_job_results(job_id)
    assert caught.value.state == JobState["FAILED"]
    assert "FAILED" in str(caught.value) and "partitioner" in str(caught.value)


def test_results_of_an_unknown_job_are_not_found(fresh_client: Client) -> None:
    with pytest.raises(NotFoundError):
        fresh_client.get_job_results("no-such-job")


def test_results_list_names_and_signed_links(
    fresh_client: Client, fresh_server: sandbox.SandboxServer
) -> None:
    job_id = completed(fresh_client)
    results = fresh_client.get_job_results(job_id)
    assert results.job_id == job_id
    assert results.names == [
        "out_0/preview.png",
        "out_0/summary.json",
        "out_0/metrics.csv",
        "out_0/result.txt",
    ]
    link = results.files[0].link or ""
    assert link.startswith(fresh_server.url) and "X-Signature=" in link
    assert link not in repr(results) and link not in str(results)
    assert link not in repr(results.files[0]) and link not in str(results.files[0])


def test_results_parse_leniently() -> None:
    results = JobResults.from_wire(
        {"results": [{"name": "a.txt", "link": "https://s/a", "etag": "x"}, {}, "junk"]}, "j"
    )
    assert [f.name for f in results.files] == ["a.txt", ""]
    assert results.files[0].model_extra == {"etag": "x"} and results.files[1].link is None
    assert (
        JobResults.from_wire(None).files == []
        and JobResults.from_wire({"results": None}).files == []
    )
    assert JobResults.from_wire([{"name": "b", "size": "12"}]).files[0].size == 12


# -- downloads -------------------------------------------------------------------------


def test_download_writes_real_files_in_subfolders(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    job_id = completed(fresh_client)
    dest = tmp_path / "out"  # created: its parent exists
    paths = fresh_client.download_results(job_id, dest)
    assert [p.relative_to(dest).as_posix() for p in paths] == [
        "out_0/preview.png",
        "out_0/summary.json",
        "out_0/metrics.csv",
        "out_0/result.txt",
    ]
    assert (
        dest / "out_0/result.txt"
    ).read_text() == "hello from the bytenite sandbox\n(chunk 0 of 1)\n"
    assert (dest / "out_0/preview.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in (dest / "out_0").iterdir()) == sorted(p.name for p in paths)
    no_token_reached_storage(fresh_server)


def test_existing_files_need_overwrite_and_nothing_is_fetched(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    job_id = completed(fresh_client)
    (tmp_path / "out_0").mkdir()
    (tmp_path / "out_0/result.txt").write_text("mine")
    with pytest.raises(LocalPathError) as caught:
        fresh_client.download_results(job_id, tmp_path)
    assert "already exists" in str(caught.value) and "overwrite=True" in str(caught.value)
    assert (tmp_path / "out_0/result.txt").read_text() == "mine"
    assert fresh_server.sandbox.storage.requests == []  # nothing was downloaded
    assert sorted(p.name for p in (tmp_path / "out_0").iterdir()) == ["result.txt"]
    fresh_client.download_results(job_id, tmp_path, overwrite=True)
    assert (tmp_path / "out_0/result.txt").read_text().startswith("hello from")


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot write to (root ignores modes: use /proc/sys)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    return folder if not os.access(folder, os.W_OK) else Path("/proc/sys")


@pytest.mark.parametrize("case", ["a file", "missing parent", "not writable"])
def test_a_bad_destination_is_refused_before_anything_is_sent(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path, case: str
) -> None:
    job_id = completed(fresh_client)
    before = len(fresh_server.sandbox.requests)
    if case == "a file":
        dest = tmp_path / "file.txt"
        dest.write_text("x")
        fragment = "is a file, not a folder"
    elif case == "missing parent":
        dest = tmp_path / "typo" / "out"
        fragment = "does not exist"
    else:
        dest = unwritable_folder(tmp_path) / "out"
        fragment = "not writable"
    with pytest.raises(LocalPathError) as caught:
        fresh_client.download_results(job_id, dest)
    assert fragment in str(caught.value)
    assert len(fresh_server.sandbox.requests) == before  # not even the results list
    assert not dest.exists() or dest.is_file()


def test_a_file_where_a_result_folder_goes_is_refused(fresh_client: Client, tmp_path: Path) -> None:
    job_id = completed(fresh_client)
    (tmp_path / "out_0").write_text("in the way")
    with pytest.raises(LocalPathError, match="is a file where a result folder should be"):
        fresh_client.download_results(job_id, tmp_path, overwrite=True)


@pytest.mark.parametrize("name", ["../evil.txt", "out/../../evil.txt", "/etc/evil", "C:/evil"])
def test_result_names_that_escape_dest_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(LocalPathError, match="outside"):
        result_target(tmp_path, name)
    results = JobResults.from_wire(
        {
            "results": [
                {"name": "ok.txt", "link": "https://s/1"},
                {"name": name, "link": "https://s/2"},
            ]
        }
    )
    with pytest.raises(LocalPathError):
        plan_downloads(results, tmp_path, overwrite=False)
    assert list(tmp_path.iterdir()) == []


def test_an_escaping_name_from_the_service_writes_nothing(tmp_path: Path) -> None:
    """A fault the sandbox cannot produce: a results list with a hostile name."""
    fetched: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        fetched.append(request.url.path)
        if request.url.path.endswith("/results"):
            names = ["out_0/a.txt", "../../escape.txt"]
            return httpx.Response(
                200,
                json={
                    "results": [{"name": n, "link": f"https://st/{i}"} for i, n in enumerate(names)]
                },
            )
        return httpx.Response(200, content=b"data")

    with Client(
        access_token="t", base_url="https://api.test/v1", transport=httpx.MockTransport(answer)
    ) as c:
        with pytest.raises(LocalPathError, match="outside"):
            c.download_results("job", tmp_path / "out")
    assert fetched == ["/v1/customer/jobs/job/results"]
    assert not (tmp_path / "out").exists() and not (tmp_path / "escape.txt").exists()


def test_download_goes_to_a_temporary_name_then_is_renamed(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    fresh_server.sandbox.storage.big_result_bytes = 8 * 1024 * 1024
    job_id = completed(fresh_client)
    target = tmp_path / "out_0" / "big.bin"
    seen: list[tuple[bool, list[str]]] = []

    def watch(progress: Progress) -> None:
        if progress.label == "out_0/big.bin" and not progress.finished:
            seen.append((target.exists(), [p.name for p in target.parent.iterdir()]))

    fresh_client.download_results(job_id, tmp_path, progress=watch)
    assert seen and all(not exists for exists, _ in seen)
    assert any(
        any(n.startswith(".big.bin.") and n.endswith(".part") for n in names) for _, names in seen
    )
    assert target.stat().st_size == 8 * 1024 * 1024
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".part")]


def test_an_interrupted_download_leaves_nothing(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    fresh_server.sandbox.storage.big_result_bytes = 8 * 1024 * 1024

    def interrupt(progress: Progress) -> None:
        # Updates are throttled (4/s): the first one comes with the first bytes.
        if progress.label == "out_0/big.bin" and progress.done and not progress.finished:
            raise KeyboardInterrupt

    job_id = completed(fresh_client)
    with pytest.raises(KeyboardInterrupt):
        fresh_client.download_results(job_id, tmp_path, progress=interrupt)
    names = sorted(p.name for p in (tmp_path / "out_0").iterdir())
    assert names == ["metrics.csv", "preview.png", "result.txt", "summary.json"]  # whole ones


def test_a_broken_connection_is_retried_then_leaves_nothing(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    storage = fresh_server.sandbox.storage
    storage.big_result_bytes = 2 * 1024 * 1024
    job_id = completed(fresh_client)
    results = fresh_client.get_job_results(job_id)
    # Cut once: the retry completes the file, byte for byte.
    storage.faults.cut(after=100_000, times=1)
    fresh_client.download_results(job_id, tmp_path / "a")
    expected = hashlib.sha256(b"".join(big_chunks(2 * 1024 * 1024))).hexdigest()
    assert hashlib.sha256((tmp_path / "a/out_0/big.bin").read_bytes()).hexdigest() == expected
    # Cut every time: one typed error, no file, no temp file, no signature in the message.
    storage.faults.cut(after=100_000, times=1000)
    with pytest.raises(ByteNiteConnectionError) as caught:
        fresh_client.download_results(job_id, tmp_path / "b")
    left = sorted(p.name for p in (tmp_path / "b/out_0").iterdir())
    assert left == ["metrics.csv", "preview.png", "result.txt", "summary.json"]  # whole ones
    assert "X-Signature" not in str(caught.value)
    assert (results.files[0].link or "?") not in str(caught.value)


def test_a_download_of_a_100_mb_file_streams(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    fresh_server.sandbox.storage.big_result_bytes = BIG
    job_id = completed(fresh_client)
    tracemalloc.start()
    try:
        paths = fresh_client.download_results(job_id, tmp_path, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    big = tmp_path / "out_0/big.bin"
    assert big in paths and big.stat().st_size == BIG
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MB"
    digest = hashlib.sha256()
    with open(big, "rb") as stream:
        while piece := stream.read(1 << 20):
            digest.update(piece)
    expected = hashlib.sha256()
    for piece in big_chunks(BIG):
        expected.update(piece)
    assert digest.hexdigest() == expected.hexdigest()
    no_token_reached_storage(fresh_server)


# -- previews ---------------------------------------------------------------------------


def test_previews_fetch_capped_heads_without_the_token(
    fresh_client: Client, fresh_server: sandbox.SandboxServer
) -> None:
    fresh_server.sandbox.storage.big_result_bytes = 4 * 1024 * 1024
    job_id = completed(fresh_client)
    results = fresh_client.preview_results(job_id, max_bytes=1024)
    by_name = {f.name: f for f in results.files}
    assert by_name["out_0/preview.png"].head_complete
    assert (by_name["out_0/preview.png"].head or b"").startswith(b"\x89PNG")
    assert by_name["out_0/result.txt"].head == b"hello from the bytenite sandbox\n(chunk 0 of 1)\n"
    assert by_name["out_0/big.bin"].head is None  # no preview kind: not fetched
    assert all(f.size is not None for n, f in by_name.items() if n != "out_0/big.bin")
    no_token_reached_storage(fresh_server)
    html = results._repr_mimebundle_()["text/html"]
    assert "data:image/png;base64," in html and "hello from the bytenite sandbox" in html


# -- uploads ------------------------------------------------------------------------------


def test_upload_then_run_uses_the_file(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "input.txt"
    source.write_text("Shout This\n")
    created = fresh_client.create_job(FILE_JOB)
    with pytest.raises(BadRequestError, match="has not been uploaded"):
        fresh_client.run_job(created.job.id or "")
    assert fresh_client.upload_file(created, source)["ok"] is True
    upload = fresh_server.sandbox.storage.uploads[created.job.id or ""]
    assert upload.completed and upload.sha256 == hashlib.sha256(b"Shout This\n").hexdigest()
    fresh_client.run_job(created.job.id or "")
    fresh_client.wait_for_job(created.job.id or "", interval=0.02, timeout=10)
    paths = fresh_client.download_results(created.job.id or "", tmp_path / "out")
    assert (tmp_path / "out/out_0/result.txt").read_text().startswith("SHOUT THIS\n")
    assert len(paths) == 4
    no_token_reached_storage(fresh_server)


@pytest.mark.parametrize("form", ["id", "job", "response"])
def test_upload_takes_an_id_a_job_or_a_response(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path, form: str
) -> None:
    source = tmp_path / "in.bin"
    source.write_bytes(b"\x00\x01" * 1000)
    created = fresh_client.create_job(FILE_JOB)
    job = {"id": created.job.id, "job": created.job, "response": created}[form]
    fresh_client.upload_file(job, source)  # type: ignore[arg-type]
    assert fresh_server.sandbox.storage.uploads[created.job.id or ""].size == 2000


@pytest.mark.parametrize("case", ["missing", "folder"])
def test_a_bad_upload_path_sends_nothing(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path, case: str
) -> None:
    created = fresh_client.create_job(FILE_JOB)
    before = len(fresh_server.sandbox.requests)
    path = tmp_path / "nope.txt" if case == "missing" else tmp_path
    with pytest.raises(LocalPathError) as caught:
        fresh_client.upload_file(created, path)
    assert ("no such file" if case == "missing" else "is a folder") in str(caught.value)
    assert caught.value.path == str(path)
    assert len(fresh_server.sandbox.requests) == before
    assert fresh_server.sandbox.storage.requests == []


def test_upload_to_a_job_without_a_file_source_sends_nothing(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x")
    created = fresh_client.create_job(HELLO)
    with pytest.raises(PayloadError) as caught:
        fresh_client.upload_file(created.job.id or "", source)
    assert caught.value.errors[0]["field"] == "dataSource.dataSourceDescriptor"
    assert fresh_server.sandbox.storage.requests == []
    assert (
        fresh_server.sandbox.count("PATCH", f"/customer/jobs/{created.job.id}/uploadcompleted") == 0
    )


def test_an_expired_temp_url_is_one_typed_error(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x" * 100_000)
    created = fresh_client.create_job(FILE_JOB)
    fresh_server.sandbox.storage.expire_uploads()
    with pytest.raises(PermissionDeniedError) as caught:
        fresh_client.upload_file(created, source)
    message = str(caught.value)
    assert "expired" in message and "X-Signature" not in message
    temp_url = (created.job.data_source.params or {})["tempUrl"] if created.job.data_source else ""
    assert temp_url and temp_url not in message
    assert (
        fresh_server.sandbox.count("PATCH", f"/customer/jobs/{created.job.id}/uploadcompleted") == 0
    )
    assert created.job.id not in fresh_server.sandbox.storage.uploads


def test_an_upload_of_a_16_mb_file_streams(
    fresh_client: Client, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "big.bin"
    digest = hashlib.sha256()
    with open(source, "wb") as stream:
        for piece in big_chunks(STREAMED):
            stream.write(piece)
            digest.update(piece)
    created = fresh_client.create_job(FILE_JOB)
    tracemalloc.start()
    try:
        fresh_client.upload_file(created, source, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    upload = fresh_server.sandbox.storage.uploads[created.job.id or ""]
    assert upload.size == STREAMED and upload.sha256 == digest.hexdigest() and upload.completed
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MB"
    no_token_reached_storage(fresh_server)


def test_storage_urls_refuse_a_token(
    fresh_client: Client, fresh_server: sandbox.SandboxServer
) -> None:
    """The sandbox behaves like a storage host: a leaked token fails loudly."""
    job_id = completed(fresh_client)
    link = fresh_client.get_job_results(job_id).files[0].link or ""
    answer = httpx.get(link, headers={"Authorization": "sbx.some-token"})
    assert answer.status_code == 400 and "auth mechanism" in answer.text
    assert httpx.get(link.split("?")[0]).status_code == 403  # unsigned
    assert fresh_server.sandbox.storage.authorization_refused == 1


# -- progress --------------------------------------------------------------------------------


def test_progress_line_on_stderr(
    fresh_client: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("y" * 300_000)
    fresh_client.upload_file(fresh_client.create_job(FILE_JOB), source, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\r") and err.endswith("\n") and err.count("\n") == 1
    last = err.rsplit("\r", 1)[-1]
    assert "in.txt" in last and "300.0 kB / 300.0 kB" in last and "100%" in last and "/s" in last
    fresh_client.upload_file(fresh_client.create_job(FILE_JOB), source, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_callable_sees_the_bytes(fresh_client: Client, tmp_path: Path) -> None:
    job_id = completed(fresh_client)
    seen: list[Progress] = []
    fresh_client.download_results(job_id, tmp_path, progress=seen.append)
    finals = [p for p in seen if p.finished]
    assert [p.label for p in finals] == [
        "out_0/preview.png",
        "out_0/summary.json",
        "out_0/metrics.csv",
        "out_0/result.txt",
    ]
    assert all(p.done == p.total and p.fraction == 1.0 and not p.failed for p in finals)


# -- async -----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_async_results_download_and_upload(
    aclient: AsyncClient, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    created = await aclient.create_job(FILE_JOB)
    job_id = created.job.id or ""
    with pytest.raises(JobNotReadyError) as caught:
        await aclient.get_job_results(job_id)
    assert caught.value.state == JobState["NEW"]
    source = tmp_path / "in.txt"
    source.write_text("async input\n")
    with pytest.raises(LocalPathError):
        await aclient.upload_file(created, tmp_path / "missing.txt")
    await aclient.upload_file(created, source)
    await aclient.run_job(job_id)
    await aclient.wait_for_job(job_id, interval=0.02, timeout=10)
    paths = await aclient.download_results(job_id, tmp_path / "out")
    assert (tmp_path / "out/out_0/result.txt").read_text().startswith("ASYNC INPUT\n")
    assert len(paths) == 4
    with pytest.raises(LocalPathError, match="already exists"):
        await aclient.download_results(job_id, tmp_path / "out")
    previewed = await aclient.preview_results(job_id)
    assert previewed.files[0].head_complete
    no_token_reached_storage(fresh_server)


@pytest.mark.anyio
async def test_async_streams_16_mb_both_ways(
    aclient: AsyncClient, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    fresh_server.sandbox.storage.big_result_bytes = STREAMED
    created = await aclient.create_job(HELLO)
    await aclient.run_job(created.job.id or "")
    await aclient.wait_for_job(created.job.id or "", interval=0.02, timeout=10)
    tracemalloc.start()
    try:
        await aclient.download_results(created.job.id or "", tmp_path, progress=False)
        big = tmp_path / "out_0/big.bin"
        upload_job = await aclient.create_job(FILE_JOB)
        await aclient.upload_file(upload_job, big, progress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert big.stat().st_size == STREAMED
    assert fresh_server.sandbox.storage.uploads[upload_job.job.id or ""].size == STREAMED
    assert peak < MEMORY_BOUND, f"peak {peak / 2**20:.1f} MB"
    no_token_reached_storage(fresh_server)


@pytest.mark.anyio
async def test_async_interrupted_download_leaves_nothing(
    aclient: AsyncClient, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    fresh_server.sandbox.storage.big_result_bytes = 4 * 1024 * 1024
    created = await aclient.create_job(HELLO)
    await aclient.run_job(created.job.id or "")
    await aclient.wait_for_job(created.job.id or "", interval=0.02, timeout=10)
    fresh_server.sandbox.storage.faults.cut(after=50_000, times=1000)
    with pytest.raises(ByteNiteConnectionError):
        await aclient.download_results(created.job.id or "", tmp_path)
    left = sorted(p.name for p in (tmp_path / "out_0").iterdir())
    assert left == ["metrics.csv", "preview.png", "result.txt", "summary.json"]  # no big.bin


def test_no_signature_reaches_a_debug_log_line(
    fresh_client: Client, tmp_path: Path, debug_logs: pytest.LogCaptureFixture
) -> None:
    job_id = completed(fresh_client)
    fresh_client.download_results(job_id, tmp_path)
    lines = [r.getMessage() for r in debug_logs.records if r.name == "bytenite_nb"]
    storage = [line for line in lines if "/_results/" in line]
    assert storage, lines  # the downloads were logged
    assert not any("X-Signature" in line for line in lines), storage
