"""One token exchange at a time (issue 10, item 10), against the sandbox.

32 threads (sync) or 64 tasks (async) that find the token expired make one
exchange between them; after the service revokes the token, one or two.
"""

from __future__ import annotations

import threading

import anyio
import pytest

from bytenite_nb import sandbox
from bytenite_nb.client import AsyncClient, Client

EXCHANGE = ("POST", "/auth/access_token")


def expire(client: Client | AsyncClient) -> None:
    """The client's token is past its lifetime (as after an hour)."""
    assert client._token is not None
    client._token.expires_at = 0.0


def in_threads(n: int, call: object) -> list[BaseException]:
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            call()  # type: ignore[operator]
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_32_threads_make_one_exchange(fresh_server: sandbox.SandboxServer, how: str) -> None:
    with Client(fresh_server.api_key, base_url=fresh_server.url) as client:
        job_id = client.create_job({"templateId": "hello-world-template"}).job.id
        assert job_id and fresh_server.sandbox.count(*EXCHANGE) == 1
        if how == "expired":
            expire(client)
        else:
            fresh_server.sandbox.revoke_tokens()
        errors = in_threads(32, lambda: client.get_job(job_id))
    assert errors == []
    made = fresh_server.sandbox.count(*EXCHANGE) - 1
    assert made == 1 if how == "expired" else 1 <= made <= 2, made
    assert fresh_server.sandbox.count("GET", f"/customer/jobs/{job_id}") >= 32


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_64_tasks_make_one_exchange(fresh_server: sandbox.SandboxServer, how: str) -> None:
    async def main() -> None:
        async with AsyncClient(fresh_server.api_key, base_url=fresh_server.url) as client:
            job_id = (await client.create_job({"templateId": "hello-world-template"})).job.id
            assert job_id
            if how == "expired":
                expire(client)
            else:
                fresh_server.sandbox.revoke_tokens()
            async with anyio.create_task_group() as group:
                for _ in range(64):
                    group.start_soon(client.get_job, job_id)

    anyio.run(main)
    made = fresh_server.sandbox.count(*EXCHANGE) - 1
    assert made == 1 if how == "expired" else 1 <= made <= 2, made


def test_a_failed_exchange_is_not_cached(fresh_server: sandbox.SandboxServer) -> None:
    # The lock serialises exchanges; it must not make one failure everyone's forever.
    with Client("wrong-key-0123456789", base_url=fresh_server.url) as client:
        errors = in_threads(8, client.authenticate)
    assert len(errors) == 8
    assert fresh_server.sandbox.count(*EXCHANGE) == 8
