"""Benchmarks, as ratios against the raw alternative measured in the same run.

    python bench/run.py            (or: make bench)

1. ``%load_ext bytenite_nb``: wall time in a fresh interpreter, against the
   same interpreter loading an empty extension. Target: within +5 ms.
2. The first ``%%bytenite VAR --dry-run`` of a fresh kernel against a
   hand-written reference (``first_use.py``). Target: at most 1.4x.
3. ``Client.create_job`` against the sandbox on loopback, against a raw
   ``httpx.Client.post`` of the same payload with the same token on the same
   server, rounds interleaved (``create_job.py``, which runs alone too).
   Target: at most 1.05x the raw time.
4. Local validation of a typical payload (``parse_request``), per call.

The last lines print the two ratios of issue 18 and the ``%load_ext`` margin.

Not part of the test run; never assert timings in tests.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from create_job import PAYLOAD, loopback, summary, without_network
from first_use import first_use_ms

from bytenite_nb.client import parse_request

LOAD = """
import time, sys
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
start = time.perf_counter()
{body}
print((time.perf_counter() - start) * 1000)
"""


# Measure as users run it: with bytecode caches (some environments disable them).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def load_ext_ms(runs: int = 7) -> tuple[float, float]:
    def measure(body: str) -> float:
        values = []
        for run in range(runs + 1):
            out = subprocess.run(
                [sys.executable, "-c", LOAD.format(body=body)],
                capture_output=True,
                text=True,
                check=True,
                env=ENV,
            )
            if run == 0:
                continue  # the first run writes the bytecode caches
            values.append(float(out.stdout.strip().splitlines()[-1]))
        return statistics.median(values)

    # The raw alternative: an extension that does nothing, loaded the same way.
    here = os.path.dirname(os.path.abspath(__file__))
    empty = f"sys.path.insert(0, {here!r}); ip.run_line_magic('load_ext', '_empty_ext')"
    return measure("ip.run_line_magic('load_ext', 'bytenite_nb')"), measure(empty)


def per_call(fn: Callable[[], object], n: int) -> float:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    with_ext, empty = load_ext_ms()
    print(
        f"%load_ext bytenite_nb: {with_ext:.2f} ms vs {empty:.2f} ms for an empty extension "
        f"(+{with_ext - empty:.2f} ms; median of 7 fresh interpreters)"
    )
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bytenite_nb.magic"],
        capture_output=True,
        text=True,
        check=True,
        env=ENV,
    )
    ours = [line for line in out.stderr.splitlines() if "bytenite_nb" in line]
    print("  import time of our modules (us, self | cumulative):")
    for line in ours:
        print("   ", line.split(":", 1)[1].strip())

    rounds = 15
    ours_runs, raw_runs = loopback(rounds, 200)
    ours_s, raw_s = statistics.median(ours_runs), statistics.median(raw_runs)
    print(f"create_job vs raw httpx POST + json, sandbox process on loopback ({rounds} rounds):")
    print("  " + summary(ours_runs, raw_runs))
    ours_mock, raw_mock = without_network(rounds)
    print("create_job vs raw httpx POST without a network (httpx.MockTransport):")
    print("  " + summary(ours_mock, raw_mock))
    print(f"  overhead: {(min(ours_mock) - min(raw_mock)) * 1e6:+.1f} us per call (fastest rounds)")

    validate_s = per_call(lambda: parse_request(PAYLOAD), 5000)
    print(f"parse_request (local validation) of a typical payload: {validate_s * 1e6:.1f} us")

    ours_ms, reference_ms = first_use_ms()
    print(
        f"first %%bytenite VAR --dry-run: {ours_ms:.1f} ms vs {reference_ms:.1f} ms for the "
        "hand-written reference (best of 5 fresh processes each)"
    )
    print("ratios (issue 18):")
    print(f"  first dry run / reference      {ours_ms / reference_ms:.2f}x   (target <= 1.40x)")
    print(f"  create_job / raw httpx POST    {ours_s / raw_s:.2f}x   (target <= 1.05x)")
    print(f"  %load_ext over an empty one    {with_ext - empty:+.1f} ms (target <= +5 ms)")


if __name__ == "__main__":
    main()
