"""Pages of the estate's accounts, for the committee and for every owner."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from ..core import clock
from ..auth.permissions import can, child_or_404, found_or_404, load_or_404, visible_estates
from ..auth.services import second_factor_is_fresh
from ..auth.stepup import fresh_second_factor
from ..core.refusals import done, filled, invalid, message, returning_to
from ..estates.models import Estate
from ..estates.services import current_roll_units
from ..extensions import db
from ..files import responses as file_responses
from ..jobs import services as jobs
from . import bank_file, export, pages, rules, services, tasks
from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from . import home  # noqa: F401  (registers what waits on the home page)
from .forms import (
    AnswerForm, BankUploadForm, DraftForm, EvidenceForm, MappingForm, PolicyForm, QuestionForm, ReverseForm,
    SetupForm, StatementForm, UnitBalancesForm, chosen_categories,
)
from .messages import ACCOUNT_TITLES
from .models import AccountKind, Entry, EntryEvidence, EntryState, FundError, Question, Statement
from .printing import statement_view

bp = Blueprint("funds", __name__)


def _account_of(estate, kind: str):
    return found_or_404(services.get_account(estate, kind))


def _account(estate_id: int, kind: str, action: str):
    """The estate, if the user may do ``action`` there, and its account of ``kind``; 404 otherwise."""
    estate = load_or_404(Estate, estate_id, action)
    return estate, _account_of(estate, kind)


def _entry(estate_id: int, entry_id: int, action: str) -> tuple[Estate, Entry]:
    """The estate, if the user may do ``action`` there, and its entry (a draft only for those who
    manage the accounts); 404 otherwise."""
    estate = load_or_404(Estate, estate_id, action)
    entry = child_or_404(Entry, entry_id, estate)
    if entry.state == EntryState.DRAFT and not can(current_user, "funds.manage", estate):
        abort(404)
    return estate, entry


def _entry_request(estate_id: int, entry_id: int, action: str) -> tuple[Estate, Entry, str]:
    """:func:`_entry`, and the entry's page, to which a refusal of this request returns."""
    estate, entry = _entry(estate_id, entry_id, action)
    return estate, entry, returning_to(url_for(".entry", estate_id=estate.id, entry_id=entry.id))


def _money(text: str) -> int:
    try:
        return rules.parse_yuan(text or "")
    except rules.MoneyError as error:
        raise FundError("bad_amount") from error


def _authority(value: str | None) -> services.Authority:
    if not value:
        return services.Authority()
    kind, _sep, rest = value.partition(":")
    if kind == "emergency":
        return services.Authority(emergency_case=rest)
    if kind == "vote":
        vote_id, _sep, item = rest.partition(":")
        if vote_id.isdigit():
            return services.Authority(vote_id=int(vote_id), item=item)
    return services.Authority()


# --- the overview -----------------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/funds")
@login_required
def overview(estate_id: int):
    estate = load_or_404(Estate, estate_id, "funds.view")
    return render_template("funds/overview.html", **pages.overview_page(estate, current_user))


@bp.post("/estates/<int:estate_id>/funds/setup")
@login_required
def setup(estate_id: int):
    estate = load_or_404(Estate, estate_id, "funds.manage")
    back = returning_to(url_for(".overview", estate_id=estate.id))
    form = filled(SetupForm(), _("Fill in every amount and the start day."))
    first_period_amount = _money(form.fund_first_period.data)
    balances = {AccountKind.MAINTENANCE_FUND: _money(form.fund_opening.data),
                AccountKind.COMMON_INCOME: _money(form.income_opening.data),
                AccountKind.WORKING_FUND: _money(form.working_opening.data)}
    services.open_accounts(estate, opened_on=form.opened_on.data, first_period_amount=first_period_amount,
                           balances=balances, actor=current_user)
    return done(_("The accounts are open."), back)


