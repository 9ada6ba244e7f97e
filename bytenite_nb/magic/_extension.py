"""Loading and unloading the extension, and ``[tool.bytenite]`` from pyproject.toml."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ._magics import ByteNiteMagics


def find_pyproject_settings(
    start: Path | None = None,
) -> tuple[dict[str, Any], str | None, str | None]:
    """``[tool.bytenite]`` of the nearest ``pyproject.toml`` above ``start``:
    ``(settings, the file they came from, a problem reading it)``."""
    here = (start or Path.cwd()).resolve()
    candidate = next(
        (f / "pyproject.toml" for f in (here, *here.parents) if (f / "pyproject.toml").is_file()),
        None,
    )
    if candidate is None:
        return {}, None, None
    try:
        text = candidate.read_text("utf-8")
    except OSError as exc:
        return {}, str(candidate), f"not read ({exc})"
    if "[tool.bytenite]" not in text:
        return {}, None, None  # the common case: no need to parse the file
    import tomllib

    try:
        data = tomllib.loads(text)
    except ValueError as exc:
        return {}, str(candidate), f"not read ({exc})"
    section = data.get("tool", {}).get("bytenite", {})
    if not isinstance(section, dict):
        return {}, str(candidate), "[tool.bytenite] must be a table"
    return section, str(candidate), None


_MAGICS_KEY = "_bytenite_magics"


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics (loading twice is harmless)."""
    if getattr(ipython, _MAGICS_KEY, None) is not None:
        return
    magics = ByteNiteMagics(shell=ipython)
    settings, source, problem = find_pyproject_settings()
    notes = magics.apply_settings(settings, source or "pyproject.toml")
    for note in [f"{source}: {problem}"] * bool(problem) + notes:
        print(f"bytenite: {note}", file=sys.stderr)
    ipython.register_magics(magics)
    setattr(ipython, _MAGICS_KEY, magics)


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics and close what they opened."""
    magics = getattr(ipython, _MAGICS_KEY, None)
    if magics is None:
        return
    magics.close()
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("bytenite", None)
    ipython.magics_manager.registry.pop(type(magics).__name__, None)
    if magics in getattr(ipython, "configurables", []):
        ipython.configurables.remove(magics)
    setattr(ipython, _MAGICS_KEY, None)
