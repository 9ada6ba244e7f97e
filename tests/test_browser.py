"""JupyterLab and Notebook 7 in headless Chromium: the form filled, validated
and submitted by a person's clicks; the cards in the light and dark themes;
every text at least 4.5:1 against its background (WCAG AA); the shipped
notebooks open unmodified; an untrusted notebook shows each card once.

Needs Debian's chromium (/usr/bin/chromium) and playwright. Where they are
missing the tests are skipped with a loud reason, except under
BYTENITE_REQUIRE_BROWSER=1 (CI), where that is a failure. Screenshots of each
front end and theme are kept in artifacts/ (gitignored).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .contrast import assert_readable
from .jupyterlab import (
    ARTIFACTS,
    LIGHT,
    ROOT,
    Lab,
    copy_notebook,
    is_dirty,
    open_notebook,
    run_all,
    set_theme,
    to_dark,
    wait_idle,
    wait_kernel_idle,
)

pytestmark = pytest.mark.browser
DARK = {"lab": "JupyterLab Dark", "notebook": "JupyterLab Dark"}


def shot(page: Any, lab: Lab, what: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{lab.frontend}-{what}.png"), full_page=True)


def toggle_folds(page: Any) -> None:
    """Open (or close again) every folded section of every card."""
    page.evaluate("() => document.querySelectorAll('.bn-tog input').forEach(i => i.click())")


def form_notebook(lab: Lab) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext bytenite_nb\n%bytenite sandbox"),
        nbformat.v4.new_code_cell("from bytenite_nb import JobForm\nform = JobForm()\nform"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)"}
    nbformat.write(nb, lab.root / "form_test.ipynb")
    return "form_test.ipynb"


def test_fill_validate_and_submit_the_form(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    open_notebook(page, lab, form_notebook(lab))
    run_all(page)
    output = page.locator(".jp-OutputArea-output")
    template = output.get_by_label("Template")
    template.wait_for(timeout=60_000)
    submit = output.get_by_role("button", name=re.compile(r"^\W*Submit\s*$"))
    expect(output.get_by_text("1 problem remains: Template")).to_be_visible(timeout=20_000)
    expect(submit).to_be_disabled()
    assert template.get_attribute("placeholder") in (None, "", "\u200b")

    template.fill("hello-world-template")
    expect(output.get_by_text("ready to submit")).to_be_visible(timeout=20_000)
    expect(submit).to_be_enabled()

    timeout = output.get_by_label("Task timeout")
    timeout.fill("-5")
    error = output.locator("span.bn-form-bad").filter(
        has_text=re.compile(r"^must be 0 or more seconds, got '-5'$")
    )
    expect(error).to_be_visible(timeout=20_000)
    expect(output.get_by_text("1 problem remains: Task timeout")).to_be_visible()
    expect(submit).to_be_disabled()
    form = ".jp-OutputArea-output:has(.widget-button)"
    assert_readable(page, form, f"{lab.frontend} light form with a problem", 10)
    timeout.fill("15m")
    expect(error).to_have_count(0, timeout=20_000)

    output.get_by_label("Name").fill("from the browser")
    output.get_by_label("Test job").check()
    expect(output.get_by_text("ready to submit")).to_be_visible(timeout=20_000)
    output.get_by_text("Payload preview").click()
    shot(page, lab, "form-light")

    submit.click()
    card = output.locator(".bn-card.bn-job").filter(has_text="from the browser")
    expect(card).to_be_visible(timeout=30_000)
    expect(card.get_by_text("New", exact=True)).to_be_visible()
    expect(output.get_by_role("button", name=re.compile(r"Submitted"))).to_be_disabled()
    assert_readable(page, form, f"{lab.frontend} light form submitted", 20)
    shot(page, lab, "form-submitted-light")
    to_dark(page)
    assert_readable(page, form, f"{lab.frontend} dark form submitted", 20)
    shot(page, lab, "form-submitted-dark")
    set_theme(page, LIGHT)


def test_cards_are_styled_and_readable_in_light_and_dark(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    name = copy_notebook(ROOT / "notebooks" / "cards.ipynb", lab)
    open_notebook(page, lab, name)
    run_all(page)
    cards = page.locator(".bn-card")
    expect(cards.filter(has_text="<b>not bold</b>")).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert cards.count() == 9  # 7 from jobs and payloads, 2 from the storage faults
    expect(page.locator(".bn-css").first).to_be_hidden()
    expect(cards.filter(has_text="broken input").get_by_text("Failed", exact=True)).to_be_visible()
    expect(cards.filter(has_text="trailer").get_by_text("Complete", exact=True)).to_be_visible()
    light = cards.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert cards.first.evaluate("e => getComputedStyle(e).borderLeftWidth") == "4px"  # styled
    shot(page, lab, "cards-light")  # as first shown: details folded
    toggle_folds(page)  # every text measured, folded ones too
    assert_readable(page, ".bn-root", f"{lab.frontend} light cards", 150)
    toggle_folds(page)
    to_dark(page)
    dark = cards.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert light != dark, "the card does not follow the theme"
    shot(page, lab, "cards-dark")
    toggle_folds(page)
    assert_readable(page, ".bn-root", f"{lab.frontend} dark cards", 150)
    toggle_folds(page)
    set_theme(page, LIGHT)


def test_shipped_notebooks_open_unmodified(lab: Lab, page: Any) -> None:
    """Each shipped notebook, in a tab of its own (opened side by side), is not
    marked modified once its kernel is idle and the metadata updates are in."""
    names = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    tabs = [page, *(page.context.new_page() for _ in names[1:])]
    for tab, name in zip(tabs, names, strict=True):
        shutil.copy(ROOT / "notebooks" / name, lab.root / f"open-{name}")
        tab.goto(lab.notebook_url(f"open-{name}"))
    for tab, name in zip(tabs, names, strict=True):
        wait_kernel_idle(tab, name)
    page.wait_for_timeout(1500)  # kernel info and metadata updates arrive after idle
    dirty = [name for tab, name in zip(tabs, names, strict=True) if is_dirty(tab)]
    assert not dirty, f"marked modified on open in {lab.frontend}: {dirty}"


def test_untrusted_notebook_shows_each_card_once(lab: Lab, page: Any, tmp_path: Path) -> None:
    """Outputs saved by someone else are untrusted: HTML is sanitized (no <style>)."""
    from playwright.sync_api import expect

    from .notebook_runs import NOTEBOOKS, executed

    nb = executed(next(p for p in NOTEBOOKS if p.name == "cards.ipynb"))
    nbformat.write(nb, lab.root / "untrusted-cards.ipynb")  # unsigned: not trusted
    open_notebook(page, lab, "untrusted-cards.ipynb")
    cards = page.locator(".bn-card")
    expect(cards.first).to_be_attached(timeout=30_000)
    assert cards.count() == 9  # 7 from jobs and payloads, 2 from the storage faults
    text = page.locator(".jp-OutputArea").first.evaluate(
        "() => [...document.querySelectorAll('.jp-OutputArea-output')]"
        ".map(e => e.innerText).join('\\n')"
    )
    assert "--bn-" not in text and "<style" not in text and "<details" not in text
    assert text.count("Four variations for the poster") == 2  # two cards, once each
    assert text.count("broken input") == 1
    shot(page, lab, "cards-untrusted")
