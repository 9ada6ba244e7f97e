"""A local ByteNite stand-in, for trying and testing without an account.

>>> from bytenite_nb import sandbox, Client
>>> server = sandbox.start()                     # a real HTTP server on 127.0.0.1
>>> with Client(server.api_key, base_url=server.url) as client:
...     job = client.create_job({"templateId": "hello-world-template"})
>>> server.stop()

``python -m bytenite_nb.sandbox`` runs one in the foreground.
"""

from ._http import SandboxServer, start
from ._server import SANDBOX_API_KEY, Sandbox
from ._templates import TEMPLATES, Template

__all__ = ["SANDBOX_API_KEY", "TEMPLATES", "Sandbox", "SandboxServer", "Template", "start"]
