"""Use cases of the estate's accounts: entries, transfers, corrections, statements, questions."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, event, func, inspect, select

from ..audit.services import created, record
from ..estates.models import Estate
from ..core import clock, events
from ..extensions import db
from ..voting.models import ItemKind
from ..voting.services import passed_items
from ..files import names as file_names
from ..files import services as files
from . import rules
from .models import (
    AccountKind, BankUpload, Entry, EntryEvidence, EntryState, FundAccount, FundError, FundSettings, Question,
    Reservation, Statement, UnitBalance,
)


# --- accounts and settings ---------------------------------------------------------------

def accounts(estate: Estate) -> dict[AccountKind, FundAccount]:
    found = db.session.scalars(select(FundAccount).where(FundAccount.estate_id == estate.id)).all()
    return {account.kind: account for account in found}


def get_account(estate: Estate, kind: str) -> FundAccount | None:
    try:
        return accounts(estate).get(AccountKind(kind))
    except ValueError:
        return None


def open_accounts(estate: Estate, *, opened_on: dt.date, balances: dict[AccountKind, int], first_period_amount: int,
                  actor) -> list[FundAccount]:
    """Open the estate's three accounts with their opening balances (once)."""
    if accounts(estate):
        raise FundError("accounts_exist")
    if first_period_amount < 0 or any(value < 0 for value in balances.values()):
        raise FundError("negative_amount")
    made = []
    for kind in AccountKind:
        account = FundAccount(estate_id=estate.id, kind=kind, opened_on=opened_on,
                              opening_balance=balances.get(kind, 0),
                              first_period_amount=first_period_amount if kind == AccountKind.MAINTENANCE_FUND else 0)
        db.session.add(account)
        made.append(account)
    db.session.flush()
    record("funds.accounts_opened", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"opened_on": opened_on.isoformat(), "balances": {k.value: v for k, v in balances.items()},
                    "first_period_amount": first_period_amount}, actor=actor)
    return made


def settings(estate: Estate) -> FundSettings:
    found = db.session.get(FundSettings, estate.id)
    if found is None:
        found = FundSettings(estate_id=estate.id, income_tops_up_fund=False)
        db.session.add(found)
        db.session.flush()
    return found


def set_policy(estate: Estate, income_tops_up_fund: bool, actor) -> None:
    settings(estate).income_tops_up_fund = income_tops_up_fund
    record("funds.policy_changed", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"income_tops_up_fund": income_tops_up_fund}, actor=actor)


# --- published periods are frozen (R-54) ---------------------------------------------------

def covered_until(account: FundAccount) -> dt.date:
    """The last day that published statements cover (the day before opening if none)."""
    last = db.session.scalar(select(func.max(Statement.period_end)).where(Statement.account_id == account.id))
    return last or account.opened_on - dt.timedelta(days=1)


def _refuse_if_published(account: FundAccount, day: dt.date, covered: dt.date | None = None) -> None:
    """``covered``: ``covered_until(account)`` when the caller read it already (a batch of lines)."""
    # Before the opening first: with nothing published, covered_until is the day before opening.
    if day < account.opened_on:
        raise FundError("before_opening", opened_on=account.opened_on)
    covered = covered if covered is not None else covered_until(account)
    if day <= covered:
        raise FundError("period_published", until=covered)


@event.listens_for(Statement, "before_update")
@event.listens_for(Statement, "before_delete")
def _statement_frozen(mapper, connection, target):  # noqa: ARG001 (SQLAlchemy's signature)
    raise FundError("statement_frozen")


@event.listens_for(Entry, "before_update")
@event.listens_for(Entry, "before_delete")
def _entry_frozen(mapper, connection, target):  # noqa: ARG001
    """Whatever the route or service: an entry inside a published period never changes, and no
    entry moves into or out of one (its day and account as they were, and as they would be)."""
    state = inspect(target)
    places = {(account_id, day) for account_id in {target.account_id, *state.attrs.account_id.history.deleted}
              for day in {target.day, *state.attrs.day.history.deleted}}
    for account_id, day in places:
        published = connection.execute(
            select(Statement.id).where(Statement.account_id == account_id, Statement.period_start <= day,
                                       Statement.period_end >= day).limit(1)).first()
        if published is not None:
            until = connection.scalar(select(func.max(Statement.period_end)).where(Statement.account_id == account_id))
            raise FundError("period_published", until=until)


