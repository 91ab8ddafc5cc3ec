"""R-33, R-34: the cast request looks up one mandate (``mandate_for``) instead of listing them all
(``mandates``); for every account and every voter key both must give the same answer."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.voting import services
from governance_app.voting.models import VoteRollEntry
from tests.voting_site.support import local_now
from tests.voting_site.test_proxy import record, relative, staff  # noqa: F401  (fixtures)


def test_r33_r34_one_mandate_looked_up_is_the_one_listed(open_vote, owner_of, make_user, committee, staff,  # noqa: F811
                                                         relative, clock):  # noqa: F811
    today = local_now(clock).date()
    neighbour = owner_of("3-103")
    record(neighbour, open_vote, staff, "1-104", today)  # an owner who is also a proxy
    record(relative, open_vote, staff, "2-102", today, items=("i2",))  # a proxy who owns nothing
    expired = make_user(login="13900000010", name="钱七")
    record(expired, open_vote, staff, "2-103", today, days=0)  # a term of one day, which ends below
    co_owner = make_user(owner=services.db.session.scalars(select(services.Ownership).join(
        services.Unit, services.Unit.id == services.Ownership.unit_id).where(
        services.Unit.label == "2-101", services.Ownership.is_representative.is_(False))).one().owner,
        login="co-owner", name="刘芳")
    clock.at += dt.timedelta(days=1)
    accounts = [owner_of(unit) for unit in ("1-101", "1-103", "1-104", "2-101", "2-104", "3-101")]
    accounts += [neighbour, relative, expired, co_owner, committee]
    voters = sorted(set(services.db.session.scalars(select(VoteRollEntry.voter).where(
        VoteRollEntry.vote_id == open_vote.id)))) + ["o999999", "", None]
    found = 0
    for account in accounts:
        listed = {mandate.voter: mandate for mandate in services.mandates(account, open_vote)}
        for voter in voters:
            assert services.mandate_for(account, open_vote, voter) == listed.get(voter), (account.login, voter)
        found += len(listed)
    # The world above has mandates of every kind: alone, several units, co-owned, developer, proxies.
    assert found == 9