UNIT_BALANCE_REASONS = {
    "encoding": _l("The file is neither UTF-8 nor GBK text."),
    "columns": _l("Row %(row)d needs two columns: unit and balance."),
    "amount": _l("Row %(row)d: “%(value)s” is not an amount of yuan with at most two decimals."),
    "unit": _l("Row %(row)d: unit “%(value)s” is not in the estate's roll."),
    "duplicate": _l("Row %(row)d: unit “%(value)s” appears twice."),
    "empty": _l("The file has no balances."),
}


@bp.post("/estates/<int:estate_id>/funds/unit-balances")
@login_required
def unit_balances(estate_id: int):
    """Each unit's own fund balance from the housing authority's statement: shown to owners
    instead of the share by area. Nothing is written while the file has a problem."""
    estate = load_or_404(Estate, estate_id, "funds.manage")
    back = returning_to(url_for(".overview", estate_id=estate.id))
    form = filled(UnitBalancesForm(), _("Choose the file and the date of the statement."))
    known = {unit.label for unit in current_roll_units(estate)}
    balances, problems = services.read_unit_balances(form.file.data.read(), known)
    if problems:
        return _unit_balance_problems(problems, back)
    services.replace_unit_balances(estate, balances, form.as_of.data, current_user)
    return done(_("%(count)d unit balances recorded.", count=len(balances)), back)


def _unit_balance_problems(problems, back: str):
    """Say what is wrong with the file (its first 20 problems) and go back; nothing is written."""
    for row, reason, value in problems[:20]:
        flash(str(UNIT_BALANCE_REASONS[reason]) % {"row": row, "value": value}, "error")
    return redirect(back)


@bp.post("/estates/<int:estate_id>/funds/policy")
@login_required
def policy(estate_id: int):
    estate = load_or_404(Estate, estate_id, "funds.manage")
    back = url_for(".overview", estate_id=estate.id)
    form = PolicyForm()
    if not form.validate_on_submit():
        return redirect(back)
    services.set_policy(estate, form.income_tops_up_fund.data, current_user)
    return done(_("Saved."), back)


# --- an account and its entries ----------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>")
@login_required
def account(estate_id: int, kind: str):
    estate, found = _account(estate_id, kind, "funds.view")
    filters = pages.filter_form(kind, request.args)
    return render_template("funds/account.html", **pages.account_page(estate, found, kind, filters, current_user))


@bp.post("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/drafts")
@login_required
def post_drafts(estate_id: int, kind: str):
    """Imported lines categorised and posted several at a time (``draft-<id>``: its category).
    A refused batch returns to the page the form was on."""
    estate, account = _account(estate_id, kind, "funds.manage")
    posted = services.post_drafts(estate, account, chosen_categories(request.form), current_user)
    return done(ngettext("%(num)d entry posted.", "%(num)d entries posted.", posted),
                url_for(".account", estate_id=estate.id, kind=kind))


@bp.post("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/entries")
@login_required
def add_entry(estate_id: int, kind: str):
    estate, account = _account(estate_id, kind, "funds.manage")
    back = returning_to(url_for(".account", estate_id=estate.id, kind=kind))
    form = pages.entry_form(estate, kind)
    if not form.validate_on_submit():
        return invalid(_("Check the entry: %(problems)s", problems="; ".join(
            f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items())), back)
    entry = services.add_entry(estate, account, day=form.day.data, direction=form.direction.data,
                               amount=_money(form.amount.data), category=form.category.data,
                               counterparty=form.counterparty.data or "", description=form.description.data or "",
                               authority=_authority(form.authority.data), actor=current_user)
    return done(_("Entry recorded."), url_for(".entry", estate_id=estate.id, entry_id=entry.id))


@bp.post("/estates/<int:estate_id>/funds/transfer")
@login_required
def transfer(estate_id: int):
    estate = load_or_404(Estate, estate_id, "funds.manage")
    returning_to(url_for(".overview", estate_id=estate.id))
    form = filled(pages.transfer_form(), _("Choose the accounts, the date and the amount."))
    source, target = _account_of(estate, form.source.data), _account_of(estate, form.target.data)
    back = returning_to(url_for(".account", estate_id=estate.id, kind=form.source.data))
    services.transfer(estate, source, target, day=form.day.data, amount=_money(form.amount.data),
                      description=form.description.data or "", actor=current_user)
    return done(_("Transfer recorded."), back)


