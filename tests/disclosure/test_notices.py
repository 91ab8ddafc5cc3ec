"""Notices (公告) and postings for a period (公示): publishing, attachments checked by content,
who sees what and when, unread marks per person, and the audit trail (R-55, R-60)."""
from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from flask_babel import force_locale

from governance_app.auth.models import Role
from governance_app.core import clock as platform_clock
from governance_app.disclosure import rules, services
from governance_app.core.refusals import message
from governance_app.disclosure.models import DisclosureError, Notice, NoticeAttachment, NoticeKind, NoticeRead
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from tests.disclosure.support import (
    JPEG, PDF, PNG, SHANGHAI, count, events, flashes, fresh, local_today, location, notice, text, utc_now,
)

DAY = dt.timedelta(days=1)


def notice_form(**changes) -> dict:
    form = {"kind": "announcement", "title": "停水通知", "body": "明天 9 点到 12 点停水。",
            "starts_on": local_today().isoformat(), "days": ""}
    form.update(changes)
    return form


def titles(response) -> list[str]:
    """The notices listed, in order."""
    return re.findall(r'<a href="/estates/\d+/notices/\d+">(?:\[Pinned\] )?([^<]+)</a>',
                      response.get_data(as_text=True))


def nothing_written() -> bool:
    return (count(Notice), count(NoticeAttachment), count(StoredFile), len(events("notice.published"))) == (0, 0, 0, 0)


# --- publishing -------------------------------------------------------------------------------------

@pytest.mark.parametrize("language, message", [
    ("en", "A posting (公示) needs its period in days."),
    ("zh_CN", "公示须填写公示天数。"),
])
def test_a_posting_without_days_is_refused_with_the_message(estate, committee, browser_of, language, message):
    response = browser_of(committee, language).post(f"/estates/{estate.id}/notices",
                                                    data=notice_form(kind="posting", title="候选人公示"))
    assert flashes(response, "error") == [message]
    assert nothing_written()


def test_a_posting_is_published_for_its_days_from_the_start_of_its_first_day(estate, committee, browser_of):
    browser = browser_of(committee)
    response = browser.post(f"/estates/{estate.id}/notices",
                            data=notice_form(kind="posting", title="候选人公示", days="7", pinned="y"))
    assert response.status_code == 302
    fresh()
    published = services.notices(estate)[0]
    assert location(response) == f"/estates/{estate.id}/notices/{published.id}"
    start = dt.datetime.combine(local_today(), dt.time(), SHANGHAI)
    assert platform_clock.aware(published.starts_at) == start
    # the first day is not counted; the 7th day after it is the last, to 24:00.
    assert platform_clock.aware(published.ends_at) == start + 8 * DAY
    assert rules.notice_showing(start, start + 8 * DAY, start + 8 * DAY - dt.timedelta(minutes=1))
    assert (published.kind, published.pinned, published.published_by_id) == (NoticeKind.POSTING, True, committee.id)
    page = browser.get(location(response))
    assert "The notice is published." in flashes(page, "success")
    assert f"posted from {local_today()} to {local_today() + 7 * DAY}" in text(page)
    assert f"{local_today()} – {local_today() + 7 * DAY}" in text(browser.get(f"/estates/{estate.id}/notices"))


def test_an_announcement_needs_no_end(estate, committee, browser_of):
    response = browser_of(committee).post(f"/estates/{estate.id}/notices", data=notice_form())
    assert response.status_code == 302
    assert count(Notice, Notice.ends_at.is_(None)) == 1


@pytest.mark.parametrize("days", ["0", "366", "x"])
def test_a_period_outside_1_to_365_days_is_a_form_error(estate, committee, browser_of, days):
    response = browser_of(committee).post(f"/estates/{estate.id}/notices", data=notice_form(kind="posting", days=days))
    assert response.status_code == 400
    assert nothing_written()


@pytest.mark.parametrize("length", [dt.timedelta(0), -DAY])
def test_a_period_that_ends_when_or_before_it_starts_is_refused(app, estate, committee, length):
    start = utc_now()
    with pytest.raises(DisclosureError) as refused:
        services.publish_notice(estate, kind=NoticeKind.POSTING, title="候选人公示", body="名单", starts_at=start,
                                ends_at=start + length, pinned=False, attachments=[], actor=committee)
    assert refused.value.reason == "ends_before_start"
    with app.test_request_context(), force_locale("en"):
        assert message(refused.value) == "The posting period ends before it starts."
    assert nothing_written()


