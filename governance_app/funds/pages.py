"""What the accounts' pages show: the choices of their forms and the context of the longer pages,
built here so that each route only loads, checks and renders."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from ..core import clock
from ..auth.permissions import can
from ..estates.services import current_roll_units
from ..extensions import db
from . import charts as chart_module
from . import rules, services
from .forms import (
    AnswerForm, DraftForm, DraftsForm, EntryForm, EvidenceForm, FilterForm, PolicyForm, QuestionForm, ReverseForm,
    SetupForm, TransferForm, UnitBalancesForm,
)
from .messages import ACCOUNT_TITLES, DIRECTION_TITLES, EMERGENCY_TITLES, account_title, category_title
from .models import AccountKind, Entry, EntryState
from .printing import authority_text

# --- the forms' choices ---------------------------------------------------------------------------


def category_choices(kind: str, directions=("in", "out"), with_blank=False):
    choices = [SelectChoice("", _("any"))] if with_blank else []
    for direction in directions:
        for code in rules.CATEGORIES[kind][direction]:
            if code == "transfer" and not with_blank:
                continue
            label = f"{DIRECTION_TITLES[direction]} · {category_title(code)}"
            if SelectChoice(code, label) not in choices:
                choices.append(SelectChoice(code, label))
    return choices


def authority_choices(estate):
    choices = [SelectChoice("", _("— not a maintenance-fund expense —"))]
    for vote_id, item, vote_title, item_title in services.fund_resolutions(estate):
        choices.append(SelectChoice(f"vote:{vote_id}:{item}", _("Resolution “%(item)s” of “%(vote)s”",
                                                                   item=item_title, vote=vote_title)))
    for case in rules.EMERGENCY_CASES:
        choices.append(SelectChoice(f"emergency:{case}", str(EMERGENCY_TITLES[case])))
    return choices


def entry_form(estate, kind: str, form=None, directions=("in", "out")):
    """The entry form; a draft's form offers only the categories of its direction (a line
    the bank says came in is income)."""
    form = form or EntryForm()
    if "direction" in form:  # not on a draft's form
        form.direction.choices = [SelectChoice("in", str(DIRECTION_TITLES["in"])),
                                  SelectChoice("out", str(DIRECTION_TITLES["out"]))]
    form.category.choices = category_choices(kind, directions)
    form.authority.choices = authority_choices(estate)
    return form


def transfer_form(form=None):
    form = form or TransferForm()
    choices = [SelectChoice(kind.value, account_title(kind)) for kind in AccountKind]
    form.source.choices, form.target.choices = choices, choices
    return form


def filter_form(kind: str, args) -> FilterForm:
    """The filters of an account's entries, read from the query string ``args``."""
    filters = FilterForm(args)
    filters.direction.choices = [SelectChoice("", _("any")), SelectChoice("in", str(DIRECTION_TITLES["in"])),
                                 SelectChoice("out", str(DIRECTION_TITLES["out"]))]
    filters.category.choices = category_choices(kind, with_blank=True)
    return filters


# --- the overview -----------------------------------------------------------------------------


def overview_page(estate, user) -> dict:
    """What the overview of the estate's accounts shows ``user``."""
    found = services.accounts(estate)
    manage = can(user, "funds.manage", estate)
    return dict(
        estate=estate, accounts=found, manage=manage,
        balances={kind: services.balance(account) for kind, account in found.items()},
        cadence={kind: services.cadence(account) for kind, account in found.items()},
        top_up=services.top_up(estate), checks=services.transfer_checks(estate), shares=_shares(estate, user),
        charts=_balance_charts(found), overdue_questions=services.overdue_questions(estate), setup_form=SetupForm(),
        account_titles=ACCOUNT_TITLES,
        policy_form=PolicyForm(income_tops_up_fund=services.settings(estate).income_tops_up_fund) if manage else None,
        unit_balances_form=UnitBalancesForm() if manage else None)


def _shares(estate, user) -> dict:
    """An owner's share of the fund, by unit; nothing for anyone else."""
    if user.owner is None or user.owner.estate_id != estate.id:
        return {}
    units = [u for u in current_roll_units(estate) if f"o{user.owner_id}" in u.owners]
    total = sum(u.area for u in current_roll_units(estate))
    return services.unit_shares(estate, {u.label: u.area for u in units}, total)


def _balance_charts(found) -> dict:
    return {kind.value: chart_module.balance_chart(
        balance_points(account), title=_("%(account)s: balance over time", account=account_title(kind)),
        desc=_("Balance at the end of each month, in yuan."), id_prefix=f"balance-{kind.value}")
        for kind, account in found.items()}


def balance_points(account) -> list[tuple[dt.date, int]]:
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


# --- an account and its entries ----------------------------------------------------------------------


def account_page(estate, account, kind: str, filters: FilterForm, user) -> dict:
    """What an account's page shows ``user``: its entries as filtered, and to the committee its
    drafts and forms."""
    manage = can(user, "funds.manage", estate)
    entries = db.session.scalars(_filtered(services.posted(account), filters)
                                 .order_by(Entry.day.desc(), Entry.id.desc()).limit(500)).all()
    drafts = db.session.scalars(select(Entry).where(Entry.account_id == account.id, Entry.state == EntryState.DRAFT)
                                .order_by(Entry.day)).all() if manage else []
    return dict(estate=estate, account=account, kind=kind, entries=entries, drafts=drafts, manage=manage,
                filters=filters, chart=_category_chart(account, kind), balance=services.balance(account),
                statements=services.statements(account), entry_form=entry_form(estate, kind) if manage else None,
                transfer_form=transfer_form() if manage else None, authority_text=authority_text,
                cadence=services.cadence(account), drafts_form=DraftsForm() if drafts else None,
                draft_categories={d: category_choices(kind, (d,)) for d in ("in", "out")})


def _filtered(query, filters: FilterForm):
    if not filters.validate():
        return query
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
    return query


def _category_chart(account, kind: str):
    """This year's money in and out of ``account``, by category."""
    year_start = clock.today().replace(month=1, day=1)
    numbers = services.figures(account, max(year_start, account.opened_on), clock.today())
    rows = [(f"{DIRECTION_TITLES[d]} · {category_title(c)}", amount) for d in ("in", "out")
            for c, amount in sorted(numbers.totals[d].items(), key=lambda pair: -pair[1])]
    return chart_module.category_chart(rows, title=_("This year by category"),
                                       desc=_("Money in and out of the account this year, by category, in yuan."),
                                       id_prefix=f"categories-{kind}")


def entry_page(estate, found: Entry, user) -> dict:
    """What an entry's page shows ``user``: to owners the question form, to the committee the
    forms that act on the entry."""
    manage = can(user, "funds.manage", estate)
    reversal = db.session.scalar(select(Entry).where(Entry.reverses_id == found.id))
    return dict(
        estate=estate, entry=found, manage=manage, reversal=reversal,
        authority=authority_text(found), questions=services.questions(estate, found),
        question_form=QuestionForm() if can(user, "funds.ask", estate) else None,
        answer_form=AnswerForm() if manage else None, evidence_form=EvidenceForm() if manage else None,
        reverse_form=ReverseForm() if manage and found.state == EntryState.POSTED and not reversal
        and not found.transfer_group else None,
        draft_form=entry_form(estate, found.account.kind.value, DraftForm(
            formdata=None, category=found.category or None, counterparty=found.counterparty,
            description=found.description), (found.direction,)) if manage and found.state == EntryState.DRAFT else None)
