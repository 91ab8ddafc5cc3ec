"""The board's pages: who sees what (R-60), masking (R-61), never before the window (R-62), no
trace once removed (R-63), private pages and no black-board export (R-64), the red export (R-65)."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.pledges import services
from governance_app.pledges.models import BoardEntry, Deed
from tests.disclosure.support import count, events, flashes, text
from tests.pledges.support import notified


def _board(estate) -> str:
    return f"/estates/{estate.id}/board"


def test_r60_the_board_is_for_the_estates_owners_and_authorised_staff(
        estate, other_owner, owner, staff, browser_of, make_user):
    assert browser_of(None).get(_board(estate)).status_code == 302  # to sign in
    assert browser_of(other_owner).get(_board(estate)).status_code == 404
    auditor = make_user(Role.AUDITOR, estate.community.sub_district, login="auditor")
    assert browser_of(auditor).get(_board(estate)).status_code == 404
    for reader in (owner, staff):
        page = browser_of(reader).get(_board(estate))
        assert page.status_code == 200
        assert "no-store" in page.headers["Cache-Control"] and "noindex" in page.headers["X-Robots-Tag"]
        assert '<meta name="robots" content="noindex, nofollow">' in page.get_data(as_text=True)
        assert "失信" not in page.get_data(as_text=True)


def test_r62_not_shown_before_the_window_has_passed_then_masked(
        clock, estate, committee, clause, decision, owner, other_owner, browser_of):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    clock.set(2026, 3, 8, hour=23)
    page = browser_of(owner, "zh_CN").get(_board(estate))
    assert "楼道堆放纸箱" not in text(page)
    entry_url = f"/estates/{estate.id}/board/entries/{entry.id}"
    assert browser_of(owner).get(entry_url).status_code == 404  # a neighbour never opens an entry
    clock.set(2026, 3, 9, hour=0)
    page = text(browser_of(owner, "zh_CN").get(_board(estate)))
    assert "楼道堆放纸箱" in page and "李某" in page and "1-102" in page
    assert "李娜" not in page and "310101198001012222" not in page
    assert browser_of(other_owner).get(_board(estate)).status_code == 404


def test_the_person_is_told_in_the_app_objects_and_sees_the_answer(
        clock, estate, committee, clause, decision, second_owner, browser_of):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    person = browser_of(second_owner)
    assert "Concerning you" in text(person.get(_board(estate)))
    url = f"/estates/{estate.id}/board/entries/{entry.id}"
    page = person.get(url)
    assert page.status_code == 200 and "Object to this entry" in text(page)
    refused = person.post(url + "/objection", data={"reasons": ""})
    assert refused.status_code == 400
    sent = person.post(url + "/objection", data={"reasons": "纸箱不是我家的。"})
    assert sent.status_code == 302
    committee_page = browser_of(committee)
    decided = committee_page.post(url + "/objection/decision", data={
        "outcome": "rejected", "answer": "照片显示是您家的纸箱。", "decision": str(decision.id)})
    assert decided.status_code == 302
    assert "照片显示是您家的纸箱。" in text(person.get(url))


def test_r63_a_removed_entry_leaves_no_trace_on_owners_pages(
        clock, estate, committee, clause, decision, owner, second_owner, browser_of):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    clock.set(2026, 3, 10)
    url = f"/estates/{estate.id}/board/entries/{entry.id}"
    assert browser_of(committee).post(url + "/rectified", data={"on": "2026-03-10"}).status_code == 302
    assert browser_of(second_owner).post(url + "/pledge").status_code == 302
    assert not [event for event in events("board.removed") + events("board.pledged")
                if "李娜" in f"{event.actor_name} {event.details}"]  # the person acted, unnamed
    for reader in (owner, second_owner):
        page = text(browser_of(reader, "zh_CN").get(_board(estate)))
        assert "楼道堆放纸箱" not in page and "李某" not in page
        assert browser_of(reader).get(url).status_code == 404
        assert browser_of(reader).get(url + "/notice.pdf").status_code == 404


def test_a_step_refused_keeps_what_was_typed(estate, committee, clause, browser_of):
    committee_page = browser_of(committee)
    response = committee_page.post(f"/estates/{estate.id}/board/breaches/new", data={
        "unit": "9-999", "clause": str(clause.id), "severity": "minor", "reason": "深夜装修噪音",
        "warned_on": "2026-01-01", "warned_by": "甲", "warned_how": "当面劝阻"})
    assert response.status_code == 400
    assert "Choose an owner of this estate from the roll." in flashes(response)
    assert "深夜装修噪音" in response.get_data(as_text=True)
    assert count(BoardEntry) == 0


def test_r65_staff_export_the_red_board_and_nothing_else(
        clock, estate, committee, staff, owner, clause, decision, browser_of):
    clock.set(2026, 3, 1)
    services.nominate(estate, unit_label="2-101", deed=Deed.VOLUNTEERING, clause_id=None, reason="志愿者",
                      service_eligible=True, actor=committee)
    notified(estate, clause, committee, decision)
    db.session.commit()
    clock.set(2026, 3, 20)
    csv_file = browser_of(staff).get(f"/estates/{estate.id}/board/red-board.csv")
    assert csv_file.status_code == 200
    content = csv_file.get_data().decode("utf-8-sig")
    assert "赵敏" in content and "2-101" in content and "李娜" not in content
    xlsx = browser_of(staff).get(f"/estates/{estate.id}/board/red-board.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    assert [cell.value for cell in sheet[2]][:2] == ["赵敏", "2-101"]
    for reader in (owner, committee):
        assert browser_of(reader).get(f"/estates/{estate.id}/board/red-board.csv").status_code == 404


def test_the_notice_pdf_is_the_committees_and_the_persons(
        clock, estate, committee, clause, decision, second_owner, owner, browser_of, monkeypatch):
    from governance_app.documents import services as documents

    drawn = {}
    monkeypatch.setattr(documents, "one_pdf", lambda kind, template, estate_id, object_type, object_id, data, actor,
                        **context: drawn.setdefault("data", data) and b"%PDF-1.7 notice")
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    url = f"/estates/{estate.id}/board/entries/{entry.id}/notice.pdf"
    assert browser_of(owner).get(url).status_code == 404
    assert browser_of(second_owner).get(url).status_code == 200
    assert drawn["data"]["person"] == "李某" and drawn["data"]["objections_until"] == "2026-03-08"


def test_r63_a_second_pledge_is_refused_on_the_entry_page(
        clock, estate, committee, clause, decision, second_owner, browser_of):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    url = f"/estates/{estate.id}/board/entries/{entry.id}"
    person = browser_of(second_owner)
    assert person.post(url + "/pledge").status_code == 302
    again = person.post(url + "/pledge")
    assert again.status_code == 400
    assert flashes(again, "error") == ["Your pledge is already recorded."]
