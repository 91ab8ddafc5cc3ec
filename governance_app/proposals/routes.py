"""Residents' proposals: the estate's list, raising one, its page, and the steps from co-signing
to the owners' rating. Handlers load, check, call one service, commit, and redirect; a refusal
of a form with typed text shows the page again with what was typed."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import can, load_or_404, permitted_or_404
from ..core import clock
from ..core.forms import ActionForm
from ..core.refusals import done, saved
from ..estates.models import Estate
from ..files import responses as file_responses
from ..funds import rules as fund_rules
from ..funds.messages import account_title, category_title
from ..surveys import services as survey_services
from ..voting import services as voting
from . import duties as _duties  # noqa: F401 (registers the proposals' duties)
from . import permissions, rules, services
from .forms import (
    AnswerForm, CoordinationForm, DeliveryForm, MilestoneForm, PaymentForm, PlanForm, ProposalForm,
    RatingForm, SettingsForm, UpdateForm, VoteForm,
)
from .messages import (
    ANSWER_TITLES, APPORTION_TITLES, CATEGORY_TITLES, LINE_TITLES, ROLE_TITLES, STATE_TITLES, SUBSIDY_TITLES,
)
from .models import SIGNING_STATES, AnswerKind, Proposal, ProposalError, ProposalState

bp = Blueprint("proposals", __name__)
PAYMENT_ACCOUNTS = ("common_income", "maintenance_fund", "working_fund")


def _proposal(proposal_id: int, action: str | None = None) -> Proposal:
    """The proposal if the user may see it (and do ``action`` to it); 404 otherwise."""
    proposal = services.get(proposal_id)
    if proposal is None or not permissions.can_see(current_user, proposal):
        abort(404)
    if action is not None:
        permitted_or_404(proposal, action)
    return proposal


def _uploads(field) -> list[tuple[bytes, str]]:
    return [(upload.read(), upload.filename or "") for upload in field.data or [] if upload and upload.filename]


def _choices(mapping) -> list[SelectChoice]:
    return [SelectChoice(key, str(title)) for key, title in mapping.items()]


def _form_page(template: str, form, **context):
    return render_template(template, form=form, **context), 400 if form.is_submitted() else 200


# --- the list and raising ---------------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/proposals")
@login_required
def index(estate_id: int):
    estate = load_or_404(Estate, estate_id, "proposals.view")
    state, category = request.args.get("state") or None, request.args.get("category") or None
    found = services.listing(estate, current_user, state=state, category=category)
    return render_template("proposals/index.html", estate=estate, proposals=found, state=state, category=category,
                           state_titles=STATE_TITLES, category_titles=CATEGORY_TITLES,
                           settings=services.settings(estate), assembly_percent=rules.ASSEMBLY_PERCENT)


@bp.route("/estates/<int:estate_id>/proposals/settings", methods=["GET", "POST"])
@login_required
def settings(estate_id: int):
    """The estate's R-70 threshold and periods; refused, the page shows again with what was typed."""
    estate = load_or_404(Estate, estate_id, "proposals.manage")
    form = SettingsForm(obj=None if request.method == "POST" else services.settings(estate))
    changed = saved(form, lambda: services.change_settings(
        estate, answer_percent=form.answer_percent.data, answer_days=form.answer_days.data,
        vote_days=form.vote_days.data, actor=current_user), ProposalError)
    if changed is None:
        return _form_page("proposals/settings.html", form, estate=estate)
    return done(_("The settings are saved.") if changed else _("Nothing changed."),
                url_for(".index", estate_id=estate.id))


def _proposal_form(estate, form: ProposalForm) -> ProposalForm:
    form.category.choices = _choices(CATEGORY_TITLES)
    form.buildings.choices = [SelectChoice(label, label) for label in voting.estate_buildings(estate)]
    return form


def _draft_form(proposal: Proposal) -> ProposalForm:
    """The draft's form: as saved on the first showing, as typed once sent."""
    form = _proposal_form(proposal.estate, ProposalForm(obj=None if request.method == "POST" else proposal))
    if request.method == "GET":
        form.estimated_cost.data = fund_rules.plain_yuan(proposal.estimated_cost)
        form.buildings.data = proposal.buildings or []
    return form


