"""Cards where HTML is cleaned: ``nbconvert --sanitize-html`` (bleach escapes
every tag it does not allow and drops comments) and GitHub (drops ``<style>``).
Each card must show once, readable: no stylesheet text, no literal tags."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .test_notebooks import NOTEBOOKS, executed

CARDS = next(p for p in NOTEBOOKS if p.name == "cards.ipynb")
#: Classes that the exported page's own CSS hides (checked below).
HIDDEN_CLASSES = {"lm-mod-hidden", "hidden"}
#: Our tags that must never show as text (a user's "<b>not bold</b>" may).
OUR_TAGS = re.compile(r"</?(details|summary|th|tbody|style|div|span|table|tr|td|pre|code)\b")
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
        inside = "jp-OutputArea-output" in classes
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
    parser = _Visible()
    parser.feed(page)
    return "".join(parser.parts)


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
    assert page.count('<div class="bn-card') == 7


@pytest.mark.notebook
def test_without_style_elements_like_github() -> None:
    page = re.sub(r"<style[^>]*>.*?</style>", "", export(sanitize=False), flags=re.S)
    check_cards(visible_text(page))


@pytest.mark.notebook
def test_sanitizing_does_not_grow_the_page() -> None:
    plain, cleaned = visible_text(export(sanitize=False)), visible_text(export(sanitize=True))
    assert len(cleaned) <= len(plain) * 1.05, (len(plain), len(cleaned))
