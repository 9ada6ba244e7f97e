"""Batch creates against a fast canned server, side by side with hand-written httpx loops.

    python bench/batch_create.py [--rounds 5] [--n 2000] [--big 10000]

Starts ``bench/canned_server.py`` in a process of its own, then:

1. **Throughput** (no added latency): ``n`` creates at concurrency 32 with
   ``AsyncClient.create_jobs`` and ``Client.create_jobs``, against a raw
   ``asyncio`` + ``httpx.AsyncClient`` + ``asyncio.Semaphore`` loop and a raw
   thread pool over one ``httpx.Client``, over payloads of the same size,
   the token header set by hand; interleaved rounds, medians. Target:
   ``AsyncClient.create_jobs`` at most 1.10x the raw async loop.
2. **The server's ceiling**: the raw async loop in two processes at once
   (total requests/s), and the server's own CPU time per request.
3. **Latency** (the server adds 50 ms to each answer): ``create_jobs`` at
   concurrency 32 against sequential ``create_job`` calls, in jobs/s.
   Target: at least 5x.
4. **A big batch**: ``big`` jobs at concurrency 64 (sync and async, each in
   a fresh process): lost and duplicated creates counted by the server, peak
   RSS (``ru_maxrss``) above the process's baseline, and, in another run,
   the tracemalloc peak. Target: 0 lost, 0 duplicated, under 200 MB.

Not part of the test run; never assert timings in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx

from bytenite_nb import AsyncClient, Client

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
CONCURRENCY = 32


# -- the server -----------------------------------------------------------------------
@contextmanager
def canned_server(latency: float = 0.0) -> Iterator[str]:
    """The canned server in its own process; yields its API root (``.../v1``)."""
    process = subprocess.Popen(
        [sys.executable, os.path.join(HERE, "canned_server.py"), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().split(" at ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(url.removesuffix("/v1") + "/_stats").json()
    return data


def reset(url: str, latency: float = 0.0) -> None:
    httpx.post(url.removesuffix("/v1") + f"/_reset?latency={latency}").raise_for_status()


# -- the payloads -------------------------------------------------------------------------
def requests_for(n: int, tag: str) -> list[dict[str, Any]]:
    """``n`` create requests, each named and described uniquely."""
    return [
        {
            "templateId": "hello-world-template",
            "name": f"bench-{tag}-{i}",
            "description": f"benchmark {tag} item {i}",
            "params": {"app": {"prompt": "a lighthouse at dusk"}},
            "config": {"isTestJob": True},
        }
        for i in range(n)
    ]


def raw_payloads(n: int, tag: str) -> list[dict[str, Any]]:
    """The same requests as a batch sends them: with a marker of the same length."""
    return [
        {**r, "description": f"{r['description']} [bn-batch:{tag[-12:]:>12}:{i}]"}
        for i, r in enumerate(requests_for(n, tag))
    ]


# -- the contenders ------------------------------------------------------------------------
async def raw_async(url: str, payloads: list[dict[str, Any]], concurrency: int) -> list[str]:
    """The hand-written reference: one ``httpx.AsyncClient``, a semaphore, ``gather``."""
    headers = {"Authorization": "canned-token"}
    jobs_url = f"{url}/customer/jobs"
    async with httpx.AsyncClient(timeout=30) as http:
        semaphore = asyncio.Semaphore(concurrency)

        async def one(payload: dict[str, Any]) -> str:
            async with semaphore:
                response = await http.post(jobs_url, json=payload, headers=headers)
                response.raise_for_status()
                return str(response.json()["job"]["id"])

        return await asyncio.gather(*(one(p) for p in payloads))


def raw_threads(
    http: httpx.Client, url: str, payloads: list[dict[str, Any]], concurrency: int
) -> list[str]:
    """The sync reference: a thread pool over one ``httpx.Client``."""
    headers = {"Authorization": "canned-token"}
    jobs_url = f"{url}/customer/jobs"

    def one(payload: dict[str, Any]) -> str:
        response = http.post(jobs_url, json=payload, headers=headers)
        response.raise_for_status()
        return str(response.json()["job"]["id"])

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, payloads))


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def throughput(url: str, n: int, rounds: int) -> dict[str, list[float]]:
    """Seconds per round for each contender, rounds interleaved."""
    times: dict[str, list[float]] = {k: [] for k in ("async", "raw_async", "sync", "raw_sync")}
    loop = asyncio.new_event_loop()
    aclient = AsyncClient("bench", base_url=url)
    try:
        with Client("bench", base_url=url) as client, httpx.Client(timeout=30) as http:
            loop.run_until_complete(aclient.authenticate())
            client.authenticate()
            for r in range(-1, rounds):  # round -1 warms everything up, unrecorded
                tag = f"r{r + 1}"
                reqs = requests_for(n, tag)

                def ours_async(reqs: list[dict[str, Any]] = reqs) -> None:
                    batch = loop.run_until_complete(
                        aclient.create_jobs(reqs, concurrency=CONCURRENCY, progress=False)
                    )
                    assert batch.counts() == {"new": n}, batch.counts()

                def ours_sync(reqs: list[dict[str, Any]] = reqs) -> None:
                    batch = client.create_jobs(reqs, concurrency=CONCURRENCY, progress=False)
                    assert batch.counts() == {"new": n}, batch.counts()

                runs: dict[str, Callable[[], Any]] = {
                    "async": ours_async,
                    "raw_async": lambda tag=tag: loop.run_until_complete(
                        raw_async(url, raw_payloads(n, "a" + tag), CONCURRENCY)
                    ),
                    "sync": ours_sync,
                    "raw_sync": lambda tag=tag: raw_threads(
                        http, url, raw_payloads(n, "s" + tag), CONCURRENCY
                    ),
                }
                for name, fn in runs.items():
                    seconds = timed(fn)
                    if r >= 0:
                        times[name].append(seconds)
                if r >= 0:
                    done = ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items())
                    print(f"  round {r + 1}: {done}", flush=True)
    finally:
        loop.run_until_complete(aclient.aclose())
        loop.close()
    return times


# -- the server's ceiling ------------------------------------------------------------------
def ceiling(url: str, n: int) -> tuple[float, float, float]:
    """(one raw client req/s, two raw client processes req/s, server CPU us/request)."""
    code = (
        f"import asyncio, sys, time; sys.path.insert(0, {HERE!r}); import batch_create as b;"
        f"p = b.raw_payloads({n}, 'c' + sys.argv[1]); t = time.perf_counter();"
        f"asyncio.run(b.raw_async({url!r}, p, {CONCURRENCY})); print(time.perf_counter() - t)"
    )
    single = float(
        subprocess.run(
            [sys.executable, "-c", code, "x"], capture_output=True, text=True, check=True, env=ENV
        ).stdout
    )
    before = stats(url)
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(i)], stdout=subprocess.PIPE, env=ENV)
        for i in range(2)
    ]
    for proc in procs:
        proc.wait()
    both = time.perf_counter() - start
    after = stats(url)
    served = after["requests"] - before["requests"]
    cpu = (after["cpu_seconds"] - before["cpu_seconds"]) / served
    return n / single, served / both, cpu * 1e6


# -- latency ----------------------------------------------------------------------------------
def with_latency(url: str, n_seq: int, n_batch: int, rounds: int) -> tuple[float, float]:
    """(sequential create_job jobs/s, create_jobs jobs/s), medians, 50 ms a request."""
    seq, par = [], []
    with Client("bench", base_url=url) as client:
        client.authenticate()
        client.create_job(requests_for(1, "warm")[0])
        for r in range(rounds):
            reqs = requests_for(n_seq, f"seq{r}")
            seconds = timed(lambda reqs=reqs: [client.create_job(q) for q in reqs])
            seq.append(n_seq / seconds)
            reqs = requests_for(n_batch, f"par{r}")
            seconds = timed(
                lambda reqs=reqs: client.create_jobs(reqs, concurrency=CONCURRENCY, progress=False)
            )
            par.append(n_batch / seconds)
            print(f"  round {r + 1}: sequential {seq[-1]:.1f}/s, batch {par[-1]:.1f}/s", flush=True)
    return statistics.median(seq), statistics.median(par)


# -- the big batch (in a fresh process) -----------------------------------------------------
def big_child(url: str, n: int, kind: str, trace: bool) -> None:
    """Run one big batch and print a JSON line: time, ids, RSS and heap figures."""
    reqs = requests_for(n, f"big-{kind}-{int(trace)}")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    if kind == "sync":
        with Client("bench", base_url=url) as client:
            batch = client.create_jobs(reqs, concurrency=64, progress=False)
    else:

        async def go() -> Any:
            async with AsyncClient("bench", base_url=url) as client:
                return await client.create_jobs(reqs, concurrency=64, progress=False)

        batch = asyncio.run(go())
    seconds = time.perf_counter() - start
    heap = tracemalloc.get_traced_memory()[1] if trace else 0
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ids = batch.ids
    out = {
        "seconds": seconds,
        "counts": batch.counts(),
        "ids": len(ids),
        "distinct_ids": len(set(ids)),
        "rss_base_mb": rss_before / 1024,
        "rss_peak_mb": rss_after / 1024,
        "heap_peak_mb": heap / 2**20,
    }
    print(json.dumps(out))


def big(url: str, n: int, kind: str, trace: bool) -> dict[str, Any]:
    reset(url)
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--big", str(n), "--url", url]
        + (["--trace"] if trace else []),
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    server = stats(url)
    result["server_creates"] = server["creates"]
    result["lost"] = n - server["distinct"]
    result["duplicated"] = server["duplicated"]
    return result


# -- main -----------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--only", choices=["throughput", "ceiling", "latency", "big"])
    parser.add_argument("--child", choices=["sync", "async"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        big_child(args.url, args.big, args.child, args.trace)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    with canned_server() as url:
        if args.only in (None, "throughput"):
            print(f"{args.n} creates at concurrency {CONCURRENCY}, {args.rounds} rounds:")
            times = throughput(url, args.n, args.rounds)
            med = {k: statistics.median(v) for k, v in times.items()}
            for ours, raw in (("async", "raw_async"), ("sync", "raw_sync"), ("sync", "raw_async")):
                print(
                    f"  {ours:>5} create_jobs {args.n / med[ours]:7.0f}/s vs {raw} "
                    f"{args.n / med[raw]:7.0f}/s: ratio {med[ours] / med[raw]:.3f} (time)"
                )
        if args.only in (None, "ceiling"):
            one, two, cpu_us = ceiling(url, args.n)
            print(
                f"server ceiling: raw async client {one:.0f}/s alone, {two:.0f}/s total from "
                f"two client processes; server CPU {cpu_us:.0f} us/request "
                f"(= {1e6 / cpu_us:.0f} requests/s per core)"
            )
        if args.only in (None, "latency"):
            reset(url, latency=0.05)
            print("50 ms added per request:")
            seq, par = with_latency(url, 100, args.n, 3)
            print(
                f"  sequential create_job {seq:.1f} jobs/s, create_jobs(concurrency=32) "
                f"{par:.1f} jobs/s: {par / seq:.1f}x"
            )
            reset(url)
        if args.only in (None, "big"):
            for kind, trace in (("sync", False), ("async", False), ("sync", True)):
                r = big(url, args.big, kind, trace)
                what = "tracemalloc peak" if trace else "RSS peak"
                memory = (
                    f"{r['heap_peak_mb']:.1f} MB"
                    if trace
                    else f"{r['rss_peak_mb']:.1f} MB (baseline {r['rss_base_mb']:.1f} MB)"
                )
                print(
                    f"{args.big} jobs, {kind} create_jobs(concurrency=64): {r['seconds']:.1f} s, "
                    f"server saw {r['server_creates']} creates, lost {r['lost']}, "
                    f"duplicated {r['duplicated']}; client {r['counts']}, "
                    f"{r['distinct_ids']} distinct ids; {what} {memory}",
                    flush=True,
                )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
