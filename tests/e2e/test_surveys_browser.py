"""Issue 20 as a new user tries it on a phone (375x812): the committee runs a survey about e-bike
charging that three owners answer; owners rate the property company for the quarter; the
supervisor sees the ranking across estates. axe finds no violation on the new pages."""
from __future__ import annotations

import datetime as dt
import re
import time

from playwright.sync_api import expect

from governance_app.auth.models import Role
from governance_app.auth.totp import STEP_SECONDS
from governance_app.core import clock
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.surveys import rules, services
from governance_app.surveys.models import ServiceRating
from tests.conftest import owner_row, roll_csv
from tests.e2e.conftest import assert_accessible, assert_fits_phone, sign_in_browser
from tests.surveys.conftest import ROLL, owner_named


def _phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="zh-CN")
    context.set_default_timeout(10_000)
    return context, context.new_page()


_LAST_STEP: dict[int, int] = {}


def _sign_in(page, user) -> None:
    """Sign in with a code of a step this account has not used before (a replay is refused): the
    member and the first owner sign in twice, maybe within one 30 s step. The verifier accepts one
    step ahead; wait if even that one is used."""
    now = time.time()
    step = max(int(now // STEP_SECONDS), _LAST_STEP.get(user.id, -1) + 1)
    if (step - 1) * STEP_SECONDS > now:
        time.sleep((step - 1) * STEP_SECONDS - now + 1)
    _LAST_STEP[user.id] = step
    sign_in_browser(page, user, at=max(step * STEP_SECONDS + 1, now))


def _company(estate, name: str):
    today = clock.today()
    company = services.record_company(estate, name=name, contract_start=today.replace(year=today.year - 2),
                                      contract_end=today.replace(year=today.year + 2), contract_version_id=None,
                                      actor=None)
    db.session.commit()
    return company


def _last_quarter(company, overall: int) -> None:
    period = rules.closed_periods(clock.today(), services.period_months(), 1)[0]
    for index in range(10):
        db.session.add(ServiceRating(estate_id=company.estate_id, company_id=company.id, period_start=period,
                                     respondent=f"e2e-{company.id}-{index}", buildings=["1"], cleaning=overall,
                                     security=overall, greenery=overall, repairs=overall, complaints=overall,
                                     fees=overall, overall=overall, comment="", rated_at=clock.now()))
    db.session.commit()


def test_a_survey_three_owners_answer_a_rating_and_the_ranking(browser, live_server, app, monkeypatch, make_estate,
                                                               make_user):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    estate = make_estate("梅园小区")
    assert estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv").applied
    other = make_estate("桃园小区")
    estate_services.import_roll(other, roll_csv([owner_row("1", "1-101", "80", "钱进", "310101197001014444")]),
                                "roll.csv")
    db.session.commit()
    _last_quarter(_company(estate, "绿城物业"), 4)
    _last_quarter(_company(other, "万科物业"), 2)
    member = make_user(Role.COMMITTEE_MEMBER, estate, login="member")
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")
    owners = [make_user(owner=owner_named(estate, name), login=f"1390000010{n}", name=name)
              for n, name in enumerate(("王伟", "李娜", "业主1"))]

    # The committee writes the survey, adds a question and publishes it.
    context, page = _phone(browser, live_server)
    _sign_in(page, member)
    page.goto(f"/estates/{estate.id}")
    page.get_by_role("link", name="民意调查").click()
    expect(page.locator(".callout")).to_contain_text("不是业主大会表决")
    page.locator("summary", has_text="编写调查").click()
    local_now = clock.now().astimezone(clock.zone())
    page.get_by_label("标题").fill("电动车充电桩安装意见")
    page.get_by_label("开始时间").fill((local_now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("结束时间").fill((local_now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    assert_accessible(page)
    page.get_by_role("button", name="创建调查").click()
    expect(page.locator(".flash-success")).to_contain_text("调查已存为草稿")
    page.get_by_label("问题类型").select_option("single")
    page.get_by_role("textbox", name="问题", exact=True).fill("充电桩装在哪里？")
    page.get_by_label(re.compile("选项，每行一个")).fill("地库\n地面\n不装")
    page.get_by_role("button", name="添加此问题").click()
    expect(page.locator(".flash-success")).to_contain_text("问题已添加")
    assert_accessible(page)
    page.get_by_role("button", name="发布调查").click()
    expect(page.locator(".flash-success")).to_contain_text("调查已发布")
    survey_path = page.url.split(live_server, 1)[1]
    context.close()

    # Three owners answer on their phones, without a verification code.
    for owner, choice in zip(owners, ("地库", "地库", "地面")):
        context, page = _phone(browser, live_server)
        _sign_in(page, owner)
        page.goto(survey_path)
        expect(page.locator("main")).to_contain_text("无需验证码")
        page.get_by_label(choice).check()
        if owner is owners[0]:
            assert_accessible(page)
            assert_fits_phone(page)
        page.get_by_role("button", name="提交我的回答").click()
        expect(page.locator(".flash-success")).to_contain_text("您的回答已保存")
        context.close()

    context, page = _phone(browser, live_server)
    _sign_in(page, member)
    page.goto(survey_path + "/results")
    expect(page.locator(".figures")).to_contain_text("3")
    expect(page.locator("table").first).to_contain_text("地库")
    assert_accessible(page)
    assert_fits_phone(page)
    context.close()

    # An owner rates the company for this quarter.
    context, page = _phone(browser, live_server)
    _sign_in(page, owners[0])
    page.goto(f"/estates/{estate.id}/service")
    expect(page.locator("main")).to_contain_text("绿城物业")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("评价 .* 的物业服务")).click()
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("4", exact=True).check()
    page.get_by_label(re.compile("意见")).fill("保安巡逻很认真")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="保存我的评价").click()
    expect(page.locator(".flash-success")).to_contain_text("您的评价已保存")
    expect(page.locator(".figures")).to_contain_text("1")
    context.close()

    # The supervisor sees the ranking across the sub-district's estates.
    context, page = _phone(browser, live_server)
    _sign_in(page, supervisor)
    page.goto("/supervision/service")
    expect(page.locator("main h2").first).to_contain_text("第 1 名 · 绿城物业")
    expect(page.locator("main h2").nth(1)).to_contain_text("第 2 名 · 万科物业")
    assert_accessible(page)
    assert_fits_phone(page)
    context.close()
