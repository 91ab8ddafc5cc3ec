"""Template filters and globals shared by every page."""
from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask
from flask_login import current_user
from flask_babel import get_locale

from . import clock, display
from ..auth.messages import role_title, scope_title
from ..auth.permissions import can
from ..disclosure import services as disclosure
from ..disclosure.messages import member_name
from ..documents import filters as document_filters
from ..estates.messages import change_title, column_title, describe
from ..estates.rules import format_area, mask_name
from ..estates.services import get_estate
from ..funds.messages import account_title, category_title, counterparty_text, direction_title
from ..funds.rules import format_yuan
from .words import rule_sentence
from ..voting import messages as vote_words


def current_locale() -> str:
    """The language of this response as the application names it: "zh_CN" or "en"."""
    locale = get_locale()
    return "zh_CN" if locale is None or locale.language == "zh" else "en"


def local_datetime(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return clock.aware(moment).astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")


def local_date(moment: dt.datetime | None) -> str:
    return local_datetime(moment)[:10]


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
    """Every template filter and global of the platform, registered here and nowhere else."""
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

    app.add_template_global(role_title)
    app.add_template_global(scope_title)

    @app.template_global("can")
    def can_current(action: str, obj=None) -> bool:
        return can(current_user, action, obj)

    @app.template_global("estate_name")
    def estate_name(estate_id: int) -> str:
        estate = get_estate(estate_id)
        return estate.name if estate else ""

    @app.template_global("unread_notices")
    def unread_notices(estate) -> int:
        if not current_user.is_authenticated or not can(current_user, "disclosure.view", estate):
            return 0
        return disclosure.unread_count(estate, current_user)

    app.add_template_filter(member_name, "member_name")
    # The funds' words and money.
    app.add_template_global(format_yuan, "yuan")
    app.add_template_global(category_title, "fund_category")
    app.add_template_global(account_title, "fund_account_title")
    app.add_template_global(direction_title, "fund_direction")
    app.add_template_global(counterparty_text, "fund_counterparty")
    # The votes' words.
    for word in (vote_words.state_title, vote_words.channel_title, vote_words.nomination_title,
                 vote_words.threshold_text, vote_words.last_day, vote_words.voter_units_text, vote_words.names,
                 vote_words.outcome_title):
        app.add_template_global(word)
    # Words and numbers in the PDF documents.
    for name in ("grouped", "wide_spaces", "shown_units", "fit", "css_string"):
        app.add_template_filter(getattr(document_filters, name), name)
    app.add_template_global(document_filters.page_counter_css)
