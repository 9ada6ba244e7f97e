"""A local stand-in for the ByteNite API: its state, routes and jobs.

It speaks the service's paths, auth and wire format (protojson: int64 as
strings, empty fields left out, ``rpcStatus`` errors with gRPC codes), keeps
everything in memory and is safe to use from many threads. It validates
payloads on its own, independently of ``bytenite_nb.models``, the way the
service does. Standard library only. The HTTP side is in ``_http``, the
wire format in ``_wire``, request checks in ``_validate``.
"""

from __future__ import annotations

import re
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ._lifecycle import Blob, Storage
from ._ratelimit import TokenBucket
from ._render import chunks_of, config_json, params_json, source_json, string_json
from ._templates import TEMPLATES, Template
from ._validate import read_create, service_rules
from ._wire import (
    FAILED_PRECONDITION,
    INTERNAL,
    INVALID_ARGUMENT,
    NOT_FOUND,
    PERMISSION_DENIED,
    UNAUTHENTICATED,
    UNAVAILABLE,
    Reject,
    bad_request,
    json_object,
    rfc3339,
)
from ._wire import STATUS_CODES as _STATUS_CODES  # noqa: F401  (older name)

#: The sandbox's fixed API key. Not a secret: it only opens this local server.
SANDBOX_API_KEY = "bn-sandbox-key"
API_PREFIX = "/v1"
CUSTOMER_PREFIX = "/v1/customer"
#: A page of ``GET /jobs`` holds at most this many jobs (BYTENITE_API.md).
MAX_PAGE = 100

__all__ = [
    "API_PREFIX",
    "CUSTOMER_PREFIX",
    "FAILED_PRECONDITION",
    "INTERNAL",
    "INVALID_ARGUMENT",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "SANDBOX_API_KEY",
    "UNAUTHENTICATED",
    "UNAVAILABLE",
    "Fault",
    "Sandbox",
    "allowed_methods",
    "rfc3339",
]

STATES = (
    "JOB_STATE_NEW",
    "JOB_STATE_STARTED",
    "JOB_STATE_UPLOADING",
    "JOB_STATE_PARTITIONING",
    "JOB_STATE_PARTITIONED",
    "JOB_STATE_TASKS_COMPLETED",
    "JOB_STATE_MERGING",
    "JOB_STATE_MERGED",
    "JOB_STATE_DOWNLOADING",
    "JOB_STATE_COMPLETE",
)
_ACCOUNT = "sandbox-user"

# Older names, kept for modules that import them from here.
_Reject = Reject
_bad_request = bad_request
_json_body = json_object

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


def _no_route(method: str, path: str) -> Reject:
    if allowed_methods(path):
        return Reject(405, f"method {method} not allowed for {path}")
    return Reject(404, f"no route for {method} {path}")


def _now() -> float:
    return time.time()


def _envelope(message: str) -> dict[str, Any]:
    """The action endpoints' answer."""
    return {"ok": True, "requestId": str(uuid.uuid4()), "message": message, "error": None}


@dataclass
class Fault:
    """A canned failure for the next matching request(s)."""

    status: int
    times: int = 1
    path: str | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    retry_after: str | None = None
    method: str | None = None
    #: Apply the request, then answer with the fault (the answer is lost, not
    #: the request: a create that happened although the client saw a 502).
    applied: bool = False


