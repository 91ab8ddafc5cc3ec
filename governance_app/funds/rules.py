"""Money rules (RULES.md R-50 to R-54). Pure: integers in fen, dates, no framework.

Comparisons cross-multiply integers; nothing here uses floats.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

MAINTENANCE_FUND = "maintenance_fund"
COMMON_INCOME = "common_income"
WORKING_FUND = "working_fund"
ACCOUNT_KINDS = (MAINTENANCE_FUND, COMMON_INCOME, WORKING_FUND)

# Categories by account and direction; "transfer" is the one shared by every account.
CATEGORIES: dict[str, dict[str, tuple[str, ...]]] = {
    MAINTENANCE_FUND: {
        "in": ("owner_contribution", "interest", "transfer", "top_up", "other_income"),
        "out": ("repair_elevator", "repair_roof", "repair_pipes", "repair_facade", "repair_fire",
                "repair_pumps", "repair_other", "bank_fee", "transfer"),
    },
    COMMON_INCOME: {
        "in": ("parking", "advertising", "venue_rental", "interest", "other_income", "transfer"),
        "out": ("management_cost", "tax", "bank_fee", "other_expense", "transfer"),
    },
    WORKING_FUND: {
        "in": ("allocation", "other_income", "transfer"),
        "out": ("office", "meeting", "allowance", "other_expense", "transfer"),
    },
}
# SH 73: the emergency procedure, by case.
EMERGENCY_CASES = ("pumps_tanks", "elevator_stopped", "fire_rectification", "facade_risk", "serious_leak")
FUND_MATTER = 5  # CC 278 item 5: using the maintenance fund

# how often each account is published, in months; (C) a statement for a period
# is due within 30 days after the period ends.
CADENCE_MONTHS = {MAINTENANCE_FUND: 6, COMMON_INCOME: 3, WORKING_FUND: 3}
PUBLICATION_GRACE_DAYS = 30
QUESTION_ANSWER_DAYS = 14


class MoneyError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def parse_yuan(text: str) -> int:
    """"1,234.5" -> 123450 fen, exactly; at most two decimals; refuses signs and junk."""
    cleaned = text.strip().replace(",", "").replace("¥", "").replace("￥", "")
    if not cleaned:
        raise MoneyError("empty")
    negative = cleaned.startswith("-")
    digits = cleaned.lstrip("+-")
    whole, _sep, part = digits.partition(".")
    if not whole.isdigit() or (part and not part.isdigit()) or not whole.isascii() or not part.isascii() \
            or digits.count(".") > 1:
        raise MoneyError("not_a_number")
    if len(part) > 2 and part[2:].strip("0"):
        raise MoneyError("too_many_decimals")
    fen = int(whole) * 100 + int(part[:2].ljust(2, "0"))
    return -fen if negative else fen


def format_yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{part:02d}"


def plain_yuan(fen: int) -> str:
    """Without thousands separators, for files."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), 100)
    return f"{sign}{whole}.{part:02d}"


def signed(direction: str, amount: int) -> int:
    return amount if direction == "in" else -amount


def category_allowed(account_kind: str, direction: str, category: str) -> bool:
    return category in CATEGORIES[account_kind][direction]


def needs_authority(account_kind: str, direction: str, category: str) -> bool:
    """R-53: every expense from the maintenance fund cites its authority (transfers between
    the estate's own accounts are not expenses)."""
    return account_kind == MAINTENANCE_FUND and direction == "out" and category != "transfer"


def top_up_due(balance: int, first_period_amount: int) -> bool:
    """R-52: below 30% of the first-period amount (exactly 30% does not trigger)."""
    return first_period_amount > 0 and 10 * balance < 3 * first_period_amount


def top_up_amount(balance: int, first_period_amount: int) -> int:
    """What brings the balance back to 50% of the first-period amount (rounded up to a fen)."""
    target = -(-first_period_amount // 2)  # ceil(first / 2)
    return max(target - balance, 0)


def transfer_share_met(transferred: int, income: int) -> bool:
    """R-51: where common income mainly tops up the fund, each quarter's transfer must exceed
    50% of that quarter's common income (exactly half is not enough)."""
    return 2 * transferred > income


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    return start, add_months(start, 3) - dt.timedelta(days=1)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Due:
    period_end: dt.date  # the end of the next period to publish
    due_on: dt.date  # publish by this day
    overdue: bool


def next_statement_due(account_kind: str, covered_until: dt.date, today: dt.date) -> Due:
    """R-50: the fund at least every half year, common income every quarter. ``covered_until``
    is the last day the published statements cover (or the day before the account opened)."""
    period_end = add_months(covered_until + dt.timedelta(days=1), CADENCE_MONTHS[account_kind]) - dt.timedelta(days=1)
    due_on = period_end + dt.timedelta(days=PUBLICATION_GRACE_DAYS)
    return Due(period_end, due_on, today > due_on)


def question_overdue(asked_on: dt.date, today: dt.date, answered: bool) -> bool:
    """Unanswered questions older than 14 days are flagged."""
    return not answered and (today - asked_on).days > QUESTION_ANSWER_DAYS


def unit_share(balance: int, unit_area: int, total_area: int) -> int:
    """A unit's share of the fund by area, in fen, rounded down (shares never add up to more)."""
    if total_area <= 0:
        return 0
    return balance * unit_area // total_area
