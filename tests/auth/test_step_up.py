"""Step-up: sensitive actions need a second factor from the last five minutes (R-34)."""
import html
import re
import time

import pytest
from sqlalchemy import select

from governance_app.auth import services
from governance_app.auth.models import RecoveryCode, Role, RoleGrant, User, UserSession
from governance_app.extensions import db
from tests.auth.support import age_second_factor, events, fresh, page_client, text, wrong_code

STEP_UP = "Confirm it is you"
WRONG_CODE = "That code is wrong or has already been used. Wait for the next code and try again."


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def estate(make_estate):
    return make_estate()


@pytest.fixture
def admin(client, make_user, login) -> User:
    admin = make_user(Role.PLATFORM_ADMIN, login="admin")
    login(admin)
    return admin


@pytest.fixture
def target(make_user, estate) -> User:
    return make_user(Role.AUDITOR, estate, login="target")


def hidden_fields(response) -> dict[str, str]:
    """The hidden inputs of the step-up form (not those of the language switch)."""
    forms = re.findall(r"<form\b.*?</form>", response.get_data(as_text=True), re.DOTALL)
    [form] = [form for form in forms if 'name="step_up_code"' in form]
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    return {name: html.unescape(value) for name, value in found if name != "csrf_token"}


def grants_of(user: User) -> set[tuple[str, str, int | None]]:
    fresh()
    return {(g.role.value, g.scope_kind.value, g.scope_id) for g in db.session.scalars(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.revoked_at.is_(None)))}


def code_now(user: User) -> str:
    return user.totp.code_at(int(time.time()))


# --- granting a role -------------------------------------------------------------------------------

def test_with_a_fresh_second_factor_the_action_proceeds(client, admin, target, estate):
    response = client.post(f"/admin/users/{target.id}/grants",
                           data={"role": "committee_member", "scope": f"estate:{estate.id}"})
    assert (response.status_code, response.location) == (302, f"/admin/users/{target.id}")
    assert ("committee_member", "estate", estate.id) in grants_of(target)


@pytest.mark.parametrize(("minutes", "asked"), [(4, False), (6, True)])
def test_an_old_second_factor_brings_the_step_up_page(client, admin, target, estate, minutes, asked):
    age_second_factor(admin, minutes)
    response = client.post(f"/admin/users/{target.id}/grants",
                           data={"role": "committee_member", "scope": f"estate:{estate.id}"})
    if not asked:
        assert response.status_code == 302
        return
    assert response.status_code == 200 and STEP_UP in text(response)
    assert hidden_fields(response) == {"role": "committee_member", "scope": f"estate:{estate.id}"}
    assert f'action="/admin/users/{target.id}/grants"' in response.get_data(as_text=True)
    assert grants_of(target) == {("auditor", "estate", estate.id)}


def test_the_step_up_code_performs_the_original_action(client, admin, target, estate):
    age_second_factor(admin, 6)
    chosen = {"role": "committee_chair", "scope": f"community:{estate.community_id}"}
    carried = hidden_fields(client.post(f"/admin/users/{target.id}/grants", data=chosen))
    response = client.post(f"/admin/users/{target.id}/grants", data={**carried, "step_up_code": code_now(admin)})
    assert (response.status_code, response.location) == (302, f"/admin/users/{target.id}")
    assert ("committee_chair", "community", estate.community_id) in grants_of(target)
    granted = [e for e in events("role.granted") if e.object_id == str(target.id)]
    assert granted[-1].actor_id == admin.id
    session = db.session.scalar(select(UserSession).where(UserSession.user_id == admin.id))
    assert services.second_factor_is_fresh(session)
    # Fresh again: the next sensitive action needs no code.
    response = client.post(f"/admin/users/{target.id}/grants", data={"role": "proxy", "scope": f"estate:{estate.id}"})
    assert response.status_code == 302 and ("proxy", "estate", estate.id) in grants_of(target)


