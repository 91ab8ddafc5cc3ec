"""The register of every document the platform has generated."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, OfEstate, string_enum


class DocumentKind(enum.StrEnum):
    RESULT_ANNOUNCEMENT = "result_announcement"  # 表决结果公告
    VOTE_MINUTES = "vote_minutes"  # 业主大会会议纪要
    MEETING_MINUTES = "meeting_minutes"  # 业委会会议纪要
    FILING_FORM = "filing_form"  # 选举结果备案表
    ACTIVATION_LETTER = "activation_letter"  # 业主账户激活函
    FUND_STATEMENT = "fund_statement"  # 资金收支公示
    BOARD_NOTICE = "board_notice"  # 红黑榜告知书 (R-62: notification of a black-board entry)
    SERVICE_RATING = "service_rating"  # 物业服务评价结果 (surveys package)
    CANDIDATE_LIST = "candidate_list"  # 候选人名单公示 (supervision, R-47)
    HANDOVER_RECORD = "handover_record"  # 交接记录 (supervision)


class DocumentRecord(OfEstate, db.Model):
    """One generated document: its number, what it shows (by object) and the SHA-256 of the
    canonical JSON of the values it shows. The PDF itself is not kept: the check page
    compares the hash with what the same object would show today.

    ``audit_*`` is the head of the estate's audit chain (the platform's for a platform
    document) once the document's issue was recorded, as its footer prints it: paper that
    anchors the chain outside the database (issue 12). Rows are only ever inserted."""

    __tablename__ = "document_record"
    __table_args__ = (Index("ix_document_record_object", "object_type", "object_id"),)

    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[DocumentKind] = mapped_column(string_enum(DocumentKind, "document_kind_pdf", 24))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[int] = mapped_column(Integer)
    data_sha256: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    audit_chain: Mapped[str | None] = mapped_column(String(32), nullable=True)  # None: issued before heads were printed
    audit_seq: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
