"""What makes HTML unsafe, and strings that try: shared by the card tests."""

from __future__ import annotations

from html.parser import HTMLParser

HOSTILE = [
    "<img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    "' onmouseover='alert(1)",
    "</pre><svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
]


class Audit(HTMLParser):
    """Collects what would make HTML unsafe: tags, on* handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.js_urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(name)
            url_attribute = name.lower() in ("href", "src", "action", "formaction", "xlink:href")
            if url_attribute and value and value.strip().lower().startswith("javascript:"):
                self.js_urls.append(value)


def audit(markup: str) -> Audit:
    parser = Audit()
    parser.feed(markup)
    parser.close()
    return parser


def assert_safe(markup: str) -> None:
    found = audit(markup)
    assert "script" not in found.tags
    assert {"img", "iframe", "object", "embed", "svg", "a"}.isdisjoint(found.tags), found.tags
    assert found.handlers == [] and found.js_urls == []
