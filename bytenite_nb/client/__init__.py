"""The ByteNite HTTP client: token exchange, retries and typed errors.

``Client`` (sync) and ``AsyncClient`` share one implementation: each API call
is written once as a generator that *yields* what it needs done (send this
request, sleep this long) and receives the result; the two clients only
differ in how they carry those steps out. Retry, auth and error policy live
in one place (``_base``, with the steps and backoff in ``_steps`` and payload
checks in ``_payloads``); the calls in ``_jobs``; the drivers in ``_sync`` and
``_async``.

Never imports IPython or ipywidgets: the client works in a plain script.
"""

from __future__ import annotations

from ._async import AsyncClient
from ._checks import MAX_PAGE_SIZE
from ._payloads import parse_request
from ._steps import USER_AGENT
from ._sync import Client

__all__ = ["MAX_PAGE_SIZE", "USER_AGENT", "AsyncClient", "Client", "parse_request"]
