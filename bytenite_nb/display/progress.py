"""A transfer's progress bar: a :class:`~bytenite_nb.progress.Progress` in, its text
line and HTML out (``bytenite_nb.progress`` decides when and where it shows)."""

from __future__ import annotations

from ..progress import Progress
from ._html import duration, esc, size_text, wrap
from ._text import inert

#: Characters of a label (a result or file name) shown on a progress line.
LABEL_CHARS = 80


def transfer_text(progress: Progress) -> str:
    """``out_0/big.bin  45.0 MB / 100.0 MB  45%  98.1 MB/s``."""
    amount = size_text(progress.done)
    if progress.total is not None:
        amount += f" / {size_text(progress.total)}"
    # a result name may hold ESC, CR, newlines
    parts = [inert(progress.label, LABEL_CHARS), amount]
    fraction = progress.fraction
    if fraction is not None and progress.total:
        parts.append(f"{fraction:4.0%}")
    parts.append(f"{size_text(round(progress.rate))}/s")
    if progress.failed:
        parts.append("failed")
    elif progress.finished:
        parts.append(f"done in {duration(progress.elapsed)}")
    return "  ".join(parts)


def progress_mimebundle(progress: Progress) -> dict[str, str]:
    """A transfer's bar as text/plain and text/html: the bar and its text line (spans
    sized by CSS: no JavaScript, nothing a sanitizer would escape; unstyled, the line
    reads alone)."""
    text = transfer_text(progress)
    fraction = progress.fraction
    tone = "bad" if progress.failed else ("ok" if progress.finished else "run")
    fill = (
        f'<span class="bn-seg bn-{tone}" style="width:{100 * fraction:.2f}%"></span>'
        if fraction is not None
        else ""
    )
    body = (
        f'<div class="bn-progress"><div class="bn-bar" role="img" aria-label="{esc(text)}">'
        f'{fill}</div><span class="bn-mono">{esc(text)}</span></div>'
    )
    return {"text/plain": text, "text/html": wrap(f"bn-progress-card bn-{tone}", body)}
