"""The truth table of conventions and the board: role x scope x action (R-60, R-62, R-64, R-65)."""
from __future__ import annotations

import pytest

from governance_app.auth.models import Role
from governance_app.auth.permissions import can
from governance_app.pledges import permissions  # noqa: F401  registers the actions
from governance_app.pledges.permissions import can_act_on

ACTIONS = ("convention.view", "convention.manage", "convention.sign", "board.view", "board.manage",
           "board.nominate", "board.approve_red", "board.warn", "board.add_evidence", "board.approve",
           "board.notify", "board.decide_objection", "board.record_rectified", "board.export", "board.object",
           "board.pledge")
# Columns in the order of ACTIONS.
TABLE = {
    "owner":      (1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
    "member":     (1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0),
    "chair":      (1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0),
    "staff":      (1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0),
    "supervisor": (1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0),
    "auditor":    (1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
    "admin":      (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
}


@pytest.fixture
def people(make_user, estate, owner, other_owner, other_estate):
    sub_district = estate.community.sub_district
    return {
        "owner": owner,
        "member": make_user(Role.COMMITTEE_MEMBER, estate, login="m"),
        "chair": make_user(Role.COMMITTEE_CHAIR, estate, login="c"),
        "staff": make_user(Role.COMMUNITY_STAFF, estate.community, login="s"),
        "supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, sub_district, login="v"),
        "auditor": make_user(Role.AUDITOR, sub_district, login="a"),
        "admin": make_user(Role.PLATFORM_ADMIN, None, login="p"),
        "other_owner": other_owner,
        "other_member": make_user(Role.COMMITTEE_MEMBER, other_estate, login="om"),
    }


@pytest.mark.parametrize("role", list(TABLE))
def test_truth_table_in_scope(people, estate, role):
    assert {action: int(can(people[role], action, estate)) for action in ACTIONS} == dict(zip(ACTIONS, TABLE[role]))


@pytest.mark.parametrize("role", ["other_owner", "other_member"])
def test_nothing_out_of_scope(people, estate, role):
    assert not [action for action in ACTIONS if can(people[role], action, estate)]


def test_only_the_person_concerned_objects_and_the_person_never_decides(people, estate, second_owner):
    class Entry:  # what the predicates read of an entry
        pass

    entry = Entry()
    entry.estate, entry.subject_owner_id = estate, second_owner.owner_id
    assert can_act_on(second_owner, "board.object", entry) and can_act_on(second_owner, "board.pledge", entry)
    assert not can_act_on(people["owner"], "board.object", entry)  # a neighbour
    assert can_act_on(people["member"], "board.approve", entry)
    entry.subject_owner_id = people["owner"].owner_id
    assert can_act_on(people["owner"], "board.pledge", entry)
    people["member"].owner_id = people["owner"].owner_id  # a member whose account is the subject's
    assert not can_act_on(people["member"], "board.approve", entry)
