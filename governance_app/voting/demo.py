"""Demo data of the votes: last year's vote of an estate, closed, counted and published, so that a
new user sees every stage of a vote (its result page, PDFs, board and audit bundle) without
waiting weeks or changing the clock (issue 14).

It is built through the real services, at the times it would have happened: the platform's clock
is moved back while it is built (demo data only; the audit events keep their real time). Owners
vote on paper, entered by the committee with a scan, as many do.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import select

from ..core import clock
from ..estates.models import Estate
from ..extensions import db
from . import services
from .models import ItemKind, NominationSource, Vote, VoteState

TITLE = "更换小区监控系统与选举业委会委员（去年）"
# A tiny JPEG (the scan of a paper ballot); each ballot's scan differs by its unit.
_SCAN = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Run the services as if it were ``moment`` (the way tests move the one clock); demo data only."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def local_time(day: dt.date, hour: int) -> dt.datetime:
    """``hour`` o'clock of a day in the estates' zone, as an aware UTC instant."""
    return dt.datetime.combine(day, dt.time(hour), clock.zone()).astimezone(dt.timezone.utc)


def ensure_last_years_vote(estate: Estate, actor, seed: int = 2025) -> Vote:
    """Last year's vote of ``estate`` (made once): noticed a year ago, voted on paper by about
    four owners in five, counted the day after it closed and published the same day (R-42)."""
    found = db.session.scalar(select(Vote).where(Vote.estate_id == estate.id, Vote.title == TITLE))
    if found is not None:
        return found
    noticed_on = clock.today() - dt.timedelta(days=365)
    opening = noticed_on + dt.timedelta(days=16)
    last_day = opening + dt.timedelta(days=6)
    with clock_at(local_time(noticed_on, 9)):
        vote = services.create_vote(estate, title=TITLE, description="更换已老化的监控系统；补选业主委员会委员。",
                                    opening_date=opening, last_day=last_day, buildings=None, actor=actor)
        services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用专项维修资金更换小区监控系统")
        election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业主委员会委员",
                                     seats=5, alternates=0)
        for name, source, statement in (
                ("孙某", NominationSource.SELF, "退休工程师，在小区居住十二年。"),
                ("钱某", NominationSource.JOINT, "会计师，愿意整理小区账目。"),
                ("冯某", NominationSource.COMMUNITY, "曾任楼组长。"),
                ("褚某", NominationSource.SELF, "熟悉电梯和消防设施维护。"),
                ("卫某", NominationSource.JOINT, "律师，愿意审阅合同。"),
                ("蒋某", NominationSource.SELF, "")):
            services.add_candidate(election, name=name, nomination=source, statement=statement, pledge_signed=True)
        services.publish_notice(vote, actor)
    candidates = [c.key for c in election.candidates]
    paper_ballots(vote, actor, opening, random.Random(seed), lambda rng: {
        "i1": rng.choices(("approve", "oppose", "abstain"), (8, 1, 1))[0],
        "i2": sorted(rng.sample(candidates[:5], 4) + ([candidates[5]] if rng.random() < 0.2 else []))})
    with clock_at(local_time(last_day + dt.timedelta(days=1), 10)):
        services.advance(vote)
        services.count(vote, actor)
    with clock_at(local_time(last_day + dt.timedelta(days=1), 16)):
        services.publish_result(vote, actor)
    assert vote.state == VoteState.PUBLISHED
    return vote


def paper_ballots(vote: Vote, actor, first_day: dt.date, rng: random.Random,
                  choose: Callable[[random.Random], dict]) -> None:
    """About four owners in five vote on paper, one a minute from 10:00 over the vote's first
    week, entered by the committee with a scan, each at its time; ``choose(rng)`` their choices."""
    for number, entry in enumerate(_one_unit_per_voter(vote)):
        if rng.random() >= 0.82:
            continue
        received = local_time(first_day + dt.timedelta(days=number % 7), 10) + dt.timedelta(minutes=number)
        choices = choose(rng)
        with clock_at(received + dt.timedelta(minutes=5)):
            services.advance(vote)
            services.record_paper(vote, actor, unit=entry.unit, received_at=received, signed=True,
                                  signer_matches=True, choices=choices, scan=_SCAN + entry.unit.encode() + b"\xff\xd9")


def _one_unit_per_voter(vote: Vote) -> list:
    """The first unit of each voter of the frozen roll, in the roll's order."""
    seen, chosen = set(), []
    for entry in services.frozen_roll(vote):
        if entry.voter not in seen:
            seen.add(entry.voter)
            chosen.append(entry)
    return chosen
