"""Rich cards for jobs, errors, payloads, job lists, logs, results and batches, built by
small pure functions: models and errors in, strings out. Imports no front end.

Each card is HTML that needs no JavaScript and reads the same where a renderer cleans HTML
(``nbconvert --sanitize-html``, GitHub, JupyterLab's untrusted view): only tags sanitizers
keep (div, span, pre, code, b, i, a; ``img`` in a holder hosts hide). The stylesheet is
scoped under ``.bn-root``; its ``--bn-*`` palettes give every text at least 4.5:1 in light
and dark themes. Every value from a user or a server goes through :func:`esc`; every card
has a size cap and says what it left out."""

from __future__ import annotations

from ._html import esc, kv_table, plural, section, size_text, style_block, wrap
from .batch import batch_mimebundle, batch_progress_mimebundle
from .error import error_html, error_mimebundle, error_text
from .job import job_html, job_line, job_mimebundle, job_text
from .jobs import jobs_html, jobs_mimebundle, jobs_text
from .logs import logs_html, logs_mimebundle, logs_text
from .payload import payload_html, payload_mimebundle, payload_text
from .progress import progress_mimebundle
from .results import results_html, results_mimebundle, results_text

__all__ = [
    "batch_mimebundle",
    "batch_progress_mimebundle",
    "error_html",
    "error_mimebundle",
    "error_text",
    "esc",
    "job_html",
    "job_line",
    "job_mimebundle",
    "job_text",
    "jobs_html",
    "jobs_mimebundle",
    "jobs_text",
    "kv_table",
    "logs_html",
    "logs_mimebundle",
    "logs_text",
    "payload_html",
    "payload_mimebundle",
    "payload_text",
    "plural",
    "progress_mimebundle",
    "results_html",
    "results_mimebundle",
    "results_text",
    "section",
    "size_text",
    "style_block",
    "wrap",
]
