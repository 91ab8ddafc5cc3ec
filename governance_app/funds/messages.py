"""Accounts, categories and refusals in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from .models import FundError

ACCOUNT_TITLES = {
    "maintenance_fund": _l("Maintenance fund"),
    "common_income": _l("Common income"),
    "working_fund": _l("Committee working fund"),
}
CATEGORY_TITLES = {
    "owner_contribution": _l("Owners' contributions"),
    "interest": _l("Interest"),
    "transfer": _l("Transfer between accounts"),
    "top_up": _l("Top-up (续筹)"),
    "other_income": _l("Other income"),
    "repair_elevator": _l("Repairs: elevators"),
    "repair_roof": _l("Repairs: roofs and waterproofing"),
    "repair_pipes": _l("Repairs: water and drain pipes"),
    "repair_facade": _l("Repairs: façades"),
    "repair_fire": _l("Repairs: fire systems"),
    "repair_pumps": _l("Repairs: pumps and tanks"),
    "repair_other": _l("Repairs: other common parts"),
    "bank_fee": _l("Bank fees"),
    "parking": _l("Parking"),
    "advertising": _l("Advertising"),
    "venue_rental": _l("Venue rental"),
    "management_cost": _l("Reasonable management costs"),
    "tax": _l("Taxes"),
    "other_expense": _l("Other expenses"),
    "allocation": _l("Allocation from common income"),
    "office": _l("Office costs"),
    "meeting": _l("Meetings"),
    "allowance": _l("Members' allowances"),
    "": _l("not yet chosen"),
}
EMERGENCY_TITLES = {
    "pumps_tanks": _l("Emergency: water pumps or tanks"),
    "elevator_stopped": _l("Emergency: an elevator ordered to stop"),
    "fire_rectification": _l("Emergency: fire systems under a rectification order"),
    "facade_risk": _l("Emergency: certified risk of the façade falling"),
    "serious_leak": _l("Emergency: certified serious leaks"),
}
DIRECTION_TITLES = {"in": _l("In"), "out": _l("Out")}
REASONS = {
    "accounts_exist": _l("The accounts are already open."),
    "negative_amount": _l("Amounts cannot be negative."),
    "period_published": _l("That date lies in a published statement (up to %(until)s), which can no longer change (R-54). Record a correction in a later period."),
    "before_opening": _l("The accounts start on %(opened_on)s: choose a later date."),
    "statement_frozen": _l("A published statement cannot change (R-54)."),
    "unknown_emergency": _l("Choose one of the emergency cases."),
    "authority_missing": _l("Every maintenance-fund expense needs its authority (R-53): a passed resolution to use the fund, or the emergency procedure."),
    "authority_not_passed": _l("That resolution was not passed and published for using the fund (matter 5)."),
    "bad_direction": _l("Choose in or out."),
    "amount_not_positive": _l("The amount must be greater than zero."),
    "bad_category": _l("That category does not belong to this account and direction."),
    "use_transfer": _l("Record transfers between accounts with the transfer form."),
    "not_a_draft": _l("This entry is no longer a draft."),
    "nothing_chosen": _l("Choose a category for at least one line to post."),
    "reservation_exceeds": _l("Only %(available)s fen of this account are available (R-71)."),
    "same_account": _l("Choose two different accounts."),
    "not_posted": _l("Only posted entries can be reversed."),
    "already_reversed": _l("This entry has already been reversed."),
    "transfer_leg": _l("A transfer is corrected with a transfer back between the same two accounts, not by "
                       "reversing one side."),
    "reversal_before_entry": _l("A correction cannot be dated before the entry it corrects."),
    "period_gap": _l("The next statement must start on %(start)s, the day after the last published one."),
    "period_backwards": _l("The period ends before it starts."),
    "period_not_over": _l("A period can be published only after it has ended."),
    "drafts_in_period": _l("%(count)s imported entries of this period are still drafts: post or discard them first."),
    "no_account": _l("Open the accounts first."),
    "bad_amount": _l("The amount is not a number with at most two decimals."),
}


register_messages(FundError, REASONS)


def category_title(code: str) -> str:
    return str(CATEGORY_TITLES.get(code, code))


def counterparty_text(entry) -> str:
    """Who the money came from or went to. A transfer between accounts stores the other account's
    code (``common_income``) so that its pair can be found; a reader sees the account's name."""
    if entry.transfer_group and entry.counterparty in ACCOUNT_TITLES:
        return account_title(entry.counterparty)
    return entry.counterparty


def account_title(kind) -> str:
    return str(ACCOUNT_TITLES.get(getattr(kind, "value", kind), kind))


def direction_title(direction: str) -> str:
    return str(DIRECTION_TITLES.get(direction, direction))
