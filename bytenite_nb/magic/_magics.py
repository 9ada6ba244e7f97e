"""``ByteNiteMagics``: the settings, the shared client, the login and sandbox
session, and the cell flow (parse, then ``_cell`` reads, validates, creates and
runs; watch, show). Line commands are in ``_commands``."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Dict, Float, Int, Unicode

from ._body import _close_match, curl_command
from ._commands import COMMANDS, help_text
from ._options import (
    cell_parser,
    check_variable,
    one_line,
    refuse_secrets,
    short_message,
)

#: The log levels shown when a watched job fails.
ERROR_LEVELS = ("ERROR", "FATAL", "PANIC")

if TYPE_CHECKING:  # pragma: no cover
    from ..client import Client
    from ..sandbox import SandboxServer


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
    timeout = Float(30.0, config=True, help="seconds one attempt of a call may take")
    max_retries = Int(3, config=True, help="retries on 502/503 and failed connections")
    deadline = Float(
        300.0, config=True, help="seconds a whole call may take, retries and waits included"
    )
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
        from ..client import Client
        from ..config import session_version

        options = self._client_options()
        key = (
            *options.values(),
            session_version(),
            os.environ.get("BYTENITE_API_KEY"),
            os.environ.get("BYTENITE_ACCESS_TOKEN"),
            os.environ.get("BYTENITE_API_URL"),
        )
        if self._client is None or key != self._client_key:
            if self._client is not None:
                self._client.close()
            try:
                self._client = Client(**options)
            except ValueError as exc:
                raise UsageError(f"%bytenite: bad setting: {exc}") from None
            self._client_key = key
        return self._client

    def _client_options(self) -> dict[str, Any]:
        """The client settings the magic holds (the one list both uses read)."""
        return {
            "base_url": self.base_url,
            "customer_path": self.customer_path,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "deadline": self.deadline,
        }

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
        """Create a ByteNite job from a YAML/JSON cell; `%bytenite --help` for more
        (``%bytenite?`` shows the same help)."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%bytenite: cannot read the line: {exc}") from None
        refuse_secrets(words)
        if cell is None:
            return self._line(words)
        return self._cell(words, cell)

    # ``%bytenite?`` and ``%%bytenite?``: IPython asks an object for ``getdoc()``
    # first; the help is made from the parsers when asked, not at ``%load_ext``.
    bytenite.getdoc = help_text  # type: ignore[union-attr]

    def _line(self, words: list[str]) -> Any:
        if not words or words[0] in ("-h", "--help", "help"):
            print(help_text())
            return None
        name, rest = words[0], words[1:]
        line_command = COMMANDS.get(name)
        if line_command is not None:
            line_command.handler(self, line_command.parse(rest))
        elif name == "create" or name.startswith("-"):
            raise UsageError("%bytenite: creating a job takes a cell: use %%bytenite (two %)")
        else:
            close = _close_match(name, list(COMMANDS))
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(f"%bytenite: unknown command {name!r}{hint}. See %bytenite --help")
        return None

    def _cell(self, words: list[str], cell: str) -> Any:
        """Read, validate, create (and upload, run, watch); a bad cell fails with one line."""
        try:
            args = cell_parser().parse_args(words)
            if args.help:
                print(help_text())
                return None
            check_variable(args.var)
            if args.sweep is not None:
                from ._sweep import run_sweep

                return run_sweep(self, args, cell)
            from ._cell import create_and_start, read_request

            request, upload = read_request(self, args, cell)
            if args.dry_run:
                self._store(args.var, request)
                if not args.quiet:
                    self.show(request)
                return None
            if args.curl:
                print(curl_command(self.client()._customer_url("/jobs"), request.to_payload()))
                self._store(args.var, request)
                return None
            response = create_and_start(self, args, request, upload)
            if args.wait:
                self.watch(response, quiet=args.quiet, var=args.var)
            elif not args.quiet:
                self.show(response)
            return None
        except UsageError as exc:
            raise UsageError(one_line(str(exc))) from None

    def watch(self, response: Any, *, quiet: bool, var: str | None = None) -> Any:
        """Follow the job until it ends, then show its card once more.

        In a notebook the card is updated in place; in a terminal (no display
        to update) each state change prints one line and the final card shows
        once. Interrupting (the stop button) stops watching, not the job. A
        failed job fails the cell, so that Run All and papermill stop there.
        """
        from IPython.display import display

        from ..display import job_line
        from ..models import JobState

        live = not quiet and self.rich_display()
        handle = display(response, display_id=True) if live else None  # type: ignore[no-untyped-call]
        latest = response

        def update(new: Any) -> None:
            nonlocal latest
            latest = new
            self._store(var, new)
            if handle is not None:
                handle.update(new)
            elif not quiet:
                print(job_line(new), flush=True)

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
        elif not quiet:
            self.show(latest)
        state = latest.job.state
        if state is not None and state.is_failed:
            if not quiet:
                self._show_extra(lambda c: c.get_job_logs(latest.job.id, ERROR_LEVELS), "logs")
            reason = latest.job.error_message or "no reason given"
            raise UsageError(f"job {latest.job.id} failed: {reason}")
        if not quiet and state == JobState.COMPLETE:
            self._show_extra(lambda c: c.preview_results(latest.job.id), "results")
        return latest

    def _show_extra(self, fetch: Any, what: str) -> None:
        """Show what follows a finished job (its results, its error lines); a failure
        to fetch them is a note, not a failed cell: the job itself is done."""
        try:
            self.show(fetch(self.client()))
        except KeyboardInterrupt:
            print(f"Stopped fetching the {what}; the job is done.", file=sys.stderr)
        except Exception as exc:
            print(f"The {what} could not be fetched: {short_message(exc)}", file=sys.stderr)

    def rich_display(self) -> bool:
        """Whether outputs can be updated in place (a kernel with a front end)."""
        return getattr(self.shell, "kernel", None) is not None

    def build_payload(self, args: argparse.Namespace, cell: str) -> dict[str, Any]:
        """Defaults, then the body, then the options; each deep-merged over the last."""
        from ._cell import build_payload

        return build_payload(self, args, cell)

    # -- results and failures ------------------------------------------------------------
    def _store(self, var: str | None, value: Any) -> None:
        if var and self.shell is not None:
            self.shell.user_ns[var] = value

    def show(self, value: Any) -> None:
        from IPython.display import display

        display(value)  # type: ignore[no-untyped-call]

    def call(self, action: Any) -> Any:
        try:
            return action(self.client())
        except Exception as exc:
            self._fail(exc, None)

    def _fail(self, exc: BaseException, var: str | None) -> NoReturn:
        """Show the error card, store the error, and fail the cell (short message)."""
        from ..errors import ByteNiteError

        if isinstance(exc, UsageError):
            raise exc
        self._store(var, exc)
        if not isinstance(exc, ByteNiteError):
            raise exc
        self.show(exc)
        if not self.short_errors:
            raise exc
        raise UsageError(short_message(exc)) from None

    # -- line commands ----------------------------------------------------------------------
    def describe_settings(self) -> str:
        """The effective settings, where each came from, secrets masked."""
        from ..config import ENV_API_KEY, mask_secret, resolve_settings

        try:
            settings = resolve_settings(**self._client_options())
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
            ("deadline", f"{settings.deadline:g} s", self._setting_sources.get("deadline", "")),
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

    def login(self) -> None:
        from getpass import getpass

        key = getpass("ByteNite API key (input hidden): ").strip()
        if not key:
            raise UsageError("%bytenite login: no key entered; nothing changed")
        from ..config import restore_session, set_session

        before = set_session("%bytenite login", api_key=key)
        try:
            self.client().authenticate()
        except Exception as exc:
            restore_session(before)
            self._fail(exc, None)
        print("Signed in to ByteNite: the key is kept in this kernel's memory only.")

    def use_sandbox(self, *, stop: bool) -> None:
        if stop:
            if self._sandbox is None:
                print("No sandbox is running.")
                return
            self._stop_sandbox()
            print("Stopped the sandbox; back to the configured ByteNite service.")
            return
        from .. import sandbox
        from ..config import set_session

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
        from ..config import restore_session

        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
            restore_session(self._before_sandbox)
