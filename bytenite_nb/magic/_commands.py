"""The line commands of ``%bytenite``, in one table whose parsers make the help (no
command or option can miss it)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError

from ..client import check_page, log_levels, log_services
from ..display import plural
from ..errors import NotFoundError, PayloadError
from ._body import BODY_HELP
from ._options import Parser, cell_parser

if TYPE_CHECKING:  # pragma: no cover
    from ._session import Session  # the session calls this module: for annotations only

Handler = Callable[["Session", argparse.Namespace], None]
#: One argument of a command: its flags and its ``add_argument`` options.
Argument = tuple[tuple[str, ...], dict[str, Any]]


@dataclass(frozen=True)
class LineCommand:
    """One ``%bytenite NAME ...`` command: its arguments, help line and handler."""

    name: str
    summary: str
    handler: Handler
    arguments: tuple[Argument, ...] = ()

    def parser(self, *, options_only: bool = False) -> Parser:
        """The parser of the command's arguments (of its options only, for the help)."""
        parser = Parser(f"%bytenite {self.name}")
        group = parser.add_argument_group(f"%bytenite {self.name}")
        for flags, options in self.arguments:
            if not options_only or flags[0].startswith("-"):
                group.add_argument(*flags, **options)
        return parser

    def usage(self) -> str:
        """``JOB_ID [--level LEVEL]``: the arguments in the order they are declared."""
        words = []
        for flags, options in self.arguments:
            name = options.get("metavar") or flags[0].lstrip("-").upper()
            if not flags[0].startswith("-"):
                words.append(name)
            elif options.get("action") == "store_true":
                words.append(f"[{flags[0]}]")
            else:
                words.append(f"[{flags[0]} {name}]")
        return " ".join(words)


#: Every line command, in the order the help lists them.
COMMANDS: dict[str, LineCommand] = {}

JOB_ID: Argument = (("job_id",), {"metavar": "JOB_ID", "help": "the job's id"})