@bp.get("/estates/<int:estate_id>/funds/entries/<int:entry_id>")
@login_required
def entry(estate_id: int, entry_id: int):
    estate, found = _entry(estate_id, entry_id, "funds.view")
    return render_template("funds/entry.html", **pages.entry_page(estate, found, current_user))


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/post")
@login_required
def post_draft(estate_id: int, entry_id: int):
    estate, found, back = _entry_request(estate_id, entry_id, "funds.manage")
    # the service refuses the wrong direction
    form = filled(pages.entry_form(estate, found.account.kind.value, DraftForm()), _("Choose a category."))
    services.post_draft(estate, found, category=form.category.data, counterparty=form.counterparty.data or "",
                        description=form.description.data or "", authority=_authority(form.authority.data),
                        actor=current_user)
    return done(_("Entry posted."), back)


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/discard")
@login_required
def discard(estate_id: int, entry_id: int):
    estate, found, _back = _entry_request(estate_id, entry_id, "funds.manage")
    to_account = url_for(".account", estate_id=estate.id, kind=found.account.kind.value)
    services.discard_draft(found, current_user)
    return done(_("Draft discarded."), to_account)


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/reverse")
@login_required
def reverse(estate_id: int, entry_id: int):
    estate, found, _back = _entry_request(estate_id, entry_id, "funds.manage")
    form = filled(ReverseForm(), _("Give the date and the reason of the correction."))
    correction = services.reverse(estate, found, day=form.day.data, reason=form.reason.data, actor=current_user)
    return done(_("The entry is reversed. Record the correct entry if there is one."),
                url_for(".entry", estate_id=estate.id, entry_id=correction.id))


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence")
@login_required
def attach(estate_id: int, entry_id: int):
    estate, found, back = _entry_request(estate_id, entry_id, "funds.manage")
    form = filled(EvidenceForm(), _("Choose a file."))
    upload = form.file.data  # a refused file is said as any refusal: files.messages
    services.attach_evidence(found, upload.read(), form.label.data or upload.filename or "", current_user,
                             filename=upload.filename or "")
    return done(_("Evidence attached."), back)


@bp.get("/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence/<int:evidence_id>")
@login_required
def evidence(estate_id: int, entry_id: int, evidence_id: int):
    estate, found = _entry(estate_id, entry_id, "funds.view")
    item = child_or_404(EntryEvidence, evidence_id, found, parent_id="entry_id")
    return file_responses.inline(item.file_id, item.filename, f"evidence-{evidence_id}")


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/questions")
@login_required
def ask(estate_id: int, entry_id: int):
    estate, found, back = _entry_request(estate_id, entry_id, "funds.ask")
    form = filled(QuestionForm(), _("Write your question."))
    services.ask(found, current_user, form.text.data)
    return done(_("Your question is sent; the committee's answer will appear here for every owner."), back)


@bp.post("/estates/<int:estate_id>/funds/questions/<int:question_id>/answer")
@login_required
def answer(estate_id: int, question_id: int):
    estate = load_or_404(Estate, estate_id, "funds.manage")
    question = child_or_404(Question, question_id, estate)
    back = returning_to(url_for(".entry", estate_id=estate.id, entry_id=question.entry_id))
    form = filled(AnswerForm(), _("Write the answer."))
    services.answer(question, current_user, form.text.data)
    return done(_("The answer is published."), back)


# --- bank statements -------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/bank",
          methods=["GET", "POST"])
@login_required
def bank(estate_id: int, kind: str):
    estate, account = _account(estate_id, kind, "funds.manage")
    upload_form, mapping_form = BankUploadForm(), MappingForm()
    upload, headers, problems = _bank_upload(estate, account, upload_form, mapping_form)
    report = bank_file.BankFile(rows=[], problems=problems) if problems else None
    if upload is not None and not problems:
        report = _bank_mapping(estate, account, upload, headers, mapping_form)
        if isinstance(report, str):  # confirmed: the account's lines, or the job writing them
            return redirect(report)
    return render_template("funds/bank.html", estate=estate, account=account, kind=kind, upload_form=upload_form,
                           mapping_form=mapping_form, upload=upload, report=report, headers=headers,
                           describe=_bank_problem, column_title=_bank_column), \
        422 if report is not None and report.problems else 200


