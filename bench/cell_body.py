"""How long reading a cell body takes (issue 15 item 9): 1 MB in about a second,
10 MB must work but need not be fast.

    python bench/cell_body.py

Bodies: a YAML block mapping of rows (the shape a notebook user writes), the
same as JSON, and a YAML body with one ``{{ expr }}`` standing for a big list
of dicts (inserted as JSON text, read by the YAML reader). Best of 3 runs.
"""

from __future__ import annotations

import json
import time
from typing import Any

from bytenite_nb.magic._body import read_body
from bytenite_nb.magic._data import uses_libyaml


def rows(size: int) -> list[dict[str, Any]]:
    """About ``size`` bytes of JSON rows."""
    one = {"id": 0, "name": "row 0 of the table", "weight": 0.333, "tags": ["a", "b"]}
    count = size // len(json.dumps(one))
    return [
        {**one, "id": i, "name": f"row {i} of the table", "weight": i / 3} for i in range(count)
    ]


def yaml_text(data: list[dict[str, Any]]) -> str:
    lines = ["templateId: t", "params:", "  app:", "    rows:"]
    for row in data:
        lines.append(f"      - id: {row['id']}")
        lines.append(f"        name: {row['name']}")
        lines.append(f"        weight: {row['weight']!r}")
        lines.append("        tags: [a, b]")
    return "\n".join(lines) + "\n"


def best(fn: Any, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print(f"YAML reader: {'libyaml' if uses_libyaml() else 'pure Python'}")
    for megabytes in (1, 10):
        data = rows(megabytes * 1_000_000)
        as_yaml = yaml_text(data)
        as_json = json.dumps({"templateId": "t", "params": {"app": {"rows": data}}})
        inserted = "templateId: t\nparams:\n  app: {rows: {{ data }}}\n"
        runs = 3 if megabytes == 1 else 1
        for label, body, namespace in (
            (f"YAML body, {len(as_yaml) / 1e6:.1f} MB", as_yaml, {}),
            (f"JSON body, {len(as_json) / 1e6:.1f} MB", as_json, {}),
            (
                f"{{{{ data }}}} in YAML, {len(json.dumps(data)) / 1e6:.1f} MB",
                inserted,
                {"data": data},
            ),
        ):
            seconds = best(lambda b=body, n=namespace: read_body(b, n), runs)
            print(f"  {label:<32} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
