"""Pages of conventions and the red/black board (issue 19).

Every page of this blueprint is the estate's own (R-60): not indexed, not cached, and out of scope
it answers 404 as if it did not exist. The board is called 红黑榜, never 失信名单 (R-64).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import can, child_or_404, load_or_404
from ..core.forms import ActionForm
from ..core.refusals import done, saved
from ..disclosure import services as disclosure
from ..disclosure.models import DisclosureError
from ..documents.responses import pdf_response
from ..estates.models import Estate
from ..extensions import db
from ..files import responses as file_responses
from . import export, printing, services
from .forms import (
    ApprovalForm, ClauseForm, DecisionChoiceForm, EvidenceForm, NominationForm, NotifyForm,
    ObjectionDecisionForm, ObjectionForm, RectifiedForm, WarningForm, chosen_id,
)
from .messages import DEED_TITLES, REMOVAL_TITLES, SEVERITY_TITLES, STEP_TITLES
from .models import Board, BoardEntry, BoardError, BoardEvidence, Step
from .permissions import can_act_on, is_subject

bp = Blueprint("pledges", __name__)


@bp.after_request
def _private(response: Response) -> Response:
    """R-60, R-64: never kept by a cache or a search engine."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _entry(estate, entry_id: int, *actions: str) -> BoardEntry:
    """The entry if it is the estate's, not removed, and the user may do one of ``actions`` to it
    (the person concerned only once notified); 404 otherwise."""
    entry = child_or_404(BoardEntry, entry_id, estate)
    if entry.removed_at is not None:
        abort(404)
    for action in actions:
        if action == "subject":
            if is_subject(current_user, entry) and entry.step == Step.NOTIFIED:
                return entry
        elif can_act_on(current_user, action, entry):
            if action not in ("board.object", "board.pledge") or entry.step == Step.NOTIFIED:
                return entry
    abort(404)


def _clause_choices(estate, optional: bool) -> list[SelectChoice]:
    choices = [SelectChoice("", _("— none —"))] if optional else [SelectChoice("", _("— choose —"))]
    return choices + [SelectChoice(str(c.id), f"{c.document.title} · {c.number}. {c.text[:40]}")
                      for c in disclosure.estate_clauses(estate)]


def _decision_choices(estate) -> list[SelectChoice]:
    return [SelectChoice("", _("— choose —"))] + [
        SelectChoice(str(d.id), f"{d.meeting.title} ({d.meeting.held_on}): {d.text[:50]}")
        for d in services.decisions(estate)]


def _sent(estate_id: int, action: str, form_of, act):
    """The estate, its form (``form_of(estate)``) and what ``act(estate, **the form's values)`` made
    once the form was sent valid; None while it was not, or when it was refused (said, nothing kept)."""
    estate = load_or_404(Estate, estate_id, action)
    form = form_of(estate)
    return estate, form, saved(form, lambda: act(estate, **form.values(), actor=current_user), BoardError)


def _form_page(template: str, estate, form):
    return render_template(template, estate=estate, form=form), 400 if form.is_submitted() else 200


# --- conventions ------------------------------------------------------------------------------------

def _clause_form(document_id: int, submitted: bool = False) -> ClauseForm:
    """One form per convention, its fields named apart so that ids stay unique on the page."""
    prefix = f"c{document_id}"
    return ClauseForm(prefix=prefix) if submitted else ClauseForm(prefix=prefix, formdata=None)


def _conventions_page(estate, clause_form=None, clause_for: int | None = None, status: int = 200):
    items = [(document, disclosure.clauses(document), services.signatures(document),
              services.has_signed(document, current_user),
              clause_form if document.id == clause_for else _clause_form(document.id))
             for document in disclosure.conventions(estate)]
    return render_template("pledges/conventions.html", estate=estate, items=items, clause_for=clause_for,
                           action_form=ActionForm(formdata=None)), status


@bp.get("/estates/<int:estate_id>/conventions")
@login_required
def conventions(estate_id: int):
    return _conventions_page(load_or_404(Estate, estate_id, "convention.view"))


@bp.post("/estates/<int:estate_id>/conventions/<int:document_id>/clauses")
@login_required
def add_clause(estate_id: int, document_id: int):
    estate = load_or_404(Estate, estate_id, "convention.manage")
    document = services.convention(estate, document_id) or abort(404)
    form = _clause_form(document.id, submitted=True)
    if saved(form, lambda: disclosure.add_clause(document, number=form.number.data, text=form.text.data,
                                                  actor=current_user), DisclosureError) is None:
        return _conventions_page(estate, form, document.id, 400)
    return done(_("Clause %(number)s added.", number=form.number.data), url_for(".conventions", estate_id=estate.id))


@bp.post("/estates/<int:estate_id>/conventions/<int:document_id>/sign")
@login_required
def sign(estate_id: int, document_id: int):
    estate = load_or_404(Estate, estate_id, "convention.sign")
    document = services.convention(estate, document_id) or abort(404)
    if ActionForm().validate_on_submit():
        services.sign(document, current_user)
        db.session.commit()
        flash(_("Thank you: your pledge to keep “%(title)s” is recorded.", title=document.title), "success")
    return redirect(url_for(".conventions", estate_id=estate.id))


