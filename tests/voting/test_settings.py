"""Issue 12, point 10: the two-staff paper-ballot setting is the estate's, changed by the
committee on a page of its own (audited), and copied to each vote when it is created; the
vote creation form no longer asks it."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import Vote, VotingSettings
from tests.support.site import events, fresh, local_now, new_vote, page_client, text

SETTING = "纸质选票须由另一名工作人员确认"


def _new_vote_form(clock, title: str, **extra) -> dict:
    today = local_now(clock).date()
    return {"title": title, "opening_date": (today + dt.timedelta(days=15)).isoformat(),
            "last_day": (today + dt.timedelta(days=21)).isoformat(), **extra}


def _vote_titled(title: str) -> Vote:
    fresh()
    return db.session.scalar(select(Vote).where(Vote.title == title))


def test_the_committee_changes_the_setting_and_new_votes_take_it(app, login, estate, committee, clock):
    pages = page_client(app)
    login(committee, client=pages)
    before = pages.post(f"/estates/{estate.id}/votes/new", data=_new_vote_form(clock, "设置前"))
    assert before.status_code == 302

    page = pages.get(f"/estates/{estate.id}/votes/settings")
    assert page.status_code == 200 and SETTING in text(page)
    saved = pages.post(f"/estates/{estate.id}/votes/settings", data={"two_staff_paper": "y"}, follow_redirects=True)
    assert "已保存" in text(saved)
    # The form of a new vote no longer asks; it says what the estate's setting is.
    form = pages.get(f"/estates/{estate.id}/votes/new").get_data(as_text=True)
    assert 'name="two_staff_paper"' not in form
    assert "按本小区的表决设置，本次表决的纸质选票须由另一名工作人员确认。" in text(pages.get(f"/estates/{estate.id}/votes/new"))
    # Whatever a crafted form says, the vote takes the estate's setting.
    after = pages.post(f"/estates/{estate.id}/votes/new", data=_new_vote_form(clock, "设置后", two_staff_paper=""))
    assert after.status_code == 302

    assert _vote_titled("设置前").two_staff_paper is False  # created before: keeps its own
    assert _vote_titled("设置后").two_staff_paper is True
    assert [(e.actor_id, e.details) for e in events("voting.settings_changed")] == [
        (committee.id, {"two_staff_paper": True})]
    assert events("vote.drafted")[-1].details["two_staff_paper"] is True


def test_saving_the_same_value_changes_nothing_and_records_nothing(app, login, estate, committee):
    pages = page_client(app)
    login(committee, client=pages)
    unchanged = pages.post(f"/estates/{estate.id}/votes/settings", data={}, follow_redirects=True)
    assert "没有更改。" in text(unchanged)
    assert events("voting.settings_changed") == []


@pytest.mark.parametrize("role, scope", [(Role.COMMUNITY_STAFF, "community"), (Role.SUBDISTRICT_SUPERVISOR, "sub"),
                                         (Role.AUDITOR, "sub"), (None, "owner")])
def test_only_the_committee_may_see_or_change_it(app, login, estate, make_user, owner_of, role, scope):
    if role is None:
        user = owner_of("1-103")
    else:
        user = make_user(role, estate.community if scope == "community" else estate.community.sub_district,
                         login="someone")
    pages = page_client(app)
    login(user, client=pages)
    assert pages.get(f"/estates/{estate.id}/votes/settings").status_code == 404
    assert pages.post(f"/estates/{estate.id}/votes/settings", data={"two_staff_paper": "y"}).status_code == 404
    fresh()
    assert db.session.get(VotingSettings, estate.id) is None or not db.session.get(VotingSettings, estate.id).two_staff_paper
    assert events("voting.settings_changed") == []


def test_the_committee_of_another_estate_gets_404(app, login, estate, make_estate, make_user):
    other = make_estate("别的小区")
    chair = make_user(Role.COMMITTEE_CHAIR, other, login="other-chair")
    pages = page_client(app)
    login(chair, client=pages)
    assert pages.post(f"/estates/{estate.id}/votes/settings", data={"two_staff_paper": "y"}).status_code == 404
    assert events("voting.settings_changed") == []


def test_a_vote_keeps_the_setting_it_was_created_with(estate, committee, clock):
    two_staff = new_vote(estate, committee, clock, two_staff_paper=True, title="双人")
    services.change_settings(estate, two_staff_paper=False, actor=committee)
    db.session.commit()
    one_staff = services.create_vote(estate, title="单人", description="", opening_date=local_now(clock).date()
                                     + dt.timedelta(days=15), last_day=local_now(clock).date() + dt.timedelta(days=20),
                                     buildings=None, actor=committee)
    db.session.commit()
    fresh()
    assert (db.session.get(Vote, two_staff.id).two_staff_paper, db.session.get(Vote, one_staff.id).two_staff_paper) \
        == (True, False)


def test_migration_0010_starts_each_estate_with_its_newest_vote_s_setting(estate, committee, clock, make_estate,
                                                                         make_user):
    """Nothing changes for an estate that used the setting: it starts with its newest vote's."""
    from flask_migrate import downgrade, upgrade

    other = make_estate("别的小区")
    other_chair = make_user(Role.COMMITTEE_CHAIR, other, login="other-chair")
    make_estate("没有表决的小区")
    old = new_vote(estate, committee, clock, title="旧", items=False)
    newest = new_vote(estate, committee, clock, title="新", items=False)
    older_two_staff = new_vote(other, other_chair, clock, two_staff_paper=True, title="别的旧", items=False)
    newest_one_staff = new_vote(other, other_chair, clock, title="别的新", items=False)
    old.two_staff_paper, newest.two_staff_paper = False, True
    assert older_two_staff.two_staff_paper and not newest_one_staff.two_staff_paper
    db.session.commit()
    ids = estate.id, other.id

    db.session.remove()
    downgrade(revision="0008")
    upgrade()

    assert {(row.estate_id, row.two_staff_paper) for row in db.session.scalars(select(VotingSettings))} == {
        (ids[0], True), (ids[1], False)}
