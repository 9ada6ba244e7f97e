"""The ``%bytenite`` line magic and ``%%bytenite`` cell magic.

A thin front end: parse the line and the body, merge them over the configured
defaults, then hand the payload to the shared validation, client and cards.
``_extension`` is the front door (loading, the settings, the entry: the one
module ``%load_ext`` imports); ``_session`` what a call works with and the cell
flow; ``_body`` reads the cell body, ``_options`` the magic line, ``_commands``
holds the line commands in one table, ``_cell`` the create-job steps of a
cell, ``_sweep`` a sweep. Loading imports neither httpx, pydantic, PyYAML nor
ipywidgets.
"""

from __future__ import annotations

from ._extension import (
    ByteNiteMagics,
    find_pyproject_settings,
    load_ipython_extension,
    unload_ipython_extension,
)

__all__ = [
    "ByteNiteMagics",
    "find_pyproject_settings",
    "load_ipython_extension",
    "unload_ipython_extension",
]