# --- the owners' page ----------------------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/board")
@login_required
def board(estate_id: int):
    """R-60 to R-64: the red and the black board side by side, names masked, with the year's
    rectified and removed entries as the headline."""
    estate = load_or_404(Estate, estate_id, "board.view")
    return render_template("pledges/board.html", estate=estate, red=services.showing(estate, Board.RED),
                           black=services.showing(estate, Board.BLACK), repairs=services.repairs(estate),
                           mine=services.my_entries(estate, current_user), clause_title=services.clause_title,
                           deed_titles=DEED_TITLES, window_open=services.window_open,
                           objections_until=services.objections_until)


# --- nominations and warnings ----------------------------------------------------------------------------

def _nomination_form(estate) -> NominationForm:
    form = NominationForm()
    form.deed.choices = [SelectChoice(k, str(t)) for k, t in DEED_TITLES.items()]
    form.clause.choices = _clause_choices(estate, optional=True)
    return form


@bp.route("/estates/<int:estate_id>/board/nominate", methods=["GET", "POST"])
@login_required
def nominate(estate_id: int):
    estate, form, entry = _sent(estate_id, "board.nominate", _nomination_form, services.nominate)
    if entry is None:
        return _form_page("pledges/nominate.html", estate, form)
    return done(_("Recognised on the red board.") if entry.step == Step.SHOWN else
                _("Thank you: the committee will consider your nomination."), url_for(".board", estate_id=estate.id))


def _warning_form(estate) -> WarningForm:
    form = WarningForm()
    form.clause.choices = _clause_choices(estate, optional=False)
    form.severity.choices = [SelectChoice(k, str(t)) for k, t in SEVERITY_TITLES.items()]
    form.subject_member.choices = [SelectChoice("", _("— no —"))] + [
        SelectChoice(str(m.id), m.name) for m in disclosure.current_members(estate)]
    return form


@bp.route("/estates/<int:estate_id>/board/breaches/new", methods=["GET", "POST"])
@login_required
def new_breach(estate_id: int):
    """R-62 step 1: the warning (劝阻) that was ignored starts a black-board entry."""
    estate, form, entry = _sent(estate_id, "board.warn", _warning_form, services.record_warning)
    if entry is None:
        return _form_page("pledges/new_breach.html", estate, form)
    return done(_("The warning is recorded. Next: add the evidence."),
                url_for(".entry", estate_id=estate.id, entry_id=entry.id))


@bp.get("/estates/<int:estate_id>/board/manage")
@login_required
def manage(estate_id: int):
    estate = load_or_404(Estate, estate_id, "board.manage")
    return render_template("pledges/manage.html", estate=estate, entries=services.in_progress(estate),
                           step_titles=STEP_TITLES, showing=services.is_showing, removal_titles=REMOVAL_TITLES)


# --- one entry and its steps ----------------------------------------------------------------------------

# The forms of an entry's page; one given to the page (as typed) takes the place of its empty one.
ENTRY_FORMS = {"evidence_form": EvidenceForm, "approve_form": DecisionChoiceForm, "notify_form": NotifyForm,
               "objection_form": ObjectionForm, "answer_form": ObjectionDecisionForm, "rectified_form": RectifiedForm,
               "approval_form": ApprovalForm, "action_form": ActionForm}


def _entry_page(estate, entry, status: int = 200, **forms):
    for name, form_class in ENTRY_FORMS.items():
        if name not in forms:  # made in this order, so that each field keeps its id on the page
            forms[name] = form_class(formdata=None)
    for name in ("approve_form", "answer_form"):
        forms[name].decision.choices = _decision_choices(estate)
    manager = can(current_user, "board.manage", entry)
    return render_template("pledges/entry.html", estate=estate, entry=entry, manager=manager,
                           subject=is_subject(current_user, entry), step_titles=STEP_TITLES,
                           deed_titles=DEED_TITLES, severity_titles=SEVERITY_TITLES,
                           clause=services.clause_title(entry.clause_id), showing=services.is_showing(entry),
                           window_open=services.window_open(entry),
                           objections_until=services.objections_until(entry), has_account=services.has_account(entry),
                           act=lambda action: can_act_on(current_user, action, entry), **forms), status


@bp.get("/estates/<int:estate_id>/board/entries/<int:entry_id>")
@login_required
def entry(estate_id: int, entry_id: int):
    estate = load_or_404(Estate, estate_id, "board.view")
    return _entry_page(estate, _entry(estate, entry_id, "board.manage", "subject"))


