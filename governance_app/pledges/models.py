"""Signatures of conventions and the red/black board's entries (issue 19, R-60 to R-65)."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.refusals import Refusal
from ..estates.models import Estate, Owner, Unit
from ..extensions import db, Keyed, OfEstate, string_enum
from .rules import StepError, require_step


class BoardError(Refusal):
    """A refused move on a convention or the board; messages in ``messages.py``."""


class Board(enum.StrEnum):
    RED = "red"  # recognition (红榜)
    BLACK = "black"  # breaches (黑榜), with due process


class Severity(enum.StrEnum):
    MINOR = "minor"  # shown at most 3 months
    GENERAL = "general"  # shown at most 1 year


class Deed(enum.StrEnum):
    CLAUSE_KEPT = "clause_kept"
    VOLUNTEERING = "volunteering"
    MEDIATION = "mediation"
    NEIGHBOUR_HELP = "neighbour_help"


class Step(enum.StrEnum):
    NOMINATED = "nominated"  # red: an owner's nomination waiting for the committee
    SHOWN = "shown"  # red: recognised
    WARNED = "warned"  # black, in this order
    EVIDENCED = "evidenced"
    APPROVED = "approved"
    NOTIFIED = "notified"  # shown once the objection window has passed
    REMOVED = "removed"


class Removal(enum.StrEnum):
    OBJECTION_UPHELD = "objection_upheld"
    RECTIFIED = "rectified"  # rectified and pledged
    DECLINED = "declined"  # an owner's red nomination the committee did not approve


class ConventionSignature(OfEstate, db.Model):
    """An owner's online pledge to keep a convention; one per owner and convention."""

    __tablename__ = "convention_signature"
    __table_args__ = (UniqueConstraint("document_id", "owner_id"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("estate_document.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class BoardEntry(OfEstate, db.Model):
    """One entry of the red or the black board about one owner of the estate.

    The person's name is never copied here: pages mask the roll's name (R-61) when they draw."""

    __tablename__ = "board_entry"

    board: Mapped[Board] = mapped_column(string_enum(Board, "board_kind"))
    step: Mapped[Step] = mapped_column(string_enum(Step, "board_step"))
    subject_owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    # A committee member who is the subject takes no part in deciding the entry.
    subject_member_id: Mapped[int | None] = mapped_column(ForeignKey("committee_member.id"), nullable=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey("convention_clause.id"), nullable=True)
    deed: Mapped[Deed | None] = mapped_column(string_enum(Deed, "board_deed"), nullable=True)
    severity: Mapped[Severity | None] = mapped_column(string_enum(Severity, "board_severity"), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    service_eligible: Mapped[bool] = mapped_column(Boolean, default=False)  # R-65, red only
    nominated_as: Mapped[str] = mapped_column(String(16))  # committee | staff | owner
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # R-62 step 1: the warning (劝阻) that was ignored.
    warned_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    warned_by: Mapped[str] = mapped_column(String(100), default="")
    warned_how: Mapped[str] = mapped_column(Text, default="")
    # Step 3: the committee's decision.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("committee_decision.id"), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Step 4: notification and the objection window (R-31 days).
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    notified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notified_how: Mapped[str] = mapped_column(String(200), default="")
    objection_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    shows_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # rectified (recorded by the committee) and the person's pledge: both remove it.
    rectified_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    pledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    removal: Mapped[Removal | None] = mapped_column(string_enum(Removal, "board_removal"), nullable=True)

    estate: Mapped[Estate] = relationship()
    subject: Mapped[Owner] = relationship()
    unit: Mapped[Unit | None] = relationship()
    evidence: Mapped[list[BoardEvidence]] = relationship(back_populates="entry", order_by="BoardEvidence.id")
    objection: Mapped[BoardObjection | None] = relationship(back_populates="entry", uselist=False)

    def move(self, wanted: Step) -> None:
        """R-62: a black-board step only after the one before it."""
        try:
            require_step(self.step.value, wanted.value)
        except StepError as error:
            raise BoardError(f"needs_{error.needed}") from None
        self.step = wanted


class BoardEvidence(Keyed, db.Model):
    __tablename__ = "board_evidence"

    entry_id: Mapped[int] = mapped_column(ForeignKey("board_entry.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    entry: Mapped[BoardEntry] = relationship(back_populates="evidence")


class BoardObjection(Keyed, db.Model):
    """The person's objection within the window (R-62) and the committee's answer."""

    __tablename__ = "board_objection"

    entry_id: Mapped[int] = mapped_column(ForeignKey("board_entry.id"), unique=True)
    reasons: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    upheld: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    answer: Mapped[str] = mapped_column(Text, default="")
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("committee_decision.id"), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    entry: Mapped[BoardEntry] = relationship(back_populates="objection")
