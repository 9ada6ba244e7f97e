"""The ByteNite HTTP client: token exchange, retries and typed errors.

``Client`` (sync) and ``AsyncClient`` share one implementation: each API call
is written once as a generator that *yields* what it needs done (send this
request, sleep this long) and receives the result; the two clients only
differ in how they carry those steps out. Retry, auth and error policy live
in one place (``_base``, with the steps and backoff in ``_steps`` and payload
checks in ``_payloads``); the calls in ``_jobs``; the drivers in ``_sync`` and
``_async``.

The HTTP stack (httpx and the two drivers) loads on first use of ``Client``,
``AsyncClient`` or ``USER_AGENT``: validating a payload (``parse_request``)
sends nothing and so never pays for it (DESIGN.md: laziness at the front door).

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
