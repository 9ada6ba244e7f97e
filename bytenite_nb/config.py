"""Settings from one place: environment, session, then explicit values.

Priority, lowest first: environment variables (``BYTENITE_API_KEY``,
``BYTENITE_ACCESS_TOKEN``, ``BYTENITE_API_URL``); the kernel session
(``%bytenite login`` and ``%bytenite sandbox`` set it, in memory only); then
values given by the caller (the magic passes its ``%config`` values, the
client its constructor arguments). Secrets are masked wherever shown.
Imports nothing heavy.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from urllib.parse import urlsplit

ENV_API_KEY = "BYTENITE_API_KEY"
ENV_ACCESS_TOKEN = "BYTENITE_ACCESS_TOKEN"
ENV_API_URL = "BYTENITE_API_URL"
ENV_CUSTOMER_PATH = "BYTENITE_CUSTOMER_PATH"

DEFAULT_BASE_URL = "https://api.bytenite.com/v1"
#: The customer routes live under ``{base_url}/customer``; a 2025 changelog
#: announced ``/computing`` instead (unconfirmed), so it is a setting.
DEFAULT_CUSTOMER_PATH = "customer"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3

SECRET_FIELDS = frozenset({"api_key", "access_token"})

#: Session settings: field -> (value, where it came from). In memory only.
_session: dict[str, tuple[str, str]] = {}


def set_session(source: str, **values: str | None) -> dict[str, tuple[str, str] | None]:
    """Set (or with None, clear) session settings; returns what they were before."""
    before: dict[str, tuple[str, str] | None] = {}
    for name, value in values.items():
        before[name] = _session.get(name)
        if value is None:
            _session.pop(name, None)
        else:
            _session[name] = (value, source)
    return before


def restore_session(before: Mapping[str, tuple[str, str] | None]) -> None:
    """Put back what :func:`set_session` returned."""
    for name, entry in before.items():
        if entry is None:
            _session.pop(name, None)
        else:
            _session[name] = entry


def session_version() -> tuple[tuple[str, tuple[str, str]], ...]:
    """A value that changes whenever the session settings change."""
    return tuple(sorted(_session.items()))


def mask_secret(value: str | None) -> str:
    """``"not set"``, or asterisks with the last 4 characters of a long secret."""
    if not value:
        return "not set"
    if len(value) >= 20:
        return "****" + value[-4:]
    return "****"


@dataclass(frozen=True, repr=False)
class Settings:
    """Resolved connection settings. ``repr`` and :meth:`masked` hide secrets."""

    api_key: str | None = None
    access_token: str | None = None
    base_url: str = DEFAULT_BASE_URL
    customer_path: str = DEFAULT_CUSTOMER_PATH
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def masked(self) -> dict[str, str]:
        """Every setting as display text, secrets masked."""
        shown: dict[str, str] = {}
        for f in fields(self):
            if f.name == "sources":
                continue
            value = getattr(self, f.name)
            shown[f.name] = mask_secret(value) if f.name in SECRET_FIELDS else str(value)
        return shown

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.masked().items())
        return f"Settings({inner})"


def _base_url(value: str, source: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"{source} must be an http(s) URL such as {DEFAULT_BASE_URL!r}, got {value!r}"
        )
    return value.strip().rstrip("/")


def resolve_settings(
    *,
    api_key: str | None = None,
    access_token: str | None = None,
    base_url: str | None = None,
    customer_path: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge explicit values over the environment; raise ``ValueError`` on a bad one."""
    env = os.environ if environ is None else environ
    sources: dict[str, str] = {}

    def pick(name: str, explicit: str | None, env_name: str | None) -> str | None:
        if explicit is not None and explicit.strip():
            sources[name] = name
            return explicit.strip()
        if name in _session:
            value, sources[name] = _session[name]
            return value
        if name == "access_token" and "api_key" in _session:
            return None  # a session key (login, sandbox) outranks a token from the env
        if env_name and env.get(env_name, "").strip():
            sources[name] = env_name
            return env[env_name].strip()
        return None

    url = pick("base_url", base_url, ENV_API_URL)
    if timeout is not None and (isinstance(timeout, bool) or timeout <= 0):
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    if max_retries is not None and (
        isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0
    ):
        raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
    path = pick("customer_path", customer_path, ENV_CUSTOMER_PATH) or DEFAULT_CUSTOMER_PATH
    return Settings(
        api_key=pick("api_key", api_key, ENV_API_KEY),
        access_token=pick("access_token", access_token, ENV_ACCESS_TOKEN),
        base_url=_base_url(url, sources["base_url"]) if url else DEFAULT_BASE_URL,
        customer_path=path.strip("/"),
        timeout=DEFAULT_TIMEOUT if timeout is None else float(timeout),
        max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
        sources=sources,
    )
