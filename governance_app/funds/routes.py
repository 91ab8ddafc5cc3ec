"""Pages of the estate's accounts, for the committee and for every owner."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from ..auth.permissions import can, visible_estates
from ..auth.permissions import can
from ..auth.services import second_factor_is_fresh
from ..auth.stepup import fresh_second_factor
from ..estates.services import current_roll_units, get_estate
from ..estates.models import Estate
from ..extensions import db
from ..files import responses as file_responses
from ..files import services as files
from ..voting.messages import FILE_REASONS
from ..jobs import services as jobs
from . import bank_file, export, rules, services, tasks
from . import charts as chart_module
from . import duties  # noqa: F401 (registers the package's duties with core.duties)
from . import home  # noqa: F401  (registers what waits on the home page)
from . import rules, services
from .forms import (
    AnswerForm, BankUploadForm, DraftForm, DraftsForm, EntryForm, EvidenceForm, FilterForm, MappingForm, PolicyForm,
    QuestionForm, ReverseForm, SetupForm, StatementForm, TransferForm, UnitBalancesForm,
)
from .messages import (
    ACCOUNT_TITLES, DIRECTION_TITLES, EMERGENCY_TITLES, account_title, category_title, counterparty_text,
    fund_error_message,
)
from .models import AccountKind, Entry, EntryEvidence, EntryState, FundError, Question, Statement
from .printing import authority_text, statement_view

bp = Blueprint("funds", __name__)


def _estate(estate_id: int, action: str = "funds.view"):
    estate = get_estate(estate_id)
    if estate is None or not can(current_user, action, estate):
        abort(404)
    return estate


def _account(estate, kind: str):
    account = services.get_account(estate, kind)
    if account is None:
        abort(404)
    return account


def _entry(estate, entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.estate_id != estate.id:
        abort(404)
    if entry.state == EntryState.DRAFT and not can(current_user, "funds.manage", estate):
        abort(404)
    return entry


def _money(text: str) -> int:
    try:
        return rules.parse_yuan(text or "")
    except rules.MoneyError as error:
        raise FundError("bad_amount") from error


def _fail(error: FundError) -> None:
    db.session.rollback()
    flash(fund_error_message(error), "error")


# --- the overview -----------------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/funds")
@login_required
def overview(estate_id: int):
    estate = _estate(estate_id)
    found = services.accounts(estate)
    manage = can(current_user, "funds.manage", estate)
    shares = {}
    if current_user.owner is not None and current_user.owner.estate_id == estate.id:
        units = [u for u in current_roll_units(estate) if f"o{current_user.owner_id}" in u.owners]
        total = sum(u.area for u in current_roll_units(estate))
        shares = services.unit_shares(estate, {u.label: u.area for u in units}, total)
    charts = {}
    if found:
        for kind, account in found.items():
            charts[kind.value] = chart_module.balance_chart(
                _balance_points(account), title=_("%(account)s: balance over time", account=account_title(kind)),
                desc=_("Balance at the end of each month, in yuan."), id_prefix=f"balance-{kind.value}")
    return render_template(
        "funds/overview.html", estate=estate, accounts=found, manage=manage,
        balances={kind: services.balance(account) for kind, account in found.items()},
        cadence={kind: services.cadence(account) for kind, account in found.items()},
        top_up=services.top_up(estate), checks=services.transfer_checks(estate), shares=shares, charts=charts,
        overdue_questions=services.overdue_questions(estate), setup_form=SetupForm(), account_titles=ACCOUNT_TITLES,
        policy_form=PolicyForm(income_tops_up_fund=services.settings(estate).income_tops_up_fund) if manage else None,
        unit_balances_form=UnitBalancesForm() if manage else None)


def _balance_points(account) -> list[tuple[dt.date, int]]:
    """The balance at the opening and at the end of each month with entries, to today."""
    points = [(account.opened_on, account.opening_balance)]
    running = account.opening_balance
    for entry in db.session.scalars(services.posted(account).order_by(Entry.day, Entry.id)):
        running += rules.signed(entry.direction, entry.amount)
        if points[-1][0] == entry.day:
            points[-1] = (entry.day, running)
        else:
            points.append((entry.day, running))
    return points


@bp.post("/estates/<int:estate_id>/funds/setup")
@login_required
def setup(estate_id: int):
    estate = _estate(estate_id, "funds.manage")
    form = SetupForm()
    if form.validate_on_submit():
        try:
            services.open_accounts(estate, opened_on=form.opened_on.data, first_period_amount=_money(
                form.fund_first_period.data), balances={
                AccountKind.MAINTENANCE_FUND: _money(form.fund_opening.data),
                AccountKind.COMMON_INCOME: _money(form.income_opening.data),
                AccountKind.WORKING_FUND: _money(form.working_opening.data)}, actor=current_user)
        except FundError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("The accounts are open."), "success")
    else:
        flash(_("Fill in every amount and the start day."), "error")
    return redirect(url_for(".overview", estate_id=estate.id))


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
    estate = _estate(estate_id, "funds.manage")
    form = UnitBalancesForm()
    if form.validate_on_submit():
        known = {unit.label for unit in current_roll_units(estate)}
        balances, problems = services.read_unit_balances(form.file.data.read(), known)
        if problems:
            for row, reason, value in problems[:20]:
                flash(str(UNIT_BALANCE_REASONS[reason]) % {"row": row, "value": value}, "error")
        else:
            services.replace_unit_balances(estate, balances, form.as_of.data, current_user)
            db.session.commit()
            flash(_("%(count)d unit balances recorded.", count=len(balances)), "success")
    else:
        flash(_("Choose the file and the date of the statement."), "error")
    return redirect(url_for(".overview", estate_id=estate.id))


@bp.post("/estates/<int:estate_id>/funds/policy")
@login_required
def policy(estate_id: int):
    estate = _estate(estate_id, "funds.manage")
    form = PolicyForm()
    if form.validate_on_submit():
        services.set_policy(estate, form.income_tops_up_fund.data, current_user)
        db.session.commit()
        flash(_("Saved."), "success")
    return redirect(url_for(".overview", estate_id=estate.id))


# --- an account and its entries ----------------------------------------------------------------------

def _category_choices(kind: str, directions=("in", "out"), with_blank=False):
    choices = [SelectChoice("", _("any"))] if with_blank else []
    for direction in directions:
        for code in rules.CATEGORIES[kind][direction]:
            if code == "transfer" and not with_blank:
                continue
            label = f"{DIRECTION_TITLES[direction]} · {category_title(code)}"
            if SelectChoice(code, label) not in choices:
                choices.append(SelectChoice(code, label))
    return choices


def _authority_choices(estate):
    choices = [SelectChoice("", _("— not a maintenance-fund expense —"))]
    for vote_id, item, vote_title, item_title in services.fund_resolutions(estate):
        choices.append(SelectChoice(f"vote:{vote_id}:{item}", _("Resolution “%(item)s” of “%(vote)s”",
                                                                   item=item_title, vote=vote_title)))
    for case in rules.EMERGENCY_CASES:
        choices.append(SelectChoice(f"emergency:{case}", str(EMERGENCY_TITLES[case])))
    return choices


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


def _entry_form(estate, kind: str, form=None, directions=("in", "out")):
    """The entry form; a draft's form offers only the categories of its direction (a line
    the bank says came in is income)."""
    form = form or EntryForm()
    if hasattr(form, "direction"):
        form.direction.choices = [SelectChoice("in", str(DIRECTION_TITLES["in"])),
                                  SelectChoice("out", str(DIRECTION_TITLES["out"]))]
    form.category.choices = _category_choices(kind, directions)
    form.authority.choices = _authority_choices(estate)
    return form


def _transfer_form(form=None):
    form = form or TransferForm()
    choices = [SelectChoice(kind.value, account_title(kind)) for kind in AccountKind]
    form.source.choices, form.target.choices = choices, choices
    return form


@bp.get("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>")
@login_required
def account(estate_id: int, kind: str):
    estate = _estate(estate_id)
    account = _account(estate, kind)
    filters = FilterForm(request.args)
    filters.direction.choices = [SelectChoice("", _("any")), SelectChoice("in", str(DIRECTION_TITLES["in"])),
                                 SelectChoice("out", str(DIRECTION_TITLES["out"]))]
    filters.category.choices = _category_choices(kind, with_blank=True)
    query = services.posted(account)
    if filters.validate():
        if filters.direction.data:
            query = query.where(Entry.direction == filters.direction.data)
        if filters.category.data:
            query = query.where(Entry.category == filters.category.data)
        if filters.since.data:
            query = query.where(Entry.day >= filters.since.data)
        if filters.until.data:
            query = query.where(Entry.day <= filters.until.data)
        if filters.text.data:
            needle = f"%{filters.text.data.strip()}%"
            query = query.where(or_(Entry.counterparty.ilike(needle), Entry.description.ilike(needle)))
    entries = db.session.scalars(query.order_by(Entry.day.desc(), Entry.id.desc()).limit(500)).all()
    manage = can(current_user, "funds.manage", estate)
    drafts = db.session.scalars(select(Entry).where(Entry.account_id == account.id, Entry.state == EntryState.DRAFT)
                                .order_by(Entry.day)).all() if manage else []
    year_start = services.today().replace(month=1, day=1)
    numbers = services.figures(account, max(year_start, account.opened_on), services.today())
    rows = [(f"{DIRECTION_TITLES[d]} · {category_title(c)}", amount) for d in ("in", "out")
            for c, amount in sorted(numbers.totals[d].items(), key=lambda pair: -pair[1])]
    chart = chart_module.category_chart(rows, title=_("This year by category"),
                                        desc=_("Money in and out of the account this year, by category, in yuan."),
                                        id_prefix=f"categories-{kind}")
    return render_template("funds/account.html", estate=estate, account=account, kind=kind, entries=entries,
                           drafts=drafts, manage=manage, filters=filters, chart=chart,
                           balance=services.balance(account), statements=services.statements(account),
                           entry_form=_entry_form(estate, kind) if manage else None,
                           transfer_form=_transfer_form() if manage else None, authority_text=authority_text,
                           cadence=services.cadence(account), drafts_form=DraftsForm() if drafts else None,
                           draft_categories={d: _category_choices(kind, (d,)) for d in ("in", "out")})


@bp.post("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/drafts")
@login_required
def post_drafts(estate_id: int, kind: str):
    """Imported lines categorised and posted several at a time (``draft-<id>``: its category)."""
    estate = _estate(estate_id, "funds.manage")
    account = _account(estate, kind)
    chosen = {int(name[6:]): value for name, value in request.form.items() if name[6:].isdigit()
              and name.startswith("draft-")}
    posted = services.post_drafts(estate, account, chosen, current_user)
    db.session.commit()
    flash(ngettext("%(num)d entry posted.", "%(num)d entries posted.", posted), "success")
    return redirect(url_for(".account", estate_id=estate.id, kind=kind))


@bp.post("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/entries")
@login_required
def add_entry(estate_id: int, kind: str):
    estate = _estate(estate_id, "funds.manage")
    account = _account(estate, kind)
    form = _entry_form(estate, kind)
    if not form.validate_on_submit():
        flash(_("Check the entry: %(problems)s", problems="; ".join(
            f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items())), "error")
        return redirect(url_for(".account", estate_id=estate.id, kind=kind))
    try:
        entry = services.add_entry(estate, account, day=form.day.data, direction=form.direction.data,
                                   amount=_money(form.amount.data), category=form.category.data,
                                   counterparty=form.counterparty.data or "", description=form.description.data or "",
                                   authority=_authority(form.authority.data), actor=current_user)
    except FundError as error:
        _fail(error)
        return redirect(url_for(".account", estate_id=estate.id, kind=kind))
    db.session.commit()
    flash(_("Entry recorded."), "success")
    return redirect(url_for(".entry", estate_id=estate.id, entry_id=entry.id))


@bp.post("/estates/<int:estate_id>/funds/transfer")
@login_required
def transfer(estate_id: int):
    estate = _estate(estate_id, "funds.manage")
    form = _transfer_form()
    if form.validate_on_submit():
        source, target = _account(estate, form.source.data), _account(estate, form.target.data)
        try:
            services.transfer(estate, source, target, day=form.day.data, amount=_money(form.amount.data),
                              description=form.description.data or "", actor=current_user)
        except FundError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("Transfer recorded."), "success")
        return redirect(url_for(".account", estate_id=estate.id, kind=form.source.data))
    flash(_("Choose the accounts, the date and the amount."), "error")
    return redirect(url_for(".overview", estate_id=estate.id))


@bp.get("/estates/<int:estate_id>/funds/entries/<int:entry_id>")
@login_required
def entry(estate_id: int, entry_id: int):
    estate = _estate(estate_id)
    found = _entry(estate, entry_id)
    manage = can(current_user, "funds.manage", estate)
    reversal = db.session.scalar(select(Entry).where(Entry.reverses_id == found.id))
    return render_template(
        "funds/entry.html", estate=estate, entry=found, manage=manage, reversal=reversal,
        authority=authority_text(found), questions=services.questions(estate, found),
        question_form=QuestionForm() if can(current_user, "funds.ask", estate) else None,
        answer_form=AnswerForm() if manage else None, evidence_form=EvidenceForm() if manage else None,
        reverse_form=ReverseForm() if manage and found.state == EntryState.POSTED and not reversal
        and not found.transfer_group else None,
        draft_form=_entry_form(estate, found.account.kind.value, DraftForm(
            formdata=None, category=found.category or None, counterparty=found.counterparty,
            description=found.description), (found.direction,)) if manage and found.state == EntryState.DRAFT else None)


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/post")
@login_required
def post_draft(estate_id: int, entry_id: int):
    estate = _estate(estate_id, "funds.manage")
    found = _entry(estate, entry_id)
    form = _entry_form(estate, found.account.kind.value, DraftForm())  # the service refuses the wrong direction
    if form.validate_on_submit():
        try:
            services.post_draft(estate, found, category=form.category.data, counterparty=form.counterparty.data or "",
                                description=form.description.data or "", authority=_authority(form.authority.data),
                                actor=current_user)
        except FundError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("Entry posted."), "success")
    else:
        flash(_("Choose a category."), "error")
    return redirect(url_for(".entry", estate_id=estate.id, entry_id=found.id))


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/discard")
@login_required
def discard(estate_id: int, entry_id: int):
    estate = _estate(estate_id, "funds.manage")
    found = _entry(estate, entry_id)
    kind = found.account.kind.value
    try:
        services.discard_draft(found, current_user)
    except FundError as error:
        _fail(error)
        return redirect(url_for(".entry", estate_id=estate.id, entry_id=entry_id))
    db.session.commit()
    flash(_("Draft discarded."), "success")
    return redirect(url_for(".account", estate_id=estate.id, kind=kind))


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/reverse")
@login_required
def reverse(estate_id: int, entry_id: int):
    estate = _estate(estate_id, "funds.manage")
    found = _entry(estate, entry_id)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            correction = services.reverse(estate, found, day=form.day.data, reason=form.reason.data,
                                          actor=current_user)
        except FundError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("The entry is reversed. Record the correct entry if there is one."), "success")
            return redirect(url_for(".entry", estate_id=estate.id, entry_id=correction.id))
    else:
        flash(_("Give the date and the reason of the correction."), "error")
    return redirect(url_for(".entry", estate_id=estate.id, entry_id=found.id))


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence")
@login_required
def attach(estate_id: int, entry_id: int):
    estate = _estate(estate_id, "funds.manage")
    found = _entry(estate, entry_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            upload = form.file.data
            services.attach_evidence(found, upload.read(), form.label.data or upload.filename or "", current_user,
                                     filename=upload.filename or "")
        except FundError as error:
            _fail(error)
        except files.FileRefused as error:
            db.session.rollback()
            flash(str(FILE_REASONS[error.reason]), "error")
        else:
            db.session.commit()
            flash(_("Evidence attached."), "success")
    else:
        flash(_("Choose a file."), "error")
    return redirect(url_for(".entry", estate_id=estate.id, entry_id=found.id))


@bp.get("/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence/<int:evidence_id>")
@login_required
def evidence(estate_id: int, entry_id: int, evidence_id: int):
    estate = _estate(estate_id)
    found = _entry(estate, entry_id)
    item = db.session.get(EntryEvidence, evidence_id)
    if item is None or item.entry_id != found.id:
        abort(404)
    return file_responses.inline(item.file_id, item.filename, f"evidence-{evidence_id}")


@bp.post("/estates/<int:estate_id>/funds/entries/<int:entry_id>/questions")
@login_required
def ask(estate_id: int, entry_id: int):
    estate = _estate(estate_id, "funds.ask")
    found = _entry(estate, entry_id)
    form = QuestionForm()
    if form.validate_on_submit():
        services.ask(found, current_user, form.text.data)
        db.session.commit()
        flash(_("Your question is sent; the committee's answer will appear here for every owner."), "success")
    else:
        flash(_("Write your question."), "error")
    return redirect(url_for(".entry", estate_id=estate.id, entry_id=found.id))


@bp.post("/estates/<int:estate_id>/funds/questions/<int:question_id>/answer")
@login_required
def answer(estate_id: int, question_id: int):
    estate = _estate(estate_id, "funds.manage")
    question = db.session.get(Question, question_id)
    if question is None or question.estate_id != estate.id:
        abort(404)
    form = AnswerForm()
    if form.validate_on_submit():
        services.answer(question, current_user, form.text.data)
        db.session.commit()
        flash(_("The answer is published."), "success")
    else:
        flash(_("Write the answer."), "error")
    return redirect(url_for(".entry", estate_id=estate.id, entry_id=question.entry_id))


# --- bank statements -------------------------------------------------------------------------------

@bp.route("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/bank",
          methods=["GET", "POST"])
@login_required
def bank(estate_id: int, kind: str):
    estate = _estate(estate_id, "funds.manage")
    account = _account(estate, kind)
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
    saved = services.settings(estate).bank_columns or {}
    mapping = {field: request.form.get(field) or None for field in bank_file.MAPPING_FIELDS} \
        if mapping_form.upload_id.data else ({k: v for k, v in saved.items() if v in headers}
                                             or bank_file.guess_mapping(headers))
    choices = [SelectChoice("", "—")] + [SelectChoice(h, h) for h in headers]
    for field in bank_file.MAPPING_FIELDS:
        mapping_form[field].choices = choices
        mapping_form[field].data = mapping.get(field) or ""
    mapping_form.upload_id.data = str(upload.id)
    mapping = {k: v for k, v in mapping.items() if v}
    mapping_problems = bank_file.validate_mapping(mapping, headers)
    if mapping_problems:
        return bank_file.BankFile(rows=[], problems=[bank_file.Problem(0, "", code, "") for code in mapping_problems])
    report = bank_file.read_bank_rows(upload.content, upload.filename, mapping)
    if report.problems or not request.form.get("confirm"):
        return report
    if tasks.wants_job(report.rows):  # a large file: a job writes it, its page shows how far it is
        job, new = tasks.start_bank_import(estate, account, upload, mapping, len(report.rows), current_user)
        db.session.commit()
        if new:
            jobs.dispatch(job)
        return url_for("jobs.progress", job_id=job.id)
    try:
        created, skipped = services.import_bank_upload(estate, account, upload, report.rows, mapping, current_user)
    except FundError as error:
        _fail(error)
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
    estate = _estate(estate_id, "funds.manage")
    account = _account(estate, kind)
    start = services.covered_until(account) + dt.timedelta(days=1)
    due = services.cadence(account)
    form = StatementForm(start=start, end=min(due.period_end, services.today()))
    view = None
    if form.validate_on_submit() and form.end.data >= form.start.data:
        view = statement_view(estate, account, form.start.data, form.end.data)
    return render_template("funds/new_statement.html", estate=estate, account=account, kind=kind, form=form,
                           view=view, can_publish=can(current_user, "funds.publish", estate),
                           code_fresh=second_factor_is_fresh(current_user.current_session))


def _publishable_account(estate_id: int, kind: str):
    return _account(_estate(estate_id, "funds.publish"), kind)


@bp.post("/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/statements")
@login_required
@fresh_second_factor(may=_publishable_account)
def publish_statement(estate_id: int, kind: str):
    """R-54: the committee chair publishes with a fresh code; the statement is then frozen."""
    estate = _estate(estate_id, "funds.publish")
    account = _account(estate, kind)
    form = StatementForm()
    if form.validate_on_submit():
        try:
            statement = services.publish_statement(estate, account, start=form.start.data, end=form.end.data,
                                                   actor=current_user)
        except FundError as error:
            _fail(error)
        else:
            db.session.commit()
            flash(_("The statement is published; it can no longer change."), "success")
            return redirect(url_for(".statement", estate_id=estate.id, statement_id=statement.id))
    else:
        flash(_("Choose the last day of the period."), "error")
    return redirect(url_for(".new_statement", estate_id=estate.id, kind=kind))


def _statement(estate, statement_id: int) -> Statement:
    found = db.session.get(Statement, statement_id)
    if found is None or found.estate_id != estate.id:
        abort(404)
    return found


@bp.get("/estates/<int:estate_id>/funds/statements/<int:statement_id>")
@login_required
def statement(estate_id: int, statement_id: int):
    estate = _estate(estate_id)
    found = _statement(estate, statement_id)
    return render_template("funds/statement.html", estate=estate, statement=found,
                           view=statement_view(estate, found.account, None, None, found),
                           corrections=services.corrections_of(found))


@bp.get("/estates/<int:estate_id>/funds/statements/<int:statement_id>.<any(csv, xlsx):fmt>")
@login_required
def export_statement(estate_id: int, statement_id: int, fmt: str):
    estate = _estate(estate_id)
    found = _statement(estate, statement_id)
    view = statement_view(estate, found.account, None, None, found)
    labels = export_labels()
    name = f"statement-{found.account.kind.value}-{found.period_start}-{found.period_end}"
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
