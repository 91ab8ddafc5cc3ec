"""R-43 by-elections (增补) through the voting services: sizes against the sitting committee, and a
one-seat by-election counted."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.disclosure import services as disclosure_services
from governance_app.disclosure.models import MemberRole
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind, NominationSource, VoteError

from tests.support.voting_world import SHANGHAI, close
from tests.support.site import new_vote


def committee_of(estate, committee, clock, elected: int, left: int) -> None:
    today = clock().astimezone(SHANGHAI).date()
    for number in range(elected):
        member = disclosure_services.add_member(
            estate, name=f"委员{number}", role=MemberRole.CHAIR if number == 0 else MemberRole.MEMBER,
            term_start=today - dt.timedelta(days=400), term_end=today + dt.timedelta(days=3 * 365), pledge=None,
            pledge_signed_on=None, actor=committee)
        if number >= elected - left:
            disclosure_services.member_left(member, today - dt.timedelta(days=10), committee)
    db.session.commit()


def by_election(vote, seats: int):
    return services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="增补业委会委员", seats=seats,
                             by_election=True, committee=disclosure_services.committee_seats(vote.estate))


def test_r43_a_one_seat_election_is_refused_unless_it_is_a_by_election(estate, committee, clock):
    committee_of(estate, committee, clock, elected=5, left=1)
    vote = new_vote(estate, committee, clock, items=False)
    with pytest.raises(VoteError) as refused:
        services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举", seats=1)
    assert refused.value.reason == "committee_even" or refused.value.reason == "committee_too_few"
    item = by_election(vote, 1)
    assert item.by_election and item.seats == 1


@pytest.mark.parametrize(("seats", "reason"), [(1, "by_election_after_even"), (2, None),
                                               (3, "by_election_more_than_vacancies")])
def test_r43_by_election_seats_against_vacancies_and_the_size_after(estate, committee, clock, seats, reason):
    committee_of(estate, committee, clock, elected=5, left=2)  # 3 sitting, 2 vacant
    vote = new_vote(estate, committee, clock, items=False)
    if reason is None:
        assert by_election(vote, seats).seats == seats
    else:
        with pytest.raises(VoteError) as refused:
            by_election(vote, seats)
        assert refused.value.reason == reason


def test_r43_a_one_seat_by_election_is_counted(estate, committee, clock, owner_of):
    committee_of(estate, committee, clock, elected=5, left=1)
    vote = new_vote(estate, committee, clock, items=False)
    item = by_election(vote, 1)
    for name in ("甲", "乙"):
        services.add_candidate(item, name=name, nomination=NominationSource.SELF, statement="", pledge_signed=True)
    db.session.commit()
    services.publish_notice(vote, committee)
    db.session.commit()
    clock.move_to(dt.datetime.combine(platform_clock.aware(vote.opens_at).astimezone(SHANGHAI).date(), dt.time(9)))
    services.advance(vote)
    for unit in ("1-101", "1-103", "1-104", "2-101", "2-102", "2-103", "2-104", "3-103"):
        user = owner_of(unit)
        mandate = services.mandates(user, vote)[0]
        assert services.cast_online(vote, user, mandate, {"i1": ["c1"] if unit != "3-103" else ["c2"]})
        db.session.commit()
    close(vote, clock)
    result = services.count(vote, committee)
    outcome = result["items"]["i1"]
    assert outcome["seats"] == 1 and outcome["elected"] == ["c1"] and outcome["outcome"] == "elected"
