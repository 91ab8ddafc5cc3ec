"""Pages of supervision: the dashboard, an estate's process with its timeline, and each stage's form.

Handlers load the estate for the action (404 out of scope), check the form, call one service and
commit. A refused form is shown again with what was typed and the reason (nothing is kept).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..auth.permissions import can, child_or_404, load_or_404, visible_estates
from ..core import clock
from ..core.refusals import attempted, done
from ..estates.models import Estate
from ..extensions import db
from ..files import responses as file_responses
from ..files.services import FileRefused
from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from ..jobs import services as jobs
from . import documents, permissions, services, tasks, views
from . import export as export_file
from .forms import (
    AnswerForm, ElectionForm, FilingForm, FilterForm, HandoverForm, MemberForm, NomineeForm, ObjectionForm,
    PlanForm, ReturnForm, ReviewForm, StageForm, StartForm,
)
from .messages import (
    GROUND_TITLES, HANDOVER_TITLES, KIND_TITLES, ROLE_TITLES, SIGNER_TITLES, SOURCE_TITLES, STAGE_TITLES,
)
from .models import GroupRole, Nomination, Nominee, Objection, ProcessKind, StageRecord, SupervisionError

bp = Blueprint("supervision", __name__)
DUTY_KINDS = ("supervision.report", "supervision.group", "supervision.filing", "voting.post_result",
              "disclosure.post_decisions", "funds.statement", "funds.top_up", "funds.question")


# --- the dashboard ---------------------------------------------------------------------------------

def _dashboard_data():
    query = visible_estates(current_user, "supervision.dashboard")
    form = FilterForm(request.args)
    community = request.args.get("community", type=int)
    kind = request.args.get("kind") if request.args.get("kind") in DUTY_KINDS else None
    rows, headline, communities = views.dashboard(query, clock.today(), community=community, kind=kind)
    if not headline.estates:
        abort(404)
    form.community.choices = [("", _("Every community"))] + [(str(cid), name) for cid, name in communities]
    form.kind.choices = [("", _("Every kind of duty"))] + [(kind, duty_kind_title(kind)) for kind in DUTY_KINDS]
    return form, rows, headline


@bp.get("/supervision/")
@login_required
def dashboard():
    form, rows, headline = _dashboard_data()
    lines = Words().lines(rows, clock.today(), url_for("supervision.estate", estate_id=ESTATE_MARK))
    return render_template("supervision/dashboard.html", form=form, lines=lines, headline=headline, views=views)


@bp.post("/supervision/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    """A job writes the dashboard's rows (with the filters shown) as a file; its page shows
    progress, then the file."""
    if not tasks.supervises_any(current_user):
        abort(404)
    community = request.form.get("community", type=int)
    kind = request.form.get("kind") if request.form.get("kind") in DUTY_KINDS else None
    return redirect(jobs.launched(tasks.start_export(fmt, community, kind, current_user)))


# A page of 500 estates has thousands of repeated words: each is translated once per page and filled
# in per row, and the estates' links are made from one url_for.
ESTATE_MARK = 987654321  # an estate id no database reaches, replaced in the link made for the page


@dataclass(frozen=True, slots=True)
class DutyLine:
    title: str
    link: str
    overdue: bool
    when: str  # "overdue by 3 days" or "due 2027-01-30"
    rule: str


@dataclass(frozen=True, slots=True)
class VoteLine:
    turnout: str  # "Open vote “...”: 40 of 60 owners (66.7%), 66.7% of the area taking part"
    reached: str  # two thirds reached or not


@dataclass(frozen=True, slots=True)
class EstateLine:
    estate_id: int
    name: str
    community: str
    link: str
    committee: str
    no_committee: bool
    duties: list[DutyLine]
    votes: list[VoteLine]


class Words(export_file.CommitteeWords):
    """The dashboard's words in the reader's language, each translated once."""

    def __init__(self):
        super().__init__()
        self.overdue = _("overdue by %(days)d days")
        self.due = _("due %(day)s")
        self.open_vote = _("Open vote “%(title)s”: %(heads)d of %(total_heads)d owners (%(heads_share)s%%), "
                           "%(area_share)s%% of the area taking part")
        self.reached = _("two thirds reached (R-10)")
        self.not_reached = _("two thirds not yet reached (R-10)")

    def duty(self, duty, today) -> DutyLine:
        days_left = duty.days_left(today)
        when = self.overdue % {"days": -days_left} if days_left < 0 else self.due % {"day": duty.due}
        return DutyLine(str(duty.title), duty.link, days_left < 0, when, duty.rule)

    def vote(self, vote) -> VoteLine:
        text = self.open_vote % {"title": vote.title, "heads": vote.heads, "total_heads": vote.total_heads,
                                 "heads_share": views.turnout_share(vote.heads, vote.total_heads),
                                 "area_share": views.turnout_share(vote.area, vote.total_area)}
        return VoteLine(text, self.reached if views.two_thirds_met(vote) else self.not_reached)

    def lines(self, rows, today, estate_link: str) -> list[EstateLine]:
        """What the dashboard's template shows of each row, ready to print."""
        mark = str(ESTATE_MARK)
        return [EstateLine(row.estate_id, row.name, row.community, estate_link.replace(mark, str(row.estate_id)),
                           self.committee(row), row.committee == "none",
                           [self.duty(duty, today) for duty in row.duties], [self.vote(v) for v in row.votes])
                for row in rows]


