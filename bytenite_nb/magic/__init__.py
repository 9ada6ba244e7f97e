"""The ``%bytenite`` and ``%%bytenite`` magics: the line and the body in, the shared
models, client and cards out. ``%load_ext`` imports ``_extension`` alone (no httpx,
pydantic, PyYAML or ipywidgets)."""

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
