"""Template filters and globals shared by every page."""
from __future__ import annotations

from flask import Flask

from ..estates.messages import change_title, column_title, describe
from ..estates.rules import format_area
from .i18n import select_locale


def current_locale() -> str:
    """The chosen language's code as the application names it: "zh_CN" or "en"."""
    return select_locale()


def register(app: Flask) -> None:
    app.add_template_filter(format_area, "area")
    app.add_template_global(current_locale)
    app.add_template_global(column_title)
    app.add_template_global(change_title)
    app.add_template_global(describe)
