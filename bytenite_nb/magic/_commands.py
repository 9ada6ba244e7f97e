"""The line commands of ``%bytenite``, in one table.

Each command is a function ``(magics, args) -> None`` registered with
:func:`command`; the help text is built from the same table, so a command
cannot be added without showing up in ``%bytenite --help``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._options import CELL_HELP, Parser

if TYPE_CHECKING:  # pragma: no cover
    from ._magics import ByteNiteMagics

Handler = Callable[["ByteNiteMagics", argparse.Namespace], None]


@dataclass(frozen=True)
class LineCommand:
    """One ``%bytenite NAME ...`` command: its arguments, help line and handler."""

    name: str
    usage: str
    summary: str
    handler: Handler
    arguments: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = ()

    def parse(self, words: list[str]) -> argparse.Namespace:
        """The command's arguments; ``UsageError`` naming the command if they are wrong."""
        parser = Parser(prog=f"%bytenite {self.name}", add_help=False, allow_abbrev=False)
        for flags, options in self.arguments:
            parser.add_argument(*flags, **options)
        return parser.parse_args(words)


#: Every line command, in the order the help lists them.
COMMANDS: dict[str, LineCommand] = {}

JOB_ID = ((("job_id",), {"metavar": "JOB_ID"}),)


def command(
    name: str,
    usage: str,
    summary: str,
    *arguments: tuple[tuple[str, ...], dict[str, Any]],
) -> Callable[[Handler], Handler]:
    """Register a line command (``arguments`` are ``(flags, add_argument options)``)."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = LineCommand(name, usage, summary, handler, arguments)
        return handler

    return register


#: Usage column width of the help; a longer usage puts its summary on the next line.
HELP_COLUMN = 34


def help_text() -> str:
    """``%bytenite --help``: the cell magic, then every line command, then the options."""
    rows = [("%%bytenite [VAR] [options]", "body: a create-job request in YAML or JSON")]
    rows += [(f"%bytenite {c.name} {c.usage}".rstrip(), c.summary) for c in COMMANDS.values()]
    rows.append(("%bytenite --help", "show this help"))
    lines = ["Create, run and watch ByteNite jobs from a notebook.", "", "Usage:"]
    for usage, summary in rows:
        if len(usage) > HELP_COLUMN:
            lines += [f"  {usage}", f"  {'':<{HELP_COLUMN}}  {summary}"]
        else:
            lines.append(f"  {usage:<{HELP_COLUMN}}  {summary}")
    return "\n".join(lines) + "\n\n" + CELL_HELP


# --------------------------------------------------------------------------
# The commands
# --------------------------------------------------------------------------


@command("config", "", "show the effective settings (secrets masked)")
def _config(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    print(magics.describe_settings())


@command("login", "", "ask for your API key (never echoed or saved)")
def _login(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    magics.login()


@command(
    "sandbox",
    "[--stop]",
    "start a local sandbox and use it",
    (("--stop",), {"action": "store_true"}),
)
def _sandbox(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    magics.use_sandbox(stop=args.stop)


@command("templates", "", "list the job templates you can use")
def _templates(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    for t in magics.call(lambda c: c.list_templates()):
        print(f"{t.id:<40} {t.app or ''} · {t.partitioner or ''} → {t.assembler or ''}")


@command("get", "JOB_ID", "show a job", *JOB_ID)
def _get(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    magics.show(magics.call(lambda c: c.get_job(args.job_id)))


@command("run", "JOB_ID", "start a job that was created as a draft", *JOB_ID)
def _run(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    magics.call(lambda c: c.run_job(args.job_id))
    magics.show(magics.call(lambda c: c.get_job(args.job_id)))


@command("watch", "JOB_ID", "show a job's card live until it completes", *JOB_ID)
def _watch(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    magics.watch(magics.call(lambda c: c.get_job(args.job_id)), quiet=False)


def _checked(command_name: str, check: Callable[[], Any]) -> Any:
    """Run a client argument check; its ``PayloadError`` becomes one ``UsageError`` line."""
    from IPython.core.error import UsageError

    from ..errors import PayloadError

    try:
        return check()
    except PayloadError as exc:
        first = exc.errors[0]
        option = _OPTION_OF.get(first["field"], first["field"])
        raise UsageError(
            f"%bytenite {command_name}: {option}: {first['message']}. See %bytenite --help"
        ) from None


_OPTION_OF = {
    "limit": "--limit",
    "offset": "--offset",
    "levels": "--level",
    "services": "--service",
}


@command(
    "jobs",
    "[--limit N] [--offset N]",
    "list your jobs, newest first (20 a page, at most 100)",
    (("--limit",), {"type": int, "default": 20, "metavar": "N"}),
    (("--offset",), {"type": int, "default": 0, "metavar": "N"}),
)
def _jobs(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    from ..client._checks import check_page

    largest = magics.client().max_page_size
    _checked("jobs", lambda: check_page(args.limit, args.offset, largest=largest))
    magics.show(magics.call(lambda c: c.list_jobs(args.limit, args.offset)))


@command(
    "logs",
    "JOB_ID [--level L] [--service S]",
    "show a job's logs, e.g. --level warn,error --service taskrunner",
    *JOB_ID,
    (("--level",), {"action": "append", "metavar": "LEVEL"}),
    (("--service",), {"action": "append", "metavar": "NAME"}),
)
def _logs(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    from ..client._checks import log_levels, log_services

    levels = _checked("logs", lambda: log_levels(args.level))
    services = _checked("logs", lambda: log_services(args.service))
    magics.show(magics.call(lambda c: c.get_job_logs(args.job_id, levels, services)))


@command(
    "abort", "JOB_ID", "abort a running job (ends FAILED; a job never run is deleted)", *JOB_ID
)
def _abort(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    from ..errors import NotFoundError

    magics.call(lambda c: c.abort_job(args.job_id))

    def current(client: Any) -> Any:
        try:
            return client.get_job(args.job_id)
        except NotFoundError:
            return None

    response = magics.call(current)
    if response is None:
        print(f"Job {args.job_id} had not been started, so it was deleted.")
    else:
        magics.show(response)


@command("delete", "JOB_ID", "delete a job", *JOB_ID)
def _delete(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    magics.call(lambda c: c.delete_job(args.job_id))
    print(f"Deleted job {args.job_id}.")


@command(
    "results",
    "JOB_ID [--download DIR] [--preview] [--links]",
    "a job's output files; download them, preview them inline",
    *JOB_ID,
    (("--download",), {"metavar": "DIR"}),
    (("--overwrite",), {"action": "store_true"}),
    (("--preview",), {"action": "store_true"}),
    (("--links",), {"action": "store_true"}),
)
def _results(magics: ByteNiteMagics, args: argparse.Namespace) -> None:
    """``--download DIR`` saves the files (``--overwrite`` replaces existing ones);
    ``--preview`` shows images and first lines inline; ``--links`` writes the
    signed links into the output (they grant access while they live)."""
    if args.download is not None:
        paths = magics.call(
            lambda c: c.download_results(args.job_id, args.download, overwrite=args.overwrite)
        )
        where = paths[0].parent if len(paths) == 1 else args.download
        print(f"Downloaded {len(paths)} file{'s' if len(paths) != 1 else ''} to {where}")
    if args.preview:
        results = magics.call(lambda c: c.preview_results(args.job_id))
    else:
        results = magics.call(lambda c: c.get_job_results(args.job_id))
    magics.show(results.card(show_links=args.links))
