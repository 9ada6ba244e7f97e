"""Issue 17, classes 4 and 5: the logs and results cards under hostile answers.

Every card stays within 128 KiB of HTML (inline images aside, which have their
own budget) and 12 kB of text; its text form is inert: no ESC, BEL, CR or
other control character reaches ``text/plain`` or the progress line, and a
newline in a name cannot forge a line of its own.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any

import pytest

from bytenite_nb.display._html import MAX_CARD_BYTES, MAX_TEXT_BYTES
from bytenite_nb.display._text import bounded, inert
from bytenite_nb.display.logs import logs_html, logs_text
from bytenite_nb.display.results import MAX_IMAGE_PIXELS, image_size, results_html, results_text
from bytenite_nb.models import JobLogs, JobResults
from bytenite_nb.progress import Progress

EVIL = "evil\x1b]0;pwned\x07\x1b[2J\rforged\nline\x9b31m\u202egnp.exe\x00"
ACTIVE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
MB = 1_000_000


def within_caps(html: str, text: str) -> None:
    markup = re.sub(r'src="data:[^"]*"', 'src=""', html)  # images have their own budget
    assert len(markup.encode()) <= MAX_CARD_BYTES, len(markup.encode())
    assert len(text.encode()) <= MAX_TEXT_BYTES, len(text.encode())


def inert_text(text: str) -> None:
    for line in text.split("\n"):
        assert not ACTIVE.search(line), repr(line[:200])


def log(
    message: str = "m", level: str = "INFO", ts: int = 0, container: str = "c"
) -> dict[str, Any]:
    return {
        "log": message,
        "level": level,
        "timestamp": f"2026-01-01T00:{ts // 60 % 60:02d}:{ts % 60:02d}Z",
        "container": container,
    }


LOG_CASES: dict[str, Any] = {
    "long levels": {"partitioner": [log(level="L" * 200_000 + str(i)) for i in range(20)]},
    "many levels": {"partitioner": [log(level=f"LEVEL_{i}") for i in range(5000)]},
    "1 MB task id": {"taskrunner": {"t" * MB: {"logs": [log()]}}},
    "20,000 tasks": {"taskrunner": {f"task-{i}": {"logs": [log(ts=i)]} for i in range(20_000)}},
    "5,000 services": {f"service-{i}": [log(ts=i)] for i in range(5000)},
    "1 MB service": {"s" * MB: [log()]},
    "long lines": {"partitioner": [log("x" * 100_000, ts=i) for i in range(300)]},
    "huge container": {"partitioner": [log(container="c" * MB)]},
    "escapes": {
        "partitioner": [log(EVIL, level=EVIL, container=EVIL)],
        EVIL: [log(EVIL)],
        "taskrunner": {EVIL: {"logs": [log(EVIL * 50)]}},
    },
}


@pytest.mark.parametrize("case", list(LOG_CASES))
def test_the_logs_card_is_bounded_and_inert(case: str) -> None:
    logs = JobLogs.from_wire(LOG_CASES[case], job_id=EVIL + "j" * MB)
    html, text = logs_html(logs), logs_text(logs)
    within_caps(html, text)
    inert_text(text)


def results(*files: tuple[str, bytes | None]) -> JobResults:
    found = JobResults.from_wire(
        {
            "results": [
                {"name": n, "link": f"https://s/{i}?X-Signature=sig{i}"}
                for i, (n, _) in enumerate(files)
            ]
        },
        EVIL,
    )
    for file, (_, data) in zip(found.files, files, strict=True):
        if data is not None:
            file.set_head(data, complete=True)
    return found


def deep_json(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


RESULT_CASES: dict[str, Any] = {
    "1 MB name": [("n" * MB + ".txt", b"hello")],
    "200 names of 50 kB": [(f"{i}" + "n" * 50_000, None) for i in range(200)],
    "5,000 files": [(f"out_{i}/r.txt", None) for i in range(5000)],
    "escapes in names": [(EVIL + ".txt", EVIL.encode()), (EVIL, None)],
    "escapes in a text preview": [("out.txt", (EVIL + "\n") * 100)],
    "deep JSON 1,000": [("out.json", deep_json(1000))],
    "deep JSON 100,000": [("out.json", deep_json(100_000))],
    "wide CSV": [("out.csv", (",".join(["c" * 5000] * 100) + "\n").encode() * 20)],
    "long text lines": [("out.txt", ("y" * 100_000 + "\n").encode() * 20)],
}


@pytest.mark.parametrize("case", list(RESULT_CASES))
def test_the_results_card_is_bounded_and_inert(case: str) -> None:
    files = [(n, d.encode() if isinstance(d, str) else d) for n, d in RESULT_CASES[case]]
    found = results(*files)
    for show_links in (False, True):
        html = results_html(found, show_links=show_links)
        text = results_text(found, show_links=show_links)
        within_caps(html, text)
        inert_text(text)


def test_a_name_with_a_newline_cannot_forge_a_line() -> None:
    text = results_text(results(("a.txt\n  forged.txt  1.0 MB", None), ("b.txt", None)))
    assert not any(line.lstrip().startswith("forged.txt") for line in text.splitlines())
    assert "␊" in text


def png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def jpeg(width: int, height: int) -> bytes:
    app0 = (
        b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    )
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def webp(width: int, height: int) -> bytes:
    body = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00\x00\x00\x00"
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body


@pytest.mark.parametrize("make", [png, jpeg, gif, webp])
def test_image_headers_are_read(make: Any) -> None:
    assert image_size(make(640, 480)) == (640, 480)
    assert image_size(make(20000, 16000)) == (20000, 16000)


@pytest.mark.parametrize("make", [png, jpeg, gif, webp])
@pytest.mark.parametrize(
    ("width", "height"), [(20000, 20000), (65535, 1), (1, 65535), (3000, 3000)]
)
def test_an_image_declaring_too_many_pixels_is_not_inlined(
    make: Any, width: int, height: int
) -> None:
    data = make(width, height) + b"\x00" * 48_000  # a small file declaring a huge picture
    name = f"out.{ {png: 'png', jpeg: 'jpg', gif: 'gif', webp: 'webp'}[make] }".replace(" ", "")
    html = results_html(results((name, data)))
    if width * height > MAX_IMAGE_PIXELS:
        assert "data:image" not in html and "pixels" in html
    else:
        assert "data:image" in html


def test_a_card_of_many_images_keeps_a_pixel_budget() -> None:
    found = results(*[(f"p{i}.png", png(2000, 2000)) for i in range(10)])
    assert 1 <= results_html(found).count("data:image/png") <= 3


def test_an_unreadable_image_header_is_not_inlined() -> None:
    html = results_html(results(("x.jpg", b"\xff\xd8\xff" + b"\x00" * 100)))
    assert "data:image" not in html


def test_the_progress_line_is_inert() -> None:
    line = Progress(EVIL * 10, 100, 1000, 1.0, False, False).text()
    inert_text(line)
    assert "\n" not in line and len(line) < 300


@pytest.mark.parametrize("text", [EVIL, "\x1b" * 10_000, "a\r\nb", "\u2028\u2029", "tab\there"])
def test_inert_shows_every_control_character(text: str) -> None:
    shown = inert(text)
    assert not ACTIVE.search(shown) and "\u2028" not in shown
    assert len(inert(text, 5)) < 60


@pytest.mark.parametrize("tail", [False, True])
def test_bounded_keeps_its_byte_budget(tail: bool) -> None:
    text = "\n".join(f"line {i} " + "é" * i for i in range(2000))
    cut = bounded(text, 5000, tail=tail)
    assert len(cut.encode()) <= 5000 and "not shown" in cut
    assert cut.startswith("line 0") != tail


def test_json_preview_of_deep_nesting_does_not_recurse() -> None:
    html = results_html(results(("deep.json", deep_json(1000))))
    assert "RecursionError" not in html and "[[[[" in html


def test_preview_errors_show_on_their_row_only() -> None:
    found = results(("a.txt", b"fine"), ("b.txt", None))
    found.files[1].set_preview_error(
        "GET https://s/1 gave up: the call's deadline (5 s) passed" + EVIL
    )
    html, text = results_html(found), results_text(found)
    assert "fine" in text and "deadline" in text and "deadline" in html
    inert_text(text)
    assert json.dumps(text)  # still text
