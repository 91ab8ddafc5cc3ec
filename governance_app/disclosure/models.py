"""Notices, estate documents and their versions, the committee, its meetings and decisions."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.refusals import Refusal
from ..extensions import db, Keyed, OfEstate, string_enum
from ..files.models import Attached


class NoticeKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"  # 公告
    POSTING = "posting"  # 公示, for a fixed period


class DocumentKind(enum.StrEnum):
    RULES_OF_PROCEDURE = "rules_of_procedure"  # 议事规则
    MANAGEMENT_RULES = "management_rules"  # 管理规约
    SERVICE_CONTRACT = "service_contract"  # 物业服务合同
    FUND_RULES = "fund_rules"  # 维修资金管理规约
    OTHER = "other"
    RESIDENTS_CONVENTION = "residents_convention"  # 居民公约
    BUILDING_CONVENTION = "building_convention"  # 楼组公约


# The estate's conventions (issue 19): documents with numbered clauses that owners sign and the
# red/black board cites.
CONVENTION_KINDS = (DocumentKind.MANAGEMENT_RULES, DocumentKind.RESIDENTS_CONVENTION,
                    DocumentKind.BUILDING_CONVENTION)


class MemberRole(enum.StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    MEMBER = "member"


class DisclosureError(Refusal):
    """A refusal of what the committee posts (its messages: disclosure/messages.py)."""


class Notice(OfEstate, db.Model):
    __tablename__ = "notice"

    kind: Mapped[NoticeKind] = mapped_column(string_enum(NoticeKind, "notice_kind"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown as written
    body_html: Mapped[str] = mapped_column(Text)  # rendered and sanitised once, when published
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    attachments: Mapped[list[NoticeAttachment]] = relationship(back_populates="notice",
                                                               order_by="NoticeAttachment.id")


class NoticeAttachment(Attached, Keyed, db.Model):
    __tablename__ = "notice_attachment"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)

    notice: Mapped[Notice] = relationship(back_populates="attachments")


class NoticeRead(Keyed, db.Model):
    __tablename__ = "notice_read"
    __table_args__ = (UniqueConstraint("notice_id", "user_id"),)

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    read_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class EstateDocument(OfEstate, db.Model):
    __tablename__ = "estate_document"
    __table_args__ = (UniqueConstraint("estate_id", "kind", "title"),)

    kind: Mapped[DocumentKind] = mapped_column(string_enum(DocumentKind, "document_kind", 24))
    title: Mapped[str] = mapped_column(String(200))

    versions: Mapped[list[DocumentVersion]] = relationship(back_populates="document",
                                                           order_by="DocumentVersion.version.desc()")


class DocumentVersion(Keyed, db.Model):
    """One version of an estate document, linked to the resolution that adopted it."""

    __tablename__ = "estate_document_version"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("estate_document.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    adopted_on: Mapped[dt.date] = mapped_column(Date)
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("vote.id"), nullable=True)
    item: Mapped[str | None] = mapped_column(String(10), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    document: Mapped[EstateDocument] = relationship(back_populates="versions")


class ConventionClause(Keyed, db.Model):
    """A numbered clause (第 n 条) of a convention, which board entries cite."""

    __tablename__ = "convention_clause"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    document_id: Mapped[int] = mapped_column(ForeignKey("estate_document.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    document: Mapped[EstateDocument] = relationship()


class CommitteeMember(OfEstate, db.Model):
    """A member of the estate's committee for a term, with the signed pledge of duty (R-44)."""

    __tablename__ = "committee_member"

    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[MemberRole] = mapped_column(string_enum(MemberRole, "member_role"))
    term_start: Mapped[dt.date] = mapped_column(Date)
    term_end: Mapped[dt.date] = mapped_column(Date)
    pledge_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)
    pledge_signed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    left_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class Meeting(OfEstate, db.Model):
    """A committee meeting: agenda posted in advance, attendance, decisions, posting (R-42, R-45)."""

    __tablename__ = "committee_meeting"

    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    scheduled_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    agenda: Mapped[str] = mapped_column(Text)
    agenda_posted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    members: Mapped[list] = mapped_column(JSON, default=list)  # ids of the members at the time
    present: Mapped[list | None] = mapped_column(JSON(none_as_null=True), nullable=True)  # ids; None until held
    held_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    minutes: Mapped[str] = mapped_column(Text, default="")
    posted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    decisions: Mapped[list[Decision]] = relationship(back_populates="meeting", order_by="Decision.id")


class Decision(Keyed, db.Model):
    __tablename__ = "committee_decision"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("committee_meeting.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    signers: Mapped[list] = mapped_column(JSON, default=list)  # member ids who signed
    valid: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
