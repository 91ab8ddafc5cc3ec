"""Words of conventions and the board, and the messages of its refusals."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from ..files.messages import FILE_REASONS
from .models import BoardError

DEED_TITLES = {
    "clause_kept": _l("Kept a clause of the convention"),
    "volunteering": _l("Volunteering"),
    "mediation": _l("Mediation between neighbours"),
    "neighbour_help": _l("Help to neighbours"),
}
SEVERITY_TITLES = {"minor": _l("Minor (shown at most 3 months)"), "general": _l("General (shown at most 1 year)")}
STEP_TITLES = {
    "nominated": _l("Nominated, waiting for the committee"),
    "shown": _l("Recognised"),
    "warned": _l("Warning recorded"),
    "evidenced": _l("Evidence added"),
    "approved": _l("Approved by the committee"),
    "notified": _l("Person notified"),
    "removed": _l("Removed"),
}
REMOVAL_TITLES = {"objection_upheld": _l("objection upheld"), "rectified": _l("rectified and pledged"),
                  "declined": _l("nomination not approved")}

register_messages(BoardError, {
    "needs_warned": _l("Not possible once the committee has approved the entry (R-62)."),
    "needs_evidenced": _l("Add the evidence first: the committee approves only a warned and evidenced breach (R-62)."),
    "needs_approved": _l("The committee must approve the entry at a meeting before the person is notified (R-62)."),
    "not_an_owner": _l("Choose an owner of this estate from the roll."),
    "clause_needed": _l("Cite the clause of a convention of this estate."),
    "warning_in_future": _l("The warning's date cannot be in the future."),
    "evidence_needed": _l("Attach a photo or a document as evidence."),
    "decision_not_valid": _l("Choose a valid decision of a held committee meeting of this estate (R-45)."),
    "subject_signed": _l("The person concerned signed this decision: a member who is the subject of an entry "
                         "takes no part in deciding it."),
    "subject_acts": _l("You are the person concerned: you take no part in deciding this entry."),
    "window_closed": _l("The objection window has closed (R-62)."),
    "already_objected": _l("An objection was already filed."),
    "no_objection": _l("There is no objection waiting for a decision."),
    "answer_needed": _l("Write the committee's answer to the person."),
    "not_notified": _l("The person has not been notified yet."),
    "removed": _l("This entry was removed."),
    "already_signed": _l("You have already signed this convention."),
    "not_a_convention": _l("That is not a convention of this estate."),
    "not_red": _l("Only nominations for the red board are approved this way."),
    "already_pledged": _l("Your pledge is already recorded."),
    **{f"file_{reason}": text for reason, text in FILE_REASONS.items()},  # a refused upload
})