def _bank_upload(estate, account, upload_form: BankUploadForm, mapping_form: MappingForm):
    """(upload, headers, problems) of this request: a new file, kept once it reads; or the one
    kept before whose columns are being chosen; or none yet."""
    if "file" in request.files and upload_form.validate_on_submit():
        content, filename = upload_form.file.data.read(), upload_form.file.data.filename or ""
        # Read before it is kept: a file that cannot be read (or is too large to) leaves nothing behind.
        headers, _rows, problems = bank_file.read_table(content, filename)
        if problems:
            return None, headers, problems
        upload = services.store_bank_upload(estate, account, filename, content)
        db.session.commit()
        return upload, headers, problems
    if not mapping_form.upload_id.data:
        return None, [], []
    upload = services.pending_bank_upload(estate, account, mapping_form.upload_id.data)
    if upload is None:
        abort(404)
    headers, _rows, problems = bank_file.read_table(upload.content, upload.filename)
    return upload, headers, problems


def _bank_mapping(estate, account, upload, headers: list[str], mapping_form: MappingForm):
    """The columns chosen (or guessed) for a readable upload and the dry run with them; with
    "confirm", the drafts (by a job for a large file). The report to show, or once confirmed the
    address to go to: the account, or the page of the job."""
    mapping = _bank_columns(estate, headers, mapping_form)
    mapping_form.upload_id.data = str(upload.id)
    mapping_problems = bank_file.validate_mapping(mapping, headers)
    if mapping_problems:
        return bank_file.BankFile(rows=[], problems=[bank_file.Problem(0, "", code, "") for code in mapping_problems])
    report = bank_file.read_bank_rows(upload.content, upload.filename, mapping)
    if report.problems or not request.form.get("confirm"):
        return report
    if tasks.wants_job(report.rows):  # a large file: a job writes it, its page shows how far it is
        return jobs.launched(*tasks.start_bank_import(estate, account, upload, mapping, len(report.rows),
                                                     current_user))
    return _import_bank_rows(estate, account, upload, report, mapping)


def _bank_columns(estate, headers: list[str], mapping_form: MappingForm) -> dict[str, str]:
    """The columns chosen in the form, else those the estate used last time, else guessed; shown
    in the mapping form. The fields given a column, with their column."""
    saved = services.settings(estate).bank_columns or {}
    mapping = {field: request.form.get(field) or None for field in bank_file.MAPPING_FIELDS} \
        if mapping_form.upload_id.data else ({k: v for k, v in saved.items() if v in headers}
                                             or bank_file.guess_mapping(headers))
    choices = [SelectChoice("", "—")] + [SelectChoice(h, h) for h in headers]
    for field in bank_file.MAPPING_FIELDS:
        mapping_form[field].choices = choices
        mapping_form[field].data = mapping.get(field) or ""
    return {k: v for k, v in mapping.items() if v}


def _import_bank_rows(estate, account, upload, report, mapping: dict[str, str]):
    """The confirmed rows become drafts: the address of the account; a refusal is shown with the
    dry run's report, on the same page."""
    try:
        created, skipped = services.import_bank_upload(estate, account, upload, report.rows, mapping, current_user)
    except FundError as error:
        db.session.rollback()
        flash(message(error), "error")
        return report
    db.session.commit()
    flash(_("%(created)d draft entries created, %(skipped)d already imported.", created=created, skipped=skipped),
          "success")
    return url_for(".account", estate_id=estate.id, kind=account.kind.value)


def _bank_problem(problem) -> str:
    from .bank_messages import REASONS

    template = REASONS.get(problem.reason, problem.reason)
    return str(template) % {"value": problem.value}


def _bank_column(field: str) -> str:
    from .bank_messages import field_title

    return field_title(field)


# --- statements ----------------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/statements/new",
          methods=["GET", "POST"])
