"""The magic line: options that contradict each other, options given twice, variable
names that are keywords, random lines; and the stop button between create and watch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import sandbox
from bytenite_nb.client._submit import ClientFlows
from bytenite_nb.magic._options import CELL_EXCLUSIVE, Parser, cell_parser
from bytenite_nb.models import CreateJobRequest, JobResponse

HELLO = "templateId: hello-world-template\nname: demo\n"
EXAMPLES = max(10, settings.default.max_examples // 4)


def refusal(ip: InteractiveShell, line: str, cell: str = HELLO) -> str:
    with capture_output() as captured:
        result = ip.run_cell(f"%%bytenite {line}\n{cell}")
    assert not result.success
    assert isinstance(result.error_in_exec, UsageError), repr(result.error_in_exec)
    assert "Traceback" not in captured.stdout + captured.stderr
    message = str(result.error_in_exec)
    assert "\n" not in message
    return message


# -- contradictions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("job --dry-run --run", ("--dry-run", "--run")),
        ("job --wait --dry-run", ("--dry-run", "--wait")),
        ("--dry-run --run --wait", ("--dry-run", "--run or --wait")),
        ("--curl --dry-run", ("--curl", "--dry-run")),
        ("--run --curl", ("--curl", "--run")),
        ("--curl --wait", ("--curl", "--wait")),
    ],
)
def test_options_that_contradict_each_other_are_refused(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, line: str, named: tuple[str, ...]
) -> None:
    message = refusal(shell, line)
    assert all(name in message for name in named) and "cannot be combined" in message
    assert fresh_server.sandbox.requests == []
    assert "job" not in shell.user_ns


def test_the_exclusive_table_is_symmetric_in_effect() -> None:
    parser = cell_parser()  # the real one, with every option the magic has
    values = {"--upload": ["in.txt"], "--sweep": ["{}"]}

    def given(option: str) -> list[str]:
        return [option, *values.get(option, [])]

    for option, (excluded, _) in CELL_EXCLUSIVE.items():
        for other in excluded:
            for words in (given(option) + given(other), given(other) + given(option)):
                with pytest.raises(UsageError, match="cannot be combined"):
                    parser.parse_args(words)
    assert parser.parse_args(["--run", "--wait"]).wait  # --wait implies --run: no clash


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("--name a --name b", "--name is given 2 times"),
        ("--name=a --name b", "--name is given 2 times"),
        ("job --test --test", "--test is given 2 times"),
        ("--dry-run --dry-run", "--dry-run is given 2 times"),
        ("-q --quiet", "-q/--quiet is given 2 times"),
        ("-qq", "-q/--quiet is given 2 times"),
        ("--task-timeout 1h --task-timeout 2h --task-timeout 3h", "--task-timeout is given 3"),
    ],
)
def test_an_option_given_twice_is_refused(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, line: str, named: str
) -> None:
    assert named in refusal(shell, line)
    assert fresh_server.sandbox.requests == []


def test_the_repeat_check_is_generic_new_options_and_line_commands_get_it(
    shell: InteractiveShell,
) -> None:
    parser = Parser("%%bytenite")
    parser.add_argument("--upload", metavar="PATH")  # added later, elsewhere
    parser.add_argument("--concurrency", type=int)
    with pytest.raises(UsageError, match="--upload is given 2 times"):
        parser.parse_args(["--upload", "a", "--upload=b"])
    with pytest.raises(UsageError, match="--concurrency is given 2 times"):
        parser.parse_args(["--concurrency", "2", "--concurrency", "3"])
    with pytest.raises(UsageError, match="--stop is given 2 times"):
        shell.run_line_magic("bytenite", "sandbox --stop --stop")


# -- variable names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["class", "None", "True", "lambda", "def", "async", "await"])
def test_a_keyword_is_not_a_variable_name(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, name: str
) -> None:
    assert f"{name!r} is a Python keyword" in refusal(shell, f"{name} --dry-run")
    assert fresh_server.sandbox.requests == []


@pytest.mark.parametrize("name", ["match", "case", "type"])
def test_soft_keywords_are_variable_names(shell: InteractiveShell, name: str) -> None:
    with capture_output():
        result = shell.run_cell(f"%%bytenite {name} --dry-run -q\n{HELLO}")
    assert result.success
    assert isinstance(shell.user_ns[name], CreateJobRequest)


# -- random lines ---------------------------------------------------------------------------

WORDS = [
    "job",
    "class",
    "1x",
    "--dry-run",
    "--run",
    "--wait",
    "--curl",
    "--test",
    "-q",
    "--quiet",
    "-qh",
    "--name",
    "--name=x",
    "--template",
    "--task-timeout",
    "--job-timeout",
    "90s",
    "soon",
    "-1",
    "--",
    "--nope",
    "--api-key=abc",
    "'unclosed",
    '"a b"',
    "é",
    "x" * 500,
]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(WORDS), max_size=7))
def test_any_line_gives_a_result_or_one_usage_error_line(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, words: list[str]
) -> None:
    with capture_output() as captured:
        result = shell.run_cell(f"%%bytenite --dry-run {' '.join(words)}\n{HELLO}")
    if not result.success:
        error = result.error_in_exec
        assert isinstance(error, UsageError), repr(error)
        assert "\n" not in str(error) and len(str(error)) <= 400
    assert "Traceback" not in captured.stdout + captured.stderr
    assert fresh_server.sandbox.requests == []


# -- the stop button between create and watch -----------------------------------------------


def interrupt(*args: Any, **kwargs: Any) -> Iterator[Any]:
    """A flow stopped by the stop button at its first step."""
    raise KeyboardInterrupt
    yield  # a generator, as every flow is


@pytest.mark.parametrize("step", ["_run_job", "_get_job"])
@pytest.mark.parametrize("line", ["job --wait", "job --run"])
def test_an_interrupt_after_the_create_keeps_the_job_and_says_how_to_go_on(
    shell: InteractiveShell,
    fresh_server: sandbox.SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
    line: str,
) -> None:
    """The stop button while the job is started, or its state read after: the
    job is kept in VAR and the cell says how to follow or abort it."""
    monkeypatch.setattr(ClientFlows, step, interrupt)
    with capture_output() as captured:
        result = shell.run_cell(f"%%bytenite {line}\n{HELLO}")
    assert not result.success
    assert isinstance(result.error_in_exec, UsageError)  # Run All stops here, no traceback
    job = shell.user_ns["job"]
    assert isinstance(job, JobResponse) and job.job.id
    assert f"%bytenite watch {job.job.id}" in captured.stdout
    assert f"%bytenite abort {job.job.id}" in captured.stdout
    assert "it is in `job`" in captured.stdout
    assert job.job.id in str(result.error_in_exec)
    assert "Traceback" not in captured.stdout + captured.stderr
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 1


def test_an_interrupt_during_the_create_says_the_job_may_exist(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ClientFlows, "_create_job", interrupt)
    message = refusal(shell, "job --wait")
    assert "interrupted while creating the job: it may have been created" in message


def test_an_option_meant_to_repeat_may_repeat() -> None:
    parser = Parser("p")
    parser.add_argument("--level", action="append")
    parser.add_argument("--name")
    assert parser.parse_args(["--level", "warn", "--level", "error"]).level == ["warn", "error"]
    with pytest.raises(UsageError, match="given 2 times"):
        parser.parse_args(["--name", "a", "--name", "b"])
