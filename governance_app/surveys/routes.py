"""Surveys, the property-service company's ratings, and the sub-district's ranking (R-72)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import can, child_or_404, load_or_404, visible_estates
from ..core import clock
from ..core.forms import ActionForm
from ..core.refusals import attempted, done, invalid, message as refusal_message, returning_to, saved
from ..documents.models import DocumentKind
from ..documents.services import register_current_source
from ..estates.models import Estate
from ..proposals import permissions as proposal_permissions
from ..proposals.models import Proposal
from ..extensions import db
from . import charts, duties, export, permissions, rules, services  # noqa: F401 (duties, permissions: registered)
from .forms import (
    CompanyForm, EditQuestionForm, PublishForm, QuestionForm, RatingForm, SurveyForm, answers_sent, company_values,
    question_values, rating_scores, survey_values,
)
from .messages import DIMENSION_TITLES, KIND_TITLES, STATE_TITLES
from .models import Survey, SurveyError
from .publish import publish_results

bp = Blueprint("surveys", __name__)
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _survey(estate, survey_id: int) -> Survey:
    """The estate's survey; a draft is its writers' only."""
    survey = child_or_404(Survey, survey_id, estate)
    if not survey.published and not can(current_user, "surveys.manage", estate):
        abort(404)
    return survey


def _download(table: list[list], fmt: str, name: str, sheet: str) -> Response:
    content = export.table_csv(table) if fmt == "csv" else export.table_xlsx(table, sheet)
    return Response(content, mimetype=FORMATS[fmt], headers={
        "Content-Disposition": f"attachment; filename={name}.{fmt}", "Cache-Control": "private, no-store"})


# --- surveys --------------------------------------------------------------------------------------------

@bp.record_once
def _register_rating_source(state) -> None:
    """Let the document check page rebuild a published rating to tell whether a copy is current."""
    from .publish import current_data

    register_current_source(DocumentKind.SERVICE_RATING, current_data)


@bp.route("/estates/<int:estate_id>/surveys", methods=["GET", "POST"])
@login_required
def surveys(estate_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.view")
    form, origin = _survey_form(estate)
    if form is not None and form.validate_on_submit():
        survey = attempted(lambda: services.create_survey(
            estate, actor=current_user, origin=("proposal", origin.id) if origin is not None else None,
            **survey_values(form)), SurveyError)
        if survey is not None:
            return done(_("The survey is created as a draft: add its questions."),
                        url_for(".survey", estate_id=estate.id, survey_id=survey.id))
    return _surveys_page(estate, form)


def _surveys_page(estate, form: SurveyForm | None):
    """The estate's surveys, with the committee's also its drafts; 400 for a form sent back."""
    found = services.surveys_of(estate, include_drafts=form is not None)
    return render_template("surveys/list.html", estate=estate, surveys=found, form=form, state=services.state,
                           state_titles=STATE_TITLES), \
        400 if form is not None and form.is_submitted() else 200


def _survey_form(estate) -> tuple[SurveyForm | None, Proposal | None]:
    """The committee's form (None for the readers), and the residents' proposal the survey is
    started from: on the first showing the form is filled in from it."""
    if not can(current_user, "surveys.manage", estate):
        return None, None
    form = SurveyForm()
    form.buildings.choices = [SelectChoice(label, label) for label in services.estate_buildings(estate)]
    origin = _origin_proposal(estate, form.proposal.data if form.is_submitted() else request.args.get("proposal"))
    if origin is not None and not form.is_submitted():
        form.proposal.data = str(origin.id)
        form.title.data = _("About the proposal “%(title)s”", title=origin.title)
        form.buildings.data = origin.buildings or []
    return form, origin


def _origin_proposal(estate, given: str | None):
    """The residents' proposal a survey is started from: one of this estate that the person may see
    (anything else is ignored, so an id cannot be probed)."""
    if not given or not str(given).isdigit():
        return None
    proposal = db.session.get(Proposal, int(given))
    if proposal is None or proposal.estate_id != estate.id or not proposal_permissions.can_see(current_user, proposal):
        return None
    return proposal


def _survey_page(estate, survey: Survey, *, typed: dict | None = None, error: str = "", status: int = 200):
    manage = can(current_user, "surveys.manage", estate)
    mine = services.standings(current_user, estate, survey.buildings) \
        if can(current_user, "surveys.answer", estate) else []
    chosen = next((one for one in mine if one.key == request.values.get("voter")), mine[0] if mine else None)
    existing = services.existing_response(survey, chosen) if chosen else None
    question_form = QuestionForm(formdata=None) if manage and not survey.published else None
    return render_template(
        "surveys/survey.html", estate=estate, survey=survey, state=services.state(survey),
        state_titles=STATE_TITLES, kind_titles=KIND_TITLES, manage=manage, standings=mine, chosen=chosen,
        existing=existing, answers=typed if typed is not None else _as_values(existing.answers if existing else {}),
        error=error, question_form=question_form, action_form=ActionForm()), status


def _as_values(answers: dict) -> dict[str, list[str]]:
    """Saved answers as the form sends them (lists of strings), to tick what was chosen."""
    return {key: [str(one) for one in value] if isinstance(value, list) else [str(value)]
            for key, value in answers.items()}


@bp.get("/estates/<int:estate_id>/surveys/<int:survey_id>")
@login_required
def survey(estate_id: int, survey_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.view")
    return _survey_page(estate, _survey(estate, survey_id))


@bp.post("/estates/<int:estate_id>/surveys/<int:survey_id>/questions")
@login_required
def add_question(estate_id: int, survey_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.manage")
    found = _survey(estate, survey_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return render_template("surveys/survey.html", **_question_page_context(estate, found, form)), 400
    services.add_question(found, actor=current_user, **question_values(form))
    return done(_("The question is added."), url_for(".survey", estate_id=estate.id, survey_id=found.id))


def _draft_question(estate, survey_id: int, position: int):
    """A question of the estate's draft survey, for its writers; 404 once published (fixed then)."""
    found = _survey(estate, survey_id)
    question = next((one for one in found.questions if one.position == position), None)
    if found.published or question is None:
        abort(404)
    return found, question


