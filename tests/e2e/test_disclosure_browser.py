"""The committee posts a notice with an attachment for a 7-day posting period; an owner sees it
unread and reads it; the committee records a meeting whose decision has too few signatures and
is told why it is not valid (R-45)."""
import datetime as dt
import re
import time

from playwright.sync_api import expect
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.disclosure import services as disclosure
from governance_app.disclosure.models import MemberRole
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.conftest import owner_row, roll_csv
from tests.e2e.conftest import assert_accessible, assert_fits_phone, sign_in_browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_notice_read_by_an_owner_and_a_decision_with_too_few_signatures(browser, live_server, app, monkeypatch,
                                                                         make_estate, make_user, tmp_path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv([owner_row("1", "1-101", "100.00", "王伟", "310101199001011234")]),
                                "roll.csv")
    member = make_user(Role.COMMITTEE_MEMBER, estate, login="member")
    owner = make_user(owner=db.session.scalar(select(Owner).where(Owner.name == "王伟")), login="13900000101")
    today = dt.date.today()
    for n, name in enumerate(("甲", "乙", "丙", "丁", "戊", "己", "庚")):
        disclosure.add_member(estate, name=name, role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
                              term_start=today - dt.timedelta(days=100), term_end=today + dt.timedelta(days=1000),
                              pledge=PDF + name.encode(), pledge_signed_on=today - dt.timedelta(days=100),
                              actor=member)
    db.session.commit()
    attachment = tmp_path / "方案.pdf"
    attachment.write_bytes(PDF)

    def phone():
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                      base_url=live_server, locale="zh-CN")
        context.set_default_timeout(10_000)
        return context, context.new_page()

    context, page = phone()
    sign_in_browser(page, member)
    page.goto(f"/estates/{estate.id}/notices")
    page.locator("summary", has_text="发布公告").click()
    page.get_by_label("类型").select_option("posting")
    page.get_by_label("标题").fill("第二届业委会候选人公示")
    page.get_by_label(re.compile("正文")).fill("候选人名单如下：\n\n- 甲\n- 乙\n\n<script>alert(1)</script>")
    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label(re.compile("公示天数")).fill("7")
    page.get_by_label(re.compile("附件")).set_input_files(str(attachment))
    assert_accessible(page)
    page.get_by_role("button", name="发布公告").click()
    expect(page.locator(".flash-success")).to_contain_text("公告已发布")
    expect(page.locator(".notice-body li")).to_have_count(2)
    expect(page.locator(".notice-body script")).to_have_count(0)  # shown as text, never run
    end = (today + dt.timedelta(days=7)).isoformat()
    expect(page.locator("main")).to_contain_text(end)
    context.close()

    context, page = phone()
    sign_in_browser(page, owner)
    page.goto(f"/estates/{estate.id}")
    expect(page.get_by_role("link", name=re.compile("通知.*1 条未读"))).to_be_visible()
    page.get_by_role("link", name=re.compile("通知")).first.click()
    expect(page.locator(".unread")).to_contain_text("第二届业委会候选人公示")
    expect(page.locator(".notice-list .unread-mark")).to_have_text("未读")  # not the inbox count in the header
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("link", name="第二届业委会候选人公示").click()
    with page.expect_response(re.compile(r"/attachments/\d+$")) as response:
        page.get_by_role("link", name="方案.pdf").click()
    assert response.value.status == 200
    page.goto(f"/estates/{estate.id}/notices")
    expect(page.locator(".unread")).to_have_count(0)
    context.close()

    context, page = phone()
    sign_in_browser(page, member, at=time.time() + 30)  # the first sign-in used this step's code
    page.goto(f"/estates/{estate.id}/committee")
    page.locator("summary", has_text="发布会议议程").click()
    page.get_by_label("标题").fill("业委会第 5 次会议")
    page.get_by_label("会议时间").fill((dt.datetime.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("议程").fill("1. 电梯维修方案")
    page.get_by_role("button", name="发布议程").click()
    expect(page.locator(".flash-success")).to_contain_text("议程已发布")
    for name in ("甲", "乙", "丙", "丁", "戊"):
        page.get_by_role("group", name="出席").get_by_label(name).check()
    page.get_by_label("召开日期").fill(today.isoformat())
    page.get_by_role("button", name="登记出席").click()
    page.get_by_label("决定", exact=True).fill("同意电梯维修方案")
    for name in ("甲", "乙", "丙"):
        page.get_by_role("group", name="签名").get_by_label(name).check()
    page.get_by_role("button", name="登记决定").click()
    expect(page.locator(".flash-error")).to_contain_text("只有 3 名委员签名")
    expect(page.locator(".flash-error")).to_contain_text("4")
    expect(page.locator(".outcome-failed")).to_contain_text("不生效")
    assert_accessible(page)
    context.close()
