"""Pages of a vote: drafting, ballots on three channels, the board, results, the bundle."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from ..core import clock
from ..audit.services import record
from ..auth import services as auth_services
from ..auth.permissions import can, child_or_404, found_or_404, load_or_404
from ..auth.stepup import fresh_second_factor
from ..core.metrics import CASTS, CASTS_REFUSED
from ..core.forms import ActionForm
from ..core.refusals import done, message, returning_to
from ..disclosure.services import committee_seats
from ..estates.models import Estate
from ..extensions import db
from ..files import responses as file_responses
from ..files import services as files
from ..jobs import services as jobs
from . import casting, services, tasks
from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from . import home  # noqa: F401  (registers what waits on the home page)
from .forms import (
    MATTERS, BoardSearchForm, CandidateForm, ConfirmBallotForm, EditCandidateForm, EditItemForm,
    EditVoteForm, ItemForm, PaperForm, ProxyForm, VoteForm, VotingSettingsForm, item_values, vote_values,
)
from .models import ItemKind, NominationSource, PaperEntry, VoteError, VoteFacts, VoteState

bp = Blueprint("voting", __name__)

# Lazy: read when a page is drawn, in its language (at import there is no request, so no language).
KIND_TITLES = {"resolution": _l("Resolution"), "election": _l("Election"), "choice": _l("Choice among options")}


def _kind_choices():
    return [SelectChoice(ItemKind.RESOLUTION.value, _("Resolution (approve / oppose / abstain)")),
            SelectChoice(ItemKind.ELECTION.value, _("Election of committee members")),
            SelectChoice(ItemKind.CHOICE.value, _("Choice among options"))]


def _matter_choices():
    return [SelectChoice(number, str(title)) for number, title in MATTERS.items()]


def _nomination_choices():
    return [SelectChoice(NominationSource.SELF.value, _("Self-nomination")),
            SelectChoice(NominationSource.JOINT.value, _("Joint nomination by owners")),
            SelectChoice(NominationSource.COMMUNITY.value, _("Recommended by the residents' committee"))]


def _vote_or_404(vote_id: int, action: str = "vote.view"):
    """The vote, if the user may do ``action``; drafts only for those who manage votes."""
    vote = services.get_vote(vote_id)
    if vote is None or not (can(current_user, action, vote) or _holds_proxy(vote, action)):
        abort(404)
    if vote.state == VoteState.DRAFT and not can(current_user, "vote.manage", vote):
        abort(404)
    services.advance(vote)
    return vote


def _holds_proxy(vote, action: str) -> bool:
    """R-33: the proxy need not own anything in the estate; a live authority for this vote
    lets them see it, so that they can vote through its pages."""
    return action == "vote.view" and any(m.proxy is not None for m in services.mandates(current_user, vote))


@contextmanager
def _form_again_if_refused():
    """Inside, a refusal (or a refused file) keeps nothing and is said; the route then goes on to
    show its form again with what was typed, instead of returning to the page before."""
    try:
        yield
    except (VoteError, files.FileRefused) as error:
        db.session.rollback()
        flash(message(error), "error")


def _form_page(template: str, form, **context):
    """A form's page: 200 when first shown, 400 when it comes back sent (invalid or refused)."""
    return render_template(template, form=form, **context), 200 if not form.is_submitted() else 400


def _button(act: Callable[[], object], said: str, to: str, refused_to: str | None = None):
    """A button that only needs its CSRF token: ``act()``, commit, say ``said`` and go on to ``to``;
    a refusal keeps nothing and returns to ``refused_to`` (else ``to``). A stale token only goes on."""
    returning_to(refused_to or to)
    act()
    return done(said, to)


@bp.get("/estates/<int:estate_id>/votes")
@login_required
def votes(estate_id: int):
    estate = load_or_404(Estate, estate_id, "vote.view")
    manage = can(current_user, "vote.manage", estate)
    shown = [v for v in services.votes_of(estate) if manage or v.state != VoteState.DRAFT]
    for vote in shown:
        services.advance(vote)
    return render_template("voting/list.html", estate=estate, votes=shown, manage=manage)


