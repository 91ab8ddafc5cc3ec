"""The estate's R-70 settings page: the committee changes the answer threshold and the periods,
the change takes effect on the proposals, refused values change nothing, and nobody else sees it."""
from __future__ import annotations

import pytest

from governance_app.extensions import db
from governance_app.proposals import rules, services
from governance_app.proposals.models import ProposalError, ProposalSettings, ProposalState
from tests.auth.support import events, fresh, text

# 梅园小区 has 6 heads in all: 5% needs 1 co-signer, 20% needs 2.
SETTINGS = {"answer_percent": "20", "answer_days": "14", "vote_days": "60"}


def _url(world, estate=None) -> str:
    return f"/estates/{(estate or world.estate).id}/proposals/settings"


def _stored(world) -> tuple[int, int, int] | None:
    fresh()
    found = db.session.get(ProposalSettings, world.estate.id)
    return (found.answer_percent, found.answer_days, found.vote_days) if found else None


@pytest.mark.parametrize("who", ["chair", "member"])
def test_the_committee_changes_the_settings_with_an_audit_event(world, who):
    pages = world.pages(getattr(world, who))
    page = pages.get(_url(world))
    assert page.status_code == 200 and 'value="5"' in text(page) and 'value="30"' in text(page)
    assert pages.post(_url(world), data=SETTINGS).status_code == 302
    assert _stored(world) == (20, 14, 60)
    [event] = events("proposals.settings_changed")
    assert event.details == {"old": {"answer_percent": 5, "answer_days": 30, "vote_days": 30},
                             "new": {"answer_percent": 20, "answer_days": 14, "vote_days": 60}}
    assert event.actor_id == getattr(world, who).id
    assert pages.post(_url(world), data=SETTINGS).status_code == 302  # the same again: no new event
    assert len(events("proposals.settings_changed")) == 1


def test_a_higher_threshold_takes_effect_on_a_proposal(world):
    made = world.proposal(buildings=None)
    assert world.pages(world.chair).post(_url(world), data=SETTINGS).status_code == 302
    assert world.pages(world.li).post(f"/proposals/{made.id}/cosign").status_code == 302
    fresh()
    assert services.get(made.id).state == ProposalState.SUPPORT  # 1 of 6 < 20%
    shown = text(world.pages(world.li).get(f"/proposals/{made.id}"))
    assert "The committee must answer at 2 owners (20%)" in shown
    assert world.pages(world.sun).post(f"/proposals/{made.id}/cosign").status_code == 302
    fresh()
    assert services.get(made.id).state == ProposalState.AWAITING_ANSWER  # 2 of 6 >= 20%


def test_a_lower_threshold_moves_a_supported_proposal_to_the_committee(world):
    made = world.proposal(buildings=None)
    world.pages(world.chair).post(_url(world), data=SETTINGS)
    world.pages(world.li).post(f"/proposals/{made.id}/cosign")
    fresh()
    assert services.get(made.id).state == ProposalState.SUPPORT
    assert world.pages(world.chair).post(_url(world), data=SETTINGS | {"answer_percent": "5"}).status_code == 302
    fresh()
    found = services.get(made.id)
    assert found.state == ProposalState.AWAITING_ANSWER and found.answer_threshold_on is not None
    listed = text(world.pages(world.li).get(f"/estates/{world.estate.id}/proposals"))
    assert "within 14 days once 5% of the owners" in listed and "within 60 days" in listed


@pytest.mark.parametrize("typed", [
    {"answer_percent": "0"}, {"answer_percent": "21"}, {"answer_percent": "4.5"}, {"answer_percent": "五"},
    {"answer_percent": ""}, {"answer_days": "0"}, {"answer_days": "91"}, {"vote_days": "0"}, {"vote_days": "91"},
    {"vote_days": "-3"},
])
def test_refused_values_change_nothing_and_keep_what_was_typed(world, typed):
    pages = world.pages(world.chair)
    refused = pages.post(_url(world), data=SETTINGS | typed)
    assert refused.status_code == 400
    page = text(refused)
    assert "from 1 to 20" in page or "from 1 to 90" in page
    [(name, value)] = typed.items()
    assert f'value="{value}"' in page or value == ""
    assert _stored(world) in (None, (5, 30, 30))
    assert events("proposals.settings_changed") == []


@pytest.mark.parametrize("percent, days, allowed", [
    (0, 30, False), (1, 30, True), (2, 30, True), (19, 30, True), (20, 30, True), (21, 30, False),
    (5, 0, False), (5, 1, True), (5, 2, True), (5, 89, True), (5, 90, True), (5, 91, False),
])
def test_the_bounds_of_the_settings(percent, days, allowed):
    assert rules.settings_allowed(percent, days, 30) is allowed
    assert rules.settings_allowed(percent, 30, days) is allowed


def test_the_service_refuses_values_out_of_bounds(world):
    with pytest.raises(ProposalError):
        services.change_settings(world.estate, answer_percent=21, answer_days=30, vote_days=30, actor=world.chair)


def test_the_refusal_reads_in_chinese(world):
    refused = world.pages(world.chair, language="zh_Hans_CN").post(_url(world), data=SETTINGS | {"answer_days": "91"})
    assert refused.status_code == 400 and "91" in text(refused) and "Enter" not in text(refused)


@pytest.mark.parametrize("who", ["wang", "staff", "supervisor", "auditor", "other_owner", "other_member"])
def test_anyone_but_the_committee_gets_404(world, who):
    pages = world.pages(getattr(world, who))
    assert pages.get(_url(world)).status_code == 404
    assert pages.post(_url(world), data=SETTINGS).status_code == 404
    assert _stored(world) in (None, (5, 30, 30))
    assert events("proposals.settings_changed") == []


def test_a_member_of_another_estate_cannot_reach_this_one(world):
    assert world.pages(world.member).get(_url(world, world.other)).status_code == 404
    assert world.pages(world.other_member).get(_url(world, world.other)).status_code == 200


def test_the_list_links_the_settings_for_the_committee_only(world):
    link = _url(world)
    assert link in text(world.pages(world.chair).get(f"/estates/{world.estate.id}/proposals"))
    assert link not in text(world.pages(world.wang).get(f"/estates/{world.estate.id}/proposals"))


def test_r70_reading_the_default_settings_saves_nothing(world):
    """An estate that never changed its settings works on the defaults without a row being written
    by whoever happened to read them (a page, a co-signature); the first change writes it."""
    made = world.proposal(buildings=None)
    assert world.pages(world.chair).get(_url(world)).status_code == 200
    assert world.pages(world.li).get(f"/estates/{world.estate.id}/proposals").status_code == 200
    assert world.pages(world.li).post(f"/proposals/{made.id}/cosign").status_code == 302
    assert _stored(world) is None
    assert services.settings(world.estate).answer_percent == rules.DEFAULT_ANSWER_PERCENT
    assert not db.session.new
    assert world.pages(world.chair).post(_url(world), data=SETTINGS).status_code == 302
    assert _stored(world) == (20, 14, 60)
