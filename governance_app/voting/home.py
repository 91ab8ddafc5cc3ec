"""What of the votes waits for a person on their home page (``core.home``): an open vote they
may vote in and have not (R-34, or R-33 as a proxy), and the committee's drafts (R-40: the notice
must go out 15 full days before voting opens)."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..auth.permissions import visible_estates
from ..core import clock, home
from ..estates.models import Estate
from ..extensions import db
from . import rules, services
from .models import ProxyAuthority, Vote, VoteState


def _last_day(vote: Vote) -> dt.date:
    return clock.local_date(clock.aware(vote.closes_at)) - dt.timedelta(days=1)


def open_ballots(user, today: dt.date) -> list[home.Waiting]:
    """Each voter the user may cast for in an open vote, with no ballot yet: one tap to the ballot."""
    where = [Vote.id.in_(select(ProxyAuthority.vote_id).where(ProxyAuthority.proxy_user_id == user.id,
                                                              ProxyAuthority.revoked_at.is_(None)))]
    if user.owner is not None:
        where.append(Vote.estate_id == user.owner.estate_id)
    found = []
    for vote in db.session.scalars(select(Vote).where(or_(*where), Vote.state.in_((VoteState.NOTICED, VoteState.OPEN)))
                                   .order_by(Vote.closes_at, Vote.id)):
        services.advance(vote)
        if vote.state != VoteState.OPEN:
            continue
        for mandate in services.mandates(user, vote):
            if services.existing_ballot(vote, mandate.voter) is None:
                found.append(home.Waiting(
                    title=_("Vote: %(title)s", title=vote.title), kind="voting.ballot", due=_last_day(vote),
                    link=url_for("voting.ballot", vote_id=vote.id, voter=mandate.voter), action=_("Vote now"),
                    detail=_("For %(units)s; voting ends %(day)s at 24:00.", units=", ".join(mandate.units),
                             day=_last_day(vote).isoformat()), rule="R-31"))
    return found


def drafts(user, today: dt.date) -> list[home.Waiting]:
    """The drafts of the estates the user manages, due by the last day their notice may go out."""
    managed = visible_estates(user, "vote.manage").with_only_columns(Estate.id)
    found = []
    for vote in db.session.scalars(select(Vote).where(Vote.estate_id.in_(managed), Vote.state == VoteState.DRAFT)
                                   .order_by(Vote.opens_at, Vote.id)):
        latest = rules.latest_notice(clock.local_date(clock.aware(vote.opens_at)))
        found.append(home.Waiting(
            title=_("Draft vote: %(title)s", title=vote.title), kind="voting.draft", due=latest,
            link=url_for("voting.vote", vote_id=vote.id), action=_("Finish the draft"),
            detail=_("Publish the notice by %(day)s for voting to open as planned.", day=latest.isoformat()),
            rule="R-40"))
    return found


home.register_source("voting.ballots", open_ballots)
home.register_source("voting.drafts", drafts)
