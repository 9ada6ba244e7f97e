"""Redaction (issue 10, item 9): a server that echoes a secret back never gets it shown.

Secrets are redacted before any text is cut (an excerpt cut inside a token
would keep its start), on every path: error bodies (JSON or not), ``run``
envelopes, unexpected responses, job responses, transport messages. Masks
never show more than the last 4 characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bytenite_nb.client import Client
from bytenite_nb.config import mask_secret
from bytenite_nb.display.job import job_html, job_text
from bytenite_nb.errors import ApiError, ByteNiteError

from .flowdriver import no_sleep

KEY = "KEYqzv_hx1w2e3r4t5y6u7i8"
TOKEN = "TOKjb.mh.fk.gd_p9o8l7k6j5n0q"
#: No character of the filler is in the secrets' alphabets (but "."/"_"): any
#: 5 characters of a secret found in an output came from the secret.
FILLER = st.text(alphabet="ABCDEFGHIJLMNOPRSUVWXYZ <>/{}:,!?-=\n", max_size=600)


def pieces(secret: str, n: int = 5) -> list[str]:
    return [secret[i : i + n] for i in range(len(secret) - n + 1)]


def shown(error: BaseException) -> str:
    """Every way an error is shown: str, repr, args, card (html, text)."""
    parts = [str(error), repr(error), *map(str, error.args)]
    if isinstance(error, ByteNiteError):
        bundle = error._repr_mimebundle_()
        parts += [str(v) for v in bundle.values()]
    if isinstance(error, ApiError):
        parts.append(json.dumps(error.details))
    return "\n".join(parts)


def assert_hidden(text: str) -> None:
    for secret in (KEY, TOKEN):
        leaked = [p for p in pieces(secret) if p in text]
        assert not leaked, f"{secret[:3]}… leaked: {leaked}"


def client_answering(answer: Callable[[httpx.Request], httpx.Response]) -> Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/access_token"):
            return httpx.Response(200, json={"token": TOKEN, "expiresIn": "3600"})
        return answer(request)

    transport = httpx.MockTransport(handler)
    return Client(KEY, base_url="https://api.test/v1", transport=transport, sleep=no_sleep)


BODIES: dict[str, Callable[[str], tuple[int, bytes]]] = {
    "text 400": lambda b: (400, b.encode()),
    "html 502": lambda b: (502, f"<html><title>{b}</title></html>".encode()),
    "html body 500": lambda b: (500, f"<html><body><p>{b}</p></body></html>".encode()),
    "rpcStatus message": lambda b: (400, json.dumps({"code": 3, "message": b}).encode()),
    "rpcStatus details": lambda b: (
        400,
        json.dumps({"code": 3, "message": "m", "details": [{b: b, "x": [b]}]}).encode(),
    ),
    "JSON without message": lambda b: (404, json.dumps({"what": b}).encode()),
    "non-JSON 200": lambda b: (200, b.encode()),
    "run envelope ok false": lambda b: (
        200,
        json.dumps({"ok": False, "error": {"message": b}}).encode(),
    ),
    "run envelope message": lambda b: (200, json.dumps({"ok": False, "message": b}).encode()),
    "unexpected response": lambda b: (200, json.dumps(b).encode()),
}


@given(
    kind=st.sampled_from(list(BODIES)),
    before=FILLER,
    after=FILLER,
    secret=st.sampled_from([KEY, TOKEN]),
    call=st.sampled_from(["create_job", "get_job", "run_job"]),
)
def test_a_secret_anywhere_in_an_answer_is_never_shown(
    kind: str, before: str, after: str, secret: str, call: str
) -> None:
    status, body = BODIES[kind](before + secret + after)
    client = client_answering(lambda request: httpx.Response(status, content=body))
    with client:
        method = getattr(client, call)
        try:
            result = method({"templateId": "t"} if call == "create_job" else "j-1")
        except ByteNiteError as exc:
            assert_hidden(shown(exc))
        else:
            assert_hidden(repr(result) + str(result))
            if hasattr(result, "_repr_mimebundle_"):
                assert_hidden(json.dumps(result._repr_mimebundle_(), default=str))


def test_a_job_that_echoes_the_token_shows_it_nowhere() -> None:
    job = {"job": {"id": "j", "name": f"n {TOKEN}", "numUnitsEstimation": TOKEN}}
    with client_answering(lambda request: httpx.Response(200, json=job)) as client:
        response = client.get_job("j")
    assert_hidden(job_html(response) + job_text(response) + repr(response))
    assert_hidden(json.dumps(response.to_wire()))


def test_transport_messages_are_redacted(debug_logs: pytest.LogCaptureFixture) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"peer said {TOKEN} and {KEY}", request=request)

    with client_answering(answer) as client:
        with pytest.raises(ByteNiteError) as info:
            client.get_job("j")
    assert_hidden(shown(info.value))
    assert_hidden("\n".join(r.getMessage() for r in debug_logs.records if r.name == "bytenite_nb"))


@given(st.text(min_size=0, max_size=80))
def test_masks_show_at_most_the_last_4_characters(secret: str) -> None:
    masked = mask_secret(secret)
    visible = masked.replace("*", "")
    assert len(visible) <= 4 or masked == "not set"
    if len(secret) < 20:
        assert visible == "" or masked == "not set"


def test_the_card_of_a_long_error_body_keeps_no_start_of_the_token() -> None:
    # The excerpt is cut at 200 characters: with the token across the cut, cutting
    # first kept its first characters (the example).
    body = "E" * 190 + TOKEN + "E" * 300
    with client_answering(lambda request: httpx.Response(500, text=body)) as client:
        with pytest.raises(ApiError) as info:
            client.get_job("j")
    assert_hidden(shown(info.value))
