"""Who may do what to a proposal (the object is the proposal or its estate).

- ``proposals.view``: the estate's owners (R-60) and every kind of staff in scope; drafts are
  further limited to their author (``can_see``).
- ``proposals.raise``, ``proposals.cosign``, ``proposals.rate``: owners of the estate only.
- ``proposals.answer``, ``proposals.manage`` (plan, vote, project): the committee.
- ``proposals.coordinate``: the community's staff (审核协调).
"""
from __future__ import annotations

from ..auth.models import Role
from ..auth.permissions import can, register_estate_actions
from .models import ProposalState

STAFF = {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}
COMMITTEE = {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}

register_estate_actions({
    "proposals.view": STAFF,
    "proposals.raise": set(),
    "proposals.cosign": set(),
    "proposals.rate": set(),
    "proposals.answer": COMMITTEE,
    "proposals.manage": COMMITTEE,
    "proposals.coordinate": {Role.COMMUNITY_STAFF},
}, owners={"proposals.view", "proposals.raise", "proposals.cosign", "proposals.rate"})


def can_see(user, proposal) -> bool:
    """A draft is its author's only; anything submitted, whoever may view the estate's proposals."""
    if proposal.state == ProposalState.DRAFT:
        return user.is_authenticated and proposal.author_id == user.id and can(user, "proposals.raise", proposal)
    return can(user, "proposals.view", proposal)
