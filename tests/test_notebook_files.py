"""The rules every shipped notebook in notebooks/ follows, in one place.

THE RULE (for anyone adding or editing a notebook): saved without outputs,
and with the metadata JupyterLab and Notebook 7 write themselves, so that
opening a notebook does not mark it modified:

- ``kernelspec``: ``{"display_name": "Python 3 (ipykernel)", "language":
  "python", "name": "python3"}`` (ipykernel's own kernelspec);
- ``language_info``: what ipykernel reports (``LANGUAGE_INFO`` below, the
  ``version`` being the Python that saved it);
- nothing else in the notebook metadata (no widget state, no ``vscode`` key).

``python tests/test_notebook_files.py`` rewrites the metadata of every
notebook to this rule (cells untouched). A browser test
(tests/test_browser.py) opens them in JupyterLab and Notebook 7 and checks
they are not marked modified.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO: dict[str, Any] = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}


def expected_metadata(version: str) -> dict[str, Any]:
    return {"kernelspec": KERNELSPEC, "language_info": {**LANGUAGE_INFO, "version": version}}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_what_the_front_ends_write(path: Path) -> None:
    nb = json.loads(path.read_text("utf-8"))
    metadata = nb["metadata"]
    version = metadata.get("language_info", {}).get("version", "")
    assert metadata == expected_metadata(version), f"{path.name}: run {__file__} to fix"
    assert version.count(".") == 2, "language_info.version is a full Python version"
    assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")


def test_the_ipykernel_here_reports_the_same_language_info() -> None:
    from ipykernel.ipkernel import IPythonKernel

    reported = dict(IPythonKernel.language_info)
    reported.pop("version")
    assert reported == LANGUAGE_INFO


@pytest.mark.notebook
def test_the_form_notebook_saves_little_widget_state() -> None:
    from .notebook_runs import executed

    nb = executed(next(p for p in NOTEBOOKS if p.name == "form.ipynb"))
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]
    size = len(json.dumps(state))
    assert size <= 60_000, f"{size:,} bytes of widget state (was 191,361)"
    assert len(state["state"]) <= 70  # models (was 235)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    shown = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert shown and all("text/html" in o.data and "text/plain" in o.data for o in shown)
    assert "run the cell to edit" in shown[0].data["text/plain"]


def fix_all() -> None:
    """Rewrite every notebook's metadata to the rule, as JupyterLab saves JSON."""
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text("utf-8"))
        nb["metadata"] = expected_metadata(platform.python_version())
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    fix_all()
