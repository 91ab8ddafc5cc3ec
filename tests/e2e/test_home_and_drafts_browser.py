"""Issue 14 in a phone browser (375x812, Chinese): an owner signs in, lands on the home page that
shows the open vote they have not voted in, and votes from there in at most 5 taps to the receipt;
a chair corrects a draft whose dates were refused and publishes it after the confirmation page.
axe stays clean on every page."""
from __future__ import annotations

import datetime as dt
import re
import time

from playwright.sync_api import expect

from governance_app.auth.models import Role
from governance_app.core import clock as platform
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind, Vote, VoteState
from tests.conftest import roll_csv
from tests.e2e.conftest import Codes, assert_accessible, assert_fits_phone, sign_in_browser
from tests.support.voting_world import ROLL


def _estate(make_estate):
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    db.session.commit()
    return estate


def _owner(make_user, estate, unit: str, login: str):
    from sqlalchemy import select

    from governance_app.estates.models import Owner, Ownership, Unit

    owner = db.session.scalars(select(Owner).join(Ownership, Ownership.owner_id == Owner.id)
                               .join(Unit, Unit.id == Ownership.unit_id)
                               .where(Unit.label == unit, Ownership.valid_to.is_(None))).first()
    return make_user(owner=owner, login=login, name=owner.name)


def _tap(page, locator, taps: list) -> None:
    taps.append(locator)
    locator.click()


def test_an_owner_lands_on_the_home_page_and_votes_from_there_in_five_taps(page, make_estate, make_user,
                                                                           clock):
    estate = _estate(make_estate)
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    owner = _owner(make_user, estate, "1-103", "13900000103")
    opening = platform.today() + dt.timedelta(days=15)
    vote = services.create_vote(estate, title="加装电梯", description="", opening_date=opening,
                                last_day=opening + dt.timedelta(days=6), buildings=None, actor=chair)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    services.publish_notice(vote, chair)
    db.session.commit()
    clock.set(opening.year, opening.month, opening.day, hour=9)
    signed_in_at = time.time()

    sign_in_browser(page, owner, at=signed_in_at)  # lands on the home page (the helper checks its heading)
    assert re.search(r"/$", page.url)
    waiting = page.locator(".waiting-list li")
    expect(waiting).to_have_count(1)
    expect(waiting.first).to_contain_text("投票：加装电梯")
    expect(waiting.first).to_contain_text((opening + dt.timedelta(days=6)).isoformat())
    assert_accessible(page)
    assert_fits_phone(page)

    taps: list = []
    _tap(page, page.get_by_role("link", name="现在投票"), taps)
    _tap(page, page.get_by_role("group", name="1. 使用维修资金加装电梯").get_by_label("同意"), taps)
    _tap(page, page.get_by_role("button", name="查看我的选择"), taps)
    page.get_by_label("身份验证器应用中的 6 位验证码").fill(Codes(owner, used_at=signed_in_at).next())
    _tap(page, page.get_by_role("button", name="提交我的选票"), taps)
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已登记")
    assert len(taps) <= 5
    assert_accessible(page)

    page.goto("/")
    expect(page.locator(".waiting-list li")).to_have_count(0)  # voted: nothing waits any more
    expect(page.get_by_text("目前没有需要您处理的事项。")).to_be_visible()


def test_a_chair_corrects_a_refused_draft_and_publishes_it_after_the_confirmation(page, make_estate, make_user,
                                                                                  clock):
    estate = _estate(make_estate)
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    too_soon = platform.today() + dt.timedelta(days=10)  # R-40 needs 15 full days
    vote = services.create_vote(estate, title="加装电梯", description="", opening_date=too_soon,
                                last_day=too_soon + dt.timedelta(days=6), buildings=None, actor=chair)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    db.session.commit()
    vote_id = vote.id

    sign_in_browser(page, chair)
    expect(page.locator(".waiting-list li").first).to_contain_text("表决草稿：加装电梯")
    assert_accessible(page)
    page.get_by_role("link", name="完成草稿").click()
    page.get_by_role("link", name="发布公告并冻结名册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认发布公告？")
    expect(page.locator(".problems")).to_contain_text("R-40")
    expect(page.get_by_role("button", name="发布公告并冻结名册")).to_have_count(0)  # refused: no button
    assert_accessible(page)
    assert_fits_phone(page)

    page.get_by_role("link", name="返回草稿").click()
    page.get_by_role("link", name="修改标题、日期或楼栋").click()
    assert_accessible(page)
    opening = platform.today() + dt.timedelta(days=15)
    page.get_by_label("开始投票日期").fill(opening.isoformat())
    page.get_by_label("投票最后一天（至 24:00）").fill((opening + dt.timedelta(days=6)).isoformat())
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()

    page.get_by_role("link", name="发布公告并冻结名册").click()
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text("名册将在此刻冻结")
    assert_accessible(page)
    page.get_by_role("button", name="发布公告并冻结名册").click()
    expect(page.get_by_text("公告已发布，名册已冻结。")).to_be_visible()
    assert_accessible(page)
    db.session.rollback()
    published = db.session.get(Vote, vote_id)
    assert published.state == VoteState.NOTICED and platform.local_date(published.opens_at) == opening
