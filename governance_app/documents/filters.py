"""Words and numbers in the documents: the filters the PDF templates use (core.templating
registers them)."""
from __future__ import annotations

import re

from flask_babel import gettext as _

from . import rules


def grouped(decimal: str) -> str:
    """"1234567.89" -> "1,234,567.89"."""
    sign, digits = ("-", decimal[1:]) if decimal.startswith("-") else ("", decimal)
    whole, dot, part = digits.partition(".")
    return f"{sign}{int(whole):,}{dot}{part}"


def wide_spaces(text: str) -> str:
    """En spaces for the blanks of a page number in small CJK type ("第 1 页 共 1 页"): an
    ordinary space there is too narrow for text extraction and search to see."""
    return str(text).replace(" ", "\u2002")


def shown_units(units: list[str]) -> dict:
    """The units an activation letter lists and how many it leaves out (rules.shown_units)."""
    shown, left = rules.shown_units(units)
    return {"shown": shown, "left": left}


def fit(text: str, room: str) -> str:
    """``text`` cut with "…" to the room an activation letter has for it ("estate", "owner")."""
    return rules.fit_text(str(text), {"estate": rules.ESTATE_NAME_EMS, "owner": rules.OWNER_NAME_EMS}[room])


def css_string(text: str) -> str:
    """A quoted CSS string: page margin boxes take their words from CSS."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def page_counter_css() -> str:
    """"Page %(page)s of %(pages)s" in the reader's language, as CSS ``content`` with counters."""
    pieces = re.split(r"(%\(pages?\)s)", _("Page %(page)s of %(pages)s"))
    # En spaces (see wide_spaces): "第1页共3页" would read as one word to pdftotext and search.
    return " ".join({"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}.get(piece)
                    or css_string(wide_spaces(piece)) for piece in pieces if piece)
