"""A local stand-in for the ByteNite API: a real HTTP server on loopback.

It speaks the service's paths, auth and wire format (protojson: int64 as
strings, empty fields left out, ``rpcStatus`` errors with gRPC codes), keeps
everything in memory and is safe to use from many threads. It validates
payloads on its own, independently of ``bytenite_nb.models``, the way the
service does. Standard library only.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ._lifecycle import Blob, Storage, serve_storage
from ._templates import TEMPLATES, Template, Violation

#: The sandbox's fixed API key. Not a secret: it only opens this local server.
SANDBOX_API_KEY = "bn-sandbox-key"
API_PREFIX = "/v1"
CUSTOMER_PREFIX = "/v1/customer"

# gRPC status codes used in rpcStatus bodies.
INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, FAILED_PRECONDITION = 3, 5, 7, 9
INTERNAL, UNAVAILABLE, UNAUTHENTICATED = 13, 14, 16
_STATUS_CODES = {400: 3, 401: 16, 403: 7, 404: 5, 409: 9, 500: 13, 502: 14, 503: 14, 504: 4}

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
_TYPE_PREFIX = "type.googleapis.com/bytenite.data_source."
_INT = re.compile(r"[+-]?\d+")
_ACCOUNT = "sandbox-user"


def _now() -> float:
    return time.time()


def rfc3339(ts: float) -> str:
    """protojson Timestamp: UTC, ``Z``, nanosecond precision."""
    whole = int(ts)
    nanos = round((ts - whole) * 1e9) % 1_000_000_000
    stamp = datetime.fromtimestamp(whole, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{nanos:09d}Z"


class _Reject(Exception):
    """An error answer: HTTP status, rpcStatus message and details."""

    def __init__(
        self, status: int, message: str, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {
            "code": _STATUS_CODES.get(self.status, 2),
            "message": self.message,
            "details": self.details,
        }


def _bad_request(violations: list[Violation]) -> _Reject:
    summary = "; ".join(f"{f}: {d}" for f, d in violations)
    details = [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": f, "description": d} for f, d in violations],
        }
    ]
    return _Reject(400, f"invalid job request: {summary}", details)


@dataclass
class Fault:
    """A canned failure for the next matching request(s)."""

    status: int
    times: int = 1
    path: str | None = None
    body: bytes | None = None
    content_type: str = "application/json"
    retry_after: str | None = None


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
    ) -> None:
        """Answer the next ``times`` requests (to ``path``, if given) with ``status``."""
        raw = body.encode() if isinstance(body, str) else body
        fault = Fault(
            status,
            times,
            path,
            raw,
            content_type,
            None if retry_after is None else str(retry_after),
        )
        with self._lock:
            self._faults.append(fault)

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
    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path is None or fault.path == path:
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
            raise _Reject(404, f"no route for {method} {path}")
        except _Reject as reject:
            return reject.status, reject.body()

    def _exchange(self, body: bytes) -> dict[str, Any]:
        data = _json_body(body)
        key = data.get("apiKey")
        if not isinstance(key, str) or not key:
            raise _Reject(400, "apiKey is required")
        if not secrets.compare_digest(key.encode(), self.api_key.encode()):
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
            return 200, self._list(parse_qs(query))
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
        raise _Reject(404, f"no route for {method} {CUSTOMER_PREFIX}{path}")

    # -- jobs ------------------------------------------------------------------
    def _create(self, data: dict[str, Any]) -> dict[str, Any]:
        template_id = data.get("templateId")
        if not isinstance(template_id, str) or not template_id.strip():
            raise _bad_request([("templateId", "is required")])
        template = TEMPLATES.get(template_id.strip())
        if template is None:
            raise _Reject(404, f"job template {template_id!r} not found")
        if template.private:
            raise _Reject(403, f"job template {template_id!r} belongs to another account")
        violations = _check_request(data)
        if not violations:
            violations = template.check(data.get("params") or {})
        if violations:
            raise _bad_request(violations)
        job = _Job(str(uuid.uuid4()), template, data, _now())
        if (data.get("dataSource") or {}).get("dataSourceDescriptor") == "file":
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
        limit = _query_int(query, "pagination.limit", 20)
        offset = _query_int(query, "pagination.offset", 0)
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
        return {"ok": True, "requestId": str(uuid.uuid4()), "message": "job started"}

    def _abort(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
            if job.run_at is None:
                job.deleted = True  # a job not yet started is deleted
            elif self._state(job)[0] in ("JOB_STATE_COMPLETE", "JOB_STATE_FAILED"):
                raise _Reject(400, f"job {job_id!r} cannot be aborted: it is not running")
            else:
                job.aborted_at = _now()  # it ends FAILED
        return {"ok": True, "requestId": str(uuid.uuid4()), "message": "job aborted"}

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
        return {"ok": True, "requestId": str(uuid.uuid4())}

    def _results(self, job_id: str) -> dict[str, Any]:
        with self._lock:
            job = self._find(job_id)
            state, _ = self._state(job)
        if state != "JOB_STATE_COMPLETE":
            raise _Reject(400, "job has not yet been completed")
        params = job.request.get("params") or {}
        return self.storage.results(self.base_url, job.id, params, job.template.chunks(params))

    def result_blobs(self, job_id: str) -> list[Blob]:
        """The files a completed job's result links serve (``LookupError`` if none)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job.deleted or self._state(job)[0] != "JOB_STATE_COMPLETE":
                raise LookupError(job_id)
        params = job.request.get("params") or {}
        return self.storage.blobs(job.id, params, job.template.chunks(params))

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
        request = job.request
        state, stamps = self._state(job)
        chunks = job.template.chunks(request.get("params") or {})
        out: dict[str, Any] = {
            "id": job.id,
            "templateId": job.template.id,
            "name": request.get("name") or None,
            "description": request.get("description") or None,
            "state": state,
            "createdAt": stamps["JOB_STATE_NEW"],
            "stateTimestamps": stamps,
            "numUnitsEstimation": str(chunks * 12),
            "appId": job.template.app.split("@")[0],
            "priority": "EXECUTION_PRIORITY_BALANCED",
            "params": request.get("params") or None,
            "config": _config_json(request.get("config") or {}),
            "dataSource": _source_json(request.get("dataSource"), job.extra.get("tempUrl")),
            "dataDestination": _source_json(request.get("dataDestination"), None),
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


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise _Reject(400, f"invalid JSON body: {exc}") from None
    if not isinstance(data, dict):
        raise _Reject(400, "the request body must be a JSON object")
    return data


def _query_int(query: dict[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    if not _INT.fullmatch(values[0]) or int(values[0]) < 0:
        raise _bad_request([(name, "must be a whole number >= 0")])
    return int(values[0])


def _check_request(data: Mapping[str, Any]) -> list[Violation]:
    """What the service itself rejects, whatever the template."""
    problems: list[Violation] = []
    for key in ("name", "description"):
        if key in data and not isinstance(data[key], str):
            problems.append((key, "must be a string"))
    config = data.get("config")
    if config is not None and not isinstance(config, dict):
        problems.append(("config", "must be an object"))
    elif config:
        for key in ("taskTimeout", "jobTimeout"):
            value = config.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not (
                isinstance(value, int) or (isinstance(value, str) and _INT.fullmatch(value))
            ):
                problems.append((f"config.{key}", "must be an integer"))
            elif int(value) < 0:
                problems.append((f"config.{key}", "must not be negative"))
        if "isTestJob" in config and not isinstance(config["isTestJob"], bool):
            problems.append(("config.isTestJob", "must be a boolean"))
    params = data.get("params")
    if params is not None and not isinstance(params, dict):
        problems.append(("params", "must be an object"))
    elif params:
        for key in ("app", "partitioner", "assembler"):
            if key in params and not isinstance(params[key], dict):
                problems.append((f"params.{key}", "must be an object"))
    for key in ("dataSource", "dataDestination"):
        source = data.get(key)
        if source is None:
            continue
        if not isinstance(source, dict) or not isinstance(source.get("dataSourceDescriptor"), str):
            problems.append((f"{key}.dataSourceDescriptor", "is required"))
            continue
        if source["dataSourceDescriptor"] == "url":
            url = (source.get("params") or {}).get("url")
            if not isinstance(url, str) or not re.match(r"https?://[^/\s]+", url):
                problems.append((f"{key}.params.url", "must be an http(s) URL"))
    return problems


def _config_json(config: Mapping[str, Any]) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key in ("taskTimeout", "jobTimeout"):
        if config.get(key) not in (None, 0, "0"):
            out[key] = str(int(config[key]))  # protojson int64
    if config.get("isTestJob"):
        out["isTestJob"] = True
    return out or None


def _source_json(source: Any, temp_url: str | None) -> dict[str, Any] | None:
    if not isinstance(source, dict):
        return None
    out = dict(source)
    if temp_url:
        params = dict(out.get("params") or {})
        params.setdefault("@type", _TYPE_PREFIX + "LocalFileDataSource")
        params["tempUrl"] = temp_url
        out["params"] = params
    return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out without a 40 ms stall
    server_version = "ByteNiteSandbox/1"
    server: _HTTPServer

    def _serve(self) -> None:
        sandbox = self.server.sandbox
        if serve_storage(self, sandbox.storage, sandbox.result_blobs):  # links, tempUrl
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urlsplit(self.path).path.rstrip("/")
        fault = sandbox.take_fault(path.removeprefix(API_PREFIX))
        if fault is not None:
            with sandbox._lock:
                sandbox.requests.append((self.command, path))
            payload = fault.body
            if payload is None:
                reason = HTTPStatus(fault.status).phrase
                code = _STATUS_CODES.get(fault.status, 2)
                payload = json.dumps({"code": code, "message": reason, "details": []}).encode()
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._reply(fault.status, payload, fault.content_type, headers)
            return
        status, data = sandbox.handle(
            self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
        )
        self._reply(status, json.dumps(data).encode(), "application/json", {})

    def _reply(
        self, status: int, payload: bytes, content_type: str, headers: Mapping[str, str]
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"sandbox: {format % args}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    sandbox: Sandbox
    verbose: bool = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is normal (a test ending, a cancelled call)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """A running sandbox: ``.url`` (the API root), ``.api_key``, ``.stop()``."""

    def __init__(self, httpd: _HTTPServer, thread: threading.Thread | None) -> None:
        self._httpd = httpd
        self._thread = thread
        host, port = httpd.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}{API_PREFIX}"
        self.sandbox = httpd.sandbox
        self.sandbox.base_url = self.url
        self.api_key = self.sandbox.api_key

    def stop(self) -> None:
        """Stop serving and free the port (idempotent)."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._httpd.serve_forever(poll_interval=0.2)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SandboxServer {self.url}>"


def make_server(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    token_ttl: int = 3600,
    step_seconds: float = 1.0,
    verbose: bool = False,
) -> _HTTPServer:
    httpd = _HTTPServer((host, port), _Handler)
    httpd.sandbox = Sandbox(token_ttl=token_ttl, step_seconds=step_seconds)
    httpd.verbose = verbose
    return httpd


def start(
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    token_ttl: int = 3600,
    step_seconds: float = 1.0,
    verbose: bool = False,
) -> SandboxServer:
    """Start a sandbox in a background thread; ``port=0`` picks a free port.

    ``step_seconds`` is how long a running job stays in each state.
    """
    httpd = make_server(
        port, host=host, token_ttl=token_ttl, step_seconds=step_seconds, verbose=verbose
    )
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="bn-sandbox"
    )
    thread.start()
    return SandboxServer(httpd, thread)
