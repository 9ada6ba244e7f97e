"""The ByteNite HTTP client: token exchange, retries and typed errors.

Each API call is written once as a sans-I/O flow, a generator that *yields*
what it needs done (send this request, sleep this long) and receives the
result: retry, auth and errors in ``_base`` (steps and backoff in ``_steps``),
the calls in ``_jobs``, ``_once``, ``_transfers`` and ``_submit``. ``Client``
(``_sync``) and ``AsyncClient`` (``_async``) only carry the steps out.

The HTTP stack (httpx and the drivers) loads on first use of ``Client``,
``AsyncClient`` or ``USER_AGENT``, so validating a payload never pays for it.
Never imports IPython or ipywidgets: the client works in a plain script.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ._checks import (
    MAX_ITEMS,
    MAX_PAGE_SIZE,
    check_item_count,
    check_page,
    log_levels,
    log_services,
)
from ._local import check_upload_path
from ._payloads import parse_request

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from ._async import AsyncClient
    from ._steps import USER_AGENT
    from ._sync import Client

_LAZY = {"AsyncClient": "._async", "Client": "._sync", "USER_AGENT": "._steps"}

__all__ = [
    "MAX_ITEMS",
    "MAX_PAGE_SIZE",
    "USER_AGENT",
    "AsyncClient",
    "Client",
    "check_item_count",
    "check_page",
    "check_upload_path",
    "log_levels",
    "log_services",
    "parse_request",
]

__getattr__, __dir__ = lazy_names(__name__, _LAZY, __all__)
