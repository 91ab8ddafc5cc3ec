"""The notice (R-40), the stages of a vote in time (R-31), and what a draft may contain
(R-43 committee size, R-44 pledge, R-48 nomination source)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import (
    Candidate, ItemKind, NominationSource, Notification, VoteChainHead, VoteError, VoteItem, VoteRollEntry,
)
from tests.conftest import owner_row
from tests.support.site import (
    count, estate_with_roll, events, fresh, local, new_vote, page_client, text,
)

NOTICE_TOO_LATE = "公告须在投票开始 15 日前发布（R-40）。请把开始日期改为 {earliest} 或之后。"
NOTICE_DONE = "公告已发布，名册已冻结。"
WRONG_STAGE = "表决在当前阶段不能进行此操作。"
NOT_OPEN = "本次表决现在不接受投票。"


# --- the notice ---------------------------------------------------------------------------

@pytest.mark.parametrize("notice_at", [dt.datetime(2025, 7, 2, 0, 0), dt.datetime(2025, 7, 2, 9, 0)],
                         ids=["first-minute-of-2-july", "morning-of-2-july"])
def test_r40_notice_14_days_before_opening_is_refused_and_changes_nothing(app, login, estate, committee, clock,
                                                                         notice_at):
    """RULES example: voting opens 16 July; a notice on 2 July is too late (also at 00:00
    Shanghai time, which is still 1 July in UTC)."""
    clock.move_to(notice_at)
    vote = new_vote(estate, committee, clock, opening=dt.date(2025, 7, 16))
    pages = page_client(app)
    login(committee, client=pages)

    response = pages.post(f"/votes/{vote.id}/notice", follow_redirects=True)

    assert response.status_code == 200
    assert NOTICE_TOO_LATE.format(earliest="2025-07-17") in text(response)
    fresh()
    assert vote.state.value == "draft" and vote.notice_at is None
    assert count(VoteRollEntry) == 0
    assert count(VoteChainHead) == 0
    assert count(Notification) == 0
    assert events("vote.noticed") == []


@pytest.mark.parametrize("notice_at", [dt.datetime(2025, 7, 1, 0, 0), dt.datetime(2025, 7, 1, 23, 59)],
                         ids=["start-of-1-july", "end-of-1-july"])
def test_r40_notice_15_days_before_opening_freezes_the_roll(app, login, estate, committee, clock, notice_at):
    clock.move_to(notice_at)
    vote = new_vote(estate, committee, clock, opening=dt.date(2025, 7, 16))
    pages = page_client(app)
    login(committee, client=pages)

    response = pages.post(f"/votes/{vote.id}/notice", follow_redirects=True)

    assert NOTICE_DONE in text(response)
    fresh()
    assert vote.state.value == "noticed"
    assert local(vote.notice_at) == notice_at
    # one row per unit of the roll (11 units, 2-101 co-owned), each with its voter key.
    roll = services.frozen_roll(vote)
    assert len(roll) == 11
    assert len({entry.voter for entry in roll}) == 9
    assert sum(entry.area for entry in roll) == 1060_00
    assert count(Notification, Notification.link == f"/votes/{vote.id}") == 1


def test_r40_service_names_the_earliest_opening_day(estate, committee, clock):
    clock.move_to(dt.datetime(2025, 7, 2, 12, 0))
    vote = new_vote(estate, committee, clock, opening=dt.date(2025, 7, 16))
    with pytest.raises(VoteError) as refused:
        services.publish_notice(vote, committee)
    assert refused.value.reason == "notice_too_late"
    assert refused.value.details == {"earliest": dt.date(2025, 7, 17)}


# --- opening and closing on time -------------------------------------------------------------

def _noticed(draft_vote, committee):
    services.publish_notice(draft_vote, committee)
    db.session.commit()
    return draft_vote


def _signed_in_owner(app, login, owner_of, vote, unit: str = "1-103"):
    """The unit's representative, their voter key in ``vote``, and a page client signed in as them."""
    owner = owner_of(unit)
    pages = page_client(app)
    login(owner, client=pages)
    return owner, services.voter_for_unit(vote, unit), pages


def _opening(vote) -> dt.datetime:
    """00:00 Shanghai time of the opening day, from the day alone."""
    return dt.datetime.combine(local(vote.opens_at).date(), dt.time(0, 0))


