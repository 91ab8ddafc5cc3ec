"""The dashboard's headline turnout, read from the published results and averaged exactly, and the
duty sources' estates selected as one array parameter on PostgreSQL."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sqlalchemy import select

from governance_app.core import clock as platform
from governance_app.core.duties import in_estates
from governance_app.estates.models import Estate
from governance_app.extensions import db
from governance_app.supervision.views import mean_share
from governance_app.voting import turnout
from governance_app.voting.models import Vote, VoteState


def test_published_participation_reads_the_four_figures_of_each_result(app_context, make_estate, clock):
    estates = [make_estate(f"表决小区{n}", "居民区", "表决街道") for n in range(3)]
    moment = platform.now()
    results = [{"totals": {"area": "6000.00", "heads": 60},
                "participation": {"area": "4123.45", "heads": 41, "met": True}, "items": {"1": {"yes": 3}}},
               {"totals": {"area": "812.5", "heads": 9}, "participation": {"area": "700", "heads": 7}},
               {"totals": {"area": "100.00", "heads": 2}},  # nobody took part: no participation recorded
               None]
    for number, result in enumerate(results):
        db.session.add(Vote(uid=f"figures{number}", estate_id=estates[number % 3].id, title=f"表决{number}",
                            description="", state=VoteState.PUBLISHED, opens_at=moment - dt.timedelta(days=9),
                            closes_at=moment - dt.timedelta(days=2), notice_at=moment - dt.timedelta(days=30),
                            counted_at=moment - dt.timedelta(days=2), published_at=moment - dt.timedelta(days=1),
                            estate_name_at_notice="小区", created_at=moment - dt.timedelta(days=40), result=result))
    db.session.add(Vote(uid="figures-old", estate_id=estates[0].id, title="去年的表决", description="",
                        state=VoteState.PUBLISHED, opens_at=moment - dt.timedelta(days=500),
                        closes_at=moment - dt.timedelta(days=490), notice_at=moment - dt.timedelta(days=520),
                        published_at=moment - dt.timedelta(days=489), estate_name_at_notice="小区",
                        created_at=moment - dt.timedelta(days=530), result=results[0]))
    db.session.commit()
    found = turnout.published_participation([e.id for e in estates], moment - dt.timedelta(days=365))
    assert sorted(found) == sorted([(412345, 41, 600000, 60), (70000, 7, 81250, 9), (0, 0, 10000, 2), (0, 0, 0, 0)])


def test_mean_share_is_the_exact_mean_of_every_share():
    shares = [(41, 60), (40, 60), (7, 9), (1, 3), (2, 6), (0, 5), (59, 60)]
    assert mean_share(shares) == sum(Fraction(part, whole) for part, whole in shares) / len(shares)
    assert mean_share([(1, 3)]) == Fraction(1, 3) and mean_share([]) is None


def test_in_estates_selects_the_rows_of_exactly_those_estates(app_context, make_estate):
    estates = [make_estate(f"选择小区{n}", "居民区", "选择街道") for n in range(4)]
    chosen = [estates[0].id, estates[2].id]
    assert set(db.session.scalars(select(Estate.id).where(in_estates(Estate.id, chosen)))) == set(chosen)
    assert set(db.session.scalars(select(Estate.id).where(in_estates(Estate.id, iter(chosen))))) == set(chosen)
    assert list(db.session.scalars(select(Estate.id).where(in_estates(Estate.id, [])))) == []
