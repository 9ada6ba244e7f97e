"""Progress, in one place: where it shows (a kernel, a terminal, nowhere), how
often (:class:`Throttle`), and the one live output an action leaves (:class:`Live`).

A transfer call (``download_results``, ``upload_file``) takes ``progress=``:

- ``None`` (the default): a bar when running in a Jupyter kernel, a line on
  stderr when stderr is a terminal, nothing otherwise (logs stay clean);
- ``True``: always show (a bar in a kernel, else the stderr line);
- ``False``: nothing;
- a callable: called with a :class:`Progress` (at most ~4 times a second, and
  once at the end with ``finished=True``).

A batch call (``create_jobs``, ``JobBatch.wait``) takes ``progress=`` None,
True or False the same way and shows itself through a :class:`Live`.

**One live output per action.** In a notebook a :class:`Live` is one display,
updated in place, that ends as the final state (a batch's live summary ends as
the batch card). A second live output, or a plain ``display``, for the same
object in the same cell reuses that output (:func:`show_in_place`), so
``%%bytenite batch --sweep … --run`` or ``batch.wait()`` leaves one card.

The HTML is built in ``display/`` (``display.progress``, ``display.batch``),
which never imports this module. Imports no front end at module level: IPython
is used only when it is already imported and a kernel is running.
"""

from __future__ import annotations

import sys
import time
import weakref
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, Literal

#: At most this many updates per second reach the display or the callable.
UPDATES_PER_SECOND = 4.0

ProgressOption = bool | Callable[["Progress"], Any] | None
Mode = Literal["notebook", "terminal", "off"]
Stage = Literal["running", "done", "interrupted"]
#: What a :class:`Live` shows: a mimebundle (notebook) and one line (terminal).
Frame = tuple[Mapping[str, Any], str]


# -- where -------------------------------------------------------------------------------
def in_kernel() -> bool:
    """True inside a running Jupyter kernel (never imports IPython itself)."""
    ipython = sys.modules.get("IPython")
    get = getattr(ipython, "get_ipython", None)
    shell = get() if callable(get) else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def stderr_is_terminal() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False


def detect_mode(show: bool | None) -> Mode:
    """``notebook`` inside a kernel; ``terminal`` when asked (``True``) or on a tty; else off."""
    if show is False:
        return "off"
    if in_kernel():
        return "notebook"
    if show is True or stderr_is_terminal():
        return "terminal"
    return "off"


# -- how often --------------------------------------------------------------------------
class Throttle:
    """Lets through at most ``rate`` updates a second (``force`` always passes)."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, rate: float = UPDATES_PER_SECOND
    ) -> None:
        self.clock = clock
        self.interval = 1.0 / rate
        self._last = float("-inf")

    def ready(self, *, force: bool = False) -> bool:
        now = self.clock()
        if not force and now - self._last < self.interval:
            return False
        self._last = now
        return True

    def reset(self) -> None:
        self._last = float("-inf")


# -- the live output -----------------------------------------------------------------------
#: Per object shown live: (cell, display handle), so that one cell keeps one output per object.
_HANDLES: weakref.WeakKeyDictionary[Any, tuple[object, Any]] = weakref.WeakKeyDictionary()


def _cell() -> object:
    """The cell being run (its execution count), as IPython knows it."""
    get = getattr(sys.modules.get("IPython"), "get_ipython", None)
    shell = get() if callable(get) else None
    return getattr(shell, "execution_count", None)


def _handle_of(key: Any) -> Any:
    if key is None:
        return None
    try:
        cell, handle = _HANDLES[key]
    except (KeyError, TypeError):
        return None
    return handle if cell == _cell() else None


def _publish(key: Any, bundle: Mapping[str, Any]) -> Any:
    """Show ``bundle``: in place of ``key``'s output in this cell, else as a new output."""
    from IPython.display import display

    handle = _handle_of(key)
    if handle is not None:
        handle.update(dict(bundle), raw=True)
        return handle
    handle = display(dict(bundle), raw=True, display_id=True)  # type: ignore[no-untyped-call]
    if key is not None:
        with suppress(TypeError):  # not weak-referenceable: no reuse
            _HANDLES[key] = (_cell(), handle)
    return handle


def show_in_place(key: Any, bundle: Mapping[str, Any]) -> None:
    """Display ``bundle`` for ``key`` (an ``_ipython_display_``): where ``key`` was shown
    live in this cell, that output becomes ``bundle``; elsewhere a new output."""
    _publish(key, bundle)


