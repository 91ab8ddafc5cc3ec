"""Identity use cases through the database: enrolment, recovery codes, sessions, roles."""
import datetime as dt
import time

import pytest
from sqlalchemy import select

from governance_app.auth import secrets_box, services
from governance_app.auth.models import AccountReset, RecoveryCode, Role, RoleGrant, ScopeKind, User, UserSession, utcnow
from governance_app.auth.totp import STEP_SECONDS, Totp
from governance_app.extensions import db
from tests.auth.support import events, fresh, wrong_code
from tests.conftest import PASSWORD


@pytest.fixture
def newcomer(app_context) -> User:
    """An account that has never set up its authenticator."""
    user = services.create_user("13900000001", "王伟", "a-good-password", actor=None)
    db.session.commit()
    return user


def enrol(user: User) -> tuple[Totp, list[str]]:
    secret = services.start_totp_enrolment(user)
    totp = Totp(secret)
    codes = services.confirm_totp(user, totp.code_at(int(time.time())))
    db.session.commit()
    return totp, codes


# --- accounts and roles ----------------------------------------------------------------------

def test_create_user_normalises_the_login_and_audits(app_context):
    user = services.create_user(" 139-0000 0001 ", "王伟", "a-good-password", actor=None)
    db.session.commit()
    assert user.login == "13900000001"
    assert services.find_user("139 0000 0001") is user
    created = events("user.created")
    assert [(e.object_id, e.details["login"]) for e in created] == [(str(user.id), "13900000001")]


def test_a_login_is_taken_once(newcomer):
    with pytest.raises(services.AuthError) as refused:
        services.create_user("13900000001", "另一人", "a-good-password", actor=None)
    assert refused.value.reason == "login_taken"


def test_grant_role_is_audited_and_not_duplicated(make_estate, make_user):
    estate = make_estate()
    admin = make_user(Role.PLATFORM_ADMIN)
    member = make_user()
    first = services.grant_role(member, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, estate.id, actor=admin)
    again = services.grant_role(member, Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, estate.id, actor=admin)
    db.session.commit()
    assert first.id == again.id
    granted = [e for e in events("role.granted") if e.object_id == str(member.id)]
    assert len(granted) == 1
    assert (granted[0].actor_id, granted[0].estate_id, granted[0].details) == (
        admin.id, estate.id, {"role": "committee_member", "scope": "estate", "scope_id": estate.id})


@pytest.mark.parametrize(("kind", "scope_id"), [(ScopeKind.PLATFORM, 1), (ScopeKind.ESTATE, None)])
def test_a_scope_needs_an_id_except_the_platform(make_user, kind, scope_id):
    user = make_user()
    with pytest.raises(services.AuthError) as refused:
        services.grant_role(user, Role.AUDITOR, kind, scope_id, actor=None)
    assert refused.value.reason == "bad_scope"


# --- TOTP enrolment ---------------------------------------------------------------------------

def test_the_totp_secret_is_stored_encrypted(newcomer):
    secret = services.start_totp_enrolment(newcomer)
    db.session.commit()
    fresh()
    stored = db.session.scalar(select(User.totp_secret).where(User.id == newcomer.id))
    assert stored != secret and secret not in stored
    assert secrets_box.open_sealed(stored) == secret


def test_a_secret_sealed_under_another_key_cannot_be_opened(app, newcomer):
    services.start_totp_enrolment(newcomer)
    key = app.config["TOTP_ENCRYPTION_KEY"]
    app.config["TOTP_ENCRYPTION_KEY"] = "another-key"
    try:
        with pytest.raises(RuntimeError, match="TOTP_ENCRYPTION_KEY"):
            services.pending_totp_secret(newcomer)
    finally:
        app.config["TOTP_ENCRYPTION_KEY"] = key


def test_enrolment_counts_only_after_a_valid_code(newcomer):
    secret = services.start_totp_enrolment(newcomer)
    db.session.commit()
    assert not newcomer.totp_enrolled
    now = int(time.time())
    with pytest.raises(services.AuthError) as refused:
        services.confirm_totp(newcomer, wrong_code(Totp(secret), now), now)
    assert refused.value.reason == "wrong_code"
    assert not newcomer.totp_enrolled
    assert services.unused_recovery_codes(newcomer) == 0
    codes = services.confirm_totp(newcomer, Totp(secret).code_at(now), now)
    db.session.commit()
    assert newcomer.totp_enrolled
    assert newcomer.totp_last_step == now // STEP_SECONDS
    assert len(codes) == 10


