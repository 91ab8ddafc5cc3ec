"""The documents of a counted vote: the result announcement, the minutes and the filing form (R-46).

Each is read back with poppler as a person would read the paper: a Chinese font embedded, the
figures of the result, the number and hash in the footer, "第 N 页 共 M 页"; each number checks
as genuine and current until the vote's result changes."""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from governance_app.core import clock as platform_clock
from governance_app.documents.models import DocumentKind, DocumentRecord
from governance_app.documents import rules
from governance_app.extensions import db
from tests.documents.support import (
    CURRENT, SUPERSEDED, UNKNOWN, assert_cjk_font_embedded, check_status, flat, numbers, pdf_text,
)
from tests.support.site import fresh


def _get(pages, url: str) -> bytes:
    response = pages.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return response.data


def test_the_result_announcement_shows_every_figure_with_its_rule(login, pages, counted_vote, committee):
    login(committee, client=pages)
    content = _get(pages, f"/votes/{counted_vote.id}/result-announcement.pdf")
    assert_cjk_font_embedded(content)
    text = flat(pdf_text(content))
    assert "梅园小区业主大会表决结果公告" in text and "加装电梯与选举" in text
    # Dates: notice, voting, counting.
    assert "2026" in text and "至" in text and "截至当日 24:00" in text
    # R-10 participation: area and heads against 2/3 of the roll (920.00 of 1,060.00 m², 7 of 9).
    assert "920.00 1,060.00 86.79%" in text and "7 9 77.78%" in text and "不少于三分之二" in text
    assert "R-10" in text and "已达到。" in text
    # Item 1 passes under R-11; item 2 fails under R-12 (3/4 needed).
    assert "第 1 项：使用维修资金加装电梯" in text and "结果： 通过（R-11）" in text
    assert "第 2 项：续筹维修资金" in text and "结果： 未通过（R-12）" in text
    assert "R-12：须经参与表决的面积四分之三以上且人数四分之三以上同意" in text
    # Election: 甲 and 乙 elected, 丙 and 丁 tied for the last seat (never broken), no alternate.
    assert "当选委员（3 个席位）： 甲、乙" in text
    assert "票数相同：丙、丁 争夺 1 个席位" in text
    # Choice: option 1 passes.
    assert "通过：专业物业公司（R-11，R-22）" in text
    # Per building, the final chain value, the result page behind the QR code.
    assert "三、分楼栋统计" in text and "320.00 / 320.00" in text
    fresh()
    assert counted_vote.final_chain in text
    assert f"/votes/{counted_vote.id}/result" in text
    # The footer of every page: number, time, content hash, page numbers.
    number = numbers(content)[0]
    found = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == number))
    assert found.kind == DocumentKind.RESULT_ANNOUNCEMENT and found.object_id == counted_vote.id
    assert f"文件编号 {number}" in text and f"内容数据 SHA-256：{found.data_sha256}" in text
    assert "第 1 页 共" in text
    pages_total = int(re.search(r"第 1 页 共 (\d+) 页", text).group(1))
    assert f"第 {pages_total} 页 共 {pages_total} 页" in text


def test_the_hash_is_the_hash_of_the_values_shown_not_of_the_pdf(app, login, pages, counted_vote, committee):
    from governance_app.voting import printing

    login(committee, client=pages)
    first = _get(pages, f"/votes/{counted_vote.id}/result-announcement.pdf")
    second = _get(pages, f"/votes/{counted_vote.id}/result-announcement.pdf")
    fresh()
    records = db.session.scalars(select(DocumentRecord).order_by(DocumentRecord.id)).all()
    assert len(records) == 2 and records[0].number != records[1].number
    assert records[0].data_sha256 == records[1].data_sha256
    with app.test_request_context():
        assert rules.data_sha256(printing.announcement_data(counted_vote)) == records[0].data_sha256
    assert first != second  # the number and the time differ


def test_a_number_checks_as_current_until_the_result_changes(login, pages, counted_vote, committee, client):
    login(committee, client=pages)
    number = numbers(_get(pages, f"/votes/{counted_vote.id}/result-announcement.pdf"))[0]
    minutes = numbers(_get(pages, f"/votes/{counted_vote.id}/minutes.pdf"))[0]
    assert check_status(client, number) == CURRENT
    assert check_status(client, number.lower().replace("-", " ")) == CURRENT  # as typed from paper
    assert check_status(client, minutes) == CURRENT
    # Someone changes the stored result (a bug, a tampered database, a recount): the paper copy
    # is still genuine, but no longer what the platform would say today.
    fresh()
    result = dict(counted_vote.result)
    result["items"] = {**result["items"], "i2": {**result["items"]["i2"], "outcome": "passed"}}
    counted_vote.result = result
    db.session.commit()
    assert check_status(client, number) == SUPERSEDED
    assert check_status(client, minutes) == SUPERSEDED
    assert check_status(client, "GV-2026-0000-0000") == UNKNOWN


def test_the_check_page_shows_what_was_issued_and_its_hash(login, pages, counted_vote, committee, client):
    from tests.support.site import text

    login(committee, client=pages)
    number = numbers(_get(pages, f"/votes/{counted_vote.id}/result-announcement.pdf"))[0]
    fresh()
    record = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == number))
    page = text(client.get("/documents/check", query_string={"number": number}))
    assert "表决结果公告" in page and "梅园小区" in page and record.data_sha256 in page
    assert "加装电梯与选举" not in page  # the public page does not read the document out