@bp.route("/estates/<int:estate_id>/votes/new", methods=["GET", "POST"])
@login_required
def new_vote(estate_id: int):
    estate = load_or_404(Estate, estate_id, "vote.manage")
    form = VoteForm()
    if form.validate_on_submit():
        with _form_again_if_refused():
            vote = services.create_vote(estate, **vote_values(form), actor=current_user)
            return done(_("Draft created. Add its items, then publish the notice."), url_for(".vote", vote_id=vote.id))
    return _form_page("voting/new.html", form, estate=estate, settings=services.settings(estate))


@bp.route("/estates/<int:estate_id>/votes/settings", methods=["GET", "POST"])
@login_required
def voting_settings(estate_id: int):
    """The committee chooses how paper ballots are entered in the estate's votes from now on."""
    estate = load_or_404(Estate, estate_id, "vote.manage")
    form = VotingSettingsForm(obj=services.settings(estate))
    if form.validate_on_submit():
        if not services.change_settings(estate, two_staff_paper=form.two_staff_paper.data, actor=current_user):
            flash(_("Nothing was changed."), "info")
            return done(None, url_for(".votes", estate_id=estate.id))
        return done(_("Saved. Votes created from now on take this setting; votes already created keep theirs."),
                    url_for(".votes", estate_id=estate.id))
    db.session.rollback()  # nothing of a page view is kept
    return _form_page("voting/settings.html", form, estate=estate)


@bp.get("/votes/<int:vote_id>")
@login_required
def vote(vote_id: int):
    return _vote_page(_vote_or_404(vote_id))


def _item_form(**kwargs) -> ItemForm:
    form = ItemForm(**kwargs)
    form.kind.choices, form.matter.choices = _kind_choices(), _matter_choices()
    return form


def _candidate_form(form_class=CandidateForm, **kwargs) -> CandidateForm:
    form = form_class(**kwargs)
    form.nomination.choices = _nomination_choices()
    return form


def _candidate_values(form: CandidateForm) -> dict:
    """A candidate's fields (adding and correcting share them), as plain values for the services."""
    return {"name": form.name.data, "nomination": NominationSource(form.nomination.data),
            "statement": form.statement.data or "", "pledge_signed": form.pledge_signed.data, "photo": _photo(form)}


def _still_a_draft(vote):
    """R-40: nothing else can be voted on after the notice; adding to a vote past its draft is
    refused, back to the vote's page."""
    returning_to(url_for(".vote", vote_id=vote.id))
    if vote.state != VoteState.DRAFT:
        raise VoteError("wrong_state", state=vote.state.value)
    return vote


def _vote_page(vote, *, item_form=None, candidate_form=None, candidate_position=None, status=200):
    """The vote's page; a refused item or candidate form comes back with what was typed (400)."""
    mandates = services.mandates(current_user, vote) if vote.state in (VoteState.OPEN, VoteState.CLOSED) else []
    cast = {m.voter: services.existing_ballot(vote, m.voter) for m in mandates}
    return render_template("voting/vote.html", vote=vote, item_form=item_form or _item_form(formdata=None),
                           candidate_form=candidate_form, candidate_position=candidate_position,
                           blank_candidate_form=_candidate_form(formdata=None),
                           action_form=ActionForm(), mandates=mandates, cast=cast, matters=MATTERS,
                           kind_titles=KIND_TITLES, overdue=services.posting_overdue(vote),
                           participation=services.participation_so_far(vote) if vote.state == VoteState.OPEN
                           else None,
                           pending=services.pending_paper(vote) if can(current_user, "vote.record_paper", vote) else []
                           ), status


@bp.post("/votes/<int:vote_id>/items")
@login_required
def add_item(vote_id: int):
    """A refused item keeps everything typed: the page comes back with the form filled in."""
    vote = _still_a_draft(_vote_or_404(vote_id, "vote.manage"))
    form = _item_form()
    if not form.validate_on_submit():
        flash(_("Check the item: %(problems)s", problems="; ".join(
            f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items())), "error")
        return _vote_page(vote, item_form=form, status=400)
    with _form_again_if_refused():
        services.add_item(vote, kind=ItemKind(form.kind.data), **item_values(form), by_election=form.by_election.data,
                          major_or_fee=form.major_or_fee.data, committee=committee_seats(vote.estate))
        return done(_("Item added."), url_for(".vote", vote_id=vote.id))
    return _vote_page(vote, item_form=form, status=400)


