"""The committee's duties (core.duties): decisions of a meeting held but not posted within 3 days (R-42).

One set-based query over the estates asked for, whatever their number; the title translated once
per call and filled in per meeting.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.duties import Duty, in_estates, register_source
from ..extensions import db
from . import rules
from .models import Meeting


def meetings_to_post(estate_ids: list[int], today: dt.date) -> list[Duty]:  # noqa: ARG001 (the source's shape)
    """R-42 (SH 26): the committee posts its decisions within 3 days of the meeting."""
    rows = db.session.execute(select(Meeting.id, Meeting.estate_id, Meeting.title, Meeting.held_on).where(
        in_estates(Meeting.estate_id, estate_ids), Meeting.held_on.is_not(None), Meeting.posted_at.is_(None)))
    posting = _("Post the decisions of %(title)s")
    return [Duty(rules.posting_due(held_on), estate_id, "disclosure.post_decisions",
                 posting % {"title": title}, f"/estates/{estate_id}/meetings/{meeting_id}",
                 "R-42", "committee")
            for meeting_id, estate_id, title, held_on in rows]


register_source("disclosure.post_decisions", meetings_to_post)