# Each step is one POST from the entry's page, below /estates/<id>/board/entries/<id>/: the
# permission it needs, the form it reads, what it does and what it says. Refused or invalid, the
# entry's page shows again with what was typed (400).
_STEPS = {  # (endpoint, path): (action, form's name on the page, act(entry, form), said)
    ("evidence", "evidence"): (
        "board.add_evidence", "evidence_form",
        lambda entry, form: services.add_evidence(entry, **form.values(), actor=current_user), _l("Evidence added.")),
    ("approve", "approve"): (
        "board.approve", "approve_form",
        lambda entry, form: services.approve(entry, decision_id=chosen_id(form.decision.data), actor=current_user),
        _l("Approved by the committee's decision. Next: notify the person.")),
    ("notify", "notify"): (
        "board.notify", "notify_form", lambda entry, form: services.notify(entry, how=form.how.data, actor=current_user),
        _l("The notification is recorded; the objection window has started.")),
    ("objection", "objection"): (
        "board.object", "objection_form",
        lambda entry, form: services.object_to(entry, **form.values(), actor=current_user),
        _l("Your objection is sent; the committee will decide and answer you.")),
    ("decide_objection", "objection/decision"): (
        "board.decide_objection", "answer_form",
        lambda entry, form: services.decide_objection(entry, upheld=form.outcome.data == "upheld",
                                                      answer=form.answer.data,
                                                      decision_id=chosen_id(form.decision.data), actor=current_user),
        _l("The decision on the objection is recorded.")),
    ("rectified", "rectified"): (
        "board.record_rectified", "rectified_form",
        lambda entry, form: services.record_rectified(entry, on=form.on.data, actor=current_user),
        _l("The rectification is recorded.")),
    ("pledge", "pledge"): (
        "board.pledge", "action_form", lambda entry, form: services.pledge(entry, current_user),
        _l("Your pledge is recorded.")),
    ("recognition", "recognition"): (
        "board.approve_red", "approval_form",
        lambda entry, form: services.approve_nomination(entry, approve=form.outcome.data == "approve",
                                                        actor=current_user),
        _l("The committee's answer is recorded.")),
}


def _step_view(action: str, form_name: str, act, said):
    @login_required
    def view(estate_id: int, entry_id: int):
        """One step of an entry: validate, act, commit; a refusal or a bad form shows the entry again
        with what was typed."""
        estate = load_or_404(Estate, estate_id, "board.view")
        found = _entry(estate, entry_id, action)
        form = ENTRY_FORMS[form_name]()
        if form_name in ("approve_form", "answer_form"):
            form.decision.choices = _decision_choices(estate)
        if saved(form, lambda: act(found, form) or found, BoardError) is None:  # the entry, whatever act returns
            return _entry_page(estate, found, 400, **{form_name: form})
        if found.removed_at is not None:
            return done(str(said), url_for(".board", estate_id=estate.id))
        return done(str(said), url_for(".entry", estate_id=estate.id, entry_id=found.id))
    return view


for (_endpoint, _path), _step in _STEPS.items():
    bp.add_url_rule(f"/estates/<int:estate_id>/board/entries/<int:entry_id>/{_path}", _endpoint,
                    _step_view(*_step), methods=["POST"])


@bp.get("/estates/<int:estate_id>/board/entries/<int:entry_id>/notice.pdf")
@login_required
def notice_pdf(estate_id: int, entry_id: int):
    estate = load_or_404(Estate, estate_id, "board.view")
    found = _entry(estate, entry_id, "board.notify", "subject")
    if found.step != Step.NOTIFIED:
        abort(404)
    content = printing.board_notice_pdf(services.notice_data(found), estate_id=estate.id, entry_id=found.id,
                                         actor=current_user)
    db.session.commit()
    return pdf_response(content, f"board-notice-{found.id}.pdf")


@bp.get("/estates/<int:estate_id>/board/entries/<int:entry_id>/evidence/<int:evidence_id>")
@login_required
def evidence_file(estate_id: int, entry_id: int, evidence_id: int):
    estate = load_or_404(Estate, estate_id, "board.manage")
    found = _entry(estate, entry_id, "board.manage")
    item = child_or_404(BoardEvidence, evidence_id, found, parent_id="entry_id")
    return file_responses.inline(item.file_id, None, f"evidence-{evidence_id}")


# --- the red board for community services ------------------------------------------------------

def _red_board_cells(estate) -> list[list[str]]:
    headers = {"name": _("Name"), "unit": _("Unit"), "deed": _("Recognised for"), "clause": _("Clause"),
               "reason": _("What they did"), "from": _("Shown from"), "until": _("Shown until")}
    return export.table(services.red_export_rows(estate), headers, {k: str(v) for k, v in DEED_TITLES.items()})


def _spreadsheet(cells, extension: str, filename: str) -> Response:
    content = export.as_csv(cells) if extension == "csv" else export.as_xlsx(cells)
    mimetype = "text/csv" if extension == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(content, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename={filename}.{extension}"})


@bp.get("/estates/<int:estate_id>/board/red-board.<any(csv, xlsx):extension>")
@login_required
def red_export(estate_id: int, extension: str):
    """Only the red board is ever exported (R-64, R-65)."""
    estate = load_or_404(Estate, estate_id, "board.export")
    cells = _red_board_cells(estate)
    services.record_export(estate, extension, len(cells) - 1, current_user)
    db.session.commit()
    return _spreadsheet(cells, extension, f"red-board-{estate.id}")
