"""The owners' rating of the property-service company: one rating per owner key and period
(R-15), too few ratings below 10 raters (R-72), the flags at their boundaries, the sub-district's
ranking and its files, and a period published as a notice with a PDF."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.disclosure.models import Notice, NoticeAttachment
from governance_app.documents.models import DocumentKind, DocumentRecord
from governance_app.extensions import db
from governance_app.surveys import rules, services
from governance_app.surveys.models import ServiceRating, SurveyError
from tests.conftest import count
from tests.disclosure.support import pages, text
from tests.documents.support import assert_cjk_font_embedded, flat, pdf_text
from tests.surveys.conftest import as_user, owner_named

ALL_FOUR = {name: 4 for name in rules.SCORES}


def company_of(estate, actor=None, name="绿城物业"):
    company = services.record_company(estate, name=name, contract_start=dt.date(2024, 1, 1),
                                      contract_end=dt.date(2028, 12, 31), contract_version_id=None, actor=actor)
    db.session.commit()
    return company


def rate(company, owner, scores=None, comment=""):
    standing = services.standing_for(as_user(owner), company.estate, None, None)
    services.rate(company, standing, scores or ALL_FOUR, comment, as_user(owner))
    db.session.commit()


def seed(company, period: dt.date, overalls: list[int], building="3"):
    """Ratings of one period straight into the table (one per made-up key): for the rankings."""
    start = count(ServiceRating)
    for index, overall in enumerate(overalls, start=start):
        db.session.add(ServiceRating(estate_id=company.estate_id, company_id=company.id, period_start=period,
                                     respondent=f"seed-{company.id}-{period}-{index}", buildings=[building],
                                     cleaning=overall, security=overall, greenery=overall, repairs=overall,
                                     complaints=overall, fees=overall, overall=overall, comment="",
                                     rated_at=platform_clock.now()))
    db.session.commit()


def _browser(app, login, user):
    client = pages(app, "en")
    login(user, client=client)
    return client


def test_r15_one_rating_per_owner_key_changeable_until_the_period_ends(clock, estate, committee):
    company = company_of(estate, committee)
    wang, developer = owner_named(estate, "王伟"), owner_named(estate, "上海某置业有限公司")
    rate(company, wang)
    rate(company, wang, {**ALL_FOUR, "overall": 2}, "保安很少巡逻")
    rate(company, developer)
    rate(company, developer)
    assert count(ServiceRating) == 2
    assert sorted(db.session.scalars(select(ServiceRating.overall))) == [2, 4]
    with pytest.raises(SurveyError):
        rate(company, owner_named(estate, "张强"))  # co-owner, not the representative
    clock.set(2026, 7, 1, hour=9)  # a new quarter: a new rating, the last one is kept as it was
    rate(company, wang)
    assert count(ServiceRating) == 3
    assert services.period_scores(company, dt.date(2026, 4, 1)).scores["overall"] == rules.Score(6, 2)


@pytest.mark.parametrize("raters, shown", [(9, False), (10, True)])
def test_r72_scores_of_9_raters_are_too_few_and_of_10_are_shown(app, login, clock, estate, committee, raters,
                                                                 shown, owner_account):
    company = company_of(estate, committee)
    for n in range(1, raters + 1):
        rate(company, owner_named(estate, f"业主{n}"), {**ALL_FOUR, "cleaning": 3}, f"意见{n}")
    page = text(_browser(app, login, owner_account("王伟", "wang")).get(f"/estates/{estate.id}/service"))
    assert f"Owners who rated {raters}" in page and f"Share of the owners {round(raters * 100 / 15)}%" in page
    assert ("Cleaning 3.0" in page) is shown and ("Cleaning too few ratings" in page) is not shown
    assert ("3 4.0 (10)" in page) is shown  # building 3
    assert ("意见1" in page) is shown  # comments only from enough raters, without names


def test_the_charts_are_svg_with_text_of_12_px_or_more(app, login, clock, estate, committee):
    company = company_of(estate, committee)
    seed(company, dt.date(2026, 1, 1), [2] * 10)
    client = _browser(app, login, committee)
    assert client.get(f"/estates/{estate.id}/service").get_data(as_text=True).count("<svg") == 2  # none by building yet
    page = client.get(f"/estates/{estate.id}/service?period=2026-01-01").get_data(as_text=True)
    assert page.count("<svg") == 3 and "Building 3" in page and 'role="img"' in page and 'font-size="13"' in page
    assert "2.0" in page and "too few ratings" in page  # the last quarter, and the current one


def _period_pair(previous: int, last: int):
    return {dt.date(2026, 1, 1): last, dt.date(2025, 10, 1): previous}


@pytest.mark.parametrize("first, second, warned", [(29, 29, True), (29, 30, False), (30, 29, False),
                                                   (20, 29, True)])
def test_a_warning_after_two_quarters_in_a_row_below_three(clock, estate, first, second, warned):
    """Overall sums of 10 raters: 29 is 2.9 (below 3.0), 30 is 3.0 (not below)."""
    company = company_of(estate)
    for period, total in ((dt.date(2025, 10, 1), first), (dt.date(2026, 1, 1), second)):
        overalls = [3] * 10
        for index in range(30 - total):
            overalls[index] -= 1
        seed(company, period, overalls)
    _periods, [row] = services.ranking([estate])
    assert row.warning is warned


def test_nine_raters_break_a_run_below_three(clock, estate):
    company = company_of(estate)
    seed(company, dt.date(2025, 10, 1), [2] * 10)
    seed(company, dt.date(2026, 1, 1), [2] * 9)
    _periods, [row] = services.ranking([estate])
    assert not row.warning and row.position is None


def _three_estates(make_estate):
    from governance_app.estates import services as estate_services
    from tests.conftest import owner_row, roll_csv

    made = []
    for name in ("桃园小区", "李园小区"):
        estate = make_estate(name)
        estate_services.import_roll(estate, roll_csv([owner_row("1", "1-101", "80", f"{name}业主",
                                                                f"31010119700101{len(made):04d}")]), "roll.csv")
        made.append(estate)
    db.session.commit()
    return made


def test_recognition_after_a_year_in_the_top_tenth_and_the_ranking_shares_ties(clock, estate, make_estate):
    peach, plum = _three_estates(make_estate)
    best, tied, other = company_of(estate, name="甲物业"), company_of(peach, name="乙物业"), company_of(plum, name="丙物业")
    for period in (dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1), dt.date(2026, 1, 1)):
        seed(best, period, [5] * 10)
        seed(tied, period, [4] * 10)
        seed(other, period, [4] * 20)
    periods, rows = services.ranking([estate, peach, plum])
    assert periods[-1] == dt.date(2026, 1, 1)
    assert [(row.company.name, row.position, row.recognition) for row in rows] == [
        ("甲物业", 1, True), ("丙物业", 2, False), ("乙物业", 2, False)]  # equal scores share rank 2


def test_no_recognition_when_one_quarter_of_the_year_was_not_the_best(clock, estate, make_estate):
    peach, _plum = _three_estates(make_estate)
    best, rival = company_of(estate, name="甲物业"), company_of(peach, name="乙物业")
    for period in (dt.date(2025, 4, 1), dt.date(2025, 7, 1), dt.date(2025, 10, 1), dt.date(2026, 1, 1)):
        seed(best, period, [5] * 10)
        seed(rival, period, [5 if period == dt.date(2025, 7, 1) else 3] * 10)
    _periods, rows = services.ranking([estate, peach])
    assert [(row.company.name, row.recognition) for row in rows] == [("甲物业", True), ("乙物业", False)]
    seed(rival, dt.date(2025, 7, 1), [5] * 1)  # 5.0 still: a tie at the top keeps both in the top tenth
    assert services.ranking([estate, peach])[1][0].recognition


def test_the_supervisor_sees_the_ranking_across_estates_and_its_files(app, login, clock, estate, make_estate,
                                                                      make_user):
    peach, _plum = _three_estates(make_estate)
    low, high = company_of(estate, name="甲物业"), company_of(peach, name="乙物业")
    for period in (dt.date(2025, 10, 1), dt.date(2026, 1, 1)):
        seed(low, period, [2] * 10)
        seed(high, period, [5] * 10)
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="sup")
    client = _browser(app, login, supervisor)
    page = text(client.get("/supervision/service"))
    assert page.index("No. 1 · 乙物业") < page.index("No. 2 · 甲物业")
    assert "Flagged for a warning (公示警告)" in page
    csv_text = client.get("/supervision/service.csv").data.decode("utf-8-sig")
    assert "1,乙物业,桃园小区,10,,,,,5.0,5.0" in csv_text and "2,甲物业,梅园小区,10,yes,,,,2.0,2.0" in csv_text
    sheet = load_workbook(io.BytesIO(client.get("/supervision/service.xlsx").data)).active
    assert [sheet["B2"].value, sheet["B3"].value] == ["乙物业", "甲物业"]


def test_the_ranking_is_for_supervising_staff_only(app, login, clock, estate, committee, owner_account):
    for user in (committee, owner_account("王伟", "wang")):
        assert _browser(app, login, user).get("/supervision/service").status_code == 404


def test_the_committee_publishes_a_quarter_as_a_notice_with_a_pdf(app, login, clock, estate, committee):
    company = company_of(estate, committee)
    seed(company, dt.date(2026, 1, 1), [4] * 9 + [5])
    client = _browser(app, login, committee)
    response = client.post(f"/estates/{estate.id}/service/publish", data={"period": "2026-01-01"})
    notice = db.session.scalar(select(Notice))
    assert response.status_code == 302 and notice is not None
    assert notice.title == "绿城物业：业主评价，2026年第1季度"
    assert count(NoticeAttachment) == 1
    record = db.session.scalar(select(DocumentRecord))
    assert record.kind == DocumentKind.SERVICE_RATING and record.object_type == "rating_publication"
    from governance_app.documents import services as documents

    assert documents.check(record.number).status == documents.Status.CURRENT  # the check page rebuilds it
    checked = text(client.get(f"/documents/check?number={record.number}"))
    assert "Owners' rating of the property-service company" in checked and "Genuine and current" in checked
    attachment = db.session.scalar(select(NoticeAttachment))
    content = client.get(f"/estates/{estate.id}/notices/{notice.id}/attachments/{attachment.id}").data
    assert_cjk_font_embedded(content)
    shown = flat(pdf_text(content))
    assert "梅园小区：物业服务业主评价结果" in shown and record.number in shown
    assert "总体评价 4.1" in shown and "参与评价的业主 10" in shown
    again = client.post(f"/estates/{estate.id}/service/publish", data={"period": "2026-01-01"})
    assert again.status_code == 303 and count(Notice) == 1  # refused: published once only
    assert client.post(f"/estates/{estate.id}/service/publish", data={"period": "2026-04-01"}).status_code == 400


def test_the_company_with_its_contract_from_the_estates_documents(app, login, clock, estate, committee):
    client = _browser(app, login, committee)
    response = client.post(f"/estates/{estate.id}/service/company", data={
        "name": "绿城物业", "contract_start": "2026-01-01", "contract_end": "2025-12-31"})
    assert response.status_code == 400 and services.companies(estate) == []
    assert "The contract must end after it starts." in text(response) and 'value="绿城物业"' in response.get_data(
        as_text=True)
    response = client.post(f"/estates/{estate.id}/service/company", data={
        "name": "绿城物业", "contract_start": "2026-01-01", "contract_end": "2028-12-31"})
    assert response.status_code == 302
    assert services.current_company(estate).name == "绿城物业"


def test_rating_before_a_company_is_recorded_leads_back_to_the_estates_scores(app, login, clock, estate,
                                                                              owner_account):
    owner = _browser(app, login, owner_account("王伟", "wang"))
    response = owner.get(f"/estates/{estate.id}/service/rate")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/estates/{estate.id}/service")
    assert "has not recorded its property-service company" in text(owner.get(f"/estates/{estate.id}/service"))
