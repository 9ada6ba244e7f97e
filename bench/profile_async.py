"""Where the async create path spends its time: cProfile of ``AsyncClient.create_jobs``.

    python bench/profile_async.py [--n 2000] [--raw] [--top 25]

Against the canned server (its own process), after a warm-up batch. Prints
the top functions by own time, then the share of own time spent in each
package (``bytenite_nb``, httpx, httpcore, anyio, h11, pydantic, asyncio,
the import system...). ``--raw`` profiles the hand-written httpx loop
instead. Without ``sniffio`` installed, "import system" is the cost of
httpcore's failed ``import sniffio`` on every request.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from batch_create import canned_server, raw_async, raw_payloads, requests_for

from bytenite_nb import AsyncClient

PACKAGES = ("bytenite_nb", "httpx", "httpcore", "anyio", "h11", "pydantic", "sniffio", "asyncio")


def package_of(filename: str) -> str:
    if filename.startswith("<frozen importlib"):
        return "import system"
    for name in PACKAGES:
        if f"/{name}/" in filename:
            return name
    if filename == "~":
        return "builtins (C)"
    return "other"


async def ours(url: str, n: int, tag: str) -> None:
    async with AsyncClient("bench", base_url=url) as client:
        batch = await client.create_jobs(requests_for(n, tag), concurrency=32, progress=False)
        assert batch.counts() == {"new": n}, batch.counts()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--raw", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    def run(tag: str, n: int) -> None:
        if args.raw:
            asyncio.run(raw_async(url, raw_payloads(n, tag), 32))
        else:
            asyncio.run(ours(url, n, tag))

    with canned_server() as url:
        run("warm", 200)
        profile = cProfile.Profile()
        profile.enable()
        run("prof", args.n)
        profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("tottime").print_stats(args.top)
    own: dict[str, float] = defaultdict(float)
    raw_stats = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw_stats.items():
        own[package_of(filename)] += tottime
    total = sum(own.values())
    print(f"own time by package ({'raw httpx loop' if args.raw else 'create_jobs'}, n={args.n}):")
    for name, seconds in sorted(own.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<14} {seconds:6.2f} s  {100 * seconds / total:5.1f}%")
    print(f"  {'total':<14} {total:6.2f} s, {total / args.n * 1e3:.2f} ms a create (profiled)")


if __name__ == "__main__":
    main()