def test_confirming_without_a_started_enrolment_is_refused(newcomer):
    with pytest.raises(services.AuthError) as refused:
        services.confirm_totp(newcomer, "123456")
    assert refused.value.reason == "no_enrolment"


def test_ten_recovery_codes_are_stored_hashed(newcomer):
    _totp, codes = enrol(newcomer)
    assert len(codes) == len(set(codes)) == 10
    fresh()
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == newcomer.id)).all()
    assert len(stored) == 10
    for code in codes:
        assert all(code not in value and code.upper() not in value for value in stored)


def test_each_recovery_code_works_once(newcomer):
    _totp, codes = enrol(newcomer)
    assert services.verify_second_factor(newcomer, codes[0]) == "recovery"
    db.session.commit()
    assert services.unused_recovery_codes(newcomer) == 9
    with pytest.raises(services.AuthError):
        services.verify_second_factor(newcomer, codes[0])
    assert services.verify_second_factor(newcomer, codes[1].upper()) == "recovery"
    db.session.commit()
    assert [e.object_id for e in events("user.recovery_code_used")] == [str(newcomer.id)] * 2


def test_new_recovery_codes_replace_the_old_ones(newcomer):
    _totp, old = enrol(newcomer)
    new = services.regenerate_recovery_codes(newcomer)
    db.session.commit()
    assert not set(old) & set(new)
    assert services.unused_recovery_codes(newcomer) == 10
    with pytest.raises(services.AuthError):
        services.verify_second_factor(newcomer, old[0])
    assert services.verify_second_factor(newcomer, new[0]) == "recovery"


def test_a_totp_code_is_not_accepted_twice(newcomer):
    totp, _codes = enrol(newcomer)
    now = int(time.time())
    later = totp.code_at(now + STEP_SECONDS)  # the next code: enrolment used the current one
    assert services.verify_second_factor(newcomer, later, now) == "totp"
    db.session.commit()
    with pytest.raises(services.AuthError) as refused:
        services.verify_second_factor(newcomer, later, now)
    assert refused.value.reason == "wrong_code"
    db.session.commit()  # as the routes do: the failure is kept
    failed = events("user.second_factor_failed")
    assert [(e.object_id, e.actor_id) for e in failed] == [(str(newcomer.id), newcomer.id)]


# --- sessions --------------------------------------------------------------------------------

def test_a_session_stores_only_the_hash_of_its_token(make_user):
    user = make_user(Role.AUDITOR)
    session = services.open_session(user, "10.0.0.1", "phone")
    db.session.commit()
    assert session.token and session.token not in session.token_hash
    assert services.load_session(session.token).id == session.id
    assert services.load_session("not-a-token") is None
    assert [e.object_id for e in events("user.signed_in")] == [str(user.id)]


@pytest.mark.parametrize(("idle_minutes", "alive"), [(29, True), (31, False)])
def test_idle_sessions_end(make_user, idle_minutes, alive):
    user = make_user(Role.AUDITOR)
    session = services.open_session(user, "10.0.0.1", "phone")
    session.last_seen_at = utcnow() - dt.timedelta(minutes=idle_minutes)
    db.session.commit()
    assert (services.load_session(session.token) is not None) == alive
    assert (db.session.get(UserSession, session.id).revoked_at is None) == alive


def test_end_all_sessions(make_user):
    user, other = make_user(Role.AUDITOR), make_user(Role.AUDITOR)
    mine = [services.open_session(user, "", "") for _ in range(2)]
    theirs = services.open_session(other, "", "")
    db.session.commit()
    assert services.end_all_sessions(user) == 2
    db.session.commit()
    assert [services.load_session(s.token) for s in mine] == [None, None]
    assert services.load_session(theirs.token) is not None


@pytest.mark.parametrize(("age_seconds", "fresh_enough"), [(299, True), (301, False)])
def test_second_factor_is_fresh_for_five_minutes(make_user, age_seconds, fresh_enough):
    session = services.open_session(make_user(Role.AUDITOR), "", "")
    session.second_factor_at = utcnow() - dt.timedelta(seconds=age_seconds)
    assert services.second_factor_is_fresh(session) is fresh_enough


