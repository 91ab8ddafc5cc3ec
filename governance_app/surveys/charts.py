"""Scores as server-rendered SVG, drawn like the accounts' charts (``funds/charts.py``).

Presentation attributes only (the content security policy forbids inline styles); each chart
is an image with a title and a description; every bar and point carries its number as text
(12 px or more), and a score of too few raters (R-72) is written as such instead of drawn.
"""
from __future__ import annotations

import re
from html import escape

from .rules import Score, tenths_text

WIDTH = 320  # phone first, as funds/charts.py: 13 units show at 12 px or more at 375 px
TEXT = "#1f2937"  # 14.7:1 on white
AXIS = "#4b5563"  # 7.6:1
BAR = "#1d4ed8"  # 6.7:1
LOW = "#b91c1c"  # 6.5:1, a score below 3.0
FONT_SIZE = 13
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


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (f'<text class="chart-label" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{TEXT}">'
            f'{escape(text)}</text>')


def _n(number: float) -> str:
    return f"{round(number, 1):g}"


def _colour(score: Score) -> str:
    return LOW if score.tenths is not None and score.tenths < 30 else BAR


def score_bars(rows: list[tuple[str, Score]], title: str, desc: str, too_few: str,
               id_prefix: str = "score-chart") -> str:
    """One horizontal bar per (label, score) on a 0-5 scale, with the average and the number
    of raters as text; a score of too few raters shows ``too_few`` instead of a bar."""
    row_height, top, bar_height = 46, 8, 16
    height = top + max(len(rows), 1) * row_height + 8
    bar_room = WIDTH - 100  # room for the score and its raters beside the longest bar
    parts = _open(id_prefix, height, title, desc, "scores")
    for index, (label, score) in enumerate(rows):
        y = top + index * row_height
        parts.append(_text(0, y + 14, label))
        if not score.shown:
            parts.append(_text(0, y + 34, too_few))
            continue
        width = score.tenths / 50 * bar_room
        parts.append(f'<rect class="chart-bar" x="0" y="{_n(y + 20)}" width="{_n(width)}" '
                     f'height="{bar_height}" fill="{_colour(score)}"/>')
        parts.append(_text(width + 6, y + 33, f"{tenths_text(score.tenths)} ({score.raters})"))
    parts.append("</svg>")
    return "\n".join(parts)


def trend_chart(points: list[tuple[str, Score | None]], title: str, desc: str, too_few: str,
                id_prefix: str = "trend-chart") -> str:
    """The overall score per period as points joined by a line on a 1-5 scale; periods of too
    few raters are labelled ``too_few`` and break the line."""
    height, top, bottom, left, right = 230, 16, 180, 30, WIDTH - 16
    parts = _open(id_prefix, height, title, desc, "trend")
    parts.append(f'<path class="chart-axis" d="M{left} {top}V{bottom}H{right}" fill="none" stroke="{AXIS}"/>')
    for level in (1, 3, 5):
        y = bottom - (level - 1) / 4 * (bottom - top)
        parts.append(_text(left - 6, y + 4, str(level), "end"))
    step = (right - left) / max(len(points), 1)
    path: list[str] = []
    for index, (label, score) in enumerate(points):
        x = left + step * (index + 0.5)
        parts.append(_text(x, bottom + 18, label, "middle"))
        if score is None or not score.shown:
            parts.append(_text(x, bottom + 36, too_few, "middle"))
            if len(path) > 1:
                parts.append(_line(path))
            path = []
            continue
        y = bottom - (score.tenths - 10) / 40 * (bottom - top)
        path.append(f"{_n(x)} {_n(y)}")
        parts.append(f'<circle class="chart-point" cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{_colour(score)}"/>')
        parts.append(_text(x, y - 8, tenths_text(score.tenths), "middle"))
    if len(path) > 1:
        parts.append(_line(path))
    parts.append("</svg>")
    return "\n".join(parts)


def _line(points: list[str]) -> str:
    return f'<path class="chart-line" d="M{"L".join(points)}" fill="none" stroke="{BAR}" stroke-width="2"/>'
