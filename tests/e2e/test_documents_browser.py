"""The committee downloads the result announcement of a counted vote on a phone, and anyone can
check its number on the public check page, which has no accessibility violations."""
import datetime as dt
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind
from tests.conftest import roll_csv
from tests.documents.support import assert_cjk_font_embedded, numbers, pdf_text
from tests.e2e.conftest import assert_accessible, assert_fits_phone, sign_in_browser
from tests.support.voting_world import ROLL

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _owner(make_user, estate, unit: str):
    from sqlalchemy import select

    from governance_app.estates.models import Owner, Ownership, Unit

    owner = db.session.scalars(select(Owner).join(Ownership, Ownership.owner_id == Owner.id)
                               .join(Unit, Unit.id == Ownership.unit_id)
                               .where(Unit.label == unit, Ownership.valid_to.is_(None))
                               .order_by(Ownership.is_representative.desc())).first()
    return make_user(owner=owner, login=f"owner-{unit}", name=owner.name)


def _counted_vote(clock, make_estate, make_user):
    estate = make_estate("梅园小区")
    estate_services.import_roll(estate, roll_csv(ROLL), "roll.csv")
    chair = make_user(Role.COMMITTEE_CHAIR, estate, login="chair")
    today = clock().astimezone(SHANGHAI).date()
    vote = services.create_vote(estate, title="加装电梯", description="", opening_date=today + dt.timedelta(days=15),
                                last_day=today + dt.timedelta(days=21), buildings=None,
                                actor=chair)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    services.publish_notice(vote, chair)
    db.session.commit()
    clock.at = platform_clock.aware(vote.opens_at) + dt.timedelta(hours=9)
    services.advance(vote)
    for unit in ("3-101", "1-101", "1-103", "1-104", "2-101", "2-102", "2-103"):
        owner = _owner(make_user, estate, unit)
        services.cast_online(vote, owner, services.mandates(owner, vote)[0], {"i1": "approve"})
        db.session.commit()
    clock.at = platform_clock.aware(vote.closes_at) + dt.timedelta(minutes=5)
    services.advance(vote)
    services.count(vote, chair)
    db.session.commit()
    return vote, chair


def test_the_result_announcement_downloads_and_its_number_checks_as_genuine(
        browser, live_server, app, monkeypatch, make_estate, make_user, tmp_path, clock):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    vote, chair = _counted_vote(clock, make_estate, make_user)
    vote_id, final_chain = vote.id, vote.final_chain
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in_browser(page, chair)
    page.goto(f"/votes/{vote_id}/result")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="表决结果公告（PDF）").click()
    path = tmp_path / "announcement.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename.startswith("result-announcement-")
    content = path.read_bytes()
    assert_cjk_font_embedded(content)
    assert final_chain in pdf_text(content)
    number = numbers(content)[0]

    # Anyone, signed in or not, checks the number printed at the foot of the page.
    checker = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True,
                                  base_url=live_server, locale="zh-CN").new_page()
    checker.goto("/documents/check")
    assert_accessible(checker)
    checker.get_by_label("文件编号").fill(number.lower())
    checker.get_by_role("button", name="核验").click()
    expect(checker.get_by_role("status")).to_contain_text("真实有效，且为最新版本")
    expect(checker.locator("main")).to_contain_text("表决结果公告")
    assert_accessible(checker)
    assert_fits_phone(checker)
    checker.get_by_label("文件编号").fill("GV-2026-0000-0000")
    checker.get_by_role("button", name="核验").click()
    expect(checker.get_by_role("status")).to_contain_text("非本平台签发")
    assert_accessible(checker)
    checker.context.close()
    context.close()
