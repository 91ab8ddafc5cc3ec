"""Scheduled work of votes (issue 16): run every minute by Celery beat (``governance.tick``),
which replaces the ``flask voting tick`` cron line; and the vote's long downloads as jobs: the
audit bundle, and the result announcement of a large estate (``JOB_THRESHOLD_UNITS``)."""
from __future__ import annotations

import json

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record
from ..auth.permissions import can
from ..documents import render
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.messages import describe
from ..jobs.registry import Result, task, work
from . import printing, services
from .models import Vote, VoteState

BUNDLE = "vote_bundle"
ANNOUNCEMENT = "result_announcement"
describe(BUNDLE, _l("Audit bundle of a vote (JSON)"), steps={
    "bundle.ballots": _l("Ballot %(done)s of %(total)s"),
    "bundle.writing": _l("Writing the bundle"),
}, failures={
    "no_result": _l("This vote has no counted result, so there is nothing to put in a file."),
    "no_longer_permitted": _l("You may no longer download this; nothing was made."),
})
describe(ANNOUNCEMENT, _l("Result announcement (PDF)"), steps={
    "announcement.figures": _l("Gathering the figures of each building"),
    "announcement.drawing": _l("Drawing the announcement"),
})


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


# --- the audit bundle -------------------------------------------------------------------------------

def start_bundle(vote: Vote, actor):
    """Every bundle is made by a job, whatever the vote's size: one way for every vote, and the
    largest (every ballot of an estate of thousands) never holds a request. Who may start one is
    who could download it (``vote.inspect``); so may those see its file. The caller commits and
    dispatches."""
    return jobs.start(BUNDLE, owner=actor, estate=vote.estate, permission="vote.inspect",
                      params={"vote": vote.id}, total=services.ballot_count(vote))


@work(BUNDLE)
def vote_bundle(job, progress) -> Result:
    vote = db.session.get(Vote, job.params["vote"])
    if vote is None or vote.result is None:
        raise jobs.JobError("no_result")
    if not can(job.owner, "vote.inspect", vote):
        raise jobs.JobError("no_longer_permitted")
    data = services.audit_bundle(vote, lambda done, total: progress(done, total, "bundle.ballots"))
    total = len(data["ballots"])
    progress(total, total, "bundle.writing")
    body = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    # Recorded with the file, in the job's one transaction: no event for a bundle never made.
    record("vote.bundle_downloaded", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
           actor=job.owner)
    return Result(body, f"vote-{vote.uid}.json", "application/json")


# --- the result announcement of a large estate ------------------------------------------------------

def announcement_as_job(vote: Vote) -> bool:
    """Large estates' announcements are printed by a job; small ones at once, not slowed by a
    progress page for a second's work."""
    return services.units_of(vote.estate_id) >= current_app.config["JOB_THRESHOLD_UNITS"]


def start_announcement(vote: Vote, actor):
    """The job printing the announcement. Its file is its starter's only: the announcement carries
    the number registered for them (documents), and anyone who may read it may start their own.
    Refused now, before anyone waits, when no Chinese font is installed. The caller commits and
    dispatches."""
    render.require_font()
    return jobs.start(ANNOUNCEMENT, owner=actor, estate=vote.estate, params={"vote": vote.id})


@work(ANNOUNCEMENT)
def result_announcement(job, progress) -> Result:
    vote = db.session.get(Vote, job.params["vote"])
    if vote is None or vote.result is None:
        raise jobs.JobError("no_result")
    if not services.may_read_result(job.owner, vote):
        raise jobs.JobError("no_longer_permitted")
    progress(0, 2, "announcement.figures")
    try:
        render.require_font()
    except render.FontMissing as error:
        raise jobs.JobError("font_missing") from error
    progress(1, 2, "announcement.drawing")
    content = printing.result_announcement_pdf(vote, job.owner)
    return Result(content, f"result-announcement-{vote.uid}.pdf", "application/pdf")

