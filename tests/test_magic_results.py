"""``%bytenite results`` and ``%%bytenite --upload`` through a real InteractiveShell."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.errors import LocalPathError
from bytenite_nb.magic._commands import COMMANDS, help_text
from bytenite_nb.models import JobResponse, JobState

HELLO = "templateId: hello-world-template\nname: demo\n"


def cell(ip: InteractiveShell, line: str, body: str) -> tuple[Any, Any]:
    with capture_output() as captured:
        result = ip.run_cell(f"%%bytenite {line}\n{body}")
    return result, captured


def line(ip: InteractiveShell, text: str) -> tuple[Any, Any]:
    with capture_output() as captured:
        result = ip.run_cell(f"%bytenite {text}")
    return result, captured


def texts(captured: Any) -> str:
    parts = [captured.stdout, captured.stderr]
    for out in captured.outputs:
        parts.extend(str(v) for v in out.data.values())
    return "\n".join(parts)


def completed_job(srv: sandbox.SandboxServer) -> str:
    with Client(srv.api_key, base_url=srv.url) as client:
        job_id = client.create_job({"templateId": "hello-world-template"}).job.id or ""
        client.run_job(job_id)
        client.wait_for_job(job_id, interval=0.02, timeout=10)
    return job_id


def test_help_lists_results_and_upload() -> None:
    assert "results" in COMMANDS
    text = help_text()
    assert "%bytenite results JOB_ID [--download DIR] [--overwrite] [--preview] [--links]" in text
    assert "--upload PATH" in text


def test_results_shows_the_card_without_links(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    job_id = completed_job(fresh_server)
    result, captured = line(shell, f"results {job_id}")
    assert result.success
    out = texts(captured)
    assert "out_0/result.txt" in out and "links hidden" in out
    assert "X-Signature" not in out and "/_results/" not in out
    assert fresh_server.sandbox.storage.requests == []  # nothing fetched without --preview


def test_results_preview_download_and_links(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    job_id = completed_job(fresh_server)
    dest = tmp_path / "out"
    result, captured = line(shell, f"results {job_id} --download {dest} --preview --links")
    assert result.success
    out = texts(captured)
    assert "Downloaded 4 files to" in out
    assert (dest / "out_0/preview.png").read_bytes().startswith(b"\x89PNG")
    html = captured.outputs[-1].data["text/html"]
    assert "data:image/png;base64," in html and "X-Signature" in html  # asked for
    assert not any(carried for _, _, carried in fresh_server.sandbox.storage.requests)
    # Again without --overwrite: one typed error, the files untouched.
    result, captured = line(shell, f"results {job_id} --download {dest}")
    assert not result.success and "already exists" in texts(captured)
    result, _ = line(shell, f"results {job_id} --download {dest} --overwrite")
    assert result.success


def test_results_before_completion_fail_the_cell_with_the_state(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        job_id = client.create_job({"templateId": "hello-world-template"}).job.id
    result, captured = line(shell, f"results {job_id}")
    assert not result.success
    out = texts(captured)
    assert "No results yet" in out and "is NEW" in out and "COMPLETE" in out


def test_upload_creates_uploads_and_runs(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "words.txt"
    source.write_text("Quiet Words\n")
    result, captured = cell(shell, f"up --upload {source} --wait -q", HELLO)
    assert result.success, texts(captured)
    response = shell.user_ns["up"]
    assert isinstance(response, JobResponse) and response.job.state == JobState["COMPLETE"]
    assert response.job.data_source and response.job.data_source.data_source_descriptor == "file"
    upload = fresh_server.sandbox.storage.uploads[response.job.id or ""]
    assert upload.completed and upload.size == len("Quiet Words\n")
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        client.download_results(response.job.id or "", tmp_path / "out")
    assert (tmp_path / "out/out_0/result.txt").read_text().startswith("QUIET WORDS")


@pytest.mark.parametrize("kind", ["missing", "folder"])
def test_a_bad_upload_path_sends_nothing(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "missing.txt" if kind == "missing" else tmp_path
    result, captured = cell(shell, f"job --upload {path}", HELLO)
    assert not result.success
    assert isinstance(shell.user_ns["job"], LocalPathError)
    assert ("no such file" if kind == "missing" else "is a folder") in texts(captured)
    assert fresh_server.sandbox.requests == []


def test_upload_needs_a_file_source_and_no_curl(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x")
    body = HELLO + "dataSource:\n  dataSourceDescriptor: url\n  params: {url: 'https://x.test/a'}\n"
    result, captured = cell(shell, f"--upload {source}", body)
    assert not result.success and "needs a 'file' data source" in texts(captured)
    result, captured = cell(shell, f"--upload {source} --curl", HELLO)
    assert not result.success and "--curl" in texts(captured)
    assert fresh_server.sandbox.requests == []


def test_upload_dry_run_checks_but_sends_nothing(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x")
    result, _ = cell(shell, f"job --upload {source} --dry-run -q", HELLO)
    assert result.success
    assert shell.user_ns["job"].to_payload()["dataSource"]["dataSourceDescriptor"] == "file"
    assert fresh_server.sandbox.requests == []


def test_a_failed_upload_says_the_job_exists(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, tmp_path: Path
) -> None:
    source = tmp_path / "in.txt"
    source.write_text("x")
    fresh_server.sandbox.storage.expire_uploads()
    result, captured = cell(shell, f"job --upload {source} --run", HELLO)
    assert not result.success
    out = texts(captured)
    assert "was created, but its input was not uploaded" in out and "expired" in out
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 1
    assert not any(p.endswith("/run") for _, p in fresh_server.sandbox.requests)
