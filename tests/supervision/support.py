"""Helpers to take a process through its stages by the services."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.core import clock as platform
from governance_app.estates.models import Owner, Ownership, Unit
from governance_app.extensions import db
from governance_app.supervision import services
from governance_app.supervision.models import GroupRole, Nomination
from governance_app.voting import services as voting_services

VOTERS = ("1-101", "1-103", "1-104", "2-101", "2-102", "2-103", "2-104", "3-103")


def owner_account(make_user, estate, unit: str):
    owner = db.session.scalars(
        select(Owner).join(Ownership, Ownership.owner_id == Owner.id).join(Unit, Unit.id == Ownership.unit_id)
        .where(Unit.label == unit, Unit.estate_id == estate.id, Ownership.valid_to.is_(None))
        .order_by(Ownership.is_representative.desc())).first()
    return make_user(owner=owner, login=f"owner-{unit}", name=owner.name)


def to_posting(process, people, clock, seats: int = 5) -> None:
    """From the plan to the candidate list posted today (stages 4 to 7)."""
    today = platform.today()
    services.record_plan(process, seats=seats, structure="楼组长 2 名，党员 1 名", structure_by_community=True,
                         posting_days=7, happened_on=today, actor=people["staff"])
    names = ["甲", "乙", "丙", "丁", "戊", "己"][:seats + 1]
    sources = [Nomination.SELF, Nomination.JOINT, Nomination.COMMUNITY, Nomination.PARTY]
    for number, name in enumerate(names):
        services.nominate(process, name=name, unit=f"1-10{number + 1}", source=sources[number % 4],
                          nominated_by="本人" if number % 4 == 0 else "10 名业主联名", actor=people["staff"])
    services.close_nominations(process, today, people["staff"])
    for number, nominee in enumerate(process.nominees):
        if number == len(names) - 1:
            services.review(process, nominee, grounds=["arrears"], approve=False, reasons="欠缴物业费未整改",
                            pledge_signed=False, actor=people["staff"])
        else:
            services.review(process, nominee, grounds=[], approve=True, reasons="", pledge_signed=True,
                            actor=people["staff"])
    services.close_review(process, today, people["staff"])
    services.record_posting(process, today, people["staff"])
    db.session.commit()


def to_group(process, people, clock) -> None:
    today = platform.today()
    services.record_report(process, today, None, "书面报告", people["supervisor"])
    services.add_member(process, "居委干部", GroupRole.COMMUNITY, people["supervisor"])
    services.add_member(process, "业主代表", GroupRole.OWNER, people["supervisor"])
    services.record_group(process, today, None, "", people["supervisor"])
    db.session.commit()


def hold_election(process, people, clock, make_user, estate):
    """Build the vote 8 days after the posting (and 15 after its notice), cast, count and publish."""
    posted = process.recorded()["posting"].happened_on
    opening = max(posted + dt.timedelta(days=8), platform.today() + dt.timedelta(days=15))
    vote = services.build_vote(process, opening_date=opening, last_day=opening + dt.timedelta(days=6),
                               actor=people["staff"])
    db.session.commit()
    voting_services.publish_notice(vote, people["chair"])
    db.session.commit()
    clock.set(opening.year, opening.month, opening.day, 10)
    voting_services.advance(vote)
    seats = vote.items[0].seats
    picks = [c.key for c in vote.items[0].candidates][:seats]
    for unit in VOTERS:
        user = owner_account(make_user, estate, unit)
        mandate = voting_services.mandates(user, vote)[0]
        assert voting_services.cast_online(vote, user, mandate, {"i1": picks})
        db.session.commit()
    clock.at = platform_clock.aware(vote.closes_at) + dt.timedelta(hours=2)
    voting_services.advance(vote)
    voting_services.count(vote, people["chair"])
    voting_services.publish_result(vote, people["chair"])
    db.session.commit()
    return vote
