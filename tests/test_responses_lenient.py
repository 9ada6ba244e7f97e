"""Every response the spec allows parses and renders (issue 10, item 1).

Responses are generated from the shipped ``jobsJobResponse`` schema, widened
where the spec leaves room: numbers anywhere within their OpenAPI format's
bounds (int32, int64, double), any string where the type is string (an
int64-as-string with no digits, a ``date-time`` that is no date, an enum
value the spec does not list yet), and extra keys, among them ones that spell
a field's name in snake_case. Request-side rules (timeouts >= 0, known
descriptors) must not apply: those are checked in ``test_models.py``.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis_jsonschema import from_schema
from pydantic.alias_generators import to_camel

from bytenite_nb.client import Client
from bytenite_nb.display.job import job_html, job_text
from bytenite_nb.models import INT64_MAX, INT64_MIN, JobConfig, JobResponse, spec_schema

INT32 = {"minimum": -(2**31), "maximum": 2**31 - 1}
INT64 = {"minimum": INT64_MIN, "maximum": INT64_MAX}
DOUBLE = {"minimum": -1.7976931348623157e308, "maximum": 1.7976931348623157e308}
#: Snake_case spellings of wire names, added as optional keys holding any JSON.
SNAKE_KEYS = {
    "jobJob": ["template_id", "num_units_estimation", "created_at", "state_timestamps", "app_id"],
    "jobJobConfig": ["task_timeout", "job_timeout", "is_test_job"],
    "data_sourceDataSource": ["data_source_descriptor"],
    "jobsJobResponse": ["template_info"],
}
ANY_JSON: dict[str, Any] = {}


def widened(schema: Any) -> Any:
    """The spec schema with every room the spec leaves made explicit."""
    if isinstance(schema, list):
        return [widened(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: widened(v) for k, v in schema.items()}
    kind, fmt = out.get("type"), out.get("format")
    if kind == "integer":
        out.update(INT32 if fmt == "int32" else INT64)
    elif kind == "number":
        out.update(DOUBLE)
    elif kind == "string" and (fmt or "enum" in out):
        # "format" is an annotation in JSON Schema 2020-12 and the service may
        # add enum values: any string is allowed, well-formed ones often.
        return {"anyOf": [out, {"type": "string"}]}
    return out


def response_schema() -> dict[str, Any]:
    schema = widened(copy.deepcopy(spec_schema("jobsJobResponse", standalone=True)))
    schemas = schema["components"]["schemas"]
    for name, keys in SNAKE_KEYS.items():
        target = schema if name == "jobsJobResponse" else schemas[name]
        for key in keys:
            target["properties"][key] = ANY_JSON
    schema["required"] = ["job"]  # without a job it is trivial (test_an_empty_response_parses)
    return schema


RESPONSES = from_schema(response_schema())


def keys_kept(data: dict[str, Any], wire: dict[str, Any]) -> list[str]:
    """Input keys (with a value) missing from the wire dump: data silently lost.

    A snake_case key alone is read as its field (as requests are), so it comes
    back under the wire name.
    """
    return [k for k, v in data.items() if v is not None and not {k, to_camel(k)} & set(wire)]


@given(RESPONSES)
def test_every_spec_allowed_response_parses_and_renders(data: dict[str, Any]) -> None:
    response = JobResponse.model_validate(data)
    html = job_html(response)
    text = job_text(response)
    bundle = response._repr_mimebundle_()
    assert html.startswith("<") and text.startswith("ByteNite job")
    assert set(bundle) >= {"text/plain", "text/html"}
    wire = response.to_wire()
    json.dumps(wire)  # JSON-ready
    # Nothing is dropped: a value a field cannot read is kept among the extras.
    assert keys_kept(data, wire) == []
    if isinstance(data.get("job"), dict):
        assert keys_kept(data["job"], wire["job"]) == []


# -- the classes of the issue, one example each ------------------------------------


@pytest.mark.parametrize(
    ("job", "check"),
    [
        ({"config": {"taskTimeout": "-5", "jobTimeout": -1}}, "config"),
        ({"numUnitsEstimation": "abc"}, "numUnitsEstimation"),
        ({"numUnitsEstimation": ""}, "numUnitsEstimation"),
        ({"numChunks": 1.5, "duration": 1e308, "paymentAmount": -0.0}, "numChunks"),
        ({"config": {"jobTimeout": INT64_MIN}}, "config"),
        ({"params": {"app": [1, 2], "preset": 7}}, "params"),
        ({"dataSource": {"dataSourceDescriptor": "bucket"}}, "dataSource"),
        ({"dataDestination": {"dataSourceDescriptor": "url", "params": {"url": "ftp://x"}}}, ""),
        ({"dataSource": {"dataSourceDescriptor": 5, "params": "x"}}, "dataSource"),
        ({"createdAt": "yesterday", "endedAt": "9999-12-31T23:59:59-01:00"}, "createdAt"),
        ({"startedAt": "2016-12-31T23:59:60Z"}, "startedAt"),
        ({"startedAt": "2025-01-01T00:00:00"}, "startedAt"),
        ({"stateTimestamps": {"JOB_STATE_NEW": "soon"}}, "stateTimestamps"),
        ({"state": "JOB_STATE_ON_THE_MOON", "priority": "EXECUTION_PRIORITY_LUDICROUS"}, "state"),
    ],
)
def test_what_requests_refuse_responses_read(job: dict[str, Any], check: str) -> None:
    response = JobResponse.model_validate({"job": job})
    assert job_html(response) and job_text(response)
    assert keys_kept(job, response.to_wire()["job"]) == []


def test_negative_timeouts_are_read_as_the_service_holds_them() -> None:
    job = JobResponse.model_validate({"job": {"config": {"taskTimeout": "-5"}}}).job
    assert job.config is not None and job.config.task_timeout == -5
    assert isinstance(job.config, JobConfig)
    assert "task timeout" in job_html(JobResponse(job=job))


def test_an_unreadable_value_is_kept_as_received_and_the_field_is_none() -> None:
    job = JobResponse.model_validate({"job": {"numUnitsEstimation": "abc", "name": "n"}}).job
    assert job.num_units_estimation is None and job.name == "n"
    assert job.model_extra == {"numUnitsEstimation": "abc"}
    assert "abc" in job_html(JobResponse(job=job))  # under "Other fields"


def test_the_wire_name_wins_over_its_snake_case_spelling() -> None:
    job = JobResponse.model_validate({"job": {"templateId": "wire", "template_id": "snake"}}).job
    assert job.template_id == "wire" and job.model_extra == {"template_id": "snake"}
    # ... even when the wire value cannot be read: the snake_case one never stands in.
    job = JobResponse.model_validate({"job": {"templateId": 5, "template_id": "snake"}}).job
    assert job.template_id is None
    assert job.model_extra == {"templateId": 5, "template_id": "snake"}


def test_times_are_aware_utc() -> None:
    job = JobResponse.model_validate(
        {"job": {"startedAt": "2025-01-01T02:00:00+02:00", "endedAt": "2025-01-01T01:00:00"}}
    ).job
    assert job.started_at is not None and job.ended_at is not None
    assert job.started_at.utcoffset() is not None and job.ended_at.utcoffset() is not None
    assert (job.ended_at - job.started_at).total_seconds() == 3600


def test_request_side_rules_still_hold_for_requests() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        JobConfig.model_validate({"taskTimeout": -5})


@pytest.mark.parametrize(
    "job",
    [
        {"id": "j-1", "config": {"taskTimeout": -1}},
        {"id": "j-1", "numUnitsEstimation": "abc"},
        {"id": "j-1", "params": {"app": "not an object"}},
        {"id": "j-1", "dataSource": {"dataSourceDescriptor": "bucket"}},
        {"id": "j-1", "createdAt": "0001-01-01T00:00:00+01:00"},
    ],
)
def test_create_and_get_return_such_jobs(job: dict[str, Any]) -> None:
    # Before: create_job raised after the job was created, get_job never read it.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"job": job})

    with Client(
        access_token="tok-0123456789",
        base_url="https://api.test/v1",
        transport=httpx.MockTransport(handler),
    ) as client:
        assert client.create_job({"templateId": "t"}).job.id == "j-1"
        assert client.get_job("j-1").job.id == "j-1"


def test_huge_and_tiny_doubles_render() -> None:
    for value in (1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 2**63 + 1):
        response = JobResponse.model_validate({"job": {"duration": value, "paymentAmount": value}})
        assert job_html(response)
        assert math.isfinite(response.job.duration or 0.0)