@bp.post("/votes/<int:vote_id>/items/<int:position>/candidates")
@login_required
def add_candidate(vote_id: int, position: int):
    vote = _vote_or_404(vote_id, "vote.manage")
    item = _item_or_404(vote, position)
    _still_a_draft(vote)
    form = _candidate_form()
    if not form.validate_on_submit():
        flash(_("Enter the candidate's name and how they were nominated."), "error")
        return _vote_page(vote, candidate_form=form, candidate_position=position, status=400)
    with _form_again_if_refused():
        services.add_candidate(item, **_candidate_values(form))
        return done(_("Candidate added."), url_for(".vote", vote_id=vote.id))
    return _vote_page(vote, candidate_form=form, candidate_position=position, status=400)


# --- correcting a draft (until its notice is published, R-40) ---------------------------------------

def _item_or_404(vote, position: int):
    item = next((i for i in vote.items if i.position == position), None)
    if item is None:
        abort(404)
    return item


def _candidate_or_404(item, number: int):
    candidate = next((c for c in item.candidates if c.position == number), None)
    if candidate is None:
        abort(404)
    return candidate


def _draft_or_404(vote_id: int):
    """A draft the user manages; a vote past its draft answers 404 here (nothing to correct)."""
    vote = _vote_or_404(vote_id, "vote.manage")
    if vote.state != VoteState.DRAFT:
        abort(404)
    return vote


# What a correcting form starts with when its page is first shown (on a POST it reads what was sent).

def _vote_data(vote) -> dict:
    return {"title": vote.title, "description": vote.description, "opening_date": clock.local_date(vote.opens_at),
            "last_day": clock.local_date(vote.closes_at) - dt.timedelta(days=1),
            "buildings": ", ".join(vote.buildings or [])}


def _item_data(item) -> dict:
    return {"matter": item.matter, "title": item.title, "description": item.description, "seats": item.seats or None,
            "alternates": item.alternates, "options": "\n".join(o.title for o in item.options)}


def _candidate_data(candidate) -> dict:
    return {"name": candidate.name, "nomination": candidate.nomination.value, "statement": candidate.statement,
            "pledge_signed": candidate.pledge_signed}


@bp.route("/votes/<int:vote_id>/edit", methods=["GET", "POST"])
@login_required
def edit_vote(vote_id: int):
    vote = _draft_or_404(vote_id)
    form = EditVoteForm(data=None if request.method == "POST" else _vote_data(vote))
    if form.validate_on_submit():
        with _form_again_if_refused():
            services.update_vote(vote, **vote_values(form), actor=current_user)
            return done(_("The draft is saved."), url_for(".vote", vote_id=vote.id))
    return _form_page("voting/edit.html", form, vote=vote)


@bp.post("/votes/<int:vote_id>/delete")
@login_required
def delete_vote(vote_id: int):
    vote = _draft_or_404(vote_id)
    estate_id = vote.estate_id
    services.delete_draft(vote, current_user)
    return done(_("The draft is deleted."), url_for(".votes", estate_id=estate_id))


@bp.route("/votes/<int:vote_id>/items/<int:position>/edit", methods=["GET", "POST"])
@login_required
def edit_item(vote_id: int, position: int):
    vote = _draft_or_404(vote_id)
    item = _item_or_404(vote, position)
    form = EditItemForm(data=None if request.method == "POST" else _item_data(item))
    form.matter.choices = _matter_choices()
    if form.validate_on_submit():
        with _form_again_if_refused():
            services.update_item(item, **item_values(form), actor=current_user, committee=committee_seats(vote.estate))
            return done(_("The item is saved."), url_for(".vote", vote_id=vote.id))
    return _form_page("voting/edit_item.html", form, vote=vote, item=item, kind_titles=KIND_TITLES)


@bp.post("/votes/<int:vote_id>/items/<int:position>/delete")
@login_required
def delete_item(vote_id: int, position: int):
    vote = _draft_or_404(vote_id)
    item = _item_or_404(vote, position)
    return _button(lambda: services.delete_item(item, current_user), _("The item is deleted."),
                   url_for(".vote", vote_id=vote.id))


