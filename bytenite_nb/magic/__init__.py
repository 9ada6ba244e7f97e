"""The ``%bytenite`` line magic and ``%%bytenite`` cell magic: a thin front end that
parses the line and the body, merges them over the configured defaults and hands
the payload to the shared validation, client and cards. ``_extension`` is all
``%load_ext`` imports (no httpx, pydantic, PyYAML or ipywidgets).
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
