"""Participation of many votes at once, by area and by headcount, for dashboards (R-10).

Totals only: never a choice or a count of choices (DESIGN, Verifiability). Three queries
whatever the number of votes: the open votes, their frozen rolls' totals, their counting ballots.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, func, select

from ..core.duties import in_estates
from ..extensions import db
from . import rules
from .models import Ballot, BallotStatus, Vote, VoteRollEntry, VoteState


@dataclass(frozen=True)
class Turnout:
    vote_id: int
    estate_id: int
    title: str
    closes_at: dt.datetime
    area: int
    heads: int
    total_area: int
    total_heads: int

    @property
    def met(self) -> bool:
        """R-10: two thirds of the area and two thirds of the owners take part."""
        return rules.participation_met(self.area, self.heads, self.total_area, self.total_heads)


def open_votes(estate_ids: list[int]) -> list[Turnout]:
    votes = db.session.execute(select(Vote.id, Vote.estate_id, Vote.title, Vote.closes_at).where(
        in_estates(Vote.estate_id, estate_ids), Vote.state == VoteState.OPEN).order_by(Vote.closes_at)).all()
    if not votes:
        return []
    ids = [row.id for row in votes]
    totals = {vote_id: (area, heads) for vote_id, area, heads in db.session.execute(
        select(VoteRollEntry.vote_id, func.sum(VoteRollEntry.area), func.count(func.distinct(VoteRollEntry.voter)))
        .where(VoteRollEntry.vote_id.in_(ids)).group_by(VoteRollEntry.vote_id))}
    taking_part = {vote_id: (area, heads) for vote_id, area, heads in db.session.execute(
        select(Ballot.vote_id, func.sum(VoteRollEntry.area), func.count(func.distinct(Ballot.voter)))
        .join(VoteRollEntry, and_(VoteRollEntry.vote_id == Ballot.vote_id, VoteRollEntry.voter == Ballot.voter))
        .where(Ballot.vote_id.in_(ids), Ballot.status == BallotStatus.VALID, Ballot.late.is_(False))
        .group_by(Ballot.vote_id))}
    return [Turnout(row.id, row.estate_id, row.title, row.closes_at, int(taking_part.get(row.id, (0, 0))[0] or 0),
                    taking_part.get(row.id, (0, 0))[1], int(totals.get(row.id, (0, 0))[0] or 0),
                    totals.get(row.id, (0, 0))[1]) for row in votes]


def published_participation(estate_ids: list[int], since: dt.datetime) -> list[tuple[int, int, int, int]]:
    """(area, heads, total area, total heads) of each vote published since ``since``, from its result."""
    found = []
    # The whole result, decoded here: on PostgreSQL the column is json (text), whose every path the
    # server would parse the document again for (measured 20 times slower for 1,800 votes).
    for (result,) in db.session.execute(select(Vote.result).where(
            in_estates(Vote.estate_id, estate_ids), Vote.state == VoteState.PUBLISHED, Vote.published_at >= since)):
        part = (result or {}).get("participation") or {}
        total = (result or {}).get("totals") or {}
        found.append((_hundredths(part.get("area")), int(part.get("heads") or 0), _hundredths(total.get("area")),
                      int(total.get("heads") or 0)))
    return found


def _hundredths(value) -> int:
    if value is None:
        return 0
    whole, _dot, part = str(value).partition(".")
    return int(whole) * 100 + int((part + "00")[:2]) if whole.lstrip("-").isdigit() else 0
