"""Rich cards for jobs, errors, payloads, job lists, logs, results and batches, built by
small pure functions: models and errors in, strings out. Imports no front end.

Each card is HTML that needs no JavaScript and reads the same where a renderer cleans HTML
(``nbconvert --sanitize-html``, GitHub, JupyterLab's untrusted view): only tags sanitizers
keep (div, span, pre, code, b, i, a; ``img`` in a holder hosts hide). The stylesheet is
scoped under ``.bn-root``; its ``--bn-*`` palettes give every text at least 4.5:1 in light
and dark themes. Every value from a user or a server goes through :func:`esc`; every card
has a size cap and says what it left out. A card is imported from its family's module
(``display.job``, ``display.payload`` ...), so a dry run loads only the card it shows; the
package holds the helpers the front ends share."""

from __future__ import annotations

from ._html import esc, kv_table, plural, section, size_text, style_block, wrap

__all__ = ["esc", "kv_table", "plural", "section", "size_text", "style_block", "wrap"]
