"""A vote from end to end on 375 px screens: an owner votes online with a fresh code and finds the
tracker on the board; staff enter a paper ballot and a proxy; the proxy votes; the committee
counts and publishes; a supervisor downloads the bundle and governance-audit verifies it."""
import datetime as dt
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind, NominationSource
from tests.conftest import roll_csv
from tests.e2e.conftest import Codes, assert_accessible, assert_fits_phone, sign_in_browser
from tests.support.voting_world import ROLL

SHANGHAI = ZoneInfo("Asia/Shanghai")
AUDIT = Path(sys.executable).with_name("governance-audit")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _owner(make_user, estate, unit, login):
    from sqlalchemy import select

    from governance_app.estates.models import Owner, Ownership, Unit

    owner = db.session.scalars(select(Owner).join(Ownership, Ownership.owner_id == Owner.id)
                               .join(Unit, Unit.id == Ownership.unit_id)
                               .where(Unit.label == unit, Ownership.valid_to.is_(None))
                               .order_by(Ownership.is_representative.desc())).first()
    return make_user(owner=owner, login=login, name=owner.name)


def test_a_vote_from_notice_to_verified_bundle(browser, live_server, app, monkeypatch, make_estate, make_user,
                                              tmp_path, clock):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")
    owner = _owner(make_user, estate, "1-103", "13900000103")
    proxy = _owner(make_user, estate, "2-102", "13900000202")
    today = clock().astimezone(SHANGHAI).date()
    vote = services.create_vote(estate, title="加装电梯", description="1 号楼加装电梯",
                                opening_date=today + dt.timedelta(days=15), last_day=today + dt.timedelta(days=21),
                                buildings=None, actor=chair)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="增补委员", seats=3, alternates=0)
    for name in ("甲", "乙", "丙"):
        services.add_candidate(election, name=name, nomination=NominationSource.COMMUNITY, statement="",
                               pledge_signed=True)
    services.publish_notice(vote, chair)
    db.session.commit()
    vote_id = vote.id
    clock.at = platform_clock.aware(vote.opens_at) + dt.timedelta(hours=9)

    def phone():
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                      base_url=live_server, locale="zh-CN", accept_downloads=True)
        context.set_default_timeout(10_000)
        return context, context.new_page()

    # The owner votes online and confirms with a fresh code.
    context, page = phone()
    login_time = time.time()
    sign_in_browser(page, owner, at=login_time)
    page.goto(f"/votes/{vote_id}")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("link", name="现在投票").click()
    page.get_by_role("group", name="1. 使用维修资金加装电梯").get_by_label("同意").check()
    page.get_by_label("甲").check()
    page.get_by_label("乙").check()
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="查看我的选择").click()
    expect(page.locator(".confirm-list")).to_contain_text("同意")
    expect(page.locator(".confirm-list")).to_contain_text("同意：甲、乙")
    assert_accessible(page)
    page.get_by_label("身份验证器应用中的 6 位验证码").fill(Codes(owner, used_at=login_time).next())
    page.get_by_role("button", name="提交我的选票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已登记")
    tracker = page.locator("#tracker").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", tracker)
    assert_accessible(page)
    page.get_by_role("link", name="在公示栏中查找").click()
    expect(page.locator(".board")).to_contain_text(tracker)
    assert_accessible(page)
    context.close()

    # Staff enter a paper ballot and a proxy authority.
    context, page = phone()
    sign_in_browser(page, staff)
    page.goto(f"/votes/{vote_id}/paper")
    assert_accessible(page)
    page.get_by_label("投票业主的房号（例如 3-502）").fill("1-104")
    page.get_by_label("收到时间").fill(clock().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("选票有业主签名").check()
    page.get_by_label("签名人与房屋对应").check()
    page.get_by_role("group", name="1. 使用维修资金加装电梯").get_by_label("反对").check()
    scan = tmp_path / "ballot.png"
    scan.write_bytes(PNG)
    page.get_by_label("选票的扫描件或照片（JPEG、PNG 或 PDF）").set_input_files(str(scan))
    page.get_by_role("button", name="登记纸质选票").click()
    expect(page.locator(".flash-success")).to_contain_text("1-104 的纸质选票已登记")
    page.goto(f"/votes/{vote_id}/proxies")
    assert_accessible(page)
    page.get_by_label("委托业主的房号").fill("2-103")
    page.get_by_label("受托人的登录名（手机号）").fill(proxy.login)
    page.get_by_label("使用维修资金加装电梯").check()
    page.get_by_label("起始日期").fill(today.isoformat())
    page.get_by_label("有效期至").fill((today + dt.timedelta(days=30)).isoformat())
    document = tmp_path / "authority.png"
    document.write_bytes(PNG + b"authority")
    page.get_by_label("签名的委托书（JPEG、PNG 或 PDF）").set_input_files(str(document))
    page.get_by_role("button", name="登记委托书").click()
    expect(page.locator(".flash-success")).to_contain_text("委托书已登记")
    context.close()

    # The proxy votes for 2-103 on the items the authority covers.
    context, page = phone()
    login_time = time.time()
    sign_in_browser(page, proxy, at=login_time)
    page.goto(f"/votes/{vote_id}")
    expect(page.get_by_text("作为受托人")).to_be_visible()
    page.get_by_role("link", name="现在投票").last.click()
    page.get_by_role("group", name="1. 使用维修资金加装电梯").get_by_label("同意").check()
    page.get_by_role("button", name="查看我的选择").click()
    page.get_by_label("身份验证器应用中的 6 位验证码").fill(Codes(proxy, used_at=login_time).next())
    page.get_by_role("button", name="提交我的选票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的选票已登记")
    context.close()

    # After the deadline the committee counts and publishes.
    clock.at = platform_clock.aware(vote.closes_at) + dt.timedelta(minutes=5)
    context, page = phone()
    sign_in_browser(page, chair)
    page.goto(f"/votes/{vote_id}")
    page.get_by_role("link", name="计票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认计票？")
    expect(page.locator("main")).to_contain_text("将会发生什么")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="计票").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("表决结果")
    expect(page.locator("main")).to_contain_text("R-10")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("link", name="向全体业主公布结果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认公布结果？")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="向全体业主公布结果").click()
    expect(page.locator(".flash-success")).to_contain_text("结果已公布")
    final_chain = page.locator("code.chain").inner_text()
    context.close()

    # The supervisor downloads the bundle; governance-audit verifies it, and catches an edit.
    context, page = phone()
    sign_in_browser(page, supervisor)
    page.goto(f"/votes/{vote_id}")
    page.get_by_role("button", name="下载审计包").click()  # a job makes it; its page offers the file
    expect(page.locator("#job-percent")).to_have_text("100%")
    assert_accessible(page)
    assert_fits_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载文件").click()
    path = tmp_path / "bundle.json"
    download.value.save_as(path)
    context.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [b["channel"] for b in data["ballots"]] == ["online", "paper", "proxy"]
    assert data["ballots"][-1]["chain"] == final_chain
    verified = subprocess.run([str(AUDIT), "verify", str(path)], capture_output=True, text=True, check=False)
    assert verified.returncode == 0, verified.stderr
    data["ballots"][0]["choices"]["i1"] = "oppose"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    refused = subprocess.run([str(AUDIT), "verify", str(edited)], capture_output=True, text=True, check=False)
    assert refused.returncode == 1
    assert "ballots[0].tracker" in refused.stderr