@bp.route("/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/edit", methods=["GET", "POST"])
@login_required
def edit_candidate(vote_id: int, position: int, number: int):
    vote = _draft_or_404(vote_id)
    candidate = _candidate_or_404(_item_or_404(vote, position), number)
    form = _candidate_form(EditCandidateForm, data=None if request.method == "POST" else _candidate_data(candidate))
    if form.validate_on_submit():
        with _form_again_if_refused():
            services.update_candidate(candidate, **_candidate_values(form), remove_photo=form.remove_photo.data,
                                      actor=current_user)
            return done(_("The candidate is saved."), url_for(".vote", vote_id=vote.id))
    return _form_page("voting/edit_candidate.html", form, vote=vote, candidate=candidate)


def _photo(form) -> bytes | None:
    """The uploaded photo's bytes, read up to one byte past the limit (the service says no)."""
    upload = form.photo.data
    return upload.read(services.PHOTO_MAX_BYTES + 1) if upload and getattr(upload, "filename", "") else None


@bp.get("/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/photo")
@login_required
def candidate_photo(vote_id: int, position: int, number: int):
    """A candidate's photo, for whoever may see the vote (drafts: those who manage votes)."""
    candidate = _candidate_or_404(_item_or_404(_vote_or_404(vote_id), position), number)
    if candidate.photo_id is None:
        abort(404)
    return file_responses.inline(candidate.photo_id, None, f"candidate-{candidate.key}")


@bp.post("/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/delete")
@login_required
def delete_candidate(vote_id: int, position: int, number: int):
    vote = _draft_or_404(vote_id)
    candidate = _candidate_or_404(_item_or_404(vote, position), number)
    return _button(lambda: services.delete_candidate(candidate, current_user), _("The candidate is deleted."),
                   url_for(".vote", vote_id=vote.id))


@bp.get("/votes/<int:vote_id>/notice")
@login_required
def confirm_notice(vote_id: int):
    """What publishing the notice will do (the roll is frozen, nothing can change, R-05, R-40)
    and what stops it, before the one button that cannot be undone."""
    vote = _draft_or_404(vote_id)
    preview = services.notice_preview(vote)
    return render_template("voting/confirm_notice.html", vote=vote, preview=preview, action_form=ActionForm(),
                           problems=[message(VoteError(reason, **details))
                                     for reason, details in preview.problems])


@bp.post("/votes/<int:vote_id>/notice")
@login_required
def publish_notice(vote_id: int):
    vote = _vote_or_404(vote_id, "vote.manage")
    return _button(lambda: services.publish_notice(vote, current_user),
                   _("The notice is published and the roll is frozen."), url_for(".vote", vote_id=vote.id))


# --- casting online -----------------------------------------------------------------------------

def _mandate_or_404(vote, voter: str | None):
    mandate = services.mandate_for(current_user, vote, voter)
    if mandate is None:
        abort(404)
    return mandate


@bp.route("/votes/<int:vote_id>/ballot", methods=["GET", "POST"])
@login_required
def ballot(vote_id: int):
    vote = _vote_or_404(vote_id)
    mandate = _mandate_or_404(vote, request.values.get("voter"))
    if services.existing_ballot(vote, mandate.voter) is not None:
        return redirect(url_for(".receipt", vote_id=vote.id, voter=mandate.voter))
    if vote.state != VoteState.OPEN:
        returning_to(url_for(".vote", vote_id=vote.id))
        raise VoteError("not_open")
    if request.method == "POST" and ActionForm().validate_on_submit():
        return _confirmation_or_ballot(vote, mandate)
    return _ballot_page(vote, mandate)


def _ballot_page(vote, mandate):
    return render_template("voting/ballot.html", vote=vote, mandate=mandate,
                           allowed=mandate.proxy.items if mandate.proxy else None, form=ActionForm(),
                           selected=request.form if request.method == "POST" else MultiDict())


def _confirmation_or_ballot(vote, mandate):
    """The choices read back for confirmation, or the ballot again with the reason they cannot be."""
    try:
        choices = casting.preview(vote, mandate, request.form.to_dict(flat=False))
    except VoteError as error:
        flash(message(error), "error")
        return _ballot_page(vote, mandate)
    return render_template("voting/confirm.html", vote=vote, mandate=mandate, choices=choices,
                           form=ConfirmBallotForm(formdata=None), selected=request.form)


