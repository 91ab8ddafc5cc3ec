"""Issue 19 as a new user would go through it on a phone (375x812): the committee records a
warning, then evidence, approves the entry by a decision of its meeting and notifies the person;
the person objects and the objection is rejected; after the window the entry appears masked to a
neighbour; the person's breach is rectified and they sign, and the entry disappears; an owner of
another estate gets 404. axe finds no violations on the new pages."""
import datetime as dt
import re

from playwright.sync_api import expect
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.disclosure import services as disclosure
from governance_app.disclosure.models import DocumentKind, MemberRole
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.pledges.models import BoardEntry
from tests.conftest import owner_row, roll_csv
from tests.e2e.conftest import assert_accessible, assert_fits_phone, sign_in_browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_black_board_due_process_objection_masking_and_repair(browser, live_server, app, monkeypatch, make_estate,
                                                              make_user, tmp_path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv([owner_row("1", "1-101", "100.00", "王伟", "310101199001011234"),
                                                  owner_row("1", "1-102", "80.00", "李娜", "310101198001012222")]),
                                "roll.csv")
    elsewhere = make_estate("别的小区", "别的居民区", "别的街道")
    estate_services.import_roll(elsewhere, roll_csv([owner_row("1", "1-101", "70", "钱进", "310101197001014444")]),
                                "roll.csv")
    member = make_user(Role.COMMITTEE_MEMBER, estate, login="member")
    owner_of = lambda name: db.session.scalar(select(Owner).where(Owner.name == name))  # noqa: E731
    neighbour = make_user(owner=owner_of("王伟"), login="13900000101")
    person = make_user(owner=owner_of("李娜"), login="13900000102")
    stranger = make_user(owner=owner_of("钱进"), login="13900000103")
    today = dt.date.today()
    document = disclosure.add_version(estate, kind=DocumentKind.RESIDENTS_CONVENTION, title="梅园居民公约",
                                      content=PDF, adopted_on=today - dt.timedelta(days=60), vote_id=None, item=None,
                                      note="", actor=member).document
    clause = disclosure.add_clause(document, number=3, text="楼道内不得堆放杂物。", actor=member)
    members = [disclosure.add_member(estate, name=name, role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
                                     term_start=today - dt.timedelta(days=100),
                                     term_end=today + dt.timedelta(days=1000), pledge=None, pledge_signed_on=None,
                                     actor=member) for n, name in enumerate(("甲", "乙", "丙"))]
    meeting = disclosure.schedule_meeting(estate, title="业委会第 6 次会议", place="会议室",
                                          scheduled_at=platform_clock.now() + dt.timedelta(hours=1),
                                          agenda="1. 1-102 楼道堆物", actor=member)
    disclosure.record_attendance(meeting, [m.id for m in members], today, "纪要", member)
    decision = disclosure.record_decision(meeting, "同意将楼道堆物列入黑榜；驳回其异议。", [members[0].id, members[1].id],
                                          member)
    db.session.commit()
    photo = tmp_path / "楼道.jpg"
    photo.write_bytes(JPEG)

    def phone():
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                      base_url=live_server, locale="zh-CN")
        context.set_default_timeout(10_000)
        return context, context.new_page()

    # The committee: warning, evidence, approval by the meeting's decision, notification.
    committee_context, page = phone()
    committee_page = page
    sign_in_browser(page, member)
    page.goto(f"/estates/{estate.id}")
    page.get_by_role("link", name="红黑榜").click()
    page.get_by_role("link", name="办理中的记录").click()
    page.get_by_role("link", name="记录劝阻").click()
    assert_accessible(page)
    page.get_by_label(re.compile("房屋")).fill("1-102")
    page.get_by_label("违反的条款").select_option(str(clause.id))
    page.get_by_label("情节").select_option("minor")
    page.get_by_label("违约行为").fill("楼道长期堆放纸箱")
    page.get_by_label("劝阻日期").fill(today.isoformat())
    page.get_by_label("劝阻人").fill("业委会 甲")
    page.get_by_label(re.compile("劝阻方式")).fill("当面劝阻两次，未清理")
    page.get_by_role("button", name="记录劝阻").click()
    expect(page.locator(".flash-success")).to_contain_text("劝阻已记录")
    expect(page.get_by_role("button", name="决定列入")).to_have_count(0)  # no approval before evidence
    page.get_by_label(re.compile("照片或文件")).set_input_files(str(photo))
    page.get_by_label("内容说明").fill("楼道照片")
    page.get_by_role("button", name="添加证据").click()
    expect(page.locator(".flash-success")).to_contain_text("证据已添加")
    page.get_by_label(re.compile("业委会决定")).select_option(str(decision.id))
    page.get_by_role("button", name="决定列入").click()
    expect(page.locator(".flash-success")).to_contain_text("业委会决定")
    page.get_by_label(re.compile("告知方式")).fill("当面送达告知书")
    page.get_by_role("button", name="记录告知").click()
    expect(page.locator(".flash-success")).to_contain_text("异议期")
    expect(page.get_by_role("link", name="告知书（PDF）")).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    entry_url = page.url

    # The person is told in the app and objects.
    person_context, page = phone()
    person_page = page
    sign_in_browser(page, person)
    page.goto(f"/estates/{estate.id}/board")
    expect(page.get_by_role("heading", name="与您有关")).to_be_visible()
    page.get_by_role("link", name=re.compile("关于您的房屋 1-102")).click()
    page.get_by_label("您的理由").fill("纸箱是快递临时放置，已经在清理。")
    assert_accessible(page)
    page.get_by_role("button", name="提交异议").click()
    expect(page.locator(".flash-success")).to_contain_text("异议已提交")

    # The committee rejects the objection with an answer.
    page = committee_page
    page.goto(entry_url)
    page.get_by_label("业委会对异议的决定").select_option("rejected")
    page.get_by_label("给当事人的答复").fill("照片显示纸箱已堆放一个月。")
    page.get_by_label(re.compile("业委会决定")).select_option(str(decision.id))
    page.get_by_role("button", name="记录决定").click()
    expect(page.locator(".flash-success")).to_contain_text("对异议的决定已记录")

    # The neighbour sees nothing while the window runs; then the entry, masked.
    neighbour_context, page = phone()
    neighbour_page = page
    sign_in_browser(page, neighbour)
    page.goto(f"/estates/{estate.id}/board")
    expect(page.locator("main")).not_to_contain_text("楼道长期堆放纸箱")
    entry = db.session.scalar(select(BoardEntry))
    entry.notified_on -= dt.timedelta(days=8)  # let the 7 days pass (R-31: until 24:00 of the last day)
    entry.shows_from -= dt.timedelta(days=8)
    db.session.commit()
    page.reload()
    black = page.locator("section", has=page.get_by_role("heading", name=re.compile("黑榜")))
    expect(black).to_contain_text("楼道长期堆放纸箱")
    expect(black).to_contain_text("李某")
    expect(page.locator("main")).not_to_contain_text("李娜")
    expect(page.locator("main")).not_to_contain_text("失信")
    assert_accessible(page)
    assert_fits_phone(page)

    # The committee records the rectification; the person signs; the entry disappears.
    page = committee_page
    page.goto(entry_url)
    page.get_by_label("纠正日期").fill(today.isoformat())
    page.get_by_role("button", name="记录纠正").click()
    expect(page.locator(".flash-success")).to_contain_text("纠正情况已记录")
    committee_context.close()
    page = person_page
    page.goto(entry_url)
    expect(page.locator("main")).to_contain_text("照片显示纸箱已堆放一个月。")  # the committee's answer
    page.get_by_role("button", name="我已改正，并承诺遵守该条款").click()
    expect(page.locator(".flash-success")).to_contain_text("承诺已记录")
    expect(page.locator("main")).not_to_contain_text("楼道长期堆放纸箱")
    expect(page.locator("main")).to_contain_text("已纠正")
    assert page.goto(entry_url).status == 404  # removed: no trace, for the person too
    page.goto(f"/estates/{estate.id}/conventions")
    assert_accessible(page)
    page.get_by_role("button", name="签署：我承诺遵守本公约").click()
    expect(page.locator(".flash-success")).to_contain_text("梅园居民公约")
    expect(page.locator("main")).to_contain_text("1 / 2")  # signed by heads
    page.goto(f"/estates/{estate.id}/board/nominate")
    assert_accessible(page)
    assert_fits_phone(page)
    person_context.close()
    page = neighbour_page
    page.goto(f"/estates/{estate.id}/board")
    expect(page.locator("main")).not_to_contain_text("楼道长期堆放纸箱")
    expect(page.locator("main")).not_to_contain_text("李某")
    neighbour_context.close()

    # An owner of another estate: as if the board did not exist.
    context, page = phone()
    sign_in_browser(page, stranger)
    response = page.goto(f"/estates/{estate.id}/board")
    assert response.status == 404
    assert page.goto(entry_url).status == 404
    context.close()
