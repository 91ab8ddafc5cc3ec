"""Use cases of surveys and ratings: write, answer, count; record the company, rate, rank, publish.

Nothing here decides anything for the estate (R-72): no threshold of R-10 is applied. Answers
and ratings are one per owner key (R-15), found from the current roll as the voting package
finds a voter: every unit the developer holds is one key, one buyer's several units are one
key, a co-owned unit is answered by its representative.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit.services import created, record
from ..core import clock
from ..disclosure.models import DocumentKind, DocumentVersion, EstateDocument
from ..estates import rules as roll_rules
from ..estates.models import Building, Estate
from ..estates.services import current_roll_units
from ..extensions import db, remove_positioned
from . import rules
from .models import RatingPublication, ServiceCompany, ServiceRating, Survey, SurveyError, SurveyQuestion, \
    SurveyResponse
from .rules import Question, Score


# --- who answers: owner keys (R-15) -----------------------------------------------------------------

@dataclass(frozen=True)
class Standing:
    """An owner key the user answers for, in some scope: its units, summed area and buildings."""

    key: str
    units: tuple[str, ...]
    area: int
    buildings: tuple[str, ...]


def standings(user, estate: Estate, buildings: Sequence[str] | None = None) -> list[Standing]:
    """The owner keys whose single answer this user gives (R-15): those of the units the user's
    owner holds alone, or co-holds as the representative (R-03), and the developer's key if the
    user's owner is the developer's holding company. Only units in ``buildings`` count (R-04)."""
    if user is None or getattr(user, "owner", None) is None or user.owner.estate_id != estate.id:
        return []
    units = current_roll_units(estate)
    building_of = {unit.label: unit.building for unit in units}
    roll = roll_rules.count_roll(units, buildings)
    mine = f"o{user.owner_id}"
    return [Standing(voter.key, voter.units, voter.area, tuple(sorted({building_of[u] for u in voter.units})))
            for voter in roll.voters if voter.representative == mine]


def standing_for(user, estate: Estate, buildings: Sequence[str] | None, key: str | None) -> Standing:
    """The standing the user chose (the first when they hold one only); refused when none."""
    found = standings(user, estate, buildings)
    if not found:
        raise SurveyError("not_in_scope")
    chosen = next((one for one in found if one.key == key), None) if key else found[0]
    if chosen is None:
        raise SurveyError("not_in_scope")
    return chosen


def roll_totals(estate: Estate, buildings: Sequence[str] | None = None) -> roll_rules.Roll:
    return roll_rules.count_roll(current_roll_units(estate), buildings)


def respondent(scope: str, key: str) -> str:
    """A keyed hash of the owner key within one survey or rating period: one answer per key,
    changeable, and no table that says which owner it is."""
    secret = current_app.config["ID_HASH_KEY"].encode()
    return hmac.new(secret, f"{scope}\n{key}".encode(), hashlib.sha256).hexdigest()


# --- surveys --------------------------------------------------------------------------------------------

DRAFT, UPCOMING, OPEN, CLOSED = "draft", "upcoming", "open", "closed"


def state(survey: Survey, moment: dt.datetime | None = None) -> str:
    moment = moment or clock.now()
    if not survey.published:
        return DRAFT
    if moment < clock.aware(survey.opens_at):
        return UPCOMING
    return OPEN if moment < clock.aware(survey.closes_at) else CLOSED


def estate_buildings(estate: Estate) -> list[str]:
    return list(db.session.scalars(select(Building.label).where(Building.estate_id == estate.id)
                                   .order_by(Building.label)))


def create_survey(estate: Estate, *, title: str, description: str, opens_at: dt.datetime, closes_at: dt.datetime,
                  buildings: Sequence[str] | None, anonymous: bool, actor, origin: tuple[str, int] | None = None
                  ) -> Survey:
    """A draft survey; ``origin`` optionally names the object it was started from (a proposal)."""
    if closes_at <= opens_at:
        raise SurveyError("closes_before_opening")
    chosen = sorted(set(buildings or ())) or None
    unknown = sorted(set(chosen or ()) - set(estate_buildings(estate)))
    if unknown:
        raise SurveyError("unknown_building", building=unknown[0])
    survey = Survey(estate_id=estate.id, title=title.strip(), description=description.strip(), buildings=chosen,
                    opens_at=opens_at, closes_at=closes_at, anonymous=anonymous,
                    origin_kind=origin[0] if origin else None, origin_id=origin[1] if origin else None,
                    created_by_id=actor.id, created_at=clock.now())
    return created(survey, "survey.created", object_type="survey",
                   details={"title": survey.title, "anonymous": anonymous, "buildings": chosen}, actor=actor)


def _checked_options(kind: str, options: Sequence[str], max_choices: int) -> list[str]:
    try:
        return list(rules.check_question(kind, options, max_choices))
    except rules.AnswerError as error:
        raise SurveyError(error.reason) from error


def add_question(survey: Survey, *, kind: str, text: str, options: Sequence[str], max_choices: int, actor
                 ) -> SurveyQuestion:
    survey.check_draft()
    cleaned = _checked_options(kind, options, max_choices)
    question = SurveyQuestion(survey=survey, position=len(survey.questions) + 1, kind=kind, text=text.strip(),
                              options=list(cleaned), max_choices=max_choices if kind == rules.MULTIPLE else 1)
    return created(question, "survey.question_added", estate_id=survey.estate_id, object_type="survey",
                   object_id=survey.id, details={"position": question.position, "kind": kind}, actor=actor)


def change_question(question: SurveyQuestion, *, kind: str, text: str, options: Sequence[str], max_choices: int,
                    actor) -> SurveyQuestion:
    """Correct a question of a draft survey (once published, its questions are fixed)."""
    survey = question.survey
    survey.check_draft()
    cleaned = _checked_options(kind, options, max_choices)
    question.kind, question.text, question.options = kind, text.strip(), cleaned
    question.max_choices = max_choices if kind == rules.MULTIPLE else 1
    db.session.flush()
    record("survey.question_changed", estate_id=survey.estate_id, object_type="survey", object_id=survey.id,
           details={"position": question.position, "kind": kind}, actor=actor)
    return question


def delete_question(question: SurveyQuestion, actor) -> None:
    """Delete a question of a draft survey; the ones after it move up (q3 becomes q2)."""
    survey = question.survey
    survey.check_draft()
    position, text = question.position, question.text
    remove_positioned(survey.questions, question)
    record("survey.question_deleted", estate_id=survey.estate_id, object_type="survey", object_id=survey.id,
           details={"position": position, "text": text}, actor=actor)


def delete_survey(survey: Survey, actor) -> None:
    """Delete a draft survey with its questions; a published one stays (owners may have answered)."""
    survey.check_draft()
    details = {"title": survey.title, "questions": len(survey.questions)}
    estate_id, survey_id = survey.estate_id, survey.id
    db.session.delete(survey)
    db.session.flush()
    record("survey.deleted", estate_id=estate_id, object_type="survey", object_id=survey_id, details=details,
           actor=actor)


def publish_survey(survey: Survey, actor) -> None:
    survey.publish(clock.now())
    record("survey.published", estate_id=survey.estate_id, object_type="survey", object_id=survey.id, actor=actor)


def rule_question(question: SurveyQuestion) -> Question:
    return Question(question.key, question.kind, tuple(question.options), question.max_choices)


def read_answers(survey: Survey, sent: Mapping[str, Sequence[str]]) -> dict:
    """The answers of a form (``sent``: question key -> values), checked; refused whole."""
    answers = {}
    for question in survey.questions:
        try:
            answers[question.key] = rules.read_answer(rule_question(question), sent.get(question.key, ()))
        except rules.AnswerError as error:
            raise SurveyError(error.reason, question=question.text) from error
    return answers


def existing_response(survey: Survey, standing: Standing) -> SurveyResponse | None:
    return db.session.scalar(select(SurveyResponse).where(
        SurveyResponse.survey_id == survey.id, SurveyResponse.respondent == respondent(f"survey:{survey.id}",
                                                                                       standing.key)))


def answer_survey(survey: Survey, standing: Standing, answers: dict, actor) -> SurveyResponse:
    """One owner key's answers (R-15): the first, or a change of it while the survey is open. No
    second factor: a survey decides nothing (R-72)."""
    if state(survey) != OPEN:
        raise SurveyError("not_open")
    found = existing_response(survey, standing)
    if found is None:
        found = SurveyResponse(survey_id=survey.id, estate_id=survey.estate_id,
                               respondent=respondent(f"survey:{survey.id}", standing.key))
        db.session.add(found)
    found.area, found.answers = standing.area, answers
    # Anonymous: nothing beyond the area the totals need (no units, no buildings).
    found.units = None if survey.anonymous else list(standing.units)
    found.buildings = [] if survey.anonymous else list(standing.buildings)
    found.answered_at = clock.now()
    db.session.flush()
    # Who took part is logged, never what they answered.
    record("survey.answered", estate_id=survey.estate_id, object_type="survey", object_id=survey.id, actor=actor)
    return found


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    questions: list[rules.QuestionResult]
    respondents: int
    heads: int  # owner keys in scope
    area: int
    named: list[tuple[tuple[str, ...], dict]]  # (units, answers) when not anonymous; empty otherwise


def results(survey: Survey) -> SurveyResults:
    responses = list(db.session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
                                        .order_by(SurveyResponse.id)))
    counted = [rules.tally(rule_question(q), [(r.area, r.answers.get(q.key)) for r in responses])
               for q in survey.questions]
    roll = roll_totals(survey.estate, survey.buildings)
    named = [] if survey.anonymous else sorted((tuple(r.units or ()), r.answers) for r in responses)
    return SurveyResults(survey, counted, len(responses), roll.total_heads, roll.total_area, named)


def surveys_of(estate: Estate, *, include_drafts: bool) -> list[Survey]:
    query = select(Survey).where(Survey.estate_id == estate.id)
    if not include_drafts:
        query = query.where(Survey.published_at.is_not(None))
    return list(db.session.scalars(query.order_by(Survey.opens_at.desc(), Survey.id.desc())))


def surveys_from(origin_kind: str, origin_id: int) -> list[Survey]:
    """The surveys started from an object (a proposal links to them)."""
    return list(db.session.scalars(select(Survey).where(Survey.origin_kind == origin_kind,
                                                        Survey.origin_id == origin_id).order_by(Survey.id)))


# --- the property-service company ---------------------------------------------------------------------

def period_months() -> int:
    return rules.check_period_months(current_app.config["RATING_PERIOD_MONTHS"])


def period_label(start: dt.date) -> str:
    """A quarter as "2026年第1季度"; other periods by their first and last month."""
    months = period_months()
    if months == 3:
        return _("%(year)s Q%(quarter)s", year=start.year, quarter=(start.month - 1) // 3 + 1)
    end = rules.period_end(start, months)
    return _("%(start)s to %(end)s", start=start.strftime("%Y-%m"), end=end.strftime("%Y-%m"))


def current_period(day: dt.date | None = None) -> dt.date:
    return rules.period_start(day or clock.today(), period_months())


def companies(estate: Estate) -> list[ServiceCompany]:
    return list(db.session.scalars(select(ServiceCompany).where(ServiceCompany.estate_id == estate.id)
                                   .order_by(ServiceCompany.contract_start.desc(), ServiceCompany.id.desc())))


def current_company(estate: Estate, day: dt.date | None = None) -> ServiceCompany | None:
    """The company whose contract covers ``day`` (the latest one starting, if contracts overlap)."""
    day = day or clock.today()
    return db.session.scalar(select(ServiceCompany).where(
        ServiceCompany.estate_id == estate.id, ServiceCompany.contract_start <= day,
        ServiceCompany.contract_end >= day).order_by(ServiceCompany.contract_start.desc(),
                                                     ServiceCompany.id.desc()).limit(1))


def record_company(estate: Estate, *, name: str, contract_start: dt.date, contract_end: dt.date,
                   contract_version_id: int | None, actor) -> ServiceCompany:
    if contract_end < contract_start:
        raise SurveyError("contract_ends_before_start")
    if contract_version_id is not None and contract_version_id not in dict(service_contracts(estate)):
        raise SurveyError("unknown_contract")
    company = ServiceCompany(estate_id=estate.id, name=name.strip(), contract_start=contract_start,
                             contract_end=contract_end, contract_version_id=contract_version_id,
                             recorded_by_id=actor.id if actor is not None else None, recorded_at=clock.now())
    return created(company, "service_company.recorded", object_type="service_company",
                   details={"name": company.name, "contract_start": contract_start.isoformat(),
                            "contract_end": contract_end.isoformat()}, actor=actor)


def service_contracts(estate: Estate) -> list[tuple[int, str]]:
    """The versions of the estate's service contracts (物业服务合同) among its documents."""
    return [(version_id, f"{title} ({adopted})") for version_id, title, adopted in db.session.execute(
        select(DocumentVersion.id, EstateDocument.title, DocumentVersion.adopted_on)
        .join(EstateDocument, DocumentVersion.document_id == EstateDocument.id)
        .where(EstateDocument.estate_id == estate.id, EstateDocument.kind == DocumentKind.SERVICE_CONTRACT)
        .order_by(DocumentVersion.id.desc()))]


