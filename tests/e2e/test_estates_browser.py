"""A committee member and a visitor use the estate pages on a phone."""
import re

from playwright.sync_api import expect

from governance_app.estates import services
from governance_app.extensions import db
from governance_app.auth.models import Role
from tests.conftest import owner_row, roll_csv
from tests.e2e.conftest import assert_accessible, assert_fits_phone, sign_in_browser


def _estate_with_roll(make_estate):
    estate = make_estate("梅园小区")
    services.import_roll(estate, roll_csv([
        owner_row("1", "1-101", "88.50", "王伟", "310101199001011234"),
        owner_row("1", "1-102", "90.00", "王伟", "310101199001011234"),
        owner_row("2", "2-101", "70.25", "李娜", "310101198001012222", group="A", representative="是"),
        owner_row("2", "2-101", "70.25", "张强", "310101198001013333", group="A", representative="否"),
        owner_row("2", "2-102", "101.00", "开发商", "91310000DEMO00001X", developer="是"),
    ]), "roll.csv")
    db.session.commit()
    return estate


def test_home_and_estate_overview_in_chinese_then_english(page, make_estate, make_user):
    estate = _estate_with_roll(make_estate)
    sign_in_browser(page, make_user(Role.COMMITTEE_MEMBER, estate))
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("等您处理的事项")  # the home page (issue 14)
    assert_accessible(page)
    assert_fits_phone(page)

    page.get_by_role("link", name="梅园小区").click()
    expect(page).to_have_url(re.compile(rf"/estates/{estate.id}$"))
    expect(page.locator(".figures")).to_contain_text("349.75")
    assert_accessible(page)
    assert_fits_phone(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(rf"/estates/{estate.id}$"))
    expect(page.get_by_text("Owners (headcount)")).to_be_visible()
    assert_accessible(page)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the choice is remembered

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_committee_member_checks_then_imports_a_roll(page, make_estate, make_user, tmp_path):
    estate = make_estate("桂苑")
    sign_in_browser(page, make_user(Role.COMMITTEE_MEMBER, estate))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(roll_csv([owner_row("1", "1-101", "-5", "王伟", "310101199001011234")]))
    good = tmp_path / "roll.csv"
    good.write_bytes(roll_csv([
        owner_row("1", "1-101", "88.50", "王伟", "310101199001011234"),
        owner_row("1", "1-102", "60", "赵敏", "310101199001015555"),
    ], encoding="gbk"))

    page.goto(f"/estates/{estate.id}/roll/import")
    assert_accessible(page)
    page.get_by_label("名册文件（CSV 或 XLSX）", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator(".report-error")).to_contain_text("必须大于零")
    assert_accessible(page)
    assert_fits_phone(page)

    page.get_by_label("名册文件（CSV 或 XLSX）", exact=True).set_input_files(str(good))
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator(".report")).to_contain_text("1-102")
    assert_accessible(page)
    page.get_by_role("button", name="导入这些变更").click()
    expect(page).to_have_url(re.compile(rf"/estates/{estate.id}$"))
    expect(page.locator(".flash-success")).to_contain_text("新增 2 套房屋")
    expect(page.locator(".figures")).to_contain_text("148.50")
    assert_accessible(page)