def _closing(vote) -> dt.datetime:
    """24:00 Shanghai time of the last day (R-31), from the day alone."""
    return dt.datetime.combine(local(vote.closes_at).date(), dt.time(0, 0))


def test_r40_before_opens_at_the_vote_stays_noticed_and_the_ballot_page_refuses(
        app, login, draft_vote, committee, owner_of, clock):
    vote = _noticed(draft_vote, committee)
    clock.move_to(_opening(vote) - dt.timedelta(seconds=1))
    _owner, voter, pages = _signed_in_owner(app, login, owner_of, vote)  # signed in at the new time

    page = pages.get(f"/votes/{vote.id}")
    ballot = pages.get(f"/votes/{vote.id}/ballot?voter={voter}")

    assert page.status_code == 200 and "已发布公告" in text(page)
    assert "现在投票" not in text(page)
    assert ballot.status_code == 302 and ballot.headers["Location"] == f"/votes/{vote.id}"
    assert NOT_OPEN in text(pages.get(ballot.headers["Location"]))
    fresh()
    assert vote.state.value == "noticed"


def test_r40_at_opens_at_the_vote_opens_through_the_service(draft_vote, committee, clock):
    vote = _noticed(draft_vote, committee)
    opening = _opening(vote)
    assert local(vote.opens_at) == opening  # stored as 00:00 Shanghai time, whatever the database
    clock.move_to(opening - dt.timedelta(seconds=1))
    services.advance(vote)
    assert vote.state.value == "noticed"
    clock.move_to(opening)
    services.advance(vote)
    assert vote.state.value == "open"
    assert [e.details for e in events("vote.state_changed")] == [{"state": "open"}]


def test_r40_at_opens_at_the_vote_opens_when_its_page_is_visited(app, login, draft_vote, committee, owner_of, clock):
    vote = _noticed(draft_vote, committee)
    clock.move_to(_opening(vote))
    _owner, _voter, pages = _signed_in_owner(app, login, owner_of, vote)

    page = pages.get(f"/votes/{vote.id}")

    assert "投票中" in text(page) and "现在投票" in text(page)
    fresh()
    assert vote.state.value == "open"


def test_r31_the_vote_closes_at_24_00_of_its_last_day(app, login, draft_vote, committee, owner_of, clock):
    vote = _noticed(draft_vote, committee)
    closing = _closing(vote)
    last_day = closing.date() - dt.timedelta(days=1)
    assert local(vote.closes_at) == closing

    clock.move_to(dt.datetime.combine(last_day, dt.time(23, 59, 59)))
    owner, _voter, pages = _signed_in_owner(app, login, owner_of, vote)
    assert "投票中" in text(pages.get(f"/votes/{vote.id}"))
    fresh()
    assert vote.state.value == "open"

    clock.move_to(closing)
    login(owner, client=pages)  # a day later: signed in again
    page = text(pages.get(f"/votes/{vote.id}"))
    assert "已截止，尚未计票" in page
    assert f"{last_day.isoformat()} 24:00" in page
    fresh()
    assert vote.state.value == "closed"


def _send_cast(pages, vote, owner, voter):
    import time

    return pages.post(f"/votes/{vote.id}/ballot/confirm",
                      data={"voter": voter, "item-i1": "approve", "code": owner.totp.code_at(int(time.time()))})


@pytest.mark.parametrize("moment, state, late", [("opening", "open", False), ("closing", "closed", True)])
def test_r40_r31_a_cast_sent_as_the_vote_opens_or_closes_records_the_change_first(
        app, login, draft_vote, committee, owner_of, clock, moment, state, late):
    """The cast request reads the vote as a plain row; when its opening time or deadline has
    passed and no one has recorded it yet, the request records the change (with its event)
    before the ballot, as any page of the vote would. A ballot received at the deadline is kept
    and marked late (R-31)."""
    vote = _noticed(draft_vote, committee)
    if moment == "closing":
        clock.move_to(_opening(vote))
        services.advance(vote)
        clock.move_to(_closing(vote))
    else:
        clock.move_to(_opening(vote))
    owner, voter, pages = _signed_in_owner(app, login, owner_of, vote)

    response = _send_cast(pages, vote, owner, voter)

    assert response.status_code == 302 and "/receipt" in response.headers["Location"]
    fresh()
    assert vote.state.value == state
    assert [e.details for e in events("vote.state_changed")][-1] == {"state": state}
    ballot = services.existing_ballot(vote, voter)
    assert ballot.late is late and ballot.choices["i1"] == "approve"