def _proposal_fields(form: ProposalForm) -> dict:
    return {"title": form.title.data, "problem": form.problem.data, "remedy": form.remedy.data,
            "category": form.category.data, "buildings": form.buildings.data or None,
            "changes_use": form.changes_use.data, "estimated_cost": form.estimated_cost.fen_or_zero(),
            "uploads": _uploads(form.photos)}


@bp.route("/estates/<int:estate_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new(estate_id: int):
    estate = load_or_404(Estate, estate_id, "proposals.raise")
    form = _proposal_form(estate, ProposalForm())
    proposal = saved(form, lambda: services.create(estate, current_user, **_proposal_fields(form)), ProposalError)
    if proposal is None:
        return _form_page("proposals/edit.html", form, estate=estate, proposal=None)
    return done(_("The draft is saved. Only you can see it until you submit it."),
                url_for(".show", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = _proposal(proposal_id, "proposals.raise")
    if proposal.author_id != current_user.id or proposal.state != ProposalState.DRAFT:
        abort(404)
    form = _draft_form(proposal)
    edited = lambda: services.edit(proposal, current_user, **_proposal_fields(form)) or proposal  # noqa: E731
    if saved(form, edited, ProposalError) is None:
        return _form_page("proposals/edit.html", form, estate=proposal.estate, proposal=proposal)
    return done(_("The draft is saved."), url_for(".show", proposal_id=proposal.id))


# --- the proposal's page ------------------------------------------------------------------------------

def _forms(proposal: Proposal, given: dict) -> dict:
    """Every form the page may show, the given ones (with what was typed) in place of empty ones."""
    answer = given.get("answer_form") or AnswerForm(formdata=None)
    answer.kind.choices = _choices({k: ANSWER_TITLES[k] for k in ("accepted", "declined", "merged", "returned")})
    answer.merged_into.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(p.id), f"#{p.id} {p.title}") for p in services.merge_targets(proposal)]
    plan = given.get("plan_form") or _filled_plan_form(proposal)
    plan.apportion_by.choices = _choices(APPORTION_TITLES)
    plan.subsidy_status.choices = _choices(SUBSIDY_TITLES)
    payment = given.get("payment_form") or PaymentForm(formdata=None, day=clock.today())
    payment.account.choices = [SelectChoice(kind, account_title(kind)) for kind in PAYMENT_ACCOUNTS]
    payment.category.choices = [SelectChoice(code, f"{account_title(kind)} · {category_title(code)}")
                                for kind in PAYMENT_ACCOUNTS for code in fund_rules.CATEGORIES[kind]["out"]
                                if code != "transfer"]
    rating = given.get("rating_form") or RatingForm(formdata=None)
    rating.stars.choices = [SelectChoice(str(n), "★" * n) for n in range(5, 0, -1)]
    return {"action_form": ActionForm(formdata=None), "answer_form": answer,
            "coordination_form": given.get("coordination_form") or CoordinationForm(formdata=None),
            "plan_form": plan, "vote_form": given.get("vote_form") or _vote_form(),
            "delivery_form": given.get("delivery_form") or DeliveryForm(formdata=None),
            "milestone_form": given.get("milestone_form") or MilestoneForm(formdata=None),
            "update_form": given.get("update_form") or UpdateForm(formdata=None),
            "payment_form": payment, "rating_form": rating}


def _filled_plan_form(proposal: Proposal) -> PlanForm:
    plan = proposal.plan
    form = PlanForm(formdata=None)
    yuan = fund_rules.plain_yuan
    if plan is None:
        form.total_cost.data = yuan(proposal.estimated_cost)
        return form
    form.total_cost.data, form.owners_amount.data = yuan(plan.total_cost), yuan(plan.owners_amount)
    form.apportion_by.data, form.subsidy_amount.data = plan.apportion_by, yuan(plan.subsidy_amount)
    form.subsidy_programme.data, form.subsidy_status.data = plan.subsidy_programme, plan.subsidy_status
    form.common_income_amount.data, form.fund_amount.data = yuan(plan.common_income_amount), yuan(plan.fund_amount)
    return form


def _vote_form() -> VoteForm:
    earliest = voting.rules.earliest_opening(clock.today())
    return VoteForm(formdata=None, opening_date=earliest, last_day=earliest + dt.timedelta(days=14))


def _page(proposal: Proposal, status: int = 200, **given):
    roll = services.scope_roll(proposal)
    found = services.support(proposal, roll)
    vote = services.vote_of(proposal)
    money, entries = services.money(proposal) if proposal.is_project else (None, [])
    summary, comments = services.ratings(proposal)
    owner = can(current_user, "proposals.cosign", proposal)
    chosen = services.settings(proposal.estate)
    context = {
        "proposal": proposal, "estate": proposal.estate, "support": found, "vote": vote,
        "outcome": services.vote_outcome(vote) if vote else None,
        "signed": owner and services.signed_by(proposal, current_user, roll),
        "in_scope": owner and bool(services.keys_of(current_user, roll)),
        "body": {"problem": services.markdown(proposal.problem), "remedy": services.markdown(proposal.remedy)},
        "shares": services.shares(proposal) if proposal.plan else [],
        "my_shares": services.my_shares(proposal, current_user) if owner and proposal.plan else [],
        "matter": services.matter_of(proposal), "available": services.common_income_available(proposal.estate),
        "money": money, "entries": entries, "ratings": summary, "comments": comments,
        "rating_open": services.rating_open(proposal),
        "rated": owner and services.rated_by(proposal, current_user),
        "state_titles": STATE_TITLES, "category_titles": CATEGORY_TITLES, "answer_titles": ANSWER_TITLES,
        "role_titles": ROLE_TITLES, "line_titles": LINE_TITLES, "subsidy_titles": SUBSIDY_TITLES,
        "apportion_titles": APPORTION_TITLES,
        "answer_due_on": _due(proposal.answer_threshold_on, chosen.answer_days),
        "assembly_due_on": _due(proposal.assembly_threshold_on, chosen.vote_days),
        "signing_states": SIGNING_STATES,
        "surveys": survey_services.surveys_from("proposal", proposal.id),
        "may_survey": can(current_user, "surveys.manage", proposal.estate),
        "today": clock.today(),
    }
    return render_template("proposals/show.html", **context, **_forms(proposal, given)), status


def _due(since: dt.date | None, days: int) -> dt.date | None:
    return rules.due_after(since, days) if since else None


@bp.get("/proposals/<int:proposal_id>")
@login_required
def show(proposal_id: int):
    return _page(_proposal(proposal_id))


@bp.post("/proposals/<int:proposal_id>/milestones/<int:milestone_id>/reached")
@login_required
def milestone_reached(proposal_id: int, milestone_id: int):
    proposal = _proposal(proposal_id, "proposals.manage")
    if all(one.id != milestone_id for one in proposal.milestones):
        abort(404)
    services.reach_milestone(proposal, current_user, milestone_id)
    return done(_("The milestone is marked reached."), url_for(".show", proposal_id=proposal.id))


@bp.get("/proposals/<int:proposal_id>/files/<int:file_id>")
@login_required
def file(proposal_id: int, file_id: int):
    proposal = _proposal(proposal_id)
    if services.file_of(proposal, file_id) is None:
        abort(404)
    return file_responses.inline(file_id, None, f"proposal-{proposal.id}-{file_id}")


# --- the steps from the proposal's page ------------------------------------------------------------
# Each step is one POST from the proposal's page: the permission it needs, the form it reads (none
# for a plain button), what it does and what it says. A button's refusal returns to the page with
# the reason; a form refused or invalid shows the page again with what was typed (400).

@dataclass(frozen=True)
class _Step:
    action: str
    act: Callable[[Proposal, object], object]  # act(proposal, form); its result is not used
    said: object  # a lazy translatable message
    form: type | None = None
    name: str = ""  # the form's name on the page


def _answer(proposal: Proposal, form: AnswerForm) -> None:
    target = services.get(int(form.merged_into.data)) if (form.merged_into.data or "").isdigit() else None
    services.answer(proposal, current_user, kind=AnswerKind(form.kind.data), text=form.text.data or "",
                    merged_into=target)


def _delivery(proposal: Proposal, form: DeliveryForm) -> None:
    contract = form.contract.data.read() if form.contract.data else None
    services.start_delivery(proposal, current_user, contractor=form.contractor.data, contract=contract or None)


def _vote(proposal: Proposal, form: VoteForm) -> None:
    services.to_vote(proposal, current_user, opening_date=form.opening_date.data, last_day=form.last_day.data,
                     description=form.description.data or "")


def _payment(proposal: Proposal, form: PaymentForm) -> None:
    services.record_payment(proposal, current_user, account_kind=form.account.data, day=form.day.data,
                            amount=form.amount.fen_or_zero(), category=form.category.data,
                            counterparty=form.counterparty.data or "", description=form.description.data or "")


def _update(proposal: Proposal, form: UpdateForm) -> None:
    services.add_update(proposal, current_user, text=form.text.data, percent_complete=form.percent_complete.data,
                        photos=_uploads(form.photos))


def _button(act: Callable) -> Callable[[Proposal, object], object]:
    return lambda proposal, _form: act(proposal, current_user)


_STEPS = {  # (endpoint, path below /proposals/<id>/): the step
    ("submit", "submit"): _Step("proposals.raise", _button(services.submit),
                                _l("The proposal is submitted: the owners in its scope can now co-sign it.")),
    ("cosign", "cosign"): _Step("proposals.cosign", _button(services.cosign), _l("You co-signed the proposal.")),
    ("withdraw", "withdraw"): _Step("proposals.cosign", _button(services.withdraw_signature),
                                    _l("Your co-signature is withdrawn.")),
    ("answer", "answer"): _Step("proposals.answer", _answer, _l("The answer is published."), AnswerForm,
                                "answer_form"),
    ("coordinate", "coordinate"): _Step(
        "proposals.coordinate", lambda proposal, form: services.coordinate(proposal, current_user, form.text.data),
        _l("The coordination opinion is published."), CoordinationForm, "coordination_form"),
    ("plan", "plan"): _Step("proposals.manage",
                            lambda proposal, form: services.save_plan(proposal, current_user, **form.values()),
                            _l("A new version of the funding plan is saved."), PlanForm, "plan_form"),
    ("approve_plan", "plan/approve"): _Step(
        "proposals.manage", _button(services.approve_plan),
        _l("The funding plan is approved; the common income it uses is reserved.")),
    ("to_vote", "vote"): _Step(
        "proposals.manage", _vote,
        _l("A draft vote is created: check it and publish its notice on the vote's page."), VoteForm, "vote_form"),
    ("delivery", "delivery"): _Step("proposals.manage", _delivery, _l("The project has started."), DeliveryForm,
                                    "delivery_form"),
    ("milestone", "milestones"): _Step(
        "proposals.manage",
        lambda proposal, form: services.add_milestone(proposal, current_user, title=form.title.data,
                                                      due_on=form.due_on.data),
        _l("The milestone is added."), MilestoneForm, "milestone_form"),
    ("update", "updates"): _Step("proposals.manage", _update, _l("The progress update is published."), UpdateForm,
                                 "update_form"),
    ("payment", "payments"): _Step(
        "proposals.manage", _payment, _l("The payment is recorded in the estate's accounts, citing this project."),
        PaymentForm, "payment_form"),
    ("complete", "complete"): _Step("proposals.manage", _button(services.complete),
                                    _l("The project is complete: owners may rate it for 30 days.")),
    ("rate", "rating"): _Step(
        "proposals.rate",
        lambda proposal, form: services.rate(proposal, current_user, stars=int(form.stars.data),
                                             comment=form.comment.data or ""),
        _l("Thank you: your rating is recorded."), RatingForm, "rating_form"),
}


def _step_view(step: _Step):
    @login_required
    def view(proposal_id: int):
        proposal = _proposal(proposal_id, step.action)
        back = url_for(".show", proposal_id=proposal.id)
        if step.form is None:
            step.act(proposal, None)  # a refusal escapes to the central handler: flash, back
            return done(str(step.said), back)
        form = step.form()
        _forms(proposal, {step.name: form})  # gives the select fields their choices, for validation
        if saved(form, lambda: step.act(proposal, form) or proposal, ProposalError) is None:
            return _page(services.get(proposal_id), 400, **{step.name: form})
        return done(str(step.said), back)
    return view


for (_endpoint, _path), _found in _STEPS.items():
    bp.add_url_rule(f"/proposals/<int:proposal_id>/{_path}", _endpoint, _step_view(_found), methods=["POST"])


__all__ = ["bp", "rules"]
