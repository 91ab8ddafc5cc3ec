"""Staff accounts: created by an operator or on the admin pages, roles, and assisted resets."""
import re

import pytest
from sqlalchemy import select

from governance_app.auth import services
from governance_app.auth.models import Role, RoleGrant, ScopeKind, User
from governance_app.extensions import db
from tests.auth.support import events, fresh, page_client, text
from tests.conftest import PASSWORD


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def estate(make_estate):
    return make_estate("梅园小区", "星光居民区", "测试街道")


@pytest.fixture
def elsewhere(make_estate):
    """An estate in another sub-district."""
    return make_estate("桃园小区", "远方居民区", "别的街道")


@pytest.fixture
def supervisor(client, make_user, login, estate) -> User:
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")
    login(supervisor)
    return supervisor


@pytest.fixture
def admin(client, make_user, login) -> User:
    admin = make_user(Role.PLATFORM_ADMIN, login="admin")
    login(admin)
    return admin


def grants_of(login: str) -> set[tuple[str, str, int | None]]:
    fresh()
    user = services.find_user(login)
    return {(g.role.value, g.scope_kind.value, g.scope_id) for g in db.session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None)))}


def create(client, role: str, scope: str, login: str = "chair2"):
    return client.post("/admin/users/new", data={
        "login": login, "display_name": "李主任", "password": "a-good-password", "confirm": "a-good-password",
        "role": role, "scope": scope})


# --- the command line -----------------------------------------------------------------------------

