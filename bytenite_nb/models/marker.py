"""The batch marker, ``[bn-batch:<batch id>:<index>]`` at the end of a job's
description: how a batch finds its jobs again (after a lost answer, a restart). Cards
and tables show :func:`strip_marker` of a description."""

import re

#: ``bn-batch:<batch id>:<index>`` inside square brackets.
MARKER = re.compile(r"\s*\[(bn-batch:[0-9a-f]+:\d+)\]")


def make_marker(batch_id: str, index: int) -> str:
    """``bn-batch:<batch id>:<index>`` (without the brackets)."""
    return f"bn-batch:{batch_id}:{index}"


def mark(description: str | None, marker: str) -> str:
    """``description`` with ``[marker]`` at its end (the marker alone when empty)."""
    tag = f"[{marker}]"
    return f"{description} {tag}" if description else tag


def marker_of(description: str | None) -> str | None:
    """The (last) batch marker in a description, if it has one."""
    if not description:
        return None
    found = MARKER.findall(description)
    return found[-1] if found else None


def strip_marker(description: str | None) -> str:
    """The user's own description: every batch marker taken out."""
    if not description:
        return ""
    return MARKER.sub("", description).strip()


__all__ = ["MARKER", "make_marker", "mark", "marker_of", "strip_marker"]
