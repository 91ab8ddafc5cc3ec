from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, Keyed


class StoredFile(Keyed, db.Model):
    """A file kept in the database so that every worker sees it; one row per distinct content."""

    __tablename__ = "stored_file"

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Attached:
    """A stored file attached to a row, with its label and the name it was uploaded with
    (:mod:`files.names` cleans it); it downloads under that name."""

    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    label: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(255), default="", server_default="")
