"""Who may do what in a re-election (one truth table, tests/test_route_matrix.py and tests/supervision).

- supervision.view: the process and its timeline: the estate's owners, the committee and every
  kind of staff (the candidate list is posted to the estate anyway).
- supervision.dashboard: the sub-district's dashboard: community staff, supervisors, auditors.
- supervision.supervise: what the sub-district office does (R-46, R-47): open a process, receive the
  report, form the group, accept or return the filing, close it: supervisors.
- supervision.run: what the group does: plan, nominations, review, posting, objections, the vote:
  community staff (who sit in the group) and supervisors.
- supervision.handover: the handover checklist: the committee and the group (staff, supervisors).
"""
from __future__ import annotations

from ..auth.models import Role
from ..auth.permissions import register_estate_actions

STAFF = {Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR}
COMMITTEE = {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}

register_estate_actions({
    "supervision.view": COMMITTEE | STAFF | {Role.AUDITOR},
    "supervision.dashboard": STAFF | {Role.AUDITOR},
    "supervision.supervise": {Role.SUBDISTRICT_SUPERVISOR},
    "supervision.run": STAFF,
    "supervision.handover": COMMITTEE | STAFF,
}, owners={"supervision.view"})

# Which action records each stage.
STAGE_ACTIONS = {
    "report": "supervision.supervise", "group": "supervision.supervise", "plan": "supervision.run",
    "nominations": "supervision.run", "review": "supervision.run", "posting": "supervision.run",
    "election": "supervision.run", "filing": "supervision.supervise", "handover": "supervision.handover",
    "closed": "supervision.supervise",
}
