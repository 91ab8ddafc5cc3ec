"""Opinion surveys, the estate's property-service company and the owners' ratings of it (R-72).

Who answered is kept as a *respondent*: a keyed hash of the survey (or the company and period)
and the owner key (R-15). It lets an owner change their answer and refuses a second one, and
the tables never say which owner wrote which answer. Only a survey that is not anonymous keeps
the units of each answer, for the committee to read.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON, Boolean, Date, DateTime, ForeignKey, Integer, SmallInteger, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.refusals import Refusal
from ..estates.models import Estate
from ..extensions import db, Keyed, OfEstate, Positioned


class SurveyError(Refusal):
    """A survey or rating move the rules refuse; ``reason`` selects the message."""


class Survey(OfEstate, db.Model):
    """A survey of an estate's owners, or of some of its buildings' (``buildings``).

    ``origin_kind``/``origin_id`` optionally name what it was started from (a proposal), so that
    the other object can link to it without this package knowing it.
    """

    __tablename__ = "survey"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    buildings: Mapped[list | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    origin_kind: Mapped[str | None] = mapped_column(String(32), nullable=True)
    origin_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    estate: Mapped[Estate] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(back_populates="survey", cascade="all, delete-orphan",
                                                           order_by="SurveyQuestion.position")

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def publish(self, moment: dt.datetime) -> None:
        """Draft -> published: its questions are fixed from now on."""
        if self.published:
            raise SurveyError("already_published")
        if not self.questions:
            raise SurveyError("no_questions")
        self.published_at = moment

    def check_draft(self) -> None:
        if self.published:
            raise SurveyError("already_published")


class SurveyQuestion(Positioned, Keyed, db.Model):
    __tablename__ = "survey_question"
    key_letter = "q"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # rules.QUESTION_KINDS
    text: Mapped[str] = mapped_column(String(500))
    options: Mapped[list] = mapped_column(JSON, default=list)
    max_choices: Mapped[int] = mapped_column(Integer, default=1)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyResponse(OfEstate, db.Model):
    """One owner key's answers to one survey (R-15), changeable until it closes."""

    __tablename__ = "survey_response"
    __table_args__ = (UniqueConstraint("survey_id", "respondent"),)

    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"), index=True)
    respondent: Mapped[str] = mapped_column(String(64))
    area: Mapped[int] = mapped_column(Integer)  # the key's summed area in the survey's scope
    buildings: Mapped[list] = mapped_column(JSON, default=list)
    units: Mapped[list | None] = mapped_column(JSON(none_as_null=True), nullable=True)  # None when anonymous
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ServiceCompany(OfEstate, db.Model):
    """The property-service company of an estate for a contract period; the contract itself is a
    version of the estate's documents (the service contract)."""

    __tablename__ = "service_company"

    name: Mapped[str] = mapped_column(String(200))
    contract_start: Mapped[dt.date] = mapped_column(Date)
    contract_end: Mapped[dt.date] = mapped_column(Date)
    contract_version_id: Mapped[int | None] = mapped_column(ForeignKey("estate_document_version.id"), nullable=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    estate: Mapped[Estate] = relationship()


class ServiceRating(OfEstate, db.Model):
    """One owner key's rating of the company for one period (R-15), changeable until it closes.
    Each score is 1-5."""

    __tablename__ = "service_rating"
    __table_args__ = (UniqueConstraint("company_id", "period_start", "respondent"),)

    company_id: Mapped[int] = mapped_column(ForeignKey("service_company.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    respondent: Mapped[str] = mapped_column(String(64))
    buildings: Mapped[list] = mapped_column(JSON, default=list)
    cleaning: Mapped[int] = mapped_column(SmallInteger)
    security: Mapped[int] = mapped_column(SmallInteger)
    greenery: Mapped[int] = mapped_column(SmallInteger)
    repairs: Mapped[int] = mapped_column(SmallInteger)
    complaints: Mapped[int] = mapped_column(SmallInteger)
    fees: Mapped[int] = mapped_column(SmallInteger)
    overall: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    company: Mapped[ServiceCompany] = relationship()


class RatingPublication(OfEstate, db.Model):
    """A period's results published by the committee as a notice with a PDF."""

    __tablename__ = "rating_publication"
    __table_args__ = (UniqueConstraint("company_id", "period_start"),)

    company_id: Mapped[int] = mapped_column(ForeignKey("service_company.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"), nullable=True)  # set once posted
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
