"""The answer to an action on a job (abort, delete): the service's envelope
(``{"ok", "requestId", "message"}``), a dict that a notebook shows as one line."""

from typing import Any


class ActionAnswer(dict[str, Any]):
    """A ``dict`` of the envelope, shown as ``abort job 5f0c…: done``."""

    def __init__(self, data: dict[str, Any], what: str) -> None:
        super().__init__(data)
        self.what = what

    def __repr__(self) -> str:
        message = str(self.get("message") or "").strip()
        return f"{self.what}: done" + (f" ({message[:200]})" if message else "")

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


__all__ = ["ActionAnswer"]
