"""The batch card, the live progress, to_pandas and the --sweep magic."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import JobBatch
from bytenite_nb import progress as progress_module
from bytenite_nb import sandbox as sandbox_mod
from bytenite_nb.client import Client
from bytenite_nb.config import restore_session, set_session
from bytenite_nb.display.batch import MAX_HTML_ROWS, MAX_ROWS, MAX_TEXT_ROWS

from .batch_helpers import requests_for


@pytest.fixture
def server(fresh_server: sandbox_mod.SandboxServer) -> sandbox_mod.SandboxServer:
    return fresh_server  # a sandbox of the test's own


@pytest.fixture
def client(fresh_client: Client) -> Client:
    return fresh_client  # on it, its waits skipped on the sandbox's clock


def test_the_card_has_counts_a_bar_and_one_row_per_item_escaped(client: Client) -> None:
    evil = "<script>alert(1)</script>"
    requests: list[dict[str, Any]] = [
        {"templateId": "hello-world-template", "name": "a", "params": {"app": {"case": evil}}},
        {"templateId": "hello-world-template", "name": "b", "params": {"app": {"case": "lower"}}},
        {"templateId": "", "name": "bad"},
    ]
    batch = client.create_jobs(requests, run=True)
    batch.wait(timeout=30, interval=0.02, use_list=False)
    bundle = batch._repr_mimebundle_()
    html, text = bundle["text/html"], bundle["text/plain"]
    # the sandbox refuses the evil value, and its message quotes it: escaped
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'class="bn-bar"' in html and "bn-seg bn-ok" in html
    assert "1 complete" in html and "1 create failed" in html and "1 invalid" in html
    assert html.count('<div class="bn-gh">') == 1 and html.count("<div><span>") == 3  # items
    assert "<table" not in html and "<tr" not in html  # a grid of divs (sanitizers)
    assert "params.app.case" in html  # the grid column
    assert "templateId: must not be blank" in html
    assert batch.items[1].id and batch.items[1].id in html
    assert "1/3 created" in text and "[2] - invalid" in text


def test_the_card_is_bounded_whatever_the_size(client: Client) -> None:
    batch = JobBatch.build(client, requests_for(MAX_ROWS + 300))
    html = batch._repr_html_()
    assert html.count("<div><span>") == MAX_HTML_ROWS  # one div per row shown, no scroll box
    hidden = MAX_ROWS + 300 - MAX_HTML_ROWS
    assert f'<div class="bn-gall bn-more">… {hidden:,} more items' in html  # the marker
    text = batch._repr_mimebundle_()["text/plain"]
    assert f"{MAX_ROWS + 300 - MAX_TEXT_ROWS:,} more items" in text
    assert len(html) < 200_000


def test_progress_refreshes_at_most_4_times_a_second(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = JobBatch.build(client, requests_for(5), progress=True)
    now = [0.0]
    live = batch._progress("creating")
    assert live.mode == "terminal"
    live.throttle.clock = lambda: now[0]
    live.start()
    for _ in range(1000):  # 1,000 updates within one second
        now[0] += 0.001
        live.update()
    assert live.updates == 1 + 4  # the start, then one every 0.25 s
    live.finish()
    err = capsys.readouterr().err
    assert err.count("\r") == 6 and err.endswith("\n")
    assert f"Batch {batch.batch_id}: creating: 0/5 created" in err
    assert f"Batch {batch.batch_id}: 0/5 created" in err.rsplit("\r", 1)[1]  # the end


def test_no_progress_outside_a_kernel_or_terminal(client: Client) -> None:
    assert JobBatch.build(client, requests_for(2))._progress("x").mode == "off"  # not a tty
    assert JobBatch.build(client, requests_for(2), progress=False)._progress("x").mode == "off"


def test_to_pandas_has_one_row_per_item(client: Client) -> None:
    batch = client.create_jobs([*requests_for(3), {"templateId": ""}])
    frame = batch.to_pandas()
    assert list(frame.index) == [0, 1, 2, 3]
    assert list(frame["status"]) == ["new", "new", "new", "invalid"]
    assert frame.loc[3, "error"].startswith("invalid: templateId")
    assert frame.loc[0, "id"] == batch.items[0].id
    # one status column (no "state" beside it); where the outputs go; units, not bare floats
    assert "state" not in frame.columns and "output" in frame.columns
    assert str(frame["duration"].dtype).startswith("timedelta64")


def test_to_pandas_gives_timeouts_and_durations_a_unit(client: Client) -> None:
    requests = [
        {**r, "config": {"taskTimeout": t}, "dataDestination": {"dataSourceDescriptor": "bucket"}}
        for r, t in zip(requests_for(2), (60, 90), strict=True)
    ]
    batch = client.create_jobs(requests, run=True)
    batch.wait(timeout=30, interval=0.02, use_list=False)
    frame = batch.to_pandas()
    assert list(frame["config.taskTimeout"].dt.total_seconds()) == [60.0, 90.0]
    assert (frame["duration"].dt.total_seconds() > 0).all()
    assert frame.loc[0, "output"] == "bucket" and list(frame["status"]) == ["complete"] * 2


def test_to_pandas_says_what_to_install_without_pandas(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = JobBatch.build(client, requests_for(1))
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        batch.to_pandas()


# -- the magic ---------------------------------------------------------------------------------
@pytest.fixture
def shell(server: sandbox_mod.SandboxServer) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "bytenite_nb")
    before = set_session("test", base_url=server.url, api_key=server.api_key)
    ip.run_line_magic("config", "ByteNiteMagics.poll_interval = 0.02")
    yield ip
    ip.run_line_magic("unload_ext", "bytenite_nb")
    ip.config.pop("ByteNiteMagics", None)
    restore_session(before)
    for name in ("b", "grid", "reqs"):
        ip.user_ns.pop(name, None)


BASE = "templateId: hello-world-template\nname: sw\n"


def test_sweep_magic_creates_runs_and_waits(
    shell: InteractiveShell, server: sandbox_mod.SandboxServer
) -> None:
    shell.user_ns["grid"] = {"params.app.case": ["upper", "lower"], "config.taskTimeout": [1, 2]}
    with capture_output() as out:
        result = shell.run_cell(f"%%bytenite b --sweep grid --concurrency 2 --run\n{BASE}")
    assert result.success, out.stderr
    batch = shell.user_ns["b"]
    assert isinstance(batch, JobBatch) and batch.concurrency == 2
    batch.wait(timeout=30, interval=0.02, use_list=False)
    assert batch.counts() == {"complete": 4}
    assert [i.request["name"] for i in batch.items] == ["sw-0", "sw-1", "sw-2", "sw-3"]
    assert any("bn-batch" in str(o.data.get("text/html", "")) for o in out.outputs)


def test_sweep_magic_dry_run_and_bad_items(
    shell: InteractiveShell, server: sandbox_mod.SandboxServer
) -> None:
    with capture_output() as out:
        result = shell.run_cell(
            f"%%bytenite reqs --sweep \"{{'config.taskTimeout': [5, -1]}}\" --dry-run\n{BASE}"
        )
    assert not result.success  # item 1 is invalid: the cell fails, nothing is sent
    assert "[1].config.taskTimeout" in out.stdout + out.stderr + str(result.error_in_exec)
    with capture_output():
        result = shell.run_cell(
            f"%%bytenite reqs --sweep \"{{'config.taskTimeout': [5, 6]}}\" --dry-run\n{BASE}"
        )
    assert result.success and len(shell.user_ns["reqs"]) == 2
    assert server.sandbox.requests == []
    with capture_output():
        result = shell.run_cell(f"%%bytenite --sweep grid\n{BASE}")
    assert "needs a variable" in str(result.error_in_exec)


def test_each_cell_leaves_one_output_that_ends_as_the_card(
    shell: InteractiveShell, server: sandbox_mod.SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_module, "in_kernel", lambda: True)  # show as in a notebook
    shell.user_ns["grid"] = {"params.app.case": ["upper", "lower"], "config.taskTimeout": [5, 6]}
    cell = f"%%bytenite b --sweep grid --run --wait\n{BASE}"
    for source in (cell, "b.wait(interval=0.02)", "b"):
        with capture_output() as out:
            result = shell.run_cell(source, store_history=True)
        assert result.success, (source, result.error_in_exec)
        shown = [o for o in out.outputs if "text/html" in o.data]
        assert shown, source
        # one display (its id), shown once, then only updated in place
        assert len({o.transient.get("display_id") for o in shown}) == 1, source
        assert not shown[0].update and all(o.update for o in shown[1:]), source
        final = shown[-1].data
        assert '<div class="bn-gh">' in final["text/html"], source  # the card, with its table
        assert "4 complete" in final["text/html"] and ": waiting" not in final["text/html"]
        for output in out.outputs:  # the batch marker is the client's, never shown
            assert "bn-batch:" not in output.data.get("text/html", "") + output.data["text/plain"]
    batch = shell.user_ns["b"]
    card = batch.items[0].response._repr_mimebundle_()
    assert "bn-batch:" not in card["text/html"] + card["text/plain"]
    assert "bn-batch:" in (batch.items[0].job.description or "")  # still there for resume()


def test_the_card_leads_with_failures_grouped_by_error(client: Client) -> None:
    requests = requests_for(21)
    requests[17] = {**requests[17], "params": {"app": {"case": "<bad>"}}}  # refused
    batch = client.create_jobs(requests)
    html = batch._repr_html_()
    view = batch.view()
    assert view.rows[0].index == 17 and view.errors  # failures first, errors grouped
    message = next(iter(view.errors))
    summary, table = html.split('<div class="bn-batch-rows">')
    assert "1 failed" in summary and "#17" in summary and "&lt;bad&gt;" in summary
    assert html.count("<div><span>") == MAX_HTML_ROWS and "… 9 more items" in table
    assert message.split(":")[0] in summary
    # columns: only what differs between rows (the template is the same for all)
    assert "Same for every job: templateId" not in html  # not a grid value here
    assert "params.app.case" in table
