"""The pages: the dashboard for those who supervise, an estate's process recorded through its forms,
refusals that keep what was typed, exports, PDFs and the SQL statements of the dashboard."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event

from governance_app.auth.models import Role
from governance_app.core import clock as platform
from governance_app.extensions import db
from governance_app.supervision import services
from governance_app.supervision.models import ProcessKind
from tests.support.site import PDF, job_file

from .support import to_group, to_posting


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_dashboard_flags_a_term_ending_within_6_months(app, client, login, committee, people, clock):
    clock.set(2026, 12, 29)
    login(people["supervisor"])
    page = text(client.get("/supervision/"))
    assert "梅园小区" in page and "R-47" not in page.split("<h2>")[-1]
    clock.set(2026, 12, 30)  # 6 months before 2027-06-30
    login(people["supervisor"])
    page = text(client.get("/supervision/"))
    assert "R-47" in page.split("<h2>")[-1] and "2027-01-30" in page


@pytest.mark.parametrize("role", ["chair", "auditor"])
def test_the_estate_page_shows_no_forms_to_those_who_may_not_record(client, login, committee, people, clock, role):
    services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    db.session.commit()
    login(people[role])
    page = text(client.get(f"/supervision/estates/{committee.id}"))
    assert "stages/report" not in page


def test_a_supervisor_records_the_report_and_the_group_through_the_pages(client, login, committee, people, clock):
    login(people["supervisor"])
    base = f"/supervision/estates/{committee.id}"
    assert client.post(f"{base}/start", data={"start-kind": "reelection"}).status_code == 302
    response = client.post(f"{base}/stages/report", data={"stage-happened_on": "2026-12-01", "stage-note": "书面报告",
                                                          "stage-document": (__import__("io").BytesIO(PDF), "r.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    # Refused (no member yet): the page again, with what was typed.
    response = client.post(f"{base}/stages/group", data={"stage-happened_on": "2026-12-01", "stage-note": "小组成立"})
    assert response.status_code == 200 and "小组成立" in text(response)
    client.post(f"{base}/members", data={"member-name": "居委干部", "member-role": "community_staff"})
    assert client.post(f"{base}/stages/group", data={"stage-happened_on": "2026-12-01"}).status_code == 302
    page = text(client.get(base))
    assert "<svg" in page and 'id="next-stage"' in page
    record = services.open_process(committee).recorded()["report"]
    assert client.get(f"{base}/stages/{record.id}/document").data == PDF


def test_staff_may_not_record_the_report_but_may_plan(client, login, committee, people, clock):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    db.session.commit()
    login(people["staff"])
    base = f"/supervision/estates/{committee.id}"
    assert client.post(f"{base}/stages/report", data={"stage-happened_on": "2026-12-01"}).status_code == 404
    to_group(process, people, clock)
    response = client.post(f"{base}/plan", data={"plan-seats": "4", "plan-structure": "结构", "plan-posting_days": "7",
                                                 "plan-happened_on": "2026-12-01"})
    assert response.status_code == 200 and "结构" in text(response)  # even, refused, kept
    response = client.post(f"{base}/plan", data={"plan-seats": "5", "plan-structure": "结构", "plan-posting_days": "7",
                                                 "plan-happened_on": "2026-12-01"})
    assert response.status_code == 302


def test_exports_have_the_rows_of_the_dashboard(client, login, committee, people, clock):
    clock.set(2027, 2, 10)  # the report is overdue
    login(people["supervisor"])  # after moving the clock: sessions end when idle
    csv_text = job_file(client, client.post("/supervision/export.csv")).data.decode("utf-8-sig")
    assert "梅园小区" in csv_text and "R-47" in csv_text and "2027-01-30" in csv_text
    xlsx = job_file(client, client.post("/supervision/export.xlsx"))
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    filtered = text(client.get("/supervision/?kind=funds.top_up"))
    assert "梅园小区" not in filtered


def test_the_dashboard_escapes_what_committees_typed_in_duty_titles(client, login, committee, people, clock):
    """A meeting's title goes into its duty's title (R-42); the page prints it as text, never as markup."""
    from governance_app.disclosure import services as disclosure_services

    members = [m.id for m in disclosure_services.current_members(committee)]
    meeting = disclosure_services.schedule_meeting(committee, title="<b>第一次</b>会议", place="会议室",
                                                   scheduled_at=platform.now() + dt.timedelta(hours=1),
                                                   agenda="议程", actor=people["chair"])
    disclosure_services.record_attendance(meeting, members, dt.date(2026, 12, 1), "纪要", people["chair"])
    db.session.commit()
    login(people["supervisor"])
    page = text(client.get("/supervision/?kind=disclosure.post_decisions"))
    assert "&lt;b&gt;第一次&lt;/b&gt;会议" in page and "<b>第一次</b>" not in page


def test_candidate_list_and_handover_pdfs(client, login, committee, people, clock, app):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    to_group(process, people, clock)
    login(people["staff"])
    assert client.get(f"/supervision/estates/{committee.id}/candidates.pdf").status_code == 404
    to_posting(process, people, clock)
    response = client.get(f"/supervision/estates/{committee.id}/candidates.pdf")
    assert response.status_code == 200 and response.data[:4] == b"%PDF"


def _statements(app, run) -> int:
    counted = []

    def note(*_args):
        counted.append(1)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(counted)


def test_the_dashboard_needs_as_many_sql_statements_for_50_estates_as_for_5(app, client, login, make_estate,
                                                                           make_user, clock):
    from bench.supervision import build_estates

    supervisor = None
    counts = {}
    for number in (5, 50):
        estates = build_estates(make_estate, number, prefix=f"n{number}-", sub_district=f"测试{number}街道")
        supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estates[0].community.sub_district,
                               login=f"sup{number}")
        login(supervisor)
        client.get("/supervision/")  # warm: the account's grants and session
        counts[number] = _statements(app, lambda: client.get("/supervision/"))
    assert counts[5] == counts[50]


def test_the_demo_has_a_reelection_under_way_and_an_overdue_report(app, client, login, app_context):
    from governance_app.auth import services as auth_services
    from governance_app.demo import load_demo

    load_demo()
    db.session.commit()
    load_demo()  # twice changes nothing
    db.session.commit()
    login(auth_services.find_user("supervisor"))
    page = text(client.get("/supervision/"))
    assert "桂苑" in page and "兰庭花园" in page
    assert re.search(r"换届改选：第 \d+ 步", page)
    assert "已逾期" in page and "%(" not in page
