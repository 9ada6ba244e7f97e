"""Progress of a download or an upload: a bar in a notebook, one line in a terminal.

Every transfer call takes ``progress=``:

- ``None`` (the default): a bar when running in a Jupyter kernel, a line on
  stderr when stderr is a terminal, nothing otherwise (logs stay clean);
- ``True``: always show (a bar in a kernel, else the stderr line);
- ``False``: nothing;
- a callable: called with a :class:`Progress` (at most ~4 times a second, and
  once at the end with ``finished=True``).

Imports no front end at module level: IPython is used only when it is
already imported and a kernel is running (checked lazily, on first use).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: At most this many updates per second reach the display or the callable.
UPDATES_PER_SECOND = 4.0

ProgressOption = bool | Callable[["Progress"], Any] | None


@dataclass(frozen=True)
class Progress:
    """A transfer's progress: ``label``, bytes ``done`` of ``total`` (None if unknown)."""

    label: str
    done: int
    total: int | None
    elapsed: float
    finished: bool = False
    failed: bool = False

    @property
    def rate(self) -> float:
        """Bytes per second so far."""
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def fraction(self) -> float | None:
        """Done as a fraction of the total (None when the total is unknown)."""
        if not self.total:
            return 1.0 if self.finished and not self.failed else None
        return min(1.0, self.done / self.total)

    def text(self) -> str:
        """``out_0/big.bin  45.0 MB / 100.0 MB  45%  98.1 MB/s``."""
        amount = size_text(self.done)
        if self.total is not None:
            amount += f" / {size_text(self.total)}"
        from .display._text import inert  # a result name may hold ESC, CR, newlines

        parts = [inert(self.label, LABEL_CHARS), amount]
        fraction = self.fraction
        if fraction is not None and self.total:
            parts.append(f"{fraction:4.0%}")
        parts.append(f"{size_text(round(self.rate))}/s")
        if self.failed:
            parts.append("failed")
        elif self.finished:
            parts.append(f"done in {self.elapsed:.1f} s")
        return "  ".join(parts)


#: Characters of a label (a result or file name) shown on a progress line.
LABEL_CHARS = 80


def size_text(size: int | None) -> str:
    """``1234567`` → ``"1.2 MB"`` (decimal units, as file managers show)."""
    if size is None:
        return "size unknown"
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 1000 or unit == "TB":
            return f"{value:.1f} {unit}"
    raise AssertionError("unreachable")


def in_kernel() -> bool:
    """True inside a running Jupyter kernel (never imports IPython itself)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if callable(get) else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class Reporter:
    """Receives a transfer's bytes and reports them; :func:`reporter` picks one."""

    def __init__(self, label: str, total: int | None, clock: Callable[[], float]) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._clock = clock
        self._started = clock()
        self._last = float("-inf")

    def restart(self, total: int | None) -> None:
        """Start again from zero (a retried transfer)."""
        self.total = total
        self.done = 0
        self._started = self._clock()
        self._last = float("-inf")

    def advance(self, count: int) -> None:
        self.done += count
        now = self._clock()
        if now - self._last >= 1.0 / UPDATES_PER_SECOND:
            self._last = now
            self.emit(self.snapshot(now))

    def finish(self, *, failed: bool = False) -> None:
        self.emit(self.snapshot(self._clock(), finished=True, failed=failed))

    def snapshot(self, now: float, *, finished: bool = False, failed: bool = False) -> Progress:
        return Progress(self.label, self.done, self.total, now - self._started, finished, failed)

    def emit(self, progress: Progress) -> None:
        """Show one update (the base class shows nothing)."""


class _Callback(Reporter):
    def __init__(self, label: str, total: int | None, clock: Any, callback: Any) -> None:
        super().__init__(label, total, clock)
        self._callback = callback

    def emit(self, progress: Progress) -> None:
        self._callback(progress)


class _TerminalLine(Reporter):
    """One line on stderr, rewritten in place with ``\\r``; a newline at the end."""

    _width = 0

    def emit(self, progress: Progress) -> None:
        line = progress.text()
        pad = " " * max(0, self._width - len(line))
        self._width = len(line)
        end = "\n" if progress.finished else ""
        sys.stderr.write(f"\r{line}{pad}{end}")
        sys.stderr.flush()


class _NotebookBar(Reporter):
    """A bar with the text line, updated in place via a display handle."""

    _handle: Any = None

    def emit(self, progress: Progress) -> None:
        from IPython.display import display

        bundle = progress_mimebundle(progress)
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)  # type: ignore[no-untyped-call]
        else:
            self._handle.update(bundle, raw=True)


def progress_mimebundle(progress: Progress) -> dict[str, str]:
    """The bar as text/plain and text/html (spans sized by CSS: no JavaScript,
    and nothing a sanitizer would escape into text; unstyled, the line reads alone)."""
    from .display import esc, wrap

    fraction = progress.fraction
    tone = "bn-bad" if progress.failed else ("bn-ok" if progress.finished else "bn-run")
    fill = (
        f'<span class="bn-seg {tone}" style="width:{100 * fraction:.2f}%"></span>'
        if fraction is not None
        else ""
    )
    text = progress.text()
    body = (
        f'<div class="bn-progress"><div class="bn-bar" role="img" aria-label="{esc(text)}">'
        f'{fill}</div><span class="bn-mono">{esc(text)}</span></div>'
    )
    return {"text/plain": text, "text/html": wrap(f"bn-progress-card {tone}", body, text)}


def reporter(
    progress: ProgressOption,
    label: str,
    total: int | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> Reporter:
    """The reporter ``progress=`` asks for (see the module docstring)."""
    if progress is False:
        return Reporter(label, total, clock)
    if callable(progress):
        return _Callback(label, total, clock, progress)
    if progress is not None and progress is not True:
        raise TypeError(f"progress must be None, True, False or a callable, got {progress!r}")
    if in_kernel():
        return _NotebookBar(label, total, clock)
    if progress is True or _stderr_is_terminal():
        return _TerminalLine(label, total, clock)
    return Reporter(label, total, clock)


def _stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


__all__ = [
    "UPDATES_PER_SECOND",
    "Progress",
    "ProgressOption",
    "Reporter",
    "in_kernel",
    "progress_mimebundle",
    "reporter",
    "size_text",
]
