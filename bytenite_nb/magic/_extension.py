"""What ``%load_ext`` registers: :class:`ByteNiteMagics`, its settings (``%config``,
``[tool.bytenite]``) and entry; the rest loads with the first call."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Dict, Float, Int, Unicode

if TYPE_CHECKING:  # pragma: no cover
    from ._session import Session


@magics_class
class ByteNiteMagics(Magics):
    """``%bytenite`` / ``%%bytenite``. Settings through ``%config ByteNiteMagics.*``."""

    base_url = Unicode(
        None,
        allow_none=True,
        config=True,
        help="API root (default: BYTENITE_API_URL or the service)",
    )
    customer_path = Unicode(None, allow_none=True, config=True, help="customer routes prefix")
    default_template = Unicode(
        None, allow_none=True, config=True, help="templateId used when a body gives none"
    )
    default_config = Dict(
        {}, config=True, help="config merged under every body, e.g. {'isTestJob': True}"
    )
    short_errors = Bool(
        True, config=True, help="show a card and a one-line error instead of a traceback"
    )
    timeout = Float(30.0, config=True, help="seconds one attempt of a call may take")
    max_retries = Int(3, config=True, help="retries on 502/503 and failed connections")
    deadline = Float(
        300.0, config=True, help="seconds a whole call may take, retries and waits included"
    )
    poll_interval = Float(2.0, config=True, help="seconds between polls while watching a job")

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell=shell, **kwargs)
        #: Where each setting set from a file came from (``%bytenite config`` shows it).
        self.setting_sources: dict[str, str] = {}
        self._session: Session | None = None

    def session(self) -> Session:
        """What every call works with, loaded on the first call (the one lazy import)."""
        if self._session is None:
            from ._session import Session

            self._session = Session(self)
        return self._session

    def client_options(self) -> dict[str, Any]:
        """The client settings the magic holds (the one list both uses read)."""
        return {
            "base_url": self.base_url,
            "customer_path": self.customer_path,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "deadline": self.deadline,
        }

    def apply_settings(self, settings: Mapping[str, Any], source: str) -> list[str]:
        """Set traits from a mapping (``[tool.bytenite]``); returns warnings."""
        notes = []
        names = self.trait_names(config=True)
        for key, value in settings.items():
            if key in ("api_key", "access_token", "apiKey", "token"):
                notes.append(
                    f"{source}: {key} is ignored: keep credentials out of files in the "
                    "repository; use BYTENITE_API_KEY or %bytenite login"
                )
                continue
            if key not in names:
                from ._options import did_you_mean  # only for a misspelt setting

                notes.append(f"{source}: unknown setting {key!r}{did_you_mean(key, names)}")
                continue
            try:
                setattr(self, key, value)
                self.setting_sources[key] = source
            except Exception as exc:
                notes.append(f"{source}: {key}: {exc}")
        return notes

    @no_var_expand
    @line_cell_magic
    def bytenite(self, line: str, cell: str | None = None) -> Any:
        """Create a ByteNite job from a YAML/JSON cell; `%bytenite --help` for more
        (``%bytenite?`` shows the same help)."""
        return self.session().run(line, cell)

    # ``%bytenite?`` and ``%%bytenite?``: IPython asks an object for ``getdoc()``
    # first; the help is made from the parsers when asked, not at ``%load_ext``.
    bytenite.getdoc = lambda: _help()  # type: ignore[union-attr]

    def close(self) -> None:
        """Close the client and stop the sandbox (on unload)."""
        if self._session is not None:
            self._session.close()


def _help() -> str:
    from ._commands import help_text

    return help_text()


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
        if "[tool.bytenite]" not in text:
            return {}, None, None  # the common case: no need to parse the file
        import tomllib

        data = tomllib.loads(text)
    except (OSError, ValueError) as exc:  # unreadable, not UTF-8, not TOML
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
