"""R-05: the roll is frozen at the notice; a sale during the vote passes the unit's single
ballot right to the new owner, never a second ballot."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import Ballot, ItemKind, Vote, VoteRollEntry
from tests.conftest import owner_row
from tests.support.voting_world import close
from tests.support.site import (
    JPEG, SOLD_1_104, account_of, cast, code_now, count, form_time, fresh, import_roll, local, local_now,
    page_client, roll_with, text, upload, voter_of,
)


def _frozen(vote) -> list[tuple]:
    fresh()
    return [tuple(row) for row in db.session.execute(
        select(VoteRollEntry.unit, VoteRollEntry.building, VoteRollEntry.area, VoteRollEntry.area_source,
               VoteRollEntry.voter).where(VoteRollEntry.vote_id == vote.id).order_by(VoteRollEntry.unit))]


def test_r05_a_changed_roll_imported_after_the_notice_changes_neither_roll_nor_totals(open_vote, estate, committee,
                                                                                     clock):
    before = _frozen(open_vote)
    changed = roll_with(
        replace={"1-103": [owner_row("1", "1-103", "85.50", "李娜", "310101198001012222", source="实测")],
                 **SOLD_1_104},
        extra=[owner_row("4", "4-101", "300.00", "钱进", "310101197001014444")])

    import_roll(estate, changed)

    # The estate's current roll did change ...
    current = estate_services.estate_overview(estate).roll
    assert current.total_area == 1060_00 + 5_50 + 300_00 and current.total_heads == 10
    # ... the vote's did not.
    assert _frozen(open_vote) == before
    assert services.voter_for_unit(open_vote, "4-101") is None
    close(open_vote, clock)
    result = services.count(open_vote, committee)
    assert result["totals"] == {"area": "1060.00", "heads": 9}


def test_r05_the_sold_unit_passes_its_mandate_to_the_new_owner(app, login, open_vote, estate, make_user, owner_of,
                                                               clock):
    seller = owner_of("1-104")
    frozen_voter = voter_of(open_vote, "1-104")
    import_roll(estate, roll_with(replace=SOLD_1_104))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")

    assert services.mandates(seller, open_vote) == []
    [mandate] = services.mandates(buyer, open_vote)
    assert mandate.voter == frozen_voter and mandate.units == ("1-104",)

    pages = page_client(app)
    login(seller, client=pages)
    assert pages.get(f"/votes/{open_vote.id}/ballot?voter={frozen_voter}").status_code == 404
    assert "现在投票" not in text(pages.get(f"/votes/{open_vote.id}"))

    login(buyer, client=pages)
    assert pages.get(f"/votes/{open_vote.id}/ballot?voter={frozen_voter}").status_code == 200
    cast_response = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                               data={"voter": frozen_voter, "item-i1": "approve", "code": code_now(buyer)})
    assert cast_response.status_code == 302 and "/receipt" in cast_response.headers["Location"]

    fresh()
    ballot = db.session.scalar(select(Ballot))
    assert ballot.voter == frozen_voter and ballot.cast_by_id == buyer.id
    # Still one ballot for that voter: not again online, not on paper.
    again = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                       data={"voter": frozen_voter, "item-i1": "oppose", "code": code_now(buyer, 1)})
    assert again.status_code == 302 and "/receipt" in again.headers["Location"]
    assert services.cast_online(open_vote, buyer, mandate, {"i1": "oppose"}) is False
    db.session.rollback()
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    login(staff, client=pages)
    paper = pages.post(f"/votes/{open_vote.id}/paper",
                       data={"unit": "1-104", "received_at": form_time(local_now(clock)), "signed": "y",
                             "signer_matches": "y", "scan": upload(JPEG, "scan.jpg")})
    assert "1-104 的选票已经登记；每位业主只有一张选票（R-30）。" in text(paper)
    assert count(Ballot) == 1


def test_r05_a_ballot_cast_before_the_sale_is_the_unit_s_only_ballot(app, login, open_vote, estate, make_user,
                                                                   owner_of):
    seller = owner_of("1-104")
    frozen_voter = voter_of(open_vote, "1-104")
    first = cast(open_vote, seller, i1="oppose")
    import_roll(estate, roll_with(replace=SOLD_1_104))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")
    pages = page_client(app)
    login(buyer, client=pages)

    page = text(pages.get(f"/votes/{open_vote.id}"))
    ballot_page = pages.get(f"/votes/{open_vote.id}/ballot?voter={frozen_voter}")
    confirm = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                         data={"voter": frozen_voter, "item-i1": "approve", "code": code_now(buyer)})

    assert "查看我的回执" in page and "现在投票" not in page
    assert ballot_page.status_code == 302 and "/receipt" in ballot_page.headers["Location"]
    assert confirm.status_code == 302 and "/receipt" in confirm.headers["Location"]
    fresh()
    assert [(b.id, b.choices["i1"]) for b in db.session.scalars(select(Ballot))] == [(first.id, "oppose")]


def test_r04_a_vote_on_some_buildings_counts_only_their_units(app, login, estate, committee, owner_of, clock):
    today = local_now(clock).date()
    form = {"title": "1、2号楼外墙维修", "opening_date": (today + dt.timedelta(days=15)).isoformat(),
            "last_day": (today + dt.timedelta(days=21)).isoformat()}
    pages = page_client(app)
    login(committee, client=pages)

    unknown = pages.post(f"/estates/{estate.id}/votes/new", data={**form, "buildings": "1，9"})
    assert unknown.status_code == 400 and "本小区没有“9”楼栋。" in text(unknown)
    assert count(Vote) == 0
    created = pages.post(f"/estates/{estate.id}/votes/new", data={**form, "buildings": "2，1"})
    assert created.status_code == 302
    fresh()
    vote = db.session.scalar(select(Vote))
    assert created.headers["Location"] == f"/votes/{vote.id}" and vote.buildings == ["1", "2"]
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金维修外墙")
    db.session.commit()
    assert "公告已发布，名册已冻结。" in text(pages.post(f"/votes/{vote.id}/notice", follow_redirects=True))

    fresh()
    assert sorted({entry.building for entry in services.frozen_roll(vote)}) == ["1", "2"]
    assert len(services.frozen_roll(vote)) == 8
    clock.move_to(dt.datetime.combine(local(vote.opens_at).date(), dt.time(9)))
    outside = owner_of("3-103")
    assert services.mandates(outside, vote) == []
    login(outside, client=pages)
    assert "1, 2 号楼业主" in text(pages.get(f"/votes/{vote.id}"))
    assert pages.get(f"/votes/{vote.id}/ballot?voter={services.voter_for_unit(vote, '1-103')}").status_code == 404
    fresh()
    cast(vote, owner_of("1-103"), i1="approve")
    close(vote, clock)
    result = services.count(vote, committee)
    db.session.commit()
    assert result["totals"] == {"area": "645.00", "heads": 7}
    assert result["participation"] == {"area": "80.00", "heads": 1, "met": False, "rule": "R-10"}


# --- R-05, partial sale (issue 12, point 10): a key's right passes only when all its units do -------

BUYER = ("孙丽", "310101199205056666")
SECOND_BUYER = ("钱进", "310101197001014444")


def _sold(unit: str, area: str, *buyers: tuple[str, str], building: str = "1", representative: int = 0) -> dict:
    """The roll rows of ``unit`` after a sale to ``buyers`` (several: co-owners, the first named
    representative unless told otherwise)."""
    if len(buyers) == 1:
        return {unit: [owner_row(building, unit, area, *buyers[0])]}
    return {unit: [owner_row(building, unit, area, name, document, group="N",
                             representative="是" if index == representative else "否")
                   for index, (name, document) in enumerate(buyers)]}


def _voters_of(vote, user) -> list[tuple[str, tuple[str, ...]]]:
    fresh()
    listed = [(m.voter, m.units) for m in services.mandates(user, vote)]
    for voter in {voter_of(vote, unit) for unit in ("1-101", "1-104", "2-101", "3-101")}:
        found = services.mandate_for(user, vote, voter)
        assert (found.voter, found.units) in listed if found else voter not in dict(listed)
    return listed


def _cast_through_the_page(app, login, user, vote, voter):
    pages = page_client(app)
    login(user, client=pages)
    return pages.post(f"/votes/{vote.id}/ballot/confirm",
                      data={"voter": voter, "item-i1": "approve", "code": code_now(user)})


def test_r05_one_of_two_units_sold_leaves_the_right_with_the_holder_at_the_notice(app, login, open_vote, estate,
                                                                                 make_user, owner_of):
    """The attack: the buyer of one unit of a two-unit key voted for both units' area and head
    (today seller and buyer share the right, and whoever votes first decides for both)."""
    seller = owner_of("1-101")
    key = voter_of(open_vote, "1-101")
    import_roll(estate, roll_with(replace=_sold("1-102", "50.00", BUYER)))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")

    assert _voters_of(open_vote, seller) == [(key, ("1-101", "1-102"))]
    assert _voters_of(open_vote, buyer) == []
    refused = _cast_through_the_page(app, login, buyer, open_vote, key)
    assert refused.status_code == 404 and count(Ballot) == 0
    cast_response = _cast_through_the_page(app, login, seller, open_vote, key)
    assert cast_response.status_code == 302 and "/receipt" in cast_response.headers["Location"]
    assert count(Ballot) == 1


def test_r05_both_units_sold_to_the_same_buyer_pass_the_right(open_vote, estate, make_user, owner_of):
    seller = owner_of("1-101")
    key = voter_of(open_vote, "1-101")
    import_roll(estate, roll_with(replace={**_sold("1-101", "100.00", BUYER), **_sold("1-102", "50.00", BUYER)}))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")

    assert _voters_of(open_vote, seller) == []
    assert _voters_of(open_vote, buyer) == [(key, ("1-101", "1-102"))]


def test_r05_both_units_sold_to_different_buyers_leave_the_right_with_the_holder_at_the_notice(
        open_vote, estate, make_user, owner_of):
    seller = owner_of("1-101")
    key = voter_of(open_vote, "1-101")
    import_roll(estate, roll_with(replace={**_sold("1-101", "100.00", BUYER),
                                           **_sold("1-102", "50.00", SECOND_BUYER)}))
    first, second = (account_of(make_user, estate, name, f"buyer-{name}") for name, _ in (BUYER, SECOND_BUYER))

    assert _voters_of(open_vote, seller) == [(key, ("1-101", "1-102"))]
    assert _voters_of(open_vote, first) == [] and _voters_of(open_vote, second) == []


def test_r05_a_co_owned_unit_sold_whole_passes_to_its_buyer(open_vote, estate, make_user, owner_of):
    representative = owner_of("2-101")  # 张强, the co-owners' representative at the notice
    key = voter_of(open_vote, "2-101")
    import_roll(estate, roll_with(replace=_sold("2-101", "120.00", BUYER, building="2")))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")

    assert _voters_of(open_vote, representative) == []
    assert _voters_of(open_vote, buyer) == [(key, ("2-101",))]


def test_r05_a_co_owned_unit_sold_to_new_co_owners_passes_to_their_representative(open_vote, estate, make_user,
                                                                                 owner_of):
    representative = owner_of("2-101")
    key = voter_of(open_vote, "2-101")
    import_roll(estate, roll_with(replace=_sold("2-101", "120.00", BUYER, SECOND_BUYER, building="2",
                                                representative=1)))
    new_representative = account_of(make_user, estate, "钱进", "owner-new-rep")
    other_co_owner = account_of(make_user, estate, "孙丽", "owner-co")

    assert _voters_of(open_vote, representative) == []
    assert _voters_of(open_vote, new_representative) == [(key, ("2-101",))]
    assert _voters_of(open_vote, other_co_owner) == []


def test_r05_one_developer_unit_sold_leaves_the_developers_key_with_the_developer(open_vote, estate, make_user,
                                                                                 owner_of):
    developer = owner_of("3-101")
    key = voter_of(open_vote, "3-101")
    import_roll(estate, roll_with(replace=_sold("3-101", "200.00", BUYER, building="3")))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")

    assert _voters_of(open_vote, developer) == [(key, ("3-101", "3-102"))]
    assert _voters_of(open_vote, buyer) == []


def test_r05_a_roll_frozen_before_the_holders_were_kept_falls_back_to_the_key_s_owner(open_vote, estate, make_user,
                                                                                     owner_of):
    """Rolls frozen before migration 0010 have no holder: a one-owner key names its owner."""
    seller = owner_of("1-101")
    key = voter_of(open_vote, "1-101")
    db.session.execute(update(VoteRollEntry).where(VoteRollEntry.vote_id == open_vote.id).values(holder_id=None))
    db.session.commit()
    import_roll(estate, roll_with(replace=_sold("1-102", "50.00", BUYER)))
    buyer = account_of(make_user, estate, "孙丽", "owner-buyer")

    assert _voters_of(open_vote, seller) == [(key, ("1-101", "1-102"))]
    assert _voters_of(open_vote, buyer) == []


def test_r05_the_holder_at_the_notice_is_kept_with_the_frozen_roll(open_vote, owner_of):
    holders = {unit: holder for unit, holder in db.session.execute(
        select(VoteRollEntry.unit, VoteRollEntry.holder_id).where(VoteRollEntry.vote_id == open_vote.id))}
    assert holders["1-101"] == holders["1-102"] == owner_of("1-101").owner_id
    assert holders["2-101"] == owner_of("2-101").owner_id  # the representative, not the other co-owner
    assert holders["3-101"] == holders["3-102"] == owner_of("3-101").owner_id
