"""Cards where HTML is cleaned: ``nbconvert --sanitize-html`` (bleach escapes
every tag it does not allow and drops comments) and GitHub (drops ``<style>``).
Each card must show once, readable: no stylesheet text, no literal tags."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .notebook_runs import NOTEBOOKS, executed

CARDS = next(p for p in NOTEBOOKS if p.name == "cards.ipynb")
#: Classes that the exported page's own CSS hides (checked below).
HIDDEN_CLASSES = {"lm-mod-hidden", "hidden"}
#: Our tags that must never show as text (a user's "<b>not bold</b>" may).
OUR_TAGS = re.compile(r"</?(details|summary|th|tbody|style|div|span|table|tr|td|pre|code)\b")
#: The element of one cell output: nbconvert's lab template, its classic one.
OUTPUT_CLASSES = {"jp-OutputArea-output", "output_subarea"}
OUTPUT_START = "\x00"
CSS_TEXT = re.compile(r"--bn-|font-family|\.bn-[a-z]+\s*[{,]|display:\s*none")


class _Visible(HTMLParser):
    """The text a reader sees in the cells' outputs: nothing hidden."""

    VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "wbr", "col", "source"})
    BLOCK = frozenset({"div", "pre", "p", "li", "tr", "table", "ul", "ol", "blockquote", "br"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: hidden?
        self.output: list[bool] = []  # per open element: inside a cell's output?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag in self.VOID:
            return
        names = dict(attrs)
        classes = set((names.get("class") or "").split())
        hidden = (
            tag in ("head", "style", "script", "title")
            or "hidden" in names
            or bool(classes & HIDDEN_CLASSES)
        )
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))
        inside = bool(classes & OUTPUT_CLASSES)
        if inside and not (self.output and self.output[-1]):
            self.parts.append(OUTPUT_START)
        self.output.append(inside or (bool(self.output) and self.output[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag not in self.VOID and self.stack:
            self.stack.pop()
            self.output.pop()

    def handle_data(self, data: str) -> None:
        if self.output and self.output[-1] and not self.stack[-1]:
            self.parts.append(data)


def visible_text(page: str) -> str:
    return "".join(visible_outputs(page))


def visible_outputs(page: str) -> list[str]:
    """The visible text of each cell output, in order."""
    parser = _Visible()
    parser.feed(page)
    return "".join(parser.parts).split(OUTPUT_START)[1:]


def export(sanitize: bool) -> str:
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(sanitize_html=sanitize).from_notebook_node(executed(CARDS))
    return str(body)


def check_cards(text: str) -> None:
    assert not CSS_TEXT.search(text), CSS_TEXT.search(text)
    user = text.replace("<b>not bold</b>", "")
    assert not OUR_TAGS.search(user), user[max(0, user.find("<") - 80) :][:200]
    # each card once (the text/plain view is not shown beside it)
    assert text.count("Four variations for the poster") == 2  # two cards of 'lighthouse'
    assert text.count("broken input") == 1
    assert text.count("https://example.com/trailer.mp4") == 1
    assert text.count("Invalid job payload") == 1
    assert text.count("<b>not bold</b>") == 1
    assert "ByteNite job 'lighthouse'" not in text  # the text view's header
    # readable: words that unstyled spans would glue together stay apart
    assert "lighthouseMerg" not in text and "trailerComplete" not in text


@pytest.mark.notebook
def test_sanitized_export_shows_each_card_once_without_css_or_tags() -> None:
    page = export(sanitize=True)
    # The page's own CSS hides what bleach leaves of our <style> (an empty tag).
    assert re.search(r"\.lm-Widget\.lm-mod-hidden\s*{\s*display:\s*none", page)
    check_cards(visible_text(page))
    # bleach kept the card's markup, not escaped it
    assert page.count('<div class="bn-card') == 9  # 7 jobs and payloads, 2 storage faults


@pytest.mark.notebook
def test_without_style_elements_like_github() -> None:
    page = re.sub(r"<style[^>]*>.*?</style>", "", export(sanitize=False), flags=re.S)
    check_cards(visible_text(page))


@pytest.mark.notebook
def test_sanitizing_does_not_grow_the_page() -> None:
    plain, cleaned = visible_text(export(sanitize=False)), visible_text(export(sanitize=True))
    assert len(cleaned) <= len(plain) * 1.05, (len(plain), len(cleaned))


# -- every card family, from fixed data (no kernel) -------------------------------------------

#: Our tags, and those a sanitizer would escape, must never show as text.
ANY_TAG = re.compile(
    r"</?(details|summary|th|tbody|style|div|span|table|tr|td|pre|code|img|progress|p|br|"
    r"small|h\d|i|b|a)\b"
)
BASE64 = re.compile(r"data:image|[A-Za-z0-9+/]{80,}")
#: Neighbouring words that would run together if a card relied on CSS for spacing.
GLUED = {
    "job": ["lighthousePartitioned", "Partitionedstep"],
    "jobs": ["lighthouse5f0c", "Completeimg", "ago2026", "templatecreated"],
    "logs": ["INFOstarted", "250INFO", "split into 2 chunks11"],
    "results": ["poster.png517", "variantscore", "0.9112.5"],
    "batch": ["upperjob-0", "job-0Complete", "Complete42s"],
    "transfer": ["png450"],
}


def gallery_page(template: str, sanitize: bool) -> tuple[list[str], list[str]]:
    """(families, page) of a notebook with one card of each family, exported."""
    import nbformat
    from nbconvert import HTMLExporter

    from .cards_gallery import gallery

    cards = gallery()
    nb = nbformat.v4.new_notebook()
    for family, bundle in cards.items():
        cell = nbformat.v4.new_code_cell(f"# {family}")
        cell.outputs = [nbformat.v4.new_output("display_data", data=bundle)]
        nb.cells.append(cell)
    exporter = HTMLExporter(template_name=template, sanitize_html=sanitize)
    page, _ = exporter.from_notebook_node(nb)
    if not sanitize:  # imitate GitHub: no <style> at all
        page = re.sub(r"<style[^>]*>.*?</style>", "", page, flags=re.S)
    return list(cards), visible_outputs(page)


def check_card(family: str, text: str) -> None:
    """What every card must be wherever HTML is cleaned: itself, once, readable."""
    from .cards_gallery import MARKERS

    assert not CSS_TEXT.search(text), (family, CSS_TEXT.search(text))
    assert not ANY_TAG.search(text), (family, text[max(0, text.find("<") - 80) :][:200])
    assert not BASE64.search(text), (family, BASE64.search(text))
    assert text.count(MARKERS[family]) == 1, (family, text)
    for glued in GLUED.get(family, []):
        assert glued not in text, (family, glued)
    assert len(text) < 4000, (family, len(text))  # no second copy, no stylesheet


@pytest.mark.parametrize(
    ("template", "sanitize"),
    [("lab", True), ("classic", True), ("lab", False)],
    ids=["sanitized-lab", "sanitized-classic", "no-style-like-github"],
)
def test_every_card_family_reads_once_where_html_is_cleaned(template: str, sanitize: bool) -> None:
    families, outputs = gallery_page(template, sanitize)
    assert len(outputs) == len(families) == 11
    for family, text in zip(families, outputs, strict=True):
        check_card(family, text)
    results = outputs[families.index("results")]
    assert "[image/png image 96×64]" in results  # the words for the image
    assert "variant, score, seconds" in results and "A, 0.91, 12.5" in results
    jobs = outputs[families.index("jobs")]
    assert "lighthouse · 5f0c2a9e-1b7d-4c1e-9a53-0c3f2d8e7b61 · Complete" in jobs
    logs = outputs[families.index("logs")]
    assert "taskrunner · task task-b (2 lines, 1 error)" in logs
    assert "11:50:04.250 ERROR Traceback (most recent call last):\n  ValueError" in logs
    batch = outputs[families.index("batch")]
    # failures first, each error said once above the table, the rows one line each
    assert "1× templateId: must not be blank (item #3)" in batch
    assert "2 · title · Failed · — · job-2\n" in batch and "3 · — · invalid · — · —\n" in batch
    assert batch.index("3 · —") < batch.index("0 · upper")
    # the job card's folded sections are open where styles are stripped, toggles unseen
    job = outputs[families.index("job")]
    assert "task timeout: 5m" in job and '"prompt": "a lighthouse at dawn"' in job
    assert "show or hide" not in job and "checkbox" not in job
