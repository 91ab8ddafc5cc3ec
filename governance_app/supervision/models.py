"""A re-election, first election or by-election of an estate's committee, with its stages."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.refusals import Refusal
from ..estates.models import Estate
from ..extensions import db, Keyed, OfEstate, string_enum
from . import rules


class SupervisionError(Refusal):
    """A stage recorded out of order, a plan that breaks R-43, a vote R-47 forbids..."""


class ProcessKind(enum.StrEnum):
    REELECTION = "reelection"  # 换届改选
    FIRST = "first_election"  # 首次业主大会, run by a preparatory group (筹备组)
    BY_ELECTION = "by_election"  # 增补


class GroupRole(enum.StrEnum):
    COMMUNITY = "community_staff"
    PARTY = "party_organisation"
    OWNER = "owner_representative"


class Nomination(enum.StrEnum):
    """R-48: where a candidate came from."""

    SELF = "self"
    JOINT = "joint"
    COMMUNITY = "community"  # 人选建议权 of the residents' committee
    PARTY = "party"  # recommended by the residential party organisation


class Decision(enum.StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"


class ReElection(OfEstate, db.Model):
    __tablename__ = "reelection"

    kind: Mapped[ProcessKind] = mapped_column(string_enum(ProcessKind, "process_kind", 20))
    term_ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # the sitting committee's
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # The election plan (stage 4, R-43 and R-48).
    seats: Mapped[int | None] = mapped_column(Integer, nullable=True)
    structure: Mapped[str] = mapped_column(Text, default="")
    structure_by_community: Mapped[bool] = mapped_column(Boolean, default=False)  # 结构建议权
    posting_days: Mapped[int] = mapped_column(Integer, default=rules.POSTING_DAYS)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True, index=True)
    filing_returned: Mapped[str] = mapped_column(Text, default="")  # the supervisor's reasons, last time
    handover: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    estate: Mapped[Estate] = relationship()
    stages: Mapped[list[StageRecord]] = relationship(back_populates="process", order_by="StageRecord.id",
                                                     cascade="all, delete-orphan")
    members: Mapped[list[GroupMember]] = relationship(order_by="GroupMember.id", cascade="all, delete-orphan")
    nominees: Mapped[list[Nominee]] = relationship(order_by="Nominee.id", cascade="all, delete-orphan")
    objections: Mapped[list[Objection]] = relationship(order_by="Objection.id", cascade="all, delete-orphan")

    def recorded(self) -> dict[str, StageRecord]:
        return {record.stage: record for record in self.stages}

    def next_stage(self) -> str | None:
        return rules.next_stage(self.kind.value, set(self.recorded()))

    def require_next(self, stage: str) -> None:
        """Stages happen in order: only the next one of this kind of process may be recorded."""
        if self.closed_on is not None:
            raise SupervisionError("closed")
        expected = self.next_stage()
        if stage != expected:
            raise SupervisionError("out_of_order", stage=rules.stage_number(stage),
                                   expected=rules.stage_number(expected) if expected else "-")

    @property
    def group_exists(self) -> bool:
        """R-47: from the group formed (or the by-election's plan) until the process closes."""
        return self.closed_on is None and any(record.stage == rules.GROUP for record in self.stages)


class StageRecord(Keyed, db.Model):
    __tablename__ = "reelection_stage"
    __table_args__ = (UniqueConstraint("reelection_id", "stage"),)

    reelection_id: Mapped[int] = mapped_column(ForeignKey("reelection.id"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    happened_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # the legal deadline, if any
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(Text, default="")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)

    process: Mapped[ReElection] = relationship(back_populates="stages")

    @property
    def days_late(self) -> int:
        return rules.days_late(self.happened_on, self.due_on)


class GroupMember(Keyed, db.Model):
    """A member of the re-election group (换届改选小组) or preparatory group (筹备组)."""

    __tablename__ = "reelection_group_member"

    reelection_id: Mapped[int] = mapped_column(ForeignKey("reelection.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[GroupRole] = mapped_column(string_enum(GroupRole, "group_role", 24))


class Nominee(Keyed, db.Model):
    """A candidate: how nominated (R-48), the review against R-44 and the pledge of duty."""

    __tablename__ = "reelection_nominee"

    reelection_id: Mapped[int] = mapped_column(ForeignKey("reelection.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(40), default="")
    source: Mapped[Nomination] = mapped_column(string_enum(Nomination, "nomination", 16))
    nominated_by: Mapped[str] = mapped_column(String(200), default="")
    decision: Mapped[Decision | None] = mapped_column(string_enum(Decision, "review_decision", 16), nullable=True)
    grounds: Mapped[list] = mapped_column(JSON, default=list)  # R-44 grounds found
    reasons: Mapped[str] = mapped_column(Text, default="")
    pledge_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Objection(Keyed, db.Model):
    """An objection to the posted candidate list, and its answer."""

    __tablename__ = "reelection_objection"

    reelection_id: Mapped[int] = mapped_column(ForeignKey("reelection.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    received_on: Mapped[dt.date] = mapped_column(Date)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
