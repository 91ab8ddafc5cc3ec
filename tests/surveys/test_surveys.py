"""Opinion surveys: one answer per owner key (R-15), changes until the close, anonymity, results
and their export; no vote of the assembly (R-72)."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.audit.models import AuditEvent
from governance_app.extensions import db
from governance_app.surveys import rules, services
from governance_app.surveys.models import SurveyError, SurveyResponse
from tests.conftest import count
from tests.surveys.conftest import as_user, local, owner_named


def make_survey(estate, committee, *, anonymous=True, buildings=None, days=7):
    today = platform_clock.today()
    survey = services.create_survey(estate, title="电动车充电桩", description="在哪里装充电桩？",
                                    opens_at=local(today), closes_at=local(today + dt.timedelta(days=days)),
                                    buildings=buildings, anonymous=anonymous, actor=committee)
    services.add_question(survey, kind=rules.SINGLE, text="装在哪里？", options=["地库", "地面", "不装"],
                          max_choices=1, actor=committee)
    services.add_question(survey, kind=rules.MULTIPLE, text="哪些时段？", options=["白天", "夜间", "周末"],
                          max_choices=2, actor=committee)
    services.add_question(survey, kind=rules.SCALED, text="有多需要？", options=[], max_choices=1, actor=committee)
    services.add_question(survey, kind=rules.TEXT, text="其他意见", options=[], max_choices=1, actor=committee)
    services.publish_survey(survey, committee)
    db.session.commit()
    return survey


def answer(survey, owner, sent, key=None):
    standing = services.standing_for(as_user(owner), survey.estate, survey.buildings, key)
    services.answer_survey(survey, standing, services.read_answers(survey, sent), as_user(owner))
    db.session.commit()


SENT = {"q1": ["0"], "q2": ["0", "1"], "q3": ["4"], "q4": ["夜里充电更便宜"]}


def test_r15_an_owner_of_two_units_answers_once_with_both_areas(clock, estate, committee):
    wang = owner_named(estate, "王伟")
    [standing] = services.standings(as_user(wang), estate)
    assert standing.units == ("1-101", "1-102") and standing.area == 8850 + 9000
    survey = make_survey(estate, committee)
    answer(survey, wang, SENT)
    answer(survey, wang, {**SENT, "q1": ["1"]})
    assert count(SurveyResponse) == 1
    result = services.results(survey).questions[0]
    assert [(o.heads, o.area) for o in result.options] == [(0, 0), (1, 17850), (0, 0)]


def test_r15_r03_a_co_owned_unit_is_answered_by_its_representative_only(clock, estate, committee):
    survey = make_survey(estate, committee)
    assert services.standings(as_user(owner_named(estate, "张强")), estate) == []
    with pytest.raises(SurveyError) as refused:
        answer(survey, owner_named(estate, "张强"), SENT)
    assert refused.value.reason == "not_in_scope"
    answer(survey, owner_named(estate, "李娜"), SENT)
    assert db.session.scalar(select(SurveyResponse.area)) == 7005


def test_r15_the_developer_answers_once_for_all_the_units_it_holds(clock, estate, committee):
    developer = owner_named(estate, "上海某置业有限公司")
    [standing] = services.standings(as_user(developer), estate)
    assert standing.key == "developer" and standing.units == ("2-202", "2-203") and standing.area == 22000
    survey = make_survey(estate, committee)
    answer(survey, developer, SENT)
    answer(survey, developer, SENT)
    assert count(SurveyResponse) == 1
    assert services.results(survey).respondents == 1


def test_heads_and_area_across_owners(clock, estate, committee):
    survey = make_survey(estate, committee)
    answer(survey, owner_named(estate, "王伟"), SENT)
    answer(survey, owner_named(estate, "业主1"), {**SENT, "q2": ["1"], "q3": ["2"], "q4": [""]})
    counted = services.results(survey)
    single, several, scale, free = counted.questions
    assert (single.heads, single.area) == (2, 17850 + 6000)
    assert [(o.heads, o.area) for o in several.options] == [(1, 17850), (2, 23850), (0, 0)]
    assert scale.scale == (0, 1, 0, 1, 0) and scale.score.tenths == 30
    assert free.texts == ("夜里充电更便宜",) and free.heads == 1
    assert (counted.heads, counted.respondents) == (15, 2)  # 王伟, 李娜's group, the developer, 12 owners


def test_an_answer_can_change_until_the_close_and_not_after(clock, estate, committee):
    survey = make_survey(estate, committee, days=2)
    wang = owner_named(estate, "王伟")
    answer(survey, wang, SENT)
    clock.advance(days=1)
    answer(survey, wang, {**SENT, "q1": ["2"]})
    assert services.results(survey).questions[0].options[2].heads == 1
    clock.advance(days=1)
    with pytest.raises(SurveyError) as refused:
        answer(survey, wang, SENT)
    assert refused.value.reason == "not_open"
    assert services.results(survey).questions[0].options[2].heads == 1


def test_a_survey_of_some_buildings_counts_only_their_owners(clock, estate, committee):
    survey = make_survey(estate, committee, buildings=["1"])
    with pytest.raises(SurveyError):
        answer(survey, owner_named(estate, "业主1"), SENT)
    answer(survey, owner_named(estate, "王伟"), SENT)
    assert (services.results(survey).heads, services.results(survey).area) == (1, 17850)


def test_a_refused_answer_changes_nothing(clock, estate, committee):
    survey = make_survey(estate, committee)
    wang = owner_named(estate, "王伟")
    answer(survey, wang, SENT)
    for sent, reason in (({**SENT, "q1": []}, "unanswered"), ({**SENT, "q2": ["0", "1", "2"]}, "too_many_choices"),
                         ({**SENT, "q3": ["7"]}, "not_on_scale")):
        with pytest.raises(SurveyError) as refused:
            answer(survey, wang, sent)
        assert refused.value.reason == reason
        db.session.rollback()
    assert db.session.scalar(select(SurveyResponse.answers)) == {"q1": 0, "q2": [0, 1], "q3": 4, "q4": "夜里充电更便宜"}


def test_questions_are_fixed_once_published(clock, estate, committee):
    survey = make_survey(estate, committee)
    with pytest.raises(SurveyError) as refused:
        services.add_question(survey, kind=rules.TEXT, text="还有吗", options=[], max_choices=1, actor=committee)
    assert refused.value.reason == "already_published"


def test_anonymous_responses_keep_no_units_and_the_log_keeps_no_answer(clock, estate, committee):
    survey = make_survey(estate, committee)
    answer(survey, owner_named(estate, "王伟"), SENT)
    response = db.session.scalar(select(SurveyResponse))
    assert response.units is None and len(response.respondent) == 64
    assert f"o{owner_named(estate, '王伟').id}" not in response.respondent
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.answered")).all()
    assert len(events) == 1 and events[0].details == {}


def test_a_survey_started_from_another_object_is_found_from_it(clock, estate, committee):
    today = platform_clock.today()
    survey = services.create_survey(estate, title="测支持度", description="", opens_at=local(today),
                                    closes_at=local(today + dt.timedelta(days=3)), buildings=None, anonymous=True,
                                    actor=committee, origin=("proposal", 42))
    db.session.commit()
    assert services.surveys_from("proposal", 42) == [survey]
    assert services.surveys_from("proposal", 43) == []


def test_export_files_hold_totals_only(clock, estate, committee):
    survey = make_survey(estate, committee)
    answer(survey, owner_named(estate, "王伟"), SENT)
    from governance_app.surveys import export

    rows = [["装在哪里？", "地库", 1, export.area_decimal(17850)], ["=cmd", "+1", None, None]]
    text = export.table_csv(rows).decode("utf-8-sig")
    assert "178.50" in text and "'=cmd" in text and "'+1" in text
    sheet = load_workbook(io.BytesIO(export.table_xlsx(rows, "Survey"))).active
    assert sheet["A2"].value == "=cmd" and sheet["A2"].data_type == "s"