def command(name: str, summary: str, *arguments: Argument) -> Callable[[Handler], Handler]:
    """Register a line command (each argument with its ``help``)."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = LineCommand(name, summary, handler, arguments)
        return handler

    return register


#: Usage column width of the help; a longer usage puts its summary on the next line.
HELP_COLUMN = 34


def help_text() -> str:
    """``%bytenite --help`` and ``%bytenite?``: every command, then every option (from
    the parsers), then how the body is read."""
    rows = [("%%bytenite [VAR] [options]", "body: a create-job request in YAML or JSON")]
    rows += [(f"%bytenite {c.name} {c.usage()}".rstrip(), c.summary) for c in COMMANDS.values()]
    rows.append(("%bytenite --help", "show this help (or %bytenite?)"))
    lines = ["Create, run and watch ByteNite jobs from a notebook.", "", "Usage:"]
    for usage, summary in rows:
        if len(usage) > HELP_COLUMN:
            lines += [f"  {usage}", f"  {'':<{HELP_COLUMN}}  {summary}"]
        else:
            lines.append(f"  {usage:<{HELP_COLUMN}}  {summary}")
    # argparse leaves out an empty group: a command without options has no help here
    commands = [c.parser(options_only=True).format_help().rstrip() for c in COMMANDS.values()]
    return "\n\n".join(
        [
            "\n".join(lines),
            cell_parser().format_help().rstrip(),
            "Line command options:\n\n" + "\n\n".join(c for c in commands if c),
            BODY_HELP,
        ]
    )


# -- the commands ------------------------------------------------------------------------


@command("config", "show the effective settings (secrets masked)")
def _config(session: Session, args: argparse.Namespace) -> None:
    print(session.describe_settings())


@command("login", "ask for your API key (never echoed or saved)")
def _login(session: Session, args: argparse.Namespace) -> None:
    session.login()


@command(
    "sandbox",
    "start a local sandbox and use it",
    (("--stop",), {"action": "store_true", "help": "stop it; back to the configured service"}),
)
def _sandbox(session: Session, args: argparse.Namespace) -> None:
    session.use_sandbox(stop=args.stop)


@command("templates", "list the job templates you can use")
def _templates(session: Session, args: argparse.Namespace) -> None:
    for t in session.call(lambda c: c.list_templates()):
        print(f"{t.id:<40} {t.app or ''} · {t.partitioner or ''} → {t.assembler or ''}")


@command("get", "show a job", JOB_ID)
def _get(session: Session, args: argparse.Namespace) -> None:
    session.show(session.call(lambda c: c.get_job(args.job_id)))


@command("run", "start a job that was created as a draft", JOB_ID)
def _run(session: Session, args: argparse.Namespace) -> None:
    session.call(lambda c: c.run_job(args.job_id))
    session.show(session.call(lambda c: c.get_job(args.job_id)))


@command("watch", "show a job's card live until it completes", JOB_ID)
def _watch(session: Session, args: argparse.Namespace) -> None:
    session.watch(session.call(lambda c: c.get_job(args.job_id)), quiet=False)


def _checked(command_name: str, check: Callable[[], Any], option: str = "") -> Any:
    """Run a client argument check; its ``PayloadError`` becomes one ``UsageError`` line
    naming the option (``--FIELD`` unless given)."""
    try:
        return check()
    except PayloadError as exc:
        first = exc.errors[0]
        option = option or f"--{first['field']}"
        raise UsageError(
            f"%bytenite {command_name}: {option}: {first['message']}. See %bytenite --help"
        ) from None


def _only(flag: str, metavar: str, what: str) -> Argument:
    """A filter option that may repeat or list its values."""
    return (flag,), {
        "action": "append",
        "metavar": metavar,
        "help": f"only these {what} (comma-separated or repeated)",
    }


@command(
    "jobs",
    "list your jobs, newest first (20 a page, at most 100)",
    (("--limit",), {"type": int, "default": 20, "metavar": "N", "help": "jobs a page (20)"}),
    (("--offset",), {"type": int, "default": 0, "metavar": "N", "help": "newest jobs to skip"}),
)
def _jobs(session: Session, args: argparse.Namespace) -> None:
    largest = session.client().max_page_size
    _checked("jobs", lambda: check_page(args.limit, args.offset, largest=largest))
    session.show(session.call(lambda c: c.list_jobs(args.limit, args.offset)))


@command(
    "logs",
    "show a job's logs, e.g. --level warn,error --service taskrunner",
    JOB_ID,
    _only("--level", "L", "levels, e.g. warn,error"),
    _only("--service", "S", "services, e.g. taskrunner"),
)
def _logs(session: Session, args: argparse.Namespace) -> None:
    levels = _checked("logs", lambda: log_levels(args.level), "--level")
    services = _checked("logs", lambda: log_services(args.service), "--service")
    session.show(session.call(lambda c: c.get_job_logs(args.job_id, levels, services)))


@command("abort", "abort a running job (ends FAILED; a job never run is deleted)", JOB_ID)
def _abort(session: Session, args: argparse.Namespace) -> None:
    session.call(lambda c: c.abort_job(args.job_id))

    def current(client: Any) -> Any:
        try:
            return client.get_job(args.job_id)
        except NotFoundError:
            return None

    response = session.call(current)
    if response is None:
        print(f"Job {args.job_id} had not been started, so it was deleted.")
    else:
        session.show(response)


@command("delete", "delete a job", JOB_ID)
def _delete(session: Session, args: argparse.Namespace) -> None:
    session.call(lambda c: c.delete_job(args.job_id))
    print(f"Deleted job {args.job_id}.")


@command(
    "results",
    "a job's output files; download them, preview them inline",
    JOB_ID,
    (("--download",), {"metavar": "DIR", "help": "save the files in this directory"}),
    (("--overwrite",), {"action": "store_true", "help": "with --download: replace files"}),
    (("--preview",), {"action": "store_true", "help": "show images and first lines inline"}),
    (
        ("--links",),
        {
            "action": "store_true",
            "help": "write the signed links into the output (they grant access while they live)",
        },
    ),
)
def _results(session: Session, args: argparse.Namespace) -> None:
    if args.download is not None:
        paths = session.call(
            lambda c: c.download_results(args.job_id, args.download, overwrite=args.overwrite)
        )
        where = paths[0].parent if len(paths) == 1 else args.download
        print(f"Downloaded {plural(len(paths), 'file')} to {where}")
    if args.preview:
        results = session.call(lambda c: c.preview_results(args.job_id))
    else:
        results = session.call(lambda c: c.get_job_results(args.job_id))
    session.show(results.card(show_links=args.links))
