"""The accounts' charts: the balance over time and the year by category (drawn as every chart of
the site is: ``core/charts.py``)."""
from __future__ import annotations

import datetime as dt

from ..core import charts as svg
from .rules import format_yuan

CHAR_WIDTH = 8.2  # a digit at 13 units, wide enough for "," and "." too
LINE, NEGATIVE = svg.BLUE, svg.RED


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
    right, bottom = svg.WIDTH - 12, height - bottom_margin
    parts = svg.open_svg(id_prefix, height, title, desc, "balance")
    parts.append(f'<path class="chart-axis" d="M{svg.n(left)} {top}V{bottom}H{right}" fill="none" '
                 f'stroke="{svg.AXIS}"/>')
    if not points:
        if empty_text:
            parts.append(svg.label((left + right) / 2, (top + bottom) / 2, empty_text, "middle"))
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

    path = [f"M{svg.n(x_of(first_day))} {svg.n(y_of(values[0]))}"]
    for day, balance in points[1:]:
        path.append(f"H{svg.n(x_of(day))}V{svg.n(y_of(balance))}")
    if not span:  # one day: the balance across the whole width
        path.append(f"H{svg.n(right)}")
    if low < 0 < high:
        parts.append(f'<line class="chart-zero" x1="{svg.n(left)}" y1="{svg.n(y_of(0))}" x2="{svg.n(right)}" '
                     f'y2="{svg.n(y_of(0))}" stroke="{svg.AXIS}" stroke-dasharray="4 3"/>')
        if min(y_of(0) - top, bottom - y_of(0)) >= svg.FONT_SIZE + 2:  # never on top of min/max
            parts.append(svg.label(left - 6, y_of(0) + 4, format_yuan(0), "end"))
    parts.append(f'<path class="chart-line" d="{"".join(path)}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    last_x = right if not span else x_of(last_day)
    for x, balance in ((x_of(first_day), values[0]), (last_x, values[-1])):
        parts.append(f'<circle class="chart-point" cx="{svg.n(x)}" cy="{svg.n(y_of(balance))}" r="3" fill="{LINE}"/>')
    parts.append(svg.label(left - 6, top + 4, format_yuan(high), "end"))
    if low != high:
        parts.append(svg.label(left - 6, bottom + 4, format_yuan(low), "end"))
    parts.append(svg.label(left, bottom + 18, first_day.isoformat()))
    if span:
        parts.append(svg.label(right, bottom + 18, last_day.isoformat(), "end"))
    parts.append("</svg>")
    return "\n".join(parts)


def category_chart(rows: list[tuple[str, int]], title: str, desc: str,
                   id_prefix: str = "category-chart", empty_text: str = "") -> str:
    """Horizontal bars, one per (label, fen), in the given order; the label above each
    bar and the amount beside it as text."""
    row_height, top, bar_height = 44, 8, 16
    height = top + max(len(rows), 1) * row_height + 8
    parts = svg.open_svg(id_prefix, height, title, desc, "category")
    if not rows:
        if empty_text:
            parts.append(svg.label(svg.WIDTH / 2, top + row_height / 2, empty_text, "middle"))
        parts.append("</svg>")
        return "\n".join(parts)
    amounts = [format_yuan(fen) for _label, fen in rows]
    longest = max(abs(fen) for _label, fen in rows)
    bar_room = svg.WIDTH - max(_text_width(amount) for amount in amounts) - 12
    for index, ((label, fen), amount) in enumerate(zip(rows, amounts)):
        y = top + index * row_height
        width = abs(fen) / longest * bar_room if longest else 0
        colour = NEGATIVE if fen < 0 else LINE
        parts.append(svg.label(0, y + 14, label))
        parts.append(f'<rect class="chart-bar" x="0" y="{svg.n(y + 20)}" width="{svg.n(width)}" '
                     f'height="{bar_height}" fill="{colour}"/>')
        parts.append(svg.label(width + 6, y + 33, amount, css_class="chart-label chart-amount"))
    parts.append("</svg>")
    return "\n".join(parts)
