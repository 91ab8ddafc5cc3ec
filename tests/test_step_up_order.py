"""Issue 12, point 10: step-up comes after the permission check. A person without the right to
an action gets 404 first, without being asked for a code (the step-up page would tell them the
object exists, and would take a code for a request that is then refused).

Route by route: every route whose POST asks for a fresh code is listed in ``ROUTES``, with who
may act and who may not; a route that asks for a code and is not listed fails the first test.
"""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.estates import services as estates
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind
from governance_app.voting import services as voting
from tests.auth.support import age_second_factor, page_client
from tests.conftest import owner_row, roll_csv

ASKED = 'name="step_up_code"'

# endpoint: (URL, the form, those who may act, those who may not)
ROUTES = {
    "voting.publish": ("/votes/{vote}/publish", {}, ["chair"],
                       ["auditor", "supervisor", "staff", "owner", "other_chair"]),
    "funds.publish_statement": ("/estates/{estate}/funds/maintenance_fund/statements",
                                {"start": "2026-01-01", "end": "2026-06-30"}, ["chair"],
                                ["member", "auditor", "supervisor", "staff", "owner", "other_chair"]),
    "admin.new_user": ("/admin/users/new", {"login": "new-person", "display_name": "新人"}, ["supervisor"],
                       ["chair", "member", "auditor", "staff", "owner"]),
    "admin.grant": ("/admin/users/{member}/grants", {"role": "auditor", "scope": "estate:{estate}"},
                    ["supervisor"], ["other_supervisor", "chair", "auditor", "staff", "owner"]),
    "admin.revoke": ("/admin/users/{member}/grants/{grant}/revoke", {}, ["supervisor"],
                     ["other_supervisor", "chair", "auditor", "staff", "owner"]),
    "admin.reset": ("/admin/users/{member}/reset", {}, ["supervisor"],
                    ["other_supervisor", "chair", "auditor", "staff", "owner"]),
}
# Actions on one's own account: nobody lacks the right.
OWN_ACCOUNT = {"auth.regenerate_recovery_codes": "/account/recovery-codes"}


def asking_routes(app) -> dict[str, object]:
    """The endpoints whose view asks for a fresh code, with the check that runs first."""
    return {endpoint: view.step_up_may for endpoint, view in app.view_functions.items()
            if hasattr(view, "step_up_may")}


def test_every_route_that_asks_for_a_code_is_checked_here(app):
    found = asking_routes(app)
    assert set(found) == set(ROUTES) | set(OWN_ACCOUNT)
    assert [endpoint for endpoint, may in found.items() if may is None] == list(OWN_ACCOUNT)


class World:
    def __init__(self, make_estate, make_user):
        estate = make_estate("梅园小区")
        other = make_estate("别的小区", community="别的居民区", sub_district="别的街道")
        sub_district = estate.community.sub_district
        self.users = {
            "chair": make_user(Role.COMMITTEE_CHAIR, estate, login="chair"),
            "member": make_user(Role.COMMITTEE_MEMBER, estate, login="member"),
            "auditor": make_user(Role.AUDITOR, sub_district, login="auditor"),
            "supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, sub_district, login="supervisor"),
            "other_supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, other.community.sub_district,
                                          login="other-supervisor"),
            "staff": make_user(Role.COMMUNITY_STAFF, estate.community, login="staff"),
            "other_chair": make_user(Role.COMMITTEE_CHAIR, other, login="other-chair"),
        }
        assert estates.import_roll(estate, roll_csv([owner_row("1", "1-101", "80.00", "王伟", "310101199001011234")]),
                                   "roll.csv").ok
        self.users["owner"] = make_user(owner=db.session.scalar(select(Owner)), login="owner")
        funds.open_accounts(estate, opened_on=dt.date(2026, 1, 1), balances={AccountKind.MAINTENANCE_FUND: 100},
                            first_period_amount=100, actor=None)
        today = platform_clock.today()
        vote = voting.create_vote(estate, title="表决", description="", opening_date=today + dt.timedelta(days=15),
                                  last_day=today + dt.timedelta(days=20), buildings=None, actor=self.users["chair"])
        db.session.commit()
        member = self.users["member"]
        self.ids = {"estate": estate.id, "vote": vote.id, "member": member.id, "grant": member.grants[0].id}
        for user in self.users.values():
            age_second_factor(user, 60)


@pytest.fixture
def world(make_estate, make_user) -> World:
    return World(make_estate, make_user)


def _post(app, login, world, who: str, endpoint: str):
    url, form, _may, _may_not = ROUTES[endpoint]
    pages = page_client(app)
    login(world.users[who], client=pages)
    age_second_factor(world.users[who], 60)  # signing in counts as a code just given
    return pages.post(url.format(**world.ids), data={k: v.format(**world.ids) for k, v in form.items()})


@pytest.mark.parametrize("endpoint", list(ROUTES))
def test_a_person_without_the_right_gets_404_and_is_never_asked_for_a_code(app, login, world, endpoint):
    for who in ROUTES[endpoint][3]:
        response = _post(app, login, world, who, endpoint)
        assert response.status_code == 404, (endpoint, who, response.status_code)
        assert ASKED not in response.get_data(as_text=True), (endpoint, who)


@pytest.mark.parametrize("endpoint", list(ROUTES))
def test_a_person_with_the_right_is_asked_for_a_fresh_code(app, login, world, endpoint):
    """Without this the test above could pass on a route that never asks."""
    for who in ROUTES[endpoint][2]:
        response = _post(app, login, world, who, endpoint)
        assert response.status_code == 200 and ASKED in response.get_data(as_text=True), (endpoint, who)


@pytest.mark.parametrize("endpoint", list(OWN_ACCOUNT))
def test_actions_on_ones_own_account_ask_everyone(app, login, world, endpoint):
    pages = page_client(app)
    login(world.users["owner"], client=pages)
    age_second_factor(world.users["owner"], 60)
    response = pages.post(OWN_ACCOUNT[endpoint])
    assert response.status_code == 200 and ASKED in response.get_data(as_text=True)
