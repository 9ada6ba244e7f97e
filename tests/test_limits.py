"""The size guard of ``sweep`` and ``create_jobs`` (issue 17, class 10).

One bound (``MAX_ITEMS``, 10,000) and one check serve both: past it a list of
requests is refused with a ``TooManyItemsError`` (a ``PayloadError``, so a
``ValueError``) naming the argument and saying how to opt in (``max_items=``),
before a request is parsed or sent; sync, async and the magic's ``--sweep``.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Sequence
from typing import Any, overload

import pytest

from bytenite_nb import sandbox
from bytenite_nb.batch import sweep
from bytenite_nb.client import AsyncClient, Client
from bytenite_nb.client._checks import MAX_ITEMS
from bytenite_nb.errors import PayloadError, TooManyItemsError
from bytenite_nb.sandbox._inprocess import InProcessSandbox

HELLO = {"templateId": "hello-world-template", "params": {"app": {"case": "lower"}}}


class Untouchable(Sequence[Any]):
    """A list of ``size`` requests that fails the test if any item is looked at."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        raise AssertionError("an item was read: the size check must come first")

    def __iter__(self) -> Iterator[Any]:
        raise AssertionError("the requests were walked: the size check must come first")


def test_one_bound_for_sweep_and_create_jobs() -> None:
    assert MAX_ITEMS == 10_000
    for method in (Client.create_jobs, AsyncClient.create_jobs):
        assert inspect.signature(method).parameters["max_items"].default == MAX_ITEMS
    assert inspect.signature(sweep).parameters["max_items"].default == MAX_ITEMS


@pytest.mark.parametrize("count", [MAX_ITEMS + 1, 10**6, 10**9])
def test_create_jobs_refuses_a_long_list_before_reading_it(
    box: InProcessSandbox, box_client: Client, count: int
) -> None:
    with pytest.raises(TooManyItemsError) as caught:
        box_client.create_jobs(Untouchable(count))
    error = caught.value
    assert isinstance(error, PayloadError) and isinstance(error, ValueError)
    assert (error.count, error.max_items) == (count, MAX_ITEMS)
    [problem] = error.errors
    assert problem["field"] == "requests"
    assert f"{count:,} requests" in problem["message"]
    assert "pass max_items=None (or a larger number) to send them all" in problem["message"]
    assert "nothing was sent" in str(error)
    assert box.sandbox.requests == []
    assert box_client.last_batch is None  # no batch was made


def test_create_jobs_takes_a_list_up_to_the_bound_and_past_it_when_asked(
    box: InProcessSandbox, box_client: Client
) -> None:
    requests = [HELLO] * 3
    with pytest.raises(TooManyItemsError, match="max_items=2"):
        box_client.create_jobs(requests, max_items=2)
    assert box.sandbox.requests == []
    assert len(box_client.create_jobs(requests, max_items=3).ids) == 3  # at the bound: sent
    assert len(box_client.create_jobs(requests, max_items=None).ids) == 3  # no bound
    assert len(box_client.create_jobs(requests).ids) == 3  # the default bound
    assert box.sandbox.count("POST", "/customer/jobs") == 9


@pytest.mark.parametrize("bad", [-1, 1.5, True, "10", [3]])
def test_a_bad_max_items_is_refused_naming_it(
    box: InProcessSandbox, box_client: Client, bad: Any
) -> None:
    with pytest.raises(PayloadError) as caught:
        box_client.create_jobs([HELLO], max_items=bad)
    assert not isinstance(caught.value, TooManyItemsError)
    assert [e["field"] for e in caught.value.errors] == ["max_items"]
    with pytest.raises(PayloadError, match="max_items"):
        sweep(HELLO, {"params.app.a": [1]}, max_items=bad)
    assert box.sandbox.requests == []


@pytest.mark.anyio
async def test_the_async_twin_has_the_same_guard(
    box: InProcessSandbox, box_aclient: AsyncClient
) -> None:
    with pytest.raises(TooManyItemsError) as caught:
        await box_aclient.create_jobs(Untouchable(10**6))
    assert caught.value.errors[0]["field"] == "requests"
    with pytest.raises(TooManyItemsError, match="max_items=1"):
        await box_aclient.create_jobs([HELLO, HELLO], max_items=1)
    assert box.sandbox.requests == []
    batch = await box_aclient.create_jobs([HELLO, HELLO], max_items=None)
    assert len(batch.ids) == 2


@pytest.mark.parametrize(
    ("grid", "count"),
    [
        ({"params.app.a": list(range(101)), "params.app.b": list(range(100))}, 10_100),
        ({f"params.app.k{i}": [0, 1] for i in range(20)}, 2**20),  # built, this takes ~1 GB
        ([{"params.app.a": i} for i in range(MAX_ITEMS + 1)], MAX_ITEMS + 1),
    ],
)
def test_sweep_refuses_with_the_same_error(grid: Any, count: int) -> None:
    with pytest.raises(TooManyItemsError) as caught:
        sweep(HELLO, grid)
    assert (caught.value.count, caught.value.max_items) == (count, MAX_ITEMS)
    assert caught.value.errors[0]["field"] == "grid"
    assert "pass max_items=None (or a larger number) to build them all" in str(caught.value)


def test_the_sweep_magic_says_how_to_opt_in(
    shell: Any, fresh_server: sandbox.SandboxServer
) -> None:
    from IPython.utils.capture import capture_output

    shell.user_ns["grid"] = {"params.app.a": list(range(101)), "params.app.b": list(range(100))}
    with capture_output() as out:
        result = shell.run_cell("%%bytenite b --sweep grid --run\ntemplateId: t\n")
    assert not result.success
    message = str(result.error_in_exec) + out.stdout + out.stderr
    assert "10,100 jobs, more than 10,000" in message
    assert "nothing was sent" in message
    assert "sweep(base, grid, max_items=None)" in message
    assert "create_jobs(requests, max_items=None)" in message
    assert "b" not in shell.user_ns
    assert fresh_server.sandbox.requests == []