def test_the_minutes_record_attendance_agenda_decisions_and_signatures(login, pages, counted_vote, committee):
    login(committee, client=pages)
    content = _get(pages, f"/votes/{counted_vote.id}/minutes.pdf")
    assert_cjk_font_embedded(content)
    text = flat(pdf_text(content))
    assert "梅园小区业主大会会议纪要" in text
    assert "参与表决的业主 7 人，占业主总人数 9 人的 77.78%" in text
    assert "其专有部分面积 920.00 平方米，占总面积 1,060.00 平方米的 86.79%" in text
    assert "网上 7 票，纸质 0 票，委托代理 0 票" in text
    assert "二、会议议程" in text and "续筹维修资金" in text
    assert "“使用维修资金加装电梯”：通过。赞成面积 790.00 平方米（占参与表决面积 85.87%），赞成人数 5 人" in text
    assert "“续筹维修资金”：未通过" in text
    assert "“选举业委会委员”：当选 甲、乙。" in text and "需要再次投票" in text
    assert "“物业管理方式”：“专业物业公司”通过" in text
    assert "会议召集人（业主委员会主任）" in text and "记录人" in text and "计票人" in text and "监票人" in text
    assert "第 1 页 共" in text


def test_the_filing_form_has_the_elected_the_deadline_and_the_seals(app, login, pages, counted_vote, committee):
    login(committee, client=pages)
    content = _get(pages, f"/votes/{counted_vote.id}/filing-form.pdf")
    assert_cjk_font_embedded(content)
    text = flat(pdf_text(content))
    assert "业主委员会选举结果备案表" in text and "报测试街道办事处" in text
    fresh()
    with app.app_context():
        from governance_app.voting import services

        last_day = (platform_clock.aware(counted_vote.closes_at).astimezone(platform_clock.zone()) - dt.timedelta(days=1)).date()
    assert f"选举日期 {last_day.isoformat()}" in text
    assert f"{(last_day + dt.timedelta(days=30)).isoformat()} · R-46：自选举之日起 30 日内" in text
    assert "1 甲 5 71.43% 690.00 75.00%" in text and "2 乙 5 71.43% 480.00 52.17%" in text
    assert "票数相同：丙、丁 争夺 1 个席位" in text
    assert "业主委员会主任（签字）" in text and "街道办事处受理意见（盖章）" in text
    assert "居民委员会意见（盖章）" in text
    assert counted_vote.final_chain in text and "第 1 页 共" in text


def test_who_may_download_the_documents_of_a_vote(login, pages, counted_vote, committee, owner_of, staff,
                                                   supervisor, auditor, make_user, make_estate):
    from governance_app.auth.models import Role

    other_committee = make_user(Role.COMMITTEE_CHAIR, make_estate("别的小区"), login="other-chair")
    owner = owner_of("2-104")  # did not vote; may see the result once published
    documents = ("result-announcement", "minutes", "filing-form")

    def answers() -> dict:
        seen = {}
        for name, user in (("owner", owner), ("staff", staff), ("committee", committee), ("supervisor", supervisor),
                           ("auditor", auditor), ("other committee", other_committee)):
            login(user, client=pages)
            seen[name] = tuple(pages.get(f"/votes/{counted_vote.id}/{kind}.pdf").status_code for kind in documents)
        return seen

    # Counted, not published: the result page's insiders only.
    assert answers() == {"owner": (404, 404, 404), "staff": (404, 404, 404), "committee": (200, 200, 200),
                         "supervisor": (200, 200, 200), "auditor": (200, 200, 200),
                         "other committee": (404, 404, 404)}
    from governance_app.voting import services

    fresh()
    services.publish_result(counted_vote, committee)
    db.session.commit()
    # Published: everyone who may see the estate's votes; the filing form stays with the committee and
    # the supervisors.
    assert answers() == {"owner": (200, 200, 404), "staff": (200, 200, 404), "committee": (200, 200, 200),
                         "supervisor": (200, 200, 200), "auditor": (200, 200, 200),
                         "other committee": (404, 404, 404)}
    pages.get("/logout")
    anonymous = pages.get(f"/votes/{counted_vote.id}/result-announcement.pdf")
    assert anonymous.status_code in (302, 404)


def test_no_documents_before_counting_and_no_filing_form_without_an_election(login, pages, open_vote, committee,
                                                                             clock):
    login(committee, client=pages)
    for kind in ("result-announcement", "minutes", "filing-form"):
        assert pages.get(f"/votes/{open_vote.id}/{kind}.pdf").status_code == 404
    assert pages.get("/votes/999999/result-announcement.pdf").status_code == 404
    fresh()
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0


def test_without_a_chinese_font_nothing_is_drawn_and_the_page_says_what_to_install(
        monkeypatch, login, pages, counted_vote, committee):
    from governance_app.documents import render
    from tests.support.site import text

    monkeypatch.setattr(render, "cjk_font", lambda: None)
    login(committee, client=pages)
    for kind in ("result-announcement", "minutes", "filing-form"):
        response = pages.get(f"/votes/{counted_vote.id}/{kind}.pdf")
        assert response.status_code == 503
        assert response.mimetype == "text/html"
        page = text(response)
        assert "暂时无法生成 PDF 文件" in page and "fonts-noto-cjk" in page and "apt-get install fonts-noto-cjk" in page
        assert not response.data.startswith(b"%PDF")
    fresh()
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0


def test_the_result_page_and_the_vote_page_link_to_the_documents(login, pages, counted_vote, committee, owner_of):
    login(committee, client=pages)
    result = pages.get(f"/votes/{counted_vote.id}/result").get_data(as_text=True)
    for kind in ("result-announcement", "minutes", "filing-form"):
        assert f"/votes/{counted_vote.id}/{kind}.pdf" in result
    assert f"/votes/{counted_vote.id}/result-announcement.pdf" in pages.get(f"/votes/{counted_vote.id}").get_data(
        as_text=True)
