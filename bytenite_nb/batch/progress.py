"""Live progress of a batch call: one display updated in place in a notebook,
one ``\\r`` line in a terminal, nothing elsewhere (a script, a test, a pipe).

At most ``MAX_RATE`` refreshes a second whatever the batch size: the drivers
call :meth:`Progress.update` on a clock tick, not once per item, and updates
closer together than ``1 / MAX_RATE`` are dropped. IPython is imported only
here, only when a kernel is running (the client never imports it).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    from .core import BatchCore

MAX_RATE = 4.0
Mode = Literal["notebook", "terminal", "off"]


def detect_mode(show: bool | None) -> Mode:
    """``notebook`` inside a Jupyter kernel, ``terminal`` on a tty, else ``off``.

    ``show=False`` turns progress off; ``show=True`` forces it on (the
    terminal line when there is no kernel).
    """
    if show is False:
        return "off"
    if _in_kernel():
        return "notebook"
    if show or _isatty():
        return "terminal"
    return "off"


def _in_kernel() -> bool:
    if "IPython" not in sys.modules or "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _isatty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Live:
    """What a notebook display shows: the batch's summary with its progress bar."""

    def __init__(self, batch: BatchCore[Any], title: str) -> None:
        self.batch = batch
        self.title = title

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        from ..display.batch import progress_mimebundle

        return progress_mimebundle(self.batch.view(self.title))


class Progress:
    """Shows a batch's progress while ``title`` (``creating``, ``waiting``) goes on."""

    def __init__(
        self, batch: BatchCore[Any], title: str, show: bool | None = None, done: str | None = None
    ) -> None:
        self.batch = batch
        self.title = title
        self.done = done
        self.mode: Mode = detect_mode(show)
        self.updates = 0
        self._last = 0.0
        self._handle: Any = None
        self._width = 0
        self._clock = time.monotonic

    def start(self) -> Progress:
        if self.mode == "notebook":
            from IPython.display import display

            self._handle = display(_Live(self.batch, self.title), display_id=True)  # type: ignore[no-untyped-call]
            self.updates += 1
        self._last = self._clock()
        return self

    def update(self, *, force: bool = False) -> None:
        """Refresh, unless the last refresh was less than ``1 / MAX_RATE`` s ago."""
        if self.mode == "off":
            return
        now = self._clock()
        if not force and now - self._last < 1 / MAX_RATE:
            return
        self._last = now
        self.updates += 1
        if self.mode == "notebook" and self._handle is not None:
            self._handle.update(_Live(self.batch, self.title))
        elif self.mode == "terminal":
            from ..display.batch import progress_line

            line = f"{self.title}: {progress_line(self.batch.view(self.title))}"
            pad = " " * max(0, self._width - len(line))
            self._width = len(line)
            sys.stderr.write(f"\r{line}{pad}")
            sys.stderr.flush()

    def finish(self, title: str | None = None) -> None:
        """The final state: the display becomes a standalone summary; the line ends."""
        if title is not None:
            self.title = title
        self.update(force=True)
        if self.mode == "terminal":
            sys.stderr.write("\n")
            sys.stderr.flush()

    def __enter__(self) -> Progress:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        interrupted = exc[0] is not None
        self.finish(f"{self.title} (interrupted)" if interrupted else self.done)
