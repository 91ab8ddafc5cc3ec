"""Who may do what, as a truth table of role x scope of the grant x object x action.

The table is written out by hand: it is the specification, not a copy of the
code. Each row is one account holding one role over one scope; each column is
an object, and the cell is the set of actions allowed on it. Actions about an
estate (``estate.*``, ``vote.*``) take the estate; ``user.manage`` takes a
committee member of that estate; the platform actions take no object, so they
read the same in every column of a row.

The world:

    东街道 (the grant's sub-district)
      东一居民区 (the grant's community)
        东一小区      own_estate (the grant's estate, the owner's estate)
        东二小区      same_community
      东二居民区
        东三小区      same_sub_district
    西街道
      西一居民区
        西一小区      other_sub_district
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from governance_app.auth import permissions, services as auth_services
from governance_app.auth.models import Role, RoleGrant, ScopeKind
from governance_app.auth.permissions import can, can_grant, can_manage_user
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.conftest import owner_row, roll_csv

VIEW = "estate.view"
IMPORT = "estate.import_roll"
ACTIVATION = "estate.manage_activation"
ESTATE_AUDIT = "estate.view_audit"
PLATFORM_AUDIT = "platform.view_audit"
USER_CREATE = "user.create"
USER_LIST = "user.list"
AUDIT = "audit.view"
MANAGE = "user.manage"
VOTE_VIEW = "vote.view"
VOTE_MANAGE = "vote.manage"
VOTE_PAPER = "vote.record_paper"
VOTE_AUDIT = "vote.inspect"
FUNDS_VIEW = "funds.view"
FUNDS_MANAGE = "funds.manage"
FUNDS_PUBLISH = "funds.publish"
FUNDS_SUPERVISE = "funds.supervise"
FUNDS_ASK = "funds.ask"
DISCLOSURE_VIEW = "disclosure.view"
DISCLOSURE_MANAGE = "disclosure.manage"

ACTIONS = (VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, PLATFORM_AUDIT, USER_CREATE, USER_LIST, AUDIT, MANAGE,
           VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER, VOTE_AUDIT, FUNDS_VIEW, FUNDS_MANAGE, FUNDS_PUBLISH, FUNDS_SUPERVISE,
           FUNDS_ASK, DISCLOSURE_VIEW, DISCLOSURE_MANAGE)
# Actions on an estate (the vote actions also take a vote, which stands for its estate).
ESTATE_OBJECT_ACTIONS = {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER, VOTE_AUDIT,
                         FUNDS_VIEW, FUNDS_MANAGE, FUNDS_PUBLISH, FUNDS_SUPERVISE, FUNDS_ASK, DISCLOSURE_VIEW,
                         DISCLOSURE_MANAGE}
OBJECTS = ("own_estate", "same_community", "same_sub_district", "other_sub_district")

# (role, scope of the grant) -> {object -> actions allowed}. The owner's "scope" is the
# owner their account is linked to, in own_estate.
EXPECTED: dict[tuple[str, str], dict[str, set[str]]] = {
    ("owner", "linked owner"): {
        "own_estate": {VIEW, VOTE_VIEW},
        "same_community": set(),
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    # A proxy votes for an owner; no page of the registry is theirs (yet).
    ("proxy", "estate"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
    ("proxy", "community"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
    ("proxy", "sub_district"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
    ("proxy", "platform"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
    ("committee_member", "estate"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": set(),
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    ("committee_member", "community"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    ("committee_member", "sub_district"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "other_sub_district": set(),
    },
    ("committee_member", "platform"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "other_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
    },
    ("committee_chair", "estate"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": set(),
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    ("committee_chair", "community"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    ("committee_chair", "sub_district"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "other_sub_district": set(),
    },
    ("committee_chair", "platform"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
        "other_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER},
    },
    ("community_staff", "estate"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_community": set(),
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    ("community_staff", "community"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_sub_district": set(),
        "other_sub_district": set(),
    },
    ("community_staff", "sub_district"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "other_sub_district": set(),
    },
    ("community_staff", "platform"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_community": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
        "other_sub_district": {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_PAPER},
    },
    # Managing accounts is a sub-district supervisor's power: only a grant over a
    # sub-district gives it. Over a narrower (or the platform) scope the role still opens
    # the estates it covers and the audit page, but no account pages.
    ("subdistrict_supervisor", "estate"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                       AUDIT},
        "same_community": {AUDIT},
        "same_sub_district": {AUDIT},
        "other_sub_district": {AUDIT},
    },
    ("subdistrict_supervisor", "community"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                       AUDIT},
        "same_community": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                           AUDIT},
        "same_sub_district": {AUDIT},
        "other_sub_district": {AUDIT},
    },
    ("subdistrict_supervisor", "sub_district"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                       USER_CREATE, USER_LIST, AUDIT, MANAGE},
        "same_community": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                           USER_CREATE, USER_LIST, AUDIT, MANAGE},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                              USER_CREATE, USER_LIST, AUDIT, MANAGE},
        "other_sub_district": {USER_CREATE, USER_LIST, AUDIT},
    },
    ("subdistrict_supervisor", "platform"): {
        "own_estate": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                       AUDIT},
        "same_community": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                           AUDIT},
        "same_sub_district": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                              AUDIT},
        "other_sub_district": {VIEW, IMPORT, ACTIVATION, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT,
                               AUDIT},
    },
    ("auditor", "estate"): {
        "own_estate": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_community": {AUDIT},
        "same_sub_district": {AUDIT},
        "other_sub_district": {AUDIT},
    },
    ("auditor", "community"): {
        "own_estate": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_community": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_sub_district": {AUDIT},
        "other_sub_district": {AUDIT},
    },
    ("auditor", "sub_district"): {
        "own_estate": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_community": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_sub_district": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "other_sub_district": {AUDIT},
    },
    ("auditor", "platform"): {
        "own_estate": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_community": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "same_sub_district": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
        "other_sub_district": {VIEW, ESTATE_AUDIT, VOTE_VIEW, VOTE_AUDIT, AUDIT},
    },
    # Platform administrators run accounts and the platform, not estates: no estate page
    # is theirs (separation of duties).
    ("platform_admin", "platform"): {
        "own_estate": {PLATFORM_AUDIT, USER_CREATE, USER_LIST, AUDIT, MANAGE},
        "same_community": {PLATFORM_AUDIT, USER_CREATE, USER_LIST, AUDIT, MANAGE},
        "same_sub_district": {PLATFORM_AUDIT, USER_CREATE, USER_LIST, AUDIT, MANAGE},
        "other_sub_district": {PLATFORM_AUDIT, USER_CREATE, USER_LIST, AUDIT, MANAGE},
    },
    # The administration pages offer this grant; held over anything narrower than the
    # platform it must not make its holder an administrator of the whole platform.
    ("platform_admin", "estate"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
    ("platform_admin", "community"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
    ("platform_admin", "sub_district"): {
        "own_estate": set(), "same_community": set(), "same_sub_district": set(), "other_sub_district": set(),
    },
}

# The accounts in words: whoever may see an estate's votes sees its accounts
# (owners of the estate, committee, staff, supervisors, auditors); those who manage votes
# keep the books; of them only the chair publishes statements; staff, supervisors and
# auditors supervise the accounts; only an owner asks the committee about an entry.
FUNDS_BY_ROLE = {
    "owner": {FUNDS_VIEW, FUNDS_ASK},
    "proxy": set(),
    "committee_member": {FUNDS_VIEW, FUNDS_MANAGE},
    "committee_chair": {FUNDS_VIEW, FUNDS_MANAGE, FUNDS_PUBLISH},
    "community_staff": {FUNDS_VIEW, FUNDS_SUPERVISE},
    "subdistrict_supervisor": {FUNDS_VIEW, FUNDS_SUPERVISE},
    "auditor": {FUNDS_VIEW, FUNDS_SUPERVISE},
    "platform_admin": set(),
}
# Notices, documents, the committee and its meetings likewise: whoever sees the
# votes sees them; whoever manages votes posts them.
DISCLOSURE_BY_ROLE = {role: {DISCLOSURE_VIEW} for role in FUNDS_BY_ROLE if FUNDS_BY_ROLE[role]}
DISCLOSURE_BY_ROLE["committee_member"] = DISCLOSURE_BY_ROLE["committee_chair"] = {DISCLOSURE_VIEW, DISCLOSURE_MANAGE}
for (_role, _scope), _row in EXPECTED.items():
    for _object, _actions in _row.items():
        if VOTE_VIEW in _actions:
            _actions |= FUNDS_BY_ROLE[_role] | DISCLOSURE_BY_ROLE.get(_role, set())

GRANT_SCOPES = ("estate", "community", "sub_district", "platform")


class World:
    """The estates above, a roll for own_estate, and one committee member in each estate
    (the object of ``user.manage``)."""

    def __init__(self, make_estate, make_user):
        self.own_estate = make_estate("东一小区", "东一居民区", "东街道")
        self.same_community = make_estate("东二小区", "东一居民区", "东街道")
        self.same_sub_district = make_estate("东三小区", "东二居民区", "东街道")
        self.other_sub_district = make_estate("西一小区", "西一居民区", "西街道")
        self.community = self.own_estate.community
        self.sub_district = self.community.sub_district
        estate_services.import_roll(self.own_estate, roll_csv([
            owner_row("1", "1-101", "88.50", "王伟", "310101199001011234"),
            owner_row("1", "1-102", "90", "李娜", "310101198001012222"),
        ]), "roll.csv")
        db.session.commit()
        self.owners = db.session.scalars(
            select(Owner).where(Owner.estate_id == self.own_estate.id).order_by(Owner.id)).all()
        self.members = {name: make_user(Role.COMMITTEE_MEMBER, self.estate(name), login=f"member-{name}")
                        for name in OBJECTS}

    def estate(self, name: str):
        return getattr(self, name)

    def grant_scope(self, kind: str):
        return {"estate": self.own_estate, "community": self.community, "sub_district": self.sub_district,
                "platform": None}[kind]

    def obj(self, action: str, name: str):
        if action in ESTATE_OBJECT_ACTIONS:
            return self.estate(name)
        if action == MANAGE:
            return self.members[name]
        return None


@pytest.fixture
def world(make_estate, make_user) -> World:
    return World(make_estate, make_user)


def allowed(user, world: World, object_name: str) -> set[str]:
    return {action for action in ACTIONS if can(user, action, world.obj(action, object_name))}


def test_the_table_has_a_row_for_every_role_and_scope():
    granted = {(role.value, scope) for role in Role if role != Role.OWNER for scope in GRANT_SCOPES}
    assert set(EXPECTED) == granted | {("owner", "linked owner")}
    assert all(set(row) == set(OBJECTS) for row in EXPECTED.values())


def test_the_table_knows_every_action_of_the_permissions_module():
    # Actions a package registers (register_estate_actions) have their truth table in that package's tests.
    registered = permissions._REGISTERED
    known = set(permissions.ESTATE_ACTIONS) | permissions.PLATFORM_ACTIONS | permissions.OWNER_ACTIONS
    assert known - registered <= set(ACTIONS)
    assert {action for row in EXPECTED.values() for cell in row.values() for action in cell} <= set(ACTIONS)


@pytest.mark.parametrize("object_name", OBJECTS)
@pytest.mark.parametrize("role, scope", [key for key in EXPECTED if key[0] != "owner"],
                         ids=[f"{role}@{scope}" for role, scope in EXPECTED if role != "owner"])
def test_granted_role(world, make_user, role, scope, object_name):
    user = make_user(Role(role), world.grant_scope(scope), login=f"actor-{role}")
    assert allowed(user, world, object_name) == EXPECTED[(role, scope)][object_name]


@pytest.mark.parametrize("object_name", OBJECTS)
def test_owner(world, make_user, object_name):
    user = make_user(owner=world.owners[0], login="owner")
    assert allowed(user, world, object_name) == EXPECTED[("owner", "linked owner")][object_name]


def test_the_owner_role_cannot_be_had_by_a_grant(world, make_user):
    """The owner role comes from the linked owner only; a grant of it gives nothing."""
    user = make_user(Role.OWNER, world.own_estate, login="granted-owner")
    assert all(allowed(user, world, name) == set() for name in OBJECTS)


# --- nobody, inactive, revoked, unknown ----------------------------------------------------

@pytest.mark.parametrize("nobody", [None, AnonymousUserMixin()], ids=["none", "anonymous"])
def test_anonymous_may_do_nothing(world, nobody):
    assert all(allowed(nobody, world, name) == set() for name in OBJECTS)


@pytest.mark.parametrize("role, scope", [("platform_admin", "platform"), ("subdistrict_supervisor", "sub_district"),
                                         ("committee_member", "estate"), ("auditor", "platform")])
def test_an_inactive_account_may_do_nothing(world, make_user, role, scope):
    user = make_user(Role(role), world.grant_scope(scope), login="inactive")
    assert allowed(user, world, "own_estate")  # the role does give something ...
    user.is_active_account = False
    db.session.commit()
    assert all(allowed(user, world, name) == set() for name in OBJECTS)  # ... but not to an inactive account


def test_an_inactive_owner_may_do_nothing(world, make_user):
    user = make_user(owner=world.owners[0], login="owner")
    user.is_active_account = False
    db.session.commit()
    assert allowed(user, world, "own_estate") == set()


@pytest.mark.parametrize("role, scope", [("platform_admin", "platform"), ("subdistrict_supervisor", "sub_district"),
                                         ("committee_chair", "community"), ("auditor", "estate")])
def test_a_revoked_grant_gives_nothing(world, make_user, role, scope):
    user = make_user(Role(role), world.grant_scope(scope), login="revoked")
    assert allowed(user, world, "own_estate")
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id))
    auth_services.revoke_grant(grant, actor=None)
    db.session.commit()
    assert all(allowed(user, world, name) == set() for name in OBJECTS)


def test_a_grant_revoked_in_the_database_gives_nothing_to_a_fresh_load(world, make_user):
    """``revoked_at`` set by anything (not only revoke_grant) ends the grant."""
    user = make_user(Role.SUBDISTRICT_SUPERVISOR, world.sub_district, login="revoked")
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id))
    grant.revoked_at = dt.datetime.now(dt.timezone.utc)
    db.session.commit()  # expires everything: the user is read again
    assert all(allowed(user, world, name) == set() for name in OBJECTS)


def test_a_revoked_grant_leaves_the_others(world, make_user):
    user = make_user(Role.AUDITOR, world.own_estate, login="two-roles")
    auth_services.grant_role(user, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, world.own_estate.id, actor=None)
    db.session.commit()
    auditor = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id,
                                                        RoleGrant.role == Role.AUDITOR))
    auth_services.revoke_grant(auditor, actor=None)
    db.session.commit()
    assert allowed(user, world, "own_estate") == {VIEW, IMPORT, ACTIVATION, VOTE_VIEW, VOTE_MANAGE, VOTE_PAPER,
                                                  FUNDS_VIEW, FUNDS_MANAGE, DISCLOSURE_VIEW, DISCLOSURE_MANAGE}


@pytest.mark.parametrize("action", ["estate.delete", "", "ESTATE.VIEW", "user.manage "])
def test_an_unknown_action_is_an_error(world, make_user, action):
    user = make_user(Role.PLATFORM_ADMIN, None, login="admin")
    with pytest.raises(ValueError, match="unknown action"):
        can(user, action, world.own_estate)


def test_an_estate_action_needs_an_estate(world, make_user):
    user = make_user(Role.COMMITTEE_MEMBER, None, login="everywhere")
    assert not can(user, VIEW)
    assert not can(user, VIEW, world.community)
    assert not can(user, MANAGE, world.own_estate)


def test_a_vote_stands_for_its_estate(world, make_user):
    member = make_user(Role.COMMITTEE_MEMBER, world.own_estate, login="member")
    assert can(member, VOTE_MANAGE, SimpleNamespace(estate=world.own_estate))
    assert not can(member, VOTE_MANAGE, SimpleNamespace(estate=world.same_community))
    assert not can(member, VOTE_MANAGE, SimpleNamespace(estate=None))
    assert not can(member, VIEW, SimpleNamespace(estate=world.own_estate))  # only vote actions take a vote


# --- can_grant -------------------------------------------------------------------------

SUPERVISOR_MAY_GRANT = [Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF, Role.AUDITOR,
                        Role.PROXY]


@pytest.fixture
def supervisor(world, make_user):
    return make_user(Role.SUBDISTRICT_SUPERVISOR, world.sub_district, login="supervisor")


def scope_of(world: World, kind: str) -> tuple[ScopeKind, int | None]:
    """A scope and the sub-district it lies in, as the admin pages pass them to can_grant."""
    return {
        "own sub-district": (ScopeKind.SUB_DISTRICT, world.sub_district.id),
        "own community": (ScopeKind.COMMUNITY, world.community.id),
        "own estate": (ScopeKind.ESTATE, world.own_estate.id),
        "other community of own sub-district": (ScopeKind.COMMUNITY, world.same_sub_district.community_id),
        "other sub-district": (ScopeKind.SUB_DISTRICT, world.other_sub_district.community.sub_district_id),
        "estate of other sub-district": (ScopeKind.ESTATE, world.other_sub_district.id),
    }[kind]


def may_grant(user, world: World, role: Role, where: str) -> bool:
    kind, scope_id = scope_of(world, where)
    return can_grant(user, role, kind, auth_services.scope_sub_district(kind, scope_id))


INSIDE = ["own sub-district", "own community", "own estate", "other community of own sub-district"]
OUTSIDE = ["other sub-district", "estate of other sub-district"]


@pytest.mark.parametrize("where", INSIDE)
@pytest.mark.parametrize("role", SUPERVISOR_MAY_GRANT, ids=str)
def test_a_supervisor_grants_committee_roles_inside_their_sub_district(world, supervisor, role, where):
    assert may_grant(supervisor, world, role, where)


@pytest.mark.parametrize("where", OUTSIDE)
@pytest.mark.parametrize("role", SUPERVISOR_MAY_GRANT, ids=str)
def test_a_supervisor_grants_nothing_outside_their_sub_district(world, supervisor, role, where):
    assert not may_grant(supervisor, world, role, where)


@pytest.mark.parametrize("where", INSIDE + OUTSIDE)
@pytest.mark.parametrize("role", [Role.PLATFORM_ADMIN, Role.SUBDISTRICT_SUPERVISOR, Role.OWNER], ids=str)
def test_a_supervisor_grants_no_supervising_platform_or_owner_role(world, supervisor, role, where):
    assert not may_grant(supervisor, world, role, where)


@pytest.mark.parametrize("role", SUPERVISOR_MAY_GRANT, ids=str)
def test_a_supervisor_grants_nothing_over_the_platform(world, supervisor, role):
    assert not can_grant(supervisor, role, ScopeKind.PLATFORM, None)


def test_a_supervisor_grants_nothing_over_an_unknown_scope(world, supervisor):
    assert not can_grant(supervisor, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE,
                         auth_services.scope_sub_district(ScopeKind.ESTATE, 999999))


@pytest.mark.parametrize("role", [r for r in Role if r != Role.OWNER], ids=str)
def test_a_platform_admin_grants_any_role_anywhere(world, make_user, role):
    admin = make_user(Role.PLATFORM_ADMIN, None, login="admin")
    assert all(may_grant(admin, world, role, where) for where in INSIDE + OUTSIDE)
    assert can_grant(admin, role, ScopeKind.PLATFORM, None)


@pytest.mark.parametrize("role, scope", [("committee_chair", "sub_district"), ("community_staff", "sub_district"),
                                         ("auditor", "platform"), ("subdistrict_supervisor", "community"),
                                         ("subdistrict_supervisor", "estate"), ("platform_admin", "estate")])
def test_other_roles_grant_nothing(world, make_user, role, scope):
    user = make_user(Role(role), world.grant_scope(scope), login="someone")
    assert not any(may_grant(user, world, granted, where)
                   for granted in SUPERVISOR_MAY_GRANT for where in INSIDE + OUTSIDE)


# --- can_manage_user --------------------------------------------------------------------

def test_a_supervisor_manages_accounts_of_their_sub_district(world, supervisor, make_user):
    auditor = make_user(Role.AUDITOR, world.sub_district, login="auditor")
    owner = make_user(owner=world.owners[0], login="owner")
    chair = make_user(Role.COMMITTEE_CHAIR, world.same_sub_district.community, login="chair")
    for target in (world.members["own_estate"], world.members["same_sub_district"], auditor, owner, chair):
        assert can_manage_user(supervisor, target), target.login


def test_a_supervisor_cannot_manage_a_platform_admin(world, supervisor, make_user):
    admin = make_user(Role.PLATFORM_ADMIN, None, login="admin")
    assert not can_manage_user(supervisor, admin)
    assert not can(supervisor, MANAGE, admin)


def test_a_supervisor_cannot_manage_a_platform_admin_who_also_holds_a_local_role(world, supervisor, make_user):
    admin = make_user(Role.PLATFORM_ADMIN, None, login="admin")
    auth_services.grant_role(admin, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, world.own_estate.id, actor=None)
    db.session.commit()
    assert not can_manage_user(supervisor, admin)


def test_a_supervisor_cannot_manage_another_supervisor_of_the_same_sub_district(world, supervisor, make_user):
    other = make_user(Role.SUBDISTRICT_SUPERVISOR, world.sub_district, login="supervisor2")
    assert not can_manage_user(supervisor, other)
    assert not can_manage_user(other, supervisor)


def test_a_supervisor_cannot_manage_themselves(world, supervisor):
    assert not can_manage_user(supervisor, supervisor)
    assert not can(supervisor, MANAGE, supervisor)


def test_a_supervisor_cannot_manage_a_user_of_another_sub_district(world, supervisor, make_user):
    owner_elsewhere = make_user(Role.AUDITOR, world.other_sub_district, login="auditor-west")
    assert not can_manage_user(supervisor, world.members["other_sub_district"])
    assert not can_manage_user(supervisor, owner_elsewhere)


def test_a_supervisor_cannot_manage_a_user_who_is_also_in_another_sub_district(world, supervisor):
    member = world.members["own_estate"]
    auth_services.grant_role(member, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, world.other_sub_district.id,
                             actor=None)
    db.session.commit()
    assert not can_manage_user(supervisor, member)


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.AUDITOR, Role.PROXY], ids=str)
def test_a_supervisor_cannot_manage_a_user_with_a_platform_wide_role(world, supervisor, role):
    """A platform-wide grant lies in no sub-district, so it must not be ignored: else a
    supervisor could reset the password of, and so become, a platform-wide committee member."""
    member = world.members["own_estate"]
    auth_services.grant_role(member, role, ScopeKind.PLATFORM, None, actor=None)
    db.session.commit()
    assert not can_manage_user(supervisor, member)


def test_a_supervisor_cannot_manage_a_user_with_no_scope_at_all(world, supervisor, make_user):
    nobody = make_user(login="no-role")
    assert not can_manage_user(supervisor, nobody)


def test_a_user_whose_supervisor_grant_was_revoked_may_be_managed(world, supervisor, make_user):
    former = make_user(Role.SUBDISTRICT_SUPERVISOR, world.sub_district, login="former")
    auth_services.grant_role(former, Role.AUDITOR, ScopeKind.ESTATE, world.own_estate.id, actor=None)
    db.session.commit()
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.user_id == former.id,
                                                      RoleGrant.role == Role.SUBDISTRICT_SUPERVISOR))
    auth_services.revoke_grant(grant, actor=None)
    db.session.commit()
    assert can_manage_user(supervisor, former)


def test_a_platform_admin_manages_everyone_else(world, make_user, supervisor):
    admin = make_user(Role.PLATFORM_ADMIN, None, login="admin")
    other_admin = make_user(Role.PLATFORM_ADMIN, None, login="admin2")
    for target in (supervisor, other_admin, world.members["other_sub_district"]):
        assert can_manage_user(admin, target), target.login


@pytest.mark.parametrize("role, scope", [("committee_chair", "sub_district"), ("community_staff", "community"),
                                         ("auditor", "platform"), ("subdistrict_supervisor", "community"),
                                         ("platform_admin", "sub_district")])
def test_other_roles_manage_nobody(world, make_user, role, scope):
    user = make_user(Role(role), world.grant_scope(scope), login="someone")
    assert not any(can_manage_user(user, target) for target in world.members.values())
