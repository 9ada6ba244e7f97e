"""The sandbox's state, in memory and thread-safe, and the answer to each call.

It validates payloads on its own, as the service does: of ``bytenite_nb.models`` it
reads only the shipped spec (``spec_schema``, ``wire_integer``) and ``too_deep``.
"""

from __future__ import annotations

import math
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..models import wire_integer
from ._faults import Fault, Faults
from ._jobs import _Job, answer, job_json, job_logs, job_state, read_request
from ._lifecycle import Blob, Storage
from ._templates import TEMPLATES
from ._validate import read_create, read_update, run_config, service_rules
from ._wire import API_PREFIX, CUSTOMER_PREFIX, Reject, bad_request, json_object

#: The sandbox's fixed API key. Not a secret: it only opens this local server.
SANDBOX_API_KEY = "bn-sandbox-key"
#: A page of ``GET /jobs`` holds at most this many jobs (BYTENITE_API.md).
MAX_PAGE = 100

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


def _envelope(message: str) -> dict[str, Any]:
    """The action endpoints' answer (run, abort, delete, uploadcompleted): one shape."""
    return {"ok": True, "requestId": str(uuid.uuid4()), "message": message, "error": None}


class Sandbox:
    """The state of one sandbox: tokens, jobs, faults, request log. Thread-safe."""

    def __init__(self, *, step_seconds: float = 1.0) -> None:
        self.api_key = SANDBOX_API_KEY
        #: Epoch seconds for job progress and token expiry (tests may set a faster one).
        self.clock: Callable[[], float] = time.time
        #: Seconds an access token lives.
        self.token_ttl = 3600
        self.step_seconds = step_seconds
        self.base_url = ""
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._jobs: dict[str, _Job] = {}
        #: ``fail_next``'s faults, for the HTTP side to take.
        self.faults: Faults[Fault] = Faults()
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
        wait = None if retry_after is None else str(retry_after)
        self.faults.add(Fault(status, times, path, raw, content_type, wait, method, applied))

    def rate_limit(
        self,
        requests_per_second: float | None,
        *,
        burst: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer customer calls over ``requests_per_second`` with 429 (``None``: no limit),
        through a ``TokenBucket``; ``fail_next`` faults come first and spend no token."""
        bucket = None
        if requests_per_second is not None:
            bucket = TokenBucket(requests_per_second, burst, retry_after, clock=self.clock)
        with self._lock:
            self._bucket = bucket

    def record(self, method: str, path: str) -> None:
        """Add a request to ``requests`` (the HTTP side records each one)."""
        with self._lock:
            self.requests.append((method, path))

    def throttle(self, path: str) -> str | None:
        """Spend a token for a customer call; the ``Retry-After`` to answer if there was none."""
        with self._lock:
            if self._bucket is None or not path.startswith(CUSTOMER_PREFIX + "/"):
                return None
            return self._bucket.take()

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
            return [job_json(j, self.step_seconds) for j in self._jobs.values() if not j.deleted]

    # -- request handling ---------------------------------------------------------
    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Any, Mapping[str, str]]:
        """Route one request (header names in lower case); return ``(status, body, headers)``."""
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        try:
            if path.startswith(CUSTOMER_PREFIX + "/"):
                self._authorize(headers.get("authorization"))
            name, job_id = route(method, path)
            return 200, getattr(self, name)(_Call(job_id, parts.query, body)), {}
        except Reject as reject:
            return reject.status, reject.body(), reject.headers

    def _exchange(self, call: _Call) -> dict[str, Any]:
        key = call.json().get("apiKey")
        if not isinstance(key, str) or not key:
            raise Reject(400, "apiKey is required")
        if not secrets.compare_digest(key.encode("utf-8", "surrogatepass"), self.api_key.encode()):
            raise Reject(401, "invalid API key")
        token = "sbx." + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = self.clock() + self.token_ttl
        expires_in = wire_integer("authAccessTokenResponse", "expiresIn", self.token_ttl)
        return {"token": token, "expiresIn": expires_in, "scope": "customer"}

    def _authorize(self, header: str | None) -> None:
        """The raw token (the docs) or ``Bearer <token>`` (ByteNite's generated SDK)."""
        token = (header or "").strip()
        scheme, _, rest = token.partition(" ")
        if scheme.lower() == "bearer":
            token = rest.strip()
        if not token:
            raise Reject(401, "missing access token: send it in the Authorization header")
        with self._lock:
            expires = self._tokens.get(token)
        if expires is None:
            raise Reject(401, "invalid access token")
        if expires < self.clock():
            raise Reject(401, "access token expired")

    # -- jobs (each answers one route; ``ROUTES`` names them) ---------------------
    def _templates(self, call: _Call) -> dict[str, Any]:
        return {"data": [t.info() for t in TEMPLATES.values() if not t.private]}

    def _create(self, call: _Call) -> dict[str, Any]:
        request, problems = read_create(call.json())  # what protojson refuses comes first
        if problems:
            raise bad_request(problems)
        template_id = request.get("templateId", "").strip()
        if not template_id:
            raise bad_request([("templateId", "is required")])
        template = TEMPLATES.get(template_id)
        if template is None:
            raise Reject(404, f"job template {template_id!r} not found")
        if template.private:
            raise Reject(403, f"job template {template_id!r} belongs to another account")
        violations = service_rules(request) or template.check(request.get("params", {}))
        if violations:
            raise bad_request(violations)
        job = _Job(str(uuid.uuid4()), template, request, self.clock(), clock=self.clock)
        self._give_temp_url(job)
        with self._lock:
            self._jobs[job.id] = job
            return self._answer(job)

    def _answer(self, job: _Job) -> dict[str, Any]:
        """``{job, templateInfo}``, what create, get and the ``PATCH`` calls answer."""
        return {"job": job_json(job, self.step_seconds), "templateInfo": job.template.info()}

    def _give_temp_url(self, job: _Job) -> None:
        """A ``file`` job keeps a signed ``tempUrl`` to upload its input to; another has none."""
        is_file = job.request.get("dataSource", {}).get("dataSourceDescriptor") == "file"
        if not is_file:
            job.temp_url = None
        elif job.temp_url is None:
            job.temp_url = self.storage.upload_url(self.base_url, job.id)

    def _find(self, job_id: str) -> _Job:
        job = self._jobs.get(job_id)
        if job is None or job.deleted:
            raise Reject(404, f"job {job_id!r} not found")
        return job

    def _get(self, call: _Call) -> dict[str, Any]:
        with self._lock:
            return self._answer(self._find(call.job_id))

    def _list(self, call: _Call) -> dict[str, Any]:
        query = parse_qs(call.query, keep_blank_values=True)
        # 0 is protobuf's "unset": the default page size
        limit = min(_query_int(query, "pagination.limit") or 20, MAX_PAGE)
        offset = _query_int(query, "pagination.offset")
        with self._lock:
            live = sorted(
                (j for j in self._jobs.values() if not j.deleted),
                key=lambda j: j.created,
                reverse=True,
            )
            page = [job_json(j, self.step_seconds) for j in live[offset : offset + limit]]
        pagination: dict[str, Any] = {"total": wire_integer("Pagination", "total", len(live))}
        if offset:
            pagination["offset"] = wire_integer("Pagination", "offset", offset)
            pagination["hasPrevious"] = True
        if offset + limit < len(live):
            pagination["hasNext"] = True
        return {"pagination": pagination, "data": page}

    def _run(self, call: _Call) -> dict[str, Any]:
        config = run_config(call.json())
        with self._lock:
            job = self._find(call.job_id)
            if job.run_at is not None:
                raise Reject(400, f"job {job.id!r} has already been started")
            if job.temp_url and (missing := self.storage.upload_problem(job.id)):
                raise Reject(400, f"job {job.id!r} cannot run: {missing}")
            if config:
                job.request["config"] = {**job.request.get("config", {}), **config}
            job.run_at = self.clock()
        return _envelope("job started")

    def _draft(self, job_id: str) -> _Job:
        """A job that can still be changed (``NEW``); call with the lock held."""
        job = self._find(job_id)
        if job.run_at is not None:
            raise Reject(400, f"job {job_id!r} has been started: only a new job can be changed")
        return job

    def _set_data_source(self, call: _Call) -> dict[str, Any]:
        """Replace the source and/or destination given."""
        keys = ("dataSource", "dataDestination")
        changes = read_update(call.json(), keys, "data source request")
        with self._lock:
            job = self._draft(call.job_id)
            job.request.update(changes)
            self._give_temp_url(job)
            return self._answer(job)

    def _set_params(self, call: _Call) -> dict[str, Any]:
        """``{partitioner, app, assembler}`` replace the job's params."""
        params = read_update({"params": call.json()}, ("params",), "params request")["params"]
        with self._lock:
            job = self._draft(call.job_id)
            problems = job.template.check(params)
            if problems:
                raise bad_request(problems, "params request")
            job.request["params"] = params
            return self._answer(job)

    def _abort(self, call: _Call) -> dict[str, Any]:
        with self._lock:
            job = self._find(call.job_id)
            if job.run_at is None:
                job.deleted = True  # a job not yet started is deleted
            elif job_state(job, self.step_seconds)[0] in ("JOB_STATE_COMPLETE", "JOB_STATE_FAILED"):
                raise Reject(400, f"job {job.id!r} has already ended")
            else:
                job.aborted_at = self.clock()
        return _envelope("job aborted")

    def _logs(self, call: _Call) -> dict[str, Any]:
        job_id, levels, services, task_ids = read_request(call.json())
        with self._lock:
            job = self._find(job_id)
            times = job_state(job, self.step_seconds)[1]
        return answer(job_logs(job, times), levels=levels, services=services, task_ids=task_ids)

    def _delete(self, call: _Call) -> dict[str, Any]:
        with self._lock:
            self._find(call.job_id).deleted = True
        return _envelope("job deleted")

    def _results(self, call: _Call) -> dict[str, Any]:
        return self.storage.results(self.base_url, call.job_id, self.result_blobs(call.job_id))

    def result_blobs(self, job_id: str) -> list[Blob]:
        """The files a completed job's result links serve (``Reject`` 404 or 400 if none)."""
        with self._lock:
            job = self._find(job_id)
            if job_state(job, self.step_seconds)[0] != "JOB_STATE_COMPLETE":
                raise Reject(400, "job has not yet been completed")
        return self.storage.blobs(job.id, job.request.get("params", {}), job.chunks)

    def _upload_completed(self, call: _Call) -> dict[str, Any]:
        with self._lock:
            job = self._find(call.job_id)
        if not job.temp_url:
            raise Reject(400, f"job {job.id!r} has no file data source to upload to")
        self.storage.complete_upload(job.id)
        return _envelope("upload completed")


@dataclass(frozen=True)
class _Call:
    """A routed request: the job id its path names (``""`` for none), its query and body."""

    job_id: str
    query: str
    body: bytes

    def json(self) -> dict[str, Any]:
        return json_object(self.body)


def _query_int(query: dict[str, list[str]], name: str) -> int:
    """A whole-number query parameter as grpc-gateway reads it (absent: 0, i.e. unset)."""
    values = query.get(name)
    if values is None:
        return 0
    if len(values) > 1:
        raise bad_request([(name, "given more than once")])
    if not re.fullmatch(r"[+]?[0-9]{1,18}", values[0]):
        raise bad_request([(name, "must be a whole number >= 0")])
    return int(values[0])


class TokenBucket:
    """``rate`` requests a second on average, bursts of up to ``burst`` (default: one
    second's worth, at least 1). Not thread-safe."""

    def __init__(
        self,
        rate: float,
        burst: int | None = None,
        retry_after: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not rate > 0 or not math.isfinite(rate):
            raise ValueError(f"requests_per_second must be a positive number, got {rate!r}")
        if burst is None:
            burst = max(1, int(rate))  # one second's worth
        if burst < 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        if retry_after is not None and not retry_after >= 0:
            raise ValueError(f"retry_after must be >= 0 seconds, got {retry_after!r}")
        self.rate = rate
        self.burst = burst
        self.retry_after = retry_after
        self._clock = clock
        self._tokens = float(burst)
        self._stamp = clock()

    def take(self) -> str | None:
        """Spend a token: ``None`` if there was one, else the ``Retry-After`` to send (the
        fixed ``retry_after``, or the whole seconds until the next token, at least 1)."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        if self.retry_after is not None:
            return f"{self.retry_after:g}"
        return str(max(1, math.ceil((1 - self._tokens) / self.rate)))
