"""The proposals' deadlines as duties (core.duties): an answer due within the estate's answer
period of reaching the first threshold (R-70), and a vote the committee must prepare within the
vote period once owners holding 20% of the area and heads co-signed (R-41, R-70)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.duties import Duty, in_estates, register_source
from ..extensions import db
from . import rules
from .models import ANSWERABLE_STATES, Proposal, ProposalSettings, ProposalState

# The states in which a required assembly no longer needs preparing: the vote exists or the
# proposal was merged into another (whose own duty then runs).
_DONE_FOR_ASSEMBLY = (ProposalState.MERGED,)


def _settings(estate_ids: list[int]) -> dict[int, ProposalSettings]:
    return {found.estate_id: found for found in db.session.scalars(
        select(ProposalSettings).where(in_estates(ProposalSettings.estate_id, estate_ids)))}


def proposal_duties(estate_ids: list[int], today: dt.date) -> list[Duty]:
    settings = _settings(estate_ids)
    answer = _("Answer the proposal “%(title)s”")  # each title translated once, filled in per proposal
    assembly = _("Put the proposal “%(title)s” to the assembly")
    found: list[Duty] = []
    for proposal in db.session.scalars(select(Proposal).where(
            in_estates(Proposal.estate_id, estate_ids),
            (Proposal.answer_threshold_on.is_not(None) & Proposal.state.in_(list(ANSWERABLE_STATES)))
            | (Proposal.assembly_threshold_on.is_not(None) & Proposal.vote_id.is_(None)
               & Proposal.state.not_in(_DONE_FOR_ASSEMBLY))).order_by(Proposal.id)):
        chosen = settings.get(proposal.estate_id)
        answer_days = chosen.answer_days if chosen else rules.DEFAULT_ANSWER_DAYS
        vote_days = chosen.vote_days if chosen else rules.DEFAULT_VOTE_DAYS
        link = f"/proposals/{proposal.id}"
        if proposal.answer_threshold_on is not None and proposal.state in ANSWERABLE_STATES:
            found.append(Duty(rules.due_after(proposal.answer_threshold_on, answer_days), proposal.estate_id,
                              "proposals.answer", answer % {"title": proposal.title},
                              link, "R-70"))
        if proposal.assembly_threshold_on is not None and proposal.vote_id is None \
                and proposal.state not in _DONE_FOR_ASSEMBLY:
            found.append(Duty(rules.due_after(proposal.assembly_threshold_on, vote_days), proposal.estate_id,
                              "proposals.assembly",
                              assembly % {"title": proposal.title},
                              link, "R-41"))
    return found


register_source("proposals", proposal_duties)
