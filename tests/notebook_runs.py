"""The shipped notebooks, each executed once per test session in a real kernel
(shared by the notebook, browser, contrast and sanitising tests)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))

#: The sandbox of ``%bytenite sandbox`` in test kernels: a job runs in about a second.
FAST_SANDBOX = ("BYTENITE_SANDBOX_STEP_SECONDS", "0.1")

_EXECUTED: dict[Path, nbformat.NotebookNode] = {}


def executed(path: Path) -> nbformat.NotebookNode:
    """Each shipped notebook runs once per test session."""
    if path not in _EXECUTED:
        _EXECUTED[path] = execute(path)
    return _EXECUTED[path]


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook in a folder of its own, removed after: what it writes
    (``data/``, ``outputs/``) never lands in notebooks/."""
    nb = nbformat.read(path, as_version=4)
    env_backup = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("BYTENITE_")}
    os.environ[FAST_SANDBOX[0]] = FAST_SANDBOX[1]  # the kernel's %bytenite sandbox
    try:
        with tempfile.TemporaryDirectory(prefix=f"bn-{path.stem}-") as workdir:
            NotebookClient(
                nb,
                timeout=120,
                kernel_name="python3",
                resources={"metadata": {"path": workdir}},
                store_widget_state=True,
            ).execute()
    finally:
        os.environ.pop(FAST_SANDBOX[0], None)
        os.environ.update(env_backup)
    return nb
