"""Scheduled work of votes (issue 16): run every minute by Celery beat (``governance.tick``),
which replaces the ``flask voting tick`` cron line."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..jobs.registry import task
from . import services
from .models import Vote, VoteState


@task("governance.tick")
def open_and_close() -> int:
    """Open and close votes whose time has come; returns how many changed stage. Pages do the
    same when visited; whether a ballot counts never depends on it."""
    changed = 0
    for vote in db.session.scalars(select(Vote).where(Vote.state.in_([VoteState.NOTICED, VoteState.OPEN]))).all():
        before = vote.state
        services.advance(vote)
        changed += vote.state != before
    return changed
