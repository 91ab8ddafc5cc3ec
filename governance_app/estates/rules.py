"""Who counts, and how much: the roll (RULES.md R-01 to R-04, R-15).

Pure functions on plain values. Areas are integer hundredths of a square metre.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DEVELOPER_KEY = "developer"
# One optional sign; commas only as thousands separators ("1,234.50"), so a
# decimal comma ("88,5") is refused instead of read as 885 m².
AREA_PATTERN = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$")
AREA_SOURCES = ("registry", "survey", "contract")


class AreaError(ValueError):
    """An area could not be read; ``reason`` is one of ``AreaError.REASONS``."""

    REASONS = ("empty", "not_a_number", "too_many_decimals", "not_positive")

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class RollError(ValueError):
    """The roll is inconsistent (a unit without owner, a co-owned unit without representative)."""

    def __init__(self, reason: str, unit: str):
        super().__init__(f"{reason}: {unit}")
        self.reason = reason
        self.unit = unit


def parse_area(text: str) -> int:
    """Read an area in m² written with at most two decimals into hundredths (exactly).

    ``"88.5"`` gives 8850. Negative, zero, three decimals, or anything that is
    not a plain decimal number is refused with the reason.
    """
    cleaned = text.strip()
    if not cleaned:
        raise AreaError("empty")
    match = AREA_PATTERN.match(cleaned)
    if not match:
        raise AreaError("not_a_number")
    negative = match.group(1) == "-"
    whole, decimals = match.group(2).replace(",", ""), match.group(3) or ""
    if len(decimals) > 2:
        if decimals[2:].strip("0"):
            raise AreaError("too_many_decimals")
        decimals = decimals[:2]
    hundredths = int(whole) * 100 + int(decimals.ljust(2, "0"))
    if negative or hundredths <= 0:
        raise AreaError("not_positive")
    return hundredths


def format_area(hundredths: int) -> str:
    """Hundredths of m² as a decimal string with exactly two decimals: 8850 -> "88.50"."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    return f"{sign}{whole}.{part:02d}"


def best_area_source(available: Iterable[str]) -> str:
    """R-01: registry area first, then the survey, then the sales contract."""
    present = set(available)
    for source in AREA_SOURCES:
        if source in present:
            return source
    raise ValueError("no area source")


@dataclass(frozen=True)
class RollUnit:
    """One unit as the roll sees it.

    ``owners`` are opaque owner keys (one natural or legal person each);
    several keys mean a co-owned unit, whose ``representative`` must be one of them.
    """

    label: str
    building: str
    area: int
    owners: tuple[str, ...]
    representative: str | None = None
    developer_held: bool = False


@dataclass(frozen=True)
class Voter:
    """One owner in the sense of R-02/R-15: one head, the summed area of its units."""

    key: str
    units: tuple[str, ...]
    area: int
    representative: str | None

    heads = 1


@dataclass(frozen=True)
class Roll:
    voters: tuple[Voter, ...]
    total_area: int
    total_heads: int
    unit_count: int

    def voter_of(self, unit_label: str) -> Voter:
        for voter in self.voters:
            if unit_label in voter.units:
                return voter
        raise KeyError(unit_label)


def voter_key(unit: RollUnit) -> str:
    """The owner key a unit's area and head belong to (R-02, R-03, R-15).

    - Every unit the developer still holds belongs to the one developer key.
    - A unit with one owner belongs to that owner, so one buyer's several units
      fall under one key.
    - A co-owned unit belongs to its group of co-owners taken together: the
      same group holding two units is one owner; the group is a different owner
      from any of its members holding a unit alone.
    """
    if unit.developer_held:
        return DEVELOPER_KEY
    if not unit.owners:
        raise RollError("no_owner", unit.label)
    if len(set(unit.owners)) == 1:
        return unit.owners[0]
    if unit.representative not in unit.owners:
        raise RollError("no_representative", unit.label)
    return "+".join(sorted(set(unit.owners)))


def count_roll(units: Iterable[RollUnit], buildings: Iterable[str] | None = None) -> Roll:
    """Turn units into voters and totals (R-02, R-03, R-15).

    With ``buildings`` only the units of those buildings count (R-04): a vote on
    common property that serves only some buildings.
    """
    wanted = None if buildings is None else set(buildings)
    grouped: dict[str, list[RollUnit]] = {}
    for unit in units:
        if wanted is not None and unit.building not in wanted:
            continue
        grouped.setdefault(voter_key(unit), []).append(unit)
    voters = tuple(
        Voter(
            key=key,
            units=tuple(sorted(u.label for u in held)),
            area=sum(u.area for u in held),
            representative=_representative(key, held),
        )
        for key, held in sorted(grouped.items())
    )
    return Roll(
        voters=voters,
        total_area=sum(v.area for v in voters),
        total_heads=len(voters),
        unit_count=sum(len(v.units) for v in voters),
    )


def _representative(key: str, held: list[RollUnit]) -> str | None:
    """Who casts the voter's ballot: the owner, the co-owners' chosen one, or
    the developer's single holding company (``None`` if that is not one person)."""
    if key == DEVELOPER_KEY:
        holders = {owner for unit in held for owner in unit.owners}
        return holders.pop() if len(holders) == 1 else None
    if len(set(held[0].owners)) == 1:
        return key
    representatives = {unit.representative for unit in held}
    if len(representatives) != 1:
        raise RollError("conflicting_representatives", held[0].label)
    return representatives.pop()


# --- names of people on lists ---------------------------------------------------------------

# Compound surnames in common use (复姓): kept whole, so 欧阳娜娜 is 欧阳某, not 欧某.
COMPOUND_SURNAMES = frozenset((
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "独孤", "南宫", "西门", "百里", "呼延", "端木", "万俟", "闻人", "赫连", "澹台", "公羊",
    "太史", "申屠", "钟离", "鲜于", "司空", "濮阳", "拓跋", "第五", "仲孙", "东郭", "左丘", "梁丘", "单于",
))
# A name with one of these is an organisation (an owner of type 单位), and is shown as it is.
COMPANY_MARKS = ("公司", "集团", "有限", "合作社", "中心", "委员会", "事务所", "银行", "医院", "学校", "研究所",
                 "商行", "工作室", "Co.", "Ltd", "Inc", "LLC", "GmbH")


def is_company_name(name: str) -> bool:
    return any(mark.lower() in name.lower() for mark in COMPANY_MARKS)


def mask_name(name: str) -> str:
    """R-61: a person on a list is shown as the surname plus 某 (张伟 -> 张某); a compound surname
    is kept whole (欧阳娜娜 -> 欧阳某); a one-character name is its surname (张 -> 张某); a company
    keeps its name. Latin-script names keep their first word and a star (John Smith -> John *)."""
    name = (name or "").strip()
    if not name or is_company_name(name):
        return name
    if name.isascii():
        return name.split()[0] + " *" if " " in name else name[:1] + "*"
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2] + "某"
    return name[:1] + "某"
