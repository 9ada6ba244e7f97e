"""What a ``%bytenite`` call works with (client, sandbox, show, store, fail); its public
methods are the whole interface of the commands, the create cell and the sweep."""

from __future__ import annotations

import getpass
import json
import os
import shlex
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from IPython.core.error import UsageError
from IPython.display import display

from .. import client as client_part  # its drivers (httpx) load with the first Client
from .. import progress
from ..config import (
    ENV_ACCESS_TOKEN,
    ENV_API_KEY,
    ENV_API_URL,
    ENV_CUSTOMER_PATH,
    mask_secret,
    resolve_settings,
    restore_session,
    sandbox_step_seconds,
    session_version,
    set_session,
)
from ..display.job import job_line
from ..errors import ByteNiteError, one_line
from ..models import JobState
from ._body import curl_command
from ._cell import create_and_start, read_request
from ._commands import COMMANDS, help_text
from ._options import (
    MAX_MESSAGE_LINE,
    cell_parser,
    check_variable,
    did_you_mean,
    refuse_secrets,
    short_message,
)

if TYPE_CHECKING:  # pragma: no cover
    from ..client import Client
    from ..sandbox import SandboxServer
    from ._extension import ByteNiteMagics

#: The log levels shown when a watched job fails.
ERROR_LEVELS = ("ERROR", "FATAL", "PANIC")


