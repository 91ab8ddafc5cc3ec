"""A re-election as new users take it, at 375x812: the supervisor sees the estate whose term ends
in 5 months flagged, records the report and the group; community staff plan, take nominations,
review, post the list and build the vote; the committee publishes its notice; owners cast (one in
the browser); the result is published; the supervisor accepts the filing; the committee records the
handover; the dashboard shows the stage at every step and the cycle time at the end. And a one-seat
by-election item added in the voting item form (R-43). axe on every new page.

Stages are dated in the past as staff would record what happened (the platform's clock stays at
now, so that sign-in codes and sessions are real); the vote's 15 days of notice are passed by moving
its dates, as the route-matrix world does."""
from __future__ import annotations

import datetime as dt
import re
import time

from playwright.sync_api import expect

from governance_app.auth.models import Role
from governance_app.core import clock as platform
from governance_app.disclosure import services as disclosure
from governance_app.disclosure.models import MemberRole
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.supervision import services as supervision
from governance_app.voting import services as voting
from governance_app.voting.models import ItemKind, NominationSource
from tests.conftest import roll_csv
from tests.e2e.conftest import Codes, assert_accessible, assert_fits_phone, sign_in_browser
from tests.supervision.support import VOTERS, owner_account
from tests.support.voting_world import ROLL


def _phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(15_000)
    return context, context.new_page()


_LAST_STEP: dict[int, int] = {}


