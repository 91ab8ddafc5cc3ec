"""Survey pages: the committee writes, owners answer on a page that says it decides nothing
(R-72), and no page or file shows who answered what when the survey is anonymous."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook
from sqlalchemy import select

from governance_app.extensions import db
from governance_app.surveys.models import Survey, SurveyResponse
from tests.conftest import count
from tests.disclosure.support import pages, text


def _browser(app, login, user):
    client = pages(app, "en")
    login(user, client=client)
    return client


def _write(client, estate, *, anonymous=True) -> Survey:
    response = client.post(f"/estates/{estate.id}/surveys", data={
        "title": "电动车充电桩", "description": "在哪里装？", "opens_at": "2026-05-10T09:00",
        "closes_at": "2026-05-20T20:00", **({"anonymous": "y"} if anonymous else {})})
    assert response.status_code == 302, text(response)
    survey = db.session.scalar(select(Survey).order_by(Survey.id.desc()))
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    for question in ({"kind": "single", "text": "装在哪里？", "options": "地库\n地面\n不装"},
                     {"kind": "text", "text": "其他意见"}):
        assert client.post(base + "/questions", data=question).status_code == 302
    assert client.post(base + "/publish", data={}).status_code == 302
    return survey


def test_the_committee_writes_a_survey_and_owners_answer_it(app, login, clock, estate, committee, owner_account):
    survey = _write(_browser(app, login, committee), estate)
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    for name, login_name, choice in (("王伟", "wang", "0"), ("李娜", "li", "0"), ("业主1", "o1", "1")):
        owner = _browser(app, login, owner_account(name, login_name))
        page = text(owner.get(base))
        assert "not a vote of the owners’ assembly" in page and "No verification code is needed" in page
        assert owner.post(base + "/answers", data={"q1": choice, "q2": f"{name}的意见"}).status_code == 302
    assert count(SurveyResponse) == 3
    results = text(_browser(app, login, committee).get(base + "/results"))
    assert "Owners who answered 3" in results
    assert "地库 2 248.55" in results  # 王伟's 178.50 m² and 李娜's group's 70.05 m²


def test_a_refused_answer_shows_the_page_again_with_what_was_typed(app, login, clock, estate, committee,
                                                                    owner_account):
    survey = _write(_browser(app, login, committee), estate)
    owner = _browser(app, login, owner_account("王伟", "wang"))
    response = owner.post(f"/estates/{estate.id}/surveys/{survey.id}/answers", data={"q2": "还没想好"})
    assert response.status_code == 400
    assert "Answer the question “装在哪里？”" in text(response) and "还没想好" in response.get_data(as_text=True)
    assert count(SurveyResponse) == 0


def test_anonymous_no_page_or_file_shows_who_answered_what(app, login, clock, estate, committee, owner_account):
    survey = _write(_browser(app, login, committee), estate)
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    owner = _browser(app, login, owner_account("王伟", "wang"))
    owner.post(base + "/answers", data={"q1": "2", "q2": "王伟不想装"})
    staff = _browser(app, login, committee)
    shown = [staff.get(base + path).get_data(as_text=True) for path in ("", "/results", "/results.csv")]
    shown.append(" ".join(str(cell.value) for row in load_workbook(io.BytesIO(staff.get(base + "/results.xlsx").data))
                          .active.iter_rows() for cell in row))
    for content in shown:
        assert "1-101" not in content and "1-102" not in content and "王伟 " not in content.replace("王伟不想装", "")
    assert "王伟不想装" in shown[1]  # the text itself is listed, without a name


def test_not_anonymous_the_committee_sees_each_units_answers(app, login, clock, estate, committee, owner_account):
    survey = _write(_browser(app, login, committee), estate, anonymous=False)
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    _browser(app, login, owner_account("王伟", "wang")).post(base + "/answers", data={"q1": "1"})
    assert "1-101、1-102 : 1. 地面" in text(_browser(app, login, committee).get(base + "/results"))


def test_a_draft_is_the_committees_only(app, login, clock, estate, committee, owner_account):
    client = _browser(app, login, committee)
    client.post(f"/estates/{estate.id}/surveys", data={"title": "草稿", "opens_at": "2026-05-10T09:00",
                                                       "closes_at": "2026-05-20T20:00"})
    survey = db.session.scalar(select(Survey))
    owner = _browser(app, login, owner_account("王伟", "wang"))
    assert owner.get(f"/estates/{estate.id}/surveys/{survey.id}").status_code == 404
    assert client.get(f"/estates/{estate.id}/surveys/{survey.id}").status_code == 200


def test_a_survey_that_closes_before_it_opens_is_refused_with_what_was_typed(app, login, clock, estate, committee):
    response = _browser(app, login, committee).post(f"/estates/{estate.id}/surveys", data={
        "title": "倒着的调查", "opens_at": "2026-05-20T09:00", "closes_at": "2026-05-10T20:00"})
    assert response.status_code == 400
    assert "The survey must close after it opens." in text(response) and "倒着的调查" in response.get_data(as_text=True)
    assert count(Survey) == 0


def test_csv_totals_by_heads_and_area(app, login, clock, estate, committee, owner_account):
    survey = _write(_browser(app, login, committee), estate)
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    _browser(app, login, owner_account("王伟", "wang")).post(base + "/answers", data={"q1": "0"})
    content = _browser(app, login, committee).get(base + "/results.csv").data.decode("utf-8-sig")
    assert "q1 装在哪里？,地库,1,178.50" in content
    assert "Owners in scope,,15," in content


def test_other_estates_surveys_answer_404(app, login, clock, estate, other_estate, committee, make_user):
    survey = _write(_browser(app, login, committee), estate)
    from tests.surveys.conftest import owner_named

    stranger = _browser(app, login, make_user(owner=owner_named(other_estate, "钱进"), login="qian"))
    for path in ("", "/results", "/results.csv"):
        assert stranger.get(f"/estates/{estate.id}/surveys/{survey.id}{path}").status_code == 404
    assert stranger.get(f"/estates/{other_estate.id}/surveys/{survey.id}").status_code == 404
    assert dt.date(2026, 5, 10)  # the clock of the fixture


def test_a_draft_s_questions_are_corrected_and_deleted_and_a_draft_deleted(app, login, clock, estate, committee,
                                                                          owner_account):
    """Until it is published the committee corrects a question (a refused change keeps what was
    typed and changes nothing), deletes one (the next moves up: q2 becomes q1) or the whole draft;
    once published, its questions are fixed (R-72's survey is what the owners answered)."""
    from governance_app.audit.models import AuditEvent
    from governance_app.surveys.models import SurveyQuestion

    writer = _browser(app, login, committee)
    assert writer.post(f"/estates/{estate.id}/surveys", data={
        "title": "绿化", "description": "", "opens_at": "2026-05-10T09:00", "closes_at": "2026-05-20T20:00"}
                       ).status_code == 302
    survey = db.session.scalar(select(Survey).order_by(Survey.id.desc()))
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    for question in ({"kind": "single", "text": "种什么树？", "options": "桂花\n香樟"}, {"kind": "text", "text": "其他意见"}):
        assert writer.post(base + "/questions", data=question).status_code == 302
    page = writer.get(base + "/questions/1/edit")
    assert page.status_code == 200 and "桂花\n香樟" in page.get_data(as_text=True)
    refused = writer.post(base + "/questions/1/edit", data={"kind": "single", "text": "种哪种树？", "options": "桂花"})
    assert refused.status_code == 400 and "种哪种树？" in refused.get_data(as_text=True)  # one option only
    db.session.rollback()
    assert db.session.get(SurveyQuestion, survey.questions[0].id).text == "种什么树？"
    changed = writer.post(base + "/questions/1/edit", data={
        "kind": "multiple", "text": "种哪些树？", "options": "桂花\n香樟\n银杏", "max_choices": "2"})
    assert changed.status_code == 302, text(changed)
    db.session.rollback()
    first = survey.questions[0]
    assert (first.kind, first.text, first.options, first.max_choices) == ("multiple", "种哪些树？", ["桂花", "香樟", "银杏"], 2)
    assert writer.post(base + "/questions/1/delete").status_code == 302
    db.session.rollback()
    assert [(q.key, q.text) for q in survey.questions] == [("q1", "其他意见")]
    owner = _browser(app, login, owner_account("王伟", "wang"))
    assert owner.get(base + "/questions/1/edit").status_code == 404
    assert owner.post(base + "/delete").status_code == 404
    actions = [event.action for event in db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "survey", AuditEvent.object_id == str(survey.id)).order_by(AuditEvent.id))]
    assert actions[-2:] == ["survey.question_changed", "survey.question_deleted"]

    published = _write(writer, estate)
    fixed = f"/estates/{estate.id}/surveys/{published.id}"
    assert writer.get(fixed + "/questions/1/edit").status_code == 404
    assert writer.post(fixed + "/questions/1/delete").status_code == 404
    kept = writer.post(fixed + "/delete")
    assert kept.status_code in (302, 303) and kept.location.endswith(fixed)
    assert db.session.get(Survey, published.id) is not None

    survey_id, published_questions = survey.id, len(published.questions)
    assert writer.post(base + "/delete").location.endswith(f"/estates/{estate.id}/surveys")
    db.session.rollback()
    assert db.session.get(Survey, survey_id) is None and count(SurveyQuestion) == published_questions
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "survey.deleted")).details == \
        {"title": "绿化", "questions": 1}
