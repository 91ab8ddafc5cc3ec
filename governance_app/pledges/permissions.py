"""Who may do what with conventions and the board (R-60, R-62, R-64, R-65).

Every step of the due process is its own action. The board is shown to the estate's verified
owners and to authorised staff (R-60); auditors and platform administrators are not among them.
"""
from __future__ import annotations

from ..auth.models import Role
from ..auth.permissions import can, register_estate_actions

COMMITTEE = {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}
COMMITTEE_AND_STAFF = COMMITTEE | {Role.COMMUNITY_STAFF}

register_estate_actions({
    "convention.view": COMMITTEE_AND_STAFF | {Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR},
    "convention.manage": COMMITTEE,  # numbered clauses
    "convention.sign": set(),  # owners only, for themselves
    "board.view": COMMITTEE_AND_STAFF | {Role.SUBDISTRICT_SUPERVISOR},
    "board.manage": COMMITTEE_AND_STAFF,  # entries on their way, with names
    "board.nominate": COMMITTEE_AND_STAFF,  # red board; owners too, needing approval
    "board.approve_red": COMMITTEE,
    "board.warn": COMMITTEE_AND_STAFF,  # R-62 step 1: the warning (劝阻)
    "board.add_evidence": COMMITTEE_AND_STAFF,  # step 2
    "board.approve": COMMITTEE,  # step 3: by a committee decision
    "board.notify": COMMITTEE,  # step 4
    "board.decide_objection": COMMITTEE,
    "board.record_rectified": COMMITTEE_AND_STAFF,
    "board.export": {Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR},  # the red board only
    "board.object": set(),  # the person concerned (see is_subject)
    "board.pledge": set(),
}, owners={"convention.view", "convention.sign", "board.view", "board.nominate", "board.object", "board.pledge"})


def is_subject(user, entry) -> bool:
    """Is ``user`` the person an entry is about (their account is linked to the owner)?"""
    return getattr(user, "owner_id", None) is not None and user.owner_id == entry.subject_owner_id


def can_act_on(user, action: str, entry) -> bool:
    """Actions of the person concerned need them to be the subject; the committee's deciding
    actions are never the subject's own (a member deciding about themselves)."""
    if action in ("board.object", "board.pledge"):
        return is_subject(user, entry) and can(user, action, entry)
    return not is_subject(user, entry) and can(user, action, entry)
