"""A survey started from a residents' proposal (issue 20, R-72): to test support before a plan.

The proposal's page offers it to those who run surveys, the survey form arrives filled from the
proposal, the survey carries its origin and the proposal lists it; an id of a proposal the person
may not see, or of another estate, is ignored.
"""
from __future__ import annotations

import re

from governance_app.extensions import db
from governance_app.surveys import services as surveys
from governance_app.surveys.models import Survey


def _create(pages, world, proposal_id):
    form = pages.get(f"/estates/{world.estate.id}/surveys?proposal={proposal_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    data = {"title": "充电棚意见", "description": "", "opens_at": "2026-07-16T09:00",
            "closes_at": "2026-07-30T18:00", "anonymous": "y", "proposal": str(proposal_id)}
    if token:
        data["csrf_token"] = token.group(1)
    return form, pages.post(f"/estates/{world.estate.id}/surveys", data=data)


def test_the_committee_starts_a_survey_from_a_proposal_and_the_proposal_lists_it(world):
    proposal = world.proposal()
    pages = world.pages(world.chair)
    page = pages.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f"/estates/{world.estate.id}/surveys?proposal={proposal.id}" in page
    form, answer = _create(pages, world, proposal.id)
    assert "About the proposal “非机动车充电棚”" in form
    assert answer.status_code == 302
    survey = db.session.query(Survey).one()
    assert (survey.origin_kind, survey.origin_id) == ("proposal", proposal.id)
    assert surveys.surveys_from("proposal", proposal.id) == [survey]
    assert "充电棚意见" in pages.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_an_owner_sees_the_survey_listed_but_is_not_offered_to_start_one(world):
    proposal = world.proposal()
    page = world.pages(world.li).get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f"surveys?proposal={proposal.id}" not in page


def test_a_proposal_of_another_estate_or_a_draft_of_someone_else_is_not_an_origin(world):
    draft = world.proposal(submit=False)  # 王伟's draft: private to him (R-60)
    pages = world.pages(world.chair)
    form, answer = _create(pages, world, draft.id)
    assert "About the proposal" not in form
    assert answer.status_code == 302
    survey = db.session.query(Survey).one()
    assert (survey.origin_kind, survey.origin_id) == (None, None)
