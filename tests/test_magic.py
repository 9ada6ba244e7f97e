"""The magics through a real InteractiveShell, against the sandbox on loopback."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import progress, sandbox
from bytenite_nb.config import restore_session, set_session
from bytenite_nb.errors import BadRequestError, PayloadError
from bytenite_nb.magic import ByteNiteMagics, find_pyproject_settings
from bytenite_nb.magic._body import deep_merge
from bytenite_nb.magic._commands import COMMANDS, help_text
from bytenite_nb.magic._options import cell_parser
from bytenite_nb.models import CreateJobRequest, JobResponse

HELLO = "templateId: hello-world-template\nname: demo\n"


def run(ip: InteractiveShell, line: str, cell: str) -> tuple[Any, Any]:
    """Run a %%bytenite cell like a notebook does; (result, captured output)."""
    with capture_output() as captured:
        result = ip.run_cell(f"%%bytenite {line}\n{cell}")
    return result, captured


def magics(ip: InteractiveShell) -> ByteNiteMagics:
    found: ByteNiteMagics = ip._bytenite_magics
    return found


def outputs(captured: Any) -> str:
    parts = [captured.stdout, captured.stderr]
    for out in captured.outputs:
        parts.extend(str(v) for v in out.data.values())
    return "\n".join(parts)


# -- success ------------------------------------------------------------------------


def test_create_shows_the_card_and_stores_the_response(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    result, captured = run(shell, "job", HELLO)
    assert result.success
    job = shell.user_ns["job"]
    assert isinstance(job, JobResponse) and job.job.name == "demo"
    assert len(captured.outputs) == 1
    assert "text/html" in captured.outputs[0].data
    assert "ByteNite job 'demo'" in captured.outputs[0].data["text/plain"]
    assert fresh_server.sandbox.count("POST", "/customer/jobs") == 1


def test_json_body_and_quiet(shell: InteractiveShell) -> None:
    result, captured = run(shell, "job -q", json.dumps({"templateId": "hello-world-template"}))
    assert result.success and captured.outputs == [] and captured.stdout == ""
    assert shell.user_ns["job"].job.template_id == "hello-world-template"


def test_dry_run_validates_and_sends_nothing(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    result, captured = run(shell, "draft --dry-run --test", HELLO)
    assert result.success
    draft = shell.user_ns["draft"]
    assert isinstance(draft, CreateJobRequest)
    assert draft.to_payload()["config"] == {"isTestJob": True}
    assert "Create-job payload" in captured.outputs[0].data["text/plain"]
    assert fresh_server.sandbox.requests == []


def test_run_option_starts_the_job(shell: InteractiveShell) -> None:
    result, _ = run(shell, "job --run", HELLO)
    assert result.success
    assert shell.user_ns["job"].job.state.short_name != "NEW"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ('with "quotes"\nand: a newline', 'with "quotes"\nand: a newline'),
        (42, 42),
        (2.5, 2.5),
        (True, True),
        (None, None),
        ([1, "two", {"three": 3}], [1, "two", {"three": 3}]),
        (
            {"nested": {"k": [True, None]}, "x: y": "}}"},
            {"nested": {"k": [True, None]}, "x: y": "}}"},
        ),
    ],
    ids=["str", "str-hostile", "int", "float", "bool", "null", "list", "dict"],
)
def test_interpolation_inserts_one_json_value(
    shell: InteractiveShell, value: Any, expected: Any
) -> None:
    shell.user_ns["n"] = value
    result, _ = run(shell, "draft --dry-run", "templateId: t\nparams:\n  app:\n    v: {{ n }}\n")
    assert result.success, result.error_in_exec
    assert shell.user_ns["draft"].to_payload()["params"]["app"] == {"v": expected}


def test_escaped_braces_stay_literal(shell: InteractiveShell) -> None:
    result, _ = run(shell, "draft --dry-run", "templateId: t\nname: '\\{{ raw }}'\n")
    assert result.success
    assert shell.user_ns["draft"].to_payload()["name"] == "{{ raw }}"


def test_interpolation_in_a_json_body_and_expressions(shell: InteractiveShell) -> None:
    shell.user_ns["items"] = [1, 2, 3]
    body = '{"templateId": "t", "params": {"app": {"n": {{ len(items) * 2 }}, "l": {{items}}}}}'
    result, _ = run(shell, "draft --dry-run", body)
    assert result.success
    assert shell.user_ns["draft"].to_payload()["params"]["app"] == {"n": 6, "l": [1, 2, 3]}


def test_ipython_expansion_does_not_touch_the_line_or_body(shell: InteractiveShell) -> None:
    shell.user_ns["n"] = "EXPANDED"
    result, _ = run(
        shell, "draft --dry-run --name '{n} $n'", "templateId: t\ndescription: '{n} $n'\n"
    )
    assert result.success
    payload = shell.user_ns["draft"].to_payload()
    assert payload["name"] == "{n} $n" and payload["description"] == "{n} $n"


def test_options_override_body_which_overrides_defaults(shell: InteractiveShell) -> None:
    shell.run_cell("%config ByteNiteMagics.default_template = 'from-default'")
    shell.run_cell(
        "%config ByteNiteMagics.default_config = "
        "{'taskTimeout': 10, 'jobTimeout': 20, 'isTestJob': True}"
    )
    try:
        result, _ = run(shell, "draft --dry-run", "config: {jobTimeout: 30}\n")
        assert result.success
        assert shell.user_ns["draft"].to_payload() == {
            "templateId": "from-default",
            "config": {"taskTimeout": 10, "jobTimeout": 30, "isTestJob": True},
        }
        result, _ = run(
            shell,
            "draft --dry-run --template from-option --task-timeout 2h --job-timeout 90s --name N",
            "templateId: from-body\nname: body\nconfig: {jobTimeout: 30}\n",
        )
        assert result.success
        assert shell.user_ns["draft"].to_payload() == {
            "templateId": "from-option",
            "name": "N",
            "config": {"taskTimeout": 7200, "jobTimeout": 90, "isTestJob": True},
        }
    finally:
        magics(shell).default_template = None
        magics(shell).default_config = {}


def test_deep_merge() -> None:
    assert deep_merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": 3}, "d": {"x": 1}}) == {
        "a": {"b": 3, "c": 2},
        "d": {"x": 1},
    }


def test_curl_prints_the_command_with_a_token_placeholder(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    result, captured = run(shell, "--curl", 'templateId: t\nname: "it\'s"\n')
    assert result.success
    assert f"curl -X POST {fresh_server.url}/customer/jobs" in captured.stdout
    assert '-H "Authorization: $BYTENITE_ACCESS_TOKEN"' in captured.stdout
    words = shlex.split(captured.stdout.replace("\\\n", " "))
    assert json.loads(words[words.index("--data-raw") + 1]) == {"templateId": "t", "name": "it's"}
    assert fresh_server.sandbox.requests == []


# -- failures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "fragment"),
    [
        ("", "the cell body is empty"),
        ("   \n\n", "the cell body is empty"),
        ("templateId: [unclosed\n", "flow sequence at line 1, column 13"),
        ("templateId: t\n  bad indent: x\n", "malformed YAML at line 2"),
        ('{"templateId": "t",\n "name": }', "malformed JSON at line 2, column 10"),
        ("- a\n- b\n", "must be a mapping"),
        ("just a string\n", "must be a mapping"),
        ("templateId: {{ nothing_here }}\n", "name 'nothing_here' is not defined"),
        ("templateId: {{ 1/0 }}\n", "{{ 1/0 }} on line 1 raised ZeroDivisionError"),
        ("templateId: t\nname: {{ }}\n", "empty {{ }} on line 2"),
        ("templateId: t\nname: {{ object() }}\n", "not a JSON value"),
        ("templateId: t\napiKey: abc\n", "does not belong in the body"),
    ],
)
def test_bad_bodies_fail_the_cell_with_one_clear_message(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, cell: str, fragment: str
) -> None:
    with pytest.raises(UsageError, match=None) as info:
        shell.run_cell_magic("bytenite", "", cell)
    assert fragment in str(info.value)
    result, captured = run(shell, "", cell)
    assert not result.success
    assert isinstance(result.error_in_exec, UsageError)
    assert "Traceback" not in captured.stdout + captured.stderr
    assert fresh_server.sandbox.requests == []


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("--nope", "unrecognized arguments: --nope"),
        ("--task-timeout soon", "--task-timeout: 'soon' is not a duration"),
        ("1abc", "not a valid variable name"),
        ("--api-key=abc", "does not take credentials"),
        ("--token abc", "does not take credentials"),
        ("--name 'unclosed", "cannot read the line"),
    ],
)
def test_bad_lines_fail_with_one_clear_message(
    shell: InteractiveShell, line: str, fragment: str
) -> None:
    with pytest.raises(UsageError) as info:
        shell.run_cell_magic("bytenite", line, HELLO)
    assert fragment in str(info.value)


def test_unknown_fields_warn_with_a_suggestion(shell: InteractiveShell) -> None:
    result, captured = run(shell, "draft --dry-run", "templateId: t\ntemplateID: x\nnmae: y\n")
    assert result.success
    assert "unknown field 'templateID' (did you mean 'templateId'?)" in captured.stderr
    assert "unknown field 'nmae' (did you mean 'name'?)" in captured.stderr


def test_invalid_payload_shows_the_error_card_fails_and_stores_the_error(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    result, captured = run(shell, "bad", "templateId: t\nconfig: {taskTimeout: -1}\n")
    assert not result.success
    assert isinstance(result.error_in_exec, UsageError)
    assert "config.taskTimeout" in str(result.error_in_exec)
    assert isinstance(shell.user_ns["bad"], PayloadError)
    assert "config.taskTimeout" in captured.outputs[0].data["text/html"]
    assert fresh_server.sandbox.requests == []


def test_server_rejection_fails_the_cell_with_the_card(shell: InteractiveShell) -> None:
    result, captured = run(
        shell, "bad", "templateId: hello-world-template\nparams: {app: {case: sideways}}\n"
    )
    assert not result.success
    assert isinstance(shell.user_ns["bad"], BadRequestError)
    assert "INVALID_ARGUMENT" in captured.outputs[0].data["text/plain"]
    assert "BadRequestError: 400 Bad Request" in str(result.error_in_exec)


def test_long_errors_when_short_errors_is_off(shell: InteractiveShell) -> None:
    magics(shell).short_errors = False
    try:
        with pytest.raises(PayloadError):
            shell.run_cell_magic("bytenite", "", "templateId: ''\n")
    finally:
        magics(shell).short_errors = True


def test_no_secret_in_anything_the_magic_shows(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer
) -> None:
    canary = "canary-magic-key-0123456789abcdef"
    fresh_server.sandbox.api_key = canary
    before = set_session("test", api_key=canary)
    try:
        shown = []
        for line, cell in [
            ("job", HELLO),
            ("job --run", HELLO),
            ("--curl", HELLO),
            ("bad", "templateId: nope\n"),
        ]:
            _, captured = run(shell, line, cell)
            shown.append(outputs(captured))
        with capture_output() as captured:
            shell.run_line_magic("bytenite", "config")
        shown.append(outputs(captured))
        token = magics(shell).session().client()._token.value  # type: ignore[union-attr]
        for text in shown:
            assert canary not in text and token not in text
        assert "****" + canary[-4:] in shown[-1]
    finally:
        restore_session(before)


# -- line magic ---------------------------------------------------------------------------


def test_help_reads_like_cli_help(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_line_magic("bytenite", "--help")
    text = captured.stdout
    assert text.startswith("Create, run and watch ByteNite jobs from a notebook.")
    for name, command in COMMANDS.items():  # the help is built from the one table
        assert f"%bytenite {name} {command.usage()}".rstrip() in text
    for option in ("--dry-run", "--template ID", "--task-timeout DUR", "--curl", "{{ expr }}"):
        assert option in text
    with capture_output() as again:
        shell.run_cell_magic("bytenite", "--help", "\n")
    assert again.stdout == text


def every_option() -> list[tuple[str, str]]:
    """(option as the help writes it, its help text) of every parser of the magic."""
    found = []
    parsers = [cell_parser()] + [c.parser() for c in COMMANDS.values()]
    for parser in parsers:
        for action in parser._actions:
            assert action.help, f"{parser.prog}: {action.dest} has no help="
            for flag in action.option_strings or [action.metavar or action.dest]:
                found.append((flag, action.help.split()[0]))
    return found


@pytest.mark.parametrize("query", ["%%bytenite?", "%bytenite?"])
def test_the_magics_docs_list_every_option_from_the_parsers(
    shell: InteractiveShell, query: str
) -> None:
    with capture_output() as captured:
        shell.run_cell(query)
    text = captured.stdout
    options = every_option()
    assert len(options) > 30
    for flag, help_start in options:
        assert flag in text and help_start in text, flag
    assert help_text().splitlines()[-1] in text  # the same help as %bytenite --help


def test_config_shows_sources_and_masks(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_line_magic("bytenite", "config")
    assert "api_key           ****   [test]" in captured.stdout
    assert "base_url" in captured.stdout and "default_template  not set" in captured.stdout


def test_login_uses_getpass_and_checks_the_key(
    shell: InteractiveShell, fresh_server: sandbox.SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return fresh_server.api_key

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    with capture_output() as captured:
        shell.run_line_magic("bytenite", "login")
    assert prompts and "Signed in" in captured.stdout
    assert fresh_server.api_key not in captured.stdout
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong-key")
    with pytest.raises(UsageError, match="AuthenticationError"), capture_output():
        shell.run_line_magic("bytenite", "login")


def test_sandbox_command_points_the_session_at_a_sandbox(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_line_magic("bytenite", "sandbox")
    assert "Using the local ByteNite sandbox at http://127.0.0.1:" in captured.stdout
    running = magics(shell).session().sandbox
    assert running is not None
    result, _ = run(shell, "job", HELLO)
    assert result.success and running.sandbox.count("POST", "/customer/jobs") == 1
    with capture_output() as captured:
        shell.run_line_magic("bytenite", "sandbox --stop")
    assert magics(shell).session().sandbox is None


def test_the_sandbox_step_comes_from_the_environment(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BYTENITE_SANDBOX_STEP_SECONDS", "0.05")
    with capture_output():
        shell.run_line_magic("bytenite", "sandbox")
    running = magics(shell).session().sandbox
    assert running is not None and running.sandbox.step_seconds == 0.05
    with capture_output():
        shell.run_line_magic("bytenite", "sandbox --stop")
    for bad in ("fast", "0", "-1", "nan", "inf"):
        monkeypatch.setenv("BYTENITE_SANDBOX_STEP_SECONDS", bad)
        with pytest.raises(UsageError, match="BYTENITE_SANDBOX_STEP_SECONDS must be"):
            shell.run_line_magic("bytenite", "sandbox")
        assert magics(shell).session().sandbox is None


def test_templates_get_and_run(shell: InteractiveShell) -> None:
    with capture_output() as captured:
        shell.run_line_magic("bytenite", "templates")
    assert "hello-world-template" in captured.stdout
    run(shell, "job -q", HELLO)
    job_id = shell.user_ns["job"].job.id
    with capture_output() as captured:
        shell.run_line_magic("bytenite", f"run {job_id}")
    assert job_id in captured.outputs[0].data["text/plain"]
    with pytest.raises(UsageError, match="unknown command"):
        shell.run_line_magic("bytenite", "destroy")


def test_load_twice_and_unload(shell: InteractiveShell) -> None:
    shell.run_line_magic("load_ext", "bytenite_nb")
    shell.run_line_magic("reload_ext", "bytenite_nb")
    assert "bytenite" in shell.magics_manager.magics["cell"]
    shell.run_line_magic("unload_ext", "bytenite_nb")
    assert "bytenite" not in shell.magics_manager.magics["cell"]
    assert "bytenite" not in shell.magics_manager.magics["line"]
    assert not any(isinstance(c, ByteNiteMagics) for c in shell.configurables)
    shell.run_line_magic("load_ext", "bytenite_nb")


def test_pyproject_settings_with_suggestions(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.bytenite]\ndefault_template = "from-file"\ntimout = 5\napi_key = "x"\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    settings, source, problem = find_pyproject_settings(nested)
    assert source == str(tmp_path / "pyproject.toml") and problem is None
    magic = ByteNiteMagics(shell=None)
    notes = magic.apply_settings(settings, "pyproject.toml")
    assert magic.default_template == "from-file"
    assert any("unknown setting 'timout' (did you mean 'timeout'?)" in n for n in notes)
    assert any("api_key is ignored" in n for n in notes)
    (tmp_path / "pyproject.toml").write_text("[tool.bytenite]\ndefault_template = \n")
    assert find_pyproject_settings(nested)[2].startswith("not read")  # type: ignore[union-attr]
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_pyproject_settings(nested) == ({}, None, None)


def test_loading_imports_nothing_heavy() -> None:
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "before = set(sys.modules)\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'bytenite_nb')\n"
        "heavy = {'httpx', 'pydantic', 'ipywidgets', 'yaml', 'secrets', 'hashlib'}\n"
        "heavy = (heavy & set(sys.modules)) - before  # hashlib loads OpenSSL: ms\n"
        "print(sorted(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_what_sends_nothing_loads_no_http_stack() -> None:
    """A first dry run, validating a payload (as the form does) and a card from a
    saved answer load neither httpx, httpcore nor anyio (issue 18); a client does."""
    code = (
        "import sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "from IPython.utils.capture import capture_output\n"
        "ip = InteractiveShell.instance()\n"
        "ip.run_line_magic('load_ext', 'bytenite_nb')\n"
        "with capture_output() as shown:\n"
        f"    ok = ip.run_cell({'%%bytenite draft --dry-run' + chr(10) + HELLO!r}).success\n"
        "assert ok and 'text/html' in shown.outputs[0].data, shown.stderr\n"
        "from bytenite_nb import JobResponse, PayloadError\n"
        "from bytenite_nb.client import parse_request  # what the form validates with\n"
        "assert parse_request({'templateId': 't', 'config': {'taskTimeout': 5}})\n"
        "errors = []\n"
        "try:\n"
        "    parse_request({'templateId': 't', 'config': {'taskTimeout': -5}})\n"
        "except PayloadError as exc:\n"
        "    errors = exc.errors\n"
        "assert errors and errors[0]['field'] == 'config.taskTimeout', errors\n"
        "card = JobResponse.model_validate({'job': {'id': 'j1', 'state': 'JOB_STATE_NEW'}})\n"
        "assert 'j1' in card._repr_html_()\n"
        "stack = {'httpx', 'httpcore', 'anyio'}\n"
        "print(sorted(stack & set(sys.modules)))\n"
        "from bytenite_nb import Client\n"
        "print('httpx' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "True"], out.stdout + out.stderr


def test_unknown_config_keys_get_a_did_you_mean(shell: InteractiveShell) -> None:
    with pytest.warns(UserWarning, match="Did you mean `base_url`"):
        shell.run_line_magic("config", "ByteNiteMagics.base_ur = 'x'")
    shell.run_line_magic("config", "ByteNiteMagics.base_url = 'not a url'")
    try:
        with pytest.raises(UsageError, match="bad setting: base_url must be an http"):
            shell.run_cell_magic("bytenite", "", HELLO)
    finally:
        magics(shell).base_url = None


def test_wait_runs_the_job_and_follows_it_to_the_end(shell: InteractiveShell) -> None:
    magics(shell).poll_interval = 0.02
    result, captured = run(shell, "job --wait", HELLO)
    assert result.success, result.error_in_exec
    final = shell.user_ns["job"]
    assert final.job.state.short_name == "COMPLETE"
    card, results = captured.outputs[-2:]  # the final card, then the results card
    assert "Complete" in card.data["text/html"] and final.job.id in card.data["text/plain"]
    assert "result.txt" in results.data["text/plain"]
    assert "<img" in results.data["text/html"]  # the sandbox's PNG output, previewed inline


def test_wait_fails_the_cell_when_the_job_fails(shell: InteractiveShell) -> None:
    magics(shell).poll_interval = 0.02
    result, _ = run(shell, "job --wait -q", "templateId: sandbox-failing-template\n")
    assert not result.success
    assert "failed: partitioner exited with code 1" in str(result.error_in_exec)
    assert shell.user_ns["job"].job.state.is_failed


def test_wait_shows_the_error_lines_of_the_logs_when_the_job_fails(
    shell: InteractiveShell,
) -> None:
    magics(shell).poll_interval = 0.02
    result, captured = run(shell, "job --wait", "templateId: sandbox-failing-template\n")
    assert not result.success
    logs = captured.outputs[-1].data["text/plain"]
    assert "partitioner exited with code 1" in logs and "ERROR" in logs
    assert "INFO" not in logs and "DEBUG" not in logs  # only the error lines


def test_watch_an_existing_job(shell: InteractiveShell) -> None:
    magics(shell).poll_interval = 0.02
    run(shell, "job -q --run", HELLO)
    job_id = shell.user_ns["job"].job.id
    with capture_output() as captured:
        shell.run_line_magic("bytenite", f"watch {job_id}")
    assert captured.outputs and job_id in captured.outputs[-1].data["text/plain"]


def test_wait_in_a_terminal_prints_a_line_per_state_and_the_card_once(
    shell: InteractiveShell,
) -> None:
    magics(shell).poll_interval = 0.02
    result, captured = run(shell, "job --wait", HELLO)
    assert result.success, result.error_in_exec
    assert len(captured.outputs) == 2  # the final card, once, then the results card
    lines = captured.stdout.splitlines()
    states = [line.rsplit(": ", 1)[1] for line in lines]
    assert len(states) == len(set(states)) >= 2  # one line per state change
    assert states[-1].startswith("Complete") and all(line.startswith("job ") for line in lines)


def test_wait_in_a_kernel_updates_one_card_in_place(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    magics(shell).poll_interval = 0.02
    monkeypatch.setattr(progress, "in_kernel", lambda: True)
    result, captured = run(shell, "job --wait", HELLO)
    assert result.success, result.error_in_exec
    assert captured.stdout == ""
    ids = {out.metadata.get("transient", {}).get("display_id") for out in captured.outputs}
    assert len(captured.outputs) >= 2 and len(ids) == 1  # the same display, updated


def test_the_deadline_setting_reaches_the_client_and_the_config_view(
    shell: InteractiveShell,
) -> None:
    shell.run_line_magic("config", "ByteNiteMagics.deadline = 42.5")
    try:
        assert magics(shell).session().client().settings.deadline == 42.5
        with capture_output() as captured:
            shell.run_line_magic("bytenite", "config")
        assert "deadline          42.5 s" in captured.stdout
        shell.run_line_magic("config", "ByteNiteMagics.deadline = -1")
        with pytest.raises(UsageError, match="bad setting: deadline"):
            shell.run_cell_magic("bytenite", "", HELLO)
    finally:
        magics(shell).deadline = 300.0
