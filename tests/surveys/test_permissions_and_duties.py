"""Who may do what with surveys and ratings, as a truth table of role x scope x action, and the
duties the package reports."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.auth.permissions import can
from governance_app.core import duties
from governance_app.extensions import db
from governance_app.surveys import services
from tests.surveys.conftest import local, owner_named

ACTIONS = ("surveys.view", "surveys.manage", "surveys.answer", "ratings.manage", "ratings.supervise")
#         view   manage answer rmanage supervise
TABLE = {
    "owner": (True, False, True, False, False),
    "committee_member": (True, True, False, True, False),
    "committee_chair": (True, True, False, True, False),
    "community_staff": (True, True, False, False, True),
    "subdistrict_supervisor": (True, False, False, False, True),
    "auditor": (True, False, False, False, True),
    "platform_admin": (False, False, False, False, False),
}


@pytest.fixture
def people(make_user, estate):
    scopes = {Role.COMMITTEE_MEMBER: estate, Role.COMMITTEE_CHAIR: estate, Role.COMMUNITY_STAFF: estate.community,
              Role.SUBDISTRICT_SUPERVISOR: estate.community.sub_district,
              Role.AUDITOR: estate.community.sub_district, Role.PLATFORM_ADMIN: None}
    made = {role.value: make_user(role, scope, login=role.value) for role, scope in scopes.items()}
    made["owner"] = make_user(owner=owner_named(estate, "王伟"), login="wang")
    return made


@pytest.mark.parametrize("role", TABLE)
def test_the_truth_table_in_and_out_of_scope(people, estate, other_estate, role):
    user = people[role]
    assert tuple(can(user, action, estate) for action in ACTIONS) == TABLE[role]
    assert not any(can(user, action, other_estate) for action in ACTIONS)


def test_a_survey_and_a_company_are_judged_by_their_estate(people, clock, estate, other_estate):
    survey = services.create_survey(estate, title="调查", description="", opens_at=local(platform_clock.today()),
                                    closes_at=local(platform_clock.today() + dt.timedelta(days=3)), buildings=None,
                                    anonymous=True, actor=people["committee_member"])
    assert can(people["owner"], "surveys.view", survey) and can(people["committee_member"], "surveys.manage", survey)
    assert not can(people["subdistrict_supervisor"], "surveys.manage", survey)


def test_owners_are_reminded_of_open_surveys_and_of_the_rating_period(app, people, clock, estate):
    actor = people["committee_member"]
    survey = services.create_survey(estate, title="充电桩", description="", opens_at=local(platform_clock.today()),
                                    closes_at=local(dt.date(2026, 5, 15)), buildings=None, anonymous=True,
                                    actor=actor)
    services.add_question(survey, kind="scale", text="需要吗？", options=[], max_choices=1, actor=actor)
    services.publish_survey(survey, actor)
    services.record_company(estate, name="绿城物业", contract_start=dt.date(2026, 1, 1),
                            contract_end=dt.date(2027, 12, 31), contract_version_id=None, actor=actor)
    db.session.commit()
    with app.test_request_context():
        found = [(d.kind, d.due, d.who) for d in duties.gather([estate.id], platform_clock.today())
                 if d.kind.startswith("surveys.")]
    assert found == [("surveys.answer", dt.date(2026, 5, 14), "owner"), ("surveys.rate", dt.date(2026, 6, 30), "owner")]
