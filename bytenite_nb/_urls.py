"""Signed URLs kept out of sight: what of one is secret, the URL without its query,
and a logging filter that strips URL queries from HTTP libraries' records (httpx
logs every URL at INFO). No I/O and no HTTP library.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, quote, urlsplit

#: Secrets (and query values taken for signatures) have at least this many characters.
MIN_SECRET = 8

#: Keys whose values are signed URLs (a ``file`` job's upload URL).
SIGNED_KEYS = frozenset({"tempUrl"})


def url_secrets(url: str) -> tuple[str, ...]:
    """What of a signed URL must not be shown: the URL, its query, and each
    query value long enough to be a signature (raw and percent-encoded)."""
    try:
        query = urlsplit(url).query
    except ValueError:  # not even a URL: hide it whole
        return (url,)
    found = [url, query] if query else [url]
    for _, value in parse_qsl(query, keep_blank_values=True):
        if len(value) >= MIN_SECRET:
            found += [value, quote(value, safe="")]
    return tuple(dict.fromkeys(s for s in found if s))


def without_query(url: str) -> str:
    """``url`` without its query and fragment: a signed URL fit for messages."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a malformed URL)"
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.scheme else parts.path


_QUERY = re.compile(r"(https?://[^\s?#\"'<>]*)\?[^\s#\"'<>]*", re.I)


def redact_urls(text: str) -> str:
    """``text`` with the query of every http(s) URL in it replaced by ``?***``."""
    return _QUERY.sub(r"\1?***", text) if "?" in text else text


class _NoQueries(logging.Filter):
    """Strips URL queries (signatures) from the records of a logger, e.g. httpx's
    ``HTTP Request: GET https://storage/...?X-Signature=...`` INFO line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(redact_urls(str(a)) if _has_query(a) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_urls(record.msg)
        return True


def _has_query(value: object) -> bool:
    if isinstance(value, str):
        return "?" in value
    return type(value).__name__ == "URL" and "?" in str(value)  # httpx.URL, not imported here


_FILTER = _NoQueries()


def hide_url_queries_in_logs() -> None:
    """Install (once) the filter that keeps signed URLs out of httpx's and httpcore's records."""
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