def test_the_body_is_rendered_once_and_sanitised_when_published(estate, committee, owner, browser_of):
    browser = browser_of(committee)
    body = "## 名单\n\n- 甲\n- 乙\n\n<script>alert(1)</script> [点我](javascript:alert(1))"
    response = browser.post(f"/estates/{estate.id}/notices", data=notice_form(body=body))
    fresh()
    stored = services.notices(estate)[0]
    assert stored.body == body
    assert "<h2>名单</h2>" in stored.body_html and "<script" not in stored.body_html
    page = browser_of(owner).get(location(response)).get_data(as_text=True)
    assert "<li>甲</li>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page


# --- attachments ----------------------------------------------------------------------------------

@pytest.mark.parametrize("files", [
    [(b"just some text, no PDF at all", "方案.pdf")],
    [(PDF, "方案.pdf"), (b"GIF89a\x01\x00", "照片.png")],  # one bad file refuses them all
])
def test_attachments_are_checked_by_content_and_a_refusal_writes_nothing(estate, committee, browser_of, files):
    form = notice_form(attachments=[(io.BytesIO(content), name) for content, name in files])
    response = browser_of(committee).post(f"/estates/{estate.id}/notices", data=form)
    assert flashes(response, "error") == ["Only JPEG, PNG or PDF files are accepted."]
    assert nothing_written()


def test_pdf_png_and_jpeg_attachments_are_kept_and_downloadable(estate, committee, owner, browser_of):
    files = [(PDF, "方案.pdf"), (PNG, "平面图.png"), (JPEG, "现场.jpg")]
    form = notice_form(attachments=[(io.BytesIO(content), name) for content, name in files])
    response = browser_of(committee).post(f"/estates/{estate.id}/notices", data=form)
    assert response.status_code == 302
    fresh()
    published = services.notices(estate)[0]
    assert [item.label for item in published.attachments] == ["方案.pdf", "平面图.png", "现场.jpg"]
    assert events("notice.published")[0].details["attachments"] == 3
    browser = browser_of(owner)
    page = browser.get(location(response))
    for (content, name), item, wanted in zip(files, published.attachments, ("application/pdf", "image/png",
                                                                             "image/jpeg")):
        url = f"/estates/{estate.id}/notices/{published.id}/attachments/{item.id}"
        assert f'href="{url}">{name}</a>' in page.get_data(as_text=True)
        download = browser.get(url)
        assert (download.status_code, download.mimetype, download.data) == (200, wanted, content)
        assert download.headers["Cache-Control"] == "private, no-store"


def test_an_attachment_of_another_notice_is_not_found(estate, committee, owner, browser_of):
    first = notice(estate, committee, "一", attachments=[(PDF, "一.pdf")])
    second = notice(estate, committee, "二")
    browser = browser_of(owner)
    attachment_id = first.attachments[0].id
    assert browser.get(f"/estates/{estate.id}/notices/{first.id}/attachments/{attachment_id}").status_code == 200
    assert browser.get(f"/estates/{estate.id}/notices/{second.id}/attachments/{attachment_id}").status_code == 404


def test_attachments_download_under_their_uploaded_names_safely_encoded(estate, committee, owner, browser_of):
    found = notice(estate, committee, "方案", attachments=[(PDF, "电梯维修方案.pdf"), (PNG, "../平面图"),
                                                           (JPEG, 'x"\r\nSet-Cookie: a=b.jpg')])
    browser = browser_of(owner)
    headers = [browser.get(f"/estates/{estate.id}/notices/{found.id}/attachments/{item.id}").headers
               ["Content-Disposition"] for item in found.attachments]
    assert headers == [
        "inline; filename=\"attachment-%d.pdf\"; filename*=UTF-8''%%E7%%94%%B5%%E6%%A2%%AF%%E7%%BB%%B4%%E4%%BF%%AE"
        "%%E6%%96%%B9%%E6%%A1%%88.pdf" % found.attachments[0].id,
        "inline; filename=\"attachment-%d.png\"; filename*=UTF-8''%%E5%%B9%%B3%%E9%%9D%%A2%%E5%%9B%%BE.png"
        % found.attachments[1].id,
        "inline; filename=\"x_Set-Cookie_ a_b.jpg\"; filename*=UTF-8''x_Set-Cookie_%20a%3Db.jpg"]