# --- entries ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Authority:
    """R-53: a published resolution of matter 5 that passed, or the emergency procedure."""

    vote_id: int | None = None
    item: str | None = None
    emergency_case: str | None = None


def fund_resolutions(estate: Estate) -> list[tuple[int, str, str, str]]:
    """(vote id, item key, vote title, item title) of published, passed resolutions of matter 5."""
    return passed_items(estate, matter=rules.FUND_MATTER, kinds=(ItemKind.RESOLUTION,))


def _check_authority(estate: Estate, account: FundAccount, direction: str, category: str,
                     authority: Authority) -> Authority:
    if not rules.needs_authority(account.kind.value, direction, category):
        return Authority()
    if authority.emergency_case:
        if authority.emergency_case not in rules.EMERGENCY_CASES:
            raise FundError("unknown_emergency")
        return Authority(emergency_case=authority.emergency_case)
    if authority.vote_id is None:
        raise FundError("authority_missing")
    if (authority.vote_id, authority.item) not in {(v, i) for v, i, _t, _it in fund_resolutions(estate)}:
        raise FundError("authority_not_passed")
    return Authority(vote_id=authority.vote_id, item=authority.item)


def _validate(account: FundAccount, day: dt.date, direction: str, amount: int, category: str) -> None:
    if direction not in ("in", "out"):
        raise FundError("bad_direction")
    if amount <= 0:
        raise FundError("amount_not_positive")
    if not rules.category_allowed(account.kind.value, direction, category):
        raise FundError("bad_category")
    if category == "transfer":
        raise FundError("use_transfer")
    _refuse_if_published(account, day)


def add_entry(estate: Estate, account: FundAccount, *, day: dt.date, direction: str, amount: int, category: str,
              counterparty: str, description: str, authority: Authority, actor, project_id: int | None = None) -> Entry:
    """Post an entry; ``project_id`` cites the residents' project it pays for (checked by the caller,
    proposals.services.record_payment)."""
    _validate(account, day, direction, amount, category)
    checked = _check_authority(estate, account, direction, category, authority)
    entry = Entry(estate_id=estate.id, account_id=account.id, state=EntryState.POSTED, day=day, direction=direction,
                  amount=amount, category=category, counterparty=counterparty.strip()[:200],
                  description=description.strip(), authority_vote_id=checked.vote_id, authority_item=checked.item,
                  emergency_case=checked.emergency_case, created_by_id=actor.id, created_at=clock.now(),
                  project_id=project_id)
    db.session.add(entry)
    db.session.flush()
    _audit_entry("funds.entry_posted", entry, actor)
    return entry


def post_draft(estate: Estate, entry: Entry, *, category: str, counterparty: str, description: str,
               authority: Authority, actor) -> Entry:
    """Check an imported draft and post it with its category (and authority, R-53)."""
    if entry.state != EntryState.DRAFT:
        raise FundError("not_a_draft")
    account = entry.account
    _validate(account, entry.day, entry.direction, entry.amount, category)
    checked = _check_authority(estate, account, entry.direction, category, authority)
    entry.category, entry.counterparty, entry.description = category, counterparty.strip()[:200], description.strip()
    entry.authority_vote_id, entry.authority_item, entry.emergency_case = checked.vote_id, checked.item, \
        checked.emergency_case
    entry.state = EntryState.POSTED
    db.session.flush()
    _audit_entry("funds.entry_posted", entry, actor)
    return entry


def post_drafts(estate: Estate, account: FundAccount, categories: Mapping[int, str], actor) -> int:
    """Post several imported drafts of ``account`` at once, each with the category chosen for it
    (draft id to category; lines left without one stay drafts). All or nothing: a line that
    cannot be posted (a wrong category, a published period, a maintenance-fund expense that
    needs its authority, R-53) refuses the whole batch. The number posted."""
    chosen = {entry_id: category for entry_id, category in categories.items() if category}
    if not chosen:
        raise FundError("nothing_chosen")
    drafts = {entry.id: entry for entry in db.session.scalars(select(Entry).where(
        Entry.account_id == account.id, Entry.state == EntryState.DRAFT, Entry.id.in_(chosen)))}
    if len(drafts) != len(chosen):
        raise FundError("not_a_draft")
    for entry_id in sorted(chosen):
        entry = drafts[entry_id]
        post_draft(estate, entry, category=chosen[entry_id], counterparty=entry.counterparty,
                   description=entry.description, authority=Authority(), actor=actor)
    return len(chosen)


