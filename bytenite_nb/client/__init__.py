"""The ByteNite HTTP client: token exchange, retries and typed errors.

Each API call is written once as a sans-I/O flow, a generator that *yields*
what it needs done (send, sleep) and receives the result: auth, retries and
errors in ``_base`` (steps in ``_steps``), the calls in ``_jobs``, ``_once``,
``_transfers`` and ``_submit``; ``Client`` (``_sync``) and ``AsyncClient``
(``_async``) carry the steps out. httpx loads on first use of either (or of
``USER_AGENT``): validating a payload never pays for it. No IPython here.
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
