"""One token exchange at a time (issue 10, item 10), against the sandbox's
request handler in process.

32 threads (sync) or 64 tasks (async) that find the token expired (the
client's clock moved past its lifetime) make one exchange between them; after
the service revokes the token, one or two.
"""

from __future__ import annotations

import threading

import anyio
import pytest

from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.sandbox._inprocess import InProcessSandbox

from .flowdriver import FakeClock

EXCHANGE = ("POST", "/auth/access_token")
HOUR = 3600.0  # the sandbox's tokens live an hour


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
def test_32_threads_make_one_exchange(
    box: InProcessSandbox, box_client: Client, clock: FakeClock, how: str
) -> None:
    client = box_client
    job_id = client.create_job({"templateId": "hello-world-template"}).job.id
    assert job_id and box.sandbox.count(*EXCHANGE) == 1
    if how == "expired":
        clock.advance(HOUR)
    else:
        box.sandbox.revoke_tokens()
    errors = in_threads(32, lambda: client.get_job(job_id))
    assert errors == []
    made = box.sandbox.count(*EXCHANGE) - 1
    assert made == 1 if how == "expired" else 1 <= made <= 2, made
    assert box.sandbox.count("GET", f"/customer/jobs/{job_id}") >= 32


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_64_tasks_make_one_exchange(box: InProcessSandbox, clock: FakeClock, how: str) -> None:
    async def main() -> None:
        async with AsyncClient(
            box.api_key,
            base_url=box.url,
            transport=box.transport(),
            clock=clock,
            sleep=clock.asleep,
        ) as client:
            job_id = (await client.create_job({"templateId": "hello-world-template"})).job.id
            assert job_id
            if how == "expired":
                clock.advance(HOUR)
            else:
                box.sandbox.revoke_tokens()
            async with anyio.create_task_group() as group:
                for _ in range(64):
                    group.start_soon(client.get_job, job_id)

    anyio.run(main)
    made = box.sandbox.count(*EXCHANGE) - 1
    assert made == 1 if how == "expired" else 1 <= made <= 2, made


def test_a_failed_exchange_is_not_cached(box: InProcessSandbox) -> None:
    # The lock serialises exchanges; it must not make one failure everyone's forever.
    transport = box.transport()
    with Client("wrong-key-0123456789", base_url=box.url, transport=transport) as client:
        errors = in_threads(8, client.authenticate)
    assert len(errors) == 8
    assert box.sandbox.count(*EXCHANGE) == 8
