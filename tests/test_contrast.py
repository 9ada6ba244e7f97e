"""Contrast (WCAG AA, 4.5:1) of every text of the cards and of the form's own
markup, measured by Chromium in plain pages that imitate each host: JupyterLab
light and dark (its theme CSS from the installed package), VS Code light and
dark (``body.vscode-*`` and ``--vscode-*`` variables, no ``--jp-*``), Colab's
dark mode (``html[theme=dark]``) and a page with no variables at all.
Real JupyterLab and Notebook 7 are checked in tests/test_browser.py."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest

from .contrast import failures, measure
from .notebook_runs import NOTEBOOKS, executed

pytestmark = pytest.mark.browser
ROOT = Path(__file__).parent.parent
ARTIFACTS = ROOT / "artifacts"
THEMES_DIR = Path(__import__("sys").prefix) / "share/jupyter/lab/themes/@jupyterlab"


def lab_theme(name: str) -> str:
    return (THEMES_DIR / f"theme-{name}-extension" / "index.css").read_text("utf-8")


#: name → (page CSS, <html> attributes, <body> attributes)
HOSTS: dict[str, tuple[str, str, str]] = {
    "lab-light": (
        "body{background:var(--jp-layout-color0);color:var(--jp-content-font-color1)}",
        "",
        'data-jp-theme-light="true" data-jp-theme-name="JupyterLab Light"',
    ),
    "lab-dark": (
        "body{background:var(--jp-layout-color0);color:var(--jp-content-font-color1)}",
        "",
        'data-jp-theme-light="false" data-jp-theme-name="JupyterLab Dark"',
    ),
    "vscode-light": (
        "body{--vscode-editor-background:#ffffff;--vscode-editor-foreground:#3b3b3b;"
        "background:var(--vscode-editor-background);color:var(--vscode-editor-foreground)}",
        "",
        'class="vscode-light" data-vscode-theme-kind="vscode-light"',
    ),
    "vscode-dark": (
        "body{--vscode-editor-background:#1f1f1f;--vscode-editor-foreground:#cccccc;"
        "background:var(--vscode-editor-background);color:var(--vscode-editor-foreground)}",
        "",
        'class="vscode-dark" data-vscode-theme-kind="vscode-dark"',
    ),
    "colab-dark": (
        "html[theme=dark] body{background:#383838;color:#d5d5d5}",
        'theme="dark"',
        "",
    ),
    "plain": ("", "", ""),
}


def card_markup() -> list[str]:
    """Every card of the cards notebook, one card of every family (fixed data),
    and the form's own markup."""
    from bytenite_nb.form import JobForm

    from .cards_gallery import gallery

    nb = executed(next(p for p in NOTEBOOKS if p.name == "cards.ipynb"))
    cards = [
        o.data["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "text/html" in o.get("data", {})
    ]
    form = JobForm(name="draft", params={"app": {"n": 1, "s": "x", "b": True}})
    form.task_timeout.value = "-1"
    form._suggestions.join(timeout=10)
    labels = [label.value for label in form.labels.values() if label.value]
    form.details.selected_index = 1
    parts = [form.summary.value, *labels, form.preview.value, form.magic_text.value]
    ready = JobForm(templateId="t")
    ready._suggestions.join(timeout=10)
    # the form's title widget carries the stylesheet once for all its parts
    style = form.children[0].value
    families = [bundle["text/html"] for bundle in gallery().values()]
    return [
        *cards,
        *families,
        form._repr_mimebundle_()["text/html"],
        style,
        *parts,
        ready.summary.value,
    ]


def page_for(host: str, markup: list[str]) -> str:
    css, html_attrs, body_attrs = HOSTS[host]
    theme = ""
    if host.startswith("lab-"):
        theme = f"<style>{lab_theme(host.split('-')[1])}</style>"
    blocks = "".join(f'<div class="output">{m}</div>' for m in markup)
    return (
        f"<!doctype html><html {html_attrs}><head><meta charset='utf-8'>{theme}"
        f"<style>{css} .output{{margin:8px}}</style><title>{html.escape(host)}</title></head>"
        f"<body {body_attrs}>{blocks}</body></html>"
    )


@pytest.fixture(scope="module")
def markup() -> list[str]:
    return card_markup()


@pytest.mark.parametrize("host", list(HOSTS))
def test_every_text_is_aa_in_each_host(chromium: Any, markup: list[str], host: str) -> None:
    page = chromium.new_page(viewport={"width": 1000, "height": 800})
    try:
        page.set_content(page_for(host, markup))
        # folded sections (the job card's details) are measured open
        page.evaluate("() => document.querySelectorAll('.bn-tog input').forEach(i => i.click())")
        records = measure(page, ".output")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"contrast-{host}.png"), full_page=True)
    finally:
        page.close()
    texts = {r["text"] for r in records}
    # the measurement really reached badges, JSON, messages and the form's text
    for expected in (
        *("Complete", "Failed", "Merging", '"prompt"', "must be 0 or more", "ready"),
        *("duration", "lighthouse", "2026-11-28 11:50 UTC"),  # the jobs table
        *("WARN", "DEBUG", "slow disk", "11:50:04.250", "[part-1]"),  # the logs view
        *("variant", "0.91", "seed 7", "58 B", "links hidden"),  # the results card
        *("1 created, not started", "templateId: must not be blank", "params.app.case"),
        "out_0/poster.png  450.0 kB",  # transfer progress
    ):
        assert any(expected in t for t in texts), (expected, sorted(texts)[:50])
    assert len(records) > 300
    bad = failures(records)
    assert not bad, f"{len(bad)} texts under 4.5:1 in {host}:\n" + "\n".join(bad[:40])
