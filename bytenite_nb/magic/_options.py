"""The magic line: the cell options, the help text, secrets refused, one-line errors."""

from __future__ import annotations

import argparse
import re
from typing import Any

from IPython.core.error import UsageError

CELL_HELP = """\
Cell options (they override the body, which overrides configured defaults):
  VAR                    store the result in this variable (the JobResponse,
                         the CreateJobRequest with --dry-run, the error on failure)
  --dry-run              validate and show the payload; send nothing
  --run                  start the job right after creating it
  --wait                 start it and show its card live until it completes
                         (the cell fails if the job fails)
  --upload PATH          send this local file as the job's input (a 'file' data
                         source, set when the body has none): checked first,
                         uploaded after create, before --run/--wait
  --template ID          set templateId
  --name NAME            set name
  --description TEXT     set description
  --test                 set config.isTestJob (a test job)
  --task-timeout DUR     set config.taskTimeout: 3600, 90s, 15m, 2h, 1h30m
  --job-timeout DUR      set config.jobTimeout, same forms
  --curl                 print the equivalent curl command instead of sending
  -q, --quiet            show nothing on success (errors still show)

Batches (the body is the base of every job):
  VAR --sweep EXPR       create one job per item of EXPR, a Python expression:
                         a dict of dotted paths to lists (every combination)
                         or a list of dicts; VAR gets the JobBatch
  --concurrency N        at most N requests in flight (default 16)
  --run / --wait         start the jobs; --wait also follows them to the end
  --dry-run              validate every item and store the list of requests
  Interrupted (the stop button), VAR holds what was created: VAR.resume()

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
SECRET_FIELDS = ("apikey", "api_key", "token", "accesstoken", "access_token")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class Parser(argparse.ArgumentParser):
    """argparse that raises ``UsageError`` instead of exiting."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}. See %bytenite --help")


def cell_parser() -> Parser:
    parser = Parser(prog="%%bytenite", add_help=False, allow_abbrev=False)
    parser.add_argument("var", nargs="?")
    parser.add_argument("--dry-run", action="store_true")
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--wait", action="store_true")
    parser.add_argument("--upload", metavar="PATH")
    parser.add_argument("--template")
    parser.add_argument("--name")
    parser.add_argument("--description")
    parser.add_argument("--test", action="store_true")
    parser.add_argument("--task-timeout")
    parser.add_argument("--job-timeout")
    parser.add_argument("--curl", action="store_true")
    parser.add_argument("-q", "--quiet", action="store_true")
    parser.add_argument("--sweep", metavar="EXPR")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("-h", "--help", action="store_true")
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


def short_message(exc: BaseException) -> str:
    """One line for the failed cell; the card above it has the details."""
    from ..errors import PayloadError

    if isinstance(exc, PayloadError) and exc.errors:
        first = exc.errors[0]
        more = f" (and {len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        field = first["field"] or "payload"
        return f"invalid {exc.subject}, nothing was sent: {field}: {first['message']}{more}"
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
