"""A fast canned ByteNite API on loopback, for the batch benchmarks (not the sandbox).

    python bench/canned_server.py [--port 0] [--latency 0.05]

Prints ``canned server at http://127.0.0.1:PORT/v1`` on its first line, then
serves until killed. One asyncio protocol, HTTP/1.1 keep-alive, no
framework: it answers

* ``POST /v1/auth/access_token``: a fixed token;
* ``POST /v1/customer/jobs``: a fixed valid job (state NEW) with a fresh id;
  it counts each create by the body's ``description`` (or ``name``), so the
  benchmark can check that nothing was lost or created twice;
* ``GET /v1/customer/jobs`` (newest first, ``pagination.limit/offset``) and
  ``GET /v1/customer/jobs/{id}``;
* ``GET /_stats`` (creates, distinct keys, duplicated keys, requests, the
  server's CPU seconds) and ``POST /_reset?latency=S`` (forget everything,
  set the added latency) for the benchmark itself.

The added latency delays each answer with ``call_later`` (no thread, no
sleep), so it costs the server no capacity. No request is ever refused
for being unauthenticated beyond a missing ``Authorization`` header: this
is a load generator's target, not an imitation of the service.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "canned-token"
STAMP = "2026-01-01T00:00:00Z"
TEMPLATE_INFO = {
    "id": "hello-world-template",
    "owner": "bytenite",
    "description": "Turns the text of a file to upper or lower case.",
    "app": "hello-world@1",
    "partitioner": "passthrough",
    "assembler": "passthrough",
}


def job_json(job_id: str) -> dict[str, Any]:
    return {
        "id": job_id,
        "templateId": "hello-world-template",
        "name": "canned",
        "state": "JOB_STATE_NEW",
        "createdAt": STAMP,
        "stateTimestamps": {"JOB_STATE_NEW": STAMP},
        "numUnitsEstimation": "12",
        "appId": "hello-world",
        "priority": "EXECUTION_PRIORITY_BALANCED",
    }


# The create answer, rendered once: only the id changes.
_HEAD, _TAIL = (
    json.dumps({"job": job_json("@ID@"), "templateInfo": TEMPLATE_INFO}).encode().split(b"@ID@")
)
_REASONS = {200: b"OK", 401: b"Unauthorized", 404: b"Not Found", 400: b"Bad Request"}


class State:
    def __init__(self, latency: float) -> None:
        self.latency = latency
        self.reset(latency)

    def reset(self, latency: float) -> None:
        self.latency = latency
        self.ids: list[str] = []
        self.keys: dict[str, int] = {}
        self.requests = 0
        self.connections = 0
        self.counter = itertools.count(1)

    def stats(self) -> dict[str, Any]:
        return {
            "creates": len(self.ids),
            "distinct": len(self.keys),
            "duplicated": sum(1 for n in self.keys.values() if n > 1),
            "requests": self.requests,
            "connections": self.connections,
            "cpu_seconds": time.process_time(),
            "latency": self.latency,
        }


def _reply(status: int, body: bytes) -> bytes:
    head = b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (
        status,
        _REASONS.get(status, b"OK"),
        len(body),
    )
    return head + body


def _json(status: int, data: Any) -> bytes:
    return _reply(status, json.dumps(data).encode())


class Protocol(asyncio.Protocol):
    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.state.connections += 1

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            length = 0
            headers: dict[str, str] = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length") or 0)
            if len(self.buffer) < end + 4 + length:
                return
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            method, target, _ = head[0].split(" ", 2)
            answer = self.route(method, target, headers, body)
            latency = self.state.latency
            if latency > 0:
                asyncio.get_running_loop().call_later(latency, self.send, answer)
            else:
                self.send(answer)

    def send(self, answer: bytes) -> None:
        if self.transport is not None:
            self.transport.write(answer)

    def route(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        state = self.state
        state.requests += 1
        path, _, query = target.partition("?")
        if path == "/v1/customer/jobs" and method == "POST":
            if not headers.get("authorization"):
                return _json(401, {"code": 16, "message": "missing access token"})
            data = json.loads(body or b"{}")
            key = str(data.get("description") or data.get("name") or "")
            state.keys[key] = state.keys.get(key, 0) + 1
            job_id = f"canned-{next(state.counter):08d}"
            state.ids.append(job_id)
            return _reply(200, _HEAD + job_id.encode() + _TAIL)
        if path == "/v1/auth/access_token" and method == "POST":
            return _json(200, {"token": TOKEN, "expiresIn": "3600", "scope": "customer"})
        if path == "/v1/customer/jobs" and method == "GET":
            args = parse_qs(query)
            limit = int(args.get("pagination.limit", ["20"])[0])
            offset = int(args.get("pagination.offset", ["0"])[0])
            newest = state.ids[::-1][offset : offset + limit]
            pagination: dict[str, Any] = {"total": str(len(state.ids))}
            if offset + limit < len(state.ids):
                pagination["hasNext"] = True
            return _json(200, {"pagination": pagination, "data": [job_json(i) for i in newest]})
        if path.startswith("/v1/customer/jobs/") and method == "GET":
            job_id = path.rsplit("/", 1)[1]
            if not job_id.startswith("canned-"):
                return _json(404, {"code": 5, "message": f"job {job_id!r} not found"})
            return _json(200, {"job": job_json(job_id), "templateInfo": TEMPLATE_INFO})
        if path == "/_stats":
            state.requests -= 1
            return _json(200, state.stats())
        if path == "/_reset" and method == "POST":
            latency = float(parse_qs(urlsplit(target).query).get("latency", ["0"])[0])
            state.reset(latency)
            return _json(200, state.stats())
        return _json(404, {"code": 5, "message": f"no route for {method} {path}"})


async def serve(port: int, latency: float) -> None:
    state = State(latency)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Protocol(state), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"canned server at http://127.0.0.1:{bound}/v1", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each answer")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.latency))


if __name__ == "__main__":
    main()