def discard_draft(entry: Entry, actor) -> None:
    if entry.state != EntryState.DRAFT:
        raise FundError("not_a_draft")
    record("funds.draft_discarded", estate_id=entry.estate_id, object_type="fund_entry", object_id=entry.id,
           details={"amount": entry.amount, "day": entry.day.isoformat()}, actor=actor)
    db.session.delete(entry)
    db.session.flush()


def transfer(estate: Estate, source: FundAccount, target: FundAccount, *, day: dt.date, amount: int,
             description: str, actor) -> tuple[Entry, Entry]:
    """A transfer between two of the estate's accounts: one entry pair sharing a group id."""
    if source.id == target.id:
        raise FundError("same_account")
    if amount <= 0:
        raise FundError("amount_not_positive")
    _refuse_if_published(source, day)
    _refuse_if_published(target, day)
    group = secrets.token_hex(8)
    pair = []
    for account, direction in ((source, "out"), (target, "in")):
        entry = Entry(estate_id=estate.id, account_id=account.id, state=EntryState.POSTED, day=day,
                      direction=direction, amount=amount, category="transfer",
                      counterparty=_account_name(target if direction == "out" else source),
                      description=description.strip(), transfer_group=group, created_by_id=actor.id,
                      created_at=clock.now())
        db.session.add(entry)
        pair.append(entry)
    db.session.flush()
    record("funds.transfer", estate_id=estate.id, object_type="fund_entry", object_id=pair[0].id,
           details={"from": source.kind.value, "to": target.kind.value, "amount": amount, "day": day.isoformat()},
           actor=actor)
    return pair[0], pair[1]


def _account_name(account: FundAccount) -> str:
    return account.kind.value


def reverse(estate: Estate, entry: Entry, *, day: dt.date, reason: str, actor) -> Entry:
    """R-54: a correction reverses an entry with an opposite entry dated in an open period."""
    if entry.state != EntryState.POSTED:
        raise FundError("not_posted")
    if entry.transfer_group:  # one leg alone would create or destroy money: transfer it back instead
        raise FundError("transfer_leg")
    if db.session.scalar(select(Entry.id).where(Entry.reverses_id == entry.id)):
        raise FundError("already_reversed")
    _refuse_if_published(entry.account, day)
    if day < entry.day:
        raise FundError("reversal_before_entry")
    opposite = Entry(estate_id=estate.id, account_id=entry.account_id, state=EntryState.POSTED, day=day,
                     direction="out" if entry.direction == "in" else "in", amount=entry.amount,
                     category=entry.category, counterparty=entry.counterparty,
                     description=reason.strip(), reverses_id=entry.id,
                     authority_vote_id=entry.authority_vote_id, authority_item=entry.authority_item,
                     emergency_case=entry.emergency_case, created_by_id=actor.id, created_at=clock.now())
    db.session.add(opposite)
    db.session.flush()
    _audit_entry("funds.entry_reversed", opposite, actor)
    return opposite


def attach_evidence(entry: Entry, content: bytes, label: str, actor, filename: str = "") -> EntryEvidence:
    """Invoices, contracts, bank slips (PDF/JPEG/PNG by content), before the period is published;
    ``filename`` is the name it was uploaded with, under which it downloads."""
    _refuse_if_published(entry.account, entry.day)
    stored = files.store(content)
    existing = db.session.scalar(select(EntryEvidence).where(EntryEvidence.entry_id == entry.id,
                                                             EntryEvidence.file_id == stored.id))
    if existing is not None:
        return existing
    evidence = EntryEvidence(entry_id=entry.id, file_id=stored.id, label=label.strip()[:200],
                             filename=file_names.clean(filename))
    return created(evidence, "funds.evidence_attached", estate_id=entry.estate_id, object_type="fund_entry",
                   object_id=entry.id, details={"file": stored.sha256, "label": evidence.label}, actor=actor)