def rating_scope(company: ServiceCompany, period: dt.date) -> str:
    return f"rating:{company.id}:{period.isoformat()}"


def my_rating(company: ServiceCompany, period: dt.date, standing: Standing) -> ServiceRating | None:
    return db.session.scalar(select(ServiceRating).where(
        ServiceRating.company_id == company.id, ServiceRating.period_start == period,
        ServiceRating.respondent == respondent(rating_scope(company, period), standing.key)))


def rate(company: ServiceCompany, standing: Standing, scores: Mapping[str, int], comment: str, actor
         ) -> ServiceRating:
    """One owner key's rating of the current period (R-15), changeable until the period ends."""
    if set(scores) != set(rules.SCORES) or any(scores[name] not in rules.SCALE for name in rules.SCORES):
        raise SurveyError("not_on_scale")
    period = current_period()
    if current_company(company.estate) is None or current_company(company.estate).id != company.id:
        raise SurveyError("not_current_company")
    found = my_rating(company, period, standing)
    if found is None:
        found = ServiceRating(estate_id=company.estate_id, company_id=company.id, period_start=period,
                              respondent=respondent(rating_scope(company, period), standing.key))
        db.session.add(found)
    for name in rules.SCORES:
        setattr(found, name, scores[name])
    found.buildings, found.comment, found.rated_at = list(standing.buildings), comment.strip(), clock.now()
    db.session.flush()
    record("service_company.rated", estate_id=company.estate_id, object_type="service_company",
           object_id=company.id, details={"period": period.isoformat()}, actor=actor)
    return found


