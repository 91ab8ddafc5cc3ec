"""Template filters and globals shared by every page."""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_login import current_user
from flask_babel import get_locale
from markupsafe import Markup

from . import display
from ..estates.messages import change_title, column_title, describe
from ..estates.rules import format_area


def current_locale() -> str:
    """The language of this response as the application names it: "zh_CN" or "en"."""
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


def mask_name(name: str) -> str:
    """R-61: surname plus 某 (张某) for people; companies keep their name."""
    if not name or any(mark in name for mark in ("公司", "集团", "有限", "Co.", "Ltd")):
        return name
    if name.isascii():
        return name.split()[0] + " *" if " " in name else name[:1] + "*"
    return name[:1] + "某"


def local_datetime(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%Y-%m-%d %H:%M")


def local_date(moment: dt.datetime | None) -> str:
    return local_datetime(moment)[:10]


def rule_sentence(text: str, rule: str) -> Markup:
    """A rule as residents read it: the plain sentence, then its id small, for those who look it
    up (STYLE.md, habit 18)."""
    return Markup('{} <small class="rule-ref">{}</small>').format(text, rule)


def last_local_day(end: dt.datetime | None) -> str:
    """The last day of a period stored as the instant it ends: a period ending at 24:00 of 8 May
    is stored as 00:00 of 9 May, and its last day is 8 May (R-31)."""
    return local_date(end - dt.timedelta(microseconds=1)) if end is not None else ""


@lru_cache(maxsize=256)
def static_version(folder: str, filename: str) -> str:
    """The first 12 hex digits of the file's SHA-256: a new version gets a new address, so that
    the proxy can tell browsers to keep static files for a year (deploy/nginx)."""
    try:
        return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:12]
    except OSError:
        return ""


def register(app: Flask) -> None:
    display.register(app)  # 长辈版: the display every page reads
    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = static_version(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    app.add_template_filter(format_area, "area")
    app.add_template_global(current_locale)
    app.add_template_global(column_title)
    app.add_template_global(change_title)
    app.add_template_global(describe)
    app.add_template_filter(mask_name, "mask_name")
    app.add_template_filter(local_datetime, "local_datetime")
    app.add_template_filter(local_date, "local_date")
    app.add_template_filter(last_local_day, "last_local_day")
    app.add_template_global(rule_sentence)

    from ..auth.admin import role_title, scope_title
    from ..auth.permissions import can
    from ..estates.services import get_estate

    app.add_template_global(role_title)
    app.add_template_global(scope_title)

    @app.template_global("can")
    def can_current(action: str, obj=None) -> bool:
        return can(current_user, action, obj)

    @app.template_global("estate_name")
    def estate_name(estate_id: int) -> str:
        estate = get_estate(estate_id)
        return estate.name if estate else ""