def _audit_entry(action: str, entry: Entry, actor) -> None:
    record(action, estate_id=entry.estate_id, object_type="fund_entry", object_id=entry.id,
           details={"account": entry.account.kind.value if entry.account else entry.account_id,
                    "day": entry.day.isoformat(), "direction": entry.direction, "amount": entry.amount,
                    "category": entry.category, "reverses": entry.reverses_id, "project": entry.project_id},
           actor=actor)


def create_drafts(estate: Estate, account: FundAccount, rows, actor,
                  progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Bank rows become draft entries; rows already imported (same reference, or same day,
    direction, amount and counterparty) are skipped. Returns (created, skipped); ``progress``
    hears (lines done, lines) every 200 lines and at the end."""
    existing = db.session.execute(select(Entry.bank_reference, Entry.day, Entry.direction, Entry.amount,
                                         Entry.counterparty).where(Entry.account_id == account.id)).all()
    references = {row.bank_reference for row in existing if row.bank_reference}
    signatures = {(row.day, row.direction, row.amount, row.counterparty) for row in existing}
    covered = covered_until(account)  # read once: a bank file has thousands of lines
    for row in rows:
        _refuse_if_published(account, row.day, covered)
    drafted = skipped = 0
    for done, row in enumerate(rows, start=1):
        if progress and (done % 200 == 0 or done == len(rows)):
            progress(done, len(rows))
        signature = (row.day, row.direction, row.amount, row.counterparty[:200])
        if (row.reference and row.reference in references) or signature in signatures:
            skipped += 1
            continue
        db.session.add(Entry(estate_id=estate.id, account_id=account.id, state=EntryState.DRAFT, day=row.day,
                             direction=row.direction, amount=row.amount, category="",
                             counterparty=row.counterparty[:200], description=row.description,
                             bank_reference=row.reference or None, created_by_id=actor.id, created_at=clock.now()))
        references.add(row.reference)
        signatures.add(signature)
        drafted += 1
    db.session.flush()
    record("funds.bank_imported", estate_id=estate.id, object_type="fund_account", object_id=account.id,
           details={"created": drafted, "skipped": skipped}, actor=actor)
    return drafted, skipped


def import_bank_upload(estate: Estate, account: FundAccount, upload: BankUpload, rows, mapping: dict, actor,
                       progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """A confirmed bank file: its rows become drafts (``create_drafts``), its columns are remembered
    for the next file and the file itself is erased. Returns (created, skipped)."""
    drafted, skipped = create_drafts(estate, account, rows, actor, progress)
    settings(estate).bank_columns = mapping
    upload.used_at, upload.content = clock.now(), None
    return drafted, skipped


# --- bank files waiting for confirmation ----------------------------------------------------

BANK_UPLOAD_KEPT = dt.timedelta(hours=24)


def store_bank_upload(estate: Estate, account: FundAccount, filename: str, content: bytes) -> BankUpload:
    """Keep a bank file that has been read until the treasurer confirms it, so that any worker
    can apply it; files nobody confirmed in time go first (``remove_stale_bank_uploads``)."""
    remove_stale_bank_uploads()
    upload = BankUpload(estate_id=estate.id, account_id=account.id, filename=filename[:200], content=content,
                        created_at=clock.now())
    db.session.add(upload)
    db.session.flush()
    return upload


def pending_bank_upload(estate: Estate, account: FundAccount, upload_id: str,
                        lock: bool = False) -> BankUpload | None:
    """The unconfirmed upload ``upload_id`` of this account, while it is kept; with ``lock``, locked
    until the transaction ends, so that two confirmations at once cannot both apply it."""
    upload = db.session.get(BankUpload, int(upload_id), with_for_update=lock, populate_existing=lock) \
        if upload_id.isdigit() else None
    if upload is None or upload.estate_id != estate.id or upload.account_id != account.id or upload.used_at:
        return None
    if clock.aware(upload.created_at) <= clock.now() - BANK_UPLOAD_KEPT:
        return None
    return upload


def remove_stale_bank_uploads() -> int:
    """Bank files never confirmed are removed 24 hours after their upload: a statement names
    people and amounts, and a file nobody confirmed is nobody's record (issue 12). Each
    estate's audit chain records what was removed. Returns how many were."""
    removed = db.session.execute(
        delete(BankUpload).where(BankUpload.used_at.is_(None), BankUpload.created_at <= clock.now() - BANK_UPLOAD_KEPT)
        .returning(BankUpload.id, BankUpload.estate_id, BankUpload.account_id, BankUpload.filename,
                   BankUpload.created_at)).all()
    by_estate: dict[int, list] = {}
    for row in removed:
        by_estate.setdefault(row.estate_id, []).append(row)
    for estate_id, rows in sorted(by_estate.items()):
        record("funds.bank_uploads_removed", estate_id=estate_id, object_type="fund_bank_upload",
               details={"reason": "not_confirmed_in_24_hours",
                        "uploads": [{"id": row.id, "account": row.account_id, "file": row.filename,
                                     "uploaded_at": clock.aware(row.created_at).isoformat()}
                                    for row in sorted(rows, key=lambda row: row.id)]})
    return len(removed)


# --- balances and statements -----------------------------------------------------------------

def posted(account: FundAccount):
    return select(Entry).where(Entry.account_id == account.id, Entry.state == EntryState.POSTED)


def balance(account: FundAccount, until: dt.date | None = None) -> int:
    """The balance at the end of ``until`` (or now), from posted entries only."""
    signed_sum = func.coalesce(func.sum(
        db.case((Entry.direction == "in", Entry.amount), else_=-Entry.amount)), 0)
    query = select(signed_sum).where(Entry.account_id == account.id, Entry.state == EntryState.POSTED)
    if until is not None:
        query = query.where(Entry.day <= until)
    return account.opening_balance + int(db.session.scalar(query))


# --- money set aside for a residents' project (R-71) ---------------------------------------------------

def project_entries(estate: Estate, project_id: int) -> Sequence[Entry]:
    """The posted entries of the estate that cite the project, oldest first."""
    return db.session.scalars(select(Entry).where(Entry.estate_id == estate.id, Entry.project_id == project_id,
                                                  Entry.state == EntryState.POSTED)
                              .order_by(Entry.day, Entry.id)).all()


def _spent_on(account: FundAccount, project_id: int) -> int:
    signed = func.coalesce(func.sum(db.case((Entry.direction == "out", Entry.amount), else_=-Entry.amount)), 0)
    return int(db.session.scalar(select(signed).where(
        Entry.account_id == account.id, Entry.project_id == project_id, Entry.state == EntryState.POSTED)))


def reserved(account: FundAccount) -> int:
    """What the account holds for approved projects and has not yet paid out for them."""
    return sum(max(0, reservation.amount - _spent_on(account, reservation.project_id))
               for reservation in db.session.scalars(select(Reservation).where(
                   Reservation.account_id == account.id, Reservation.released_at.is_(None))))


def available(account: FundAccount) -> int:
    """The balance less what is reserved for projects: the ceiling of a new plan's use (R-71)."""
    return balance(account) - reserved(account)


def reserve(estate: Estate, account: FundAccount, *, amount: int, project_id: int, purpose: str, actor) -> Reservation:
    """Set ``amount`` aside for the project; refused beyond the available balance (R-71)."""
    if amount <= 0:
        raise FundError("amount_not_positive")
    if amount > available(account):
        raise FundError("reservation_exceeds", available=available(account))
    reservation = Reservation(estate_id=estate.id, account_id=account.id, project_id=project_id, amount=amount,
                              purpose=purpose.strip()[:200], created_by_id=actor.id, created_at=clock.now())
    return created(reservation, "funds.reserved", object_type="fund_account", object_id=account.id,
                   details={"amount": amount, "project": project_id}, actor=actor)


def release(estate: Estate, project_id: int, actor) -> int:
    """Give back what is still set aside for the project (its vote failed): how many reservations."""
    released = 0
    for reservation in db.session.scalars(select(Reservation).where(
            Reservation.estate_id == estate.id, Reservation.project_id == project_id,
            Reservation.released_at.is_(None))):
        reservation.released_at = clock.now()
        released += 1
        record("funds.reservation_released", estate_id=estate.id, object_type="fund_account",
               object_id=reservation.account_id, details={"amount": reservation.amount, "project": project_id},
               actor=actor)
    return released


def entries_between(account: FundAccount, start: dt.date, end: dt.date, *, drafts: bool = False) -> Sequence[Entry]:
    query = select(Entry).where(Entry.account_id == account.id, Entry.day >= start, Entry.day <= end)
    if not drafts:
        query = query.where(Entry.state == EntryState.POSTED)
    return db.session.scalars(query.order_by(Entry.day, Entry.id)).all()


@dataclass(frozen=True)
class Figures:
    opening: int
    closing: int
    totals: dict
    entries: Sequence[Entry]


def figures(account: FundAccount, start: dt.date, end: dt.date) -> Figures:
    entries = entries_between(account, start, end)
    totals: dict[str, dict[str, int]] = {"in": {}, "out": {}}
    for entry in entries:
        bucket = totals[entry.direction]
        bucket[entry.category] = bucket.get(entry.category, 0) + entry.amount
    opening = balance(account, start - dt.timedelta(days=1))
    closing = opening + sum(totals["in"].values()) - sum(totals["out"].values())
    return Figures(opening, closing, totals, entries)


def publish_statement(estate: Estate, account: FundAccount, *, start: dt.date, end: dt.date, actor) -> Statement:
    """Publish a period; it must follow the last published one without a gap, have ended, and
    hold no unchecked draft. Its figures are stored and never change (R-54)."""
    expected_start = covered_until(account) + dt.timedelta(days=1)
    if start != expected_start:
        raise FundError("period_gap", start=expected_start)
    if end < start:
        raise FundError("period_backwards")
    if end > clock.today():
        raise FundError("period_not_over")
    drafts = db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.account_id == account.id, Entry.state == EntryState.DRAFT, Entry.day >= start, Entry.day <= end))
    if drafts:
        raise FundError("drafts_in_period", count=drafts)
    numbers = figures(account, start, end)
    statement = Statement(estate_id=estate.id, account_id=account.id, period_start=start, period_end=end,
                          opening_balance=numbers.opening, closing_balance=numbers.closing, totals=numbers.totals,
                          entry_ids=[e.id for e in numbers.entries], published_at=clock.now(), published_by_id=actor.id)
    created(statement, "funds.statement_published", object_type="fund_statement",
            details={"account": account.kind.value, "start": start.isoformat(), "end": end.isoformat(),
                     "opening": numbers.opening, "closing": numbers.closing}, actor=actor)
    events.statement_published.send(statement, estate_id=estate.id)
    return statement


