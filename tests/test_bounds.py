"""Every card, repr and str has a size cap whatever the input, renders without raising,
and stays escaped; nothing builds the wire form unless a front end asks for it."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytenite_nb.display._html import MAX_CARD_BYTES, MAX_TEXT_BYTES
from bytenite_nb.display.payload import payload_html, payload_mimebundle, payload_text
from bytenite_nb.errors import (
    ApiError,
    ByteNiteConnectionError,
    PayloadError,
    WaitTimeoutError,
    api_error_from_body,
)
from bytenite_nb.models import CreateJobRequest, JobResponse

from .html_audit import HOSTILE, assert_safe

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)
EXAMPLES = max(10, settings.default.max_examples // 4)
MB = 1_000_000


def nest(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def check_bundle(bundle: dict[str, Any]) -> None:
    """A card's mimebundle: under both caps, and its HTML carries no live markup."""
    assert set(bundle) == {"text/plain", "text/html"}
    assert len(bundle["text/html"].encode("utf-8", "surrogatepass")) <= MAX_CARD_BYTES
    assert len(bundle["text/plain"].encode("utf-8", "surrogatepass")) <= MAX_TEXT_BYTES
    assert_safe(bundle["text/html"])


# -- the examples of the issue, one class each ------------------------------------------


@pytest.mark.parametrize(
    "job",
    [
        {"name": "n" * MB},
        {"templateId": "t" * MB},
        {"id": "i" * MB},
        {"state": "JOB_STATE_" + "S" * MB},
        {"priority": "P" * MB},
        {"params": {"app": {"k" * MB: 1}}},
        {"params": {"app": {f"k{i}": {f"k{j}": "v" * 300 for j in range(40)} for i in range(40)}}},
        {"params": {"app": nest(300)}},
        {"dataSource": {"dataSourceDescriptor": "d" * MB, "params": {"bucketName": "b" * MB}}},
        {"dataSource": {"dataSourceDescriptor": "x", "params": {"k" * MB: nest(250)}}},
        {"regions": {"whitelist": ["r" * 1000] * 100_000}},
        {"numChunks": 10**4000},
        {"stateTimestamps": {f"S{i}": "2026-11-28T11:00:00Z" for i in range(10_000)}},
        {"state": "JOB_STATE_FAILED", "errorMessage": "e" * MB},
        {"k" * MB: "v" * MB, **{f"extra{i}": ["x" * 400] * 50 for i in range(200)}},
    ],
    ids=lambda job: next(iter(job))[:20],
)
def test_a_hostile_job_gives_a_bounded_card(job: dict[str, Any]) -> None:
    response = JobResponse.model_validate({"job": job, "templateInfo": {"app": "a" * MB}})
    check_bundle(response._repr_mimebundle_())
    assert len(repr(response)) <= 400 and len(str(response)) <= MAX_TEXT_BYTES


def test_a_job_nested_300_levels_renders_folded() -> None:
    response = JobResponse.model_validate({"job": {"name": "deep", "params": {"app": nest(300)}}})
    bundle = response._repr_mimebundle_()
    assert '<span class="bn-more">{…}</span>' in bundle["text/html"]
    # pydantic cannot serialize it: the JSON entry is left out, the card still shows
    assert "application/json" not in response._repr_mimebundle_(include=["application/json"])