# --- order and visibility ------------------------------------------------------------------------------

def test_pinned_notices_come_first_then_the_newest(estate, committee, owner, browser_of):
    notice(estate, committee, "旧的置顶", starts=-10 * DAY, pinned=True)
    notice(estate, committee, "较新", starts=-5 * DAY)
    notice(estate, committee, "最新", starts=-DAY)
    notice(estate, committee, "较新的置顶", starts=-3 * DAY, pinned=True)
    page = browser_of(owner).get(f"/estates/{estate.id}/notices")
    assert titles(page) == ["较新的置顶", "旧的置顶", "最新", "较新"]
    assert text(page).count("[Pinned]") == 2


@pytest.fixture
def four_notices(estate, committee):
    """One showing, one not yet started, one ended, one withdrawn (with attachments)."""
    made = {
        "showing": notice(estate, committee, "正在公示", starts=-DAY, ends=6 * DAY, kind=NoticeKind.POSTING,
                          attachments=[(PDF, "a.pdf")]),
        "future": notice(estate, committee, "明天开始", starts=DAY, attachments=[(PDF + b"f", "f.pdf")]),
        "ended": notice(estate, committee, "已结束", starts=-8 * DAY, ends=-DAY, kind=NoticeKind.POSTING,
                        attachments=[(PDF + b"e", "e.pdf")]),
        "withdrawn": notice(estate, committee, "已撤回", starts=-2 * DAY, attachments=[(PDF + b"w", "w.pdf")]),
    }
    services.withdraw_notice(made["withdrawn"], committee)
    db.session.commit()
    return {key: (found.id, found.attachments[0].id) for key, found in made.items()}


@pytest.mark.parametrize("reader", ["owner", "staff"])
def test_r55_not_yet_started_ended_and_withdrawn_notices_are_hidden_from_readers(estate, four_notices, owner,
                                                                             make_user, browser_of, reader):
    user = owner if reader == "owner" else make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    browser = browser_of(user)
    assert titles(browser.get(f"/estates/{estate.id}/notices")) == ["正在公示"]
    for key, (notice_id, attachment_id) in four_notices.items():
        wanted = 200 if key == "showing" else 404
        assert browser.get(f"/estates/{estate.id}/notices/{notice_id}").status_code == wanted, key
        assert browser.get(f"/estates/{estate.id}/notices/{notice_id}/attachments/{attachment_id}").status_code \
            == wanted, key


def test_the_committee_lists_and_opens_hidden_notices_marked_not_showing(estate, four_notices, committee,
                                                                         browser_of):
    browser = browser_of(committee)
    page = browser.get(f"/estates/{estate.id}/notices")
    assert sorted(titles(page)) == sorted(["正在公示", "明天开始", "已结束", "已撤回"])
    assert text(page).count("not showing") == 3
    for key, (notice_id, attachment_id) in four_notices.items():
        assert browser.get(f"/estates/{estate.id}/notices/{notice_id}").status_code == 200, key
        assert browser.get(f"/estates/{estate.id}/notices/{notice_id}/attachments/{attachment_id}").status_code \
            == 200, key
    assert "Withdrawn on" in text(browser.get(f"/estates/{estate.id}/notices/{four_notices['withdrawn'][0]}"))


def test_r60_owners_of_another_estate_get_404_for_its_notices(estate, other_estate, committee, other_owner,
                                                                  browser_of):
    found = notice(estate, committee, "停水通知", attachments=[(PDF, "a.pdf")])
    browser = browser_of(other_owner)
    assert browser.get(f"/estates/{other_estate.id}/notices").status_code == 200
    for url in (f"/estates/{estate.id}/notices", f"/estates/{estate.id}/notices/{found.id}",
                f"/estates/{estate.id}/notices/{found.id}/attachments/{found.attachments[0].id}",
                f"/estates/{other_estate.id}/notices/{found.id}",
                f"/estates/{other_estate.id}/notices/{found.id}/attachments/{found.attachments[0].id}"):
        assert browser.get(url).status_code == 404, url
    assert count(NoticeRead) == 0