def test_the_estate_s_two_staff_setting_and_checking_a_paper_ballot(browser, live_server, app, monkeypatch,
                                                                    make_estate, make_user, clock):
    """Issue 12: the committee sets two-staff paper entry for the estate on its own page; a new
    vote takes it; a second staff member checks the entry against its scan on a page that shows
    that ballot only."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    first = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    second = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff-2")
    db.session.commit()
    estate_id = estate.id

    def phone():
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                      base_url=live_server, locale="zh-CN")
        context.set_default_timeout(10_000)
        return context, context.new_page()

    context, page = phone()
    sign_in_browser(page, chair)
    page.goto(f"/estates/{estate_id}/votes")
    page.get_by_role("link", name="表决设置").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("表决设置")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_label("纸质选票须由另一名工作人员确认").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".flash-success")).to_contain_text("已保存")
    page.get_by_role("link", name="发起表决").click()
    expect(page.locator("main")).to_contain_text("本次表决的纸质选票须由另一名工作人员确认")
    assert_accessible(page)
    context.close()

    today = clock().astimezone(SHANGHAI).date()
    vote = services.create_vote(estate, title="加装电梯", description="", opening_date=today + dt.timedelta(days=15),
                                last_day=today + dt.timedelta(days=21), buildings=None, actor=chair)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    services.publish_notice(vote, chair)
    clock.at = platform_clock.aware(vote.opens_at) + dt.timedelta(hours=9)
    services.advance(vote)
    entry, ballot = services.record_paper(vote, first, unit="1-104", received_at=clock(), signed=True,
                                          signer_matches=True, choices={"i1": "oppose"}, scan=PNG)
    db.session.commit()
    assert vote.two_staff_paper and ballot is None
    vote_id = vote.id

    context, page = phone()
    sign_in_browser(page, second)
    page.goto(f"/votes/{vote_id}/paper")
    expect(page.locator("main")).not_to_contain_text("使用维修资金加装电梯：反对")
    page.get_by_role("link", name="对照扫描件核对").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("核对纸质选票")
    expect(page.locator("main")).to_contain_text("使用维修资金加装电梯：反对")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="确认：与扫描件一致").click()
    expect(page.locator(".flash-success")).to_contain_text("纸质选票已确认")
    context.close()
