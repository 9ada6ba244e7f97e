"""One typed error, never a raw one (issue 10, item 3).

Every failure of a client call is a ``ByteNiteError``; bad local input is a
``PayloadError`` (a ``ValueError``) raised before anything is sent, the token
exchange included. The client is driven through a family of broken answers
(``httpx.MockTransport``: wire faults a real server does not easily give) and
of bad arguments.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.errors import ByteNiteConnectionError, ByteNiteError, PayloadError

from .flowdriver import FakeClock, no_sleep

URL = "https://api.test/v1"
JOB = {"job": {"id": "j-1", "state": "JOB_STATE_COMPLETE"}}
Answer = Callable[[httpx.Request], httpx.Response]


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def raising(exc_type: type[Exception]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        if issubclass(exc_type, httpx.RequestError):
            raise exc_type("boom", request=request)
        if exc_type is httpx.HTTPStatusError:
            raise exc_type("boom", request=request, response=httpx.Response(500))
        if issubclass(exc_type, httpx.StreamError) and exc_type is not httpx.StreamError:
            raise exc_type()  # type: ignore[call-arg]
        raise exc_type("boom")

    return answer


def httpx_errors() -> list[type[Exception]]:
    """Every exception class httpx exports (the whole family, found, not listed)."""
    found = []
    for name in httpx.__all__:
        obj = getattr(httpx, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            found.append(obj)
    assert len(found) > 15
    return found


BODIES: dict[str, Answer] = {
    "bad gzip": lambda r: httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, content=b"not gzip at all"
    ),
    "truncated gzip": lambda r: httpx.Response(
        200, headers={"Content-Encoding": "gzip"}, content=gzip.compress(b'{"job": {}}')[:12]
    ),
    "unknown encoding": lambda r: httpx.Response(
        200, headers={"Content-Encoding": "br, zz"}, content=b"{}"
    ),
    "deep array": lambda r: httpx.Response(200, content=deep(100_000)),
    "deep params": lambda r: httpx.Response(
        200, content=b'{"job": {"params": {"app": ' + b'{"a":' * 3000 + b"1" + b"}" * 3002
    ),
    "deep error body": lambda r: httpx.Response(400, content=deep(50_000)),
    "deep error details": lambda r: httpx.Response(
        400, content=b'{"message": "m", "details": [' + deep(900) + b"]}"
    ),
    "non-UTF-8": lambda r: httpx.Response(200, content=b'{"job": {"name": "\xff\xfe"}}'),
    "non-UTF-8 error": lambda r: httpx.Response(500, content=b"\xff\xfe\x80 oops"),
    "latin-1 charset": lambda r: httpx.Response(
        200, headers={"Content-Type": "application/json; charset=x-unknown"}, content=b"{}"
    ),
    "huge integer": lambda r: httpx.Response(
        200, content=b'{"job": {"numChunks": ' + b"9" * 5000 + b"}}"
    ),
    "huge integer in error": lambda r: httpx.Response(
        400, content=b'{"code": ' + b"9" * 5000 + b"}"
    ),
    "NaN and Infinity": lambda r: httpx.Response(
        200, content=b'{"job": {"duration": NaN, "paymentAmount": -Infinity, "numChunks": NaN}}'
    ),
    "a list": lambda r: httpx.Response(200, json=[1, 2]),
    "a string": lambda r: httpx.Response(200, json="job"),
    "null": lambda r: httpx.Response(200, content=b"null"),
    "empty": lambda r: httpx.Response(200),
    "status 600": lambda r: httpx.Response(600, content=b"?"),
    "status 302": lambda r: httpx.Response(302, headers={"Location": "https://elsewhere.test/"}),
    "ok false envelope": lambda r: httpx.Response(200, json={"ok": False, "error": [1, {}]}),
    "lone surrogate escape": lambda r: httpx.Response(200, content=b'{"job": {"name": "\\ud800"}}'),
    "retry-after nan": lambda r: httpx.Response(503, headers={"Retry-After": "nan"}),
    "retry-after huge": lambda r: httpx.Response(503, headers={"Retry-After": "1e999"}),
    "retry-after bad date": lambda r: httpx.Response(
        503, headers={"Retry-After": "Mon, 99 Foo 99999 99:99:99 GMT"}
    ),
}
for _exc in httpx_errors():
    BODIES[f"raises {_exc.__name__}"] = raising(_exc)

TOKENS: dict[str, Any] = {
    "no token": {"expiresIn": "3600"},
    "token is a number": {"token": 12345678901},
    "token with a newline": {"token": "abc\r\nX-Evil: 1"},
    "token not ASCII": {"token": "tökén-0123456789"},
    "expiresIn huge": {"token": "tok-0123456789", "expiresIn": "9" * 400},
    "expiresIn huge number": {"token": "tok-0123456789", "expiresIn": 1e308},
    "expiresIn nan": {"token": "tok-0123456789", "expiresIn": "nan"},
    "expiresIn a list": {"token": "tok-0123456789", "expiresIn": [1]},
    "a list": [1],
}


def calls(client: Client) -> dict[str, Callable[[], object]]:
    return {
        "create_job": lambda: client.create_job({"templateId": "t"}),
        "get_job": lambda: client.get_job("j-1"),
        "run_job": lambda: client.run_job("j-1"),
        "list_templates": lambda: client.list_templates(),
        "wait_for_job": lambda: client.wait_for_job("j-1", interval=0.01, timeout=1),
    }


def only_typed_errors(fn: Callable[[], object]) -> BaseException | None:
    try:
        fn()
    except ByteNiteError as exc:
        return exc
    except BaseException as exc:  # the failure this test is about
        pytest.fail(f"raw {type(exc).__name__} escaped: {exc!r}")
    return None


@pytest.mark.parametrize("name", list(BODIES))
def test_broken_answers_give_typed_errors_only(name: str, clock: FakeClock) -> None:
    answer = BODIES[name]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/access_token"):
            return httpx.Response(200, json={"token": "tok-0123456789"})
        return answer(request)

    with Client(
        "key-0123456789",
        base_url=URL,
        transport=httpx.MockTransport(handler),
        clock=clock,
        sleep=clock.sleep,
    ) as client:
        for call in calls(client).values():
            only_typed_errors(call)


@pytest.mark.parametrize("name", list(TOKENS))
def test_broken_token_exchanges_give_typed_errors_only(name: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/access_token"):
            return httpx.Response(200, json=TOKENS[name])
        return httpx.Response(200, json=JOB)

    with Client("key-0123456789", base_url=URL, transport=httpx.MockTransport(handler)) as client:
        only_typed_errors(client.authenticate)
        only_typed_errors(lambda: client.get_job("j-1"))


@pytest.mark.parametrize("name", ["bad gzip", "deep array", "non-UTF-8", "raises DecodingError"])
def test_broken_answers_give_typed_errors_only_async(name: str, clock: FakeClock) -> None:
    answer = BODIES[name]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/access_token"):
            return httpx.Response(200, json={"token": "tok-0123456789"})
        return answer(request)

    async def main() -> list[BaseException | None]:
        transport = httpx.MockTransport(handler)
        async with AsyncClient(
            "key-0123456789", base_url=URL, transport=transport, clock=clock, sleep=clock.asleep
        ) as client:
            found = []
            for call in (
                lambda: client.create_job({"templateId": "t"}),
                lambda: client.get_job("j-1"),
                lambda: client.wait_for_job("j-1", interval=0.01, timeout=1),
            ):
                try:
                    await call()
                    found.append(None)
                except ByteNiteError as exc:
                    found.append(exc)
            return found

    anyio.run(main)


def test_a_bad_gzip_body_is_a_connection_error_that_says_so() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return BODIES["bad gzip"](request)

    client = Client(
        access_token="tok-0123456789",
        base_url=URL,
        transport=httpx.MockTransport(handler),
        sleep=no_sleep,
    )
    with client, pytest.raises(ByteNiteConnectionError, match="could not be decoded"):
        client.get_job("j-1")


# -- bad local input: PayloadError, before anything is sent -----------------------------


class Nothing:
    """A transport that fails the test if anything at all is sent."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(200, json={"token": "tok-0123456789"})


