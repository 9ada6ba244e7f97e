"""Copies of the shipped spec for Schemathesis: how a deviation is written into a spec.

Every function takes a spec (a dict) and returns an amended deep copy; none
changes the shipped file. Which of them run, and why, is declared in one place:
``DEVIATIONS`` in ``tests/test_conformance.py``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import Any

Spec = dict[str, Any]
REQUEST = "jobsCreateJobRequest"
#: Request-side copies of the component schemas are named with this prefix.
REQUEST_PREFIX = "Request_"
_REF = "#/components/schemas/"


def shipped() -> Spec:
    """The spec the package ships (``bytenite_nb/spec/create-job.openapi.json``)."""
    text = resources.files("bytenite_nb").joinpath("spec/create-job.openapi.json").read_text()
    spec: Spec = json.loads(text)
    return spec


def _decimal_at_most(limit: str) -> str:
    """A regex for the decimal numbers of ``len(limit)`` digits that are <= ``limit``."""
    branches = []
    for i, digit in enumerate(limit):
        low = "1" if i == 0 else "0"
        if digit > low:
            rest = len(limit) - i - 1
            branches.append(f"{limit[:i]}[{low}-{int(digit) - 1}][0-9]{{{rest}}}")
    branches.append(limit)
    return "|".join(branches)


#: Every int64 as protojson writes it: a decimal string, nothing outside the int64 range.
INT64_STRING = (
    rf"^(-?0|[1-9][0-9]{{0,17}}|{_decimal_at_most(str(2**63 - 1))}"
    rf"|-([1-9][0-9]{{0,17}}|{_decimal_at_most(str(2**63))}))$"
)
INT64_NUMBER = {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in ``node``, depth first (schemas, parameters, responses...)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _refs(node: Any) -> set[str]:
    return {
        d["$ref"].removeprefix(_REF)
        for d in _walk(node)
        if isinstance(d.get("$ref"), str) and d["$ref"].startswith(_REF)
    }


def split_request_schemas(spec: Spec) -> Spec:
    """Give the request body its own copies of the component schemas it uses.

    The request and the response share ``jobJobConfig``, ``data_sourceDataSource``
    and the rest, but protojson reads more than it writes (a number or a string
    for an int64, ``null`` for unset): the copies let a deviation loosen what
    is read without loosening what is checked in answers.
    """
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    names: set[str] = set()
    todo = [REQUEST]
    while todo:
        name = todo.pop()
        if name not in names:
            names.add(name)
            todo.extend(_refs(schemas[name]))
    for name in names:
        clone = copy.deepcopy(schemas[name])
        for node in _walk(clone):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.removeprefix(_REF) in names:
                node["$ref"] = _REF + REQUEST_PREFIX + ref.removeprefix(_REF)
        schemas[REQUEST_PREFIX + name] = clone
    for media in spec["paths"]["/jobs"]["post"]["requestBody"]["content"].values():
        media["schema"] = {"$ref": _REF + REQUEST_PREFIX + REQUEST}
    return spec


def _request_schemas(spec: Spec) -> Iterable[dict[str, Any]]:
    for name, schema in spec["components"]["schemas"].items():
        if name.startswith(REQUEST_PREFIX):
            yield schema


def int64_as_protojson(spec: Spec) -> Spec:
    """int64 fields: read as a number or a decimal string; written as the spec types them
    (``"type": "string"``: a decimal string; ``"type": "integer"``, a uint32: a number)."""
    spec = copy.deepcopy(spec)
    request = {id(node) for schema in _request_schemas(spec) for node in _walk(schema)}
    for node in list(_walk(spec)):
        kind = node.get("type")
        if node.get("format") != "int64" or kind not in ("integer", "string"):
            continue
        keep = {k: v for k, v in node.items() if k in ("title", "description")}
        node.clear()
        node.update(keep)
        if id(node) in request:
            node["anyOf"] = [dict(INT64_NUMBER), {"type": "string", "pattern": INT64_STRING}]
        elif kind == "string":
            node.update(type="string", pattern=INT64_STRING)
        else:
            node.update(INT64_NUMBER)
    return spec


def nullable_request_members(spec: Spec) -> Spec:
    """Every member of a request object may be ``null`` (protojson reads it as unset)."""
    spec = copy.deepcopy(spec)
    for schema in _request_schemas(spec):
        for name, member in list(schema.get("properties", {}).items()):
            schema["properties"][name] = {"anyOf": [member, {"type": "null"}]}
    return spec


def narrow(spec: Spec, template_ids: Iterable[str], descriptors: Iterable[str]) -> Spec:
    """Only these template ids, and these data source descriptors first, so creates get
    past the template lookup and reach each documented kind of source.

    Other descriptors stay valid (``anyOf`` a plain string): the service passes kinds
    it added later through, so a strict enum would call them invalid data wrongly.
    """
    spec = copy.deepcopy(spec)
    schemas = spec["components"]["schemas"]
    for name, schema in schemas.items():
        properties = schema.get("properties", {})
        if name.removeprefix(REQUEST_PREFIX) == REQUEST:
            properties["templateId"] = {"type": "string", "enum": sorted(template_ids)}
        if name == REQUEST_PREFIX + "data_sourceDataSource":
            properties["dataSourceDescriptor"] = {
                "anyOf": [{"type": "string", "enum": sorted(descriptors)}, {"type": "string"}]
            }
    return spec


def on_server(spec: Spec, url: str) -> Spec:
    """Served at ``url``: the spec's server is the customer API root, ``{url}/customer``."""
    spec = copy.deepcopy(spec)
    spec["servers"] = [{"url": f"{url}/customer"}]
    return spec


