"""A transfer's progress bar: plain values in, HTML out (``bytenite_nb.progress``
decides when and where it shows; this module never imports it)."""

from __future__ import annotations

from ._html import esc, wrap


def transfer_html(text: str, fraction: float | None, tone: str) -> str:
    """The bar and its text line (spans sized by CSS: no JavaScript, nothing a
    sanitizer would escape; unstyled, the line reads alone). ``tone``: ok, bad, run."""
    fill = (
        f'<span class="bn-seg bn-{tone}" style="width:{100 * fraction:.2f}%"></span>'
        if fraction is not None
        else ""
    )
    body = (
        f'<div class="bn-progress"><div class="bn-bar" role="img" aria-label="{esc(text)}">'
        f'{fill}</div><span class="bn-mono">{esc(text)}</span></div>'
    )
    return wrap(f"bn-progress-card bn-{tone}", body, text)