def test_create_user_from_the_command_line(runner, estate):
    result = runner.invoke(args=["auth", "create-user", "--login", "Chair1", "--name", "王主任",
                                 "--role", "committee_chair", "--scope", f"estate:{estate.id}",
                                 "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    fresh()
    user = services.find_user("chair1")
    assert f"user {user.id} (chair1) created as committee_chair over estate:{estate.id}" in result.output
    assert user.display_name == "王主任" and services.check_password(user, PASSWORD)
    assert not user.totp_enrolled  # set up at first sign-in
    assert grants_of("chair1") == {("committee_chair", "estate", estate.id)}
    assert [e.object_id for e in events("user.created")] == [str(user.id)]
    assert [(e.object_id, e.estate_id) for e in events("role.granted")] == [(str(user.id), estate.id)]


def test_create_a_platform_admin_from_the_command_line(runner, app_context):
    result = runner.invoke(args=["auth", "create-user", "--login", "root", "--name", "管理员",
                                 "--role", "platform_admin", "--scope", "platform", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert grants_of("root") == {("platform_admin", "platform", None)}


@pytest.mark.parametrize(("scope", "message"), [
    ("estate:999", "no estate with id 999"),
    ("estate", 'use "platform"'),
    ("building:1", 'use "platform"'),
])
def test_the_command_refuses_an_unknown_scope(runner, app_context, scope, message):
    result = runner.invoke(args=["auth", "create-user", "--login", "x1", "--name", "某", "--role", "auditor",
                                 "--scope", scope, "--password", PASSWORD])
    assert result.exit_code != 0 and message in result.output
    assert services.find_user("x1") is None


def test_the_command_refuses_a_weak_password(runner, estate):
    result = runner.invoke(args=["auth", "create-user", "--login", "x1", "--name", "某", "--role", "auditor",
                                 "--scope", f"estate:{estate.id}", "--password", "12345678"])
    assert result.exit_code != 0 and "此密码太容易被猜到" in result.output  # operators read Chinese
    fresh()
    assert services.find_user("x1") is None


def test_the_command_refuses_the_owner_role(runner, estate):
    result = runner.invoke(args=["auth", "create-user", "--login", "x1", "--name", "某", "--role", "owner",
                                 "--scope", f"estate:{estate.id}", "--password", PASSWORD])
    assert result.exit_code != 0


# --- the admin pages ---------------------------------------------------------------------------------

def test_a_platform_admin_creates_an_account_with_a_role(client, admin, estate):
    assert client.get("/admin/users/new").status_code == 200
    response = create(client, "committee_chair", f"estate:{estate.id}")
    fresh()
    created = services.find_user("chair2")
    assert (response.status_code, response.location) == (302, f"/admin/users/{created.id}")
    assert services.check_password(created, "a-good-password") and not created.totp_enrolled
    assert grants_of("chair2") == {("committee_chair", "estate", estate.id)}
    assert "Account chair2 created." in text(client.get(response.location))
    assert [(e.object_id, e.actor_id) for e in events("user.created") if e.object_id == str(created.id)] == [
        (str(created.id), admin.id)]
    granted = [e for e in events("role.granted") if e.object_id == str(created.id)]
    assert [(e.actor_id, e.details["role"]) for e in granted] == [(admin.id, "committee_chair")]


@pytest.mark.parametrize(("role", "scope"), [("platform_admin", "platform"), ("subdistrict_supervisor", "sub")])
def test_a_platform_admin_may_grant_the_high_roles(client, admin, estate, role, scope):
    scope_value = "platform" if scope == "platform" else f"sub_district:{estate.community.sub_district_id}"
    assert create(client, role, scope_value).status_code == 302
    assert {g[0] for g in grants_of("chair2")} == {role}


def test_a_supervisor_creates_an_account_in_their_sub_district(client, supervisor, estate):
    response = create(client, "committee_member", f"estate:{estate.id}")
    assert response.status_code == 302
    assert grants_of("chair2") == {("committee_member", "estate", estate.id)}
    assert client.get(response.location).status_code == 200  # and may manage it


@pytest.mark.parametrize(("role", "scope"), [
    ("platform_admin", "platform"),
    ("platform_admin", "estate"),
    ("subdistrict_supervisor", "sub_district"),
    ("committee_member", "elsewhere"),
    ("committee_member", "platform"),
])
def test_a_supervisor_may_not_grant_beyond_their_reach(client, supervisor, estate, elsewhere, role, scope):
    scope_value = {"platform": "platform", "estate": f"estate:{estate.id}",
                   "sub_district": f"sub_district:{estate.community.sub_district_id}",
                   "elsewhere": f"estate:{elsewhere.id}"}[scope]
    response = create(client, role, scope_value)
    assert response.status_code == 400
    fresh()
    assert services.find_user("chair2") is None
    # nor on an account they manage
    member = services.create_user("member1", "成员", PASSWORD, actor=None)
    services.grant_role(member, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, estate.id, actor=None)
    db.session.commit()
    response = client.post(f"/admin/users/{member.id}/grants", data={"role": role, "scope": scope_value})
    assert response.status_code == 302
    assert grants_of("member1") == {("committee_member", "estate", estate.id)}


def test_the_supervisor_s_role_list_offers_only_what_they_may_grant(client, supervisor, elsewhere):
    page = client.get("/admin/users/new").get_data(as_text=True)
    offered_roles = set(re.findall(r'<option value="([a-z_]+)"', page))
    assert offered_roles == {"committee_member", "committee_chair", "community_staff", "auditor", "proxy"}
    assert f'value="estate:{elsewhere.id}"' not in page and 'value="platform"' not in page


def test_a_supervisor_cannot_manage_accounts_of_another_sub_district(client, supervisor, make_user, elsewhere):
    stranger = make_user(Role.COMMITTEE_MEMBER, elsewhere)
    assert client.get(f"/admin/users/{stranger.id}").status_code == 404
    response = client.post(f"/admin/users/{stranger.id}/reset", data={"submit": "1"})
    assert response.status_code == 404
    fresh()
    assert db.session.get(User, stranger.id).totp_enrolled


def test_owners_may_not_create_accounts(client, make_user, login, estate):
    login(make_user(Role.COMMITTEE_MEMBER, estate))
    assert client.get("/admin/users/new").status_code == 404
    assert create(client, "auditor", f"estate:{estate.id}").status_code == 404
    assert services.find_user("chair2") is None


# Staff-assisted resets: tests/auth/test_reset.py.