class Live:
    """One action's live output: shown at start, updated in place (throttled), ended
    by :meth:`finish` as the final state.

    ``render(stage)`` gives the :data:`Frame` to show (``running``, ``done``,
    ``interrupted``); it is called only when an update goes through. ``key``:
    the object shown (see :func:`show_in_place`). Use as a context manager.
    """

    def __init__(
        self,
        mode: Mode,
        render: Callable[[Stage], Frame],
        *,
        key: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.mode = mode
        self.render = render
        self.key = key
        self.throttle = Throttle(clock)
        self.updates = 0
        self._handle: Any = None
        self._width = 0

    def start(self) -> Live:
        self._show("running")
        return self

    def update(self, *, force: bool = False) -> None:
        """Refresh, unless the last refresh was less than ``1 / UPDATES_PER_SECOND`` s ago."""
        if self.mode != "off" and self.throttle.ready(force=force):
            self._show("running")

    def finish(self, stage: Stage = "done") -> None:
        """The final state: the output becomes it; the terminal line ends."""
        self._show(stage)
        if self.mode == "terminal":
            sys.stderr.write("\n")
            sys.stderr.flush()

    def _show(self, stage: Stage) -> None:
        if self.mode == "off":
            return
        self.throttle.ready(force=True)
        bundle, line = self.render(stage)
        self.updates += 1
        if self.mode == "notebook":
            if self._handle is None:
                self._handle = _publish(self.key, bundle)
            else:
                self._handle.update(dict(bundle), raw=True)
        else:
            pad = " " * max(0, self._width - len(line))
            self._width = len(line)
            sys.stderr.write(f"\r{line}{pad}")
            sys.stderr.flush()

    def __enter__(self) -> Live:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.finish("interrupted" if exc[0] is not None else "done")


# -- transfers --------------------------------------------------------------------------
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

    @property
    def tone(self) -> str:
        """``bad``, ``ok`` or ``run``: the card's colour."""
        return "bad" if self.failed else ("ok" if self.finished else "run")

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
            parts.append(f"done in {_duration(self.elapsed)}")
        return "  ".join(parts)


#: Characters of a label (a result or file name) shown on a progress line.
LABEL_CHARS = 80


def size_text(size: int | None) -> str:
    """``1234567`` → ``"1.2 MB"`` (the one formatter, in ``display._html``)."""
    from .display._html import size_text as text

    return text(size)


def _duration(seconds: float) -> str:
    from .display._html import duration

    return duration(seconds)


def progress_mimebundle(progress: Progress) -> dict[str, str]:
    """A transfer's bar as text/plain and text/html (the HTML from ``display.progress``)."""
    from .display.progress import transfer_html

    text = progress.text()
    return {"text/plain": text, "text/html": transfer_html(text, progress.fraction, progress.tone)}


class Reporter:
    """Receives a transfer's bytes and reports them; :func:`reporter` picks one."""

    def __init__(self, label: str, total: int | None, clock: Callable[[], float]) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._clock = clock
        self._started = clock()
        self._throttle = Throttle(clock)

    def restart(self, total: int | None) -> None:
        """Start again from zero (a retried transfer)."""
        self.total = total
        self.done = 0
        self._started = self._clock()
        self._throttle.reset()

    def advance(self, count: int) -> None:
        self.done += count
        if self._throttle.ready():
            self.emit(self.snapshot(self._throttle.clock()))

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


class _Shown(Reporter):
    """The bar in a notebook or the line in a terminal, through one :class:`Live`."""

    def __init__(self, label: str, total: int | None, clock: Any, mode: Mode) -> None:
        super().__init__(label, total, clock)
        self._latest: Progress | None = None
        self._live = Live(mode, self._frame, clock=clock)

    def _frame(self, stage: Stage) -> Frame:
        progress = self._latest or self.snapshot(self._clock())
        if self._live.mode == "notebook":
            return progress_mimebundle(progress), ""
        return {}, progress.text()

    def emit(self, progress: Progress) -> None:
        self._latest = progress
        if progress.finished:
            self._live.finish()
        else:
            self._live.update(force=True)  # already throttled by advance()


def reporter(
    progress: ProgressOption,
    label: str,
    total: int | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> Reporter:
    """The reporter ``progress=`` asks for (see the module docstring)."""
    if callable(progress):
        return _Callback(label, total, clock, progress)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be None, True, False or a callable, got {progress!r}")
    mode = detect_mode(progress)
    return Reporter(label, total, clock) if mode == "off" else _Shown(label, total, clock, mode)


__all__ = [
    "UPDATES_PER_SECOND",
    "Frame",
    "Live",
    "Mode",
    "Progress",
    "ProgressOption",
    "Reporter",
    "Stage",
    "Throttle",
    "detect_mode",
    "in_kernel",
    "progress_mimebundle",
    "reporter",
    "show_in_place",
    "size_text",
    "stderr_is_terminal",
]