@dataclass(frozen=True)
class PeriodScores:
    """A company's scores for one period: per dimension and overall, per building (overall)."""

    company: ServiceCompany
    period: dt.date
    scores: dict[str, Score]
    buildings: dict[str, Score]
    raters: int
    heads: int
    comments: tuple[str, ...]

    @property
    def share(self) -> int:
        return rules.share_percent(self.raters, self.heads)


def period_scores(company: ServiceCompany, period: dt.date, heads: int | None = None) -> PeriodScores:
    ratings = list(db.session.scalars(select(ServiceRating).where(
        ServiceRating.company_id == company.id, ServiceRating.period_start == period)))
    scores = {name: Score(sum(getattr(r, name) for r in ratings), len(ratings)) for name in rules.SCORES}
    by_building: dict[str, Score] = {}
    for rating in ratings:
        for building in rating.buildings:
            by_building[building] = by_building.get(building, Score(0, 0)) + Score(rating.overall, 1)
    if heads is None:
        heads = roll_totals(company.estate).total_heads
    # Comments are listed sorted, never in the order given, and only from enough raters.
    comments = tuple(sorted(r.comment for r in ratings if r.comment)) if rules.enough_raters(len(ratings)) else ()
    return PeriodScores(company, period, scores, dict(sorted(by_building.items())), len(ratings), heads, comments)