def _cast_vote_or_404(vote_id: int) -> VoteFacts:
    """Every owner sends the cast in the same days, so it reads the vote as a plain row
    (``VoteFacts``) and lets the mandate decide who may send it: only the voter's representative
    or their proxy holds one (R-33, R-34), and either may see the vote. A vote whose opening time
    or deadline has just passed goes through ``_vote_or_404`` first, which records the change."""
    vote = services.vote_facts(vote_id)
    if vote is None:
        abort(404)
    return VoteFacts.of(_vote_or_404(vote_id)) if vote.due_to_change(clock.now()) else vote


@bp.post("/votes/<int:vote_id>/ballot/confirm")
@login_required
def confirm_ballot(vote_id: int):
    """R-34: a fresh second factor at the moment of casting (``casting.cast``); a repeated
    submission finds the ballot already recorded and shows its receipt.

    No per-address limit here: many owners may vote from one address (a community centre,
    a carrier's NAT); wrong codes are limited per account instead."""
    vote = _cast_vote_or_404(vote_id)
    mandate = _mandate_or_404(vote, request.form.get("voter"))
    form = ConfirmBallotForm()
    code = form.code.data if form.validate_on_submit() else None
    done = casting.cast(vote, current_user, mandate, request.form.to_dict(flat=False), code)
    return _cast_page(vote_id, mandate, done, form)


def _cast_page(vote_id: int, mandate, done: casting.Cast, form):
    """The page for a cast's answer, counted for the metrics."""
    if done.answer == casting.Answer.RECORDED:
        CASTS.labels(done.channel).inc()
    if done.answer != casting.Answer.REFUSED:
        if done.answer == casting.Answer.ALREADY_RECORDED:
            CASTS_REFUSED.labels("already_cast").inc()
        return redirect(url_for(".receipt", vote_id=vote_id, voter=mandate.voter))
    CASTS_REFUSED.labels(done.reason).inc()
    if done.refusal is not None:
        flash(message(done.refusal), "error")
    if done.back == casting.Back.BALLOT:
        return redirect(url_for(".ballot", vote_id=vote_id, voter=mandate.voter))
    if done.back == casting.Back.VOTE:
        return redirect(url_for(".vote", vote_id=vote_id))
    if done.reason != "form":
        CASTS_REFUSED.labels("form").inc()
    return render_template("voting/confirm.html", vote=services.get_vote(vote_id), mandate=mandate,
                           choices=done.choices, form=form, selected=request.form), 400


@bp.get("/votes/<int:vote_id>/receipt")
@login_required
def receipt(vote_id: int):
    vote = _vote_or_404(vote_id)
    mandate = _mandate_or_404(vote, request.args.get("voter"))
    found = found_or_404(services.existing_ballot(vote, mandate.voter))
    return render_template("voting/receipt.html", vote=vote, ballot=found, mandate=mandate)


@bp.get("/votes/<int:vote_id>/board")
@login_required
def board(vote_id: int):
    """The bulletin board: every tracker and chain value in recording order (R-60: estate only)."""
    vote = _vote_or_404(vote_id)
    form = BoardSearchForm(request.args, meta={"csrf": False})
    wanted = form.tracker.data.strip().lower() if form.validate() and form.tracker.data else ""
    ballots = services.ballots_in_order(vote)
    mine = {m.voter for m in services.mandates(current_user, vote)} if vote.state != VoteState.DRAFT else set()
    shown = [b for b in ballots if b.tracker.startswith(wanted)] if wanted else ballots
    return render_template("voting/board.html", vote=vote, ballots=shown, total=len(ballots), form=form,
                           searched=wanted, mine={b.id for b in ballots if b.voter in mine},
                           chain_start=services.chain_start(vote))


# --- paper and proxy ballots --------------------------------------------------------------------

@bp.route("/votes/<int:vote_id>/paper", methods=["GET", "POST"])
@login_required
def paper(vote_id: int):
    vote = _vote_or_404(vote_id, "vote.record_paper")
    form = PaperForm()
    if form.validate_on_submit():
        with _form_again_if_refused():
            recorded = services.record_paper(vote, current_user, **_paper_ballot(vote, form))[1]
            return _paper_recorded(vote, form.unit.data, recorded)
    return _form_page("voting/paper.html", form, vote=vote, pending=services.pending_paper(vote),
                      selected=request.form)


