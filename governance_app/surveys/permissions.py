"""Who may do what with surveys and ratings: registered with the platform's one ``can``.

- ``surveys.view``: the estate's owners and every kind of staff over it read surveys, results
  and the estate's scores.
- ``surveys.manage``: the committee, or community staff, write and open surveys.
- ``surveys.answer``: the estate's owners answer surveys and rate the company (no grant can).
- ``ratings.manage``: the committee records its company and publishes a period's results.
- ``ratings.supervise``: community staff, the sub-district and auditors see the ranking.
"""
from __future__ import annotations

from ..auth.models import Role
from ..auth.permissions import register_estate_actions

STAFF = {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR,
         Role.AUDITOR}
COMMITTEE = {Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}

register_estate_actions({
    "surveys.view": STAFF,
    "surveys.manage": COMMITTEE | {Role.COMMUNITY_STAFF},
    "surveys.answer": set(),
    "ratings.manage": COMMITTEE,
    "ratings.supervise": {Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR},
}, owners={"surveys.view", "surveys.answer"})
