"""Settings from one place. Priority, lowest first: the environment
(``BYTENITE_API_KEY``, ``BYTENITE_ACCESS_TOKEN``, ``BYTENITE_API_URL``); the kernel
session (``%bytenite login``, ``%bytenite sandbox``; in memory only); then values
the caller gives (``%config``, constructor arguments). Secrets are masked when shown.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any
from urllib.parse import urlsplit

ENV_API_KEY = "BYTENITE_API_KEY"
ENV_ACCESS_TOKEN = "BYTENITE_ACCESS_TOKEN"
ENV_API_URL = "BYTENITE_API_URL"
ENV_CUSTOMER_PATH = "BYTENITE_CUSTOMER_PATH"
ENV_SANDBOX_STEP = "BYTENITE_SANDBOX_STEP_SECONDS"

DEFAULT_BASE_URL = "https://api.bytenite.com/v1"
#: The customer routes live under ``{base_url}/customer``; a 2025 changelog
#: announced ``/computing`` instead (unconfirmed), so it is a setting.
DEFAULT_CUSTOMER_PATH = "customer"
#: Seconds a job of ``%bytenite sandbox`` stays in each of its nine running states.
DEFAULT_SANDBOX_STEP = 0.5
#: Seconds one attempt of a request may take in all: connect, send, and
#: the whole answer (a server trickling its body does not stretch it).
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
#: Seconds one client call may take in all: every attempt, the waits between retries
#: (backoff, ``Retry-After``) and the token exchange included; no retry starts that
#: could not finish in time. ``wait_for_job`` is many calls: its ``timeout`` bounds it.
DEFAULT_DEADLINE = 300.0

SECRET_FIELDS = frozenset({"api_key", "access_token"})

#: Session settings: field -> (value, where it came from). In memory only.
_session: dict[str, tuple[str, str]] = {}


def set_session(source: str, **values: str | None) -> dict[str, tuple[str, str] | None]:
    """Set (or with None, clear) session settings; returns what they were before."""
    before = {name: _session.get(name) for name in values}
    restore_session({k: None if v is None else (v, source) for k, v in values.items()})
    return before


def restore_session(before: Mapping[str, tuple[str, str] | None]) -> None:
    """Set each session setting to its (value, source), or clear it for None (this puts
    back what :func:`set_session` returned)."""
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
    return "****" + value[-4:] if len(value) >= 20 else "****"


@dataclass(frozen=True, repr=False)
class Settings:
    """Resolved connection settings. ``repr`` and :meth:`masked` hide secrets."""

    api_key: str | None = None
    access_token: str | None = None
    base_url: str = DEFAULT_BASE_URL
    customer_path: str = DEFAULT_CUSTOMER_PATH
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    deadline: float = DEFAULT_DEADLINE
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)

    def masked(self) -> dict[str, str]:
        """Every setting as display text, secrets masked."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "sources"}
        return {k: mask_secret(v) if k in SECRET_FIELDS else str(v) for k, v in values.items()}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.masked().items())
        return f"Settings({inner})"


def sandbox_step_seconds() -> float:
    """How long ``%bytenite sandbox``'s jobs stay in each state: ``BYTENITE_SANDBOX_STEP_SECONDS``
    (demos and tests may speed them up), else :data:`DEFAULT_SANDBOX_STEP`."""
    text = os.environ.get(ENV_SANDBOX_STEP, "").strip()
    if not text:
        return DEFAULT_SANDBOX_STEP
    try:
        value: Any = float(text)
    except ValueError:
        value = text  # not a number: the error quotes it as given
    return _seconds(ENV_SANDBOX_STEP, value)


def _base_url(value: str, source: str) -> str:
    problem = f"{source} must be an http(s) URL such as {DEFAULT_BASE_URL!r}, got {value!r}"
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        raise ValueError(problem) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or not value.isprintable():
        raise ValueError(problem)
    return value.strip().rstrip("/")


def _seconds(name: str, value: Any, *, allow_inf: bool = False) -> float:
    """A positive number of seconds (finite unless ``allow_inf``)."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    if ok and not math.isnan(value) and value > 0 and (allow_inf or math.isfinite(value)):
        return float(value)
    kind = "a number of seconds > 0" + ("" if allow_inf else ", finite")
    raise ValueError(f"{name} must be {kind}, got {value!r}")


#: What an HTTP header value may hold (RFC 9110: visible ASCII, spaces, tabs).
_HEADER_SAFE = re.compile(r"[\x21-\x7e]([\x20-\x7e\t]*[\x21-\x7e])?")


def header_problem(token: str) -> str | None:
    """Why ``token`` cannot be sent in an ``Authorization`` header (never quoting it)."""
    if _HEADER_SAFE.fullmatch(token):
        return None
    return "holds characters an HTTP header cannot carry (only visible ASCII is allowed)"


def resolve_settings(
    *,
    api_key: str | None = None,
    access_token: str | None = None,
    base_url: str | None = None,
    customer_path: str | None = None,
    timeout: float | None = None,
    max_retries: int | None = None,
    deadline: float | None = None,
) -> Settings:
    """Merge explicit values over the environment; ``ValueError`` naming the
    setting on a bad one (before any client exists, so before any I/O)."""
    sources: dict[str, str] = {}

    def pick(name: str, explicit: str | None, env_name: str) -> str | None:
        if explicit is not None and explicit.strip():
            sources[name] = name
            return explicit.strip()
        if name in _session:
            value, sources[name] = _session[name]
            return value
        if name == "access_token" and "api_key" in _session:
            return None  # a session key (login, sandbox) outranks a token from the env
        if os.environ.get(env_name, "").strip():
            sources[name] = env_name
            return os.environ[env_name].strip()
        return None

    url = pick("base_url", base_url, ENV_API_URL)
    if max_retries is not None and (
        isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0
    ):
        raise ValueError(f"max_retries must be a whole number >= 0, got {max_retries!r}")
    path = pick("customer_path", customer_path, ENV_CUSTOMER_PATH) or DEFAULT_CUSTOMER_PATH
    key = pick("api_key", api_key, ENV_API_KEY)
    token = pick("access_token", access_token, ENV_ACCESS_TOKEN)
    if key is not None:
        try:
            key.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("api_key holds a character UTF-8 cannot encode") from None
    if token is not None and (problem := header_problem(token)):
        raise ValueError(f"access_token {problem}")
    return Settings(
        api_key=key,
        access_token=token,
        base_url=_base_url(url, sources["base_url"]) if url else DEFAULT_BASE_URL,
        customer_path=path.strip("/"),
        timeout=DEFAULT_TIMEOUT if timeout is None else _seconds("timeout", timeout),
        max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
        deadline=(
            DEFAULT_DEADLINE if deadline is None else _seconds("deadline", deadline, allow_inf=True)
        ),
        sources=sources,
    )
