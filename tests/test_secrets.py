"""A canary API key and token never appear in errors, reprs or DEBUG logs."""

from __future__ import annotations

import json
import traceback

import httpx
import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import Client
from bytenite_nb.config import mask_secret, resolve_settings
from bytenite_nb.errors import ApiError, AuthenticationError, ByteNiteConnectionError

from .canaries import CANARY_KEY, CANARY_TOKEN
from .flowdriver import no_sleep


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert CANARY_KEY not in text
        assert CANARY_TOKEN not in text


def everything_about(error: BaseException) -> list[str]:
    return [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        json.dumps(getattr(error, "details", None)),
        str(getattr(error, "url", "")),
    ]


def echo_secrets(request: httpx.Request) -> httpx.Response:
    """A careless server that echoes whatever credential it got."""
    if request.url.path.endswith("access_token"):
        key = json.loads(request.content)["apiKey"]
        return httpx.Response(
            401,
            json={
                "code": 16,
                "message": f"key {key} is not valid",
                "details": [{"@type": "x", "key": key, key: [key]}],
            },
        )
    token = request.headers["Authorization"]
    return httpx.Response(403, text=f"<html><title>token {token} refused</title></html>")


def test_reprs_and_settings_mask_secrets(server: sandbox.SandboxServer) -> None:
    with Client(CANARY_KEY, access_token=CANARY_TOKEN, base_url=server.url) as client:
        assert_clean(repr(client), repr(client.settings), str(client.settings.masked()))
        assert client.settings.masked()["api_key"] == "****" + CANARY_KEY[-4:]
    assert mask_secret(None) == "not set" and mask_secret("short") == "****"
    assert_clean(repr(resolve_settings(api_key=CANARY_KEY)))


def test_secrets_echoed_by_the_server_are_redacted(debug_logs: pytest.LogCaptureFixture) -> None:
    transport = httpx.MockTransport(echo_secrets)
    with Client(CANARY_KEY, base_url="https://api.test/v1", transport=transport) as client:
        with pytest.raises(AuthenticationError) as info:
            client.create_job({"templateId": "t"})
    assert "***" in info.value.message
    assert_clean(*everything_about(info.value))
    with (
        Client(
            access_token=CANARY_TOKEN, base_url="https://api.test/v1", transport=transport
        ) as client,
        pytest.raises(ApiError) as info2,
    ):
        client.create_job({"templateId": "t"})
    assert info2.value.message == "token *** refused"
    assert_clean(*everything_about(info2.value))
    assert_clean(*(r.getMessage() for r in debug_logs.records))


def test_a_full_session_logs_no_secret_at_debug(
    fresh_server: sandbox.SandboxServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    fresh_server.sandbox.api_key = CANARY_KEY
    with Client(CANARY_KEY, base_url=fresh_server.url, sleep=no_sleep) as client:
        job = client.create_job({"templateId": "hello-world-template"})
        token = client._token.value  # type: ignore[union-attr]
        fresh_server.sandbox.fail_next(503, path="/customer/jobs")
        client.create_job({"templateId": "hello-world-template"})
        fresh_server.sandbox.revoke_tokens()
        client.get_job(job.job.id or "")
        with pytest.raises(ApiError) as info:
            client.create_job({"templateId": "no-such-template"})
    assert debug_logs.records, "expected DEBUG log records"
    assert any(r.name == "bytenite_nb" for r in debug_logs.records)
    for record in debug_logs.records:
        message = record.getMessage()
        assert CANARY_KEY not in message and token not in message
    assert_clean(*everything_about(info.value))


def test_transport_errors_carry_no_secret() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(
            f"timeout talking with header {request.headers.get('Authorization')}"
        )

    client = Client(
        access_token=CANARY_TOKEN,
        base_url="https://api.test/v1",
        transport=httpx.MockTransport(refuse),
        sleep=no_sleep,
    )
    with client, pytest.raises(ByteNiteConnectionError) as info:
        client.get_job("j")
    assert "timed out" in str(info.value)
    assert_clean(*everything_about(info.value))
