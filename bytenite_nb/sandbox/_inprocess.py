"""The sandbox without a socket: an ``httpx`` transport that hands each request, as its
wire bytes, to the sandbox's real request handler (``_http._Handler``): the same routes,
faults and framing checks as ``start()``, with no port and no server thread.

>>> box = InProcessSandbox()
>>> with Client(box.api_key, base_url=box.url, transport=box.transport()) as client:
...     job = client.create_job({"templateId": "hello-world-template"})
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any, cast

import httpx

from ._http import _Handler
from ._server import Sandbox
from ._wire import API_PREFIX

#: The API root of an in-process sandbox (``.invalid``: no request can leave the process).
IN_PROCESS_URL = "http://sandbox.invalid" + API_PREFIX


class _CutBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that ends before its ``Content-Length``: the bytes, then the error a
    closed connection gives."""

    def __init__(self, body: bytes, request: httpx.Request) -> None:
        self._body = body
        self._request = request

    def _error(self) -> httpx.RemoteProtocolError:
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body", request=self._request
        )

    def __iter__(self) -> Iterator[bytes]:
        if self._body:
            yield self._body
        raise self._error()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._body:
            yield self._body
        raise self._error()


class InProcessSandbox:
    """A sandbox served in process: ``.url``, ``.api_key``, ``.sandbox`` (its state,
    as on a ``SandboxServer``) and ``.transport()`` for ``Client``/``AsyncClient``."""

    def __init__(self, *, step_seconds: float = 1.0) -> None:
        self.sandbox = Sandbox(step_seconds=step_seconds)
        self.sandbox.base_url = self.url = IN_PROCESS_URL
        self.api_key = self.sandbox.api_key
        self._server = SimpleNamespace(sandbox=self.sandbox, verbose=False)  # what _Handler reads

    def transport(self) -> httpx.MockTransport:
        """A transport for ``Client(transport=...)`` and ``AsyncClient(transport=...)``."""
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """Answer one (already read) request with the sandbox's request handler."""
        handler = cast(Any, _Handler.__new__(_Handler))
        handler.rfile = io.BytesIO(_wire_request(request))
        handler.wfile = io.BytesIO()
        handler.server = self._server
        handler.client_address = ("127.0.0.1", 0)
        handler.request = None
        handler.close_connection = True
        handler.handle_one_request()
        return _read_response(handler.wfile.getvalue(), request)

    def __repr__(self) -> str:
        return f"<InProcessSandbox {self.url}>"


def _wire_request(request: httpx.Request) -> bytes:
    """The request as its bytes on the wire (HTTP/1.1)."""
    body = request.content
    lines = [f"{request.method} {request.url.raw_path.decode('ascii')} HTTP/1.1"]
    chunked = False
    for name, value in request.headers.multi_items():
        if name.lower() == "transfer-encoding":
            chunked = value.strip().lower() == "chunked"
        lines.append(f"{name}: {value}")
    if chunked:  # framed as the real transport would
        body = (f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"") + b"0\r\n\r\n"
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _read_response(raw: bytes, request: httpx.Request) -> httpx.Response:
    """The handler's output as a response, or the error a client would see."""
    if not raw:
        raise httpx.RemoteProtocolError(
            "Server disconnected without sending a response.", request=request
        )
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = [tuple(line.split(":", 1)) for line in header_lines]
    pairs = [(name.strip(), value.strip()) for name, value in headers]
    length = next((int(v) for n, v in pairs if n.lower() == "content-length"), None)
    if request.method != "HEAD" and length is not None and len(body) < length:
        return httpx.Response(status, headers=pairs, stream=_CutBody(body, request))
    content = b"" if request.method == "HEAD" else body
    return httpx.Response(status, headers=pairs, content=content)
