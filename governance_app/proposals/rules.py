"""Residents' proposals as pure rules: co-signing thresholds, the funding plan, the matter of the
vote, the owners' rating (RULES.md R-41, R-53, R-70, R-71; who counts: R-02, R-15).

Plain integers in, answers out: no Flask, no SQLAlchemy, no app. Areas are hundredths of m²,
money is fen; every comparison cross-multiplies integers.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

CATEGORIES = ("lift", "ebike_charging", "greening", "lighting", "accessibility", "repairs", "parking", "other")
# The lines of a funding plan.
LINE_KINDS = ("owners", "subsidy", "common_income", "maintenance_fund")
SUBSIDY_STATUSES = ("to_apply", "applied", "granted", "refused")
APPORTION_MODES = ("area", "unit")
ASSEMBLY_PERCENT = 20  # 20% of the area AND 20% of the heads
DEFAULT_ANSWER_PERCENT = 5  # R-70 (C): the committee must answer at 5% of the heads
DEFAULT_ANSWER_DAYS = 30  # R-70 (C)
DEFAULT_VOTE_DAYS = 30  # R-70 (C): a required assembly is prepared within 30 days
# What an estate's rules of procedure may choose instead (R-70 (C)). Above 20% of the heads the
# owners could require the assembly itself before the committee even had to answer them;
# a period beyond 90 days leaves owners without an answer for a whole season.
ANSWER_PERCENT_MIN, ANSWER_PERCENT_MAX = 1, ASSEMBLY_PERCENT
SETTINGS_DAYS_MIN, SETTINGS_DAYS_MAX = 1, 90
RATING_DAYS = 30
FUND_MATTER, REBUILD_MATTER, CHANGE_OF_USE_MATTER, OTHER_MATTER = 5, 7, 8, 9
REBUILD_CATEGORIES = frozenset({"lift"})


# --- co-signing thresholds (R-70, R-41) ------------------------------------------------------------

def share_reached(part: int, total: int, percent: int) -> bool:
    """``part`` is at least ``percent``% of ``total`` ("以上" includes the boundary):
    ``100 * part >= percent * total``. Nothing is reached against an empty scope."""
    if total <= 0:
        return False
    return 100 * part >= percent * total


def needed_for(total: int, percent: int) -> int:
    """The smallest whole number that reaches ``percent``% of ``total`` (what a page shows as the target)."""
    return -(-percent * total // 100)


def answer_due(signed_heads: int, total_heads: int, percent: int = DEFAULT_ANSWER_PERCENT) -> bool:
    """R-70: the committee must answer once the co-signers are ``percent``% of the heads in scope."""
    return share_reached(signed_heads, total_heads, percent)


def assembly_may_be_required(signed_area: int, total_area: int, signed_heads: int, total_heads: int) -> bool:
    """R-41 and R-70: 20% of the area AND 20% of the heads in scope may require the assembly:
    ``5 * area >= total_area`` and ``5 * heads >= total_heads``."""
    return share_reached(signed_area, total_area, ASSEMBLY_PERCENT) and \
        share_reached(signed_heads, total_heads, ASSEMBLY_PERCENT)


def settings_allowed(answer_percent: int, answer_days: int, vote_days: int) -> bool:
    """An estate's choice of R-70's threshold and periods lies within the bounds above (inclusive)."""
    return ANSWER_PERCENT_MIN <= answer_percent <= ANSWER_PERCENT_MAX and all(
        SETTINGS_DAYS_MIN <= days <= SETTINGS_DAYS_MAX for days in (answer_days, vote_days))


def percent_of(part: int, total: int) -> int:
    """A progress bar's width in whole percent (floor, at most 100); for display only."""
    if total <= 0:
        return 0
    return min(100, 100 * part // total)


# --- the funding plan (R-71, R-53) ----------------------------------------------------------------------

def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` fen over ``weights`` by the largest-remainder method (R-71).

    Shares come in the order of the weights (the caller sorts units by label) and sum to
    ``total`` exactly. Each share is the floor of its exact proportion ``total * w / W`` plus at
    most one fen; the fen left over go one each to the largest remainders, a tie going to the
    earlier position. A negative total, no weights, a negative weight or all-zero weights raise
    ``ValueError``.
    """
    if total < 0:
        raise ValueError("negative total")
    if not weights:
        raise ValueError("no weights")
    if any(weight < 0 for weight in weights):
        raise ValueError("negative weight")
    whole = sum(weights)
    if whole == 0:
        raise ValueError("all weights are zero")
    shares, remainders = [], []
    for position, weight in enumerate(weights):
        share, remainder = divmod(total * weight, whole)
        shares.append(share)
        remainders.append((-remainder, position))
    left = total - sum(shares)
    for _remainder, position in sorted(remainders)[:left]:
        shares[position] += 1
    return shares


@dataclass(frozen=True)
class PlanLine:
    kind: str
    amount: int
    status: str = ""  # a subsidy's status


def plan_problem(total_cost: int, lines: Iterable[PlanLine], *, common_income_available: int | None = None,
                 fund_resolution: bool = False) -> tuple[str, dict] | None:
    """The first reason a funding plan cannot stand, with its details, or ``None`` (R-71, R-53).

    The lines are whole fen, not negative, of known kinds; they add up to the cost exactly; the
    common income used is not more than the account's available balance (when it is checked, at
    approval); the maintenance fund is used only through a matter-5 resolution (``fund_resolution``:
    the plan goes to such a vote)."""
    lines = list(lines)
    if total_cost <= 0:
        return "cost_not_positive", {}
    for line in lines:
        if line.kind not in LINE_KINDS:
            return "unknown_line", {"kind": line.kind}
        if line.amount < 0:
            return "negative_line", {}
        if line.kind == "subsidy" and line.status not in SUBSIDY_STATUSES:
            return "subsidy_status", {}
    if len({line.kind for line in lines}) != len(lines):
        return "line_twice", {}
    covered = sum(line.amount for line in lines)
    if covered != total_cost:
        return "lines_do_not_add_up", {"covered": covered, "cost": total_cost}
    used = sum(line.amount for line in lines if line.kind == "common_income")
    if common_income_available is not None and used > common_income_available:
        return "common_income_exceeds", {"used": used, "available": common_income_available}
    if any(line.kind == "maintenance_fund" and line.amount > 0 for line in lines) and not fund_resolution:
        return "fund_needs_resolution", {}
    return None


def uses_maintenance_fund(lines: Iterable[PlanLine]) -> bool:
    return any(line.kind == "maintenance_fund" and line.amount > 0 for line in lines)


def matter_for(category: str, *, uses_fund: bool, changes_use: bool) -> int:
    """The matter of CC 278 a proposal's resolution is decided under: 5 when maintenance-fund
    money is used (R-53), 7 for a lift or other rebuilding, 8 for a change of the use of common
    parts, 9 otherwise."""
    if uses_fund:
        return FUND_MATTER
    if category in REBUILD_CATEGORIES:
        return REBUILD_MATTER
    if changes_use:
        return CHANGE_OF_USE_MATTER
    return OTHER_MATTER


# --- deadlines (R-70) ----------------------------------------------------------------------------------

def due_after(day: dt.date, days: int) -> dt.date:
    """A period's first day is not counted; it ends with its last day (R-31)."""
    return day + dt.timedelta(days=days)


def rating_open(completed_on: dt.date, today: dt.date, days: int = RATING_DAYS) -> bool:
    """Owners rate a completed project for ``days`` days after the day it was marked complete."""
    return completed_on <= today <= due_after(completed_on, days)


# --- the owners' rating ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RatingSummary:
    raters: int
    average_tenths: int  # the average by heads in tenths, rounded half up (4.25 -> 43)
    distribution: tuple[int, ...]  # how many gave 1, 2, 3, 4, 5


def summarise_ratings(stars: Iterable[int]) -> RatingSummary:
    """One rating per owner key (R-15), each 1 to 5; the average by heads."""
    given = list(stars)
    if any(not 1 <= star <= 5 for star in given):
        raise ValueError("a rating is 1 to 5")
    distribution = tuple(given.count(star) for star in range(1, 6))
    if not given:
        return RatingSummary(0, 0, distribution)
    return RatingSummary(len(given), (20 * sum(given) + len(given)) // (2 * len(given)), distribution)
