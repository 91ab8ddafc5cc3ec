"""A new owner activates their account on a phone, enrols TOTP, signs out and back in (R-34)."""
import re
import time

from playwright.sync_api import expect

from governance_app.auth.totp import STEP_SECONDS, Totp
from governance_app.demo import demo_letters, load_demo
from governance_app.extensions import db
from tests.e2e.conftest import assert_accessible, assert_fits_phone

PASSWORD = "my-own-Pass-2026"


def test_new_owner_activates_enrols_and_signs_in_again(page, app_context):
    load_demo()
    db.session.commit()
    unit, code, last4 = next(letter for letter in demo_letters() if not letter[2].endswith("X"))

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="激活我的账户").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("激活您的账户")
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_label("房号（与激活函一致，例如 3-502）").fill(unit)
    page.get_by_label("激活码").fill(code)
    page.get_by_label("业主登记证件号码后 4 位").fill(last4)
    page.get_by_role("button", name="下一步").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("设置登录名和密码")
    assert_accessible(page)
    page.get_by_label("手机号码（作为登录名）").fill("139 1234 5678")
    page.get_by_label("新密码（至少 8 个字符）").fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    page.get_by_role("button", name="创建我的账户").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("设置身份验证器")
    expect(page.locator(".qr svg")).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    secret = page.locator("#totp-secret code").inner_text().replace(" ", "")
    totp = Totp(secret)
    enrol_time = int(time.time())
    page.get_by_label("应用当前显示的 6 位验证码").fill(totp.code_at(enrol_time))
    page.get_by_role("button", name="确认").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("您的恢复码")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="我已保存，继续").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账户")
    expect(page.locator(".facts")).to_contain_text("13912345678")
    assert_accessible(page)
    page.get_by_role("button", name="退出", exact=True).click()
    expect(page.locator(".flash-info")).to_contain_text("您已退出登录")

    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("手机号或用户名").fill("13912345678")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第二步验证")
    assert_accessible(page)
    code_field = page.get_by_label(re.compile("6 位验证码"))

    code_field.fill(totp.code_at(enrol_time))  # the code used to enrol: a replay
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".flash-error")).to_contain_text("验证码错误或已使用过")

    wrong = f"{(int(totp.code_at(enrol_time + STEP_SECONDS)) + 1) % 1_000_000:06d}"
    code_field.fill(wrong)
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".flash-error")).to_contain_text("验证码错误或已使用过")
    assert_accessible(page)

    code_field.fill(totp.code_at(enrol_time + STEP_SECONDS))  # the next step: one step of drift
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("等您处理的事项")  # the home page (issue 14)
    expect(page.get_by_role("link", name=re.compile("梅园小区")).first).to_be_visible()
