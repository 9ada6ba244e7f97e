"""Reading a job request as the service does, before any template sees it, in two layers:

- ``read_create``: what grpc-gateway's protojson refuses (wrong JSON types, int64 out of
  range) and the canonical form the service stores (``null`` read as unset, int64 as
  ints, unknown fields dropped): a stored request always renders.
- ``service_rules``: what the service itself refuses in a request protojson accepted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._wire import Violation, bad_request, int64

_URL = re.compile(r"https?://[^/\s]+")
_STRINGS = ("templateId", "name", "description")
_CONFIG_KEYS = ("taskTimeout", "jobTimeout", "isTestJob")


def read_create(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Violation]]:
    """The request as the service stores it, and what protojson would refuse in it."""
    problems: list[Violation] = []
    out = {key: _typed(data.get(key), str, key, problems) for key in _STRINGS}
    out["config"] = _config(data.get("config"), problems)
    out["params"] = _params(data.get("params"), problems)
    for key in ("dataSource", "dataDestination"):
        out[key] = _source(key, data.get(key), problems)
    return _set(out), problems


def service_rules(request: Mapping[str, Any]) -> list[Violation]:
    """What the service refuses in a request protojson read, whatever the template."""
    problems: list[Violation] = []
    for key in ("taskTimeout", "jobTimeout"):
        if request.get("config", {}).get(key, 0) < 0:
            problems.append((f"config.{key}", "must not be negative"))
    for key in ("dataSource", "dataDestination"):
        source = request.get(key)
        if source is None:
            continue
        descriptor = source.get("dataSourceDescriptor", "")
        if not descriptor.strip():
            problems.append((f"{key}.dataSourceDescriptor", "is required"))
        elif descriptor == "url":
            url = source.get("params", {}).get("url")
            if not isinstance(url, str) or not _URL.match(url):
                problems.append((f"{key}.params.url", "must be an http(s) URL"))
    return problems


def read_update(data: Mapping[str, Any], keys: tuple[str, ...], subject: str) -> dict[str, Any]:
    """The members ``keys`` of a ``PATCH`` body that are set, read and checked as a create
    reads them (``Reject`` 400 naming each problem)."""
    request, problems = read_create({key: data.get(key) for key in keys})
    problems += service_rules(request)
    if problems:
        raise bad_request(problems, subject)
    return request


def run_config(data: Mapping[str, Any]) -> dict[str, Any]:
    """A run body's config, flat (the docs) and nested (``{"config": ...}``, a 2025 demo; it
    wins), read as a create's (``Reject`` 400 for what it refuses); ``{}`` for none."""
    config: dict[str, Any] = {}
    for given in ({key: data.get(key) for key in _CONFIG_KEYS}, data.get("config")):
        config.update(read_update({"config": given}, ("config",), "run request").get("config", {}))
    return config


_MUST_BE = {str: "must be a string", dict: "must be an object", bool: "must be a boolean"}


def _typed(value: Any, kind: type, path: str, problems: list[Violation]) -> Any:
    """``value`` if it is unset (``None``) or a ``kind``; else ``None``, and a problem noted."""
    if value is None or isinstance(value, kind):
        return value
    problems.append((path, _MUST_BE[kind]))
    return None


def _set(members: dict[str, Any]) -> dict[str, Any]:
    """The members that are set (protojson reads ``null`` as unset)."""
    return {key: value for key, value in members.items() if value is not None}


def _config(value: Any, problems: list[Violation]) -> dict[str, Any] | None:
    config = _typed(value, dict, "config", problems)
    if config is None:
        return None
    out: dict[str, Any] = {}
    for key in ("taskTimeout", "jobTimeout"):
        if config.get(key) is not None:
            out[key] = int64(config[key])
            if out[key] is None:
                problems.append((f"config.{key}", "must be an int64: a whole number or its string"))
    out["isTestJob"] = _typed(config.get("isTestJob"), bool, "config.isTestJob", problems)
    return _set(out)


def _params(value: Any, problems: list[Violation]) -> dict[str, Any] | None:
    params = _typed(value, dict, "params", problems)
    if params is None:
        return None
    out = {"preset": _typed(params.get("preset"), str, "params.preset", problems)}
    for key in ("app", "partitioner", "assembler"):  # Structs: nulls inside are values
        out[key] = _typed(params.get(key), dict, f"params.{key}", problems)
    return _set(out)


def _source(key: str, value: Any, problems: list[Violation]) -> dict[str, Any] | None:
    source = _typed(value, dict, key, problems)
    if source is None:
        return None
    descriptor = source.get("dataSourceDescriptor")
    out = {"dataSourceDescriptor": _typed(descriptor, str, f"{key}.dataSourceDescriptor", problems)}
    params = _typed(source.get("params"), dict, f"{key}.params", problems)
    if params is not None:
        _typed(params.get("@type"), str, f"{key}.params.@type", problems)
        out["params"] = _set(params) or None
    return _set(out)