def overall_by_period(company_ids: Sequence[int], periods: Sequence[dt.date]) -> dict[tuple[int, dt.date], Score]:
    """The overall score of each company in each period: one grouped query."""
    if not company_ids or not periods:
        return {}
    rows = db.session.execute(
        select(ServiceRating.company_id, ServiceRating.period_start, func.sum(ServiceRating.overall),
               func.count(ServiceRating.id))
        .where(ServiceRating.company_id.in_(company_ids), ServiceRating.period_start.in_(periods))
        .group_by(ServiceRating.company_id, ServiceRating.period_start))
    return {(company_id, period): Score(int(total), int(raters)) for company_id, period, total, raters in rows}


def trend(company: ServiceCompany, count: int | None = None) -> list[tuple[dt.date, Score | None]]:
    """The overall score of the last periods (a year by default, with the current one), oldest first."""
    months = period_months()
    count = count or rules.periods_per_year(months)
    periods = rules.closed_periods(clock.today(), months, count - 1) + [current_period()]
    found = overall_by_period([company.id], periods)
    return [(period, found.get((company.id, period))) for period in periods]


@dataclass(frozen=True)
class RankedCompany:
    company: ServiceCompany
    estate: Estate
    latest: Score | None  # the last closed period
    position: int | None
    history: tuple[Score | None, ...]  # closed periods, oldest first
    warning: bool
    recognition: bool