@bp.app_template_global()
def duty_kind_title(kind: str) -> str:
    return export_file.duty_kind_title(kind)


# --- an estate's process ----------------------------------------------------------------------------

# The forms of the estate's page, each under its name as the prefix of its fields.
STEP_FORMS = {"start": StartForm, "stage": StageForm, "plan": PlanForm, "member": MemberForm, "nominee": NomineeForm,
              "objection": ObjectionForm, "election": ElectionForm, "filing": FilingForm, "return": ReturnForm,
              "handover": HandoverForm}


def _forms(process) -> dict:
    return {name: form_class(prefix=name) for name, form_class in STEP_FORMS.items()}


def _choices(forms: dict) -> dict:
    """The choices of whichever of the page's forms are in ``forms``."""
    choices = {
        ("start", "kind"): [(k.value, KIND_TITLES[k.value]) for k in ProcessKind],
        ("member", "role"): [(r.value, ROLE_TITLES[r.value]) for r in GroupRole],
        ("nominee", "source"): [(s.value, SOURCE_TITLES[s.value]) for s in Nomination],
        ("handover", "items"): [(i, HANDOVER_TITLES[i]) for i in services.HANDOVER_ITEMS],
        ("handover", "signed"): [(s, SIGNER_TITLES[s]) for s in services.HANDOVER_SIGNERS],
    }
    for (form_name, field_name), options in choices.items():
        if form_name in forms:
            forms[form_name][field_name].choices = options
    return forms


def review_form(nominee: Nominee, formdata=None) -> ReviewForm:
    form = ReviewForm(formdata=formdata, prefix=f"review{nominee.id}")
    form.grounds.choices = [(g, GROUND_TITLES[g]) for g in views.rules.GROUNDS]
    form.decision.choices = [("approved", _("Approve")), ("rejected", _("Reject"))]
    return form


def _page(estate: Estate, status: int = 200, **typed):
    process = services.open_process(estate) or next(iter(services.processes_of(estate)), None)
    forms = _choices({**_forms(process), **typed})
    today = clock.today()
    planned, timeline = {}, None
    if process is not None:
        planned = {stage: services.due_of(process, stage) for stage in views.rules.STAGES}
        if "posting" in process.recorded():
            planned["posting"] = services.posting_last_day(process)
        timeline = views.timeline(process, planned, today)
    reviews = {n.id: typed.get(f"review{n.id}") or review_form(n, formdata=None) for n in
               (process.nominees if process else [])}
    return render_template("supervision/estate.html", estate=estate, process=process, forms=forms, today=today,
                           timeline=timeline, reviews=reviews, term_end=services.term_end(estate),
                           next_stage=process.next_stage() if process and process.closed_on is None else None,
                           cycle=services.cycle_days(process) if process else None, rules=views.rules,
                           stage_titles=STAGE_TITLES, kind_titles=KIND_TITLES, role_titles=ROLE_TITLES,
                           source_titles=SOURCE_TITLES, ground_titles=GROUND_TITLES,
                           handover_titles=HANDOVER_TITLES, signer_titles=SIGNER_TITLES,
                           may=lambda action: can(current_user, action, estate)), status


