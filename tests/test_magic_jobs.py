"""``%bytenite jobs / logs / abort / delete`` through a real shell, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.magic._commands import help_text
from bytenite_nb.models import JobState

HELLO = {"templateId": "hello-world-template", "name": "demo"}


def line(ip: InteractiveShell, text: str) -> Any:
    """Run ``%bytenite text`` like a notebook cell; (result, captured)."""
    with capture_output() as captured:
        result = ip.run_cell(f"%bytenite {text}")
    return result, captured


def html_of(captured: Any) -> str:
    return "\n".join(o.data.get("text/html", "") for o in captured.outputs)


@pytest.fixture
def client(fresh_server: sandbox.SandboxServer) -> Any:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as c:
        yield c


def test_help_lists_the_new_commands() -> None:
    text = help_text()
    for usage in (
        "%bytenite jobs [--limit N] [--offset N]",
        "%bytenite logs JOB_ID [--level L] [--service S]",
        "%bytenite abort JOB_ID",
        "%bytenite delete JOB_ID",
    ):
        assert usage in text
    assert "--level warn,error" in text


def test_jobs_shows_the_table(shell: InteractiveShell, client: Client) -> None:
    for i in range(3):
        client.create_job({**HELLO, "name": f"job-{i}"})
    result, captured = line(shell, "jobs --limit 2")
    assert result.success and len(captured.outputs) == 1
    text = captured.outputs[0].data["text/plain"]
    assert text.startswith("ByteNite jobs 1–2 of 3, newest first")
    assert "job-2" in text and "job-1" in text and "job-0" not in text
    assert "--offset 2 --limit 2" in text
    assert 'class="bn-card bn-jobs-card"' in html_of(captured)
    result, captured = line(shell, "jobs --offset 2")
    assert "job-0" in captured.outputs[0].data["text/plain"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("jobs --limit 0", "%bytenite jobs: --limit: must be a whole number from 1 to 100"),
        ("jobs --limit 101", "got 101"),
        ("jobs --offset -1", "%bytenite jobs: --offset: must be a whole number >= 0"),
        ("jobs --limit many", "argument --limit: invalid int value: 'many'"),
        (
            "logs J --level verbose",
            "%bytenite logs: --level: 'verbose' is not a log level; use one of UNKNOWN, TRACE, "
            "DEBUG, INFO, WARN, ERROR, FATAL, PANIC",
        ),
        ("logs J --service merger", "--service: 'merger' is not a service that writes logs"),
        ("logs", "the following arguments are required: JOB_ID"),
        ("abort", "the following arguments are required: JOB_ID"),
        ("delete a b", "unrecognized arguments: b"),
    ],
)
def test_bad_lines_fail_with_one_line_and_send_nothing(
    shell: InteractiveShell,
    fresh_server: sandbox.SandboxServer,
    text: str,
    fragment: str,
) -> None:
    with pytest.raises(UsageError) as info:
        shell.run_line_magic("bytenite", text)
    assert fragment in str(info.value) and "\n" not in str(info.value)
    assert fresh_server.sandbox.requests == []


def test_logs_shows_the_view_filtered(shell: InteractiveShell, client: Client) -> None:
    job_id = client.create_job({**HELLO, "config": {"isTestJob": True}}).job.id or ""
    client.run_job(job_id)
    client.wait_for_job(job_id, interval=0.05)
    result, captured = line(shell, f"logs {job_id}")
    assert result.success
    text = captured.outputs[0].data["text/plain"]
    assert text.startswith(f"ByteNite logs of job {job_id}: ")
    assert "== partitioner ==" in text and "== assembler ==" in text
    assert "levels shown: all" in html_of(captured)

    result, captured = line(shell, f"logs {job_id} --level WARN,info --level error")
    text = captured.outputs[0].data["text/plain"]
    assert "levels: WARN, INFO, ERROR" in text and "DEBUG" not in text.split("\n", 1)[1]
    assert "WARN  " in text and "INFO  " in text

    result, captured = line(shell, f"logs {job_id} --service taskrunner --service Assembler")
    text = captured.outputs[0].data["text/plain"]
    assert "services: taskrunner, assembler" in text and "== partitioner ==" not in text


def test_logs_of_an_unknown_job_fails_with_the_card(shell: InteractiveShell) -> None:
    result, captured = line(shell, "logs no-such-job")
    assert not result.success and isinstance(result.error_in_exec, UsageError)
    assert "NotFoundError" in str(result.error_in_exec)
    assert "no-such-job" in str(result.error_in_exec)
    assert "bn-error" in html_of(captured)


def test_abort_a_running_job_shows_it_failed(shell: InteractiveShell) -> None:
    slow = sandbox.start(step_seconds=5)
    try:
        with Client(slow.api_key, base_url=slow.url) as client:
            job_id = client.create_job(HELLO).job.id or ""
            client.run_job(job_id)
            shell.run_line_magic("config", f"ByteNiteMagics.base_url = {slow.url!r}")
            result, captured = line(shell, f"abort {job_id}")
            assert result.success
            assert "ByteNite job 'demo' [FAILED" in captured.outputs[0].data["text/plain"]
            assert client.get_job(job_id).job.state is JobState["FAILED"]
            result, captured = line(shell, f"abort {job_id}")
            assert not result.success
            message = str(result.error_in_exec)
            assert "BadRequestError" in message and "has already ended (FAILED)" in message
    finally:
        slow.stop()


def test_abort_a_draft_deletes_it(shell: InteractiveShell, client: Client) -> None:
    job_id = client.create_job(HELLO).job.id or ""
    result, captured = line(shell, f"abort {job_id}")
    assert result.success
    assert captured.stdout.strip() == f"Job {job_id} had not been started, so it was deleted."
    assert client.list_jobs().jobs == []


def test_delete(shell: InteractiveShell, client: Client) -> None:
    job_id = client.create_job(HELLO).job.id or ""
    result, captured = line(shell, f"delete {job_id}")
    assert result.success and captured.stdout.strip() == f"Deleted job {job_id}."
    result, captured = line(shell, f"delete {job_id}")
    assert not result.success
    assert f"job '{job_id}' not found" in str(result.error_in_exec)