def _answer(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "200": {
            "description": "A successful response.",
            "content": {"application/json": {"schema": schema}},
        },
        "default": {
            "description": "An error.",
            "content": {"application/json": {"schema": {"$ref": _REF + "rpcStatus"}}},
        },
    }


#: One shape for every action answer (run, abort, delete, uploadcompleted): all four members.
_ENVELOPE = {
    "type": "object",
    "required": ["ok", "requestId", "message", "error"],
    "properties": {
        "ok": {"type": "boolean"},
        "requestId": {"type": "string"},
        "message": {"type": "string"},
        "error": {
            "type": ["object", "null"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "description": {"type": "string"},
            },
        },
    },
}
_JOB_ID = {"name": "jobId", "in": "path", "required": True, "schema": {"type": "string"}}
_PAGE_NUMBER = {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}
#: The logs request's enums (BYTENITE_API.md): services by their ``LogsLogService`` names,
#: and by the answer's lower-case keys, which the sandbox also takes.
LOG_LEVELS = ["UNKNOWN", "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "PANIC"]
LOG_SERVICES = ["PARTITIONER", "ASSEMBLER", "TASKRUNNER", "partitioner", "assembler", "taskrunner"]


def _strings(enum: list[str] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "string"}
    if enum is not None:
        item["enum"] = enum
    return {"type": "array", "items": item}


def _body(name: str) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"$ref": _REF + name}}}}


def _log_lines() -> dict[str, Any]:
    line = {
        "type": "object",
        "properties": {
            "log": {"type": "string"},
            "timestamp": {"type": "string", "format": "date-time"},
            "level": {"type": "string", "enum": LOG_LEVELS},
            "container": {"type": "string"},
        },
    }
    return {"type": "array", "items": line}


