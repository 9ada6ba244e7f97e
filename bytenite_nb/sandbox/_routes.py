"""The sandbox's routes: which handler answers each method of each path."""

from __future__ import annotations

import re
from urllib.parse import unquote

from ._wire import Reject

API_PREFIX = "/v1"
CUSTOMER_PREFIX = "/v1/customer"

#: The service's endpoints the sandbox lacks: a 501, never a 405 reading ``filter`` as a job id.
UNSERVED: list[re.Pattern[str]] = [
    re.compile(rf"{CUSTOMER_PREFIX}/jobs/(filter|runningTasks)"),
    re.compile(rf"{CUSTOMER_PREFIX}/jobs/[^/]+/(jobname|configs)"),
    re.compile(rf"{CUSTOMER_PREFIX}/events"),
    re.compile(rf"{API_PREFIX}/auth/secrets(/[^/]+)?"),
]

_JOB = rf"{CUSTOMER_PREFIX}/jobs/([^/]+)"
#: Each path's methods and the ``Sandbox`` method that answers each, first match first
#: (``/jobs/templates`` before ``/jobs/{id}``). A group of the pattern is the job id.
ROUTES: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(rf"{API_PREFIX}/auth/access_token"), {"POST": "_exchange"}),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs"), {"GET": "_list", "POST": "_create"}),
    (re.compile(rf"{CUSTOMER_PREFIX}/jobs/templates"), {"GET": "_templates"}),
    (re.compile(_JOB), {"GET": "_get", "DELETE": "_delete"}),
    (re.compile(rf"{_JOB}/run"), {"POST": "_run"}),
    (re.compile(rf"{_JOB}/abort"), {"POST": "_abort"}),
    (re.compile(rf"{_JOB}/results"), {"GET": "_results"}),
    (re.compile(rf"{_JOB}/uploadcompleted"), {"PATCH": "_upload_completed"}),
    (re.compile(rf"{_JOB}/datasource"), {"PATCH": "_set_data_source"}),
    (re.compile(rf"{_JOB}/params"), {"PATCH": "_set_params"}),
    (re.compile(rf"{CUSTOMER_PREFIX}/logs"), {"POST": "_logs"}),
]


def route(method: str, path: str) -> tuple[str, str]:
    """The ``Sandbox`` method that answers ``method path``, and the job id (``""``: none);
    ``Reject`` naming the path: 404 for no route, 501 for an endpoint of the service the
    sandbox lacks, 405 (with ``Allow``) for a method the path does not take."""
    if any(pattern.fullmatch(path) for pattern in UNSERVED):
        raise Reject(501, f"the sandbox does not serve {method} {path} (the service may)")
    for pattern, methods in ROUTES:
        match = pattern.fullmatch(path)
        if match is None:
            continue
        if method not in methods:
            allow = {"Allow": ", ".join(sorted(methods))}
            raise Reject(405, f"method {method} not allowed for {path}", headers=allow)
        return methods[method], unquote(match.group(1)) if match.groups() else ""
    raise Reject(404, f"no route for {method} {path}: the sandbox serves no such path")
