"""The results card: a job's output files, their sizes, and previews of their first bytes
(``ResultFile.head``, from ``Client.preview_results``): whole images (PNG, JPEG, GIF, WebP,
known by their first bytes, never by a server's word) when small and declaring few pixels
(a 48 KB PNG can declare 20000×20000: 1.6 GB to decode), the first lines of text and JSON,
the first rows of a CSV. Signed links grant access while they live: no output holds them
unless ``show_links=True``, and the card says so."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
import struct
from typing import Any

from ..models import JobResults, ResultFile, too_deep
from ._html import (
    HIDDEN_BY_HOST,
    MAX_CARD_BYTES,
    MAX_MESSAGE,
    MAX_TEXT_BYTES,
    esc,
    fold,
    grid,
    mimebundle,
    plural,
    section,
    size_text,
    wrap,
)
from ._text import bounded, inert

#: At most this many files are listed (a marker says how many more there are).
MAX_FILES_SHOWN = 200
#: An image is inlined only whole and up to this size; all images of a card together
#: up to MAX_IMAGES_TOTAL.
MAX_IMAGE_BYTES = 256 * 1024
MAX_IMAGES_TOTAL = 1024 * 1024
#: An image is inlined only if its header declares at most this many pixels (about
#: 2048×2048), and all of a card's images together at most MAX_PIXELS_TOTAL.
MAX_IMAGE_PIXELS = 4_200_000
MAX_PIXELS_TOTAL = 12_000_000
#: Characters shown of a file name.
MAX_NAME = 300
#: The rows' HTML (inline images aside: they have MAX_IMAGES_TOTAL) stops growing
#: past this; the rest is "… N more files".
_ROWS_BYTES = MAX_CARD_BYTES - 8 * 1024
_DATA_URI = re.compile(r'src="data:[^"]*"')
#: Text, JSON and CSV previews: lines, characters per line, CSV rows and columns.
TEXT_LINES = 20
LINE_CHARS = 200
CSV_ROWS = 10
CSV_COLUMNS = 8
CSV_CELL = 60
LINKS_NOTE = "links hidden: they grant access while they live; show_links=True to include them"
LINKS_SHOWN_NOTE = (
    "these signed links grant access to the outputs while they live: share them with care"
)

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The image's MIME type from its first bytes (PNG, JPEG, GIF, WebP), else None."""
    for magic, kind in _IMAGE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF, JPEG or WebP from its header, else None."""
    if data.startswith(b"\x89PNG") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:3] == b"GIF" and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _webp_size(data)
    return None


#: JPEG start-of-frame markers (baseline, progressive, ...; not DHT, JPG, DAC).
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """The frame size from the first start-of-frame segment of a JPEG."""
    at = 2
    while at + 9 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in _SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width), int(height)
        if length < 2:
            return None
        at += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return int(width & 0x3FFF), int(height & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _image_words(data: bytes) -> str:
    """``[image/png image 8×6]``: the image in words (text form, unstyled card)."""
    dims = image_size(data)
    shape = f" {dims[0]}×{dims[1]}" if dims else ""
    return f"[{image_type(data) or 'unknown'} image{shape}]"


def _decoded(file: ResultFile) -> str | None:
    """The head as text (a cut last line dropped when the file goes on), None if binary."""
    data = file.head
    if data is None or b"\x00" in data[:4096]:
        return None
    text = data.decode("utf-8", "replace")
    if not file.head_complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text


def _text_lines(file: ResultFile) -> tuple[list[str], bool] | None:
    """The first lines of a text or JSON file (JSON pretty-printed when whole)."""
    text = _decoded(file)
    if text is None:
        return None
    if file.preview_kind == "json" and file.head_complete:
        # Nested deeper than MAX_NESTING, a JSON file is shown as it came.
        with contextlib.suppress(ValueError, RecursionError):
            value = json.loads(text)
            if too_deep(value) is None:
                text = json.dumps(value, indent=2, ensure_ascii=False)
    lines = text.splitlines()
    shown = [fold(line, LINE_CHARS) for line in lines[:TEXT_LINES]]
    return shown, len(lines) > TEXT_LINES or not file.head_complete


def _csv_rows(file: ResultFile) -> tuple[list[list[str]], bool] | None:
    text = _decoded(file)
    if text is None:
        return None
    delimiter = "\t" if file.name.lower().endswith(".tsv") else ","
    rows: list[list[str]] = []
    more = not file.head_complete
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            if len(rows) > CSV_ROWS:
                more = True
                break
            if len(row) > CSV_COLUMNS:
                row = [*row[:CSV_COLUMNS], "…"]
            rows.append([fold(cell, CSV_CELL) for cell in row])
    except csv.Error:
        return None
    return rows, more


def _more(note: bool, file: ResultFile) -> str:
    if not note:
        return ""
    size = f" of {size_text(file.size)}" if file.size is not None else ""
    return f'<div class="bn-more">… first lines only{esc(size)}</div>'


def _muted(text: str) -> str:
    return f'<div class="bn-muted">{esc(text)}</div>'


def _preview(file: ResultFile) -> tuple[str, Any, bool]:
    """What a file's preview holds, ``(kind, content, more)``: a ``note`` (text),
    an ``image`` (its bytes), ``csv`` rows or text ``lines``; ``more`` when the file
    goes on past them. ``("", None, False)`` when no preview was asked for."""
    kind, data = file.preview_kind, file.head
    if file.preview_error:
        return "note", f"no preview: {fold(file.preview_error, MAX_MESSAGE // 4)}", False
    if kind is None or data is None:
        return "", None, False
    if kind == "image":
        return kind, data, False
    found = _csv_rows(file) if kind == "csv" else _text_lines(file)
    if found is None:
        return "note", "binary content: no preview", False
    return ("csv" if kind == "csv" else "lines"), *found


def _preview_html(file: ResultFile, budget: list[int]) -> str:
    """One file's preview (empty when there is nothing to show); ``budget`` holds
    the bytes and pixels of images the card may still inline."""
    kind, data, more = _preview(file)
    if kind == "note":
        return _muted(data)
    if kind == "image":
        mime = image_type(data)
        if mime is None:
            return _muted("not a PNG, JPEG, GIF or WebP image: no preview")
        if not file.head_complete or len(data) > MAX_IMAGE_BYTES:
            size = size_text(file.size) if file.size is not None else "over the cap"
            limit = size_text(MAX_IMAGE_BYTES)
            return _muted(f"image too large to preview ({size}; previews up to {limit})")
        dims = image_size(data)
        pixels = dims[0] * dims[1] if dims else None
        if pixels is None or pixels > MAX_IMAGE_PIXELS:
            shape = f"{dims[0]:,}×{dims[1]:,} pixels" if dims else "its size is unreadable"
            most = f"{MAX_IMAGE_PIXELS:,} pixels"
            return _muted(f"no preview: {shape} (inline previews up to {most})")
        if len(data) > budget[0] or pixels > budget[1]:
            return _muted("no preview: the card already holds enough images")
        budget[0] -= len(data)
        budget[1] -= pixels
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        # Sanitizers escape <img> into text: the host page hides that holder, our
        # CSS shows it; unstyled, the words stand in for the image.
        return (
            f'<div class="bn-pic {HIDDEN_BY_HOST}">'
            f'<img class="bn-preview-img" src="{uri}" alt="{esc(file.name)}"></div>'
            f'<span class="bn-pic-alt">{esc(_image_words(data))}</span>'
        )
    if kind == "csv":
        if not data:
            return _muted("empty")
        width = max(len(row) for row in data)
        cells = ([esc(c) for c in row] + [""] * (width - len(row)) for row in data[1:])
        head = data[0] + [""] * (width - len(data[0]))
        return grid("bn-csv", head, cells, sep=", ") + _more(more, file)
    if kind == "lines":
        text = esc("\n".join(data))
        return f'<pre class="bn-preview-text">{text}</pre>{_more(more, file)}'
    return ""


def _safe_link(link: str | None) -> str | None:
    return link if link and link.lower().startswith(("https://", "http://")) else None


def _size_cell(file: ResultFile) -> str:
    return size_text(file.size) if file.size is not None else ""


def results_html(results: JobResults, *, show_links: bool = False) -> str:
    """The results card; links only with ``show_links=True``."""
    files = results.files
    count = plural(len(files), "file")
    ident = f'<span class="bn-sub bn-mono">{esc(results.job_id)}</span>' if results.job_id else ""
    body = [
        f'<div class="bn-head"><span class="bn-title">Results</span>'
        f'<span class="bn-sub">{esc(count)}</span>{ident}</div>'
    ]
    rows = []
    budget = [MAX_IMAGES_TOTAL, MAX_PIXELS_TOTAL]
    used = 0
    for file in files[:MAX_FILES_SHOWN]:
        name = f"<code>{esc(fold(file.name, MAX_NAME) or '(no name)')}</code>"
        link = _safe_link(file.link) if show_links else None
        if link:
            name = f'<a href="{esc(link)}" target="_blank" rel="noopener noreferrer">{name}</a>'
        preview = _preview_html(file, budget)
        cell = f'<div class="bn-preview">{preview}</div>' if preview else ""
        size = _size_cell(file)
        size_html = f' <span class="bn-size">{esc(size)}</span>' if size else ""
        row = f'<div class="bn-file">{name}{size_html}{cell}</div>'
        cost = len(row) - sum(len(uri) for uri in _DATA_URI.findall(row))  # images: own budget
        if used + cost > _ROWS_BYTES:
            break
        used += cost
        rows.append(row)
    if len(files) > len(rows):
        rows.append(f'<div class="bn-more">… {len(files) - len(rows):,} more files</div>')
    if rows:
        body.append(section("Files", f'<div class="bn-files">{"".join(rows)}</div>', open=True))
    else:
        body.append('<div class="bn-muted">The job produced no output files.</div>')
    if any(f.link for f in files):
        note = LINKS_SHOWN_NOTE if show_links else LINKS_NOTE
        body.append(f'<div class="bn-note">{esc(note)}</div>')
    return wrap("bn-results bn-ok", "".join(body))


def _text_preview(file: ResultFile) -> list[str]:
    kind, content, more = _preview(file)
    if kind == "note":
        return [content]
    if kind == "image":
        return [_image_words(content)]
    lines = [", ".join(row) for row in content] if kind == "csv" else content or []
    return lines + (["…"] if more else [])


def results_text(results: JobResults, *, show_links: bool = False) -> str:
    """The results card as plain text (first lines of text previews included),
    inert and at most 12 kB."""
    files = results.files
    job = f" of job {inert(results.job_id, MAX_NAME)}" if results.job_id else ""
    lines = [f"ByteNite results{job}: {plural(len(files), 'file')}"]
    width = min(48, max((len(f.name) for f in files[:MAX_FILES_SHOWN]), default=0))
    for file in files[:MAX_FILES_SHOWN]:
        lines.append(f"  {inert(file.name, 200):<{width}}  {_size_cell(file)}".rstrip())
        if show_links and _safe_link(file.link):
            lines.append(f"    {inert(file.link)}")
        lines += [f"    | {inert(line)}" for line in _text_preview(file)]
    if len(files) > MAX_FILES_SHOWN:
        lines.append(f"  … {len(files) - MAX_FILES_SHOWN:,} more files")
    note = ""
    if any(f.link for f in files):
        note = f"\n  ({LINKS_SHOWN_NOTE if show_links else LINKS_NOTE})"
    return bounded("\n".join(lines), MAX_TEXT_BYTES - len(note.encode())) + note


def results_mimebundle(results: JobResults, *, show_links: bool = False) -> dict[str, Any]:
    """text/plain and text/html (no JSON: the wire form holds the links)."""
    text = results_text(results, show_links=show_links)
    return mimebundle(text, results_html(results, show_links=show_links))
