from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from .models import DisclosureError

KIND_TITLES = {"announcement": _l("Announcement (公告)"), "posting": _l("Posting for a fixed period (公示)")}
DOCUMENT_TITLES = {
    "rules_of_procedure": _l("Rules of procedure (议事规则)"),
    "management_rules": _l("Management rules (管理规约)"),
    "service_contract": _l("Property-service contract"),
    "fund_rules": _l("Maintenance-fund rules"),
    "other": _l("Other document"),
    "residents_convention": _l("Residents' convention (居民公约)"),
    "building_convention": _l("Building convention (楼组公约)"),
}
ROLE_TITLES = {"chair": _l("Chair"), "vice_chair": _l("Vice-chair"), "member": _l("Member")}
REASONS = {
    "ends_before_start": _l("The posting period ends before it starts."),
    "posting_needs_end": _l("A posting (公示) needs its period in days."),
    "resolution_not_passed": _l("That resolution was not passed and published in this estate."),
    "term_length": _l("A committee term lasts 3 to 5 years (R-43)."),
    "no_members": _l("Add the committee's members first."),
    "agenda_not_in_advance": _l("The agenda is posted in advance: choose a time in the future."),
    "meeting_posted": _l("The minutes are posted and can no longer change."),
    "not_a_member": _l("Only members of the committee can attend or sign."),
    "no_quorum": _l("Not a valid meeting: %(present)s of %(members)s members present; more than half (%(needed)s) must be present (R-45)."),
    "not_held": _l("Record the attendance first."),
    "not_a_convention": _l("Clauses belong to conventions (管理规约, 居民公约, 楼组公约) only."),
    "clause_number_taken": _l("This convention already has a clause %(number)s."),
}


register_messages(DisclosureError, REASONS)


def member_name(member_id: int, members: dict) -> str:
    member = members.get(member_id)
    return member.name if member else "?"
