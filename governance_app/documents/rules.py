"""Document numbers, content hashes and filing deadlines (R-46). Pure: standard library only.

A document's hash covers the values it shows, never the PDF bytes: the same vote
result rendered twice, by two versions of WeasyPrint or in two fonts, has the same
hash. The values are canonical JSON (DESIGN.md, "Verifiability"): UTF-8, keys
sorted, no insignificant whitespace, areas and amounts as decimal strings, dates
and times as ISO 8601 strings.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import Any

PREFIX = "GV"
# Crockford's base 32: no I, L, O or U, so a number read aloud or typed from paper is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP = 4
NUMBER = re.compile(rf"^{PREFIX}-(\d{{4}})-([{ALPHABET}]{{{GROUP}}})-([{ALPHABET}]{{{GROUP}}})$")
# What people mistype for which character when copying a number from paper.
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
FILING_DAYS = 30
# What an activation letter has room for (activation_letters.html): its slots have fixed heights.
# A line of the letter is 47 ems of 10.5 pt; the title's is 29 of 17 pt. The units get three lines
# less the label, "and N more" and, at two line ends, a unit label of 40 characters moved whole
# to the next line; the estate's name two title lines less the title's words; a name two lines.
UNITS_SHOWN_EMS = 80
ESTATE_NAME_EMS = 44
OWNER_NAME_EMS = 88


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def data_sha256(value: Any) -> str:
    """The hex SHA-256 of the canonical JSON of ``value``: what a document's footer prints."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


def new_number(year: int, choice: Callable[[str], str] = secrets.choice) -> str:
    """``GV-2026-7KQ3-M9TX``: 8 characters from a CSPRNG (40 bits), typable from paper."""
    random_part = "".join(choice(ALPHABET) for _ in range(2 * GROUP))
    return f"{PREFIX}-{year:04d}-{random_part[:GROUP]}-{random_part[GROUP:]}"


def normalise_number(text: str) -> str | None:
    """The number as issued, from what someone typed or pasted (any case, spaces or dashes
    missing or added, O for 0, I or L for 1); ``None`` if it cannot be a document number."""
    compact = re.sub(r"[\s\-‐‑–—_]", "", (text or "").upper())
    if not compact.startswith(PREFIX):
        return None
    body = compact[len(PREFIX):].translate(LOOKALIKES)
    if len(body) != 4 + 2 * GROUP:
        return None
    number = f"{PREFIX}-{body[:4]}-{body[4:4 + GROUP]}-{body[4 + GROUP:]}"
    return number if NUMBER.match(number) else None


def filing_deadline(election_day: dt.date) -> dt.date:
    """R-46: the elected committee files with the sub-district within 30 days of the election.
    The election day is not counted (CC 201), so the 30th day after it is the last day."""
    return election_day + dt.timedelta(days=FILING_DAYS)


def decimal_text(hundredths: int) -> str:
    """Integer hundredths (of m² or of a yuan) as the decimal string canonical JSON uses."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{part:02d}"


def share_text(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with two decimals, rounded half up, from integers only."""
    if whole <= 0:
        return "0.00"
    basis_points = (20000 * part + whole) // (2 * whole)  # round half up
    return decimal_text(basis_points)


def two_thirds_met(part: int, whole: int) -> bool:
    """R-10 for one measure: at least two thirds."""
    return whole > 0 and 3 * part >= 2 * whole


def text_ems(text: str) -> float:
    """The width of ``text`` in ems, nearly: a Chinese (wide) character is one em, anything
    else is taken at 0.6 em (wider than a digit or a hyphen in Noto Sans CJK)."""
    return sum(1.0 if unicodedata.east_asian_width(char) in "WF" else 0.6 for char in text)


def fit_text(text: str, ems: float) -> str:
    """``text`` if it is at most ``ems`` wide, else as much of it as fits with "…" after."""
    if text_ems(text) <= ems:
        return text
    used = 1.0  # the ellipsis
    for index, char in enumerate(text):
        used += text_ems(char)
        if used > ems:
            return text[:index] + "…"
    return text


def shown_units(units: list[str], ems: float = UNITS_SHOWN_EMS) -> tuple[list[str], int]:
    """The units a letter has room to list, in order, and how many are left out: the
    developer's voter key can hold hundreds of units (R-02), and a letter has a page."""
    shown: list[str] = []
    used = 0.0
    for unit in units:
        used += text_ems(unit) + 1  # and the 、 after it
        if used > ems:
            break
        shown.append(unit)
    return shown, len(units) - len(shown)
