"""The cell body: ``{{ expr }}`` interpolation, YAML/JSON parsing, merging,
unknown-field hints and the equivalent ``curl`` command. Data in, data out."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

from IPython.core.error import UsageError

_INTERPOLATION = re.compile(r"\\\{\{|\{\{(.*?)\}\}")  # \{{ stays a literal {{


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``; nested mappings are merged key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


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
    from ..models import CreateJobRequest, spec_schema

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
