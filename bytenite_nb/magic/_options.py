"""The magic line: the cell options (their help is written on the parser), secrets
refused, one-line errors."""

from __future__ import annotations

import argparse
import difflib
import functools
import keyword
import textwrap
from collections import Counter
from typing import Any

from IPython.core.error import UsageError

from ..errors import PayloadError, cut, one_line

_SECRET_OPTIONS = ("--api-key", "--apikey", "--key", "--token", "--access-token")
SECRET_FIELDS = ("apikey", "api_key", "token", "accesstoken", "access_token")


#: Cell options that contradict each other: option → (the options it excludes, why).
CELL_EXCLUSIVE: dict[str, tuple[tuple[str, ...], str]] = {
    "--dry-run": (("--run", "--wait"), "--dry-run sends nothing"),
    "--curl": (
        ("--dry-run", "--run", "--wait", "--upload", "--sweep"),
        "--curl prints the request instead of sending it",
    ),
    "--sweep": (("--upload",), "a sweep's items take their inputs from the grid"),
}


class Parser(argparse.ArgumentParser):
    """argparse that raises ``UsageError`` instead of exiting and refuses an option given
    twice (but ``action="append"`` ones) or with one it ``exclusive``-ly excludes. No usage
    line, no ``-h``, no abbreviations; help 80 wide (no terminal to measure), text as written."""

    def __init__(
        self,
        prog: str,
        *,
        exclusive: dict[str, tuple[tuple[str, ...], str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            prog,
            usage=argparse.SUPPRESS,
            add_help=False,
            allow_abbrev=False,
            formatter_class=functools.partial(
                argparse.RawDescriptionHelpFormatter, max_help_position=25, width=80
            ),
            **kwargs,
        )
        self.exclusive = exclusive or {}

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}. See %bytenite --help")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed = super().parse_known_args(args, namespace)
        used = []  # the option actions given, once per use (``-qh`` is two uses)
        for word in args or ():
            if word == "--":
                break
            flag = word.split("=", 1)[0]
            if flag in self._option_string_actions:
                used.append(self._option_string_actions[flag])
            elif len(word) > 2 and word[0] == "-" and word[1] != "-":
                cluster = [self._option_string_actions.get(f"-{c}") for c in word[1:]]
                used += [a for a in cluster if a is not None] if all(cluster) else []
        for action, times in Counter(used).items():
            if times > 1 and not isinstance(action, argparse._AppendAction):  # meant to repeat
                names = "/".join(action.option_strings)
                raise UsageError(
                    f"{self.prog}: {names} is given {times} times; give each option once. "
                    "See %bytenite --help"
                )
        given = {name for action in used for name in action.option_strings}
        for option, (excluded, why) in self.exclusive.items():
            clash = [other for other in excluded if other in given]
            if option in given and clash:
                raise UsageError(
                    f"{self.prog}: {option} cannot be combined with {' or '.join(clash)}: "
                    f"{why}. See %bytenite --help"
                )
        return parsed


def check_variable(name: str | None) -> None:
    """``UsageError`` unless ``name`` can be assigned to (soft keywords such as
    ``match`` can: they are keywords only inside their statements)."""
    if name is None:
        return
    if not (name.isascii() and name.isidentifier()):
        raise UsageError(f"%%bytenite: {cut(name, 60)!r} is not a valid variable name")
    if keyword.iskeyword(name):
        raise UsageError(
            f"%%bytenite: {name!r} is a Python keyword, not a variable name: choose another VAR"
        )


def cell_parser() -> Parser:
    """The ``%%bytenite`` line. Its help (``%bytenite --help``, ``%%bytenite?``) is
    made from these actions, so an option cannot be added without showing up."""
    parser = Parser(
        "%%bytenite",
        exclusive=CELL_EXCLUSIVE,
        epilog="\n".join(
            textwrap.fill(f"{option} does not go with {', '.join(others)}: {why}.", 80)
            for option, (others, why) in CELL_EXCLUSIVE.items()
        )
        + "\nGive each option once.",
    )
    cell = parser.add_argument_group(
        "Cell options (they override the body, which overrides configured defaults)"
    )
    add = cell.add_argument
    add(
        "var",
        nargs="?",
        metavar="VAR",
        help="store the result in this variable (the JobResponse, the CreateJobRequest "
        "with --dry-run, the error on failure)",
    )
    add("--dry-run", action="store_true", help="validate and show the payload; send nothing")
    add("--run", action="store_true", help="start the job right after creating it")
    add(
        "--wait",
        action="store_true",
        help="start it and show its card live until it ends, then its results (or, if it "
        "failed, its error lines, and the cell fails)",
    )
    add(
        "--upload",
        metavar="PATH",
        help="send this local file as the job's input (a 'file' data source, set when the "
        "body has none): checked first, uploaded after create, before --run/--wait",
    )
    add("--template", metavar="ID", help="set templateId")
    add("--name", metavar="NAME", help="set name")
    add("--description", metavar="TEXT", help="set description")
    add("--test", action="store_true", help="set config.isTestJob (a test job)")
    add("--task-timeout", metavar="DUR", help="set config.taskTimeout: 3600, 90s, 15m, 2h, 1h30m")
    add("--job-timeout", metavar="DUR", help="set config.jobTimeout, same forms")
    add("--curl", action="store_true", help="print the equivalent curl command; send nothing")
    add("-q", "--quiet", action="store_true", help="show nothing on success (errors still show)")
    add("-h", "--help", action="store_true", help="show this help")
    batch = parser.add_argument_group(
        "Batches (the body is the base of every job)",
        "--run and --wait start the jobs (--wait follows them to the end); --dry-run\n"
        "validates every item and stores the list of requests. Interrupted (the stop\n"
        "button), VAR holds what was created: VAR.resume()",
    )
    batch.add_argument(
        "--sweep",
        metavar="EXPR",
        help="create one job per item of EXPR, a Python expression: a dict of dotted paths "
        "to lists (every combination) or a list of dicts; VAR gets the JobBatch",
    )
    batch.add_argument(
        "--concurrency",
        type=int,
        default=16,
        metavar="N",
        help="at most N requests in flight (default %(default)s)",
    )
    return parser


def refuse_secrets(words: list[str]) -> None:
    for word in words:
        flag = word.split("=", 1)[0].lower()
        if flag in _SECRET_OPTIONS:
            raise UsageError(
                f"%bytenite does not take credentials on the magic line ({flag}): the line is "
                "saved in the notebook, and so would your key be. Set BYTENITE_API_KEY in the "
                "environment, or run `%bytenite login` to type it in without echo."
            )


#: A failed cell's message is one line of at most this many characters.
MAX_MESSAGE_LINE = 400


def short_message(exc: BaseException) -> str:
    """One line for the failed cell; the card above it has the details."""
    if isinstance(exc, PayloadError) and exc.errors:
        first = exc.errors[0]
        more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        field = first["field"] or "payload"
        message = one_line(first["message"], 200)
        return one_line(
            f"invalid {exc.subject}, nothing was sent: {field}: {message}{more}", MAX_MESSAGE_LINE
        )
    return one_line(f"{type(exc).__name__}: {exc}", MAX_MESSAGE_LINE)


def did_you_mean(word: str, choices: list[str]) -> str:
    """``" (did you mean 'x'?)"`` when ``word`` (a misspelt field, setting or command)
    is close to a choice ``x``, else ``""``."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
