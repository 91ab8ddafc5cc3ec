"""Scores as server-rendered SVG, drawn like the accounts' charts (``funds/charts.py``).

Presentation attributes only (the content security policy forbids inline styles); each chart
is an image with a title and a description; every bar and point carries its number as text
(12 px or more), and a score of too few raters (R-72) is written as such instead of drawn.
"""
from __future__ import annotations


from ..core import charts as svg
from .rules import Score, tenths_text

BAR, LOW = svg.BLUE, svg.RED  # LOW: a score below 3.0


def _colour(score: Score) -> str:
    return LOW if score.tenths is not None and score.tenths < 30 else BAR


def score_bars(rows: list[tuple[str, Score]], title: str, desc: str, too_few: str,
               id_prefix: str = "score-chart") -> str:
    """One horizontal bar per (label, score) on a 0-5 scale, with the average and the number
    of raters as text; a score of too few raters shows ``too_few`` instead of a bar."""
    row_height, top, bar_height = 46, 8, 16
    height = top + max(len(rows), 1) * row_height + 8
    bar_room = svg.WIDTH - 100  # room for the score and its raters beside the longest bar
    parts = svg.open_svg(id_prefix, height, title, desc, "scores")
    for index, (label, score) in enumerate(rows):
        y = top + index * row_height
        parts.append(svg.label(0, y + 14, label))
        if not score.shown:
            parts.append(svg.label(0, y + 34, too_few))
            continue
        width = score.tenths / 50 * bar_room
        parts.append(f'<rect class="chart-bar" x="0" y="{svg.n(y + 20)}" width="{svg.n(width)}" '
                     f'height="{bar_height}" fill="{_colour(score)}"/>')
        parts.append(svg.label(width + 6, y + 33, f"{tenths_text(score.tenths)} ({score.raters})"))
    parts.append("</svg>")
    return "\n".join(parts)


def trend_chart(points: list[tuple[str, Score | None]], title: str, desc: str, too_few: str,
                id_prefix: str = "trend-chart") -> str:
    """The overall score per period as points joined by a line on a 1-5 scale; periods of too
    few raters are labelled ``too_few`` and break the line."""
    height, top, bottom, left, right = 230, 16, 180, 30, svg.WIDTH - 16
    parts = svg.open_svg(id_prefix, height, title, desc, "trend")
    parts.append(f'<path class="chart-axis" d="M{left} {top}V{bottom}H{right}" fill="none" stroke="{svg.AXIS}"/>')
    for level in (1, 3, 5):
        y = bottom - (level - 1) / 4 * (bottom - top)
        parts.append(svg.label(left - 6, y + 4, str(level), "end"))
    step = (right - left) / max(len(points), 1)
    path: list[str] = []
    for index, (label, score) in enumerate(points):
        x = left + step * (index + 0.5)
        parts.append(svg.label(x, bottom + 18, label, "middle"))
        if score is None or not score.shown:
            parts.append(svg.label(x, bottom + 36, too_few, "middle"))
            if len(path) > 1:
                parts.append(_line(path))
            path = []
            continue
        y = bottom - (score.tenths - 10) / 40 * (bottom - top)
        path.append(f"{svg.n(x)} {svg.n(y)}")
        parts.append(f'<circle class="chart-point" cx="{svg.n(x)}" cy="{svg.n(y)}" r="4" fill="{_colour(score)}"/>')
        parts.append(svg.label(x, y - 8, tenths_text(score.tenths), "middle"))
    if len(path) > 1:
        parts.append(_line(path))
    parts.append("</svg>")
    return "\n".join(parts)


def _line(points: list[str]) -> str:
    return f'<path class="chart-line" d="M{"L".join(points)}" fill="none" stroke="{BAR}" stroke-width="2"/>'
