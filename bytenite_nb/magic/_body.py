"""The cell body: ``{{ expr }}`` interpolation, YAML/JSON parsing, merging,
unknown-field hints and the equivalent ``curl`` command. Data in, data out."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from functools import cache
from typing import Any

from IPython.core.error import UsageError

from ..errors import cut
from ..models import MAX_NESTING, CreateJobRequest, too_deep
from ._data import (
    MAX_ALIAS_VALUES,
    QUOTED,
    BodyError,
    _line_and_column,
    read_json,
    read_yaml,
)
from ._options import did_you_mean

#: How the body is read, for the help (the limits are the loader's own).
BODY_HELP = f"""\
In the body, {{{{ expr }}}} is replaced by json.dumps(expr), evaluated in the
notebook's namespace, so any string, number, list or dict lands as one value;
write \\{{{{ for a literal {{{{.

The body is data: keys may not repeat, NaN and infinities are refused, and so
are YAML types JSON does not have (!!set, !!binary, !!python/...); dates and
times stay strings. YAML aliases may repeat at most {MAX_ALIAS_VALUES:,} values in all, and
mappings and lists nest at most {MAX_NESTING} levels.

Example:
  %%bytenite job --test --job-timeout 15m
  templateId: hello-world-template
  name: {{{{ run_name }}}}
  params:
    app: {{case: upper}}

Settings: `%config ByteNiteMagics` lists them (base_url, default_template, ...);
set one with `%config ByteNiteMagics.NAME = VALUE` or in [tool.bytenite] of
pyproject.toml; `%bytenite config` shows the effective ones. Credentials come
from BYTENITE_API_KEY / BYTENITE_ACCESS_TOKEN or %bytenite login, never from
the magic line."""

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


def _jsonable(value: Any) -> Any:
    """Plain JSON values, with numpy/pandas scalars and arrays turned into Python."""
    for name in ("tolist", "item", "to_dict"):  # arrays, scalars, pandas objects
        method = getattr(value, name, None)
        if callable(method):
            return method()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The characters YAML refuses or reads as line breaks even inside quotes; a JSON
    string or a number with an exponent but no fraction (``1e-05``: text to YAML 1.1).
    Compiled on first use, not at ``%load_ext`` (the first one alone takes ms)."""
    return (
        re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"),
        re.compile(r'"(?:[^"\\]|\\.)*"|(?<![\w.])-?[0-9]+(?=[eE])'),
    )


def _evaluate(expr: str, namespace: Mapping[str, Any]) -> str:
    """The JSON text of ``expr``; a ``ValueError`` whose text follows the expression in
    the message (``" raised …"``, ``": …"``)."""
    if not expr:
        raise ValueError(": put a Python expression inside")
    try:
        value = eval(expr, dict(namespace))
    except NameError as exc:
        raise ValueError(f": {exc} in this notebook") from None
    except Exception as exc:
        raise ValueError(f" raised {type(exc).__name__}: {exc}") from None
    nested_too_deep = f" is nested too deeply to be a JSON value (more than {MAX_NESTING} levels)"
    if too_deep(value) is not None:
        raise ValueError(nested_too_deep)
    try:
        text = json.dumps(value, default=_jsonable, allow_nan=False, ensure_ascii=False)
    except RecursionError:  # a value that only becomes deep through _jsonable
        raise ValueError(nested_too_deep) from None
    except (TypeError, ValueError) as exc:
        raise ValueError(f" is not a JSON value: {exc}") from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(" is not valid Unicode (it holds a lone surrogate)") from None
    return text


def _yaml_safe(text: str) -> str:
    """JSON text that YAML reads as the same value: characters YAML refuses or takes
    for line breaks become \\uXXXX, and ``1e-05`` becomes ``1.0e-05``."""
    not_yaml, string_or_exponent = _patterns()
    text = not_yaml.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return string_or_exponent.sub(
        lambda m: m.group() if m.group().startswith('"') else f"{m.group()}.0", text
    )


def interpolate(body: str, namespace: Mapping[str, Any]) -> str:
    """Each ``{{ expr }}`` replaced by ``json.dumps(eval(expr, namespace))``, ``\\{{`` by
    ``{{``; a failing expression raises ``UsageError`` naming it and its line."""

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "\\{{":
            return "{{"
        expr = match.group(1).strip()
        try:
            return _yaml_safe(_evaluate(expr, namespace))
        except ValueError as exc:  # the line is counted only here, on error
            line, _ = _line_and_column(body, match.start())
            what = f"{{{{ {cut(expr, QUOTED)} }}}}" if expr else "empty {{ }}"
            raise UsageError(f"{what} on line {line}{exc}") from None

    return _INTERPOLATION.sub(replace, body)


def read_body(body: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """The cell body with its ``{{ expr }}`` values in, read: ``parse_body(interpolate(...))``."""
    return parse_body(interpolate(body, namespace))


def parse_body(text: str) -> dict[str, Any]:
    """A cell body in JSON or YAML → a mapping; ``UsageError`` with line and column
    for what is not one or breaks the rules of ``_data``."""
    if not text.strip():
        raise UsageError(
            "%%bytenite: the cell body is empty: write a create-job request, "
            "e.g. `templateId: hello-world-template`"
        )
    try:
        data = read_json(text) if text.lstrip().startswith(("{", "[")) else read_yaml(text)
    except BodyError as exc:
        raise UsageError(f"%%bytenite: {exc}") from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise UsageError(
            f"%%bytenite: the body must be a mapping of create-job fields "
            f"(templateId: ..., name: ...), got {kind}"
        )
    return data


def unknown_fields(payload: Mapping[str, Any]) -> list[str]:
    """Warnings for top-level keys the request does not know, with close matches."""
    fields = CreateJobRequest.model_fields
    known = [field.alias or name for name, field in fields.items()]
    notes = []
    for key in payload:
        if key in known or key in fields:
            continue
        notes.append(f"unknown field {key!r}{did_you_mean(str(key), known)}; it is sent as is")
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