def test_r60_anonymous_visitors_are_sent_to_sign_in(estate, committee, browser_of):
    found = notice(estate, committee, "停水通知")
    browser = browser_of(None)
    for url in (f"/estates/{estate.id}/notices", f"/estates/{estate.id}/notices/{found.id}"):
        response = browser.get(url)
        assert (response.status_code, location(response)) == (302, "/login"), url
    assert count(NoticeRead) == 0


# --- unread marks ---------------------------------------------------------------------------------------

def test_unread_marks_are_per_person_and_reading_clears_ones_own(estate, committee, owner, second_owner,
                                                                 browser_of):
    found = notice(estate, committee, "停水通知")
    mine, theirs = browser_of(owner), browser_of(second_owner)
    for browser in (mine, theirs):
        page = browser.get(f"/estates/{estate.id}/notices")
        assert 'class="card unread"' in page.get_data(as_text=True) and "unread" in text(page)
    assert mine.get(f"/estates/{estate.id}/notices/{found.id}").status_code == 200
    assert mine.get(f"/estates/{estate.id}/notices/{found.id}").status_code == 200  # a second read adds nothing
    assert count(NoticeRead) == 1
    assert count(NoticeRead, NoticeRead.user_id == owner.id, NoticeRead.notice_id == found.id) == 1
    assert 'class="card unread"' not in mine.get(f"/estates/{estate.id}/notices").get_data(as_text=True)
    assert 'class="card unread"' in theirs.get(f"/estates/{estate.id}/notices").get_data(as_text=True)


@pytest.mark.parametrize("language, two, one", [("en", "2 unread", "1 unread"), ("zh_CN", "2 条未读", "1 条未读")])
def test_the_estate_page_shows_the_number_of_unread_showing_notices(estate, committee, owner, browser_of, language,
                                                                    two, one):
    first = notice(estate, committee, "停水通知")
    notice(estate, committee, "电梯检修")
    notice(estate, committee, "明天开始", starts=DAY)  # not showing: not counted
    notice(estate, committee, "已结束", starts=-5 * DAY, ends=-DAY)
    browser = browser_of(owner, language)
    assert two in text(browser.get(f"/estates/{estate.id}"))
    browser.get(f"/estates/{estate.id}/notices/{first.id}")
    page = text(browser.get(f"/estates/{estate.id}"))
    assert one in page and two not in page


def test_reading_every_notice_leaves_no_unread_count(estate, committee, owner, browser_of):
    found = notice(estate, committee, "停水通知")
    browser = browser_of(owner)
    browser.get(f"/estates/{estate.id}/notices/{found.id}")
    # (the header's count is of the inbox's messages, issue 16: not the notices' marks)
    assert "Notices (" not in text(browser.get(f"/estates/{estate.id}"))


# --- withdrawing and the audit trail -----------------------------------------------------------------------

def test_publishing_and_withdrawing_are_audited(estate, committee, owner, browser_of):
    browser = browser_of(committee)
    response = browser.post(f"/estates/{estate.id}/notices",
                            data=notice_form(kind="posting", title="候选人公示", days="7",
                                             attachments=[(io.BytesIO(PDF), "名单.pdf")]))
    notice_id = int(location(response).rsplit("/", 1)[1])
    [published] = events("notice.published")
    assert (published.estate_id, published.object_type, published.object_id, published.actor_id) == \
        (estate.id, "notice", str(notice_id), committee.id)
    assert published.details["title"] == "候选人公示"
    assert published.details["kind"] == "posting"
    assert published.details["attachments"] == 1
    assert published.details["ends_at"] is not None

    response = browser.post(f"/estates/{estate.id}/notices/{notice_id}/withdraw")
    assert location(response) == f"/estates/{estate.id}/notices"
    assert "The notice is withdrawn." in flashes(browser.get(location(response)), "success")
    browser.post(f"/estates/{estate.id}/notices/{notice_id}/withdraw")  # again: nothing more happens
    [withdrawn] = events("notice.withdrawn")
    assert (withdrawn.estate_id, withdrawn.object_id, withdrawn.actor_id) == (estate.id, str(notice_id), committee.id)
    fresh()
    assert services.notices(estate) == []
    assert browser_of(owner).get(f"/estates/{estate.id}/notices/{notice_id}").status_code == 404
