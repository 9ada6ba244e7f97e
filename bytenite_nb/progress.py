"""Progress, in one place: where it shows, how often (:class:`Throttle`), and the one
live output an action leaves (:class:`Live`). Never imports IPython.

``progress=`` of a transfer (``download_results``, ``upload_file``) or a batch call:
``None`` (default) shows a bar in a Jupyter kernel, a line on stderr when it is a
terminal, else nothing; ``True`` always shows; ``False`` never; a callable (transfers
only) gets each :class:`Progress` (at most ~4 a second, and once with ``finished=True``).
In a notebook a :class:`Live` is one output updated in place; a later live output or
``display`` of the same object in the same cell reuses it (:func:`show_in_place`).
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
def _shell() -> Any:
    """IPython's running shell, if IPython is loaded (never imports it)."""
    get = getattr(sys.modules.get("IPython"), "get_ipython", None)
    return get() if callable(get) else None


def in_kernel() -> bool:
    """True inside a running Jupyter kernel (never imports IPython itself)."""
    return getattr(_shell(), "kernel", None) is not None


def detect_mode(show: bool | None) -> Mode:
    """``notebook`` inside a kernel; ``terminal`` when asked (``True``) or on a tty; else off."""
    if show is False:
        return "off"
    if in_kernel():
        return "notebook"
    if show is True:
        return "terminal"
    with suppress(AttributeError, ValueError):  # no stderr, or a closed one
        if sys.stderr.isatty():
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


# -- the live output -----------------------------------------------------------------------
#: Per object shown live: (cell, display handle), so that one cell keeps one output per object.
_HANDLES: weakref.WeakKeyDictionary[Any, tuple[object, Any]] = weakref.WeakKeyDictionary()


def _cell() -> object:
    """The cell being run (its execution count), as IPython knows it."""
    return getattr(_shell(), "execution_count", None)


def show_in_place(key: Any, bundle: Mapping[str, Any]) -> Any:
    """Show ``bundle`` (returns the display handle): where ``key`` (the object shown)
    was shown live in this cell, that output becomes ``bundle``; else a new output."""
    display = sys.modules["IPython.display"].display  # loaded: a kernel is running

    try:
        cell, handle = _HANDLES[key]
    except (KeyError, TypeError):  # not shown live, or not weak-referenceable (None too)
        pass
    else:
        if cell == _cell():
            handle.update(dict(bundle), raw=True)
            return handle
    handle = display(dict(bundle), raw=True, display_id=True)
    with suppress(TypeError):  # not weak-referenceable: no reuse
        _HANDLES[key] = (_cell(), handle)
    return handle


class Live:
    """One action's live output (a context manager): shown at start, updated in place
    (throttled), ended by :meth:`finish` as the final state. ``render(stage)`` gives the
    :data:`Frame` to show (``running``, ``done``, ``interrupted``), called only when an
    update goes through; ``key``: the object shown (see :func:`show_in_place`)."""

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
                self._handle = show_in_place(self.key, bundle)
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

    def text(self) -> str:
        """``out_0/big.bin  45.0 MB / 100.0 MB  45%  98.1 MB/s`` (the terminal line)."""
        return self._repr_mimebundle_()["text/plain"]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        """The bar as text/plain and text/html (built by ``display.progress``)."""
        from .display.progress import progress_mimebundle  # the lazy repr (DESIGN.md)

        return progress_mimebundle(self)


class Reporter:
    """Receives a transfer's bytes and hands each update to ``emit`` (the base class
    shows nothing without one); :func:`reporter` picks one."""

    def __init__(
        self,
        label: str,
        total: int | None,
        clock: Callable[[], float],
        emit: Callable[[Progress], Any] | None = None,
    ) -> None:
        self.label = label
        self._emit = emit
        self._clock = clock
        self.restart(total)

    def restart(self, total: int | None) -> None:
        """Start (again, for a retried transfer) from zero."""
        self.total = total
        self.done = 0
        self._started = self._clock()
        self._throttle = Throttle(self._clock)

    def advance(self, count: int) -> None:
        self.done += count
        if self._throttle.ready():
            self.emit(self.snapshot(self._throttle.clock()))

    def finish(self, *, failed: bool = False) -> None:
        self.emit(self.snapshot(self._clock(), finished=True, failed=failed))

    def snapshot(self, now: float, *, finished: bool = False, failed: bool = False) -> Progress:
        return Progress(self.label, self.done, self.total, now - self._started, finished, failed)

    def emit(self, progress: Progress) -> None:
        """Show one update."""
        if self._emit is not None:
            self._emit(progress)


class _Shown(Reporter):
    """The bar in a notebook or the line in a terminal, through one :class:`Live`."""

    def __init__(self, label: str, total: int | None, clock: Any, mode: Mode) -> None:
        super().__init__(label, total, clock)
        self._latest: Progress | None = None
        self._live = Live(mode, self._frame, clock=clock)

    def _frame(self, stage: Stage) -> Frame:
        progress = self._latest or self.snapshot(self._clock())
        if self._live.mode == "notebook":
            return progress._repr_mimebundle_(), ""
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
        return Reporter(label, total, clock, progress)
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be None, True, False or a callable, got {progress!r}")
    mode = detect_mode(progress)
    return Reporter(label, total, clock) if mode == "off" else _Shown(label, total, clock, mode)