@pytest.mark.parametrize("by", ["totp", "recovery"])
def test_a_step_up_marks_its_session_fresh_and_a_replayed_code_marks_nothing(make_user, by):
    """R-34: a signed-in session that gives a second factor is fresh for the next minutes; a code
    used once (on PostgreSQL claimed and marked in one statement) neither passes nor marks again."""
    user = make_user(Role.AUDITOR)
    recovery = services.regenerate_recovery_codes(user)[0]
    session, other = services.open_session(user, "", ""), services.open_session(user, "", "")
    long_ago = utcnow() - dt.timedelta(hours=1)
    session.second_factor_at = other.second_factor_at = long_ago
    db.session.commit()
    now = int(time.time())
    code = user.totp.code_at(now) if by == "totp" else recovery
    assert services.verify_second_factor(user, code, now, session=session) == by
    db.session.commit()
    fresh()
    assert services.second_factor_is_fresh(db.session.get(UserSession, session.id))
    assert not services.second_factor_is_fresh(db.session.get(UserSession, other.id))
    with pytest.raises(services.AuthError):
        services.verify_second_factor(user, code, now, session=db.session.get(UserSession, other.id))
    db.session.commit()
    fresh()
    assert not services.second_factor_is_fresh(db.session.get(UserSession, other.id))
    if by == "totp":
        assert db.session.get(User, user.id).totp_last_step == now // STEP_SECONDS


# --- staff-assisted reset --------------------------------------------------------------------

def test_a_staff_reset_ends_every_credential_and_gives_a_code_only_for_a_new_password(make_user):
    """Issue 12: no credential that signs in passes through the resetting admin's hands."""
    admin = make_user(Role.PLATFORM_ADMIN)
    user = make_user(Role.AUDITOR)
    old_codes = services.regenerate_recovery_codes(user)
    session = services.open_session(user, "", "")
    db.session.commit()
    code, expires_at = services.reset_staff_account(user, actor=admin)
    db.session.commit()
    assert not services.check_password(user, PASSWORD) and not services.check_password(user, code)
    assert user.totp_secret is None and not user.totp_enrolled
    assert services.unused_recovery_codes(user) == 0
    with pytest.raises(services.AuthError):
        services.verify_second_factor(user, old_codes[0])
    assert services.load_session(session.token) is None
    reset = db.session.scalar(select(AccountReset))
    assert code not in reset.code_hash and len(reset.code_hash) == 64  # kept as a keyed hash
    assert expires_at - utcnow() > dt.timedelta(days=services.RESET_CODE_DAYS, minutes=-1)
    assert [(e.object_id, e.actor_id, e.details) for e in events("user.assisted_reset")] == [
        (str(user.id), admin.id, {"by": "code"})]
    assert services.check_reset_code(user.login, code.lower().replace("-", "")).id == reset.id
    services.complete_staff_reset(reset, "a-new-good-password")
    db.session.commit()
    assert services.check_password(user, "a-new-good-password") and not user.totp_enrolled
    with pytest.raises(services.AuthError) as refused:
        services.check_reset_code(user.login, code)
    assert refused.value.reason == "reset_expired"  # once


def test_revoked_grants_no_longer_count(make_estate, make_user):
    estate = make_estate()
    member = make_user(Role.COMMITTEE_MEMBER, estate)
    services.revoke_grant(member.grants[0], actor=None)
    db.session.commit()
    assert member.grants == []
    assert db.session.scalar(select(RoleGrant.revoked_at)) is not None


def test_a_code_used_by_a_concurrent_request_is_not_accepted_again(app, newcomer):
    """Two requests with the same code, both having read the account before either wrote:
    only one may succeed, whatever this session still believes the last step is."""
    totp, _codes = enrol(newcomer)
    now = int(time.time())
    code = totp.code_at(now + STEP_SECONDS)
    assert newcomer.totp_last_step == now // STEP_SECONDS  # read by "this request"
    with app.app_context():  # "the other request" uses the code first
        other = db.session.get(User, newcomer.id)
        assert services.verify_second_factor(other, code, now) == "totp"
        db.session.commit()
    with pytest.raises(services.AuthError):
        services.verify_second_factor(newcomer, code, now)

