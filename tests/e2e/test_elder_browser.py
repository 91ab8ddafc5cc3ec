"""长辈版 at 375x812, tried as an elderly owner would: switch to it on the sign-in page, sign in,
vote, read the receipt, look at the notices and the accounts through its menu, sign out and in
again and find it still on. Every page of the journey is measured in the page (text at least
22 px, line height at least 1.3, paragraph spacing, tap targets at least 48x48 px, no sideways
scrolling) and checked with axe including its AAA contrast rule; the same journey in the
standard display is checked with axe and for sideways scrolling too, and on each of its pages
(the ballot and the accounts' charts among them) chart text shows at 12 px or more and every
button, check box and radio button is a tap target of 44x44 px or more (issue 14)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role, User
from governance_app.disclosure import services as disclosure_services
from governance_app.disclosure.models import NoticeKind
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner, Ownership, Unit
from governance_app.extensions import db
from governance_app.funds import services as funds_services
from governance_app.funds.models import AccountKind
from governance_app.voting import services as voting_services
from governance_app.voting.models import ItemKind, NominationSource, VoteState
from tests.conftest import roll_csv
from tests.e2e.conftest import PHONE, Codes, assert_fits_phone
from tests.e2e.display import (
    assert_accessible_aaa, assert_elder_measures, assert_phone_measures, assert_standard, count_chart_texts,
)
from tests.support.voting_world import ROLL

RESOLUTION = "1. 使用维修资金加装电梯"
ELECTION = "2. 增补业委会委员"
CHOICE = "3. 物业管理方式"


@pytest.fixture
def estate(make_estate, make_user):
    """梅园小区: its roll, an open vote of three items, a notice and the accounts opened."""
    estate = make_estate("梅园小区")
    assert estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv").ok
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    today = platform_clock.today()
    vote = voting_services.create_vote(estate, title="加装电梯", description="1 号楼加装电梯。",
                                       opening_date=today + dt.timedelta(days=15),
                                       last_day=today + dt.timedelta(days=21), buildings=None, actor=chair)
    voting_services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    election = voting_services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="增补业委会委员", seats=3)
    for name in ("甲", "乙", "丙"):
        voting_services.add_candidate(election, name=name, nomination=NominationSource.SELF, statement="",
                                      pledge_signed=True)
    voting_services.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业管理方式",
                             options=["继续聘用专业物业公司", "自行管理"])
    voting_services.publish_notice(vote, chair)
    vote.opens_at = platform_clock.now() - dt.timedelta(days=1)  # the 15 days of R-40 have passed
    voting_services.advance(vote)
    assert vote.state == VoteState.OPEN
    disclosure_services.publish_notice(estate, kind=NoticeKind.ANNOUNCEMENT, title="停水通知",
                                       body="明天 9:00-12:00 停水，请提前储水。", starts_at=platform_clock.now(),
                                       ends_at=None, pinned=False, attachments=[], actor=chair)
    funds_services.open_accounts(estate, opened_on=platform_clock.today() - dt.timedelta(days=30),
                                 first_period_amount=100_000_00, actor=chair, balances={
                                     AccountKind.MAINTENANCE_FUND: 80_000_00, AccountKind.COMMON_INCOME: 5_000_00,
                                     AccountKind.WORKING_FUND: 1_000_00})
    db.session.commit()
    return estate


def _owner(make_user, estate, unit: str, login: str) -> User:
    owner = db.session.scalars(select(Owner).join(Ownership, Ownership.owner_id == Owner.id)
                               .join(Unit, Unit.id == Ownership.unit_id)
                               .where(Unit.label == unit, Unit.estate_id == estate.id)).first()
    return make_user(owner=owner, login=login, name=owner.name)


def _phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, base_url=live_server,
                                  locale="zh-CN")
    context.set_default_timeout(10_000)
    return context, context.new_page()


class Journey:
    """The owner's pages, each checked as it is reached: in 长辈版, or in the standard display."""

    def __init__(self, page, user: User, elder: bool):
        self.page, self.user, self.elder, self.seen = page, user, elder, []
        self.codes = Codes(user)

    def check(self, what: str) -> None:
        self.seen.append(what)
        self.page.wait_for_load_state("load")  # the style sheet too, before measuring
        if self.elder:
            assert_elder_measures(self.page)
        else:
            assert_standard(self.page)
            assert_phone_measures(self.page)
        assert_fits_phone(self.page)
        assert_accessible_aaa(self.page)

    def sign_in(self) -> None:
        page = self.page
        page.get_by_label("手机号或用户名").fill(self.user.login)
        page.get_by_label("密码").fill("correct-horse-battery")
        page.get_by_role("button", name="下一步").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("第二步验证")
        self.check("second step")
        page.get_by_label(re.compile("身份验证器")).fill(self.codes.next())
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("等您处理的事项")  # the home page (issue 14)
        self.check("home, signed in")

    def go(self, menu_item: str) -> None:
        """Through the menu of 长辈版; in the standard display, from the estate's page."""
        if self.elder:
            self.page.get_by_role("navigation", name="菜单").get_by_role("link", name=menu_item).click()
        else:
            self.page.get_by_role("link", name="我的账户").first.click()
            self.page.get_by_role("link", name="梅园小区").first.click()
            names = {"我的表决": "^表决$", "通知": "^通知", "小区账目": "^账目$"}  # 通知 (1 条未读)
            self.page.get_by_role("link", name=re.compile(names[menu_item])).click()

    def vote(self) -> str:
        page = self.page
        self.go("我的表决")
        expect(page.get_by_role("heading", level=1)).to_have_text("表决")
        self.check("votes")
        page.get_by_role("link", name="加装电梯").click()
        self.check("the vote")
        page.get_by_role("link", name="现在投票").click()
        self.check("the ballot")
        # Each choice is tapped as a button with its words; the chosen one says so in words.
        resolution = page.get_by_role("group", name=RESOLUTION)
        resolution.locator("label.choice", has_text="同意").click()
        expect(resolution.get_by_label("同意")).to_be_checked()
        expect(resolution.locator("label.choice", has_text="同意").locator(".chosen-mark")).to_have_text("已选")
        expect(resolution.locator("label.choice", has_text="反对").locator(".chosen-mark")).to_be_hidden()
        election = page.get_by_role("group", name=ELECTION)
        election.locator("label.choice", has_text="甲").click()
        election.locator("label.choice", has_text="乙").click()
        page.get_by_role("group", name=CHOICE).locator("label.choice", has_text="自行管理").click()
        expect(page.get_by_role("group", name=CHOICE).get_by_label("自行管理")).to_be_checked()
        self.check("the ballot, filled in")
        page.get_by_role("button", name="查看我的选择").click()
        expect(page.locator(".confirm-list")).to_contain_text("同意")
        expect(page.locator(".confirm-list")).to_contain_text("同意：甲、乙")
        expect(page.locator(".confirm-list")).to_contain_text("自行管理")
        self.check("confirm the ballot")
        page.get_by_label("身份验证器应用中的 6 位验证码").fill(self.codes.next())
        page.get_by_role("button", name="提交我的选票").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已登记")
        tracker = page.locator("#tracker").inner_text()
        assert re.fullmatch(r"[0-9a-f]{64}", tracker)
        self.check("the receipt")
        page.get_by_role("link", name="在公示栏中查找").click()
        expect(page.locator(".board")).to_contain_text(tracker)
        self.check("the board")
        return tracker

    def read_notices_and_accounts(self) -> None:
        page = self.page
        self.go("通知")
        self.check("notices")
        page.get_by_role("link", name="停水通知").click()
        expect(page.locator(".notice-body")).to_contain_text("停水")
        self.check("a notice")
        self.go("小区账目")
        expect(page.get_by_role("heading", level=1)).to_have_text("账目")
        self.check("the accounts")
        assert count_chart_texts(page) > 0  # the accounts' charts, measured too
        page.get_by_role("link", name="专项维修资金").first.click()
        self.check("the maintenance fund")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="退出", exact=True).click()
        expect(self.page.locator(".flash-info")).to_contain_text("您已退出登录")
        self.check("signed out")


