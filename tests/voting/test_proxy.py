"""R-33: a proxy votes online with a written authority recorded by staff: the matters, the
term and the signed document; at most 3 proxies per person and vote."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.voting import services
from governance_app.voting.models import Ballot, Channel, ProxyAuthority, VoteRollEntry
from tests.support.site import (
    JPEG, PDF, code_now, count, events, fresh, local_now, owner_named, page_client, text, upload, voter_of,
)


@pytest.fixture
def staff(make_user, estate):
    return make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")


@pytest.fixture
def relative(make_user):
    """The proxy: an account of someone who owns nothing in the estate (a relative, say)."""
    return make_user(login="13900000009", name="孙丽")


def authority_form(unit: str, proxy, today: dt.date, *, matters=("i1", "i3"), days: int = 6,
                   document=PDF, filename="authority.pdf") -> dict:
    return {"unit": unit, "proxy_login": proxy.login, "scope": "代为表决第1、3项",
            "valid_from": today.isoformat(), "valid_until": (today + dt.timedelta(days=days)).isoformat(),
            "document": upload(document, filename), **{f"matter-{key}": "1" for key in matters}}


def record(proxy, vote, staff, unit: str, today: dt.date, *, items=("i1", "i3"), days: int = 6):
    authority = services.record_proxy(vote, staff, unit=unit, proxy_user=proxy, items=list(items), scope="",
                                      valid_from=today, valid_until=today + dt.timedelta(days=days),
                                      document=PDF + unit.encode())
    db.session.commit()
    return authority


def test_r33_staff_record_an_authority_and_the_proxy_votes_online_through_the_pages(
        app, login, open_vote, staff, relative, clock):
    today = local_now(clock).date()
    pages = page_client(app)
    login(staff, client=pages)

    recorded = pages.post(f"/votes/{open_vote.id}/proxies", data=authority_form("1-104", relative, today))

    assert recorded.status_code == 302
    assert "委托书已登记。受托人现在可以为 1-104 在线投票。" in text(pages.get(recorded.headers["Location"]))
    fresh()
    authority = db.session.scalar(select(ProxyAuthority))
    assert authority.voter == voter_of(open_vote, "1-104") and authority.proxy_user_id == relative.id
    assert authority.items == ["i1", "i3"] and authority.scope == "代为表决第1、3项"
    assert (authority.valid_from, authority.valid_until) == (today, today + dt.timedelta(days=6))
    assert authority.recorded_by_id == staff.id
    document = db.session.get(StoredFile, authority.document_id)
    assert document.content == PDF and document.content_type == "application/pdf"
    assert [e.details["items"] for e in events("proxy.recorded")] == [["i1", "i3"]]

    # The proxy signs in and votes.
    login(relative, client=pages)
    [mandate] = services.mandates(relative, open_vote)
    assert mandate.channel == Channel.PROXY and mandate.units == ("1-104",)
    vote_page = pages.get(f"/votes/{open_vote.id}")
    assert vote_page.status_code == 200 and "您的选票：1-104 · 作为受托人" in text(vote_page)
    ballot_page = pages.get(f"/votes/{open_vote.id}/ballot?voter={mandate.voter}")
    assert ballot_page.status_code == 200
    assert "您作为业主的受托人投票。" in text(ballot_page)
    assert text(ballot_page).count("不在委托范围内。") == 2  # items 2 and 4
    marks = {"item-i1": "approve", "item-i2": "approve", "item-i3": ["c1", "c2"], "item-i4": "p1"}
    review = pages.post(f"/votes/{open_vote.id}/ballot?voter={mandate.voter}", data=marks)
    assert review.status_code == 200
    assert "续筹维修资金 ：未填写" in text(review) and "物业管理方式 ：未填写" in text(review)
    cast = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                      data={"voter": mandate.voter, "code": code_now(relative), **marks})
    assert cast.status_code == 302 and "/receipt" in cast.headers["Location"]
    assert pages.get(cast.headers["Location"]).status_code == 200

    fresh()
    ballot = db.session.scalar(select(Ballot))
    assert ballot.channel == Channel.PROXY
    assert ballot.proxy_id == authority.id and ballot.cast_by_id == relative.id
    assert ballot.choices == {"i1": "approve", "i2": None, "i3": ["c1", "c2"], "i4": None}
    assert "#1 · 委托" in text(pages.get(f"/votes/{open_vote.id}/board"))


def test_r33_items_outside_the_authority_are_null_even_through_the_service(open_vote, staff, relative, clock):
    record(relative, open_vote, staff, "1-104", local_now(clock).date(), items=("i2",))
    [mandate] = services.mandates(relative, open_vote)
    assert services.cast_online(open_vote, relative, mandate, {"i1": "approve", "i2": "oppose", "i3": ["c1"], "i4": "p2"})
    ballot = services.existing_ballot(open_vote, mandate.voter)
    assert ballot.choices == {"i1": None, "i2": "oppose", "i3": None, "i4": None}


def test_r33_an_owner_of_the_estate_may_be_a_proxy_too(open_vote, staff, owner_of, clock):
    neighbour = owner_of("3-103")
    record(neighbour, open_vote, staff, "1-104", local_now(clock).date())
    mandates = services.mandates(neighbour, open_vote)
    assert [(m.units, m.channel) for m in mandates] == [(("3-103",), Channel.ONLINE), (("1-104",), Channel.PROXY)]


def test_r33_a_fourth_authority_for_the_same_person_is_refused(app, login, open_vote, staff, relative, make_user,
                                                               clock):
    today = local_now(clock).date()
    for unit in ("1-103", "1-104", "2-102"):
        record(relative, open_vote, staff, unit, today)
    pages = page_client(app)
    login(staff, client=pages)

    fourth = pages.post(f"/votes/{open_vote.id}/proxies", data=authority_form("2-103", relative, today))

    assert fourth.status_code == 400
    assert "此人在本次表决中已接受 3 份委托（R-33）。" in text(fourth)
    assert count(ProxyAuthority) == 3
    assert len(services.mandates(relative, open_vote)) == 3
    # Another person may take that unit's proxy.
    other = make_user(login="13900000010", name="钱进")
    assert pages.post(f"/votes/{open_vote.id}/proxies",
                      data=authority_form("2-103", other, today)).status_code == 302
    assert count(ProxyAuthority) == 4


def test_r33_a_unit_has_one_proxy_at_a_time(app, login, open_vote, staff, relative, make_user, clock):
    today = local_now(clock).date()
    record(relative, open_vote, staff, "1-104", today)
    pages = page_client(app)
    login(staff, client=pages)
    second = pages.post(f"/votes/{open_vote.id}/proxies",
                        data=authority_form("1-104", make_user(login="13900000010"), today))
    assert "1-104 在本次表决中已有受托人。" in text(second)
    assert count(ProxyAuthority) == 1


@pytest.mark.parametrize("form_change, message", [
    ({"matters": ()}, "请至少选择一个受托人可以表决的事项。"),
    ({"days": -1}, "委托期限的截止日期早于起始日期。"),
    ({"document": b"just text", "filename": "authority.jpg"}, "只接受 JPEG、PNG 或 PDF 文件。"),
], ids=["no-matters", "term-ends-before-it-starts", "document-not-an-image"])
def test_r33_an_incomplete_authority_is_refused(app, login, open_vote, staff, relative, clock, form_change, message):
    pages = page_client(app)
    login(staff, client=pages)
    response = pages.post(f"/votes/{open_vote.id}/proxies",
                          data=authority_form("1-104", relative, local_now(clock).date(), **form_change))
    assert response.status_code == 400 and message in text(response)
    assert count(ProxyAuthority) == 0 and count(StoredFile) == 0


def test_r33_an_unknown_proxy_login_is_refused(app, login, open_vote, staff, clock):
    pages = page_client(app)
    login(staff, client=pages)
    form = authority_form("1-104", SimpleNamespace(login="13999999999"), local_now(clock).date(),
                          document=JPEG, filename="a.jpg")
    response = pages.post(f"/votes/{open_vote.id}/proxies", data=form)
    assert "没有使用该登录名的账户。" in text(response)
    assert count(ProxyAuthority) == 0


def test_r33_a_term_that_has_ended_gives_no_mandate(app, login, open_vote, staff, relative, clock):
    today = local_now(clock).date()
    record(relative, open_vote, staff, "1-104", today, days=0)  # valid today only
    voter = voter_of(open_vote, "1-104")
    assert [m.voter for m in services.mandates(relative, open_vote)] == [voter]

    clock.move_to(dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0, 0)))
    pages = page_client(app)
    login(relative, client=pages)

    assert services.mandates(relative, open_vote) == []
    assert pages.get(f"/votes/{open_vote.id}/ballot?voter={voter}").status_code == 404
    assert pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                      data={"voter": voter, "item-i1": "approve", "code": code_now(relative)}).status_code == 404
    assert count(Ballot) == 0


def test_r33_a_term_that_has_not_begun_gives_no_mandate(open_vote, staff, relative, clock):
    tomorrow = local_now(clock).date() + dt.timedelta(days=1)
    record(relative, open_vote, staff, "1-104", tomorrow)
    assert services.mandates(relative, open_vote) == []


def test_r33_r34_the_one_mandate_a_cast_looks_up_is_the_one_listed(open_vote, estate, owner_of, make_user, committee,
                                                                  staff, relative, clock):
    """A cast request looks up one mandate (``mandate_for``) instead of listing them all
    (``mandates``): for every account and every voter key both give the same answer."""
    today = local_now(clock).date()
    neighbour = owner_of("3-103")
    record(neighbour, open_vote, staff, "1-104", today)  # an owner who is also a proxy
    record(relative, open_vote, staff, "2-102", today, items=("i2",))  # a proxy who owns nothing
    expired = make_user(login="13900000010", name="钱七")
    record(expired, open_vote, staff, "2-103", today, days=0)  # a term of one day, which ends below
    co_owner = make_user(owner=owner_named(estate, "刘芳"), login="co-owner", name="刘芳")  # not the representative
    clock.at += dt.timedelta(days=1)
    accounts = [owner_of(unit) for unit in ("1-101", "1-103", "1-104", "2-101", "2-104", "3-101")]
    accounts += [neighbour, relative, expired, co_owner, committee]
    voters = sorted(set(db.session.scalars(select(VoteRollEntry.voter).where(VoteRollEntry.vote_id == open_vote.id))))
    found = 0
    for account in accounts:
        listed = {mandate.voter: mandate for mandate in services.mandates(account, open_vote)}
        for voter in [*voters, "o999999", "", None]:
            assert services.mandate_for(account, open_vote, voter) == listed.get(voter), (account.login, voter)
        found += len(listed)
    # Mandates of every kind: alone, several units, co-owned, the developer's, proxies.
    assert found == 9
