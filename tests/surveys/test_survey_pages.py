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
