"""The accounts on a phone: the committee imports a bank file, attaches evidence, links a fund
expense to its resolution (R-53) and publishes with a fresh code; an owner reads it, opens the
evidence, asks a question and sees the answer."""
import datetime as dt
import re
import time

from playwright.sync_api import expect
from sqlalchemy import select, update

from governance_app.auth.models import Role, UserSession
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind
from governance_app.voting.models import ItemKind, Vote, VoteItem, VoteState
from tests.conftest import owner_row, roll_csv
from tests.e2e.conftest import Codes, assert_accessible, assert_fits_phone, sign_in_browser

BANK_CSV = ("交易日期,收入金额,支出金额,对方户名,摘要,交易流水号\n"
            "2026-03-21,,12800.00,上海某电梯维修有限公司,1号楼电梯大修,BK0001\n"
            "2026-03-31,356.20,,银行,利息,BK0002\n").encode("gbk")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _published_fund_resolution(estate, chair) -> Vote:
    """A published vote whose matter-5 resolution passed (its counting is tested elsewhere)."""
    now = dt.datetime.now(dt.timezone.utc)
    vote = Vote(uid="fundvote", estate_id=estate.id, title="1号楼电梯大修", description="", state=VoteState.PUBLISHED,
                opens_at=now - dt.timedelta(days=300), closes_at=now - dt.timedelta(days=290),
                notice_at=now - dt.timedelta(days=320), counted_at=now - dt.timedelta(days=289),
                published_at=now - dt.timedelta(days=289), created_by_id=chair.id, created_at=now,
                result={"items": {"i1": {"kind": "resolution", "matter": 5, "outcome": "passed"}}},
                final_chain="0" * 64)
    db.session.add(vote)
    db.session.flush()
    db.session.add(VoteItem(vote_id=vote.id, position=1, kind=ItemKind.RESOLUTION, matter=5,
                            title="使用维修资金大修1号楼电梯"))
    db.session.commit()
    return vote


def test_committee_publishes_accounts_and_an_owner_questions_an_entry(browser, live_server, app, monkeypatch,
                                                                      make_estate, make_user, tmp_path):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv([
        owner_row("1", "1-101", "100.00", "王伟", "310101199001011234"),
        owner_row("1", "1-102", "80.00", "李娜", "310101198001012222")]), "roll.csv")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    member = make_user(Role.COMMITTEE_MEMBER, estate, login="member")
    owner = make_user(owner=db.session.scalar(select(Owner).where(Owner.name == "王伟")), login="13900000101")
    _published_fund_resolution(estate, chair)
    funds.open_accounts(estate, opened_on=dt.date(2026, 1, 1), first_period_amount=100_000_00,
                        balances={AccountKind.MAINTENANCE_FUND: 80_000_00, AccountKind.COMMON_INCOME: 0,
                                  AccountKind.WORKING_FUND: 0}, actor=chair)
    db.session.commit()
    bank_file = tmp_path / "bank.csv"
    bank_file.write_bytes(BANK_CSV)
    invoice = tmp_path / "invoice.pdf"
    invoice.write_bytes(PDF)

    def phone():
        context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                      base_url=live_server, locale="zh-CN")
        context.set_default_timeout(10_000)
        return context, context.new_page()

    context, page = phone()
    login_time = time.time()
    sign_in_browser(page, chair, at=login_time)
    page.goto(f"/estates/{estate.id}/funds")
    expect(page.get_by_role("link", name="专项维修资金")).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("link", name="专项维修资金").click()
    page.get_by_role("link", name="导入银行对账单").click()
    page.get_by_label("银行对账单（银行导出的 CSV 或 XLSX）").set_input_files(str(bank_file))
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator(".report")).to_contain_text("2 行")
    assert_accessible(page)
    page.get_by_role("button", name="生成草稿记录").click()
    expect(page.locator(".flash-success")).to_contain_text("2")
    page.get_by_role("link", name=re.compile("上海某电梯维修有限公司")).click()
    page.get_by_label("类别").select_option(label="支出 · 维修：电梯")
    page.get_by_label("维修资金支出的依据（R-53）").select_option(index=1)
    page.get_by_role("button", name="记账").click()
    expect(page.locator(".flash-success")).to_contain_text("已记账")
    expect(page.locator(".facts")).to_contain_text("使用维修资金大修1号楼电梯")
    page.get_by_label("发票、合同或银行回单（PDF、JPEG 或 PNG）").set_input_files(str(invoice))
    page.get_by_label("文件说明").fill("电梯维修发票")
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_role("link", name="电梯维修发票")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="专项维修资金").first.click()
    page.get_by_role("link", name=re.compile("银行")).last.click()
    page.get_by_label("类别").select_option(label="收入 · 利息")
    page.get_by_role("button", name="记账").click()
    expect(page.locator(".flash-success")).to_contain_text("已记账")

    # Publishing needs a fresh code: make the last one older than 5 minutes.
    db.session.execute(update(UserSession).where(UserSession.user_id == chair.id)
                       .values(second_factor_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)))
    db.session.commit()
    page.goto(f"/estates/{estate.id}/funds/maintenance_fund/statements/new")
    page.get_by_label("截止日期").fill("2026-06-30")
    page.get_by_role("button", name="预览").click()
    expect(page.locator(".figures")).to_contain_text("67,556.20")
    page.get_by_role("button", name="发布此账目").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("确认是您本人")
    page.get_by_label("身份验证器应用中的 6 位验证码").fill(Codes(chair, used_at=login_time).next())
    page.get_by_role("button", name="确认并继续").click()
    expect(page.locator(".flash-success")).to_contain_text("账目已发布")
    expect(page.locator(".figures")).to_contain_text("67,556.20")
    assert_accessible(page)
    assert_fits_phone(page)
    statement_url = page.url
    context.close()

    context, page = phone()
    sign_in_browser(page, owner)
    page.goto(statement_url)
    expect(page.locator(".figures")).to_contain_text("67,556.20")
    page.get_by_role("link", name=re.compile("维修：电梯")).click()
    with page.expect_response(re.compile(r"/evidence/\d+$")) as evidence:
        page.get_by_role("link", name="电梯维修发票").click()
    assert evidence.value.status == 200 and evidence.value.headers["content-type"] == "application/pdf"
    page.go_back()
    page.get_by_label("您对这笔记录的问题").fill("维修公司是怎么选定的？")
    page.get_by_role("button", name="向业委会提问").click()
    expect(page.locator(".card-list")).to_contain_text("维修公司是怎么选定的？")
    assert_accessible(page)
    entry_url = page.url
    context.close()

    context, page = phone()
    sign_in_browser(page, member)
    page.goto(entry_url)
    page.get_by_label("回答").fill("经业主大会表决，从三家报价中选定。")
    page.get_by_role("button", name="公布回答").click()
    context.close()

    context, page = phone()
    sign_in_browser(page, owner, at=time.time() + 30)
    page.goto(entry_url)
    expect(page.locator(".answer")).to_contain_text("从三家报价中选定")
    context.close()
