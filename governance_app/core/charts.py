"""What every chart of the site shares: server-rendered SVG, readable without JavaScript and in print.

The site's content security policy forbids inline styles, so everything is drawn with presentation
attributes (fill, stroke, font-size) and classes the stylesheet may refine. Each chart is an image
with a title and a description for screen readers; its labels carry the numbers as text, so a chart
never relies on colour or shape alone. Text colours reach at least 4.5:1 on white.

Charts are drawn for a phone first: 320 units wide, about the width they get on a 375 px screen, so
a text of 13 units shows at 12 px or more there; the style sheet caps their width on wider screens
(``svg.chart``) so that the text does not grow without end. The accounts' charts are in
``funds/charts.py``, the scores' in ``surveys/charts.py``.
"""
from __future__ import annotations

import re
from html import escape

WIDTH = 320  # about the CSS pixels of a chart on a 375 px phone: a unit is a pixel there
TEXT = "#1f2937"  # 14.7:1 on white
AXIS = "#4b5563"  # 7.6:1
BLUE = "#1d4ed8"  # 6.7:1
RED = "#b91c1c"  # 6.5:1
FONT_SIZE = 13
ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def open_svg(id_prefix: str, height: float, title: str, desc: str, kind: str) -> list[str]:
    """The chart's opening tag, title and description (ids start with ``id_prefix``)."""
    if not ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(f"not an id prefix: {id_prefix!r}")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" viewBox="0 0 {WIDTH} {n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>',
    ]


def label(x: float, y: float, text: str, anchor: str = "start", css_class: str = "chart-label") -> str:
    """A text of the chart, escaped."""
    return (f'<text class="{css_class}" x="{n(x)}" y="{n(y)}" text-anchor="{anchor}" fill="{TEXT}">'
            f'{escape(text)}</text>')


def n(number: float) -> str:
    """A coordinate with at most one decimal: short and stable output."""
    return f"{round(number, 1):g}"
