"""Property tests over the shipped spec (hypothesis + hypothesis-jsonschema).

Requests are generated from ``jobsCreateJobRequest`` itself, tightened by
the documented rules the service adds on top of the spec (non-blank
template, timeouts >= 0 within int64, a descriptor on each data source).
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytenite_nb.client import Client
from bytenite_nb.errors import PayloadError
from bytenite_nb.models import DESCRIPTORS, INT64_MAX, CreateJobRequest, DataSource

from .strategies import KNOWN_SOURCES, VALID_REQUESTS, VALIDATOR

#: As many examples as the profile says (conftest: ci 100, large 1,000; was a fixed 150).
RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def without_nulls(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with None-valued fields left out at every model level (as
    ``to_payload`` does); free JSON inside params objects keeps its nulls."""
    out = {k: v for k, v in payload.items() if v is not None}
    for key in ("config", "params", "dataSource", "dataDestination"):
        if isinstance(out.get(key), dict):
            out[key] = {k: v for k, v in out[key].items() if v is not None}
    return out


@RELAXED
@given(VALID_REQUESTS)
def test_every_spec_valid_request_round_trips(payload: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # params.preset
        request = CreateJobRequest.model_validate(payload)
        wire = request.to_payload()
        again = CreateJobRequest.model_validate(wire).to_payload()
    VALIDATOR.validate(wire)
    assert wire == without_nulls(payload)
    assert again == wire  # idempotent


@RELAXED
@given(KNOWN_SOURCES, st.sampled_from([DataSource.bucket(), DataSource.bypass()]))
def test_known_data_sources_give_spec_valid_payloads(source: DataSource, out: DataSource) -> None:
    request = CreateJobRequest.model_validate(
        {"templateId": "t", "dataSource": source.to_wire(), "dataDestination": out.to_wire()}
    )
    wire = request.to_payload()
    VALIDATOR.validate(wire)
    known = DESCRIPTORS[wire["dataSource"]["dataSourceDescriptor"]]
    if known.type_url:
        assert wire["dataSource"]["params"]["@type"] == known.type_url


NOT_SECONDS = st.one_of(
    st.integers(max_value=-1),
    st.integers(min_value=INT64_MAX + 1),
    st.floats(allow_nan=True).filter(lambda f: f != f or not float(f).is_integer()),
    st.booleans(),
    st.text().filter(lambda s: not s.strip().lstrip("+-").isdigit()),
    st.lists(st.integers(), max_size=2),
)
NOT_OBJECT = st.one_of(st.lists(st.integers(), max_size=2), st.text(), st.integers(), st.booleans())
BAD_URLS = st.one_of(
    st.sampled_from(["ftp://host/file", "file:///etc/passwd", "example.com/data", "https://", ""]),
    st.from_regex(r"[a-z]{2,6}://[a-z]{1,8}\.com/x", fullmatch=True).filter(
        lambda u: not u.startswith(("http://", "https://"))
    ),
)

CORRUPTIONS = st.one_of(
    st.tuples(st.just("templateId"), st.sampled_from(["", "  ", "\t\n"])),
    st.tuples(st.sampled_from(["config.taskTimeout", "config.jobTimeout"]), NOT_SECONDS),
    st.tuples(
        st.sampled_from(["params.app", "params.partitioner", "params.assembler"]), NOT_OBJECT
    ),
    st.tuples(st.just("dataSource.params.url"), BAD_URLS),
)


def set_path(payload: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = payload
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


@RELAXED
@given(VALID_REQUESTS, CORRUPTIONS)
def test_invalid_payloads_name_the_field_and_send_nothing(
    payload: dict[str, Any], corruption: tuple[str, Any]
) -> None:
    path, value = corruption
    payload = copy.deepcopy(payload)
    if path.startswith("dataSource."):
        payload["dataSource"] = {"dataSourceDescriptor": "url", "params": {}}
    for container in ("config", "params"):
        if path.startswith(container + ".") and not isinstance(payload.get(container), dict):
            payload[container] = {}
    set_path(payload, path, value)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    client = Client("k", base_url="https://api.test/v1", transport=httpx.MockTransport(handler))
    with client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(PayloadError) as info:
            client.create_job(payload)
    assert sent == []
    assert path in {e["field"] for e in info.value.errors}, info.value.errors
    assert all(e["message"] for e in info.value.errors)