def ranking(estates: Sequence[Estate], day: dt.date | None = None) -> tuple[list[dt.date], list[RankedCompany]]:
    """Every company of ``estates`` that served in the last year, ranked by the overall score of
    the last closed period (ties share a rank; too few raters: no rank, R-72), with its flags:
    a warning after two periods in a row below 3.0, recognition after a year in the top 10%."""
    months = period_months()
    per_year = rules.periods_per_year(months)
    periods = rules.closed_periods(day or clock.today(), months, max(per_year, rules.WARNING_PERIODS))
    first = periods[0]
    ids = [estate.id for estate in estates]
    found = list(db.session.scalars(select(ServiceCompany).where(
        ServiceCompany.estate_id.in_(ids), ServiceCompany.contract_end >= first))) if ids else []
    scores = overall_by_period([c.id for c in found], periods)
    positions = {period: rules.rank({str(c.id): scores[(c.id, period)] for c in found if (c.id, period) in scores})
                 for period in periods}
    entries = {period: len(ranked) for period, ranked in positions.items()}
    by_id = {estate.id: estate for estate in estates}
    rows = []
    for company in found:
        history = tuple(scores.get((company.id, period)) for period in periods)
        places = [(positions[p][str(company.id)], entries[p]) if str(company.id) in positions[p] else None
                  for p in periods]
        rows.append(RankedCompany(company, by_id[company.estate_id], history[-1], positions[periods[-1]].get(
            str(company.id)), history, rules.warning_due(history), rules.recognition_due(places, per_year)))
    rows.sort(key=lambda row: (row.position is None, row.position or 0, row.estate.name, row.company.name,
                               row.company.id))
    return periods, rows


def published_periods(company: ServiceCompany) -> dict[dt.date, RatingPublication]:
    return {p.period_start: p for p in db.session.scalars(select(RatingPublication).where(
        RatingPublication.company_id == company.id))}