def test_an_elderly_owner_switches_to_elder_mode_votes_and_finds_it_again(browser, live_server, app, monkeypatch,
                                                                          estate, make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    owner = _owner(make_user, estate, "1-103", "13900000103")
    context, page = _phone(browser, live_server)
    journey = Journey(page, owner, elder=True)

    page.goto("/")
    page.get_by_role("link", name="登录").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert_standard(page)
    # The switch at the top of the sign-in page; no script needed (a form), back to the same page.
    page.get_by_role("button", name="长辈版").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    assert page.url.endswith("/login")
    journey.check("sign in")
    journey.sign_in()
    expect(page.get_by_role("navigation", name="菜单").get_by_role("link")).to_have_text(
        ["消息", "我的表决", "通知", "小区账目", "我的账户"])
    journey.vote()
    journey.read_notices_and_accounts()
    journey.sign_out()

    # Signed out, the device keeps it; signed in again, the account does.
    page.get_by_role("link", name="登录").first.click()
    journey.check("sign in, again")
    journey.sign_in()
    db.session.expire_all()
    assert db.session.get(User, owner.id).elder_mode is True
    context.close()
    assert len(journey.seen) == 18, journey.seen


def test_the_same_journey_in_the_standard_display_passes_axe_and_fits_the_phone(browser, live_server, app,
                                                                              monkeypatch, estate, make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    owner = _owner(make_user, estate, "1-104", "13900000104")
    context, page = _phone(browser, live_server)
    journey = Journey(page, owner, elder=False)
    page.goto("/")
    journey.check("home")
    page.get_by_role("link", name="登录").first.click()
    journey.check("sign in")
    journey.sign_in()
    journey.vote()
    journey.read_notices_and_accounts()
    journey.sign_out()
    context.close()
    db.session.expire_all()
    assert db.session.get(User, owner.id).elder_mode is None
