"""Charts as server-rendered SVG: readable without JavaScript and in print.

The site's content security policy forbids inline styles, so everything is drawn
with presentation attributes (fill, stroke, font-size) and classes the stylesheet
may refine. Each chart is an image with a title and a description for screen
readers; its labels carry the numbers as text, so the chart never relies on
colour or shape alone. Text colours reach at least 4.5:1 on white.

The charts are drawn for a phone first: 320 units wide, about the width they get on a 375 px
screen, so a text of 13 units shows at 12 px or more there; the style sheet caps their width
on wider screens (``svg.chart``) so that the text does not grow without end.
"""
from __future__ import annotations

import datetime as dt
import re
from html import escape

from .rules import format_yuan

WIDTH = 320  # about the CSS pixels of a chart on a 375 px phone: a unit is a pixel there
TEXT = "#1f2937"  # 14.7:1 on white
AXIS = "#4b5563"  # 7.6:1
LINE = "#1d4ed8"  # 6.7:1
NEGATIVE = "#b91c1c"  # 6.5:1
FONT_SIZE = 13
CHAR_WIDTH = 8.2  # a digit at 13 units, wide enough for "," and "." too
ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _open(id_prefix: str, height: float, title: str, desc: str, kind: str) -> list[str]:
    if not ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(f"not an id prefix: {id_prefix!r}")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'aria-labelledby="{id_prefix}-title {id_prefix}-desc" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="sans-serif" font-size="{FONT_SIZE}">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(desc)}</desc>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "start", css_class: str = "chart-label") -> str:
    return (f'<text class="{css_class}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{TEXT}">'
            f'{escape(text)}</text>')


def _n(number: float) -> str:
    """A coordinate with at most one decimal: short and stable output."""
    return f"{round(number, 1):g}"


def _text_width(text: str) -> float:
    # CJK characters are about twice as wide as digits.
    return sum(2 * CHAR_WIDTH if ord(char) > 0x2E80 else CHAR_WIDTH for char in text)


def balance_chart(points: list[tuple[dt.date, int]], title: str, desc: str,
                  id_prefix: str = "balance-chart", empty_text: str = "") -> str:
    """The balance (fen) over time as a step line: it holds until the next movement.
    Labels: the first and last date, the lowest and highest balance, and zero when the
    balance crosses it."""
    height, top, bottom_margin = 240, 16, 30
    points = sorted(points, key=lambda point: point[0])  # stable: a day's movements keep their order
    values = [balance for _day, balance in points]
    low, high = (min(values), max(values)) if values else (0, 0)
    amount_labels = [format_yuan(high), format_yuan(low)] if values else []
    left = max([_text_width(label) for label in amount_labels] + [0]) + 12
    right, bottom = WIDTH - 12, height - bottom_margin
    parts = _open(id_prefix, height, title, desc, "balance")
    parts.append(f'<path class="chart-axis" d="M{_n(left)} {top}V{bottom}H{right}" fill="none" stroke="{AXIS}"/>')
    if not points:
        if empty_text:
            parts.append(_text((left + right) / 2, (top + bottom) / 2, empty_text, "middle"))
        parts.append("</svg>")
        return "\n".join(parts)

    def y_of(balance: int) -> float:
        if high == low:
            return (top + bottom) / 2
        return top + (high - balance) / (high - low) * (bottom - top)

    first_day, last_day = points[0][0], points[-1][0]
    span = (last_day - first_day).days

    def x_of(day: dt.date) -> float:
        return left + (day - first_day).days / span * (right - left) if span else left

    path = [f"M{_n(x_of(first_day))} {_n(y_of(values[0]))}"]
    for day, balance in points[1:]:
        path.append(f"H{_n(x_of(day))}V{_n(y_of(balance))}")
    if not span:  # one day: the balance across the whole width
        path.append(f"H{_n(right)}")
    if low < 0 < high:
        parts.append(f'<line class="chart-zero" x1="{_n(left)}" y1="{_n(y_of(0))}" x2="{_n(right)}" '
                     f'y2="{_n(y_of(0))}" stroke="{AXIS}" stroke-dasharray="4 3"/>')
        if min(y_of(0) - top, bottom - y_of(0)) >= FONT_SIZE + 2:  # never on top of min/max
            parts.append(_text(left - 6, y_of(0) + 4, format_yuan(0), "end"))
    parts.append(f'<path class="chart-line" d="{"".join(path)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    last_x = right if not span else x_of(last_day)
    for x, balance in ((x_of(first_day), values[0]), (last_x, values[-1])):
        parts.append(f'<circle class="chart-point" cx="{_n(x)}" cy="{_n(y_of(balance))}" r="3" fill="{LINE}"/>')
    parts.append(_text(left - 6, top + 4, format_yuan(high), "end"))
    if low != high:
        parts.append(_text(left - 6, bottom + 4, format_yuan(low), "end"))
    parts.append(_text(left, bottom + 18, first_day.isoformat()))
    if span:
        parts.append(_text(right, bottom + 18, last_day.isoformat(), "end"))
    parts.append("</svg>")
    return "\n".join(parts)


def category_chart(rows: list[tuple[str, int]], title: str, desc: str,
                   id_prefix: str = "category-chart", empty_text: str = "") -> str:
    """Horizontal bars, one per (label, fen), in the given order; the label above each
    bar and the amount beside it as text."""
    row_height, top, bar_height = 44, 8, 16
    height = top + max(len(rows), 1) * row_height + 8
    parts = _open(id_prefix, height, title, desc, "category")
    if not rows:
        if empty_text:
            parts.append(_text(WIDTH / 2, top + row_height / 2, empty_text, "middle"))
        parts.append("</svg>")
        return "\n".join(parts)
    amounts = [format_yuan(fen) for _label, fen in rows]
    longest = max(abs(fen) for _label, fen in rows)
    bar_room = WIDTH - max(_text_width(amount) for amount in amounts) - 12
    for index, ((label, fen), amount) in enumerate(zip(rows, amounts)):
        y = top + index * row_height
        width = abs(fen) / longest * bar_room if longest else 0
        colour = NEGATIVE if fen < 0 else LINE
        parts.append(_text(0, y + 14, label))
        parts.append(f'<rect class="chart-bar" x="0" y="{_n(y + 20)}" width="{_n(width)}" '
                     f'height="{bar_height}" fill="{colour}"/>')
        parts.append(_text(width + 6, y + 33, amount, css_class="chart-label chart-amount"))
    parts.append("</svg>")
    return "\n".join(parts)
