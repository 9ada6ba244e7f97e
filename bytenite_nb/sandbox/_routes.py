"""The sandbox's routes: which methods each path takes (404 and 405 answers)."""

from __future__ import annotations

import re

from ._wire import Reject

API_PREFIX = "/v1"
CUSTOMER_PREFIX = "/v1/customer"

#: Endpoints of the service that the sandbox does not serve (BYTENITE_API.md, "seen in
#: ByteNite's generated SDKs"): any method on them is a 501 naming the path, never
#: a 405 that would read ``filter`` as a job id.
UNSERVED: list[re.Pattern[str]] = [
    re.compile(rf"{CUSTOMER_PREFIX}/jobs/(filter|runningTasks)"),
    re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+/(jobname|configs)"),
    re.compile(rf"{CUSTOMER_PREFIX}/events"),
    re.compile(rf"{API_PREFIX}/auth/secrets(/[^/]+)?"),
]

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
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+/(datasource|params)"), frozenset({"PATCH"})),
    (re.compile(rf"{CUSTOMER_PREFIX}/logs"), frozenset({"POST"})),
]


def allowed_methods(path: str) -> list[str]:
    """The methods ``path`` (from ``/v1`` on) takes, sorted; empty for an unknown path.

    The first route that matches decides (``/jobs/templates`` before ``/jobs/{id}``);
    an ``UNSERVED`` endpoint takes none.
    """
    if any(pattern.fullmatch(path) for pattern in UNSERVED):
        return []
    for pattern, verbs in ROUTES:
        if pattern.fullmatch(path):
            return sorted(verbs)
    return []


def no_route(method: str, path: str) -> Reject:
    """The answer to a path no route matches (404), an endpoint of the service the
    sandbox lacks (501) or a method a path does not take (405). Each names the path."""
    if any(pattern.fullmatch(path) for pattern in UNSERVED):
        return Reject(501, f"the sandbox does not serve {method} {path} (the service may)")
    if allowed_methods(path):
        return Reject(405, f"method {method} not allowed for {path}")
    return Reject(404, f"no route for {method} {path}: the sandbox serves no such path")