@login_required
def new_statement(estate_id: int, kind: str):
    """Preview a period; publishing is its own request, with step-up."""
    estate, account = _account(estate_id, kind, "funds.manage")
    start = services.covered_until(account) + dt.timedelta(days=1)
    form = StatementForm(start=start, end=min(services.cadence(account).period_end, clock.today()))
    view = None
    if form.validate_on_submit() and form.end.data >= form.start.data:
        view = statement_view(estate, account, form.start.data, form.end.data)
    return render_template("funds/new_statement.html", estate=estate, account=account, kind=kind, form=form,
                           view=view, can_publish=can(current_user, "funds.publish", estate),
                           code_fresh=second_factor_is_fresh(current_user.current_session))


def _publishable_account(estate_id: int, kind: str):
    return _account(estate_id, kind, "funds.publish")[1]


@bp.post("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/statements")
@login_required
@fresh_second_factor(may=_publishable_account)
def publish_statement(estate_id: int, kind: str):
    """R-54: the committee chair publishes with a fresh code; the statement is then frozen."""
    estate, account = _account(estate_id, kind, "funds.publish")
    returning_to(url_for(".new_statement", estate_id=estate.id, kind=kind))
    form = filled(StatementForm(), _("Choose the last day of the period."))
    published = services.publish_statement(estate, account, start=form.start.data, end=form.end.data,
                                           actor=current_user)
    return done(_("The statement is published; it can no longer change."),
                url_for(".statement", estate_id=estate.id, statement_id=published.id))


@bp.get("/estates/<int:estate_id>/funds/statements/<int:statement_id>")
@login_required
def statement(estate_id: int, statement_id: int):
    estate = load_or_404(Estate, estate_id, "funds.view")
    found = child_or_404(Statement, statement_id, estate)
    return render_template("funds/statement.html", estate=estate, statement=found,
                           view=statement_view(estate, found.account, None, None, found),
                           corrections=services.corrections_of(found))


@bp.get("/estates/<int:estate_id>/funds/statements/<int:statement_id>.<any(csv, xlsx):fmt>")
@login_required
def export_statement(estate_id: int, statement_id: int, fmt: str):
    estate = load_or_404(Estate, estate_id, "funds.view")
    found = child_or_404(Statement, statement_id, estate)
    view = statement_view(estate, found.account, None, None, found)
    name = f"statement-{found.account.kind.value}-{found.period_start}-{found.period_end}"
    return _statement_file(view, name, fmt)


def _statement_file(view, name: str, fmt: str) -> Response:
    """A statement as a spreadsheet to download: CSV or XLSX."""
    labels = export_labels()
    if fmt == "csv":
        return Response(export.statement_csv(view, labels), mimetype="text/csv",
                        headers=file_responses.attachment_headers(f"{name}.csv"))
    return Response(export.statement_xlsx(view, labels),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=file_responses.attachment_headers(f"{name}.xlsx"))


def export_labels() -> dict:
    return {"estate": _("Estate"), "account": _("Account"), "period": _("Period"), "opening": _("Opening balance"),
            "closing": _("Closing balance"), "date": _("Date"), "direction": _("In or out"), "in": _("In"),
            "out": _("Out"), "category": _("Category"), "counterparty": _("Counterparty"),
            "description": _("Description"), "amount": _("Amount (yuan)"), "signed": _("Signed amount"),
            "totals_in": _("Money in by category"), "totals_out": _("Money out by category"),
            "total_in": _("Total in"), "total_out": _("Total out"), "authority": _("Authority for the expense (R-53)")}


# --- supervisors ----------------------------------------------------------------------------------------

@bp.get("/funds/supervision")
@login_required
def supervision():
    """Every estate the user supervises (one query), with what is due there."""
    estates = db.session.scalars(visible_estates(current_user, "funds.supervise")
                                 .order_by(Estate.community_id, Estate.name)).all()
    if not estates:
        abort(404)
    rows = services.supervision(estates)
    return render_template("funds/supervision.html", rows=rows, account_titles=ACCOUNT_TITLES)