def statements(account: FundAccount) -> Sequence[Statement]:
    return db.session.scalars(select(Statement).where(Statement.account_id == account.id)
                              .order_by(Statement.period_start.desc())).all()


def corrections_of(statement: Statement) -> Sequence[Entry]:
    """Later entries that reverse entries of this statement: the statement stays as published,
    and its page says a correction exists."""
    if not statement.entry_ids:
        return []
    return db.session.scalars(select(Entry).where(Entry.reverses_id.in_(statement.entry_ids))
                              .order_by(Entry.day)).all()


# --- what the estate and supervisors are told (R-50, R-51, R-52) -----------------------------------

def cadence(account: FundAccount) -> rules.Due:
    return rules.next_statement_due(account.kind.value, covered_until(account), clock.today())


def top_up(estate: Estate) -> tuple[bool, int, int, int] | None:
    """(due, amount to reach 50%, balance, first-period amount) of the maintenance fund."""
    fund = accounts(estate).get(AccountKind.MAINTENANCE_FUND)
    if fund is None or fund.first_period_amount <= 0:
        return None
    current = balance(fund)
    return (rules.top_up_due(current, fund.first_period_amount),
            rules.top_up_amount(current, fund.first_period_amount), current, fund.first_period_amount)


@dataclass(frozen=True)
class QuarterCheck:
    start: dt.date
    end: dt.date
    income: int
    transferred: int
    met: bool


