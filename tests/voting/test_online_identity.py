"""R-34: an online ballot needs the account of the units' voting representative and a fresh,
unused second factor; R-21: no more names than seats online; R-15: one ballot for all of a
buyer's units."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import Ballot
from tests.conftest import owner_row
from tests.support.voting_world import close
from tests.support.site import (
    PDF, account_of, code_now, count, estate_with_roll, fresh, local_now, page_client, text, voter_of, wrong_code,
)

WRONG_CODE = "验证码错误或已使用过。请等下一个验证码出现后再试。"
TOO_MANY = "“选举业委会委员”最多只能选 3 名候选人。"


def test_r34_a_co_owner_who_is_not_the_representative_has_no_mandate(app, login, open_vote, estate, make_user):
    liu = account_of(make_user, estate, "刘芳", "owner-liu")
    group = voter_of(open_vote, "2-101")
    assert "+" in group  # the co-owners' group key
    pages = page_client(app)
    login(liu, client=pages)

    assert services.mandates(liu, open_vote) == []
    page = pages.get(f"/votes/{open_vote.id}")
    assert page.status_code == 200 and "现在投票" not in text(page)  # an owner of the estate may read the vote
    assert pages.get(f"/votes/{open_vote.id}/ballot?voter={group}").status_code == 404
    assert pages.post(f"/votes/{open_vote.id}/ballot?voter={group}", data={"item-i1": "approve"}).status_code == 404
    assert pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                      data={"voter": group, "item-i1": "approve", "code": code_now(liu)}).status_code == 404
    assert count(Ballot) == 0


def test_r34_the_representative_of_the_co_owned_unit_votes_for_it(open_vote, owner_of):
    zhang = owner_of("2-101")
    [mandate] = services.mandates(zhang, open_vote)
    assert mandate.voter == voter_of(open_vote, "2-101") and mandate.units == ("2-101",)


def test_r34_an_owner_of_another_estate_gets_404_for_the_vote(app, login, open_vote, make_estate, make_user):
    other = estate_with_roll(make_estate, "别的小区", [owner_row("1", "1-103", "80.00", "李娜", "310101198001012222")],
                             community="别的居民区")
    # The same person (same id document) owns a unit there: still a stranger to this estate's vote.
    stranger = account_of(make_user, other, "李娜", "owner-elsewhere")
    pages = page_client(app)
    login(stranger, client=pages)
    voter = voter_of(open_vote, "1-103")

    for url in (f"/votes/{open_vote.id}", f"/votes/{open_vote.id}/ballot?voter={voter}",
                f"/votes/{open_vote.id}/board", f"/estates/{open_vote.estate_id}/votes"):
        assert pages.get(url).status_code == 404, url
    assert pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                      data={"voter": voter, "item-i1": "approve", "code": code_now(stranger)}).status_code == 404
    assert services.mandates(stranger, open_vote) == []
    assert count(Ballot) == 0


def test_r34_a_wrong_code_is_refused_and_records_nothing(app, login, open_vote, owner_of):
    owner = owner_of("1-103")
    voter = voter_of(open_vote, "1-103")
    pages = page_client(app)
    login(owner, client=pages)

    response = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                          data={"voter": voter, "item-i1": "approve", "code": wrong_code(owner)})

    assert response.status_code == 400
    page = text(response)
    assert WRONG_CODE in page
    assert "使用维修资金加装电梯 ：同意" in page  # the choices are still there to confirm
    assert count(Ballot) == 0


def test_r34_a_missing_code_is_refused(app, login, open_vote, owner_of):
    owner = owner_of("1-103")
    pages = page_client(app)
    login(owner, client=pages)
    response = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                          data={"voter": voter_of(open_vote, "1-103"), "item-i1": "approve"})
    assert response.status_code == 400 and "请输入验证码。" in text(response)
    assert count(Ballot) == 0


def test_r34_a_replayed_code_is_refused(app, login, open_vote, owner_of, make_user, estate, clock):
    """李娜 votes for herself and holds a proxy for 1-104: the code used for her own ballot
    cannot cast the second one."""
    li = owner_of("1-103")
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    today = local_now(clock).date()
    services.record_proxy(open_vote, staff, unit="1-104", proxy_user=li, items=["i1"], scope="第1项",
                          valid_from=today, valid_until=today + dt.timedelta(days=6), document=PDF)
    db.session.commit()
    own, proxied = voter_of(open_vote, "1-103"), voter_of(open_vote, "1-104")
    pages = page_client(app)
    login(li, client=pages)
    code = code_now(li)

    first = pages.post(f"/votes/{open_vote.id}/ballot/confirm", data={"voter": own, "item-i1": "approve",
                                                                      "code": code})
    replay = pages.post(f"/votes/{open_vote.id}/ballot/confirm", data={"voter": proxied, "item-i1": "approve",
                                                                       "code": code})

    assert first.status_code == 302 and "/receipt" in first.headers["Location"]
    assert replay.status_code == 400 and WRONG_CODE in text(replay)
    fresh()
    assert [b.voter for b in db.session.scalars(select(Ballot))] == [own]

    later = pages.post(f"/votes/{open_vote.id}/ballot/confirm", data={"voter": proxied, "item-i1": "approve",
                                                                      "code": code_now(li, 1)})
    assert later.status_code == 302
    assert count(Ballot) == 2


def test_r21_online_choices_naming_more_candidates_than_seats_are_refused(app, login, open_vote, owner_of):
    owner = owner_of("1-103")
    voter = voter_of(open_vote, "1-103")
    pages = page_client(app)
    login(owner, client=pages)
    four = {"item-i1": "approve", "item-i3": ["c1", "c2", "c3", "c4"]}

    review = pages.post(f"/votes/{open_vote.id}/ballot?voter={voter}", data=four)
    confirm = pages.post(f"/votes/{open_vote.id}/ballot/confirm", data={"voter": voter, "code": code_now(owner),
                                                                        **four})

    assert review.status_code == 200
    assert TOO_MANY in text(review) and "请核对" not in text(review)  # back on the ballot, not the review
    assert confirm.status_code == 302 and confirm.headers["Location"].startswith(f"/votes/{open_vote.id}/ballot")
    assert TOO_MANY in text(pages.get(confirm.headers["Location"]))
    assert count(Ballot) == 0
    # Exactly as many names as seats is fine.
    three = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                       data={"voter": voter, "code": code_now(owner, 1), "item-i3": ["c1", "c2", "c3"]})
    assert three.status_code == 302 and "/receipt" in three.headers["Location"]
    fresh()
    assert db.session.scalar(select(Ballot)).choices["i3"] == ["c1", "c2", "c3"]


def test_r15_the_buyer_of_two_units_casts_one_ballot_counted_with_both_areas(app, login, open_vote, owner_of,
                                                                             committee, clock):
    wang = owner_of("1-101")
    [mandate] = services.mandates(wang, open_vote)
    assert mandate.units == ("1-101", "1-102")
    pages = page_client(app)
    login(wang, client=pages)
    assert "您的选票：1-101, 1-102" in text(pages.get(f"/votes/{open_vote.id}"))
    assert "房屋：1-101, 1-102。" in text(pages.get(f"/votes/{open_vote.id}/ballot?voter={mandate.voter}"))

    response = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                          data={"voter": mandate.voter, "item-i1": "approve", "item-i3": ["c1"], "item-i4": "p1",
                                "code": code_now(wang)})
    assert response.status_code == 302
    assert "1-101, 1-102" in text(pages.get(response.headers["Location"]))
    assert count(Ballot) == 1

    fresh()
    close(open_vote, clock)
    result = services.count(open_vote, committee)
    db.session.commit()
    assert result["participation"] == {"area": "150.00", "heads": 1, "met": False, "rule": "R-10"}
    assert result["items"]["i1"]["approve"] == {"area": "150.00", "heads": 1}
    assert result["items"]["i3"]["candidates"][0] == {"id": "c1", "area": "150.00", "heads": 1, "eligible": True}
    [building_1] = [row for row in services.breakdown(open_vote) if row["building"] == "1"]
    assert building_1["participating_units"] == 2 and building_1["participating_area"] == "150.00"
