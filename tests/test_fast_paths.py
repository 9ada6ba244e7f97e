"""Fast paths of the create answer exactly as the slow ones they stand in for.

``create_body`` writes the body with the model's own serializer and must give
the bytes ``json_body(model.to_payload())`` gives (falling back to it for
what that serializer cannot write); ``_plain(_json_text(...))`` lets ``parse_request``
skip the Python walk ``_unsendable`` only for values the walk would pass, and
counting the text's brackets skips the nesting walk only below the bound.
The clients read no cookies: none would ever be sent back. API attempts go to
the transport ``httpx.Client.send`` would pick (a proxy's too), without its
per-request machinery, and through ``send`` again on an httpx without that lookup.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client, _steps
from bytenite_nb.client._payloads import (
    _json_text,
    _plain,
    _unsendable,
    create_body,
    json_body,
    parse_request,
)
from bytenite_nb.errors import PayloadError
from bytenite_nb.models import MAX_NESTING, CreateJobRequest, too_deep
from bytenite_nb.models.marker import mark
from bytenite_nb.sandbox._inprocess import InProcessSandbox

from .strategies import VALID_REQUESTS

RELAXED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
URL = "http://127.0.0.1:9/v1"

#: JSON-like values with what JSON over UTF-8 cannot carry mixed in: lone
#: surrogates, NaN and infinities, integers past 1,024 bits, bytes, sets.
ODD_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**1000, max_value=2**1100),
    st.integers(min_value=-(2**1100), max_value=-(2**1000)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["\ud800", "a\udfffb", "é"]),
    st.binary(max_size=3),
    st.frozensets(st.integers(), max_size=2),
)


ODD_VALUES = st.recursive(
    ODD_LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
    ),
    max_leaves=12,
)


@RELAXED
@given(ODD_VALUES)
def test_the_encoder_check_passes_only_what_the_walk_passes(value: Any) -> None:
    if _plain(_json_text(value)):
        assert _unsendable(value) is None


@pytest.mark.parametrize(
    "value",
    [
        {"n": 2**1024},
        {"n": -(2**1024)},
        {"a": ["x", "\ud800"]},
        {"\udc00": 1},
        {"f": float("nan")},
        {"f": float("-inf")},
        {"b": b"x"},
        {"n": 10**5000},
    ],
)
def test_what_the_walk_refuses_is_not_plain(value: Any) -> None:
    assert _unsendable(value) is not None
    assert not _plain(_json_text(value))


@st.composite
def _nested_near_the_bound(draw: st.DrawFn) -> dict[str, Any]:
    """Params nested MAX_NESTING +- a few levels, in dicts and lists, with brackets
    in strings (which the count sees too) and siblings beside the deep branch."""
    value: Any = draw(st.sampled_from(["leaf", "{[", 1, None]))
    levels = draw(st.integers(MAX_NESTING - 6, MAX_NESTING + 3))
    for kind in draw(
        st.lists(st.sampled_from(["{", "{+", "[", "[+"]), min_size=levels, max_size=levels)
    ):
        if kind.startswith("{"):
            value = {"k": value, "s": "{[x"} if kind == "{+" else {"k": value}
        else:
            value = [value, "]["] if kind == "[+" else [value]
    return {"templateId": "t", "params": {"app": {"deep": value}}}


@RELAXED
@given(_nested_near_the_bound())
def test_the_bracket_count_skips_the_nesting_walk_only_below_the_bound(
    payload: dict[str, Any],
) -> None:
    if too_deep(payload) is None:
        parse_request(payload)
    else:
        with pytest.raises(PayloadError, match="levels deep"):
            parse_request(payload)


@RELAXED
@given(VALID_REQUESTS, st.one_of(st.none(), st.just("bn-batch:0a1b:7")))
def test_the_body_is_the_payloads_json(payload: dict[str, Any], marker: str | None) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # params.preset
        model = parse_request(payload)
    wire = model.to_payload()
    if marker is not None:  # as the create flow marks a batch's item
        model = model.model_copy(update={"description": mark(model.description, marker)})
        wire = {**wire, "description": mark(wire.get("description"), marker)}
    # The same JSON value (byte for byte it may differ: pydantic writes 1e-7 as
    # ``1.1920928955078125e-7`` where json writes ``e-07``; both read back the same).
    assert json.loads(create_body(model)) == json.loads(json_body(wire))


def test_what_the_serializer_cannot_write_fails_naming_the_field() -> None:
    # A model built by hand skips parse_request's walk: the body's fallback names it.
    model = CreateJobRequest(template_id="t", extraField={"x": ["ok", "\udc00"]})
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"job": {"id": "j-1"}})

    with Client(
        access_token="tok-0123456789", base_url=URL, transport=httpx.MockTransport(handler)
    ) as c:
        with pytest.raises(PayloadError) as info:
            c.create_job(model)
    assert sent == []
    assert info.value.errors[0]["field"] == "extraField.x[1]"


def test_a_long_integer_goes_the_json_body_way() -> None:
    big = CreateJobRequest(template_id="t", extraField=2**1030)
    assert create_body(big) == json_body(big.to_payload())
    huge = CreateJobRequest(template_id="t", extraField=10**5000)
    with pytest.raises(PayloadError) as info:
        create_body(huge)
    assert info.value.errors[0]["field"] == "extraField"


def test_the_client_keeps_no_cookies() -> None:
    # Requests are built by the client and sent with send(), which adds no stored
    # cookie: a cookie kept would never go back, so none is read.
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"job": {"id": "j-1"}}, headers={"Set-Cookie": "session=abc; Path=/"}
        )

    with Client(
        access_token="tok-0123456789", base_url=URL, transport=httpx.MockTransport(handler)
    ) as c:
        c.create_job({"templateId": "t"})
        c.get_job("j-1")
        assert len(c._http.cookies) == 0
    assert [r.headers.get("Cookie") for r in seen] == [None, None]


HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "upper"}}}


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("an API call went through the httpx client's send()")


def test_api_calls_go_to_the_transport_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    box = InProcessSandbox(step_seconds=0.0)
    monkeypatch.setattr(httpx.Client, "send", _refuse)
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as c:
        created = c.create_job(HELLO)
        assert created.job.id
        assert c.get_job(created.job.id).job.id == created.job.id
    with pytest.raises(RuntimeError, match="closed"):
        c.get_job(created.job.id)  # as httpx.Client.send says it


@pytest.mark.anyio
async def test_async_api_calls_go_to_the_transport_directly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box = InProcessSandbox(step_seconds=0.0)
    monkeypatch.setattr(httpx.AsyncClient, "send", _refuse)
    async with AsyncClient(box.api_key, base_url=box.url, transport=box.transport()) as c:
        created = await c.create_job(HELLO)
        assert (await c.get_job(str(created.job.id))).job.id == created.job.id
    with pytest.raises(RuntimeError, match="closed"):
        await c.get_job(str(created.job.id))


# No such method, or one that takes other arguments (``Client.close()`` takes none).
@pytest.mark.parametrize("lookup", ["_no_such_lookup", "close"])
def test_an_httpx_without_the_lookup_sends_through_the_client(
    monkeypatch: pytest.MonkeyPatch, lookup: str
) -> None:
    box = InProcessSandbox(step_seconds=0.0)
    monkeypatch.setattr(_steps, "_TRANSPORT_LOOKUP", lookup)
    sent: list[str] = []
    send = httpx.Client.send

    def counted(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        sent.append(request.url.path)
        return send(self, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", counted)
    with Client(box.api_key, base_url=box.url, transport=box.transport()) as c:
        assert c.create_job(HELLO).job.id
    assert sent == ["/v1/auth/access_token", "/v1/customer/jobs"]


def test_an_api_call_goes_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sandbox answers absolute-form targets as a plain HTTP proxy would pass
    # them on: the API host below does not exist, so only the proxy can answer.
    server = sandbox.start(step_seconds=0.0)
    try:
        monkeypatch.setenv("HTTP_PROXY", f"http://{server.host}:{server.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with Client(server.api_key, base_url="http://api.bytenite.invalid/v1") as c:
            assert c.create_job(HELLO).job.id
    finally:
        server.stop()
