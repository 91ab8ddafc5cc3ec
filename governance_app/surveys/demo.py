"""Demo records of issue 20: a company for each demo estate with a year of owners' ratings (one
does well, one middling, one below 3.0 for the last two quarters, so that the sub-district's
ranking shows both flags' reasons), and an open survey about e-bike charging in the first estate.

Invented, seeded and idempotent: a second load changes nothing.
"""
from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select

from ..core import clock
from ..estates import rules as roll_rules
from ..estates.models import Estate
from ..estates.services import current_roll_units
from ..extensions import db
from . import rules, services
from .models import ServiceRating, Survey, SurveyResponse

# (company, average overall score per closed quarter, oldest first, then the current one)
COMPANIES = (
    ("绿城物业服务集团", (4.5, 4.6, 4.4, 4.6, 4.5)),
    ("万科物业", (3.8, 3.6, 3.5, 3.7, 3.6)),
    ("永升物业", (3.4, 3.1, 2.7, 2.6, 2.8)),
)
SHARE_RATING = 0.3  # of the owner keys, each quarter


def load(estates: list[Estate], actor, visitor=None) -> None:
    """``visitor``: the demo owner's account, whose key is left unanswered and unrated."""
    for estate, (name, averages) in zip(estates, COMPANIES):
        if services.companies(estate):
            continue
        today = clock.today()
        company = services.record_company(estate, name=name, contract_start=dt.date(today.year - 2, 1, 1),
                                          contract_end=dt.date(today.year + 2, 12, 31), contract_version_id=None,
                                          actor=actor)
        _ratings(company, averages, random.Random(f"ratings:{estate.name}"), _visitor_key(visitor))
    _survey(estates[0], actor, _visitor_key(visitor))


def _visitor_key(visitor) -> str | None:
    return f"o{visitor.owner_id}" if visitor is not None and visitor.owner_id else None


def _voters(estate: Estate, leave: str | None) -> list[roll_rules.Voter]:
    return [voter for voter in roll_rules.count_roll(current_roll_units(estate)).voters
            if voter.representative != leave]


def _buildings(estate: Estate) -> dict[str, str]:
    return {unit.label: unit.building for unit in current_roll_units(estate)}


def _score(rng: random.Random, average: float) -> int:
    return max(1, min(5, round(rng.gauss(average, 0.7))))


def _ratings(company, averages: tuple[float, ...], rng: random.Random, leave: str | None) -> None:
    months = services.period_months()
    periods = rules.closed_periods(clock.today(), months, len(averages) - 1) + [services.current_period()]
    voters, building_of = _voters(company.estate, leave), _buildings(company.estate)
    for period, average in zip(periods, averages):
        for voter in rng.sample(voters, max(rules.MIN_RATERS, int(len(voters) * SHARE_RATING))):
            scores = {name: _score(rng, average) for name in rules.DIMENSIONS}
            db.session.add(ServiceRating(
                estate_id=company.estate_id, company_id=company.id, period_start=period,
                respondent=services.respondent(services.rating_scope(company, period), voter.key),
                buildings=sorted({building_of[unit] for unit in voter.units}), overall=_score(rng, average),
                comment=rng.choice(("", "", "", "保洁及时", "希望加强夜间巡逻", "报修响应慢")),
                rated_at=clock.now(), **scores))
    db.session.flush()


def _survey(estate: Estate, actor, leave: str | None) -> None:
    if db.session.scalar(select(Survey.id).where(Survey.estate_id == estate.id).limit(1)):
        return
    moment = clock.now()
    survey = services.create_survey(estate, title="电动车充电桩安装意见", description="小区计划为电动自行车安装充电桩，请告诉我们您的意见。",
                                    opens_at=moment - dt.timedelta(days=2), closes_at=moment + dt.timedelta(days=12),
                                    buildings=None, anonymous=True, actor=actor)
    services.add_question(survey, kind=rules.SINGLE, text="充电桩装在哪里？", options=["地下车库", "地面非机动车棚", "不装"],
                          max_choices=1, actor=actor)
    services.add_question(survey, kind=rules.MULTIPLE, text="您希望哪些时段可以充电？", options=["白天", "夜间", "周末"],
                          max_choices=2, actor=actor)
    services.add_question(survey, kind=rules.SCALED, text="您家对充电桩的需要有多迫切？", options=[], max_choices=1,
                          actor=actor)
    services.add_question(survey, kind=rules.TEXT, text="其他意见", options=[], max_choices=1, actor=actor)
    services.publish_survey(survey, actor)
    rng = random.Random("survey:e-bike")
    # A third of the owners have answered; the demo owner's key is left for the visitor.
    for voter in _voters(estate, leave)[::3]:
        db.session.add(SurveyResponse(
            survey_id=survey.id, estate_id=estate.id, respondent=services.respondent(f"survey:{survey.id}", voter.key),
            area=voter.area, buildings=[], units=None, answered_at=moment, answers={
                "q1": rng.choice((0, 0, 1, 2)), "q2": sorted(rng.sample((0, 1, 2), rng.choice((1, 2)))),
                "q3": rng.choice((2, 3, 4, 5, 5)), "q4": rng.choice(("", "", "注意消防安全", "费用要公开"))}))
    db.session.flush()