BAD_PAYLOADS: list[tuple[dict[str, Any], str]] = [
    ({"templateId": "t", "name": "a\ud800b"}, "name"),
    ({"templateId": "t\udfff"}, "templateId"),
    ({"templateId": "t", "params": {"app": {"k\ud800": 1}}}, "params.app"),
    ({"templateId": "t", "params": {"app": {"list": ["ok", "\udc00"]}}}, "params.app"),
    ({"templateId": "t", "futureField": {"x": ["\udc00"]}}, "futureField.x[0]"),
    ({"templateId": "t", "description": "\ud83d"}, "description"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_PAYLOADS)
def test_unsendable_text_is_a_payload_error_before_the_token_exchange(
    payload: dict[str, Any], field: str
) -> None:
    nothing = Nothing()
    with Client("key-0123456789", base_url=URL, transport=httpx.MockTransport(nothing)) as client:
        with pytest.raises(PayloadError) as info:
            client.create_job(payload)
    assert nothing.sent == []
    assert info.value.errors[0]["field"] == field
    assert "surrogate" in info.value.errors[0]["message"]
    assert isinstance(info.value, ValueError)


def test_a_deeply_nested_payload_is_a_payload_error() -> None:
    app: dict[str, Any] = {}
    for _ in range(5000):
        app = {"a": app}
    nothing = Nothing()
    with Client("key-0123456789", base_url=URL, transport=httpx.MockTransport(nothing)) as client:
        with pytest.raises(PayloadError):
            client.create_job({"templateId": "t", "params": {"app": app}})
    assert nothing.sent == []


@pytest.mark.parametrize("job_id", ["", "   ", None, 5, "a\ud800", "x" * 5000, b"j-1"])
def test_bad_job_ids_are_payload_errors(job_id: Any) -> None:
    nothing = Nothing()
    with Client("key-0123456789", base_url=URL, transport=httpx.MockTransport(nothing)) as client:
        for call in (client.get_job, client.run_job, client.wait_for_job):
            with pytest.raises(PayloadError, match="job_id"):
                call(job_id)
    assert nothing.sent == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"interval": math.nan}, "interval"),
        ({"interval": -1.0}, "interval"),
        ({"interval": 0}, "interval"),
        ({"interval": math.inf}, "interval"),
        ({"interval": "2"}, "interval"),
        ({"timeout": math.nan}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": "10"}, "timeout"),
    ],
)
def test_bad_poll_arguments_are_payload_errors(kwargs: dict[str, Any], field: str) -> None:
    nothing = Nothing()
    with Client("key-0123456789", base_url=URL, transport=httpx.MockTransport(nothing)) as client:
        with pytest.raises(PayloadError) as info:
            client.wait_for_job("j-1", **kwargs)
    assert nothing.sent == []
    assert info.value.errors[0]["field"] == field


@pytest.mark.parametrize(
    "kwargs",
    [
        {"timeout": math.nan},
        {"timeout": math.inf},
        {"timeout": -1},
        {"deadline": math.nan},
        {"deadline": 0},
        {"base_url": "http://h:99999/v1"},
        {"base_url": "http://h/v\x001"},
        {"access_token": "tök-0123456789"},
        {"access_token": "a\nb"},
        {"api_key": "k\ud800ey-0123456789"},
    ],
)
def test_bad_settings_are_refused_when_the_client_is_made(kwargs: dict[str, Any]) -> None:
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=name) as info:
        Client(**{"base_url": URL, **kwargs})
    for secret in ("tök-0123456789", "k\ud800ey-0123456789"):
        assert secret not in str(info.value)


def test_a_json_body_that_is_fine_round_trips() -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, json=JOB)

    with Client(
        access_token="tok-0123456789", base_url=URL, transport=httpx.MockTransport(handler)
    ) as c:
        c.create_job({"templateId": "t", "name": "naïve 😀", "params": {"app": {"n": 2**62}}})
    assert json.loads(seen[0]) == {
        "templateId": "t",
        "name": "naïve 😀",
        "params": {"app": {"n": 2**62}},
    }
