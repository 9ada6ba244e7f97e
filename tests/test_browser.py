"""JupyterLab + headless Chromium: the form filled, validated and submitted by
a person's clicks, and the cards in the light and dark themes.

Needs Debian's chromium (/usr/bin/chromium) and playwright. Where they are
missing the tests are skipped with a loud reason, except under
BYTENITE_REQUIRE_BROWSER=1 (CI), where that is a failure. Screenshots are
kept in artifacts/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from .jupyterlab import (
    CHROMIUM,
    CHROMIUM_ARGS,
    Lab,
    chromium_missing,
    copy_notebook,
    jupyterlab,
    open_notebook,
    run_all,
    set_theme,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    reason = chromium_missing()
    if reason:
        if os.environ.get("BYTENITE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests required but cannot run: {reason}")
        pytest.skip(f"BROWSER TESTS SKIPPED (not run!): {reason}")
    env = {k: "" for k in ("BYTENITE_API_KEY", "BYTENITE_ACCESS_TOKEN", "BYTENITE_API_URL")}
    with jupyterlab(tmp_path_factory.mktemp("lab"), env=env) as running:
        yield running


@pytest.fixture
def page(lab: Lab, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 1800})
        try:
            yield tab
        finally:
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
            browser.close()


def form_notebook(lab: Lab) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext bytenite_nb\n%bytenite sandbox"),
        nbformat.v4.new_code_cell("from bytenite_nb import JobForm\nform = JobForm()\nform"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, lab.root / "form_test.ipynb")
    return "form_test.ipynb"


def test_fill_validate_and_submit_the_form(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    open_notebook(page, lab, form_notebook(lab))
    run_all(page)
    output = page.locator(".jp-OutputArea-output")
    template = output.get_by_label("Template")
    template.wait_for(timeout=60_000)
    submit = output.get_by_role("button", name="Submit")
    expect(output.get_by_text("1 problem remains: templateId")).to_be_visible(timeout=20_000)
    expect(submit).to_be_disabled()

    template.fill("hello-world-template")
    expect(output.get_by_text("ready to submit")).to_be_visible(timeout=20_000)
    expect(submit).to_be_enabled()

    timeout = output.get_by_label("Task timeout")
    timeout.fill("-5")
    error = output.locator(".bn-field-error").get_by_text("must be 0 or more seconds, got '-5'")
    expect(error).to_be_visible(timeout=20_000)
    expect(submit).to_be_disabled()
    timeout.fill("15m")
    expect(error).to_have_count(0, timeout=20_000)

    output.get_by_label("Name").fill("from the browser")
    output.get_by_label("Test job").check()
    expect(output.get_by_text("ready to submit")).to_be_visible(timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "form-filled.png"), full_page=True)

    submit.click()
    card = output.locator(".bn-card.bn-job").filter(has_text="from the browser")
    expect(card).to_be_visible(timeout=30_000)
    expect(card.get_by_text("New", exact=True)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "form-submitted.png"), full_page=True)


def test_cards_render_styled_in_light_and_dark(lab: Lab, page: Any) -> None:
    from playwright.sync_api import expect

    name = copy_notebook(ROOT / "notebooks" / "cards.ipynb", lab)
    open_notebook(page, lab, name)
    run_all(page)
    cards = page.locator(".bn-card")
    expect(cards.filter(has_text="<b>not bold</b>")).to_be_visible(timeout=60_000)
    expect(page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| Idle"))).to_be_visible(
        timeout=60_000
    )
    assert cards.count() == 7
    expect(page.locator(".bn-text").first).to_be_hidden()  # the fallback hides once styled
    expect(cards.filter(has_text="broken input").get_by_text("Failed", exact=True)).to_be_visible()
    expect(cards.filter(has_text="trailer").get_by_text("Complete", exact=True)).to_be_visible()
    light = cards.first.evaluate("e => getComputedStyle(e).backgroundColor")
    page.screenshot(path=str(ARTIFACTS / "cards-light.png"), full_page=True)
    set_theme(page, "JupyterLab Dark")
    expect(page.locator("body[data-jp-theme-light='false']")).to_have_count(1, timeout=20_000)
    page.wait_for_timeout(500)
    dark = cards.first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert light != dark, "the card does not follow the theme"
    page.screenshot(path=str(ARTIFACTS / "cards-dark.png"), full_page=True)
