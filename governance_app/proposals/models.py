"""Residents' proposals: the proposal and its files, co-signatures, answers, funding plans, the
project it becomes (milestones, progress) and the owners' ratings. Money in fen, areas in
hundredths of m²."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON, BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.refusals import Refusal
from ..estates.models import Estate
from ..extensions import db, Keyed, OfEstate, string_enum


class ProposalError(Refusal):
    """An illegal move on a proposal; messages in ``proposals/messages.py``."""


class ProposalState(enum.StrEnum):
    DRAFT = "draft"  # the author's only
    SUPPORT = "support"  # submitted: collecting co-signatures (征集附议)
    AWAITING_ANSWER = "awaiting_answer"  # the first threshold is reached
    DECLINED = "declined"
    MERGED = "merged"
    PREPARATION = "preparation"  # accepted: plan and vote in preparation
    VOTING = "voting"
    PASSED = "passed"
    FAILED = "failed"
    DELIVERY = "delivery"
    COMPLETED = "completed"


# Who may still co-sign, or withdraw a co-signature: until the proposal is answered.
SIGNING_STATES = frozenset({ProposalState.SUPPORT, ProposalState.AWAITING_ANSWER})
ANSWERABLE_STATES = SIGNING_STATES


class AnswerKind(enum.StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"
    MERGED = "merged"
    RETURNED = "returned"
    COORDINATION = "coordination"  # the community staff's opinion (审核协调)


class ProposalSettings(db.Model):
    """Per estate, from its rules of procedure (R-70, all (C))."""

    __tablename__ = "proposal_settings"

    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), primary_key=True)
    answer_percent: Mapped[int] = mapped_column(Integer)
    answer_days: Mapped[int] = mapped_column(Integer)
    vote_days: Mapped[int] = mapped_column(Integer)


class Proposal(OfEstate, db.Model):
    __tablename__ = "proposal"
    __table_args__ = (CheckConstraint("estimated_cost >= 0", name="cost_not_negative"),)

    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text)
    remedy: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    buildings: Mapped[list | None] = mapped_column(JSON, nullable=True)  # R-04; None: the whole estate
    changes_use: Mapped[bool] = mapped_column(Boolean, default=False)  # of common parts (matter 8)
    estimated_cost: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[ProposalState] = mapped_column(string_enum(ProposalState, "proposal_state", 20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    answer_threshold_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # R-70, first reached
    assembly_threshold_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # R-41, first reached
    answered_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    vote_plan_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    contractor: Mapped[str] = mapped_column(String(200), default="")
    contract_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)
    percent_complete: Mapped[int] = mapped_column(Integer, default=0)
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)

    estate: Mapped[Estate] = relationship()
    files: Mapped[list[ProposalFile]] = relationship(back_populates="proposal", order_by="ProposalFile.id")
    answers: Mapped[list[ProposalAnswer]] = relationship(order_by="ProposalAnswer.id",
                                                         foreign_keys="ProposalAnswer.proposal_id")
    plans: Mapped[list[FundingPlan]] = relationship(order_by="FundingPlan.version")
    milestones: Mapped[list[Milestone]] = relationship(order_by="(Milestone.due_on, Milestone.id)")
    updates: Mapped[list[ProgressUpdate]] = relationship(order_by="ProgressUpdate.id")

    def require(self, *states: ProposalState) -> None:
        """State transitions refuse illegal moves (the route says why)."""
        if self.state not in states:
            raise ProposalError("wrong_state", state=self.state.value)

    def move(self, to: ProposalState, *sources: ProposalState) -> None:
        self.require(*sources)
        self.state = to

    @property
    def plan(self) -> FundingPlan | None:
        """The latest version of the funding plan."""
        return self.plans[-1] if self.plans else None

    @property
    def is_project(self) -> bool:
        return self.state in (ProposalState.DELIVERY, ProposalState.COMPLETED)


class ProposalFile(Keyed, db.Model):
    """A photo or document of the proposal, or a photo of a progress update."""

    __tablename__ = "proposal_file"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    update_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_update.id"), nullable=True)
    label: Mapped[str] = mapped_column(String(200), default="")

    proposal: Mapped[Proposal] = relationship(back_populates="files")


class CoSignature(Keyed, db.Model):
    """One owner key's co-signature (R-70, R-15): one head and the summed area of its units in scope."""

    __tablename__ = "proposal_cosignature"
    __table_args__ = (UniqueConstraint("proposal_id", "voter"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    voter: Mapped[str] = mapped_column(String(200))
    units: Mapped[list] = mapped_column(JSON)
    area: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ProposalAnswer(Keyed, db.Model):
    """The committee's answer or the community staff's coordination opinion, shown to owners."""

    __tablename__ = "proposal_answer"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    kind: Mapped[AnswerKind] = mapped_column(string_enum(AnswerKind, "proposal_answer_kind", 20))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    author_role: Mapped[str] = mapped_column(String(30))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FundingPlan(Keyed, db.Model):
    """One version of the funding plan (R-71); a new version for every change until the vote."""

    __tablename__ = "proposal_plan"
    __table_args__ = (UniqueConstraint("proposal_id", "version"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    total_cost: Mapped[int] = mapped_column(BigInteger)
    apportion_by: Mapped[str] = mapped_column(String(10))  # "area" | "unit"
    owners_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    subsidy_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    subsidy_programme: Mapped[str] = mapped_column(String(200), default="")
    subsidy_status: Mapped[str] = mapped_column(String(10), default="to_apply")
    subsidy_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)
    common_income_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    fund_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Milestone(Keyed, db.Model):
    __tablename__ = "proposal_milestone"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # the day the committee marked it reached

    def late(self, today: dt.date) -> bool:
        """Due before today and not reached (reached late is shown by its two dates)."""
        return self.done_on is None and self.due_on < today


class ProgressUpdate(Keyed, db.Model):
    __tablename__ = "proposal_update"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    percent_complete: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    photos: Mapped[list[ProposalFile]] = relationship(order_by="ProposalFile.id")


class Rating(Keyed, db.Model):
    """One owner key's rating of a completed project (1 to 5), as a ballot counts (R-15)."""

    __tablename__ = "proposal_rating"
    __table_args__ = (UniqueConstraint("proposal_id", "voter"),
                      CheckConstraint("stars BETWEEN 1 AND 5", name="stars_one_to_five"))

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    voter: Mapped[str] = mapped_column(String(200))
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    rated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