@dataclass
class _Job:
    id: str
    template: Template
    request: dict[str, Any]
    created: float
    run_at: float | None = None
    aborted_at: float | None = None
    deleted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Sandbox:
    """The state of one sandbox: tokens, jobs, faults, request log. Thread-safe."""

    def __init__(
        self, *, api_key: str = SANDBOX_API_KEY, token_ttl: int = 3600, step_seconds: float = 1.0
    ) -> None:
        self.api_key = api_key
        self.token_ttl = token_ttl
        self.step_seconds = step_seconds
        self.base_url = ""
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._jobs: dict[str, _Job] = {}
        self._faults: list[Fault] = []
        #: Result files, signed links and uploads (``_lifecycle``).
        self.storage = Storage()
        self._bucket: TokenBucket | None = None
        #: ``(method, path)`` of every request received, in order.
        self.requests: list[tuple[str, str]] = []

    # -- controls for tests and demos ------------------------------------------
    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        path: str | None = None,
        body: bytes | str | None = None,
        content_type: str = "application/json",
        retry_after: str | int | None = None,
        method: str | None = None,
        applied: bool = False,
    ) -> None:
        """Answer the next ``times`` requests (``method`` and ``path``, if given)
        with ``status`` (0: hang up with no answer); ``applied=True`` carries
        each request out first, so that only its answer is lost."""
        raw = body.encode() if isinstance(body, str) else body
        fault = Fault(
            status,
            times,
            path,
            raw,
            content_type,
            None if retry_after is None else str(retry_after),
            method,
            applied,
        )
        with self._lock:
            self._faults.append(fault)

    def rate_limit(
        self,
        requests_per_second: float | None,
        *,
        burst: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer customer calls over ``requests_per_second`` with ``429`` (``None``: no limit).

        A token bucket: bursts of up to ``burst`` calls (default: one second's
        worth, at least 1) pass at once. A refused call gets a ``Retry-After``
        header, ``retry_after`` seconds when given (a fraction keeps tests
        fast), else the whole seconds until the next call would pass, and an
        rpcStatus body with code 8 (RESOURCE_EXHAUSTED). ``fail_next`` faults
        come first and do not spend tokens.
        """
        bucket = None
        if requests_per_second is not None:
            bucket = TokenBucket(requests_per_second, burst, retry_after)
        with self._lock:
            self._bucket = bucket

    def throttle(self, method: str, path: str) -> str | None:
        """Spend a token for a customer call; the ``Retry-After`` to answer if there was none."""
        if not path.startswith(CUSTOMER_PREFIX + "/"):
            return None
        with self._lock:
            if self._bucket is None:
                return None
            wait = self._bucket.take()
            if wait is not None:
                self.requests.append((method, path))
            return wait

    def revoke_tokens(self) -> None:
        """Invalidate every token issued so far (their next use gets 401)."""
        with self._lock:
            self._tokens.clear()

    def count(self, method: str, path: str) -> int:
        """How many ``method path`` requests were received (path without ``/v1``)."""
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and p == API_PREFIX + path)

    @property
    def jobs(self) -> list[dict[str, Any]]:
        """Every live job, as the service would send it."""
        with self._lock:
            return [self._job_json(j) for j in self._jobs.values() if not j.deleted]

    # -- request handling ---------------------------------------------------------
    def take_fault(self, path: str, method: str | None = None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path not in (None, path) or fault.method not in (None, method):
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Any]:
        """Route one request (header names in lower case); return ``(status, body)``."""
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        with self._lock:
            self.requests.append((method, path))
        try:
            if path == f"{API_PREFIX}/auth/access_token" and method == "POST":
                return 200, self._exchange(body)
            if path.startswith(CUSTOMER_PREFIX + "/"):
                self._authorize(headers.get("authorization"))
                return self._customer(method, path[len(CUSTOMER_PREFIX) :], parts.query, body)
            raise _no_route(method, path)
        except _Reject as reject:
            return reject.status, reject.body()

    def _exchange(self, body: bytes) -> dict[str, Any]:
        data = _json_body(body)
        key = data.get("apiKey")
        if not isinstance(key, str) or not key:
            raise _Reject(400, "apiKey is required")
        if not secrets.compare_digest(key.encode("utf-8", "surrogatepass"), self.api_key.encode()):
            raise _Reject(401, "invalid API key")
        token = "sbx." + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = _now() + self.token_ttl
        return {"token": token, "expiresIn": str(self.token_ttl), "scope": "customer"}

    def _authorize(self, header: str | None) -> None:
        if not header:
            raise _Reject(401, "missing access token: send it in the Authorization header")
        with self._lock:
            expires = self._tokens.get(header.strip())
        if expires is None:
            raise _Reject(401, "invalid access token")
        if expires < _now():
            raise _Reject(401, "access token expired")

    def _customer(self, method: str, path: str, query: str, body: bytes) -> tuple[int, Any]:
        if path == "/jobs" and method == "POST":
            return 200, self._create(_json_body(body))
        if path == "/jobs" and method == "GET":
            return 200, self._list(parse_qs(query, keep_blank_values=True))
        if path == "/logs" and method == "POST":
            return 200, self._logs(_json_body(body))
        if path == "/jobs/templates" and method == "GET":
            return 200, {"data": [t.info() for t in TEMPLATES.values() if not t.private]}
        match = re.fullmatch(r"/jobs/([^/]+)(/[a-z]+)?", path)
        if match:
            job_id, action = unquote(match.group(1)), match.group(2) or ""
            routes = {
                ("GET", ""): self._get,
                ("DELETE", ""): self._delete,
                ("POST", "/run"): self._run,
                ("POST", "/abort"): self._abort,
                ("GET", "/results"): self._results,
                ("PATCH", "/uploadcompleted"): self._upload_completed,
            }
            handler = routes.get((method, action))
            if handler is not None:
                return 200, handler(job_id)
        raise _no_route(method, CUSTOMER_PREFIX + path)

    # -- jobs ------------------------------------------------------------------
    def _create(self, data: dict[str, Any]) -> dict[str, Any]:
        request, problems = read_create(data)  # what protojson refuses comes first
        if problems:
            raise _bad_request(problems)
        template_id = request.get("templateId", "").strip()
        if not template_id:
            raise _bad_request([("templateId", "is required")])
        template = TEMPLATES.get(template_id)
        if template is None:
            raise _Reject(404, f"job template {template_id!r} not found")
        if template.private:
            raise _Reject(403, f"job template {template_id!r} belongs to another account")
        violations = service_rules(request) or template.check(request.get("params", {}))
        if violations:
            raise _bad_request(violations)
        job = _Job(str(uuid.uuid4()), template, request, _now())
        if request.get("dataSource", {}).get("dataSourceDescriptor") == "file":
            job.extra["tempUrl"] = self.storage.upload_url(self.base_url, job.id)
        with self._lock:
            self._jobs[job.id] = job
            return {"job": self._job_json(job), "templateInfo": template.info()}

    def _find(self, job_id: str) -> _Job:
        job = self._jobs.get(job_id)
        if job is None or job.deleted:
            raise _Reject(404, f"job {job_id!r} not found")
        return job

    def _get(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
            return {"job": self._job_json(job), "templateInfo": job.template.info()}

    def _list(self, query: dict[str, list[str]]) -> dict[str, Any]:
        # 0 is protobuf's "unset": the default page size
        limit = min(_query_int(query, "pagination.limit") or 20, MAX_PAGE)
        offset = _query_int(query, "pagination.offset")
        with self._lock:
            live = sorted(
                (j for j in self._jobs.values() if not j.deleted),
                key=lambda j: j.created,
                reverse=True,
            )
            page = [self._job_json(j) for j in live[offset : offset + limit]]
        pagination: dict[str, Any] = {"total": str(len(live))}
        if offset:
            pagination["offset"] = str(offset)
            pagination["hasPrevious"] = True
        if offset + limit < len(live):
            pagination["hasNext"] = True
        return {"pagination": pagination, "data": page}

    def _run(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
            if job.run_at is not None:
                raise _Reject(400, f"job {job_id!r} has already been started")
            missing = self.storage.upload_problem(job_id) if "tempUrl" in job.extra else None
            if missing is not None:
                raise _Reject(400, f"job {job_id!r} cannot run: {missing}")
            job.run_at = _now()
        return _envelope("job started")

    def _abort(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
            if job.run_at is None:
                job.deleted = True  # a job not yet started is deleted
            elif self._state(job)[0] in ("JOB_STATE_COMPLETE", "JOB_STATE_FAILED"):
                raise _Reject(400, f"job {job_id!r} has already ended")
            else:
                job.aborted_at = _now()
        return _envelope("job aborted")

    def _logs(self, data: dict[str, Any]) -> dict[str, Any]:
        from ._logs import LogsRequestError, answer, job_logs, read_request

        try:
            job_id, levels, services, task_ids = read_request(data)
        except LogsRequestError as exc:
            raise _bad_request(exc.violations) from None
        with self._lock:
            job = self._find(job_id)
            state, stamps = self._state(job)
        reason = job.template.fails_with or "job aborted by the user"
        chunks = job.template.chunks(job.request.get("params") or {})
        lines = job_logs(
            job_id=job.id, template=job.template, request=job.request, state=state,
            stamps=stamps, chunks=chunks, reason=reason,
        )  # fmt: skip
        return answer(lines, levels=levels, services=services, task_ids=task_ids)

    def _delete(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            self._find(job_id).deleted = True
        return _envelope("job deleted")

    def _results(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
            state, _ = self._state(job)
        if state != "JOB_STATE_COMPLETE":
            raise _Reject(400, "job has not yet been completed")
        params = job.request.get("params") or {}
        return self.storage.results(
            self.base_url, job.id, params, chunks_of(job.template, job.request)
        )

    def result_blobs(self, job_id: str) -> list[Blob]:
        """The files a completed job's result links serve (``LookupError`` if none)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.deleted or self._state(job)[0] != "JOB_STATE_COMPLETE":
                raise LookupError(job_id)
        params = job.request.get("params") or {}
        return self.storage.blobs(job.id, params, chunks_of(job.template, job.request))

    def _upload_completed(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
        if "tempUrl" not in job.extra:
            raise _Reject(400, f"job {job_id!r} has no file data source to upload to")
        problem = self.storage.complete_upload(job_id)
        if problem is not None:
            raise _Reject(400, f"job {job_id!r}: {problem}")
        return {"ok": True, "requestId": str(uuid.uuid4()), "message": "upload completed"}

    # -- protojson ------------------------------------------------------------------
    def _state(self, job: _Job) -> tuple[str, dict[str, str]]:
        """The state a job has reached by now, and when it entered each state."""
        stamps = {"JOB_STATE_NEW": rfc3339(job.created)}
        if job.run_at is None:
            return "JOB_STATE_NEW", stamps
        now = _now() if job.aborted_at is None else job.aborted_at
        steps = int((now - job.run_at) / self.step_seconds) + 1 if self.step_seconds else 99
        last = min(steps, len(STATES) - 1)
        if job.template.fails_with:
            last = min(last, 3)
        for index in range(1, last + 1):
            stamps[STATES[index]] = rfc3339(job.run_at + (index - 1) * self.step_seconds)
        state = STATES[last]
        if job.template.fails_with and steps > 3:
            state = "JOB_STATE_FAILED"
            stamps[state] = rfc3339(job.run_at + 3 * self.step_seconds)
        elif job.aborted_at is not None and state != "JOB_STATE_COMPLETE":
            state = "JOB_STATE_FAILED"
            stamps[state] = rfc3339(job.aborted_at)
        return state, stamps

    def _job_json(self, job: _Job) -> dict[str, Any]:
        """The job as the service sends it. Never fails: a job that cannot be
        rendered in full (a bug) still renders its id, template and state."""
        try:
            return self._render(job)
        except Exception as exc:  # a stored job must never break GET /jobs
            sys.stderr.write(f"sandbox: cannot render job {job.id}: {exc!r}\n")
            return {"id": job.id, "templateId": job.template.id, "state": self._state(job)[0]}

    def _render(self, job: _Job) -> dict[str, Any]:
        request = job.request
        state, stamps = self._state(job)
        chunks = chunks_of(job.template, job.request)
        out: dict[str, Any] = {
            "id": job.id,
            "templateId": job.template.id,
            "name": string_json(request.get("name")),
            "description": string_json(request.get("description")),
            "state": state,
            "createdAt": stamps["JOB_STATE_NEW"],
            "stateTimestamps": stamps,
            "numUnitsEstimation": str(chunks * 12),
            "appId": job.template.app.split("@")[0],
            "priority": "EXECUTION_PRIORITY_BALANCED",
            "params": params_json(request.get("params")),
            "config": config_json(request.get("config")),
            "dataSource": source_json(request.get("dataSource"), job.extra.get("tempUrl")),
            "dataDestination": source_json(request.get("dataDestination"), None),
        }
        if job.run_at is not None:
            out["submittedAt"] = rfc3339(job.run_at)
            out["startedAt"] = stamps.get("JOB_STATE_UPLOADING")
        if state in ("JOB_STATE_COMPLETE", "JOB_STATE_FAILED"):
            ended = stamps[state]
            out["endedAt"] = ended
            started = job.run_at or job.created
            end_ts = datetime.fromisoformat(ended[:26] + "+00:00").timestamp()
            out["duration"] = round(end_ts - started, 3)
        if state == "JOB_STATE_COMPLETE":
            out["numChunks"] = chunks
            out["paymentAmount"] = round(chunks * 0.0125, 4)
        if state == "JOB_STATE_FAILED":
            out["errorMessage"] = job.template.fails_with or "job aborted by the user"
        return {k: v for k, v in out.items() if v not in (None, "", {}, [])}


def _query_int(query: dict[str, list[str]], name: str) -> int:
    """A whole-number query parameter as grpc-gateway reads it (absent: 0, i.e. unset)."""
    values = query.get(name)
    if values is None:
        return 0
    if len(values) > 1:
        raise _bad_request([(name, "given more than once")])
    if not re.fullmatch(r"[+]?[0-9]{1,18}", values[0]):
        raise _bad_request([(name, "must be a whole number >= 0")])
    return int(values[0])
