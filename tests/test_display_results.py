"""The results card and the progress display, as fragments (no server needed)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from bytenite_nb import progress as progress_module
from bytenite_nb.display import size_text
from bytenite_nb.display.progress import progress_mimebundle
from bytenite_nb.display.results import (
    CSV_ROWS,
    LINKS_NOTE,
    MAX_FILES_SHOWN,
    MAX_IMAGE_BYTES,
    MAX_IMAGES_TOTAL,
    TEXT_LINES,
    image_size,
    image_type,
    results_html,
    results_text,
)
from bytenite_nb.models import JobResults, ResultFile
from bytenite_nb.progress import Progress, reporter
from bytenite_nb.sandbox._lifecycle import png

SIGNED = "https://storage.test/bucket/out_0/a.txt?X-Signature=SECRET-SIGNATURE-123"


def results_of(*files: tuple[str, bytes | None], link: str = SIGNED) -> JobResults:
    results = JobResults.from_wire(
        {"results": [{"name": name, "link": f"{link}&n={i}"} for i, (name, _) in enumerate(files)]},
        "job-1",
    )
    for file, (_, data) in zip(results.files, files, strict=True):
        if data is not None:
            file.set_head(data, complete=True)
    return results


def everything(value: Any) -> str:
    """Every text a notebook could store for ``value``."""
    bundle = value._repr_mimebundle_()
    return "\n".join([repr(value), str(value), *map(str, bundle.values())])


def test_links_are_hidden_everywhere_unless_asked() -> None:
    results = results_of(("out_0/a.txt", b"hello\n"), ("out_0/b.png", None))
    for value in (results, results.card(), results.files[0]):
        text = (
            everything(value) if hasattr(value, "_repr_mimebundle_") else repr(value) + str(value)
        )
        assert "SECRET-SIGNATURE-123" not in text and "storage.test" not in text
    bundle = results._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/html"}  # no JSON: the wire form has the links
    assert LINKS_NOTE in bundle["text/plain"] and "show_links=True" in bundle["text/html"]
    shown = results.card(show_links=True)._repr_mimebundle_()
    assert (
        "SECRET-SIGNATURE-123" in shown["text/html"]
        and "SECRET-SIGNATURE-123" in shown["text/plain"]
    )
    assert 'rel="noopener noreferrer"' in shown["text/html"]
    assert "grant access" in shown["text/html"]


def test_only_http_links_become_anchors() -> None:
    results = results_of(("x.txt", None), link="javascript:alert(1)//")
    html = results_html(results, show_links=True)
    assert "javascript:" not in html and "<a " not in html


def test_names_and_previews_are_escaped() -> None:
    evil = '<img src=x onerror="alert(1)">'
    results = results_of(
        (f"out_0/{evil}.txt", f"line {evil}\n".encode()),
        ("t.csv", f"a,b\n{evil},2\n".encode()),
    )
    html = results_html(results)
    assert evil not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<script" not in html


def test_image_previews_inline_real_images_only() -> None:
    image = png(8, 6, 0x123456)
    results = results_of(
        ("out_0/p.png", image),
        ("out_0/fake.png", b"<svg onload=alert(1)>"),
        ("out_0/huge.png", None),
    )
    big = results.files[2]
    big.set_head(image[:100], complete=False)
    big.size = 5_000_000
    html = results_html(results)
    assert html.count("data:image/png;base64,") == 1
    # in a holder that host pages hide (sanitizers escape <img> into text) and our CSS
    # shows; the words for the image stand in where the card is unstyled
    assert re.search(
        r'<div class="bn-pic lm-Widget lm-mod-hidden hidden"><img class="bn-preview-img" '
        r'src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="out_0/p.png"></div>'
        r'<span class="bn-pic-alt">\[image/png image 8×6\]</span>',
        html,
    )
    assert "not a PNG, JPEG, GIF or WebP image" in html
    assert "image too large to preview (5.0 MB" in html
    assert "[image/png image 8×6]" in results_text(results)
    assert image_type(image) == "image/png" and image_size(image) == (8, 6)
    assert image_type(b"GIF89a\x02\x00\x03\x00") == "image/gif"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg>") is None


def test_images_stay_within_the_card_budget() -> None:
    image = png(4, 4, 1) + b"\x00" * (MAX_IMAGE_BYTES - 200)
    count = MAX_IMAGES_TOTAL // len(image) + 2
    results = results_of(*[(f"out_{i}/p.png", image) for i in range(count)])
    html = results_html(results)
    assert html.count("data:image/png") == MAX_IMAGES_TOTAL // len(image)
    assert "already holds enough images" in html
    assert len(html) < MAX_IMAGES_TOTAL * 4 / 3 + 100_000


def test_text_json_and_csv_previews_show_first_lines() -> None:
    text = "".join(f"line {i}\n" for i in range(100)).encode()
    data = json.dumps({"answer": 42, "items": list(range(3))}).encode()
    table = "".join(f"{i},{i * i},extra\n" for i in range(50)).encode()
    results = results_of(("log.txt", text), ("s.json", data), ("m.csv", table))
    html = results_html(results)
    assert (
        "line 0" in html and f"line {TEXT_LINES - 1}" in html and f"line {TEXT_LINES}\n" not in html
    )
    assert "first lines only" in html
    assert '"answer": 42' in html.replace("&quot;", '"')  # pretty-printed
    grid = re.search(r'<div class="bn-grid bn-csv".*?</div></div>', html)
    assert grid is not None  # a grid of divs, not a <table>
    rows = re.findall(r"<div>(.*?)</div>", grid.group(0))
    assert len(rows) == CSV_ROWS  # after the header row (the first line, in bold)
    assert "<b>0</b><i>, </i><b>0</b><i>, </i><b>extra</b>" in grid.group(0)
    assert "<span>9</span><i>, </i><span>81</span>" in html and "2401" not in html
    assert "<table" not in html and "<td" not in html
    plain = results_text(results)
    assert (
        "    | line 0" in plain
        and '    |   "answer": 42,' in plain
        and "    | 0, 0, extra" in plain
    )


def test_a_cut_head_drops_its_partial_last_line() -> None:
    file = ResultFile(name="a.txt", link=SIGNED)
    file.set_head(b"first\nsecond\nthi", complete=False)
    results = JobResults(files=[file])
    assert "thi" not in results_text(results) and "second" in results_text(results)


def test_binary_text_files_get_no_preview() -> None:
    results = results_of(("weird.txt", b"\x00\x01\x02binary"))
    assert "binary content: no preview" in results_html(results)


def test_the_card_is_bounded_and_says_what_is_left_out() -> None:
    many = [(f"out_{i}/r.bin", None) for i in range(MAX_FILES_SHOWN + 30)]
    results = results_of(*many)
    html = results_html(results)
    assert "… 30 more files" in html and "… 30 more files" in results_text(results)
    assert html.count('class="bn-file"') == MAX_FILES_SHOWN


def test_empty_results_say_so() -> None:
    results = JobResults.from_wire({"results": []}, "j")
    assert "no output files" in results_html(results)
    assert results_text(results).startswith("ByteNite results of job j: 0 files")


def test_sizes_show_when_known() -> None:
    results = results_of(("a.txt", b"x" * 1500))
    assert "1.5 kB" in results_html(results) and "1.5 kB" in results_text(results)
    assert size_text(999) == "999 B" and size_text(100 * 1024 * 1024) == "104.9 MB"


# -- progress ---------------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_progress_updates_at_most_four_times_a_second() -> None:
    clock = FakeClock()
    seen: list[Progress] = []
    bar = reporter(seen.append, "f.bin", 1000, clock=clock)
    for _ in range(100):  # 100 pieces in one second
        clock.now += 0.01
        bar.advance(10)
    bar.finish()
    assert 4 <= len(seen) <= 6 and seen[-1].finished and seen[-1].done == 1000
    assert seen[-1].rate == pytest.approx(1000.0)
    assert seen[-1].text() == "f.bin  1.0 kB / 1.0 kB  100%  1.0 kB/s  done in 1.0s"


def test_progress_false_is_silent_and_bad_values_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bar = reporter(False, "x", 10)
    bar.advance(10)
    bar.finish()
    assert capsys.readouterr() == ("", "")
    with pytest.raises(TypeError, match="progress must be"):
        reporter("yes", "x")  # type: ignore[arg-type]


def test_notebook_bar_updates_one_display_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    InteractiveShell.instance()
    monkeypatch.setattr(progress_module, "in_kernel", lambda: True)
    clock = FakeClock()
    with capture_output() as captured:
        bar = reporter(None, "out_0/<big>.bin", 2_000_000, clock=clock)
        for _ in range(4):
            clock.now += 0.5
            bar.advance(500_000)
        bar.finish()
    outputs = captured.outputs
    assert len(outputs) == 5  # the first display, then updates of the same one
    ids = {o.transient.get("display_id") for o in outputs if o.transient}
    assert len(ids) == 1
    assert all(o.update for o in outputs[1:]) and not outputs[0].update
    last = outputs[-1].data
    assert "2.0 MB / 2.0 MB" in last["text/plain"] and "done in" in last["text/plain"]
    assert '<span class="bn-seg bn-ok" style="width:100.00%"></span>' in last["text/html"]
    assert "<progress" not in last["text/html"]  # sanitizers would show it as text
    assert "&lt;big&gt;" in last["text/html"] and "<big>" not in last["text/html"]
    assert captured.stderr == ""


def test_in_kernel_is_false_outside_a_kernel() -> None:
    InteractiveShell.instance()
    assert progress_module.in_kernel() is False


def test_progress_bundle_of_an_unknown_total() -> None:
    bundle = progress_mimebundle(Progress("f", 1500, None, 1.0))
    assert '<div class="bn-bar" role="img"' in bundle["text/html"]
    assert 'class="bn-seg' not in bundle["text/html"] and "1.5 kB" in bundle["text/plain"]
    failed = progress_mimebundle(Progress("f", 10, 100, 1.0, finished=True, failed=True))
    assert "bn-bad" in failed["text/html"] and "failed" in failed["text/plain"]