def transfer_checks(estate: Estate) -> list[QuarterCheck]:
    """R-51, when the estate's rules say common income mainly tops up the fund: per quarter,
    the transfers to the fund against the quarter's common income."""
    if not settings(estate).income_tops_up_fund:
        return []
    found = accounts(estate)
    income_account, fund = found.get(AccountKind.COMMON_INCOME), found.get(AccountKind.MAINTENANCE_FUND)
    if income_account is None or fund is None:
        return []
    # Transfer groups by the fund's side: money into the fund, and money sent back out of it.
    fund_groups = {direction: set(db.session.scalars(select(Entry.transfer_group).where(
        Entry.account_id == fund.id, Entry.direction == direction, Entry.transfer_group.is_not(None))))
        for direction in ("in", "out")}
    checks = []
    start, _end = rules.quarter_of(income_account.opened_on)
    while start <= clock.today():
        end = rules.add_months(start, 3) - dt.timedelta(days=1)
        entries = entries_between(income_account, start, end)
        income = sum(e.amount for e in entries if e.direction == "in" and e.category != "transfer")
        transferred = sum(e.amount for e in entries if e.direction == "out" and e.transfer_group in fund_groups["in"])
        transferred -= sum(e.amount for e in entries if e.direction == "in" and e.transfer_group in fund_groups["out"])
        checks.append(QuarterCheck(start, end, income, transferred, rules.transfer_share_met(transferred, income)))
        start = end + dt.timedelta(days=1)
    return checks


