"""The inbox, what each person wants by e-mail, and what was already announced."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core import clock
from ..extensions import db, Keyed


class Message(Keyed, db.Model):
    """One message in one person's inbox, kept a year. Its words are drawn when it is read, in the
    reader's language, from ``kind`` and ``values`` (plain values: titles, dates; never another
    owner's personal data)."""

    __tablename__ = "inbox_message"
    __table_args__ = (Index("ix_inbox_message_user_id_read_at", "user_id", "read_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # None: no e-mail wanted or possible; queued, sent or failed (after its retries).
    mail_state: Mapped[str | None] = mapped_column(String(10), nullable=True)
    mailed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Preference(db.Model):
    """Whether a kind of message also comes by e-mail (no row: it does)."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean, default=True)


class Announced(db.Model):
    """Something announced once (a duty two days ahead, a duty overdue, a vote closing soon): its
    key here means it is never announced again, however often the hourly task runs."""

    __tablename__ = "notification_announced"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
