"""Text from a server made inert and bounded, for ``text/plain`` and terminals. A result
name, a log line or a preview may hold ESC (terminal escapes), BEL, CR (overwrite a line),
newlines (forge a line), other C0/C1 controls and Unicode direction overrides: :func:`inert`
shows each as a visible picture (``␛``, ``␊``, ``<U+202E>``) so none acts. :func:`bounded`
caps a whole text in bytes."""

from __future__ import annotations

import re

from ._html import MAX_TEXT_BYTES, fold

# C0 controls but TAB, DEL, C1 controls; the Unicode direction controls and
# line/paragraph separators that reorder or break a displayed line.
_ACTIVE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def _picture(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␛ ␇ ␍ ␊ …
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def inert(text: object, limit: int | None = None) -> str:
    """``text`` on one line with every control character made visible, TABs as a
    space, cut to ``limit`` characters with a marker saying how many are left out."""
    value = str(text) if limit is None else fold(str(text), limit)
    value = value.replace("\t", " ")
    return _ACTIVE.sub(_picture, value) if _ACTIVE.search(value) else value


def inert_lines(text: str, limit: int | None = None) -> list[str]:
    """``text`` split at its line breaks (``\\n``, ``\\r\\n``), each line made :func:`inert`."""
    return [inert(line, limit) for line in text.replace("\r\n", "\n").split("\n")]


def bounded(text: str, max_bytes: int = MAX_TEXT_BYTES, *, tail: bool = False) -> str:
    """``text`` cut to at most ``max_bytes`` bytes of UTF-8, at a line end when one
    is near, with a line saying how much was left out; ``tail=True`` keeps the end
    (the most recent lines of a log) instead of the start."""
    data = text.encode("utf-8", "replace")
    if len(data) <= max_bytes:
        return text
    room = max(0, max_bytes - 80)  # the marker's line
    if tail:
        kept = data[len(data) - room :].decode("utf-8", "ignore")
        cut = kept.find("\n")
        if 0 <= cut < room // 2:
            kept = kept[cut + 1 :]
        return f"… [{len(text) - len(kept):,} earlier characters not shown]\n{kept}"
    kept = data[:room].decode("utf-8", "ignore")
    cut = kept.rfind("\n")
    if cut > room // 2:
        kept = kept[:cut]
    return f"{kept}\n… [{len(text) - len(kept):,} more characters not shown]"
