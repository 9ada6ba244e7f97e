"""``Client.create_job`` against a raw ``httpx.Client.post`` of the same body (issue 18).

    python bench/create_job.py [--rounds 15] [--n 200] [--mock-rounds 15]

Both sides run in this process, interleaved round by round (ours, raw, ours,
raw ...), against the sandbox in a process of its own on loopback, with the
same token; the raw side posts the same payload and reads the answer
(``raise_for_status()`` and ``.json()``). Printed: the ratio of the medians,
of the fastest rounds, and the spread of the per-round ratios; then each side
without a network (``httpx.MockTransport``, the same canned answer), as µs per
call. Target: ``create_job`` at most 1.05x the raw POST.

Not part of the test run; never assert timings in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import httpx

from bytenite_nb import sandbox
from bytenite_nb.client import Client

PAYLOAD = {
    "templateId": "img-gen-diffusers-flux-gpu-template",
    "name": "bench",
    "params": {"app": {"prompt": "a lighthouse at dusk"}, "partitioner": {"num_replicas": 4}},
    "dataDestination": {"dataSourceDescriptor": "bucket"},
    "config": {"taskTimeout": 300, "jobTimeout": 3600, "isTestJob": True},
}

# Measure as users run it: with bytecode caches (some environments disable them).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def per_call(fn: Callable[[], object], n: int) -> float:
    """Seconds per call of ``fn`` over ``n`` calls (after one untimed call)."""
    fn()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def interleaved(
    ours: Callable[[], object], raw: Callable[[], object], rounds: int, n: int
) -> tuple[list[float], list[float]]:
    """Per-call seconds of each side, one round of each in turn."""
    ours_runs, raw_runs = [], []
    for _ in range(rounds):
        ours_runs.append(per_call(ours, n))
        raw_runs.append(per_call(raw, n))
    return ours_runs, raw_runs


def loopback(rounds: int = 15, n: int = 200) -> tuple[list[float], list[float]]:
    """(ours, raw) seconds per call of each round, against a sandbox process."""
    # The sandbox in a process of its own, so that it does not share our GIL.
    process = subprocess.Popen(
        [sys.executable, "-m", "bytenite_nb.sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split(" at ", 1)[1].strip()
        with Client(sandbox.SANDBOX_API_KEY, base_url=url) as client, httpx.Client() as raw:
            client.create_job(PAYLOAD)
            headers = {"Authorization": client._token.value}  # type: ignore[union-attr]
            jobs_url = f"{url}/customer/jobs"

            def raw_post() -> object:
                response = raw.post(jobs_url, json=PAYLOAD, headers=headers)
                response.raise_for_status()
                return response.json()

            return interleaved(lambda: client.create_job(PAYLOAD), raw_post, rounds, n)
    finally:
        process.terminate()
        process.wait(timeout=10)


def without_network(rounds: int = 15, n: int = 300) -> tuple[list[float], list[float]]:
    """(ours, raw) seconds per call of each round over ``httpx.MockTransport``."""
    job = {
        "id": "7c1f0a9e-1234-4bcd-9f00-0123456789ab",
        "templateId": PAYLOAD["templateId"],
        "name": "bench",
        "state": "JOB_STATE_NEW",
        "params": PAYLOAD["params"],
        "config": {"taskTimeout": "300", "jobTimeout": "3600", "isTestJob": True},
        "dataSource": {"dataSourceDescriptor": "bypass"},
        "dataDestination": {"dataSourceDescriptor": "bucket"},
        "createdAt": "2026-01-01T00:00:00Z",
    }

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/access_token"):
            return httpx.Response(200, json={"token": "t" * 40, "expiresIn": 3600})
        return httpx.Response(200, json={"job": job})

    url = "http://127.0.0.1:9/v1"
    transport = httpx.MockTransport(answer)
    client = Client("k" * 40, base_url=url, transport=transport)
    with client, httpx.Client(transport=transport) as raw:
        client.create_job(PAYLOAD)

        def raw_post() -> object:
            response = raw.post(
                f"{url}/customer/jobs", json=PAYLOAD, headers={"Authorization": "t" * 40}
            )
            response.raise_for_status()
            return response.json()

        return interleaved(lambda: client.create_job(PAYLOAD), raw_post, rounds, n)


def summary(ours: list[float], raw: list[float]) -> str:
    """Medians, fastest rounds and the range of per-round ratios."""
    ratios = sorted(o / r for o, r in zip(ours, raw, strict=True))
    return (
        f"median {statistics.median(ours) * 1e6:.0f} vs {statistics.median(raw) * 1e6:.0f} us "
        f"= {statistics.median(ours) / statistics.median(raw):.3f}x; fastest rounds "
        f"{min(ours) * 1e6:.0f} vs {min(raw) * 1e6:.0f} us = {min(ours) / min(raw):.3f}x; "
        f"per-round ratios {ratios[0]:.3f}x to {ratios[-1]:.3f}x "
        f"(median {statistics.median(ratios):.3f}x)"
    )


def skip_validation() -> None:
    """Diagnosis only: the create takes a request validated once and returns the
    answer's dict unvalidated (what is left is the flow, deadlines, redaction)."""
    from bytenite_nb.client import _once
    from bytenite_nb.models import CreateJobRequest

    parsed = CreateJobRequest.model_validate(PAYLOAD)
    _once.__dict__["parse_request"] = lambda request: parsed
    type.__setattr__(Client, "_job_response", lambda self, data, created=False: data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--mock-rounds", type=int, default=15)
    parser.add_argument(
        "--without-validation",
        action="store_true",
        help="diagnosis only: skip validating the request and the answer, to see "
        "what the rest of create_job costs against raw httpx",
    )
    args = parser.parse_args()
    if args.without_validation:
        skip_validation()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    ours, raw = loopback(args.rounds, args.n)
    print(f"create_job / raw POST, loopback ({args.rounds} rounds of {args.n}):")
    print("  " + summary(ours, raw))
    ours, raw = without_network(args.mock_rounds)
    print(f"create_job / raw POST, httpx.MockTransport ({args.mock_rounds} rounds of 300):")
    print("  " + summary(ours, raw))
    print(f"  overhead: {(min(ours) - min(raw)) * 1e6:+.1f} us per call (fastest rounds)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
