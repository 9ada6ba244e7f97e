"""How many requests waiting on a 1,000-job batch costs, next to naive per-job polling.

    python bench/batch_wait.py

Creates and runs 1,000 jobs on a sandbox (each job takes ~2 s of sandbox
time), then waits with ``JobBatch.wait()`` (the jobs list, then per-job gets
for stragglers) and, on a second batch, with one ``get_job`` per pending job
per round (``use_list=False``, the naive way), same interval. Counts the
requests the server received. Needs ``Client.list_jobs``.
"""

from __future__ import annotations

import time

from bytenite_nb import Client, sandbox

N = 1000


def measure(use_list: bool) -> tuple[int, int, int, float]:
    srv = sandbox.start(step_seconds=0.2)
    try:
        with Client(srv.api_key, base_url=srv.url) as client:
            batch = client.create_jobs(
                [{"templateId": "hello-world-template", "name": f"j{i}"} for i in range(N)],
                concurrency=32,
                run=True,
            )
            rounds = 1

            def pause(seconds: float) -> None:
                nonlocal rounds
                rounds += 1
                time.sleep(seconds)

            batch._sleep = pause
            before = len(srv.sandbox.requests)
            started = time.perf_counter()
            batch.wait(interval=0.5, use_list=use_list)
            took = time.perf_counter() - started
            seen = srv.sandbox.requests[before:]
            pages = sum(1 for m, p in seen if m == "GET" and p == "/v1/customer/jobs")
            assert batch.counts() == {"complete": N}, batch.counts()
            return len(seen), pages, rounds, took
    finally:
        srv.stop()


def main() -> None:
    for label, use_list in (("jobs list + stragglers", True), ("naive get per job", False)):
        total, pages, rounds, took = measure(use_list)
        print(
            f"{label:<24} {total:>6} requests in {rounds} rounds "
            f"({total / rounds:.1f}/round, {pages} list pages), {took:.1f} s"
        )


if __name__ == "__main__":
    main()