@pytest.mark.parametrize(
    "error",
    [
        ApiError("m" * MB, status_code=400, method="POST" * MB, url="u" * MB, code=10**4000),
        ApiError(
            "m",
            status_code=400,
            details=[
                {"fieldViolations": [{"field": f"f{i}", "description": "d"} for i in range(10**5)]}
            ],
        ),
        ApiError("m", status_code=400, details=[{"fieldViolations": [{"field": "f" * MB}]}]),
        ApiError("m", status_code=500, details=[nest(900), {"k" * MB: ["x" * MB] * 100}]),
        PayloadError([{"field": f"field{i}", "message": "bad " * 100} for i in range(10**5)]),
        PayloadError([{"field": "f" * MB, "message": "m" * MB}]),
        ByteNiteConnectionError("c" * MB, maybe_applied=True),
        WaitTimeoutError("w" * MB, None),
        api_error_from_body(502, b"<html><title>" + b"t" * MB + b"</title></html>"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_hostile_error_gives_a_bounded_card_repr_and_str(error: Exception) -> None:
    check_bundle(error._repr_mimebundle_())  # type: ignore[attr-defined]
    assert len(repr(error)) <= 400
    assert len(str(error)) <= 10_000


@pytest.mark.parametrize(
    "payload",
    [
        {"templateId": "t" * MB, "name": "n" * MB},
        {"templateId": "t", "params": {"app": nest(5000)}},
        {"templateId": "t", "params": {"app": {f"k{i}": "v" for i in range(10**5)}}},
        {"k" * MB: [["x" * MB] * 100] * 100},
        {"templateId": "t", "v": 10**4000, "b": b"\x00" * MB, "d": datetime(2026, 1, 1)},
    ],
    ids=["strings", "deep", "wide", "key", "odd-values"],
)
def test_a_hostile_payload_gives_a_bounded_card(payload: dict[str, Any]) -> None:
    check_bundle(payload_mimebundle(payload))
    problems = [{"field": "f" * MB, "message": "m" * MB}] * 10**5
    html, text = payload_html(payload, problems), payload_text(payload, problems)
    assert len(html.encode()) <= MAX_CARD_BYTES and len(text.encode()) <= MAX_TEXT_BYTES


def test_a_request_nested_past_what_pydantic_serializes_still_renders() -> None:
    request = CreateJobRequest.model_validate({"templateId": "t", "params": {"app": nest(600)}})
    bundle = request._repr_mimebundle_(include=["application/json"])
    assert "application/json" not in bundle and "bn-more" in bundle["text/html"]
    assert len(repr(CreateJobRequest.model_validate({"templateId": "t" * MB}))) <= 400


def test_the_wire_form_is_built_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = JobResponse.to_wire

    def counted(self: JobResponse) -> dict[str, Any]:
        calls.append("to_wire")
        return real(self)

    monkeypatch.setattr(JobResponse, "to_wire", counted)
    response = JobResponse.model_validate({"job": {"id": "j", "name": "n"}})
    response._repr_mimebundle_()
    response._repr_html_()
    str(response)
    assert calls == []
    wire = response._repr_mimebundle_(include=["application/json"])["application/json"]
    assert calls == ["to_wire"] and wire == {"job": {"id": "j", "name": "n"}}
    error = PayloadError([{"field": "a", "message": "b"}])
    assert set(error._repr_mimebundle_()) == {"text/plain", "text/html"}


# -- generated hostile input ----------------------------------------------------------------

fragment = st.one_of(
    st.sampled_from(HOSTILE), st.text(alphabet="<>\"'&=/ \x00\x7f\u2028😀abc", max_size=20)
)
huge = st.builds(lambda text, times: text * times, fragment, st.integers(0, 20_000))
json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        huge,
    ),
    # Narrow but deep and long, with short keys (the job's own keys and its data
    # source's params take huge ones): one string of up to 400,000 characters
    # already passes every cap; wide trees of huge keys took ~20 s to generate.
    lambda inner: st.one_of(
        st.lists(inner, max_size=12), st.dictionaries(fragment, inner, max_size=12)
    ),
    max_leaves=24,
)
deep = st.builds(nest, st.integers(1, 250), json_value)  # what the models accept
anything = st.one_of(json_value, deep)
objects = st.one_of(st.dictionaries(fragment, anything, max_size=12), deep)


@st.composite
def hostile_jobs(draw: st.DrawFn) -> dict[str, Any]:
    text = st.one_of(huge, st.sampled_from(["JOB_STATE_FAILED", "JOB_STATE_COMPLETE"]))
    job = {
        "id": draw(huge),
        "name": draw(huge),
        "templateId": draw(huge),
        "state": draw(text),
        "priority": draw(huge),
        "description": draw(huge),
        "errorMessage": draw(huge),
        "dataSource": {
            "dataSourceDescriptor": draw(huge),
            "params": draw(st.dictionaries(huge, anything, max_size=5)),
        },
        "dataDestination": {
            "dataSourceDescriptor": "aws",
            "params": {"bucketName": draw(huge), "name": draw(huge), "cloudRegion": draw(huge)},
        },
        "params": {"app": draw(objects), "partitioner": draw(objects), "x": draw(anything)},
        "regions": {"whitelist": draw(st.lists(huge, max_size=12))},
        draw(huge) or "k": draw(anything),
    }
    keep = draw(st.sets(st.sampled_from(sorted(job))))
    return {k: v for k, v in job.items() if k in keep}


SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(
    hostile_jobs(), st.dictionaries(st.sampled_from(["id", "app", "owner", "description"]), huge)
)
def test_generated_hostile_jobs_give_bounded_escaped_cards(
    job: dict[str, Any], template: dict[str, str]
) -> None:
    response = JobResponse.model_validate({"job": job, "templateInfo": template})
    check_bundle(response._repr_mimebundle_())
    check_bundle(JobResponse.model_validate({"job": job}).job._repr_mimebundle_())
    assert len(repr(response)) <= 400
    assert len(str(response).encode("utf-8", "surrogatepass")) <= MAX_TEXT_BYTES


@SETTINGS
@given(
    huge,
    st.integers(),
    st.lists(st.dictionaries(huge, anything, max_size=4), max_size=4),
    st.lists(st.fixed_dictionaries({"field": huge, "description": huge}), max_size=80),
    st.lists(st.fixed_dictionaries({"field": huge, "message": huge}), min_size=1, max_size=80),
)
def test_generated_hostile_errors_give_bounded_escaped_cards(
    message: str,
    code: int,
    details: list[dict[str, Any]],
    violations: list[dict[str, str]],
    problems: list[dict[str, str]],
) -> None:
    details = [*details, {"fieldViolations": violations}]
    errors: list[Exception] = [
        ApiError(message, status_code=400, code=code, details=details, method=message, url=message),
        PayloadError(problems),
        ByteNiteConnectionError(message),
    ]
    for error in errors:
        check_bundle(error._repr_mimebundle_())  # type: ignore[attr-defined]
        assert len(repr(error)) <= 400


@SETTINGS
@given(
    st.dictionaries(huge, anything, max_size=8),
    st.lists(st.fixed_dictionaries({"field": huge, "message": huge}), max_size=60),
)
def test_generated_hostile_payloads_give_bounded_escaped_cards(
    payload: dict[str, Any], problems: list[dict[str, str]]
) -> None:
    check_bundle(payload_mimebundle(payload))
    html = payload_html(payload, problems)
    assert len(html.encode("utf-8", "surrogatepass")) <= MAX_CARD_BYTES
    assert_safe(html)
