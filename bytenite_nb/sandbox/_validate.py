"""Reading a create-job request the way the service does, before any template sees it.

Two layers, as in the service:

- ``read_create``: what grpc-gateway's protojson refuses (wrong JSON types,
  int64 out of range, a non-string ``preset`` or ``@type``) and the canonical
  form the service stores: ``null`` members read as unset, int64 values as
  ints, unknown fields dropped. A stored request is always renderable.
- ``service_rules``: what the service itself refuses in a request protojson
  accepted (negative timeouts, a data source without a descriptor, a ``url``
  source without an http(s) URL).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._wire import Violation, bad_request, int64

_URL = re.compile(r"https?://[^/\s]+")
_STRUCTS = ("app", "partitioner", "assembler")
_CONFIG_KEYS = ("taskTimeout", "jobTimeout", "isTestJob")


def read_create(data: Mapping[str, Any]) -> tuple[dict[str, Any], list[Violation]]:
    """The request as the service stores it, and what protojson would refuse in it."""
    problems: list[Violation] = []
    out: dict[str, Any] = {}
    for key in ("templateId", "name", "description"):
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            out[key] = value
        else:
            problems.append((key, "must be a string"))
    config = _config(data.get("config"), problems)
    if config is not None:
        out["config"] = config
    params = _params(data.get("params"), problems)
    if params is not None:
        out["params"] = params
    for key in ("dataSource", "dataDestination"):
        source = _source(key, data.get(key), problems)
        if source is not None:
            out[key] = source
    return out, problems


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
    """The config a run body carries, flat (``{"taskTimeout": ...}``, the docs) and/or
    nested (``{"config": {...}}``, a 2025 demo; it wins over flat members), read as a
    create's config; ``{}`` when there is none. ``Reject`` 400 for one a create refuses."""
    config: dict[str, Any] = {}
    for given in ({key: data.get(key) for key in _CONFIG_KEYS}, data.get("config")):
        request, problems = read_create({"config": given})
        problems += service_rules(request)
        if problems:
            raise bad_request(problems, "run request")
        config.update(request.get("config", {}))
    return config


def _config(value: Any, problems: list[Violation]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(("config", "must be an object"))
        return None
    out: dict[str, Any] = {}
    for key in ("taskTimeout", "jobTimeout"):
        if value.get(key) is None:
            continue
        number = int64(value[key])
        if number is None:
            problems.append((f"config.{key}", "must be an int64: a whole number or its string"))
        else:
            out[key] = number
    flag = value.get("isTestJob")
    if flag is not None:
        if isinstance(flag, bool):
            out["isTestJob"] = flag
        else:
            problems.append(("config.isTestJob", "must be a boolean"))
    return out


def _params(value: Any, problems: list[Violation]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(("params", "must be an object"))
        return None
    out: dict[str, Any] = {}
    preset = value.get("preset")
    if preset is not None:
        if isinstance(preset, str):
            out["preset"] = preset
        else:
            problems.append(("params.preset", "must be a string"))
    for key in _STRUCTS:
        struct = value.get(key)
        if struct is None:
            continue
        if isinstance(struct, dict):
            out[key] = struct  # a google.protobuf.Struct: nulls inside are values
        else:
            problems.append((f"params.{key}", "must be an object"))
    return out


def _source(key: str, value: Any, problems: list[Violation]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append((key, "must be an object"))
        return None
    out: dict[str, Any] = {}
    descriptor = value.get("dataSourceDescriptor")
    if descriptor is not None:
        if isinstance(descriptor, str):
            out["dataSourceDescriptor"] = descriptor
        else:
            problems.append((f"{key}.dataSourceDescriptor", "must be a string"))
    params = value.get("params")
    if params is None:
        return out
    if not isinstance(params, dict):
        problems.append((f"{key}.params", "must be an object"))
        return out
    type_url = params.get("@type")
    if type_url is not None and not isinstance(type_url, str):
        problems.append((f"{key}.params.@type", "must be a string"))
    out["params"] = {k: v for k, v in params.items() if v is not None}
    return out