def test_a_wrong_step_up_code_is_refused_and_counted(client, admin, target, estate):
    age_second_factor(admin, 6)
    chosen = {"role": "committee_member", "scope": f"estate:{estate.id}"}
    response = client.post(f"/admin/users/{target.id}/grants",
                           data={**chosen, "step_up_code": wrong_code(admin.totp, int(time.time()))})
    assert response.status_code == 200
    assert STEP_UP in text(response) and WRONG_CODE in text(response)
    assert hidden_fields(response) == chosen
    assert grants_of(target) == {("auditor", "estate", estate.id)}
    assert [e.object_id for e in events("user.second_factor_failed")] == [str(admin.id)]
    assert db.session.get(User, admin.id).second_factor_attempts == 1  # 4 left


def test_a_step_up_code_cannot_be_replayed(client, admin, target, estate):
    code = code_now(admin)
    age_second_factor(admin, 6)
    chosen = {"role": "committee_member", "scope": f"estate:{estate.id}"}
    assert client.post(f"/admin/users/{target.id}/grants", data={**chosen, "step_up_code": code}).status_code == 302
    age_second_factor(admin, 6)
    response = client.post(f"/admin/users/{target.id}/grants",
                           data={"role": "proxy", "scope": f"estate:{estate.id}", "step_up_code": code})
    assert response.status_code == 200 and WRONG_CODE in text(response)
    assert ("proxy", "estate", estate.id) not in grants_of(target)


# --- the other sensitive actions ----------------------------------------------------------------------

def new_user_form(estate) -> dict[str, str]:
    return {"login": "chair2", "display_name": "李主任", "password": "a-good-password",
            "confirm": "a-good-password", "role": "committee_chair", "scope": f"estate:{estate.id}"}


def test_creating_an_account_needs_a_fresh_second_factor(client, admin, estate):
    age_second_factor(admin, 6)
    response = client.post("/admin/users/new", data=new_user_form(estate))
    assert response.status_code == 200 and STEP_UP in text(response)
    assert hidden_fields(response) == new_user_form(estate)
    assert services.find_user("chair2") is None
    response = client.post("/admin/users/new", data={**hidden_fields(response), "step_up_code": code_now(admin)})
    assert response.status_code == 302
    fresh()
    created = services.find_user("chair2")
    assert created.display_name == "李主任" and services.check_password(created, "a-good-password")
    assert grants_of(created) == {("committee_chair", "estate", estate.id)}


def recovery_hashes(user: User) -> set[str]:
    fresh()
    return set(db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))))


def test_new_recovery_codes_need_a_fresh_second_factor(client, admin):
    old = services.regenerate_recovery_codes(admin)
    db.session.commit()
    before = recovery_hashes(admin)
    age_second_factor(admin, 6)
    response = client.post("/account/recovery-codes", data={"submit": "1"})
    assert response.status_code == 200 and STEP_UP in text(response)
    assert recovery_hashes(admin) == before
    response = client.post("/account/recovery-codes", data={**hidden_fields(response),
                                                             "step_up_code": code_now(admin)})
    assert response.status_code == 200 and "Your recovery codes" in text(response)
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    after = recovery_hashes(admin)
    assert len(after) == 10 and not after & before
    with pytest.raises(services.AuthError):
        services.verify_second_factor(admin, old[0])


def test_an_assisted_reset_needs_a_fresh_second_factor(app, client, admin, target, login):
    their_phone = login(target, client=page_client(app))
    age_second_factor(admin, 6)
    response = client.post(f"/admin/users/{target.id}/reset", data={"submit": "1"})
    assert response.status_code == 200 and STEP_UP in text(response)
    fresh()
    assert db.session.get(User, target.id).totp_enrolled
    assert their_phone.get("/account").status_code == 200
    assert events("user.assisted_reset") == []
    response = client.post(f"/admin/users/{target.id}/reset", data={**hidden_fields(response),
                                                                     "step_up_code": code_now(admin)})
    assert response.status_code == 200 and "Account reset" in text(response)
    assert their_phone.get("/account").status_code == 302
    assert [e.object_id for e in events("user.assisted_reset")] == [str(target.id)]


def test_the_step_up_page_needs_a_signed_in_user(client, target):
    response = client.post(f"/admin/users/{target.id}/grants", data={"role": "proxy", "scope": "platform"})
    assert response.status_code == 302 and response.location.startswith("/login")
    assert grants_of(target) == {("auditor", "estate", target.grants[0].scope_id)}
