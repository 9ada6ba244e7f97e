"""The ``%bytenite`` line magic and ``%%bytenite`` cell magic.

A thin front end: parse the line and the body, merge them over the configured
defaults, then hand the payload to the shared validation, client and cards.
``_extension`` is the front door (loading, the settings, the entry; the one
module ``%load_ext`` imports); ``_session`` what a call works with and the cell
flow; ``_body`` reads the cell body, ``_options`` the magic line, ``_commands``
holds the line commands in one table, ``_cell`` the create-job steps of a
cell, ``_sweep`` a sweep. Loading imports neither httpx, pydantic, PyYAML nor
ipywidgets; the other names here load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ._extension import (
    ByteNiteMagics,
    find_pyproject_settings,
    load_ipython_extension,
    unload_ipython_extension,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._body import curl_command, deep_merge, interpolate, parse_body, read_body, unknown_fields
    from ._commands import COMMANDS, help_text
    from ._session import Session

_LAZY = {
    "COMMANDS": "._commands",
    "help_text": "._commands",
    "Session": "._session",
    **{
        name: "._body"
        for name in (
            "curl_command",
            "deep_merge",
            "interpolate",
            "parse_body",
            "read_body",
            "unknown_fields",
        )
    },
}

__all__ = [
    "COMMANDS",
    "ByteNiteMagics",
    "Session",
    "curl_command",
    "deep_merge",
    "find_pyproject_settings",
    "help_text",
    "interpolate",
    "load_ipython_extension",
    "parse_body",
    "read_body",
    "unknown_fields",
    "unload_ipython_extension",
]
__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
