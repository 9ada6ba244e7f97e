"""WCAG contrast of every text in a page region, measured in the browser.

``CONTRAST_JS(root_selector)`` returns one record per element that holds
text (a non-blank text node of its own, or a form control's value), with its
computed colour and the colour it actually stands on: the first opaque
``background-color`` walking up, with translucent layers (and translucent
text) composited on the way. Disabled controls are left out (WCAG exempts
inactive components)."""

from __future__ import annotations

from typing import Any

AA = 4.5

CONTRAST_JS = r"""
(selector) => {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];  // the canvas, if nothing is opaque
    for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const out = [];
  for (const root of document.querySelectorAll(selector)) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      const control = (el.tagName === 'INPUT' && el.type !== 'checkbox')
        || el.tagName === 'TEXTAREA'
        || el.tagName === 'SELECT';
      const hasValue = control && el.value && el.value.trim();
      if (!own && !hasValue) continue;
      if (el.closest('[disabled]') || el.closest('style')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || el.getClientRects().length === 0) continue;
      if (parseFloat(style.opacity) === 0) continue;
      const bg = background(el);
      const fg = over(parse(style.color), bg);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const text = (hasValue ? el.value : el.textContent).trim().slice(0, 40);
      out.push({text, tag: el.tagName, cls: String(el.className).slice(0, 60),
                color: style.color, background: 'rgb(' + bg.slice(0, 3).map(Math.round) + ')',
                ratio: (hi + 0.05) / (lo + 0.05)});
    }
  }
  return out;
}
"""


def measure(page: Any, selector: str) -> list[dict[str, Any]]:
    """Every text under ``selector`` with its contrast ratio."""
    return list(page.evaluate(CONTRAST_JS, selector))


def failures(records: list[dict[str, Any]]) -> list[str]:
    return [
        f"{r['ratio']:.2f}:1 {r['text']!r} <{r['tag'].lower()} class={r['cls']!r}> "
        f"{r['color']} on {r['background']}"
        for r in records
        if r["ratio"] < AA
    ]


def assert_readable(page: Any, selector: str, where: str, minimum: int) -> None:
    records = measure(page, selector)
    assert len(records) >= minimum, (where, len(records))
    bad = failures(records)
    assert not bad, f"{len(bad)} texts under 4.5:1 in {where}:\n" + "\n".join(bad[:40])
