"""Issue 19, "at a glance", in real JupyterLab and Notebook 7, light and dark.

A notebook run against the sandbox shows: a finished job card (compact: at
most ~320 px as first shown, its first line names the state and the duration),
a 21-item sweep with one failure (``--sweep … --run``, then ``.wait()``: one
card per cell, the failure's error seen without scrolling inside the card),
an API error card, a new job's step bar (empty segments at 3:1 on the card),
and the form after "Submit and run" (one card, ending as the finished job).
Nothing shows the batch's ``bn-batch:`` marker. Screenshots of each card are
kept in artifacts/ (``<front end>-glance-<card>-<theme>.png``).
"""

from __future__ import annotations

import re
from typing import Any

import nbformat
import pytest

from .contrast import assert_readable
from .jupyterlab import ARTIFACTS, LIGHT, Lab, open_notebook, run_all, set_theme, to_dark, wait_idle

pytestmark = pytest.mark.browser

CELLS = [
    "%load_ext bytenite_nb\n%bytenite sandbox",
    "from bytenite_nb import Client, JobForm\n"
    "client = Client()\n"
    "job = client.create_job({'templateId': 'hello-world-template', 'name': 'lighthouse',\n"
    "                         'description': 'Four variations for the poster',\n"
    "                         'params': {'app': {'case': 'upper'}},\n"
    "                         'dataDestination': {'dataSourceDescriptor': 'bucket'}})\n"
    "client.run_job(job.job.id)\n"
    "client.wait_for_job(job.job.id, interval=0.1, timeout=60)",
    "grid = [{'params.app.case': c, 'config.taskTimeout': t}\n"
    "        for c in ('upper', 'lower') for t in range(60, 660, 60)]\n"
    "grid.append({'templateId': 'sandbox-failing-template'})\n"
    "len(grid)",
    "%%bytenite batch --sweep grid --run\ntemplateId: hello-world-template\nname: sweep\n",
    "batch.wait(timeout=120)",
    "try:\n"
    "    client.create_job({'templateId': 'hello-world-template',\n"
    "                       'params': {'app': {'case': 'sideways'}}})\n"
    "except Exception as error:\n"
    "    display(error)",
    "client.create_job({'templateId': 'hello-world-template', 'name': 'draft'})",
    "form = JobForm(templateId='hello-world-template', name='from the form',\n"
    "               params={'app': {'case': 'upper'}})\n"
    "form.follow_interval = 0.2\n"
    "form",
]
JOB, GRID, SWEEP, WAIT, ERROR, DRAFT, FORM = range(1, 8)

#: The contrast of the first empty step segment with the card it is on.
STEP_CONTRAST_JS = """(card) => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const opaque = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const empty = card.querySelector('.bn-steps span:not([class])');
  const [a, b] = [lum(opaque(empty)), lum(opaque(card))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""

#: Elements inside that scroll (content taller or wider than their box).
SCROLLERS_JS = """(card) => [card, ...card.querySelectorAll('*')].filter(e => {
  const s = getComputedStyle(e);
  const scrolls = /(auto|scroll)/.test(s.overflowY + s.overflowX);
  return scrolls && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1);
}).map(e => e.className)"""


def cell_cards(page: Any, index: int) -> Any:
    return page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea .bn-card")


def shoot(page: Any, lab: Lab, theme: str) -> None:
    for name, index in (("job", JOB), ("batch", WAIT), ("error", ERROR), ("form", FORM)):
        area = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-Cell-outputArea")
        area.scroll_into_view_if_needed()
        area.screenshot(path=str(ARTIFACTS / f"{lab.frontend}-glance-{name}-{theme}.png"))


def check_theme(page: Any, lab: Lab, theme: str) -> None:
    draft = cell_cards(page, DRAFT).first
    ratio = draft.evaluate(STEP_CONTRAST_JS)
    assert ratio >= 3.0, f"empty step segments at {ratio:.2f}:1 in {lab.frontend} {theme}"
    assert_readable(page, ".bn-root", f"{lab.frontend} {theme} glance", 80)
    shoot(page, lab, theme)


def test_cards_read_at_a_glance(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, lab.root / "glance.ipynb")
    open_notebook(page, lab, "glance.ipynb")
    run_all(page)
    form = page.locator(".jp-Notebook .jp-Cell").nth(FORM)
    run = form.get_by_role("button", name=re.compile(r"Submit and run"))
    expect(run).to_be_enabled(timeout=120_000)
    wait_idle(page)

    # a finished job: compact, its first line says the state and how long it took
    job = cell_cards(page, JOB)
    expect(job).to_have_count(1)
    expect(job.locator(".bn-head")).to_contain_text("Complete")
    expect(job.locator(".bn-head")).to_contain_text(re.compile(r"took \d"))
    height = job.bounding_box()["height"]
    assert height <= 320, f"the job card is {height:.0f} px tall as first shown"
    folded = job.locator(".bn-fold").first
    expect(folded.locator(".bn-kv")).to_be_hidden()  # details folded...
    folded.locator(".bn-section-title").click()
    expect(folded.locator(".bn-kv")).to_be_visible()  # ...and open on a click
    folded.locator(".bn-section-title").click()

    # --sweep … --run, then .wait(): one card in each cell, ending as the batch card
    for index in (SWEEP, WAIT):
        cards = cell_cards(page, index)
        expect(cards).to_have_count(1)
        expect(cards.locator(".bn-grid")).to_have_count(1)
    batch = cell_cards(page, WAIT)
    expect(batch.locator(".bn-counts")).to_contain_text("20 complete")
    error = batch.locator(".bn-errors")
    expect(error).to_contain_text("1 failed")
    expect(error).to_contain_text("#20")
    expect(error.locator(".bn-error-msg")).to_be_visible()
    assert not batch.evaluate(SCROLLERS_JS), "the batch card scrolls inside"
    box, seen = batch.bounding_box(), error.bounding_box()
    assert box["y"] <= seen["y"] and seen["y"] + seen["height"] <= box["y"] + box["height"]
    rows = batch.locator(".bn-table > div:not(.bn-gh):not(.bn-gall) > span")
    assert max(rows.evaluate_all("es => es.map(e => e.getBoundingClientRect().height)")) < 30
    expect(batch.locator(".bn-table .bn-gall")).to_contain_text("more items")
    # what varies between jobs, the states and the headers are whole: only job ids give way
    cells = batch.locator(".bn-table > div:not(.bn-gall) > :not(i):not(.bn-id)")
    cut = cells.evaluate_all(
        "es => es.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )
    assert not cut, f"cut in the batch table: {cut[:5]}"
    # the error card says each problem once
    problem = cell_cards(page, ERROR)
    assert problem.inner_text().count("must be 'upper' or 'lower'") == 1

    # the form: "Submit and run" leaves one card, which ends as the finished job
    run.click()
    result = form.locator(".bn-card.bn-job")
    expect(result.locator(".bn-head")).to_contain_text("Complete", timeout=60_000)
    expect(result).to_have_count(1)
    label = run.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert label[0] <= label[1] + 1, f"the button's label is cut: {label}"

    text = page.locator(".jp-Notebook").inner_text()
    assert "bn-batch:" not in text
    check_theme(page, lab, "light")
    to_dark(page)
    check_theme(page, lab, "dark")
    set_theme(page, LIGHT)
