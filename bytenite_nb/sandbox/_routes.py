"""The sandbox's routes: which methods each path takes (404 and 405 answers)."""

from __future__ import annotations

import re

from ._wire import Reject

API_PREFIX = "/v1"
CUSTOMER_PREFIX = "/v1/customer"

#: The methods each path takes, first match first: a path matched by none is a 404,
#: a method it does not take a JSON 405 with an ``Allow`` header.
ROUTES: list[tuple[re.Pattern[str], frozenset[str]]] = [
    (re.compile(rf"{API_PREFIX}/auth/access_token"), frozenset({"POST"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs"), frozenset({"GET", "POST"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/templates"), frozenset({"GET"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+"), frozenset({"GET", "DELETE"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+/(run|abort)"), frozenset({"POST"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+/results"), frozenset({"GET"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+/uploadcompleted"), frozenset({"PATCH"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/logs"), frozenset({"POST"})),
]


def allowed_methods(path: str) -> list[str]:
    """The methods ``path`` (from ``/v1`` on) takes, sorted; empty for an unknown path.

    The first route that matches decides (``/jobs/templates`` before ``/jobs/{id}``).
    """
    for pattern, verbs in ROUTES:
        if pattern.fullmatch(path):
            return sorted(verbs)
    return []


def no_route(method: str, path: str) -> Reject:
    """The answer to a path no route matches (404) or a method it does not take (405)."""
    if allowed_methods(path):
        return Reject(405, f"method {method} not allowed for {path}")
    return Reject(404, f"no route for {method} {path}")
