"""``python -m bytenite_nb.sandbox [--port N]``: run the sandbox in the foreground."""

from __future__ import annotations

import argparse
import contextlib

from ._http import SandboxServer, make_server
from ._templates import TEMPLATES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bytenite_nb.sandbox",
        description="Run a local stand-in of the ByteNite API on loopback.",
    )
    parser.add_argument("--port", type=int, default=8787, help="port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument(
        "--step-seconds", type=float, default=1.0, help="seconds a running job spends per state"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    server = SandboxServer(make_server(**vars(args)), None)  # the options are its parameters
    print(f"ByteNite sandbox at {server.url}", flush=True)
    print(f"API key (sandbox only, not a secret): {server.api_key}")
    print(f"Templates: {', '.join(t.id for t in TEMPLATES.values() if not t.private)}")
    print("Use it from a shell with:")
    print(f"  export BYTENITE_API_URL={server.url} BYTENITE_API_KEY={server.api_key}")
    print("Ctrl-C stops it.", flush=True)
    with server, contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
