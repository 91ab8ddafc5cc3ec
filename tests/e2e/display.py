"""Measures of a page as a reader meets it, for the 长辈版 and reflow browser tests: text size,
line and paragraph spacing and tap targets (the MIIT ageing-friendly rules), text that the
page clips, and axe with its AAA colour-contrast rule."""
from __future__ import annotations

# Everything a person sees or taps, as the page draws it. A text inside an SVG chart is part of
# the image (its size follows the image's width) and is not counted as text here.
_SHOWN = """
const shown = (el) => {
  const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  return box.width > 1 && box.height > 1 && box.right > 0 && box.bottom > 0 && box.left < innerWidth
    && style.visibility !== 'hidden' && !el.closest('svg, [hidden]');
};
const texts = () => {
  const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (node.textContent.trim() && el && !el.closest('script, style, option') && shown(el)) found.push(el);
  }
  return [...new Set(found)];
};
const label = (el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} "${(el.innerText || el.value || '').trim().slice(0, 30)}"`;
"""

ELDER_MEASURES = _SHOWN + """
const problems = [];
const body = parseFloat(getComputedStyle(document.body).fontSize);
if (body < 22) problems.push(`body text ${body}px`);
for (const el of texts()) {
  const style = getComputedStyle(el), size = parseFloat(style.fontSize), height = parseFloat(style.lineHeight);
  if (size < 22) problems.push(`text of ${size}px: ${label(el)}`);
  if (!(height / size >= 1.3)) problems.push(`line height ${style.lineHeight} for ${size}px: ${label(el)}`);
}
// Paragraph spacing: what follows a paragraph, at least 1.3 times its line spacing (the notes
// tied to a field, its hint and its error, sit with their field).
for (const p of document.querySelectorAll('p:not(.hint, .field-error, .item-count)')) {
  if (!shown(p)) continue;
  const style = getComputedStyle(p), line = parseFloat(style.lineHeight), after = parseFloat(style.marginBottom);
  if (after < 1.3 * line - 0.5) problems.push(`paragraph spacing ${after}px after lines of ${line}px: ${label(p)}`);
}
// Tap targets: a radio button or a check box is tapped through its label.
for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
  if (!shown(el)) continue;
  const target = (el.type === 'radio' || el.type === 'checkbox') ? (el.closest('label') || el.labels[0] || el) : el;
  const box = target.getBoundingClientRect();
  if (box.width < 47.5 || box.height < 47.5)
    problems.push(`tap target ${Math.round(box.width)}x${Math.round(box.height)}: ${label(target)}`);
}
return problems;
"""

# The standard display on a phone: a chart's text shows at 12 px or more (its size in the
# drawing times the drawing's scale on the screen), and every button, link styled as a button,
# check box and radio button (tapped through its label) is a target of 44 x 44 px or more
# (WCAG 2.5.5).
PHONE_MEASURES = _SHOWN + """
const problems = [];
for (const el of document.querySelectorAll('svg text')) {
  const box = el.getBoundingClientRect(), matrix = el.getScreenCTM();
  if (!el.textContent.trim() || box.width < 1 || !matrix) continue;
  const size = parseFloat(getComputedStyle(el).fontSize) * Math.hypot(matrix.a, matrix.b);
  if (size < 11.95) problems.push(`chart text of ${size.toFixed(1)}px: "${el.textContent.trim().slice(0, 30)}"`);
}
for (const el of document.querySelectorAll('button, .button, input[type=submit], input[type=checkbox], input[type=radio]')) {
  const target = (el.type === 'radio' || el.type === 'checkbox') ? (el.closest('label') || el.labels[0] || el) : el;
  if (!shown(target)) continue;
  const box = target.getBoundingClientRect();
  if (box.width < 43.5 || box.height < 43.5)
    problems.push(`tap target ${Math.round(box.width)}x${Math.round(box.height)}: ${label(target)}`);
}
return problems;
"""

# The size of every text, to compare before and after the browser's text size changes.
TEXT_SIZES = _SHOWN + "return texts().map((el) => [label(el), parseFloat(getComputedStyle(el).fontSize)]);"

# A box that hides what does not fit in it hides text from the reader. A form field scrolls
# what is typed in it, as every field does: not counted.
CLIPPED = _SHOWN + """
const problems = [];
for (const el of document.querySelectorAll('body *:not(input, select, textarea)')) {
  const style = getComputedStyle(el);
  if (!shown(el)) continue;
  const hidesX = ['hidden', 'clip'].includes(style.overflowX), hidesY = ['hidden', 'clip'].includes(style.overflowY);
  if ((hidesX && el.scrollWidth > el.clientWidth + 1) || (hidesY && el.scrollHeight > el.clientHeight + 1))
    problems.push(`clipped ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}: ${label(el)}`);
}
return problems;
"""

HORIZONTAL_SCROLL = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def measure(page, script: str):
    return page.evaluate(f"() => {{ {script} }}")


def assert_elder_measures(page) -> None:
    """长辈版 as the MIIT rules ask: text of at least 22 px, line height at least 1.3, paragraph
    spacing at least 1.3 times the line spacing, tap targets at least 48x48 px, no sideways
    scrolling, and the page really in 长辈版."""
    assert page.evaluate("document.documentElement.classList.contains('elder')"), f"not in 长辈版: {page.url}"
    problems = measure(page, ELDER_MEASURES)
    assert problems == [], f"{page.url}:\n" + "\n".join(problems)
    assert page.evaluate(HORIZONTAL_SCROLL) <= 0, f"{page.url} scrolls sideways"


def assert_standard(page) -> None:
    assert not page.evaluate("document.documentElement.classList.contains('elder')"), f"in 长辈版: {page.url}"


def assert_phone_measures(page) -> None:
    """On a 375 px phone: chart text of 12 px or more, tap targets of 44 x 44 px or more."""
    assert page.viewport_size["width"] <= 375, f"not a phone: {page.viewport_size}"
    problems = measure(page, PHONE_MEASURES)
    assert problems == [], f"{page.url}:\n" + "\n".join(problems)


def count_chart_texts(page) -> int:
    return page.evaluate("document.querySelectorAll('svg.chart text, .chart svg text').length")


def assert_accessible_aaa(page) -> None:
    """axe with the A and AA rules, best practices and the AAA rules axe offers
    (color-contrast-enhanced: 7:1 for text, 4.5:1 for large text)."""
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag2aaa", "best-practice"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    violations = results.response["violations"]
    ran = {rule["id"] for kind in ("passes", "violations", "incomplete", "inapplicable")
           for rule in results.response[kind]}
    assert "color-contrast-enhanced" in ran
    summary = [f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}"
               for v in violations]
    assert not violations, f"axe found accessibility violations on {page.url}:\n" + "\n".join(summary)