@bp.route("/estates/<int:estate_id>/surveys/<int:survey_id>/questions/<int:position>/edit", methods=["GET", "POST"])
@login_required
def edit_question(estate_id: int, survey_id: int, position: int):
    estate = load_or_404(Estate, estate_id, "surveys.manage")
    found, question = _draft_question(estate, survey_id, position)
    form = EditQuestionForm(obj=None if request.method == "POST" else question)
    if request.method == "GET":
        form.options.data = "\n".join(question.options)
    if saved(form, lambda: services.change_question(question, actor=current_user, **question_values(form)),
             SurveyError):
        return done(_("The question is saved."), url_for(".survey", estate_id=estate.id, survey_id=found.id))
    return render_template("surveys/edit_question.html", estate=estate, survey=found, question=question,
                           form=form), 400 if form.is_submitted() else 200


@bp.post("/estates/<int:estate_id>/surveys/<int:survey_id>/questions/<int:position>/delete")
@login_required
def delete_question(estate_id: int, survey_id: int, position: int):
    estate = load_or_404(Estate, estate_id, "surveys.manage")
    found, question = _draft_question(estate, survey_id, position)
    services.delete_question(question, current_user)
    return done(_("The question is deleted."), url_for(".survey", estate_id=estate.id, survey_id=found.id))


