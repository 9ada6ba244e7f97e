"""The newer cards in real JupyterLab, light and dark: the results card with an
inline image, the logs view, the jobs table, a batch's final card (its live
output ends as it), and a download's progress bars, from a notebook run against the
sandbox. Each card is rendered and styled (the image decoded, the grids laid
out), every text is at least 4.5:1, and a screenshot of each card is kept in
artifacts/ (``lab-card-<name>-<theme>.png``), for people to look at.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .contrast import assert_readable
from .jupyterlab import (
    Lab,
    open_notebook,
    run_all,
    set_theme,
    to_dark,
    wait_idle,
)

#: Lab only (the shared server of conftest's ``lab``), in a wider tab.
pytestmark = [pytest.mark.browser, pytest.mark.parametrize("lab", ["lab"], indirect=True)]
VIEWPORT_WIDTH = 1440
ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "artifacts"

CELLS = [
    "%load_ext bytenite_nb\n%bytenite sandbox",
    "from bytenite_nb import Client\n"
    "client = Client()\n"
    "job = client.create_job({'templateId': 'hello-world-template', 'name': 'lighthouse',\n"
    "                         'params': {'app': {'case': 'upper'}}})\n"
    "client.run_job(job.job.id)\n"
    "client.wait_for_job(job.job.id, interval=0.1, timeout=60).job.state",
    "client.preview_results(job.job.id)",
    "grid = [{'params.app.case': c, 'config.taskTimeout': t}\n"
    "        for c in ('upper', 'lower') for t in (60, 120, 180)]\n"
    "grid.append({'templateId': 'sandbox-failing-template'})",
    "%%bytenite batch --sweep grid --run\ntemplateId: hello-world-template\nname: sweep\n",
    "batch.wait(timeout=120)\nbatch",
    "failed = [item for item in batch.items if item.status == 'failed'][0]\n"
    "client.get_job_logs(failed.id)",
    # the 7 newest are the sweep's (created in any order), and 1 more row is left out
    "client.list_jobs(limit=7)",
    "paths = client.download_results(job.job.id, 'outputs', overwrite=True, progress=True)",
]

#: name → (selector of the card, text it must hold)
CARDS = {
    "results": (".bn-card.bn-results", "out_0/preview.png"),
    "logs": (".bn-card.bn-logs", "ERROR"),
    "jobs": (".bn-card.bn-jobs-card", "sandbox-failing-template"),
    # the sweep cell's live output ends as the batch as created; the last cell, as it ended
    "batch": (".bn-card.bn-batch:has(.bn-grid) >> nth=-1", "sandbox-failing-template"),
    "transfer": (".jp-OutputArea:has(.bn-progress-card)", "done in"),
}


def shoot(page: Any, theme: str) -> None:
    for name, (selector, _) in CARDS.items():
        card = page.locator(selector).first
        card.scroll_into_view_if_needed()
        card.screenshot(path=str(ARTIFACTS / f"lab-card-{name}-{theme}.png"))


def test_new_cards_render_styled_and_readable_in_light_and_dark(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, lab.root / "new_cards.ipynb")
    os.makedirs(lab.root / "outputs", exist_ok=True)
    open_notebook(page, lab, "new_cards.ipynb")
    run_all(page)
    expect(page.locator(".bn-progress-card").last).to_contain_text("done in", timeout=120_000)
    wait_idle(page)
    for selector, text in CARDS.values():
        expect(page.locator(selector).first).to_contain_text(text)
    assert not page.locator(".jp-OutputArea-output[data-mime-type*='error']").count()

    # the image preview is decoded and shown (its holder is hidden only unstyled)
    image = page.locator(".bn-results img.bn-preview-img").first
    expect(image).to_be_visible()
    size = image.evaluate("i => [i.naturalWidth, i.naturalHeight, i.complete]")
    assert size == [128, 80, True], size
    expect(page.locator(".bn-results .bn-pic-alt").first).to_be_hidden()
    # the grids are laid out in columns: a row's cells side by side, separators hidden
    jobs = page.locator(".bn-jobs .bn-name").first
    state = page.locator(".bn-jobs .bn-badge").first
    assert jobs.bounding_box()["y"] == pytest.approx(state.bounding_box()["y"], abs=8)
    assert jobs.bounding_box()["x"] < state.bounding_box()["x"]
    expect(page.locator(".bn-grid i").first).to_be_hidden()
    final = page.locator(CARDS["batch"][0])
    assert final.locator(".bn-grid > div:not(.bn-gh)").count() == 7  # one row per item
    expect(final.locator(".bn-counts")).to_contain_text("6 complete")
    expect(final.locator(".bn-counts")).to_contain_text("1 failed")
    assert page.locator(".bn-logs .bn-section").count() >= 1  # by service and task
    expect(page.locator(".bn-logs .bn-lvl.bn-lv-bad").first).to_be_visible()
    bar = page.locator(".bn-progress-card .bn-seg").last
    assert bar.evaluate("e => e.getBoundingClientRect().width") > 100  # filled: done

    assert_readable(page, ".bn-root", "lab light new cards", 200)
    shoot(page, "light")
    page.screenshot(path=str(ARTIFACTS / "lab-new-cards-light.png"), full_page=True)
    to_dark(page)
    assert_readable(page, ".bn-root", "lab dark new cards", 200)
    shoot(page, "dark")
    page.screenshot(path=str(ARTIFACTS / "lab-new-cards-dark.png"), full_page=True)
    set_theme(page, "JupyterLab Light")


def test_an_untrusted_results_card_shows_the_image_in_words(lab: Lab, page: Any) -> None:
    """Saved by someone else, the notebook is untrusted: JupyterLab sanitizes its
    HTML and drops our <style>; the card reads with no tag or base64 text."""
    from playwright.sync_api import expect

    from .cards_gallery import gallery

    cards = gallery()
    nb = nbformat.v4.new_notebook()
    for family in ("results", "jobs", "logs", "batch"):
        cell = nbformat.v4.new_code_cell(f"# {family}")
        cell.outputs = [nbformat.v4.new_output("display_data", data=cards[family])]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, lab.root / "untrusted-results.ipynb")  # unsigned: not trusted
    open_notebook(page, lab, "untrusted-results.ipynb")
    card = page.locator(".bn-card.bn-results")
    expect(card).to_be_attached(timeout=30_000)
    text = card.inner_text()
    assert "base64" not in text and "<img" not in text and "--bn-" not in text, text
    assert "[image/png image 96×64]" in text  # the words stand in for the image
    assert "variant, score, seconds" in text and "a lighthouse at dawn, 30 steps" in text
    jobs = page.locator(".bn-card.bn-jobs-card").inner_text()
    assert "lighthouse · 5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61 · Complete" in jobs
    page.screenshot(path=str(ARTIFACTS / "lab-new-cards-untrusted.png"), full_page=True)