def _paper_ballot(vote, form: PaperForm) -> dict:
    """The paper form as plain values for ``services.record_paper``: the choices as marked (an
    item marked for too many is spoiled, not refused), the time received in the estate's zone."""
    return {"choices": services.read_choices(vote, request.form.to_dict(flat=False), strict=False),
            "unit": form.unit.data, "received_at": form.received_at.data.replace(tzinfo=clock.zone()),
            "signed": form.signed.data, "signer_matches": form.signer_matches.data, "scan": form.scan.data.read()}


def _paper_recorded(vote, unit: str, recorded):
    """Commit a paper ballot entered and say what became of it: waiting for a second staff member
    (``recorded`` is None), or recorded (then counted for the metrics)."""
    if recorded is None:
        return done(_("Paper ballot for %(unit)s entered; a second staff member must confirm it.", unit=unit),
                    url_for(".paper", vote_id=vote.id))
    said = _("Paper ballot for %(unit)s recorded (%(status)s). Tracker %(tracker)s.", unit=unit,
             status=_("valid") if recorded.status.value == "valid" else _("invalid"), tracker=recorded.tracker[:12])
    return _paper_cast(done(said, url_for(".paper", vote_id=vote.id)))


def _paper_cast(response):
    """A paper ballot is recorded and ``response`` has committed it: count it for the metrics."""
    CASTS.labels("paper").inc()
    return response


@bp.get("/votes/<int:vote_id>/paper/<int:entry_id>")
@login_required
def paper_entry(vote_id: int, entry_id: int):
    """One paper ballot waiting for a second staff member, with its choices, for those who may
    confirm it: the only paper ballot whose choices they see. Each opening is audited."""
    vote = _vote_or_404(vote_id, "vote.record_paper")
    entry = child_or_404(PaperEntry, entry_id, vote, "vote_id")
    if not can(current_user, "vote.check_paper", entry):
        abort(404)
    record("ballot.paper_opened", estate_id=vote.estate_id, object_type="paper_entry", object_id=entry.id)
    db.session.commit()
    return render_template("voting/paper_entry.html", vote=vote, entry=entry, action_form=ActionForm())


@bp.post("/votes/<int:vote_id>/paper/<int:entry_id>/<any(confirm, reject):decision>")
@login_required
def decide_paper(vote_id: int, entry_id: int, decision: str):
    vote = _vote_or_404(vote_id, "vote.record_paper")
    entry = child_or_404(PaperEntry, entry_id, vote, "vote_id")
    back = returning_to(url_for(".paper", vote_id=vote.id))
    if decision != "confirm":
        services.reject_paper(vote, entry, current_user)
        return done(_("Paper ballot rejected."), back)
    services.confirm_paper(vote, entry, current_user)
    return _paper_cast(done(_("Paper ballot confirmed."), back))


@bp.get("/votes/<int:vote_id>/paper/<int:entry_id>/scan")
@login_required
def paper_scan(vote_id: int, entry_id: int):
    """A scan shows how an owner voted. Staff see it only while they may confirm the entry;
    supervisors and auditors once the vote has closed. Each view is audited."""
    vote = _vote_or_404(vote_id)
    entry = child_or_404(PaperEntry, entry_id, vote, "vote_id")
    if not (can(current_user, "vote.read_ballots", vote) or can(current_user, "vote.check_paper", entry)):
        abort(404)
    record("vote.scan_viewed", estate_id=vote.estate_id, object_type="paper_entry", object_id=entry.id)
    db.session.commit()
    return file_responses.inline(entry.scan_id, None, f"ballot-{entry_id}")


@bp.route("/votes/<int:vote_id>/proxies", methods=["GET", "POST"])
@login_required
def proxies(vote_id: int):
    vote = _vote_or_404(vote_id, "vote.record_paper")
    form = ProxyForm()
    if form.validate_on_submit():
        with _form_again_if_refused():
            services.record_proxy(vote, current_user, **_proxy_authority(vote, form))
            return done(_("Proxy authority recorded. The proxy can now vote online for %(unit)s.", unit=form.unit.data),
                        url_for(".proxies", vote_id=vote.id))
    return _form_page("voting/proxies.html", form, vote=vote)