def test_r40_a_cast_sent_before_the_opening_time_is_refused_and_changes_nothing(
        app, login, draft_vote, committee, owner_of, clock):
    vote = _noticed(draft_vote, committee)
    clock.move_to(_opening(vote) - dt.timedelta(seconds=1))
    owner, voter, pages = _signed_in_owner(app, login, owner_of, vote)

    response = _send_cast(pages, vote, owner, voter)

    assert response.status_code == 302 and response.headers["Location"] == f"/votes/{vote.id}"
    assert NOT_OPEN in text(pages.get(response.headers["Location"]))
    fresh()
    assert vote.state.value == "noticed" and services.existing_ballot(vote, voter) is None
    assert events("vote.state_changed") == []


def test_r34_the_first_cast_a_process_serves_reads_the_items_itself(
        app, login, draft_vote, committee, owner_of, clock, monkeypatch):
    """The items of a noticed vote are kept per process; the first cast request of a process
    (a fresh worker) reads them from the database."""
    vote = _noticed(draft_vote, committee)
    clock.move_to(_opening(vote))
    services.advance(vote)
    monkeypatch.setattr(services, "_NOTICED_ITEMS", {})
    owner, voter, pages = _signed_in_owner(app, login, owner_of, vote)

    response = _send_cast(pages, vote, owner, voter)

    assert response.status_code == 302 and "/receipt" in response.headers["Location"]
    assert services.existing_ballot(vote, voter).choices == {"i1": "approve", "i2": None, "i3": None, "i4": None}


def test_r31_flask_voting_tick_opens_and_closes_on_time(runner, draft_vote, committee, clock):
    vote = _noticed(draft_vote, committee)

    clock.move_to(_opening(vote) - dt.timedelta(minutes=1))
    assert runner.invoke(args=["voting", "tick"]).output.strip() == "0 vote(s) changed stage"
    clock.move_to(_opening(vote))
    assert runner.invoke(args=["voting", "tick"]).output.strip() == "1 vote(s) changed stage"
    fresh()
    assert vote.state.value == "open"

    clock.move_to(_closing(vote) - dt.timedelta(seconds=1))
    assert runner.invoke(args=["voting", "tick"]).output.strip() == "0 vote(s) changed stage"
    clock.move_to(_closing(vote))
    assert runner.invoke(args=["voting", "tick"]).output.strip() == "1 vote(s) changed stage"
    fresh()
    assert vote.state.value == "closed"


# --- only items in the notice --------------------------------------------------------------------

def test_r40_items_cannot_be_added_after_the_notice(app, login, draft_vote, committee):
    vote = _noticed(draft_vote, committee)
    pages = page_client(app)
    login(committee, client=pages)

    item = pages.post(f"/votes/{vote.id}/items", data={"kind": "resolution", "matter": "9", "title": "新增事项"},
                      follow_redirects=True)
    candidate = pages.post(f"/votes/{vote.id}/items/3/candidates",
                           data={"name": "戊", "nomination": "self", "pledge_signed": "y"}, follow_redirects=True)

    assert WRONG_STAGE in text(item) and WRONG_STAGE in text(candidate)
    assert count(VoteItem) == 4
    assert count(Candidate) == 4
    assert len(events("vote.item_added")) == 4 and len(events("vote.candidate_added")) == 4


def test_r40_items_can_be_added_to_a_draft_through_the_page(app, login, draft_vote, committee):
    pages = page_client(app)
    login(committee, client=pages)
    response = pages.post(f"/votes/{draft_vote.id}/items",
                          data={"kind": "resolution", "matter": "9", "title": "新增事项"}, follow_redirects=True)
    assert "已添加事项。" in text(response)
    assert count(VoteItem) == 5


# --- committee size ---------------------------------------------------------------------------

def _election_form(seats: int) -> dict:
    return {"kind": "election", "matter": "3", "title": "选举业委会委员", "seats": str(seats), "alternates": "0"}


def test_r43_an_even_committee_is_refused_with_the_message(app, login, draft_vote, committee):
    pages = page_client(app)
    login(committee, client=pages)
    response = pages.post(f"/votes/{draft_vote.id}/items", data=_election_form(4), follow_redirects=True)
    assert "业委会成员人数应为单数（R-43）；4 是双数。" in text(response)
    assert count(VoteItem) == 4


