"""A job's state, progress and result file."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..core import clock
from ..estates.models import Estate
from ..extensions import db, string_enum


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """Long work started by a person. Its id is random (it is in addresses); its file is kept
    ``JOB_RESULT_HOURS`` after it is done."""

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    estate_id: Mapped[int | None] = mapped_column(ForeignKey("estate.id"), nullable=True, index=True)
    # The action the starter needed on the estate: others who may do it may see the job and its file.
    permission: Mapped[str] = mapped_column(String(60), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = mapped_column(string_enum(JobState, "job_state"), default=JobState.QUEUED,
                                            index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    failure: Mapped[str | None] = mapped_column(String(40), nullable=True)  # a reason (jobs/messages.py)
    result_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    result_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    result_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    dispatched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    owner: Mapped[User] = relationship()

    @property
    def estate(self):
        return db.session.get(Estate, self.estate_id) if self.estate_id else None

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
