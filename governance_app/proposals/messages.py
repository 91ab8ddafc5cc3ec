"""What the proposals' pages and refusals say, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from ..files.messages import FILE_REASONS
from .models import ProposalError

CATEGORY_TITLES = {
    "lift": _l("Lift added to an old building"),
    "ebike_charging": _l("Sheltered e-bike charging"),
    "greening": _l("Greening"),
    "lighting": _l("Lighting"),
    "accessibility": _l("Accessibility"),
    "repairs": _l("Repairs"),
    "parking": _l("Parking"),
    "other": _l("Other"),
}
STATE_TITLES = {
    "draft": _l("Draft"),
    "support": _l("Collecting support"),
    "awaiting_answer": _l("Awaiting the committee's answer"),
    "declined": _l("Declined"),
    "merged": _l("Merged into another proposal"),
    "preparation": _l("In preparation"),
    "voting": _l("Voting"),
    "passed": _l("Passed"),
    "failed": _l("Failed"),
    "delivery": _l("In delivery"),
    "completed": _l("Completed"),
}
ANSWER_TITLES = {
    "accepted": _l("Accepted: a vote is being prepared"),
    "declined": _l("Declined"),
    "merged": _l("Merged into another proposal"),
    "returned": _l("Returned to the author for changes"),
    "coordination": _l("Coordination opinion"),
}
ROLE_TITLES = {"committee": _l("Owners' committee"), "community_staff": _l("Community staff")}
LINE_TITLES = {
    "owners": _l("Owners' contributions (居民自筹)"),
    "subsidy": _l("Government subsidy (政府补贴)"),
    "common_income": _l("Common income (公共收益)"),
    "maintenance_fund": _l("Maintenance fund (专项维修资金)"),
}
SUBSIDY_TITLES = {"to_apply": _l("To apply"), "applied": _l("Applied"), "granted": _l("Granted"),
                  "refused": _l("Refused")}
APPORTION_TITLES = {"area": _l("By area"), "unit": _l("Per unit")}

REASONS = {
    "wrong_state": _l("This cannot be done while the proposal is in this state."),
    "owners_only": _l("Only verified owners of the estate can raise a proposal."),
    "author_only": _l("Only the author can change or submit a draft."),
    "no_title": _l("Give a title."),
    "no_milestone": _l("This project has no such milestone."),
    "milestone_reached": _l("This milestone was already marked reached on %(day)s."),
    "no_text": _l("Write what happened."),
    "bad_category": _l("Choose a category."),
    "negative_cost": _l("The cost cannot be negative."),
    "unknown_building": _l("There is no building %(building)s in this estate."),
    "not_in_scope": _l("You do not hold a unit within this proposal's scope (or you are not the unit's voting representative)."),
    "already_signed": _l("You have already co-signed this proposal."),
    "not_signed": _l("You have not co-signed this proposal."),
    "bad_answer": _l("Choose an answer."),
    "reasons_needed": _l("Write the reasons."),
    "bad_merge": _l("Choose another submitted proposal of this estate to merge into."),
    "bad_apportion": _l("Choose how the owners' contributions are shared."),
    "cost_not_positive": _l("The total cost must be greater than zero."),
    "unknown_line": _l("Unknown line."),
    "negative_line": _l("No line can be negative."),
    "subsidy_status": _l("Choose the subsidy's status."),
    "line_twice": _l("Each line appears once."),
    "lines_do_not_add_up": _l("The lines add up to %(covered)s fen but the cost is %(cost)s fen: they must be equal (R-71)."),
    "common_income_exceeds": _l("The plan uses %(used)s fen of common income but only %(available)s fen are available (R-71)."),
    "fund_needs_resolution": _l("The maintenance fund can be used only through a resolution to use it (matter 5, R-53)."),
    "no_accounts": _l("The estate's accounts are not open yet."),
    "no_plan": _l("Enter a funding plan first."),
    "plan_approved": _l("This version of the plan is already approved."),
    "plan_not_approved": _l("Approve the funding plan first."),
    "no_contractor": _l("Name the contractor."),
    "bad_percent": _l("The percentage complete is between 0 and 100."),
    "rating_closed": _l("Ratings are taken for 30 days after the project is completed."),
    "bad_stars": _l("Choose 1 to 5 stars."),
    "already_rated": _l("You have already rated this project."),
    "bad_settings": _l("The answer threshold is 1 to 20 percent of the owners and each period 1 to 90 days."),
    "vote_closes_before_opening": _l("The last day comes before the opening day."),
    "vote_unknown_building": _l("There is no building %(building)s in this estate."),
    "vote_bad_matter": _l("The matter must be 1 to 9."),
    "payment_period_published": _l("That date lies in a published statement (up to %(until)s), which can no longer change (R-54)."),
    "payment_before_opening": _l("The accounts start on %(opened_on)s: choose a later date."),
    "payment_amount_not_positive": _l("The amount must be greater than zero."),
    "payment_bad_category": _l("That category does not belong to this account and direction."),
    "payment_authority_missing": _l("Every maintenance-fund expense needs its authority (R-53): a passed resolution to use the fund."),
    "payment_authority_not_passed": _l("The proposal's vote did not pass a resolution to use the maintenance fund (matter 5, R-53)."),
    "payment_use_transfer": _l("Record transfers between accounts with the transfer form."),
}

REASONS.update({f"file_{reason}": text for reason, text in FILE_REASONS.items()})  # a refused upload
register_messages(ProposalError, REASONS, fallback=_l("This cannot be done."))