@bp.get("/supervision/estates/<int:estate_id>")
@login_required
def estate(estate_id: int):
    return _page(load_or_404(Estate, estate_id, "supervision.view"))


def _process(estate: Estate):
    process = services.open_process(estate)
    if process is None:
        raise SupervisionError("closed")
    return process


def _act(estate: Estate, form_name: str, form, act, said: str):
    """Validate ``form``; run ``act(process)``; commit and go back to the page, or show the page
    again with what was typed and why it was refused."""
    if not form.validate_on_submit():
        flash(_("Check the form: %(problems)s", problems="; ".join(
            f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items())), "error")
        return _page(estate, 200, **{form_name: form})
    if attempted(lambda: act() or True, (SupervisionError, FileRefused)) is None:  # refused: said, kept nothing
        return _page(load_or_404(Estate, estate.id, "supervision.view"), 200, **{form_name: form})
    return done(said, url_for(".estate", estate_id=estate.id))


def _on_process(estate_id: int, action: str, form_name: str, act, said: str):
    """A form of the page that acts on the open process: ``act(process, form)`` once it is valid."""
    estate = load_or_404(Estate, estate_id, action)
    form = _choices({form_name: STEP_FORMS[form_name](prefix=form_name)})[form_name]
    return _act(estate, form_name, form, lambda: act(_process(estate), form), str(said))


# The process page's forms that act on the open process, one POST each, registered below as
# Indico's blueprints list their rules: endpoint: (path, action, form's name, act(process, form), said).
_STEPS = {
    "plan": ("plan", "supervision.run", "plan", lambda process, form: services.record_plan(
        process, seats=form.seats.data, structure=form.structure.data or "",
        structure_by_community=form.structure_by_community.data, posting_days=form.posting_days.data,
        happened_on=form.happened_on.data, actor=current_user), _l("Stage recorded.")),
    "add_member": ("members", "supervision.supervise", "member", lambda process, form: services.add_member(
        process, form.name.data, GroupRole(form.role.data), current_user), _l("Member added.")),
    "nominate": ("nominees", "supervision.run", "nominee", lambda process, form: services.nominate(
        process, name=form.name.data, unit=form.unit.data or "", source=Nomination(form.source.data),
        nominated_by=form.nominated_by.data or "", actor=current_user), _l("Candidate added.")),
    "object_to": ("objections", "supervision.run", "objection", lambda process, form: services.object_to(
        process, form.text.data, form.received_on.data, current_user), _l("Objection recorded.")),
    "build_vote": ("vote", "supervision.run", "election", lambda process, form: services.build_vote(
        process, opening_date=form.opening_date.data, last_day=form.last_day.data, actor=current_user),
        _l("The election vote is drafted: the committee publishes its notice (R-40).")),
    "accept_filing": ("filing", "supervision.supervise", "filing", lambda process, form: services.accept_filing(
        process, form.receipt.data, form.happened_on.data, current_user), _l("Filing accepted.")),
    "return_filing": ("filing/return", "supervision.supervise", "return", lambda process, form: services.return_filing(
        process, form.reasons.data, current_user), _l("Filing returned.")),
    "handover": ("handover", "supervision.handover", "handover", lambda process, form: services.record_handover(
        process, done=form.items.data or [], signed=form.signed.data or [],
        happened_on=form.happened_on.data, actor=current_user), _l("Handover recorded.")),
}


def _step_view(action: str, form_name: str, act, said):
    @login_required
    def view(estate_id: int):
        return _on_process(estate_id, action, form_name, act, said)
    return view


for _endpoint, (_path, *_step) in _STEPS.items():
    bp.add_url_rule(f"/supervision/estates/<int:estate_id>/{_path}", _endpoint, _step_view(*_step), methods=["POST"])


@bp.post("/supervision/estates/<int:estate_id>/start")
@login_required
def start(estate_id: int):
    estate = load_or_404(Estate, estate_id, "supervision.supervise")
    form = _choices({"start": StartForm(prefix="start")})["start"]
    return _act(estate, "start", form, lambda: services.start(estate, ProcessKind(form.kind.data), current_user),
                _("The process has started."))