class Session:
    """One kernel's ByteNite session: the settings are ``magics``' traits."""

    def __init__(self, magics: ByteNiteMagics) -> None:
        self.magics = magics
        self.shell = magics.shell
        #: The local sandbox this session started (``%bytenite sandbox``), if any.
        self.sandbox: SandboxServer | None = None
        self._client: Client | None = None
        self._client_key: tuple[Any, ...] | None = None
        self._before_sandbox: dict[str, Any] = {}

    # -- the shared client -----------------------------------------------------------
    def client(self) -> Client:
        """The session's client, rebuilt when a setting changed (connections reused)."""
        options = self.magics.client_options()
        env = (ENV_API_KEY, ENV_ACCESS_TOKEN, ENV_API_URL, ENV_CUSTOMER_PATH)
        key = (*options.values(), session_version(), *map(os.environ.get, env))
        if self._client is None or key != self._client_key:
            if self._client is not None:
                self._client.close()
            try:
                self._client = client_part.Client(**options)
            except ValueError as exc:
                raise UsageError(f"%bytenite: bad setting: {exc}") from None
            self._client_key = key
        return self._client

    # -- the magic ---------------------------------------------------------------------
    def run(self, line: str, cell: str | None) -> Any:
        """``%bytenite LINE`` or ``%%bytenite LINE`` with ``cell``."""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"%bytenite: cannot read the line: {exc}") from None
        refuse_secrets(words)
        if cell is None:
            return self._line(words)
        return self._cell(words, cell)

    def _line(self, words: list[str]) -> Any:
        if not words or words[0] in ("-h", "--help", "help"):
            print(help_text())
            return None
        name, rest = words[0], words[1:]
        line_command = COMMANDS.get(name)
        if line_command is not None:
            line_command.handler(self, line_command.parser().parse_args(rest))
        elif name == "create" or name.startswith("-"):
            raise UsageError("%bytenite: creating a job takes a cell: use %%bytenite (two %)")
        else:
            hint = did_you_mean(name, list(COMMANDS))
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
                # A sweep is a batch: the batch part (and the HTTP stack under it)
                # loads with the first sweep, so that a single dry run never pays for it.
                from ._sweep import run_sweep

                return run_sweep(self, args, cell)
            request, upload = read_request(self, args, cell)
            if args.dry_run:
                self.store(args.var, request)
                if not args.quiet:
                    self.show(request)
                return None
            if args.curl:
                print(curl_command(self.client()._customer_url("/jobs"), request.to_payload()))
                self.store(args.var, request)
                return None
            response = create_and_start(self, args, request, upload)
            if args.wait:
                self.watch(response, quiet=args.quiet, var=args.var)
            elif not args.quiet:
                self.show(response)
            return None
        except UsageError as exc:
            raise UsageError(one_line(str(exc), MAX_MESSAGE_LINE)) from None

    def watch(self, response: Any, *, quiet: bool, var: str | None = None) -> Any:
        """Follow the job until it ends: its card updated in place (in a terminal, a line
        per change, then the card). The stop button stops watching, not the job; a
        failed job fails the cell, so that Run All and papermill stop there."""
        live = not quiet and progress.in_kernel()  # outputs can be updated in place
        handle = display(response, display_id=True) if live else None  # type: ignore[no-untyped-call]
        latest: Any = response

        def update(new: Any) -> None:
            nonlocal latest
            latest = new
            self.store(var, new)
            if handle is not None:
                handle.update(new)
            elif not quiet:
                print(job_line(new), flush=True)

        try:
            latest = self.client().wait_for_job(
                response.job.id, interval=self.magics.poll_interval, on_update=update
            )
        except KeyboardInterrupt:
            print(
                f"Stopped watching; the job goes on. `%bytenite watch {response.job.id}` "
                "picks it up again."
            )
            return latest
        except Exception as exc:
            self.fail(exc, None)
        self.store(var, latest)
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

    def _show_extra(self, fetch: Callable[[Client], Any], what: str) -> None:
        """Show what follows a finished job (its results, its error lines); a failure
        to fetch them is a note, not a failed cell: the job itself is done."""
        try:
            self.show(fetch(self.client()))
        except KeyboardInterrupt:
            print(f"Stopped fetching the {what}; the job is done.", file=sys.stderr)
        except Exception as exc:
            print(f"The {what} could not be fetched: {short_message(exc)}", file=sys.stderr)

    # -- results and failures ------------------------------------------------------------
    def store(self, var: str | None, value: Any) -> None:
        """Put ``value`` in the user's variable ``var`` (when given)."""
        if var and self.shell is not None:
            self.shell.user_ns[var] = value

    def show(self, value: Any) -> None:
        """Display ``value`` (its card)."""
        display(value)  # type: ignore[no-untyped-call]

    def call(self, action: Callable[[Client], Any]) -> Any:
        """``action(client)``; a failure fails the cell (:meth:`fail`)."""
        try:
            return action(self.client())
        except Exception as exc:
            self.fail(exc, None)

    def fail(self, exc: BaseException, var: str | None) -> NoReturn:
        """Show the error card, store the error, and fail the cell (short message)."""
        if isinstance(exc, UsageError):
            raise exc
        self.store(var, exc)
        if not isinstance(exc, ByteNiteError):
            raise exc
        self.show(exc)
        if not self.magics.short_errors:
            raise exc
        raise UsageError(short_message(exc)) from None

    # -- line commands ----------------------------------------------------------------------
    def describe_settings(self) -> str:
        """The effective settings, where each came from, secrets masked."""
        magics = self.magics
        try:
            settings = resolve_settings(**magics.client_options())
        except ValueError as exc:
            return f"bad setting: {exc}"
        origin = dict(settings.sources)
        sources = magics.setting_sources
        for name in ("base_url", "customer_path"):
            if getattr(magics, name) is not None:
                origin[name] = sources.get(name, "%config")
        rows = [
            ("api_key", mask_secret(settings.api_key), origin.get("api_key", f"({ENV_API_KEY})")),
            ("access_token", mask_secret(settings.access_token), origin.get("access_token", "")),
            ("base_url", settings.base_url, origin.get("base_url", "default")),
            ("customer_path", settings.customer_path, origin.get("customer_path", "default")),
            ("timeout", f"{settings.timeout:g} s", sources.get("timeout", "")),
            ("max_retries", str(settings.max_retries), sources.get("max_retries", "")),
            ("deadline", f"{settings.deadline:g} s", sources.get("deadline", "")),
            ("default_template", magics.default_template or "not set", ""),
            ("default_config", json.dumps(magics.default_config), ""),
            ("short_errors", str(magics.short_errors), ""),
        ]
        return "\n".join(
            f"{name:<17} {value}" + (f"   [{source}]" if source else "")
            for name, value, source in rows
        )

    def login(self) -> None:
        """Ask for the API key (hidden) and keep it in this kernel's memory."""
        key = getpass.getpass("ByteNite API key (input hidden): ").strip()
        if not key:
            raise UsageError("%bytenite login: no key entered; nothing changed")
        before = set_session("%bytenite login", api_key=key)
        try:
            self.client().authenticate()
        except Exception as exc:
            restore_session(before)
            self.fail(exc, None)
        print("Signed in to ByteNite: the key is kept in this kernel's memory only.")

    def use_sandbox(self, *, stop: bool) -> None:
        """Start the local sandbox and point the session at it (or stop it)."""
        if stop:
            if self.sandbox is None:
                print("No sandbox is running.")
                return
            self._stop_sandbox()
            print("Stopped the sandbox; back to the configured ByteNite service.")
            return
        # The sandbox stands apart (DESIGN.md): a separate program, loaded only here.
        from .. import sandbox

        if self.sandbox is None:
            try:
                step_seconds = sandbox_step_seconds()
            except ValueError as exc:
                raise UsageError(f"%bytenite: bad setting: {exc}") from None
            self.sandbox = sandbox.start(step_seconds=step_seconds)
            self._before_sandbox = set_session(
                "sandbox", base_url=self.sandbox.url, api_key=self.sandbox.api_key
            )
        if self.magics.base_url:
            print(
                f"Note: %config ByteNiteMagics.base_url = {self.magics.base_url!r} "
                "overrides the sandbox."
            )
        names = ", ".join(t.id for t in sandbox.TEMPLATES.values() if not t.private)
        print(
            f"Using the local ByteNite sandbox at {self.sandbox.url} "
            f"(nothing leaves this machine).\nTemplates: {names}"
        )

    def close(self) -> None:
        """Close the client and stop the sandbox (on unload)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        self._stop_sandbox()

    def _stop_sandbox(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
            restore_session(self._before_sandbox)
