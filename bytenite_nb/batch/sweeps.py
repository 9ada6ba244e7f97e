"""Building a batch: ``sweep(base, grid)`` and the checks every item goes through."""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..client import MAX_ITEMS, check_item_count, parse_request
from ..errors import PayloadError
from ..models import CreateJobRequest

#: Fields that differ between items by construction and are not "grid values".
_DERIVED = frozenset({"name", "description"})
#: The table shows at most this many grid columns.
MAX_GRID_COLUMNS = 8


def sweep(
    base: Mapping[str, Any] | CreateJobRequest,
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    *,
    max_items: int | None = MAX_ITEMS,
) -> list[dict[str, Any]]:
    """The request dicts for every combination of ``grid`` over ``base``.

    ``grid`` maps dotted wire paths to lists of values, e.g.
    ``{"params.app.prompt": ["a", "b"], "params.partitioner.num_replicas": [1, 2]}``
    (4 requests, the cartesian product, last path varying fastest); or it is a
    list of dicts of dotted paths, one request each. Each item is named
    ``"{base name}-{index}"`` unless the grid sets ``name``. One ``PayloadError``
    lists every problem as ``[index].field``. More than ``max_items`` (10,000)
    combinations: ``TooManyItemsError`` before any is built (``None`` lifts it).
    """
    _too_many(0, max_items)  # a bad max_items is named first
    if isinstance(base, CreateJobRequest):
        base = base.to_payload()
    if not isinstance(base, Mapping):
        raise TypeError(
            f"sweep: base must be a dict or a CreateJobRequest, not {type(base).__name__}"
        )
    base_dict = dict(base)  # each request deep-copies it
    combos = _combinations(grid, max_items)
    stem = str(base_dict.get("name") or base_dict.get("templateId") or "job")
    width = len(str(max(len(combos) - 1, 0)))
    requests = []
    problems: list[dict[str, str]] = []
    for index, combo in enumerate(combos):
        request = copy.deepcopy(base_dict)
        request["name"] = f"{stem}-{index:0{width}d}"
        for path, value in combo.items():
            try:
                set_path(request, path, copy.deepcopy(value))
            except ValueError as exc:
                problems.append({"field": f"[{index}].{path}", "message": str(exc)})
        requests.append(request)
    for index, request in enumerate([] if problems else requests):  # each checked in full
        try:
            parse_request(request)
        except PayloadError as exc:
            problems.extend(
                {"field": f"[{index}].{e['field']}".rstrip("."), "message": e["message"]}
                for e in exc.errors
            )
    if problems:
        raise PayloadError(problems)
    return requests


def set_path(target: dict[str, Any], path: str, value: Any) -> None:
    """Set ``target["a"]["b"]["c"] = value`` for ``"a.b.c"``, making dicts on the way."""
    keys = path.split(".")
    if not path or any(not key for key in keys):
        raise ValueError(f"{path!r} is not a dotted path such as 'params.app.prompt'")
    node = target
    for depth, key in enumerate(keys[:-1]):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            where = ".".join(keys[: depth + 1])
            raise ValueError(f"{where} holds a {type(child).__name__}, not an object")
        node = child
    node[keys[-1]] = value


def grid_values(requests: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per request, the leaf values (dotted paths) that differ between the requests,
    ``name`` and ``description`` left out: the table's grid columns."""
    flat = [_flatten(r) for r in requests]
    if len(flat) < 2:
        return [{} for _ in flat]
    paths: list[str] = []
    for leaves in flat:
        paths.extend(p for p in leaves if p not in paths and p.split(".")[0] not in _DERIVED)
    missing = object()
    varying = [p for p in paths if len({_key(f.get(p, missing)) for f in flat}) > 1]
    varying = varying[:MAX_GRID_COLUMNS]
    return [{p: f[p] for p in varying if p in f} for f in flat]


def _key(value: Any) -> Any:
    return repr(value) if isinstance(value, (list, dict)) else (type(value).__name__, value)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for key, child in value.items():
            out.update(_flatten(child, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: value} if prefix else {}


def _too_many(count: int, max_items: int | None) -> None:
    check_item_count(count, max_items, field="grid", subject="sweep", verb="build")


def _combinations(
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    max_items: int | None = None,
) -> list[dict[str, Any]]:
    if isinstance(grid, Mapping):
        paths = list(grid)
        columns = []
        for path in paths:
            values = grid[path]
            if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
                raise PayloadError(
                    [{"field": str(path), "message": "grid values must be a list of values"}]
                )
            columns.append(values)
        _too_many(math.prod(len(c) for c in columns), max_items)
        return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*columns)]
    if isinstance(grid, (str, bytes)) or not isinstance(grid, Sequence):
        raise TypeError("sweep: grid must be a dict of dotted paths to lists, or a list of dicts")
    _too_many(len(grid), max_items)
    combos = []
    for index, item in enumerate(grid):
        if not isinstance(item, Mapping):
            raise PayloadError(
                [{"field": f"[{index}]", "message": "each item of the grid must be a dict"}]
            )
        combos.append(dict(item))
    return combos
