"""Accounts, entries, statements and owners' questions; money in integer fen."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.refusals import Refusal
from ..extensions import db, Keyed, OfEstate, string_enum
from ..files.models import Attached


class AccountKind(enum.StrEnum):
    MAINTENANCE_FUND = "maintenance_fund"
    COMMON_INCOME = "common_income"
    WORKING_FUND = "working_fund"


class EntryState(enum.StrEnum):
    DRAFT = "draft"  # imported from a bank statement, not yet checked
    POSTED = "posted"


class FundError(Refusal):
    """A refusal of the funds (its messages: funds/messages.py)."""


class FundSettings(db.Model):
    """Per-estate choices: the R-51 policy and the bank file's column mapping."""

    __tablename__ = "fund_settings"

    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), primary_key=True)
    income_tops_up_fund: Mapped[bool] = mapped_column(Boolean, default=False)
    bank_columns: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class FundAccount(OfEstate, db.Model):
    __tablename__ = "fund_account"
    __table_args__ = (UniqueConstraint("estate_id", "kind"),)

    kind: Mapped[AccountKind] = mapped_column(string_enum(AccountKind, "account_kind", 20))
    opened_on: Mapped[dt.date] = mapped_column(Date)
    opening_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    first_period_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # R-52, fund only


class Entry(OfEstate, db.Model):
    """One movement of money. Posted entries inside a published statement's period can never
    change (R-54): a correction is a reversal plus a new entry in a later period."""

    __tablename__ = "fund_entry"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    # active_history: the R-54 guard (services._entry_frozen) needs the old day and account of a change.
    account_id: Mapped[int] = mapped_column(ForeignKey("fund_account.id"), index=True, active_history=True)
    state: Mapped[EntryState] = mapped_column(string_enum(EntryState, "entry_state"))
    day: Mapped[dt.date] = mapped_column(Date, index=True, active_history=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in" | "out"
    amount: Mapped[int] = mapped_column(BigInteger)
    category: Mapped[str] = mapped_column(String(40), default="")
    counterparty: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    authority_vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    authority_item: Mapped[str | None] = mapped_column(String(10), nullable=True)
    emergency_case: Mapped[str | None] = mapped_column(String(40), nullable=True)
    transfer_group: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), nullable=True)
    bank_reference: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # The residents' project (a proposal's id) this money is for, so that the project shows what
    # was spent on it. No foreign key: the accounts do not depend on the proposals package, which
    # checks the reference when it posts (proposals.services.record_payment).
    project_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    account: Mapped[FundAccount] = relationship()
    evidence: Mapped[list[EntryEvidence]] = relationship(back_populates="entry", order_by="EntryEvidence.id")


class EntryEvidence(Attached, Keyed, db.Model):
    __tablename__ = "fund_entry_evidence"
    __table_args__ = (UniqueConstraint("entry_id", "file_id"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("fund_entry.id"), index=True)

    entry: Mapped[Entry] = relationship(back_populates="evidence")


class Statement(OfEstate, db.Model):
    """A period of one account. Once published it is frozen, its figures stored (R-54)."""

    __tablename__ = "fund_statement"

    account_id: Mapped[int] = mapped_column(ForeignKey("fund_account.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    opening_balance: Mapped[int] = mapped_column(BigInteger)
    closing_balance: Mapped[int] = mapped_column(BigInteger)
    totals: Mapped[dict] = mapped_column(JSON)  # {"in": {category: fen}, "out": {...}}
    entry_ids: Mapped[list] = mapped_column(JSON)
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    account: Mapped[FundAccount] = relationship()


class Question(OfEstate, db.Model):
    """An owner's question about an entry, and the committee's answer; visible to the estate."""

    __tablename__ = "fund_question"

    entry_id: Mapped[int] = mapped_column(ForeignKey("fund_entry.id"), index=True)
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    entry: Mapped[Entry] = relationship()


class UnitBalance(OfEstate, db.Model):
    """A unit's own fund balance, from the housing authority's statement, when the estate has one."""

    __tablename__ = "fund_unit_balance"
    __table_args__ = (UniqueConstraint("estate_id", "unit"),)

    unit: Mapped[str] = mapped_column(String(40))
    balance: Mapped[int] = mapped_column(BigInteger)
    as_of: Mapped[dt.date] = mapped_column(Date)


class Reservation(OfEstate, db.Model):
    """Money of an account set aside for a project when its funding plan is approved (R-71): the
    account's available balance is its balance less what is reserved and not yet spent."""

    __tablename__ = "fund_reservation"
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    account_id: Mapped[int] = mapped_column(ForeignKey("fund_account.id"), index=True)
    project_id: Mapped[int] = mapped_column(index=True)  # as Entry.project_id
    amount: Mapped[int] = mapped_column(BigInteger)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    released_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


__all__ = ["AccountKind", "Entry", "EntryEvidence", "EntryState", "FundAccount", "FundError", "FundSettings",
           "Question", "Reservation", "Statement", "UnitBalance", "BankUpload"]


class BankUpload(OfEstate, db.Model):
    """A bank statement file waiting for confirmation after its dry run."""

    __tablename__ = "fund_bank_upload"

    account_id: Mapped[int] = mapped_column(ForeignKey("fund_account.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes | None] = mapped_column(db.LargeBinary, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
