"""Issue 16 in a phone browser (375x812, Chinese), on the demo (``flask demo load``), tried as a new
user would: a committee member of 梅园小区 starts the activation letters as a PDF, watches the
progress page move (its script polls the job's JSON) to 100 % and downloads the file; an owner sees
the unread count in the header, opens the inbox and the vote's notice, and its link takes them to
the vote. axe stays clean on the progress page and the inbox.

The live server runs jobs inline in tests; here they run as ``make run`` runs them without Redis
(``JOBS_MODE=thread``): a thread of the web process does the work while its page is polled."""
from __future__ import annotations

import re
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from governance_app.auth import printing
from governance_app.auth import services as auth_services
from governance_app.auth.models import ActivationCode
from governance_app.auth.totp import Totp
from governance_app.demo import DEMO_PASSWORD, demo_totp_secret, load_demo
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.jobs.models import Job, JobState
from governance_app.notifications import services as notifications
from governance_app.voting import services as voting
from tests.documents.support import page_count
from tests.e2e.conftest import assert_accessible, assert_fits_phone, sign_in_browser


def _demo_account(login: str):
    """A demo account as ``sign_in_browser`` needs it: its login and its authenticator."""
    return SimpleNamespace(login=login, totp=Totp(demo_totp_secret(login)))


@pytest.fixture
def held_halfway(monkeypatch):
    """The letters' drawing waits, once, after its first report of letters drawn (before the last
    one), until the test has seen that report on the page: a loaded machine may draw 145 letters
    faster than the page asks, and the test must see the page move, not only its end. Whatever
    happens to the test, the job's thread is let go and has ended before the tables are emptied."""
    seen_halfway, reported = threading.Event(), []
    real = printing.activation_letters_pdf

    def drawing(estate, letters, actor, *, processes=1, progress=None):
        def told(done: int, total: int) -> None:
            progress(done, total)
            if 0 < done < total and not reported:
                reported.append((done, total))
                seen_halfway.wait(timeout=60)

        return real(estate, letters, actor, processes=processes, progress=told)

    monkeypatch.setattr(printing, "activation_letters_pdf", drawing)
    yield seen_halfway, reported
    seen_halfway.set()
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(timeout=120)


def test_a_committee_member_starts_the_letters_watches_them_reach_100_and_downloads_the_pdf(
        page, app, app_context, monkeypatch, held_halfway):
    load_demo()
    db.session.commit()
    estate = estate_services.find_estate("梅园小区")
    waiting = [s for s in auth_services.voter_statuses(estate) if not s.has_account and s.active_code is None]
    codes_before = db.session.scalar(select(func.count()).select_from(ActivationCode))
    assert len(waiting) > 100  # the demo's owners without an account or a letter
    monkeypatch.setitem(app.config, "JOBS_MODE", "thread")  # as `make run` without Redis
    seen_halfway, reported = held_halfway
    # Once, the page's JSON answers as SQLite does while the job's transaction holds the database.
    busy = []

    def first_busy(route):
        if not busy:
            busy.append(route.request.url)
            route.fulfill(status=503, headers={"Retry-After": "30"}, body="系统繁忙，请稍后再试")
        else:
            route.continue_()

    page.route(re.compile(r"/jobs/[0-9a-f]+\.json$"), first_busy)

    sign_in_browser(page, _demo_account("member"), password=DEMO_PASSWORD)
    page.get_by_role("link", name="梅园小区").first.click()
    page.get_by_role("link", name="业主激活函").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("业主账户激活")
    # The demo's earlier letters (a finished job) are listed, to come back to their file.
    earlier = page.get_by_role("heading", name="最近 24 小时生成的激活函")
    expect(earlier).to_be_visible()
    expect(page.locator(".card-list li")).to_have_count(1)
    expect(page.locator(".card-list li")).to_contain_text("已完成")
    page.get_by_role("button", name="生成 PDF").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("激活函（PDF）")
    assert re.search(r"/jobs/[0-9a-f]{32}$", page.url)
    percent, step = page.locator("#job-percent"), page.locator("#job-step")
    # The script keeps asking after the busy answer, and shows the letters being drawn.
    expect(step).to_have_text(re.compile(r"^第 \d+ / \d+ 封$"), timeout=30_000)
    done, total = reported[0]
    assert total == len(waiting) and busy
    expect(step).to_have_text(f"第 {done} / {total} 封")
    expect(percent).to_have_text(f"{done * 100 // total}%")
    assert 0 < done * 100 // total < 100
    expect(page.locator("#job-bar")).to_have_attribute("value", str(done * 100 // total))
    assert_accessible(page)
    assert_fits_phone(page)
    seen_halfway.set()

    expect(percent).to_have_text("100%", timeout=60_000)  # the script reloads the page when done
    expect(step).to_have_text("已完成")
    expect(page.get_by_role("link", name="刷新本页")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载文件").click()
    download = download_info.value
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF-")
    assert download.suggested_filename == f"activation-letters-{estate.id}.pdf"
    db.session.remove()
    job = db.session.get(Job, page.url.rsplit("/", 1)[1])
    assert (job.state, job.kind, job.result_size) == (JobState.DONE, "activation_letters", len(content))
    issued = db.session.scalar(select(func.count()).select_from(ActivationCode)) - codes_before
    assert page_count(content) == issued == len(waiting)  # one page per letter, one letter per code


def test_an_owner_sees_the_unread_count_opens_the_notice_and_goes_to_the_vote(page, app_context):
    load_demo()
    db.session.commit()
    owner = auth_services.find_user("13900000001")
    estate = estate_services.find_estate("梅园小区")
    vote = next(v for v in voting.votes_of(estate) if v.title == "加装电梯与业委会换届")

    sign_in_browser(page, _demo_account("13900000001"), password=DEMO_PASSWORD)
    db.session.remove()
    unread = notifications.unread_count(owner)
    assert unread >= 4  # the demo's: two notices, a vote opened, a result published (and maybe this sign-in)
    inbox_link = page.get_by_role("banner").get_by_role("link", name=re.compile("^消息"))
    expect(inbox_link).to_have_text(f"消息 ({unread} 条未读)")
    inbox_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("消息")
    cards = page.locator(".card-list li")
    expect(cards).to_have_count(notifications.inbox_size(owner))
    expect(page.locator(".card-list li.unread")).to_have_count(unread)
    notice = cards.filter(has=page.get_by_role("link", name="表决公告：加装电梯与业委会换届"))
    expect(notice).to_contain_text("未读")
    expect(notice).to_contain_text("梅园小区")
    assert_accessible(page)
    assert_fits_phone(page)

    notice.get_by_role("link", name="表决公告：加装电梯与业委会换届").click()
    assert page.url.endswith(f"/votes/{vote.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("加装电梯与业委会换届")
    expect(inbox_link).to_have_text(f"消息 ({unread - 1} 条未读)")

    inbox_link.click()
    notice = page.locator(".card-list li").filter(has=page.get_by_role("link", name="表决公告：加装电梯与业委会换届"))
    expect(notice).not_to_contain_text("未读")
    expect(page.locator(".card-list li.unread")).to_have_count(unread - 1)
    assert_accessible(page)