# --- owners' questions ------------------------------------------------------------------------------

def ask(entry: Entry, user, text: str) -> Question:
    question = Question(estate_id=entry.estate_id, entry_id=entry.id, asked_by_id=user.id, text=text.strip(),
                        asked_at=clock.now())
    return created(question, "funds.question_asked", object_type="fund_question", details={"entry": entry.id},
                   actor=user)


def answer(question: Question, user, text: str) -> None:
    question.answer, question.answered_by_id, question.answered_at = text.strip(), user.id, clock.now()
    record("funds.question_answered", estate_id=question.estate_id, object_type="fund_question",
           object_id=question.id, actor=user)
    events.question_answered.send(question, estate_id=question.estate_id)


def questions(estate: Estate, entry: Entry | None = None) -> Sequence[Question]:
    query = select(Question).where(Question.estate_id == estate.id)
    if entry is not None:
        query = query.where(Question.entry_id == entry.id)
    return db.session.scalars(query.order_by(Question.asked_at)).all()


@dataclass(frozen=True)
class SupervisionRow:
    estate: Estate
    opened: bool
    cadence: dict
    top_up: tuple[bool, int, int, int] | None
    checks: list
    questions: list


def supervision(estates: Sequence[Estate]) -> list[SupervisionRow]:
    """What a supervisor watches, per estate: statements due (R-50), the fund's top-up (R-52),
    quarters short of R-51 and questions unanswered too long. Five queries for all the estates,
    plus the R-51 check of each estate whose rules make common income top up the fund."""
    ids = [estate.id for estate in estates]
    found: dict[int, dict[AccountKind, FundAccount]] = {estate_id: {} for estate_id in ids}
    for account in db.session.scalars(select(FundAccount).where(FundAccount.estate_id.in_(ids))):
        found[account.estate_id][account.kind] = account
    account_ids = [account.id for by_kind in found.values() for account in by_kind.values()]
    covered = dict(db.session.execute(select(Statement.account_id, func.max(Statement.period_end))
                                      .where(Statement.account_id.in_(account_ids)).group_by(Statement.account_id)).all())
    signed_sum = func.coalesce(func.sum(db.case((Entry.direction == "in", Entry.amount), else_=-Entry.amount)), 0)
    sums = dict(db.session.execute(select(Entry.account_id, signed_sum).where(
        Entry.account_id.in_(account_ids), Entry.state == EntryState.POSTED).group_by(Entry.account_id)).all())
    topping_up = set(db.session.scalars(select(FundSettings.estate_id).where(
        FundSettings.estate_id.in_(ids), FundSettings.income_tops_up_fund.is_(True))))
    asked: dict[int, list[Question]] = {estate_id: [] for estate_id in ids}
    for question in db.session.scalars(select(Question).where(Question.estate_id.in_(ids)).order_by(Question.asked_at)):
        asked[question.estate_id].append(question)
    day = clock.today()

    def due(account: FundAccount) -> rules.Due:
        last = covered.get(account.id) or account.opened_on - dt.timedelta(days=1)
        return rules.next_statement_due(account.kind.value, last, day)

    def fund_top_up(fund: FundAccount | None):
        if fund is None or fund.first_period_amount <= 0:
            return None
        current = fund.opening_balance + int(sums.get(fund.id, 0))
        return (rules.top_up_due(current, fund.first_period_amount),
                rules.top_up_amount(current, fund.first_period_amount), current, fund.first_period_amount)

    return [SupervisionRow(
        estate, bool(found[estate.id]), {kind: due(account) for kind, account in found[estate.id].items()},
        fund_top_up(found[estate.id].get(AccountKind.MAINTENANCE_FUND)),
        [c for c in transfer_checks(estate) if not c.met and c.end < day] if estate.id in topping_up else [],
        _overdue(asked[estate.id], day)) for estate in estates]


