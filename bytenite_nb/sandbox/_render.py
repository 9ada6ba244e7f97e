"""Rendering stored jobs as protojson does, defensively: rendering never fails.

A stored request is already canonical (``_validate.read_create``); these
helpers still check every type, so a job stored by a buggy path renders
what it can instead of breaking every later ``GET /jobs``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import wire_integer
from ._templates import Template

_TYPE_PREFIX = "type.googleapis.com/bytenite.data_source."


def chunks_of(template: Template, request: Mapping[str, Any]) -> int:
    """The chunks a job makes, by its template (1 if the template's answer is unusable)."""
    params = request.get("params")
    try:
        chunks = template.chunks(params if isinstance(params, dict) else {})
    except Exception:
        return 1
    ok = isinstance(chunks, int) and not isinstance(chunks, bool) and 0 <= chunks <= 100_000
    return chunks if ok else 1


def string_json(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def params_json(params: Any) -> dict[str, Any] | None:
    if not isinstance(params, dict):
        return None
    out: dict[str, Any] = {}
    if isinstance(params.get("preset"), str) and params["preset"]:
        out["preset"] = params["preset"]
    for key in ("partitioner", "assembler", "app"):
        if isinstance(params.get(key), dict):
            out[key] = params[key]
    return out or None


def config_json(config: Any) -> dict[str, Any] | None:
    if not isinstance(config, dict):
        return None
    out: dict[str, Any] = {}
    for key in ("taskTimeout", "jobTimeout"):
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value:
            out[key] = wire_integer("jobJobConfig", key, value)  # a number, by the spec
    if config.get("isTestJob") is True:
        out["isTestJob"] = True
    return out or None


def source_json(source: Any, temp_url: str | None) -> dict[str, Any] | None:
    if not isinstance(source, dict):
        return None
    out: dict[str, Any] = {}
    if isinstance(source.get("dataSourceDescriptor"), str):
        out["dataSourceDescriptor"] = source["dataSourceDescriptor"]
    params = source.get("params")
    params = dict(params) if isinstance(params, dict) else {}
    if temp_url:
        params.setdefault("@type", _TYPE_PREFIX + "LocalFileDataSource")
        params["tempUrl"] = temp_url
    if params:
        out["params"] = params
    return out or None
