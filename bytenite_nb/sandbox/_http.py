"""The sandbox's HTTP side: a threaded loopback server in front of a ``Sandbox``.

Every request gets an answer in the service's style (a sandbox bug: a JSON 500), and
the connection stays usable or is closed cleanly: no request crashes a handler or
hangs a connection.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from ._lifecycle import serve_storage
from ._server import Sandbox
from ._wire import API_PREFIX, BadFraming, body_pieces, rpc_status, send

#: The largest request body read (a bigger one gets 413 and the connection closes).
MAX_BODY = 64 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out without a 40 ms stall
    server_version = "ByteNiteSandbox/1"
    #: Seconds a connection may sit idle or stall mid-request before it is closed.
    timeout = 120
    server: _HTTPServer
    _replied = False

    def __getattr__(self, name: str) -> Callable[[], None]:
        # Every method, known or not (HEAD, OPTIONS, TRACE, FOO), reaches the
        # router, which answers 405 + Allow for a method a path does not take.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _serve(self) -> None:
        self._replied = False
        try:
            self._dispatch()
        except ConnectionError:
            raise
        except Exception as exc:  # a bug: answer 500 rather than drop the connection
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            if not self._replied:
                self._error(500, f"internal error: {type(exc).__name__}: {exc}")

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        if serve_storage(self, sandbox.storage, sandbox.result_blobs):  # links and tempUrls
            return  # (streamed there: an upload is never read whole into memory)
        path = urlsplit(self.path).path.rstrip("/") or "/"
        sandbox.record(self.command, path)
        try:
            try:
                body = b"".join(body_pieces(self, MAX_BODY))
            except TimeoutError:
                raise BadFraming(408, "timed out reading the request body") from None
        except BadFraming as bad:
            self.close_connection = True
            self._error(bad.status, bad.message)
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        api_path, method = path.removeprefix(API_PREFIX), self.command
        fault = sandbox.faults.take(
            lambda f: f.path in (None, api_path) and f.method in (None, method)
        )
        if fault is not None:
            if fault.applied:  # the request takes effect; only its answer is lost
                sandbox.handle(self.command, self.path, headers, body)
            retry = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            if fault.status == 0:  # hang up without an answer
                self.close_connection = True
            elif fault.body is None:
                self._error(fault.status, HTTPStatus(fault.status).phrase, retry)
            else:
                self._reply(fault.status, fault.body, fault.content_type, retry)
            return
        retry_after = sandbox.throttle(path)
        if retry_after is not None:
            message = "rate limit exceeded: too many requests, retry later"
            self._error(429, message, {"Retry-After": retry_after})
            return
        status, data, extra = sandbox.handle(self.command, self.path, headers, body)
        self._reply(status, json.dumps(data).encode(), "application/json", extra)

    def _reply(
        self, status: int, payload: bytes, content_type: str, headers: Mapping[str, str]
    ) -> None:
        self._replied = True
        send(self, status, payload, {"Content-Type": content_type, **headers})

    def _error(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        """An rpcStatus answer."""
        self._reply(status, rpc_status(status, message), "application/json", headers or {})

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's own errors (a bad request line, headers too long) as rpcStatus JSON."""
        self.close_connection = True
        if self.request_version == "HTTP/0.9":  # the request line did not parse
            self.request_version = "HTTP/1.0"  # answer with a status line and headers
        self._error(code, message or HTTPStatus(code).phrase)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"sandbox: {format % args}\n")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    #: The listen backlog: a burst of this many connections waits to be accepted.
    request_queue_size = 128
    sandbox: Sandbox
    verbose: bool = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is normal (a test ending, a cancelled call)."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """A running sandbox: ``.url`` (the API root), ``.api_key``, ``.stop()``, and
    ``.sandbox``, its state (a ``Sandbox``: faults, rate limits, requests)."""

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
    port: int = 0, *, host: str = "127.0.0.1", step_seconds: float = 1.0, verbose: bool = False
) -> _HTTPServer:
    httpd = _HTTPServer((host, port), _Handler)
    httpd.sandbox = Sandbox(step_seconds=step_seconds)
    httpd.verbose = verbose
    return httpd


def start(
    port: int = 0, *, host: str = "127.0.0.1", step_seconds: float = 1.0, verbose: bool = False
) -> SandboxServer:
    """Start a sandbox in a background thread; ``port=0`` picks a free port, and a running
    job stays ``step_seconds`` in each state."""
    httpd = make_server(port, host=host, step_seconds=step_seconds, verbose=verbose)
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="bn-sandbox"
    )
    thread.start()
    return SandboxServer(httpd, thread)
