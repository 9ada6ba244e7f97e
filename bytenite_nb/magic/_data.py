"""Reading a cell body as data: YAML or JSON text in, plain JSON values out.

Refused with a :class:`BodyError` naming the line and column: YAML aliases that
repeat more than :data:`MAX_ALIAS_VALUES` values in all (a "billion laughs" body is
refused in milliseconds) or refer to a node that contains them; duplicate keys; NaN
and infinities; YAML types JSON does not have (``!!set``, ``!!binary``,
``!!python/...``, any other tag; dates and times stay strings); nesting deeper than
:data:`MAX_NESTING` levels. YAML is composed into nodes by PyYAML's safe loader
(libyaml's when there is one), then one walk applies the rules; JSON is read by
``json`` with hooks that refuse, and only then scanned again to say where.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

import yaml

from ..errors import cut
from ..models import MAX_NESTING, too_deep

#: At most this many values may be repeated by YAML aliases, in all.
MAX_ALIAS_VALUES = 10_000
#: Characters of a key, value or tag quoted in a message.
QUOTED = 60

_YAML = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL = (_YAML + t for t in ("str", "int", "float", "bool", "null"))
_MAP, _SEQ, _MERGE = _YAML + "map", _YAML + "seq", _YAML + "merge"
_NOT_JSON_HINT = (
    "the body holds JSON data only: mappings, lists, strings, numbers, true/false and null "
    "(dates and times are read as strings; remove the tag)"
)
_NOT_FINITE = "is not a number JSON can hold (NaN and infinities are refused)"


class BodyError(ValueError):
    """A body that is not plain JSON data; ``line`` and ``column`` count from 1 (both
    None when the place is unknown)."""

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None, *, kind: str = ""
    ) -> None:
        self.line = line
        self.column = column
        where = f"line {line}, column {column}" if line is not None else ""
        prefix = " at ".join(part for part in (kind, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)


def _error(message: str, mark: Any, kind: str = "") -> BodyError:
    """A ``BodyError`` at a YAML mark (which counts from 0), if there is one."""
    where = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return BodyError(message, *where, kind=kind)


def _tag_name(tag: str) -> str:
    """``tag:yaml.org,2002:set`` → ``!!set``; other tags as written, shortened."""
    return cut("!!" + tag.removeprefix(_YAML) if tag.startswith(_YAML) else tag, QUOTED)


# -- YAML ------------------------------------------------------------------------------


@cache
def _loader_class(libyaml: bool = True) -> Any:
    """PyYAML's safe loader (libyaml's when there is one and ``libyaml``), reading
    dates and times as strings."""
    base = (getattr(yaml, "CSafeLoader", None) if libyaml else None) or yaml.SafeLoader

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
            # The implicit resolvers only (a safe loader has no path resolvers), and
            # times stay text: YAML 1.1 reads 12:30:00 as the number 45000.
            if kind is not yaml.ScalarNode:
                return _SEQ if kind is yaml.SequenceNode else _MAP
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return _STR if tag in (_INT, _FLOAT) and ":" in value else tag
            return _STR

    Loader.yaml_implicit_resolvers = {
        key: [(tag, regexp) for tag, regexp in resolvers if tag != _YAML + "timestamp"]
        for key, resolvers in base.yaml_implicit_resolvers.items()
    }
    return Loader


def uses_libyaml() -> bool:
    """True when YAML bodies are read by libyaml (PyYAML's C extension)."""
    return issubclass(_loader_class(), getattr(yaml, "CSafeLoader", ()))


def read_yaml(text: str, *, libyaml: bool = True) -> Any:
    """A YAML document → JSON values; ``BodyError`` when it is not (``libyaml=False``:
    PyYAML's pure-Python parser, same rules)."""
    loader = None
    try:
        loader = _loader_class(libyaml)(text)  # the pure-Python reader checks characters here
        node = loader.get_single_node()
    except (yaml.reader.ReaderError, UnicodeEncodeError) as exc:  # a character YAML refuses
        bad = exc.object[exc.start] if isinstance(exc, UnicodeEncodeError) else exc.character
        bad = chr(bad) if isinstance(bad, int) else bad
        where = _line_and_column(text, text.find(bad))
        message = f"the character {bad!a} is not allowed"
        raise BodyError(message, *where, kind="malformed YAML") from None
    except RecursionError:
        mark = getattr(loader, "get_mark", lambda: None)()
        raise _error(f"nested more than {MAX_NESTING} levels deep", mark) from None
    except yaml.MarkedYAMLError as exc:
        problem, start = exc.problem or exc.context or "invalid YAML", exc.context_mark
        if exc.context and start and exc.problem:
            problem += f" ({exc.context} at line {start.line + 1}, column {start.column + 1})"
        raise _error(problem, exc.problem_mark or start, "malformed YAML") from None
    except yaml.YAMLError as exc:
        raise BodyError(" ".join(str(exc).split()), kind="malformed YAML") from None
    finally:
        if loader is not None:
            loader.dispose()
    return None if node is None else _Walk(loader).value(node, 1, None)


class _Walk:
    """YAML nodes → fresh JSON values, under the rules (aliases copied, within the budget)."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.seen: set[int] = set()  # nodes met before: meeting one again is an alias
        self.open: set[int] = set()  # nodes being read: meeting one is a recursive alias
        self.repeating = 0  # > 0 inside a repeated node
        self.repeated = 0  # values copied for aliases so far

    def value(self, node: Any, depth: int, used_at: Any) -> Any:
        """The JSON value of ``node``; ``used_at`` marks where it is used (for messages).
        A refusal ends the walk: the counts are not restored on the way out."""
        ident = id(node)
        again = ident in self.seen
        if ident in self.open:
            raise _error(
                "an alias refers to a node that contains it (a recursive alias)",
                used_at or node.start_mark,
            )
        self.seen.add(ident)
        self.repeating += again
        if self.repeating:
            self.repeated += 1
            if self.repeated > MAX_ALIAS_VALUES:
                raise _error(
                    f"YAML aliases repeat more than {MAX_ALIAS_VALUES:,} values: the "
                    "body is data, not a program; write the values out, or build them "
                    "in Python and insert them with {{ expr }}",
                    used_at or node.start_mark,
                )
        if node.id == "scalar":
            value = self._scalar(node)
        else:
            if depth > MAX_NESTING:
                raise _error(f"nested more than {MAX_NESTING} levels deep", node.start_mark)
            self.open.add(ident)
            if node.tag == _MAP and node.id == "mapping":
                value = self._mapping(node, depth)
            elif node.tag == _SEQ and node.id == "sequence":
                value = [self.value(item, depth + 1, node.start_mark) for item in node.value]
            else:
                raise _error(
                    f"{_tag_name(node.tag)} is not a JSON type: {_NOT_JSON_HINT}", node.start_mark
                )
            self.open.discard(ident)
        self.repeating -= again
        return value

    def _scalar(self, node: Any) -> Any:
        tag = node.tag
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        construct = {
            _INT: self.loader.construct_yaml_int,
            _FLOAT: self.loader.construct_yaml_float,
            _BOOL: self.loader.construct_yaml_bool,
        }.get(tag)
        if construct is None:
            raise _error(f"{_tag_name(tag)} is not a JSON type: {_NOT_JSON_HINT}", node.start_mark)
        try:
            value = construct(node)
        except (ValueError, KeyError):  # !!int abc, !!bool maybe
            problem = f"{cut(node.value, QUOTED)!r} is not a valid {_tag_name(tag)}"
            raise _error(problem, node.start_mark) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise _error(f"{cut(node.value, QUOTED)} {_NOT_FINITE}", node.start_mark)
        return value

    def _mapping(self, node: Any, depth: int) -> dict[str, Any]:
        own: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:  # <<: *base, or <<: [*a, *b] (earlier ones first)
                value = self.value(value_node, depth + 1, key_node.start_mark)
                sources = value if isinstance(value, list) else [value]
                if not all(isinstance(s, dict) for s in sources):
                    raise _error(
                        "<< must merge a mapping or a list of mappings", key_node.start_mark
                    )
                for source in sources:
                    for key, item in source.items():
                        merged.setdefault(key, item)
                continue
            if key_node.id != "scalar":
                raise _error("a key must be a string, not a mapping or a list", key_node.start_mark)
            key = self._scalar(key_node)
            key = key if isinstance(key, str) else json.dumps(key)  # as JSON writes it: 1 → "1"
            if key in own:
                raise _error(f"duplicate key {cut(key, QUOTED)!r}", key_node.start_mark)
            own[key] = self.value(value_node, depth + 1, key_node.start_mark)
        return {**merged, **own} if merged else own


# -- JSON ------------------------------------------------------------------------------


class _Refused(Exception):
    """Raised by a hook of ``json.loads``; the text is then scanned to say where."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Refused
    return result


def _constant(name: str) -> Any:
    raise _Refused


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400
        raise _Refused
    return number


def read_json(text: str) -> Any:
    """A JSON document → its values; ``BodyError`` for anything plain JSON does not allow."""
    try:
        data = json.loads(
            text, object_pairs_hook=_pairs, parse_constant=_constant, parse_float=_finite
        )
    except json.JSONDecodeError as exc:
        raise BodyError(exc.msg, exc.lineno, exc.colno, kind="malformed JSON") from None
    except (_Refused, RecursionError):
        raise _json_problem(text) from None
    if too_deep(data) is not None:
        raise _json_problem(text)
    return data


_TOKEN = re.compile(r'["{}\[\],:]|-?Infinity|NaN|-?[0-9][0-9.eE+-]*')


def _json_problem(text: str) -> BodyError:
    """Where a JSON text that ``json`` read first breaks a rule (duplicate key,
    NaN or infinity, nesting): one scan of its tokens, keeping the keys of each
    open object; the line and column are counted once, at the problem."""
    stack: list[list[Any] | None] = []  # per open container: [keys, expecting a key] or None
    problem, start, index = "", 0, 0
    while not problem:
        match = _TOKEN.search(text, index)
        if match is None:
            return BodyError("the JSON body breaks the rules of plain JSON data")
        token, start, index = match.group(), match.start(), match.end()
        top = stack[-1] if stack else None
        if token == '"':
            key, index = scanstring(text, index)
            if top is not None and top[1]:
                problem = f"duplicate key {cut(key, QUOTED)!r}" if key in top[0] else ""
                top[0].add(key)
                top[1] = False
        elif token in "{[":
            stack.append([set(), True] if token == "{" else None)
            if len(stack) > MAX_NESTING:
                problem = f"nested more than {MAX_NESTING} levels deep"
        elif token in "}]":
            if stack:
                stack.pop()
        elif token == ",":
            if top is not None:
                top[1] = True
        elif token[-1].isdigit():  # a number: an integer of any size is fine
            fraction = "." in token or "e" in token.lower()
            if fraction and not math.isfinite(float(token)):
                problem = f"{cut(token, QUOTED)} {_NOT_FINITE}"
        elif token != ":":
            problem = f"{cut(token, QUOTED)} {_NOT_FINITE}"
    return BodyError(problem, *_line_and_column(text, start))


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column