def test_r43_thirteen_members_are_refused(app, login, draft_vote, committee):
    pages = page_client(app)
    login(committee, client=pages)
    response = pages.post(f"/votes/{draft_vote.id}/items", data=_election_form(13), follow_redirects=True)
    assert "请检查该事项" in text(response)  # the form already caps seats at 11
    assert count(VoteItem) == 4
    with pytest.raises(VoteError) as refused:
        services.add_item(draft_vote, kind=ItemKind.ELECTION, matter=3, title="选举", seats=13)
    assert refused.value.reason == "committee_too_many"
    db.session.rollback()


@pytest.mark.parametrize("seats", [5, 7, 9, 11])
def test_r43_odd_sizes_from_5_to_11_are_allowed(draft_vote, seats):
    item = services.add_item(draft_vote, kind=ItemKind.ELECTION, matter=3, title="选举", seats=seats)
    assert item.seats == seats


def _estate_of_area(make_estate, name: str, last_area: str):
    """Four units: 3 × 2,500.00 m² and one of ``last_area``."""
    rows = [owner_row("1", f"1-10{n}", "2500.00", f"业主{n}", f"31010119800101{n:04d}") for n in range(1, 4)]
    rows.append(owner_row("1", "1-104", last_area, "业主4", "310101198001010004"))
    return estate_with_roll(make_estate, name, rows)


@pytest.mark.parametrize("last_area, allowed", [("2499.99", True), ("2500.00", True), ("2500.01", False)],
                         ids=["9999.99", "10000.00", "10000.01"])
def test_r43_three_members_only_at_or_below_10000_square_metres(app, login, make_estate, make_user, clock,
                                                                last_area, allowed):
    estate = _estate_of_area(make_estate, "面积小区", last_area)
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair-area")
    vote = new_vote(estate, chair, clock, items=False)
    pages = page_client(app)
    login(chair, client=pages)

    response = text(pages.post(f"/votes/{vote.id}/items", data=_election_form(3), follow_redirects=True))

    if allowed:
        assert "已添加事项。" in response
        assert count(VoteItem) == 1
    else:
        assert "业委会至少 5 人；建筑面积不超过 10,000 m² 的小区可以为 3 人（R-43）。" in response
        assert count(VoteItem) == 0


def test_r43_five_members_in_an_estate_over_10000_square_metres(make_estate, make_user, clock):
    estate = _estate_of_area(make_estate, "大面积小区", "2500.01")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair-big")
    vote = new_vote(estate, chair, clock, items=False)
    assert services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举", seats=5).seats == 5


# --- candidates ------------------------------------------------------------------------

def test_r44_a_candidate_without_the_pledge_is_refused(app, login, draft_vote, committee):
    pages = page_client(app)
    login(committee, client=pages)
    response = pages.post(f"/votes/{draft_vote.id}/items/3/candidates",
                          data={"name": "戊", "nomination": "self", "statement": "无"}, follow_redirects=True)
    assert "候选人须先签署履职承诺（R-44）。" in text(response)
    assert count(Candidate) == 4


def test_r48_nomination_source_is_recorded_and_shown_on_the_vote_page(app, login, draft_vote, committee, owner_of,
                                                                     clock):
    pages = page_client(app)
    login(committee, client=pages)
    for name, source in (("戊", "joint"), ("己", "community")):
        response = pages.post(f"/votes/{draft_vote.id}/items/3/candidates",
                              data={"name": name, "nomination": source, "pledge_signed": "y"}, follow_redirects=True)
        assert "已添加候选人。" in text(response)
    fresh()
    stored = {c.name: c.nomination for c in db.session.scalars(select(Candidate))}
    assert stored["戊"] == NominationSource.JOINT and stored["己"] == NominationSource.COMMUNITY
    assert [e.details["nomination"] for e in events("vote.candidate_added")][-2:] == ["joint", "community"]

    services.publish_notice(draft_vote, committee)
    db.session.commit()
    clock.move_to(_opening(draft_vote))
    owner = owner_of("1-103")
    login(owner, client=pages)
    page = text(pages.get(f"/votes/{draft_vote.id}"))
    for shown in ("甲 · 自荐", "戊 · 业主联名推荐", "己 · 居委会推荐"):
        assert shown in page
    voter = services.voter_for_unit(draft_vote, "1-103")
    ballot = text(pages.get(f"/votes/{draft_vote.id}/ballot?voter={voter}"))
    assert "戊 (业主联名推荐)" in ballot and "己 (居委会推荐)" in ballot