def _overdue(asked: Sequence[Question], day: dt.date) -> list[Question]:
    zone = clock.zone()
    return [q for q in asked if rules.question_overdue(clock.aware(q.asked_at).astimezone(zone).date(), day,
                                                       q.answer is not None)]


def overdue_questions(estate: Estate) -> list[Question]:
    zone = clock.zone()
    return [q for q in questions(estate) if rules.question_overdue(
        clock.aware(q.asked_at).astimezone(zone).date(), clock.today(), q.answer is not None)]


# --- per-unit shares -----------------------------------------------------------------------------------

def unit_shares(estate: Estate, unit_areas: dict[str, int], total_area: int) -> dict[str, tuple[int, str]]:
    """Each unit's share of the maintenance fund: its recorded own balance where the estate
    imported one from the housing authority, else its share by area. (fen, "recorded"|"area")."""
    fund = accounts(estate).get(AccountKind.MAINTENANCE_FUND)
    if fund is None:
        return {}
    recorded = {row.unit: row.balance for row in db.session.scalars(
        select(UnitBalance).where(UnitBalance.estate_id == estate.id, UnitBalance.unit.in_(list(unit_areas))))}
    current = balance(fund)
    return {unit: (recorded[unit], "recorded") if unit in recorded else
            (rules.unit_share(current, area, total_area), "area") for unit, area in unit_areas.items()}


def read_unit_balances(content: bytes, known_units: set[str]) -> tuple[dict[str, int], list[tuple[int, str, str]]]:
    """Rows "unit, balance" (a header row is skipped) from the housing authority's statement.
    Returns the balances and the problems as (row, reason, value); UTF-8 or GBK."""
    import csv
    import io

    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError:
            return {}, [(0, "encoding", "")]
    balances: dict[str, int] = {}
    problems: list[tuple[int, str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if len(cells) < 2:
            problems.append((number, "columns", ",".join(cells)))
            continue
        unit, amount = cells[0], cells[1]
        try:
            fen = rules.parse_yuan(amount)
        except rules.MoneyError:
            if number == 1:
                continue  # the header
            problems.append((number, "amount", amount))
            continue
        if unit not in known_units:
            problems.append((number, "unit", unit))
        elif unit in balances:
            problems.append((number, "duplicate", unit))
        elif fen < 0:
            problems.append((number, "amount", amount))
        else:
            balances[unit] = fen
    if not balances and not problems:
        problems.append((0, "empty", ""))
    return balances, problems


def replace_unit_balances(estate: Estate, balances: dict[str, int], as_of: dt.date, actor) -> None:
    """The estate's recorded unit balances become exactly these (all or nothing)."""
    db.session.execute(db.delete(UnitBalance).where(UnitBalance.estate_id == estate.id))
    db.session.add_all(UnitBalance(estate_id=estate.id, unit=unit, balance=fen, as_of=as_of)
                       for unit, fen in balances.items())
    db.session.flush()
    record("funds.unit_balances_imported", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"units": len(balances), "total": sum(balances.values()), "as_of": as_of.isoformat()},
           actor=actor)
