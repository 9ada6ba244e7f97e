"""The ``%bytenite`` line magic and ``%%bytenite`` cell magic.

A thin front end: parse the line and the body, merge them over the configured
defaults, then hand the payload to the shared validation, client and cards.
Loading it imports neither httpx, pydantic, PyYAML nor ipywidgets; those come
on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Dict, Float, Int, Unicode

if TYPE_CHECKING:  # pragma: no cover
    from .client import Client
    from .sandbox import SandboxServer

__all__ = ["ByteNiteMagics", "load_ipython_extension", "unload_ipython_extension"]

HELP = """\
Create ByteNite jobs from a cell.

Usage:
  %%bytenite [VAR] [options]      body: a create-job request in YAML or JSON
  %bytenite config                show the effective settings (secrets masked)
  %bytenite login                 ask for your API key (never echoed or saved)
  %bytenite sandbox [--stop]      start a local sandbox and use it
  %bytenite templates             list the job templates you can use
  %bytenite get JOB_ID            show a job
  %bytenite run JOB_ID            start a job that was created as a draft
  %bytenite watch JOB_ID          show a job's card live until it completes
  %bytenite --help                show this help

Cell options (they override the body, which overrides configured defaults):
  VAR                    store the result in this variable (the JobResponse,
                         the CreateJobRequest with --dry-run, the error on failure)
  --dry-run              validate and show the payload; send nothing
  --run                  start the job right after creating it
  --wait                 start it and show its card live until it completes
                         (the cell fails if the job fails)
  --template ID          set templateId
  --name NAME            set name
  --description TEXT     set description
  --test                 set config.isTestJob (a test job)
  --task-timeout DUR     set config.taskTimeout: 3600, 90s, 15m, 2h, 1h30m
  --job-timeout DUR      set config.jobTimeout, same forms
  --curl                 print the equivalent curl command instead of sending
  -q, --quiet            show nothing on success (errors still show)