def with_lifecycle(spec: Spec) -> Spec:
    """The lifecycle calls of BYTENITE_API.md, which the seed spec does not list."""
    spec = copy.deepcopy(spec)
    paths = spec["paths"]
    schemas = spec["components"]["schemas"]
    # Request bodies are named like the split request copies, so the deviations that
    # follow (int64 read both ways, null read as unset) apply to them too.
    config = {"$ref": _REF + REQUEST_PREFIX + "jobJobConfig"}
    source = {"$ref": _REF + REQUEST_PREFIX + "data_sourceDataSource"}
    schemas[REQUEST_PREFIX + "RunJobRequest"] = {
        "type": "object",
        "description": "A config, nested or flat (BYTENITE_API.md: UNCONFIRMED which).",
        "properties": {
            "config": config,
            **copy.deepcopy(schemas[config["$ref"][len(_REF) :]])["properties"],
        },
    }
    schemas[REQUEST_PREFIX + "SetDataSourceRequest"] = {
        "type": "object",
        "properties": {"dataSource": source, "dataDestination": source},
    }
    schemas[REQUEST_PREFIX + "SetParamsRequest"] = copy.deepcopy(
        schemas[REQUEST_PREFIX + "jobAppParams"]
    )
    schemas[REQUEST_PREFIX + "LogsRequest"] = {
        "type": "object",
        "required": ["jobId"],
        "properties": {
            "jobId": {"type": "string"},
            "taskIds": _strings(),
            "levels": _strings(LOG_LEVELS),
            "services": _strings(LOG_SERVICES),
        },
    }
    create = paths["/jobs"]["post"]
    job_response = {"$ref": _REF + "jobsJobResponse"}
    paths["/jobs"] = {
        "post": create,  # before the list, so the list renders what the fuzzer created
        "get": {
            "operationId": "Customer_ListJobs",
            "parameters": [
                {"name": "pagination.limit", "in": "query", "schema": _PAGE_NUMBER},
                {"name": "pagination.offset", "in": "query", "schema": _PAGE_NUMBER},
                {"name": "orderBy", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": _answer(
                {
                    "type": "object",
                    "properties": {
                        "pagination": {
                            "type": "object",
                            "properties": {
                                # numbers (BYTENITE_API.md: the generated SDK, the docs)
                                "total": {"type": "integer", "minimum": 0},
                                "offset": {"type": "integer", "minimum": 0},
                                "hasPrevious": {"type": "boolean"},
                                "hasNext": {"type": "boolean"},
                            },
                        },
                        "data": {"type": "array", "items": {"$ref": _REF + "jobJob"}},
                    },
                }
            ),
        },
    }
    paths["/jobs/templates"] = {
        "get": {
            "operationId": "Customer_ListTemplates",
            "responses": _answer(
                {
                    "type": "object",
                    "properties": {
                        "data": {"type": "array", "items": {"$ref": _REF + "jobJobTemplate"}}
                    },
                }
            ),
        }
    }
    paths["/jobs/{jobId}"] = {
        "get": {
            "operationId": "Customer_GetJob",
            "parameters": [_JOB_ID],
            "responses": _answer(job_response),
        },
        "delete": {
            "operationId": "Customer_DeleteJob",
            "parameters": [_JOB_ID],
            "responses": _answer(_ENVELOPE),
        },
    }
    paths["/jobs/{jobId}/run"] = {
        "post": {
            "operationId": "Customer_RunJob",
            "parameters": [_JOB_ID],
            "requestBody": _body(REQUEST_PREFIX + "RunJobRequest"),
            "responses": _answer(_ENVELOPE),
        }
    }
    paths["/jobs/{jobId}/abort"] = {
        "post": {
            "operationId": "Customer_AbortJob",
            "parameters": [_JOB_ID],
            "responses": _answer(_ENVELOPE),
        }
    }
    paths["/jobs/{jobId}/uploadcompleted"] = {
        "patch": {
            "operationId": "Customer_UploadCompleted",
            "parameters": [_JOB_ID],
            "responses": _answer(_ENVELOPE),
        }
    }
    for action, body in (("datasource", "SetDataSourceRequest"), ("params", "SetParamsRequest")):
        paths[f"/jobs/{{jobId}}/{action}"] = {
            "patch": {
                "operationId": f"Customer_Set{body.removeprefix('Set').removesuffix('Request')}",
                "parameters": [_JOB_ID],
                "requestBody": _body(REQUEST_PREFIX + body),
                "responses": _answer(job_response),
            }
        }
    paths["/logs"] = {
        "post": {
            "operationId": "Customer_GetLogs",
            "requestBody": _body(REQUEST_PREFIX + "LogsRequest"),
            "responses": _answer(
                {
                    "type": "object",
                    "properties": {
                        "partitioner": _log_lines(),
                        "assembler": _log_lines(),
                        "taskrunner": {
                            "type": "object",
                            "additionalProperties": {
                                "type": "object",
                                "properties": {"logs": _log_lines()},
                            },
                        },
                    },
                }
            ),
        }
    }
    paths["/jobs/{jobId}/results"] = {
        "get": {
            "operationId": "Customer_GetJobResults",
            "parameters": [_JOB_ID],
            "responses": _answer(
                {
                    "type": "object",
                    "properties": {
                        "results": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "link": {"type": "string"},
                                },
                            },
                        }
                    },
                }
            ),
        }
    }
    return spec
