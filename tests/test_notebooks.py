"""Every notebook in notebooks/ runs top to bottom in a real kernel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest

from .notebook_runs import NOTEBOOKS, execute, executed

TOKEN = re.compile(r"sbx\.[A-Za-z0-9_\-]{8,}")


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_saves_no_secret(path: Path) -> None:
    nb = executed(path)
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
    nb = executed(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("quickstart.ipynb")])
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
    assert ">Complete<" in html  # --wait followed the job to the end
    assert "<img" in html and "result.txt" in html  # the results card, image previewed inline
    assert "partitioner" in html and "INFO" in html  # the logs view
    assert "from a local file" in html  # the job whose input was uploaded
    text = "\n".join(
        o.get("data", {}).get("text/plain", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert "outputs/" in text  # the downloaded paths
    assert "https://" not in html and "/_results/" not in html  # no signed link was written


@pytest.mark.notebook
def test_a_saved_notebook_with_a_submitted_form_holds_no_key(tmp_path: Path) -> None:
    from .canaries import CANARY_KEY

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import os\n"
            "from bytenite_nb import sandbox, JobForm\n"
            "server = sandbox.start()\n"
            f"server.sandbox.api_key = {CANARY_KEY!r}\n"
            f"os.environ['BYTENITE_API_KEY'] = {CANARY_KEY!r}\n"
            "os.environ['BYTENITE_API_URL'] = server.url"
        ),
        nbformat.v4.new_code_cell(
            "form = JobForm(templateId='hello-world-template', name='saved')\nform"
        ),
        nbformat.v4.new_code_cell("form.submit()\nform.response.job.name"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = tmp_path / "secret.ipynb"
    nbformat.write(nb, path)
    executed = execute(path)
    # The key is in this test's own cell sources; outputs and metadata must not have it.
    outputs = json.dumps([c.outputs for c in executed.cells])
    metadata = json.dumps(executed.metadata)
    state = executed.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    assert "saved" in json.dumps(state)  # the form's state was saved
    assert "ByteNite job" in outputs or "saved" in outputs
    for text in (outputs, metadata):
        assert CANARY_KEY not in text
        assert not TOKEN.search(text)


@pytest.mark.notebook
def test_cards_meet_the_storage_faults_through_the_real_client() -> None:
    nb = executed(NOTEBOOKS[[p.name for p in NOTEBOOKS].index("cards.ipynb")])
    shown = {
        cell.source.splitlines()[-1]: [
            o.get("data", {}).get("text/plain", o.get("text", "")) for o in cell.outputs
        ]
        for cell in nb.cells
        if cell.cell_type == "code" and "storage.faults" in cell.source
    }
    assert len(shown) == 2, shown
    expired, slow = shown.values()
    assert len(expired) == 1 and "403 Forbidden" in expired[0]
    assert "most likely expired" in expired[0]  # the gzip-encoded 403 was read
    assert len(slow) == 2 and "deadline (1 s) passed" in slow[0]
    assert slow[1].startswith("ended after ")
    assert "X-Signature" not in json.dumps([c.outputs for c in nb.cells if "outputs" in c])