STAGE_SERVICES = {
    "report": lambda p, f, doc: services.record_report(p, f.happened_on.data, doc, f.note.data or "", current_user),
    "group": lambda p, f, doc: services.record_group(p, f.happened_on.data, doc, f.note.data or "", current_user),
    "nominations": lambda p, f, doc: services.close_nominations(p, f.happened_on.data, current_user),
    "review": lambda p, f, doc: services.close_review(p, f.happened_on.data, current_user),
    "posting": lambda p, f, doc: services.record_posting(p, f.happened_on.data, current_user),
    "closed": lambda p, f, doc: services.close(p, f.happened_on.data, current_user),
}


def _document(form) -> bytes | None:
    upload = form.document.data
    return upload.read() if upload and getattr(upload, "filename", "") else None


@bp.post("/supervision/estates/<int:estate_id>/stages/<any(report, group, nominations, review, posting, closed):stage>")
@login_required
def record_stage(estate_id: int, stage: str):
    return _on_process(estate_id, permissions.STAGE_ACTIONS[stage], "stage",
                       lambda process, form: STAGE_SERVICES[stage](process, form, _document(form)),
                       _("Stage recorded."))


def _on_row(estate_id: int, model, ident: int, form_of, act, said: str):
    """A form about one row (a nominee, an objection) of the open process: ``form_of(row)`` gives
    its form's name and form, ``act(process, row, form)`` runs once it is valid; 404 for a row of
    another estate or of a closed process."""
    estate = load_or_404(Estate, estate_id, "supervision.run")
    found = db.session.get(model, ident)
    process = services.open_process(estate)
    if found is None or process is None or found.reelection_id != process.id:
        abort(404)
    form_name, form = form_of(found)
    return _act(estate, form_name, form, lambda: act(process, found, form), said)


@bp.post("/supervision/estates/<int:estate_id>/nominees/<int:nominee_id>/review")
@login_required
def review(estate_id: int, nominee_id: int):
    return _on_row(estate_id, Nominee, nominee_id, lambda n: (f"review{n.id}", review_form(n, formdata=request.form)),
                   lambda process, nominee, form: services.review(
                       process, nominee, grounds=form.grounds.data or [], approve=form.decision.data == "approved",
                       reasons=form.reasons.data or "", pledge_signed=form.pledge_signed.data, actor=current_user),
                   _("Review recorded."))


@bp.post("/supervision/estates/<int:estate_id>/objections/<int:objection_id>/answer")
@login_required
def answer(estate_id: int, objection_id: int):
    return _on_row(estate_id, Objection, objection_id, lambda o: (f"answer{o.id}", AnswerForm(prefix=f"answer{o.id}")),
                   lambda process, objection, form: services.answer_objection(
                       process, objection, form.answer.data, current_user), _("Answer recorded."))


@bp.get("/supervision/estates/<int:estate_id>/stages/<int:record_id>/document")
@login_required
def stage_document(estate_id: int, record_id: int):
    estate = load_or_404(Estate, estate_id, "supervision.view")
    record = child_or_404(StageRecord, record_id, estate, lambda found: found.process.estate_id)
    if record.file_id is None:
        abort(404)
    return file_responses.inline(record.file_id, None, f"{record.stage}-{record.id}")


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="application/pdf",
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "Cache-Control": "private, no-store"})


def _process_pdf(estate_id: int, has, make, name: str) -> Response:
    """The PDF ``make`` writes of the latest process of the estate that ``has`` what it shows; 404 if none."""
    estate = load_or_404(Estate, estate_id, "supervision.view")
    process = next((p for p in services.processes_of(estate) if has(p)), None)
    if process is None:
        abort(404)
    content = make(process, current_user)
    db.session.commit()
    return pdf_response(content, f"{name}-{process.id}.pdf")


@bp.get("/supervision/estates/<int:estate_id>/candidates.pdf")
@login_required
def candidates_pdf(estate_id: int):
    return _process_pdf(estate_id, lambda p: documents.candidate_list_data(p.id), documents.candidate_list_pdf,
                        "candidates")


@bp.get("/supervision/estates/<int:estate_id>/handover.pdf")
@login_required
def handover_pdf(estate_id: int):
    return _process_pdf(estate_id, lambda p: p.handover, documents.handover_pdf, "handover")
