"""Re-election refusals and names in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from ..voting.messages import COMMITTEE_SIZE_REASONS
from .models import SupervisionError

REASONS = {
    "already_open": _l("This estate already has a process under way."),
    "no_committee": _l("This estate has no committee in term: start a first election instead."),
    "has_committee": _l("This estate has a committee in term: start a re-election or a by-election instead."),
    "closed": _l("This process is closed."),
    "out_of_order": _l("Stages happen in order: stage %(expected)s comes next, not stage %(stage)s."),
    "in_the_future": _l("A stage is recorded once it has happened: the date is in the future."),
    "before_previous": _l("A stage cannot be dated before the stage before it (%(previous)s)."),
    "group_formed": _l("The group is already formed."),
    "no_members": _l("Add the group's members first."),
    "posting_days": _l("The posting lasts 1 to 30 days."),
    "not_nominating": _l("Nominations are not open."),
    "too_few_nominees": _l("There must be at least as many candidates as seats (%(seats)s)."),
    "not_reviewing": _l("Candidates are reviewed after nominations close."),
    "unknown_ground": _l("Unknown ground of R-44."),
    "ineligible": _l("%(name)s has a ground of R-44 and cannot be approved."),
    "pledge_missing": _l("%(name)s must sign the pledge of duty before approval (R-44)."),
    "reasons_missing": _l("Give the reasons."),
    "review_unfinished": _l("Decide on every candidate first."),
    "too_few_approved": _l("There must be at least as many approved candidates as seats (%(seats)s)."),
    "not_posted": _l("Objections are received while the candidate list is posted."),
    "already_answered": _l("This objection is already answered."),
    "not_ready_to_vote": _l("The vote is built after the candidate list is posted, once."),
    "before_posting_ends": _l("Voting may open only after the posting ends: on %(earliest)s at the earliest."),
    "objections_open": _l("Answer every objection first."),
    "receipt_missing": _l("Enter the filing receipt number."),
    "handover_incomplete": _l("Every item must be handed over and signed by both chairs and the group."),
    "r47_forbidden": _l("While a re-election group exists, this vote cannot be noticed: item(s) %(items)s change "
                        "the property company, fees or major works (R-47)."),
    **COMMITTEE_SIZE_REASONS,
}
register_messages(SupervisionError, REASONS)

KIND_TITLES = {"reelection": _l("Re-election"), "first_election": _l("First election"),
               "by_election": _l("By-election")}
STAGE_TITLES = {
    "term": _l("Term ends soon"), "report": _l("Report received"), "group": _l("Re-election group formed"),
    "plan": _l("Election plan"), "nominations": _l("Nominations"), "review": _l("Qualification review"),
    "posting": _l("Candidate list posted"), "election": _l("Election"), "result": _l("Result posted"),
    "filing": _l("Filing accepted"), "handover": _l("Handover"), "closed": _l("Closed"),
}
ROLE_TITLES = {"community_staff": _l("Community staff"), "party_organisation": _l("Residential party organisation"),
               "owner_representative": _l("Owners' representative")}
SOURCE_TITLES = {"self": _l("Self-nomination"), "joint": _l("Joint nomination by owners"),
                 "community": _l("Recommended by the residents' committee"),
                 "party": _l("Recommended by the party organisation")}
GROUND_TITLES = {
    "property_company": _l("The candidate, a spouse or a direct relative works for the property company"),
    "load_bearing": _l("Unrectified damage to load-bearing structure"),
    "illegal_building": _l("Unrectified illegal building"),
    "change_of_use": _l("Unrectified change of a unit's use without permission"),
    "arrears": _l("Owing property fees or maintenance-fund contributions"),
}
HANDOVER_TITLES = {"seals": _l("Seals"), "documents": _l("Documents"), "accounts": _l("Accounts"),
                   "keys": _l("Keys"), "archives": _l("Archives")}
SIGNER_TITLES = {"old_chair": _l("Chair of the old committee"), "new_chair": _l("Chair of the new committee"),
                 "group": _l("The re-election group")}
