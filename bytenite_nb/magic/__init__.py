"""The ``%bytenite`` line magic and ``%%bytenite`` cell magic.

A thin front end: parse the line and the body, merge them over the configured
defaults, then hand the payload to the shared validation, client and cards.
``_body`` reads the cell body, ``_options`` the magic line, ``_commands`` holds
the line commands in one table, ``_magics`` the magics class and the cell flow,
``_cell`` the create-job steps of a cell, ``_extension`` loading. Loading
imports neither httpx, pydantic, PyYAML nor ipywidgets; those come on first use.
"""

from __future__ import annotations

from ._body import curl_command, deep_merge, interpolate, parse_body, read_body, unknown_fields
from ._commands import COMMANDS, help_text
from ._extension import (
    find_pyproject_settings,
    load_ipython_extension,
    unload_ipython_extension,
)
from ._magics import ByteNiteMagics

__all__ = [
    "COMMANDS",
    "ByteNiteMagics",
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