def _sign_in(page, user) -> None:
    """Sign in with a code of a step not used before by this account (no replay): the next step,
    which the verifier accepts one step ahead, waiting if even that one is used."""
    now = time.time()
    step = max(int(now // 30), _LAST_STEP.get(user.id, -1) + 1)
    if (step - 1) * 30 > now:
        time.sleep((step - 1) * 30 - now + 1)
    _LAST_STEP[user.id] = step
    sign_in_browser(page, user, at=max(step * 30 + 1, now))


def _field(page, name: str):
    """A form field of the page by its name, in ``main``: a page drawn for a POST also carries what
    was typed as hidden inputs of the same names in the header's language switch."""
    return page.locator(f'main [name="{name}"]')


def _stage_date(page, day: dt.date, button: str, form: str = "stage") -> None:
    _field(page, f"{form}-happened_on").fill(day.isoformat())
    page.get_by_role("button", name=button).click()


def _close_now(vote) -> None:
    """The deadline passes a moment after the last ballot (ballots after it would be late, R-31)."""
    vote.closes_at = platform.now() + dt.timedelta(seconds=1)
    time.sleep(1.5)
    voting.advance(vote)
    assert vote.state.value == "closed"


def _dashboard_row(page, estate_id: int):
    page.goto("/supervision/")
    return page.locator(f"#estate-{estate_id}")


def test_a_reelection_from_the_flag_to_the_handover(browser, live_server, app, monkeypatch, make_estate, make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    today = platform.today()
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair", name="业委会主任")
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff", name="居委干部")
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")
    term_end = today + dt.timedelta(days=152)  # five months away
    for number, name in enumerate(("甲某", "乙某", "丙某", "丁某", "戊某")):
        disclosure.add_member(estate, name=name, role=MemberRole.CHAIR if number == 0 else MemberRole.MEMBER,
                              term_start=term_end - dt.timedelta(days=5 * 365 - 2), term_end=term_end, pledge=None,
                              pledge_signed_on=None, actor=chair)
    db.session.commit()
    base = f"/supervision/estates/{estate.id}"
    report_day, group_day, plan_day, posted_day = (today - dt.timedelta(days=d) for d in (100, 90, 30, 20))

    # The supervisor sees the term ending flagged, starts the re-election, records the report and the group.
    context, page = _phone(browser, live_server)
    _sign_in(page, supervisor)
    row = _dashboard_row(page, estate.id)
    expect(row).to_contain_text("任期 5 个月后届满")
    expect(row).to_contain_text("R-47")
    assert_accessible(page)
    assert_fits_phone(page)
    row.get_by_role("link", name="梅园小区").click()
    expect(page.locator(".overdue").first).to_contain_text("6 个月内届满")
    page.get_by_label("选举类型").select_option("reelection")
    page.get_by_role("button", name="开始").click()
    expect(page.locator(".flash-success")).to_contain_text("流程已开始")
    _field(page, "stage-note").fill("业委会换届书面报告")
    _stage_date(page, report_day, "登记")
    expect(page.locator("#next-stage")).to_contain_text("第 3 步")
    assert_accessible(page)
    assert_fits_phone(page)
    for name, role in (("居委会 周某", "community_staff"), ("业主代表 郑某", "owner_representative")):
        _field(page, "member-name").fill(name)
        _field(page, "member-role").select_option(role)
        page.get_by_role("button", name="加入小组").click()
    _stage_date(page, group_day, "小组成立")
    expect(page.locator("#next-stage")).to_contain_text("第 4 步")
    expect(_dashboard_row(page, estate.id)).to_contain_text("第 3 步")
    context.close()

    # Community staff: plan, nominations, review, posting, the vote.
    context, page = _phone(browser, live_server)
    _sign_in(page, staff)
    page.goto(base)
    _field(page, "plan-seats").fill("4")
    _field(page, "plan-structure").fill("楼组长 2 名，党员 1 名")
    _field(page, "plan-happened_on").fill(plan_day.isoformat())
    page.get_by_role("button", name="登记选举方案").click()
    expect(page.locator(".flash-error")).to_contain_text("双数")
    expect(_field(page, "plan-structure")).to_have_value("楼组长 2 名，党员 1 名")  # kept
    _field(page, "plan-seats").fill("3")
    _field(page, "plan-structure_by_community").check()
    page.get_by_role("button", name="登记选举方案").click()
    expect(page.locator("#next-stage")).to_contain_text("第 5 步")
    for name, source in (("王某", "self"), ("李某", "joint"), ("张某", "community"), ("赵某", "party")):
        _field(page, "nominee-name").fill(name)
        _field(page, "nominee-source").select_option(source)
        page.get_by_role("button", name="添加候选人").click()
        expect(page.locator(".flash-success")).to_contain_text("候选人")
    _stage_date(page, plan_day, "提名已结束")
    expect(page.locator("#next-stage")).to_contain_text("第 6 步")
    assert_accessible(page)
    for name in ("王某", "李某", "张某"):
        card = page.locator(".card", has_text=name)
        card.locator("input[value=approved]").check()
        card.locator("input[name$=pledge_signed]").check()
        page.get_by_role("button", name=f"登记对 {name} 的审查结论").click()
    card = page.locator(".card", has_text="赵某")
    card.locator("input[value=arrears]").check()
    card.locator("input[value=rejected]").check()
    card.locator("textarea").fill("欠缴物业费未整改")
    page.get_by_role("button", name="登记对 赵某 的审查结论").click()
    _stage_date(page, plan_day, "审查完毕")
    _stage_date(page, posted_day, "名单已公示")
    expect(page.locator("#next-stage")).to_contain_text("第 8 步")
    with page.expect_download() as download:
        page.get_by_role("link", name="候选人名单（PDF）").click()
    assert download.value.suggested_filename.endswith(".pdf")
    opening = today + dt.timedelta(days=15)
    _field(page, "election-opening_date").fill(opening.isoformat())
    _field(page, "election-last_day").fill((opening + dt.timedelta(days=6)).isoformat())
    page.get_by_role("button", name="生成选举表决").click()
    expect(page.locator(".flash-success")).to_contain_text("选举表决已生成")
    assert_accessible(page)
    assert_fits_phone(page)
    context.close()

    # The committee publishes the notice; voting opens 15 days later (moved here), owners cast.
    process = supervision.open_process(estate)
    db.session.refresh(process)
    vote = voting.get_vote(process.vote_id)
    context, page = _phone(browser, live_server)
    _sign_in(page, chair)
    page.goto(f"/votes/{vote.id}")
    page.get_by_role("link", name="发布公告并冻结名册").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认发布公告？")
    page.get_by_role("button", name="发布公告并冻结名册").click()
    expect(page.locator(".flash-success")).to_contain_text("公告已发布")
    context.close()
    db.session.expire_all()
    vote = voting.get_vote(process.vote_id)
    vote.opens_at = platform.now() - dt.timedelta(days=1)
    voting.advance(vote)
    db.session.commit()
    owner = owner_account(make_user, estate, "1-103")
    context, page = _phone(browser, live_server)
    login_time = time.time()
    sign_in_browser(page, owner, at=login_time)
    page.goto(f"/votes/{vote.id}")
    page.get_by_role("link", name="现在投票").click()
    for name in ("王某", "李某", "张某"):
        page.get_by_label(name).check()
    page.get_by_role("button", name="查看我的选择").click()
    page.get_by_label("身份验证器应用中的 6 位验证码").fill(Codes(owner, used_at=login_time).next())
    page.get_by_role("button", name="提交我的选票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已登记")
    context.close()
    picks = [c.key for c in vote.items[0].candidates]
    for unit in VOTERS:
        if unit == "1-103":
            continue
        user = owner_account(make_user, estate, unit)
        assert voting.cast_online(vote, user, voting.mandates(user, vote)[0], {"i1": picks})
        db.session.commit()
    _close_now(vote)
    voting.count(vote, chair)
    voting.publish_result(vote, chair)
    db.session.commit()

    # The supervisor sees stages 8 and 9, accepts the filing; the committee records the handover.
    context, page = _phone(browser, live_server)
    _sign_in(page, supervisor)
    assert vote.result["items"]["i1"]["outcome"] == "elected"
    expect(_dashboard_row(page, estate.id)).to_contain_text("第 9 步")
    page.goto(base)
    expect(page.locator("#stages")).to_contain_text("结果已公布")
    _field(page, "filing-receipt").fill("备字〔2026〕第 17 号")
    _field(page, "filing-happened_on").fill(today.isoformat())
    page.get_by_role("button", name="接受备案").click()
    expect(page.locator("#cycle")).to_contain_text("100 天")
    context.close()
    context, page = _phone(browser, live_server)
    _sign_in(page, chair)
    page.goto(base)
    for label in ("印章", "文件资料", "账目", "钥匙", "档案", "上一届业委会主任", "新一届业委会主任", "换届改选小组"):
        page.get_by_label(label, exact=True).check()
    _field(page, "handover-happened_on").fill(today.isoformat())
    page.get_by_role("button", name="登记交接").click()
    expect(page.locator("#next-stage")).to_contain_text("第 12 步")
    assert_accessible(page)
    context.close()
    context, page = _phone(browser, live_server)
    _sign_in(page, supervisor)
    page.goto(base)
    _stage_date(page, today, "登记")
    expect(page.locator(".flash-success")).to_contain_text("已登记该环节")
    expect(page.locator("#cycle")).to_contain_text("100 天")
    row = _dashboard_row(page, estate.id)
    expect(row).to_contain_text("任期至")
    expect(page.locator(".figures")).to_contain_text("100.0 天")
    assert_accessible(page)
    context.close()


def test_a_one_seat_by_election_item_in_the_voting_form(browser, live_server, app, monkeypatch, make_estate,
                                                       make_user):
    """R-43: the committee adds a one-seat election: refused, then allowed as a by-election; counted."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    today = platform.today()
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    for number in range(5):
        member = disclosure.add_member(estate, name=f"委员{number}", role=MemberRole.MEMBER,
                                       term_start=today - dt.timedelta(days=400),
                                       term_end=today + dt.timedelta(days=1000), pledge=None, pledge_signed_on=None,
                                       actor=chair)
    disclosure.member_left(member, today - dt.timedelta(days=5), chair)
    vote = voting.create_vote(estate, title="增补委员", description="", opening_date=today + dt.timedelta(days=15),
                              last_day=today + dt.timedelta(days=20), buildings=None, actor=chair)
    db.session.commit()
    context, page = _phone(browser, live_server)
    _sign_in(page, chair)
    page.goto(f"/votes/{vote.id}")
    adding = page.locator("main details", has_text="添加表决事项")
    item_form = adding.locator("form")
    adding.locator("summary").click()
    item_form.locator("select[name=kind]").select_option("election")
    item_form.locator("input[name=title]").fill("增补一名委员")
    item_form.locator("input[name=seats]").fill("1")
    item_form.locator("[type=submit]").click()
    expect(page.locator(".flash-error")).to_be_visible()
    # The refused item comes back open, with what was typed kept (vote routes: add_item).
    expect(item_form.locator("select[name=kind]")).to_have_value("election")
    expect(item_form.locator("input[name=title]")).to_have_value("增补一名委员")
    expect(item_form.locator("input[name=seats]")).to_have_value("1")
    item_form.locator("input[name=by_election]").check()
    item_form.locator("[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    assert_accessible(page)
    context.close()
    db.session.expire_all()
    vote = voting.get_vote(vote.id)
    item = vote.items[0]
    assert item.by_election and item.seats == 1
    for name in ("甲", "乙"):
        voting.add_candidate(item, name=name, nomination=NominationSource.SELF, statement="", pledge_signed=True)
    voting.publish_notice(vote, chair)
    vote.opens_at = platform.now() - dt.timedelta(days=1)
    voting.advance(vote)
    db.session.commit()
    for unit in VOTERS:
        user = owner_account(make_user, estate, unit)
        assert voting.cast_online(vote, user, voting.mandates(user, vote)[0], {"i1": ["c1"]})
        db.session.commit()
    _close_now(vote)
    voting.count(vote, chair)
    voting.publish_result(vote, chair)
    db.session.commit()
    context, page = _phone(browser, live_server)
    _sign_in(page, chair)
    page.goto(f"/votes/{vote.id}/result")
    expect(page.locator("main")).to_contain_text("甲")
    assert vote.result["items"]["i1"]["elected"] == ["c1"]
    assert ItemKind.ELECTION == item.kind
    context.close()