In the body, {{ expr }} is replaced by json.dumps(expr), evaluated in the
notebook's namespace, so any string, number, list or dict lands as one value;
write \\{{ for a literal {{.

Example:
  %%bytenite job --test --job-timeout 15m
  templateId: hello-world-template
  name: {{ run_name }}
  params:
    app: {case: upper}

Settings: %config ByteNiteMagics.base_url = "...", .default_template,
.default_config, .short_errors, .timeout, .max_retries, .customer_path, or
[tool.bytenite] in pyproject.toml. Credentials come from BYTENITE_API_KEY /
BYTENITE_ACCESS_TOKEN or %bytenite login, never from the magic line."""

_SECRET_OPTIONS = ("--api-key", "--apikey", "--key", "--token", "--access-token")
_SECRET_FIELDS = ("apikey", "api_key", "token", "accesstoken", "access_token")
_INTERPOLATION = re.compile(r"\\\{\{|\{\{(.*?)\}\}")  # \{{ stays a literal {{
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class _Parser(argparse.ArgumentParser):
    """argparse that raises ``UsageError`` instead of exiting."""

    def error(self, message: str) -> Any:
        raise UsageError(f"%%bytenite: {message}. See %bytenite --help")


def _cell_parser() -> _Parser:
    parser = _Parser(prog="%%bytenite", add_help=False, allow_abbrev=False)
    parser.add_argument("var", nargs="?")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--wait", action="store_true")
    parser.add_argument("--template")
    parser.add_argument("--name")
    parser.add_argument("--description")
    parser.add_argument("--test", action="store_true")
    parser.add_argument("--task-timeout")
    parser.add_argument("--job-timeout")
    parser.add_argument("--curl", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("-h", "--help", action="store_true")
    return parser


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``; nested mappings are merged key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _refuse_secrets(words: list[str]) -> None:
    for word in words:
        flag = word.split("=", 1)[0].lower()
        if flag in _SECRET_OPTIONS:
            raise UsageError(
                f"%bytenite does not take credentials on the magic line ({flag}): the line is "
                "saved in the notebook, and so would your key be. Set BYTENITE_API_KEY in the "
                "environment, or run `%bytenite login` to type it in without echo."
            )


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _jsonable(value: Any) -> Any:
    """Plain JSON values, with numpy/pandas scalars and arrays turned into Python."""
    if hasattr(value, "tolist") and callable(value.tolist):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (str, bytes)):
        return value.item()
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return value.to_dict()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def interpolate(body: str, namespace: Mapping[str, Any]) -> str:
    """Replace each ``{{ expr }}`` by ``json.dumps(eval(expr, namespace))``.

    ``\\{{`` stands for a literal ``{{``. A failing expression raises
    ``UsageError`` naming it and its line.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "\\{{":
            return "{{"
        expr = match.group(1).strip()
        line, _ = _line_and_column(body, match.start())
        where = f"{{{{ {expr} }}}} on line {line}"
        if not expr:
            raise UsageError(f"empty {{{{ }}}} on line {line}: put a Python expression inside")
        try:
            value = eval(expr, dict(namespace))
        except NameError as exc:
            raise UsageError(f"{where}: {exc} in this notebook") from None
        except Exception as exc:
            raise UsageError(f"{where} raised {type(exc).__name__}: {exc}") from None
        try:
            return json.dumps(value, default=_jsonable, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{where} is not a JSON value: {exc}") from None

    return _INTERPOLATION.sub(replace, body)


def parse_body(text: str) -> dict[str, Any]:
    """A cell body in JSON or YAML → a mapping; ``UsageError`` with line and column."""
    if not text.strip():
        raise UsageError(
            "%%bytenite: the cell body is empty. Write a create-job request, e.g.\n"
            "  templateId: hello-world-template\n  name: my first job"
        )
    if text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"%%bytenite: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
    else:
        import yaml

        try:
            data = yaml.load(text, Loader=_loader())  # a SafeLoader subclass
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = exc.problem or exc.context or "invalid YAML"
            if exc.context and exc.context_mark and exc.problem:
                start = exc.context_mark
                problem += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
            raise UsageError(f"%%bytenite: malformed YAML{where}: {problem}") from None
        except yaml.YAMLError as exc:
            raise UsageError(f"%%bytenite: malformed YAML: {exc}") from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise UsageError(
            f"%%bytenite: the body must be a mapping of create-job fields "
            f"(templateId: ..., name: ...), got {kind}"
        )
    return data


def _loader() -> Any:
    """A SafeLoader that keeps dates and times as strings (JSON has no dates)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def _close_match(word: str, choices: list[str]) -> list[str]:
    import difflib  # only when there is something to suggest

    return difflib.get_close_matches(word, choices, n=1, cutoff=0.6)


def unknown_fields(payload: Mapping[str, Any]) -> list[str]:
    """Warnings for top-level keys the spec does not know, with close matches."""
    from .models import CreateJobRequest, spec_schema

    known = list(spec_schema("jobsCreateJobRequest")["properties"])
    snake = [f for f in CreateJobRequest.model_fields]
    notes = []
    for key in payload:
        if key in known or key in snake:
            continue
        close = _close_match(str(key), known)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        notes.append(f"unknown field {key!r}{hint}; it is sent as is")
    return notes


def curl_command(url: str, payload: Mapping[str, Any]) -> str:
    """The equivalent ``curl`` call, reading the token from ``$BYTENITE_ACCESS_TOKEN``."""
    body = json.dumps(payload, ensure_ascii=False)
    return (
        f"curl -X POST {shlex.quote(url)} \\\n"
        '  -H "Authorization: $BYTENITE_ACCESS_TOKEN" \\\n'
        "  -H 'Content-Type: application/json' \\\n"
        f"  --data-raw {shlex.quote(body)}"
    )


def short_message(exc: BaseException) -> str:
    """One line for the failed cell; the card above it has the details."""
    from .errors import PayloadError

    if isinstance(exc, PayloadError) and exc.errors:
        first = exc.errors[0]
        more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        field = first["field"] or "payload"
        return f"invalid job payload, nothing was sent: {field}: {first['message']}{more}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


@magics_class
class ByteNiteMagics(Magics):
    """``%bytenite`` / ``%%bytenite``. Settings through ``%config ByteNiteMagics.*``."""

    base_url = Unicode(
        None,
        allow_none=True,
        config=True,
        help="API root (default: BYTENITE_API_URL or the service)",
    )
    customer_path = Unicode(None, allow_none=True, config=True, help="customer routes prefix")
    default_template = Unicode(
        None, allow_none=True, config=True, help="templateId used when a body gives none"
    )
    default_config = Dict(
        {}, config=True, help="config merged under every body, e.g. {'isTestJob': True}"
    )
    short_errors = Bool(
        True, config=True, help="show a card and a one-line error instead of a traceback"
    )
    timeout = Float(30.0, config=True, help="seconds to wait for the service")
    max_retries = Int(3, config=True, help="retries on 502/503 and failed connections")
    poll_interval = Float(2.0, config=True, help="seconds between polls while watching a job")

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        self._client: Client | None = None
        self._client_key: tuple[Any, ...] | None = None
        self._sandbox: SandboxServer | None = None
        self._setting_sources: dict[str, str] = {}
        self._before_sandbox: dict[str, Any] = {}

    # -- settings and the shared client -------------------------------------------
    def client(self) -> Client:
        """The session's client, rebuilt when a setting changed (connections reused)."""
        from .client import Client
        from .config import session_version

        key = (
            self.base_url,
            self.customer_path,
            self.timeout,
            self.max_retries,
            session_version(),
            os.environ.get("BYTENITE_API_KEY"),
            os.environ.get("BYTENITE_ACCESS_TOKEN"),
            os.environ.get("BYTENITE_API_URL"),
        )
        if self._client is None or key != self._client_key:
            if self._client is not None:
                self._client.close()
            try:
                self._client = Client(
                    base_url=self.base_url,
                    customer_path=self.customer_path,
                    timeout=self.timeout,
                    max_retries=self.max_retries,
                )
            except ValueError as exc:
                raise UsageError(f"%bytenite: bad setting: {exc}") from None
            self._client_key = key
        return self._client

    def apply_settings(self, settings: Mapping[str, Any], source: str) -> list[str]:
        """Set traits from a mapping (``[tool.bytenite]``); returns warnings."""
        notes = []
        names = [n for n in self.trait_names() if self.trait_metadata(n, "config")]
        for key, value in settings.items():
            if key in ("api_key", "access_token", "apiKey", "token"):
                notes.append(
                    f"{source}: {key} is ignored: keep credentials out of files in the "
                    "repository; use BYTENITE_API_KEY or %bytenite login"
                )
                continue
            if key not in names:
                close = _close_match(key, names)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                notes.append(f"{source}: unknown setting {key!r}{hint}")
                continue
            try:
                setattr(self, key, value)
                self._setting_sources[key] = source
            except Exception as exc:
                notes.append(f"{source}: {key}: {exc}")
        return notes

    # -- the magic ---------------------------------------------------------------------
    @no_var_expand
    @line_cell_magic
    def bytenite(self, line: str, cell: str | None = None) -> Any:
        """Create a ByteNite job from a YAML/JSON cell; `%bytenite --help` for more."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%bytenite: cannot read the line: {exc}") from None
        _refuse_secrets(words)
        if cell is None:
            return self._line(words)
        return self._cell(words, cell)

    def _line(self, words: list[str]) -> Any:
        if not words or words[0] in ("-h", "--help", "help"):
            print(HELP)
            return None
        command, rest = words[0], words[1:]
        if command == "config":
            print(self.describe_settings())
        elif command == "login":
            self._login()
        elif command == "sandbox":
            self._use_sandbox(stop="--stop" in rest)
        elif command == "templates":
            templates = self._call(lambda c: c.list_templates())
            for t in templates:
                print(f"{t.id:<40} {t.app or ''} · {t.partitioner or ''} → {t.assembler or ''}")
        elif command in ("get", "run", "watch") and len(rest) == 1:
            job_id = rest[0]
            if command == "run":
                self._call(lambda c: c.run_job(job_id))
            response = self._call(lambda c: c.get_job(job_id))
            if command == "watch":
                self._watch(response, quiet=False)
            else:
                self._show(response)
        elif command == "create" or command.startswith("-"):
            raise UsageError("%bytenite: creating a job takes a cell: use %%bytenite (two %)")
        else:
            raise UsageError(f"%bytenite: unknown command {command!r}. See %bytenite --help")
        return None

    def _cell(self, words: list[str], cell: str) -> Any:
        args = _cell_parser().parse_args(words)
        if args.help:
            print(HELP)
            return None
        if args.var is not None and not _IDENTIFIER.fullmatch(args.var):
            raise UsageError(f"%%bytenite: {args.var!r} is not a valid variable name")
        try:
            payload = self.build_payload(args, cell)
            from .client import parse_request

            request = parse_request(payload)
        except Exception as exc:
            self._fail(exc, args.var)
        if args.dry_run:
            self._store(args.var, request)
            if not args.quiet:
                self._show(request)
            return None
        if args.curl:
            print(curl_command(self.client()._customer_url("/jobs"), request.to_payload()))
            self._store(args.var, request)
            return None
        try:
            client = self.client()
            response = client.create_job(request)
            if (args.run or args.wait) and response.job.id:
                client.run_job(response.job.id)
                response = client.get_job(response.job.id)
        except Exception as exc:
            self._fail(exc, args.var)
        self._store(args.var, response)
        if args.wait:
            self._watch(response, quiet=args.quiet, var=args.var)
        elif not args.quiet:
            self._show(response)
        return None

    def _watch(self, response: Any, *, quiet: bool, var: str | None = None) -> Any:
        """Show the job's card and update it in place until the job ends.

        Interrupting (the stop button) stops watching, not the job. A failed
        job fails the cell, so that Run All and papermill stop there.
        """
        from IPython.display import display

        handle = None if quiet else display(response, display_id=True)  # type: ignore[no-untyped-call]
        latest = response

        def update(new: Any) -> None:
            nonlocal latest
            latest = new
            self._store(var, new)
            if handle is not None:
                handle.update(new)

        try:
            latest = self.client().wait_for_job(
                response.job.id, interval=self.poll_interval, on_update=update
            )
        except KeyboardInterrupt:
            print(
                f"Stopped watching; the job goes on. `%bytenite watch {response.job.id}` "
                "picks it up again."
            )
            return latest
        except Exception as exc:
            self._fail(exc, None)
        self._store(var, latest)
        if handle is not None:
            handle.update(latest)
        state = latest.job.state
        if state is not None and state.is_failed:
            reason = latest.job.error_message or "no reason given"
            raise UsageError(f"job {latest.job.id} failed: {reason}")
        return latest

    def build_payload(self, args: argparse.Namespace, cell: str) -> dict[str, Any]:
        """Defaults, then the body, then the options; each deep-merged over the last."""
        from .models import parse_seconds

        namespace = self.shell.user_ns if self.shell is not None else {}
        body = parse_body(interpolate(cell, namespace))
        secret = next((k for k in body if str(k).lower() in _SECRET_FIELDS), None)
        if secret is not None:
            raise UsageError(
                f"%%bytenite: {secret!r} does not belong in the body: it would be saved in the "
                "notebook and sent as a job field. Set BYTENITE_API_KEY or run %bytenite login."
            )
        for note in unknown_fields(body):
            print(f"%%bytenite: {note}", file=sys.stderr)
        defaults: dict[str, Any] = {}
        if self.default_template:
            defaults["templateId"] = self.default_template
        if self.default_config:
            defaults["config"] = dict(self.default_config)
        options: dict[str, Any] = {}
        for flag, field in (("template", "templateId"), ("name", "name")):
            if getattr(args, flag) is not None:
                options[field] = getattr(args, flag)
        if args.description is not None:
            options["description"] = args.description
        config: dict[str, Any] = {}
        if args.test:
            config["isTestJob"] = True
        for flag, field in (("task_timeout", "taskTimeout"), ("job_timeout", "jobTimeout")):
            value = getattr(args, flag)
            if value is not None:
                try:
                    config[field] = parse_seconds(value)
                except ValueError as exc:
                    raise UsageError(f"--{flag.replace('_', '-')}: {exc}") from None
        if config:
            options["config"] = config
        return deep_merge(deep_merge(defaults, body), options)

    # -- results and failures ------------------------------------------------------------
    def _store(self, var: str | None, value: Any) -> None:
        if var and self.shell is not None:
            self.shell.user_ns[var] = value

    def _show(self, value: Any) -> None:
        from IPython.display import display

        display(value)  # type: ignore[no-untyped-call]

    def _call(self, action: Any) -> Any:
        try:
            return action(self.client())
        except Exception as exc:
            self._fail(exc, None)

    def _fail(self, exc: BaseException, var: str | None) -> NoReturn:
        """Show the error card, store the error, and fail the cell (short message)."""
        from .errors import ByteNiteError

        if isinstance(exc, UsageError):
            raise exc
        self._store(var, exc)
        if not isinstance(exc, ByteNiteError):
            raise exc
        self._show(exc)
        if not self.short_errors:
            raise exc
        raise UsageError(short_message(exc)) from None

    # -- line commands ----------------------------------------------------------------------
    def describe_settings(self) -> str:
        """The effective settings, where each came from, secrets masked."""
        from .config import ENV_API_KEY, mask_secret, resolve_settings

        try:
            settings = resolve_settings(
                base_url=self.base_url,
                customer_path=self.customer_path,
                timeout=self.timeout,
                max_retries=self.max_retries,
            )
        except ValueError as exc:
            return f"bad setting: {exc}"
        origin = dict(settings.sources)
        for name in ("base_url", "customer_path"):
            if getattr(self, name) is not None:
                origin[name] = self._setting_sources.get(name, "%config")
        rows = [
            ("api_key", mask_secret(settings.api_key), origin.get("api_key", f"({ENV_API_KEY})")),
            ("access_token", mask_secret(settings.access_token), origin.get("access_token", "")),
            ("base_url", settings.base_url, origin.get("base_url", "default")),
            ("customer_path", settings.customer_path, origin.get("customer_path", "default")),
            ("timeout", f"{settings.timeout:g} s", self._setting_sources.get("timeout", "")),
            (
                "max_retries",
                str(settings.max_retries),
                self._setting_sources.get("max_retries", ""),
            ),
            ("default_template", self.default_template or "not set", ""),
            (
                "default_config",
                json.dumps(self.default_config) if self.default_config else "{}",
                "",
            ),
            ("short_errors", str(self.short_errors), ""),
        ]
        return "\n".join(
            f"{name:<17} {value}" + (f"   [{source}]" if source else "")
            for name, value, source in rows
        )

    def _login(self) -> None:
        from getpass import getpass

        key = getpass("ByteNite API key (input hidden): ").strip()
        if not key:
            raise UsageError("%bytenite login: no key entered; nothing changed")
        from .config import restore_session, set_session

        before = set_session("%bytenite login", api_key=key)
        try:
            self.client().authenticate()
        except Exception as exc:
            restore_session(before)
            self._fail(exc, None)
        print("Signed in to ByteNite: the key is kept in this kernel's memory only.")

    def _use_sandbox(self, *, stop: bool) -> None:
        if stop:
            if self._sandbox is None:
                print("No sandbox is running.")
                return
            self._stop_sandbox()
            print("Stopped the sandbox; back to the configured ByteNite service.")
            return
        from . import sandbox
        from .config import set_session

        if self._sandbox is None:
            self._sandbox = sandbox.start(step_seconds=0.5)
            self._before_sandbox = set_session(
                "sandbox", base_url=self._sandbox.url, api_key=self._sandbox.api_key
            )
        if self.base_url:
            print(
                f"Note: %config ByteNiteMagics.base_url = {self.base_url!r} overrides the sandbox."
            )
        names = ", ".join(t.id for t in sandbox.TEMPLATES.values() if not t.private)
        print(
            f"Using the local ByteNite sandbox at {self._sandbox.url} "
            f"(nothing leaves this machine).\nTemplates: {names}"
        )

    def close(self) -> None:
        """Close the client and stop the sandbox (on unload)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self._stop_sandbox()

    def _stop_sandbox(self) -> None:
        from .config import restore_session

        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
            restore_session(self._before_sandbox)


def find_pyproject_settings(
    start: Path | None = None,
) -> tuple[dict[str, Any], str | None, str | None]:
    """``[tool.bytenite]`` of the nearest ``pyproject.toml`` above ``start``:
    ``(settings, the file they came from, a problem reading it)``."""
    here = (start or Path.cwd()).resolve()
    candidate = next(
        (f / "pyproject.toml" for f in (here, *here.parents) if (f / "pyproject.toml").is_file()),
        None,
    )
    if candidate is None:
        return {}, None, None
    try:
        text = candidate.read_text("utf-8")
    except OSError as exc:
        return {}, str(candidate), f"not read ({exc})"
    if "[tool.bytenite]" not in text:
        return {}, None, None  # the common case: no need to parse the file
    if sys.version_info < (3, 11):  # pragma: no cover - tomllib is 3.11+
        return {}, str(candidate), "[tool.bytenite] is read on Python 3.11 and newer only"
    import tomllib

    try:
        data = tomllib.loads(text)
    except ValueError as exc:
        return {}, str(candidate), f"not read ({exc})"
    section = data.get("tool", {}).get("bytenite", {})
    if not isinstance(section, dict):
        return {}, str(candidate), "[tool.bytenite] must be a table"
    return section, str(candidate), None


_MAGICS_KEY = "_bytenite_magics"


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (loading twice is harmless)."""
    if getattr(ipython, _MAGICS_KEY, None) is not None:
        return
    magics = ByteNiteMagics(shell=ipython)
    settings, source, problem = find_pyproject_settings()
    notes = magics.apply_settings(settings, source or "pyproject.toml")
    for note in [f"{source}: {problem}"] * bool(problem) + notes:
        print(f"bytenite: {note}", file=sys.stderr)
    ipython.register_magics(magics)
    setattr(ipython, _MAGICS_KEY, magics)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics and close what they opened."""
    magics = getattr(ipython, _MAGICS_KEY, None)
    if magics is None:
        return
    magics.close()
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("bytenite", None)
    ipython.magics_manager.registry.pop(type(magics).__name__, None)
    if magics in getattr(ipython, "configurables", []):
        ipython.configurables.remove(magics)
    setattr(ipython, _MAGICS_KEY, None)
