"""Issue 17, classes 2 (saved batches), 8 and 10: a saved batch is a file the
user may edit, and a sweep has a size guard.

``JobBatch.load`` raises ``ValueError`` naming what is wrong for any tampered
file; a loaded batch can always be resumed and waited for. ``save`` writes no
signed URL. ``sweep`` refuses a grid past ``max_items`` unless asked.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bytenite_nb import JobBatch, sandbox, sweep
from bytenite_nb.client import MAX_ITEMS, Client
from bytenite_nb.errors import PayloadError

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}
FILE_JOB = {"templateId": "hello-world-template", "dataSource": {"dataSourceDescriptor": "file"}}


@pytest.fixture(scope="module")
def srv() -> Iterator[sandbox.SandboxServer]:
    server = sandbox.start(step_seconds=0.01)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def saved(srv: sandbox.SandboxServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with Client(srv.api_key, base_url=srv.url) as client:
        batch = client.create_jobs([HELLO, HELLO, {"templateId": ""}])
        path = batch.save(tmp_path_factory.mktemp("b") / "batch.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


# -- class 2: no signed URL in a saved batch ----------------------------------------------


def test_save_writes_no_signed_url(c: Client, tmp_path: Path) -> None:
    batch = c.create_jobs([FILE_JOB, FILE_JOB])
    temp_urls = [
        (item.job.data_source.params or {}).get("tempUrl")
        for item in batch.items
        if item.job and item.job.data_source
    ]
    assert temp_urls and all(temp_urls)  # the service gave upload URLs
    text = batch.save(tmp_path / "b.json").read_text()
    assert "X-Signature" not in text and "tempUrl" not in text
    loaded = JobBatch.load(tmp_path / "b.json", c)
    local = tmp_path / "in.txt"
    local.write_text("hi")
    c.upload_file(loaded.items[0].response, local)  # a fresh tempUrl is fetched


# -- class 8: tampered files are a ValueError -----------------------------------------------


def edit(data: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copied = copy.deepcopy(data)
    change(copied)
    return copied


DEEP = "__deep__"


def deep(n: int) -> str:
    """A placeholder :func:`write` replaces by ``n`` nested lists (json.dumps cannot)."""
    return f"{DEEP}{n}"


def created(data: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = next(i for i in data["items"] if i["phase"] == "created")
    return item


TAMPERED: dict[str, Callable[[dict[str, Any]], None]] = {
    "unknown phase": lambda d: created(d).update(phase="flying"),
    "phase not a string": lambda d: created(d).update(phase=["created"]),
    "run unknown": lambda d: created(d).update(run="maybe"),
    "concurrency 0": lambda d: d.update(concurrency=0),
    "concurrency -1": lambda d: d.update(concurrency=-1),
    "concurrency huge": lambda d: d.update(concurrency=10**18),
    "concurrency text": lambda d: d.update(concurrency="16"),
    "concurrency true": lambda d: d.update(concurrency=True),
    "created without a job": lambda d: created(d).update(response=None),
    "created with a job without id": lambda d: created(d)["response"]["job"].pop("id"),
    "response not an object": lambda d: created(d).update(response="job"),
    "response job a list": lambda d: created(d).update(response={"job": [1]}),
    "index text": lambda d: created(d).update(index="0"),
    "index missing": lambda d: created(d).pop("index"),
    "index negative": lambda d: created(d).update(index=-1),
    "indexes repeated": lambda d: [i.update(index=0) for i in d["items"]],
    "marker missing": lambda d: created(d).pop("marker"),
    "marker a number": lambda d: created(d).update(marker=7),
    "request a list": lambda d: created(d).update(request=[1]),
    "values a string": lambda d: created(d).update(values="x"),
    "gone a string": lambda d: created(d).update(gone="yes"),
    "items an object": lambda d: d.update(items={}),
    "item a string": lambda d: d["items"].append("item"),
    "batchId missing": lambda d: d.pop("batchId"),
    "batchId a number": lambda d: d.update(batchId=5),
    "run a string": lambda d: d.update(run="true"),
    "createdAt a list": lambda d: d.update(createdAt=[]),
    "error a string": lambda d: d["items"][-1].update(error="boom"),
    "error type a number": lambda d: d["items"][-1].update(error={"type": 5}),
    "payload errors not a list": lambda d: d["items"][-1].update(
        error={"type": "PayloadError", "message": "m", "errors": "x"}
    ),
    "status code huge": lambda d: d["items"][-1].update(
        error={"type": "ApiError", "message": "m", "statusCode": 10**9}
    ),
    "deep nesting": lambda d: created(d).update(request={"x": deep(100_000)}),
    "deep job": lambda d: created(d)["response"]["job"].update(params={"x": deep(5000)}),
    "version 2": lambda d: d.update(version=2),
    "format other": lambda d: d.update(format="other"),
    "not an object": lambda d: d.clear(),
}


def write(path: Path, data: Any) -> Path:
    text = json.dumps(data) if data else "[1, 2]"
    while DEEP in text:
        at = text.index(f'"{DEEP}')
        end = text.index('"', at + 1)
        n = int(text[at + len(DEEP) + 1 : end])
        text = text[:at] + "[" * n + "1" + "]" * n + text[end + 1 :]
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_tampered_file_is_a_value_error(
    c: Client, saved: dict[str, Any], tmp_path: Path, case: str
) -> None:
    path = write(tmp_path / "b.json", edit(saved, TAMPERED[case]))
    with pytest.raises(ValueError, match="batch") as caught:
        JobBatch.load(path, c)
    assert type(caught.value) is ValueError  # not a pydantic error or another subclass
    assert str(path) in str(caught.value)


#: Where the error points, for the cases that break one field.
NAMED = {
    "unknown phase": r"items\.\d+\.phase",
    "concurrency 0": r": concurrency:",
    "index text": r"items\.\d+\.index",
    "marker a number": r"items\.\d+\.marker",
    "request a list": r"items\.\d+\.request",
    "batchId missing": r": batchId:",
    "error type a number": r"items\.\d+\.error\.type",
    "status code huge": r"items\.\d+\.error\.statusCode",
}


@pytest.mark.parametrize("case", list(NAMED))
def test_a_tampered_field_is_named(
    c: Client, saved: dict[str, Any], tmp_path: Path, case: str
) -> None:
    path = write(tmp_path / "b.json", edit(saved, TAMPERED[case]))
    with pytest.raises(ValueError, match=NAMED[case]):
        JobBatch.load(path, c)


@pytest.mark.parametrize(
    "text",
    [
        '{"format": "bytenite-nb.batch", "version": 1, "concurrency": ' + "9" * 5000 + "}",
        '{"format": "bytenite-nb.batch", "version": 1e999}',
        "[" * 100_000 + "]" * 100_000,
        "\xff\xfe not utf-8",
        "",
        "null",
    ],
)
def test_raw_text_that_is_no_batch_is_a_value_error(c: Client, tmp_path: Path, text: str) -> None:
    path = tmp_path / "b.json"
    path.write_bytes(text.encode("latin-1") if text.startswith("\xff") else text.encode())
    with pytest.raises(ValueError, match="batch"):
        JobBatch.load(path, c)


def test_an_untouched_file_still_loads_resumes_and_waits(
    c: Client, saved: dict[str, Any], tmp_path: Path
) -> None:
    loaded = JobBatch.load(write(tmp_path / "b.json", saved), c)
    assert [i.phase for i in loaded.items] == [i["phase"] for i in saved["items"]]
    loaded.resume()
    for item in loaded.items:
        if item.id:
            c.run_job(item.id)
    loaded.wait(timeout=60)


def test_an_empty_batch_makes_an_empty_table(c: Client) -> None:
    frame = c.create_jobs([]).to_pandas()
    assert len(frame) == 0 and "status" in frame.columns


# -- class 10: a sweep's size guard ------------------------------------------------------


@pytest.mark.parametrize(
    "grid",
    [
        {"params.app.a": list(range(1000)), "params.app.b": list(range(1000))},  # 10^6
        {"params.app.a": list(range(101)), "params.app.b": list(range(100))},  # just past
        [{"params.app.a": i} for i in range(MAX_ITEMS + 1)],  # a list of items
        {f"params.app.k{i}": [0, 1] for i in range(40)},  # 2^40
    ],
)
def test_a_sweep_past_its_size_is_refused_before_building(grid: Any) -> None:
    with pytest.raises(PayloadError) as caught:
        sweep(HELLO, grid)
    assert caught.value.errors[0]["field"] == "grid"
    assert "max_items" in caught.value.errors[0]["message"]


def test_a_sweep_can_be_allowed_to_grow() -> None:
    grid = {"params.app.a": list(range(150)), "params.app.b": list(range(100))}
    assert len(sweep(HELLO, grid, max_items=20_000)) == 15_000
    assert len(sweep(HELLO, {"params.app.a": [1, 2]}, max_items=None)) == 2
    assert (
        len(sweep(HELLO, {"params.app.a": list(range(100)), "params.app.b": list(range(100))}))
        == MAX_ITEMS
    )


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_max_items_is_checked(bad: Any) -> None:
    with pytest.raises(PayloadError, match="max_items"):
        sweep(HELLO, {"params.app.a": [1]}, max_items=bad)
