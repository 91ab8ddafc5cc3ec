"""The votes' duties (core.duties): results counted but not posted within 3 days (R-42).

One set-based query over the estates asked for, whatever their number; the title translated once
per call and filled in per vote. Filings (R-46) are
reported by the supervision package, which holds the sub-district's acceptance of each filing.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from ..core import clock
from ..core.duties import Duty, in_estates, register_source
from ..extensions import db
from . import rules
from .models import Vote, VoteState


def results_to_post(estate_ids: list[int], today: dt.date) -> list[Duty]:  # noqa: ARG001 (the source's shape)
    """R-42: a counted result is posted within 3 days of counting."""
    rows = db.session.execute(select(Vote.id, Vote.estate_id, Vote.title, Vote.counted_at).where(
        in_estates(Vote.estate_id, estate_ids), Vote.state == VoteState.COUNTED, Vote.counted_at.is_not(None)))
    posting = _("Post the result of %(title)s")
    return [Duty(rules.result_posting_due(clock.local_date(counted_at)), estate_id, "voting.post_result",
                 posting % {"title": title}, f"/votes/{vote_id}", "R-42", "committee")
            for vote_id, estate_id, title, counted_at in rows]


register_source("voting.post_result", results_to_post)
