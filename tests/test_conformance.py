"""Schemathesis against the sandbox: the shipped spec, read by a tool nobody here wrote.

Two runs, every built-in check on (server errors, status codes, content types,
response schemas, valid data accepted, invalid data rejected, ignored auth,
undeclared methods and their ``Allow``), the coverage and fuzzing phases:

- on the shipped spec, as the service would read it: its paths are served at
  ``{sandbox.url}/customer`` (the spec's server is ``.../v1/customer``), and the
  known deviations of the real service, declared once in ``DEVIATIONS`` below,
  are written into the copy;
- on the same copy narrowed to the sandbox's public templates and the
  documented data source descriptors: random template ids stop at "template
  not found", so without it the create path is never reached.

Each operation gets ``BYTENITE_CONFORMANCE_EXAMPLES`` examples (default 100,
the CI profile). For a long hunt::

    BYTENITE_CONFORMANCE_EXAMPLES=5000 pytest tests/test_conformance.py

Anything else Schemathesis finds is a bug of the sandbox: fix it there (and pin
it with a direct test in ``tests/test_sandbox.py``), never here.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jsonschema
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from bytenite_nb import sandbox

from .conformance import spec as specs
from .conformance.checks import Refusal, declared_refusals

EXAMPLES = int(os.environ.get("BYTENITE_CONFORMANCE_EXAMPLES", "100"))


def _int64(value: Any) -> int | None:
    try:
        return int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return None


def _negative_timeout(request: Mapping[str, Any]) -> bool:
    """A negative timeout in a config (a run body may carry its members flat too)."""
    return any(
        isinstance(config, dict)
        and any((_int64(config.get(key)) or 0) < 0 for key in ("taskTimeout", "jobTimeout"))
        for config in (request.get("config"), request)
    )


def _bad_source(request: Mapping[str, Any]) -> bool:
    for key in ("dataSource", "dataDestination"):
        source = request.get(key)
        if isinstance(source, dict):
            descriptor = source.get("dataSourceDescriptor") or ""
            if not descriptor.strip() or descriptor == "url":
                return True
    return False


#: Templates of the sandbox with params rules of their own (their JSON schemas, in the service).
TEMPLATES_WITH_RULES = frozenset({"hello-world-template", "img-gen-diffusers-flux-gpu-template"})
#: The data source descriptors BYTENITE_API.md documents.
DESCRIPTORS = ("aws", "bucket", "bypass", "file", "gcp", "s3", "storj", "url")


@dataclass(frozen=True)
class Deviation:
    """Where the real service differs from the seed spec, and so the sandbox does too."""

    what: str
    why: str
    #: How the spec copy says it.
    amend: Callable[[specs.Spec], specs.Spec] | None = None
    #: Or: which spec-valid requests the service refuses with a 400 rpcStatus.
    refusal: Refusal | None = None


#: The one place the known deviations of the real service are declared.
DEVIATIONS: tuple[Deviation, ...] = (
    Deviation(
        "endpoints the seed spec does not list",
        "the seed spec has POST /jobs only; the service also answers GET /jobs, "
        "GET /jobs/templates, GET and DELETE /jobs/{jobId}, POST /jobs/{jobId}/run (a config "
        "in its body, nested or flat) and /abort, GET /jobs/{jobId}/results, PATCH "
        "/jobs/{jobId}/datasource, /params and /uploadcompleted, POST /logs (BYTENITE_API.md, "
        "job lifecycle). The copy declares them, so they are fuzzed too, and 'Allow' lists "
        "them. First, so that the deviations below apply to their request bodies as well.",
        amend=specs.with_lifecycle,
    ),
    Deviation(
        "int64 fields are read as a number or a decimal string",
        "grpc-gateway's protojson reads either for an integer field. It writes a real int64 "
        "('type': 'string', 'format': 'int64', e.g. numUnitsEstimation) as a decimal string, "
        "and what the spec types 'integer' (a uint32: config.taskTimeout, config.jobTimeout) "
        "as a number (BYTENITE_API.md, wire-format facts). The copy reads either, within the "
        "int64 range, and checks each answer member in the form the spec gives it.",
        amend=specs.int64_as_protojson,
    ),
    Deviation(
        "null members read as unset",
        "protojson reads 'null' for a field as its default value, i.e. unset; the spec's "
        "types do not admit null. The copy admits null for every request member (inside a "
        "params Struct, null is a value and is kept).",
        amend=specs.nullable_request_members,
    ),
    Deviation(
        "a blank templateId is refused",
        "templateId is required by the spec but '' (or blanks) is spec-valid; the service "
        "answers 400 'templateId: is required'.",
        refusal=Refusal(lambda r: not str(r.get("templateId") or "").strip(), r"templateId"),
    ),
    Deviation(
        "a blank jobId in a logs request is refused",
        "the logs request names its job; the service answers 400 'jobId: is required' for "
        "'' (or blanks), which a plain string admits.",
        refusal=Refusal(lambda r: not str(r.get("jobId") or "").strip(), r"jobId"),
    ),
    Deviation(
        "negative timeouts are refused",
        "int64 admits negative seconds; the service answers 400 for config.taskTimeout or "
        "config.jobTimeout below 0.",
        refusal=Refusal(_negative_timeout, r"config\.(taskTimeout|jobTimeout)"),
    ),
    Deviation(
        "template-specific params rules",
        "a template may carry JSON schemas the service validates params against on create "
        "(BYTENITE_API.md); the sandbox's hello-world (params.app.case) and diffusers "
        "(params.app.prompt, params.partitioner.num_replicas) templates have such rules.",
        refusal=Refusal(
            lambda r: str(r.get("templateId") or "").strip() in TEMPLATES_WITH_RULES,
            r"params\..+",
        ),
    ),
    Deviation(
        "data sources need a descriptor, a url source an http(s) URL",
        "the service picks the connector by dataSourceDescriptor, and a 'url' source "
        "downloads params.url (BYTENITE_API.md, data sources); the spec makes both optional.",
        refusal=Refusal(
            _bad_source,
            r"(dataSource|dataDestination)\.(dataSourceDescriptor|params\.url)",
        ),
    ),
)

#: Where the seed spec or the old sandbox disagreed with BYTENITE_API.md about the real
#: service, the sandbox follows the service:
FOLLOWS_THE_SERVICE = (
    "a page of GET /jobs holds at most 100 jobs, and pagination.limit=0 means the default (20)",
    "aborting a job that has ended is a 400",
    "action endpoints (run, abort, delete, uploadcompleted) answer one envelope "
    "{ok, requestId, message, error: null}",
    "pagination.total and .offset are numbers; config.taskTimeout and .jobTimeout numbers",
    "the logs request names services by their enum names PARTITIONER, ASSEMBLER, TASKRUNNER",
    "a method a path does not take is a 405 with code 12 (grpc-gateway's 'Method Not Allowed')",
    "Authorization takes the raw token (the docs) and 'Bearer <token>' (the generated SDK)",
    "a run body that is not a JSON object is a 400 (grpc-gateway decodes it before the call)",
    "bodies are read as protojson reads them: UTF-8, no NaN/Infinity, no duplicate keys",
)


def amended(spec: specs.Spec) -> specs.Spec:
    spec = specs.split_request_schemas(spec)
    for deviation in DEVIATIONS:
        if deviation.amend is not None:
            spec = deviation.amend(spec)
    return spec


REFUSALS = [d.refusal for d in DEVIATIONS if d.refusal is not None]
CHECK = declared_refusals(REFUSALS)
PUBLIC_TEMPLATES = sorted(t.id for t in sandbox.TEMPLATES.values() if not t.private)


def _token(srv: sandbox.SandboxServer) -> str:
    answer = httpx.post(f"{srv.url}/auth/access_token", json={"apiKey": srv.api_key})
    return str(answer.json()["token"])


#: Answers to the narrowed run's creates, by status.
CREATES: Counter[int] = Counter()


@pytest.fixture(scope="module")
def conformance_server() -> Iterator[sandbox.SandboxServer]:
    srv = sandbox.start(step_seconds=0.01)
    yield srv
    try:
        _assert_every_job_renders(srv)
        if CREATES:  # the narrowed run reached the create path, not only its refusals
            print(f"narrowed creates by status: {dict(CREATES)}")
            assert CREATES[200] >= CREATES.total() // 10, dict(CREATES)
    finally:
        srv.stop()


def _assert_every_job_renders(srv: sandbox.SandboxServer) -> None:
    """Whatever the fuzzers stored, every page of GET /jobs answers and fits the spec."""
    spec = amended(specs.shipped())
    page_schema = spec["paths"]["/jobs"]["get"]["responses"]["200"]["content"]
    schema = {**page_schema["application/json"]["schema"], "components": spec["components"]}
    headers = {"Authorization": _token(srv)}
    offset, seen = 0, 0
    while True:
        answer = httpx.get(
            f"{srv.url}/customer/jobs",
            headers=headers,
            params={"pagination.limit": 100, "pagination.offset": offset},
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        jsonschema.validate(page, schema)
        seen += len(page["data"])
        if not page["pagination"].get("hasNext"):
            break
        offset += len(page["data"])
    assert seen == int(page["pagination"]["total"]) == len(srv.sandbox.jobs)


def _schema(spec: specs.Spec) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict(
        {
            "checks": {
                "enabled": True,
                # 400 passes here only for the refusals DEVIATIONS declares (CHECK sees to it)
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429"]
                },
            },
            # the token goes in every call; Schemathesis's own missing/invalid-token cases
            # are the ignored_auth check
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
            },
        }
    )
    return schemathesis.openapi.from_dict(spec, config=config)


@pytest.fixture(scope="module")
def target(conformance_server: sandbox.SandboxServer) -> dict[str, Any]:
    """Where the spec's paths are served (its server is the customer root), and the token."""
    return {
        "base_url": f"{conformance_server.url}/customer",
        "headers": {"Authorization": _token(conformance_server)},
    }


SEED = _schema(amended(specs.shipped()))
NARROWED = _schema(specs.narrow(amended(specs.shipped()), PUBLIC_TEMPLATES, DESCRIPTORS))
_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


#: The sandbox speaks JSON only: Schemathesis skips the spec's application/x-protobuf bodies.
pytestmark = [
    pytest.mark.conformance,
    pytest.mark.filterwarnings("ignore:Skipped test cases with unsupported payload"),
]


@SEED.parametrize()
@_SETTINGS
def test_shipped_spec(case: schemathesis.Case, target: dict[str, Any]) -> None:
    case.call_and_validate(**target, additional_checks=[CHECK])


@NARROWED.parametrize()
@_SETTINGS
def test_spec_narrowed_to_the_sandbox_templates(
    case: schemathesis.Case, target: dict[str, Any]
) -> None:
    response = case.call_and_validate(**target, additional_checks=[CHECK])
    if case.operation.label == "POST /jobs":
        CREATES[response.status_code] += 1