@bp.post("/estates/<int:estate_id>/surveys/<int:survey_id>/delete")
@login_required
def delete_survey(estate_id: int, survey_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.manage")
    found = _survey(estate, survey_id)
    returning_to(url_for(".survey", estate_id=estate.id, survey_id=found.id))
    services.delete_survey(found, current_user)
    return done(_("The draft survey is deleted."), url_for(".surveys", estate_id=estate.id))


def _question_page_context(estate, survey: Survey, form: QuestionForm) -> dict:
    return dict(estate=estate, survey=survey, state=services.state(survey), state_titles=STATE_TITLES,
                kind_titles=KIND_TITLES, manage=True, standings=[], chosen=None, existing=None, answers={},
                error="", question_form=form, action_form=ActionForm())


@bp.post("/estates/<int:estate_id>/surveys/<int:survey_id>/publish")
@login_required
def publish(estate_id: int, survey_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.manage")
    found = _survey(estate, survey_id)
    back = url_for(".survey", estate_id=estate.id, survey_id=found.id)
    services.publish_survey(found, current_user)
    return done(_("The survey is published: owners in its scope can answer it while it is open."), back)


@bp.post("/estates/<int:estate_id>/surveys/<int:survey_id>/answers")
@login_required
def answer(estate_id: int, survey_id: int):
    """An owner's answers, saved or changed. No second factor: a survey decides nothing (R-72)."""
    estate = load_or_404(Estate, estate_id, "surveys.answer")
    found = _survey(estate, survey_id)
    sent = answers_sent(found.questions)
    try:
        standing = services.standing_for(current_user, estate, found.buildings, request.form.get("voter"))
        services.answer_survey(found, standing, services.read_answers(found, sent), current_user)
    except SurveyError as error:  # shown on the survey's page again, with what was chosen
        db.session.rollback()
        return _survey_page(estate, found, typed=sent, error=refusal_message(error), status=400)
    return done(_("Your answers are saved. You may change them until the survey closes."),
                url_for(".survey", estate_id=estate.id, survey_id=found.id))


@bp.get("/estates/<int:estate_id>/surveys/<int:survey_id>/results")
@login_required
def results(estate_id: int, survey_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.view")
    found = _survey(estate, survey_id)
    return render_template("surveys/results.html", estate=estate, survey=found, results=services.results(found),
                           state=services.state(found), state_titles=STATE_TITLES, kind_titles=KIND_TITLES)


@bp.get("/estates/<int:estate_id>/surveys/<int:survey_id>/results.<any(csv, xlsx):fmt>")
@login_required
def results_file(estate_id: int, survey_id: int, fmt: str):
    """The totals only: by heads and area per option; no answer of any one owner (R-72)."""
    estate = load_or_404(Estate, estate_id, "surveys.view")
    found = _survey(estate, survey_id)
    return _download(_results_table(found), fmt, f"survey-{found.id}", "Survey")


def _results_table(survey: Survey) -> list[list]:
    counted = services.results(survey)
    words = {"question": _("Question"), "answer": _("Answer"), "owners": _("Owners"), "area": _("Area (m²)"),
             "written": _("Written answers"), "answered": _("Answered"), "in_scope": _("Owners in scope")}
    return export.survey_rows(counted.questions, {q.key: q.text for q in survey.questions}, counted.heads,
                              counted.area, words)


# --- the property-service company ---------------------------------------------------------------------

def _chosen_period(text: str | None, default: dt.date) -> dt.date:
    try:
        chosen = dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default
    return chosen if rules.period_start(chosen, services.period_months()) == chosen else default


def _service_context(estate, *, company_form=None, publish_form=None) -> dict:
    company = services.current_company(estate)
    companies = services.companies(estate)
    shown = company or (companies[0] if companies else None)
    current = services.current_period()
    closed = rules.closed_periods(clock.today(), services.period_months(), 4)[::-1]
    period = _chosen_period(request.args.get("period"), current)
    context = dict(estate=estate, company=company, companies=companies, shown=shown, current=current,
                   period=period, periods=[current] + closed, period_label=services.period_label,
                   dimension_titles=DIMENSION_TITLES, tenths=rules.tenths_text, scores=None, charts={},
                   published={}, manage=can(current_user, "ratings.manage", estate),
                   may_rate=can(current_user, "surveys.answer", estate) and company is not None,
                   supervise=can(current_user, "ratings.supervise", estate))
    if shown is not None:
        scores = services.period_scores(shown, period)
        too_few = _("too few ratings")
        context.update(scores=scores, published=services.published_periods(shown), charts={
            "dimensions": charts.score_bars(
                [(str(DIMENSION_TITLES[name]), scores.scores[name]) for name in rules.SCORES],
                _("Scores by dimension, %(period)s", period=services.period_label(period)),
                _("Average score from 1 to 5 per dimension and the number of raters."), too_few,
                id_prefix="dimensions-chart"),
            "buildings": charts.score_bars(
                [(_("Building %(label)s", label=label), score) for label, score in scores.buildings.items()],
                _("Overall score by building, %(period)s", period=services.period_label(period)),
                _("Average overall score from 1 to 5 per building and the number of raters."), too_few,
                id_prefix="buildings-chart") if scores.buildings else "",
            "trend": charts.trend_chart(
                [(services.period_label(start), score) for start, score in services.trend(shown)],
                _("Overall score over time"), _("Average overall score from 1 to 5 per period."), too_few,
                id_prefix="trend-chart")})
    if context["manage"]:
        if company_form is None:
            company_form = CompanyForm(formdata=None)
        company_form.contract.choices = [SelectChoice("", _("— not among the documents yet —"))] + [
            SelectChoice(str(version_id), title) for version_id, title in services.service_contracts(estate)]
        if publish_form is None:
            publish_form = PublishForm(formdata=None)
        publish_form.period.choices = _period_choices(closed)
    context.update(company_form=company_form, publish_form=publish_form)
    return context


def _period_choices(periods) -> list[SelectChoice]:
    return [SelectChoice(p.isoformat(), services.period_label(p)) for p in periods]


@bp.get("/estates/<int:estate_id>/service")
@login_required
def service(estate_id: int):
    estate = load_or_404(Estate, estate_id, "surveys.view")
    return render_template("surveys/service.html", **_service_context(estate))


@bp.post("/estates/<int:estate_id>/service/company")
@login_required
def record_company(estate_id: int):
    estate = load_or_404(Estate, estate_id, "ratings.manage")
    form = CompanyForm()
    form.contract.choices = [SelectChoice("", "")] + [SelectChoice(str(i), t)
                                                      for i, t in services.service_contracts(estate)]
    if form.validate_on_submit():  # a refusal is shown on the form again, with what was typed
        if attempted(lambda: services.record_company(estate, actor=current_user, **company_values(form)), SurveyError):
            return done(_("The property-service company is recorded."), url_for(".service", estate_id=estate.id))
    return render_template("surveys/service.html", **_service_context(estate, company_form=form)), 400


@bp.route("/estates/<int:estate_id>/service/rate", methods=["GET", "POST"])
@login_required
def rate(estate_id: int):
    """An owner rates the company for the current period; no second factor (R-72)."""
    estate = load_or_404(Estate, estate_id, "surveys.answer")
    back = url_for(".service", estate_id=estate.id)
    company = services.current_company(estate)
    if company is None:  # not a refusal: a GET would be sent back to itself
        return invalid(refusal_message(SurveyError("no_company")), back)
    form = RatingForm()
    if form.validate_on_submit():
        standing = services.standing_for(current_user, estate, None, form.voter.data or None)
        services.rate(company, standing, rating_scores(form), form.comment.data or "", current_user)
        return done(_("Your rating is saved. You may change it until the period ends."), back)
    return _rating_page(estate, company, form)


def _rating_page(estate, company, form: RatingForm):
    """The rating form for the owner (or the proxy's voter) chosen, filled in with their rating of
    the period when they come to change it."""
    mine = services.standings(current_user, estate)
    given = form.voter.data if form.is_submitted() else request.args.get("voter")
    chosen = next((one for one in mine if one.key == given), mine[0] if mine else None)
    form.voter.data = chosen.key if chosen else ""  # the form rates for the key shown
    existing = services.my_rating(company, services.current_period(), chosen) if chosen else None
    if request.method == "GET" and existing is not None:
        for name in rules.SCORES:
            getattr(form, name).data = str(getattr(existing, name))
        form.comment.data = existing.comment
    return render_template("surveys/rate.html", estate=estate, company=company, form=form, standings=mine,
                           chosen=chosen, existing=existing, period=services.current_period(),
                           period_label=services.period_label, period_end=rules.period_end(
                               services.current_period(), services.period_months())), \
        400 if form.is_submitted() else 200


@bp.post("/estates/<int:estate_id>/service/publish")
@login_required
def publish_period(estate_id: int):
    estate = load_or_404(Estate, estate_id, "ratings.manage")
    company = services.current_company(estate) or next(iter(services.companies(estate)), None)
    form = PublishForm()
    form.period.choices = _period_choices(rules.closed_periods(clock.today(), services.period_months(), 4))
    if company is None:
        raise SurveyError("no_company")
    if not form.validate_on_submit():
        return render_template("surveys/service.html", **_service_context(estate, publish_form=form)), 400
    notice = publish_results(company, dt.date.fromisoformat(form.period.data), current_user)
    return done(_("The results are published as a notice with a PDF."),
                url_for("disclosure.notice", estate_id=estate.id, notice_id=notice.id))


# --- the sub-district's ranking ---------------------------------------------------------------------------

def _supervised() -> list:
    estates = list(db.session.scalars(visible_estates(current_user, "ratings.supervise")))
    if not estates:
        abort(404)
    return estates


@bp.get("/supervision/service")
@login_required
def ranking():
    periods, rows = services.ranking(_supervised())
    return render_template("surveys/ranking.html", periods=periods, rows=rows, period_label=services.period_label,
                           tenths=rules.tenths_text, sparkline=_sparkline)


def _sparkline(row, periods) -> str:
    return charts.trend_chart([(services.period_label(p), s) for p, s in zip(periods, row.history)][-4:],
                              _("%(company)s over the last year", company=row.company.name),
                              _("Average overall score from 1 to 5 per period."), _("too few ratings"),
                              id_prefix=f"trend-{row.company.id}")


@bp.get("/supervision/service.<any(csv, xlsx):fmt>")
@login_required
def ranking_file(fmt: str):
    periods, rows = services.ranking(_supervised())
    return _download(_ranking_table(periods, rows), fmt, "service-ranking", "Ranking")


def _ranking_table(periods, rows) -> list[list]:
    table: list[list] = [[_("Rank"), _("Company"), _("Estate"), _("Raters"), _("Warning (公示警告)"),
                          _("Recognition")] + [services.period_label(p) for p in periods]]
    for row in rows:
        table.append([row.position, row.company.name, row.estate.name, row.latest.raters if row.latest else 0,
                      _("yes") if row.warning else "", _("yes") if row.recognition else ""] +
                     [None if s is None else export.tenths_decimal(s.tenths) if s.shown else _("too few ratings")
                      for s in row.history])
    return table
