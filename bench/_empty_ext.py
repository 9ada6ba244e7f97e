"""An extension that does nothing: the baseline for ``%load_ext`` cost."""

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """Nothing to register."""
