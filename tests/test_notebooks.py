"""Every notebook in notebooks/ runs top to bottom in a real kernel."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
TOKEN = re.compile(r"sbx\.[A-Za-z0-9_\-]{8,}")


def execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    env_backup = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("BYTENITE_")}
    try:
        NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
            store_widget_state=True,
        ).execute()
    finally:
        os.environ.update(env_backup)
    return nb


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_saves_no_secret(path: Path) -> None:
    nb = execute(path)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    saved = nbformat.writes(nb)
    assert not TOKEN.search(saved), "an access token was saved in the notebook"


def test_there_are_notebooks_and_they_are_saved_without_outputs() -> None:
    assert NOTEBOOKS, "notebooks/ holds no notebook"
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), path


@pytest.mark.notebook
def test_quickstart_shows_cards() -> None:
    nb = execute(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("quickstart.ipynb")])
    html = "\n".join(
        o.data["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "data" in o and "text/html" in o.data
    )
    assert "Create-job payload" in html  # --dry-run
    assert "lighthouse" in html  # the job card
    assert "Invalid job payload" in html  # the error card