def _proxy_authority(vote, form: ProxyForm) -> dict:
    """The proxy form as plain values for ``services.record_proxy``; a login of no account is refused."""
    proxy_user = auth_services.find_user(form.proxy_login.data)
    if proxy_user is None:
        raise VoteError("unknown_proxy")
    return {"unit": form.unit.data, "proxy_user": proxy_user,
            "items": [item.key for item in vote.items if request.form.get(f"matter-{item.key}")],
            "scope": form.scope.data or "", "valid_from": form.valid_from.data, "valid_until": form.valid_until.data,
            "document": form.document.data.read()}


# --- counting, results, bundle ----------------------------------------------------------------------

@bp.get("/votes/<int:vote_id>/count")
@login_required
def confirm_count(vote_id: int):
    """What counting does (from the frozen roll and the recorded ballots, R-10 to R-22) and what
    stops it (voting not closed, paper ballots waiting for a second staff member)."""
    vote = _vote_or_404(vote_id, "vote.manage")
    if vote.state not in (VoteState.CLOSED, VoteState.COUNTED):
        abort(404)
    preview = services.count_preview(vote)
    return render_template("voting/confirm_count.html", vote=vote, preview=preview, action_form=ActionForm())


@bp.get("/votes/<int:vote_id>/publish")
@login_required
def confirm_publish(vote_id: int):
    """What publishing the result does (public to the estate, notified, no more recounting, R-42),
    with the result to check once more."""
    vote = _vote_or_404(vote_id, "vote.manage")
    if vote.state != VoteState.COUNTED:
        abort(404)
    return render_template("voting/confirm_publish.html", vote=vote, result=vote.result, kind_titles=KIND_TITLES,
                           action_form=ActionForm(), overdue=services.posting_overdue(vote))


@bp.post("/votes/<int:vote_id>/count")
@login_required
def count(vote_id: int):
    vote = _vote_or_404(vote_id, "vote.manage")
    return _button(lambda: services.count(vote, current_user),
                   _("Counted. Check the result, then publish it within 3 days (R-42)."),
                   url_for(".result", vote_id=vote.id), refused_to=url_for(".vote", vote_id=vote.id))


def _managed_vote_or_404(vote_id: int):
    return _vote_or_404(vote_id, "vote.manage")


@bp.post("/votes/<int:vote_id>/publish")
@login_required
@fresh_second_factor(may=_managed_vote_or_404)
def publish(vote_id: int):
    vote = _vote_or_404(vote_id, "vote.manage")
    return _button(lambda: services.publish_result(vote, current_user),
                   _("The result is published and the estate has been notified."), url_for(".result", vote_id=vote.id))


@bp.get("/votes/<int:vote_id>/result")
@login_required
def result(vote_id: int):
    vote = _vote_or_404(vote_id)
    insider = can(current_user, "vote.manage", vote) or can(current_user, "vote.inspect", vote)
    if vote.result is None or (vote.state != VoteState.PUBLISHED and not insider):
        abort(404)
    return render_template("voting/result.html", vote=vote, result=vote.result, breakdown=services.breakdown(vote),
                           action_form=ActionForm(), kind_titles=KIND_TITLES,
                           overdue=services.posting_overdue(vote))


@bp.post("/votes/<int:vote_id>/bundle")
@login_required
def audit_bundle(vote_id: int):
    """A job makes the bundle (every ballot of the vote); its page shows progress, then the file."""
    vote = _vote_or_404(vote_id, "vote.inspect")
    if vote.result is None:
        abort(404)
    return redirect(jobs.launched(tasks.start_bundle(vote, current_user)))


@bp.get("/votes/<int:vote_id>/ballots")
@login_required
def ballots(vote_id: int):
    """Individual choices, for supervisors and auditors once the vote has closed; every view is
    audited. Before the close nobody sees them (an interim result)."""
    vote = _vote_or_404(vote_id, "vote.inspect")
    if not can(current_user, "vote.read_ballots", vote):
        abort(404)
    record("vote.ballots_viewed", estate_id=vote.estate_id, object_type="vote", object_id=vote.id)
    db.session.commit()
    ballots = services.ballots_in_order(vote)
    return render_template("voting/ballots.html", vote=vote, ballots=ballots,
                           after_reset=services.ballots_after_reset(ballots))
