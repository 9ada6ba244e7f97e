"""Rich cards for jobs, errors and payloads, built by small pure functions.

Each card is HTML that needs no JavaScript (sections are ``<details>``), with
the CSS from ``static/bytenite.css`` (read once) scoped under ``.bn-root``,
and an escaped text version that shows wherever styles are stripped (GitHub,
untrusted notebooks) and is hidden when the CSS loads. Every value that came
from a user or a server goes through :func:`esc`.

One module per card family (``job``, ``jobs`` (the jobs table), ``logs``
(the logs view), ``results``, ``batch``, ``error``, ``payload``); the shared
pieces are in ``_html`` (markup helpers) and ``_states`` (badges, step bar).
Imports no front end: models and errors in, strings out.
"""

from __future__ import annotations

from ._html import (
    HIDDEN_PARAMS,
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_MESSAGE,
    MAX_STRING,
    css,
    duration,
    esc,
    fold,
    json_block,
    json_html,
    json_text,
    kv_table,
    mimebundle,
    relative,
    section,
    timestamp,
    wrap,
)
from ._states import badge, state_tone, state_word, step_text, steps
from .batch import (
    BatchRow,
    BatchView,
    batch_html,
    batch_mimebundle,
    batch_text,
    progress_html,
    progress_line,
    progress_mimebundle,
)
from .error import error_html, error_json, error_mimebundle, error_text, error_title
from .job import job_html, job_line, job_mimebundle, job_text, source_summary
from .jobs import MAX_JOB_ROWS, job_duration, jobs_html, jobs_mimebundle, jobs_text
from .logs import (
    MAX_LINE_CHARS,
    MAX_LOG_BYTES,
    MAX_LOG_LINES,
    fold_logs,
    level_tone,
    logs_html,
    logs_mimebundle,
    logs_text,
)
from .payload import payload_html, payload_mimebundle, payload_text
from .results import (
    LINKS_NOTE,
    image_size,
    image_type,
    results_html,
    results_mimebundle,
    results_text,
)

__all__ = [
    "HIDDEN_PARAMS",
    "LINKS_NOTE",
    "MAX_DEPTH",
    "MAX_ITEMS",
    "MAX_JOB_ROWS",
    "MAX_LINE_CHARS",
    "MAX_LOG_BYTES",
    "MAX_LOG_LINES",
    "MAX_MESSAGE",
    "MAX_STRING",
    "BatchRow",
    "BatchView",
    "badge",
    "batch_html",
    "batch_mimebundle",
    "batch_text",
    "css",
    "duration",
    "error_html",
    "error_json",
    "error_mimebundle",
    "error_text",
    "error_title",
    "esc",
    "fold",
    "fold_logs",
    "image_size",
    "image_type",
    "job_duration",
    "job_html",
    "job_line",
    "job_mimebundle",
    "job_text",
    "jobs_html",
    "jobs_mimebundle",
    "jobs_text",
    "json_block",
    "json_html",
    "json_text",
    "kv_table",
    "level_tone",
    "logs_html",
    "logs_mimebundle",
    "logs_text",
    "mimebundle",
    "payload_html",
    "payload_mimebundle",
    "payload_text",
    "progress_html",
    "progress_line",
    "progress_mimebundle",
    "relative",
    "results_html",
    "results_mimebundle",
    "results_text",
    "section",
    "source_summary",
    "state_tone",
    "state_word",
    "step_text",
    "steps",
    "timestamp",
    "wrap",
]
