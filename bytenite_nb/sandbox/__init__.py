"""A local ByteNite stand-in, for trying and testing without an account.

>>> from bytenite_nb import sandbox, Client
>>> server = sandbox.start()                     # a real HTTP server on 127.0.0.1
>>> with Client(server.api_key, base_url=server.url) as client:
...     job = client.create_job({"templateId": "hello-world-template"})
>>> server.stop()

``python -m bytenite_nb.sandbox`` runs one in the foreground. It serves the calls of
``BYTENITE_API.md`` (``_server.ROUTES``), each integer in the spec's form. Where it
differs from ``BYTENITE_API.md``, and why:

- ``POST /jobs/filter``, ``/jobs/runningTasks``, ``PATCH /jobs/{id}/jobname`` and
  ``/configs``, ``GET /events``, ``/auth/secrets`` (only in ByteNite's generated SDKs)
  answer 501 naming the path: not built. Any other unknown path is a 404 naming it.
- ``Authorization: Bearer <token>`` is taken as well as the raw token (ByteNite's SDK),
  and the logs request's ``services`` as the answer's lower-case keys as well as the
  enum names (older clients; protojson would refuse them).
- Enum values given as numbers (protojson takes ``1`` for a level) are refused.
- ``config.taskTimeout``/``jobTimeout`` are read in the spec's int64 range; the
  service's uint32 would refuse more than 4294967295.
- A run body's ``config`` (UNCONFIRMED) is applied over the create's, checked like a
  create's: flat members (the docs) and a nested ``config`` (a 2025 demo; it wins).
- ``PATCH .../datasource`` replaces only the members its body sets;
  ``PATCH .../params`` replaces all params. Both answer ``{job, templateInfo}``.
- Assumed where the sources are silent (``BYTENITE_API.md`` lists them): pages of at
  most 100 jobs, aborting a ``NEW`` job deletes it, a ``file`` job runs only after
  ``uploadcompleted``, and no rate limit unless one is set.
"""

from ._http import SandboxServer, start
from ._server import SANDBOX_API_KEY, Sandbox
from ._templates import TEMPLATES, Template

__all__ = ["SANDBOX_API_KEY", "TEMPLATES", "Sandbox", "SandboxServer", "Template", "start"]
