"""Use cases of identity: accounts, second factor, sessions, activation, roles."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import DateTime, bindparam, case, exists, or_, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..core import clock
from ..audit.services import created, record  # noqa: F401  (re-exported for routes)
from ..core.refusals import Refusal
from ..estates import rules as roll_rules
from ..estates.models import Building, Community, Estate, Owner, Unit
from ..estates.services import current_roll_units
from ..core import events
from ..core.metrics import SIGN_IN_FAILURES, SIGN_IN_LOCKS
from ..extensions import db
from . import passwords, secrets_box
from .models import (
    AccountReset, ActivationCode, RecoveryCode, ResetKind, Role, RoleGrant, ScopeKind, User, UserSession, utcnow,
)
from .totp import Totp, new_secret  # noqa: F401  (Totp re-exported for routes)

RECOVERY_CODE_COUNT = 10
SECOND_FACTOR_MAX_FAILURES = 5  # wrong codes per account ...
SECOND_FACTOR_WINDOW = dt.timedelta(minutes=15)  # ... in 15 minutes from the first
ACTIVATION_MAX_FAILURES = 5
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


class AuthError(Refusal):
    """A refusal a person can understand; ``reason`` selects the message (auth/messages.py)."""


def _keyed_hash(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


# --- accounts ---------------------------------------------------------------------

def find_user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.login == normalise_login(login)))


def normalise_login(login: str) -> str:
    return login.strip().lower().replace(" ", "").replace("-", "")


def create_user(login: str, display_name: str, password: str, *, actor: User | None,
                grants: Sequence[tuple[Role, ScopeKind, int | None]] = (), owner: Owner | None = None) -> User:
    login = normalise_login(login)
    if find_user(login) is not None:
        raise AuthError("login_taken")
    problem = passwords.password_problem(password, login)
    if problem:
        raise AuthError(f"password_{problem}")
    user = User(login=login, display_name=display_name.strip(), password_hash=passwords.hash_password(password),
                owner=owner, totp_last_step=0, is_active_account=True)
    db.session.add(user)
    db.session.flush()
    for role, scope_kind, scope_id in grants:
        grant_role(user, role, scope_kind, scope_id, actor=actor)
    record("user.created", estate_id=owner.estate_id if owner else None, object_type="user", object_id=user.id,
           details={"login": login, "owner": owner.id if owner else None}, actor=actor)
    return user


def grant_role(user: User, role: Role, scope_kind: ScopeKind, scope_id: int | None, *, actor: User | None) -> RoleGrant:
    if (scope_kind == ScopeKind.PLATFORM) != (scope_id is None):
        raise AuthError("bad_scope")
    existing = db.session.scalar(select(RoleGrant).where(
        RoleGrant.user_id == user.id, RoleGrant.role == role, RoleGrant.scope_kind == scope_kind,
        RoleGrant.scope_id == scope_id if scope_id is not None else RoleGrant.scope_id.is_(None),
        RoleGrant.revoked_at.is_(None)))
    if existing is not None:
        return existing
    grant = RoleGrant(user_id=user.id, role=role, scope_kind=scope_kind, scope_id=scope_id,
                      granted_by_id=actor.id if actor else None)
    db.session.add(grant)
    db.session.flush()
    db.session.expire(user, ["grants"])
    record("role.granted", estate_id=scope_id if scope_kind == ScopeKind.ESTATE else None,
           object_type="user", object_id=user.id,
           details={"role": role.value, "scope": scope_kind.value, "scope_id": scope_id}, actor=actor)
    return grant


def revoke_grant(grant: RoleGrant, *, actor: User) -> None:
    grant.revoked_at = utcnow()
    db.session.flush()
    db.session.expire(grant.user, ["grants"])
    record("role.revoked", estate_id=grant.scope_id if grant.scope_kind == ScopeKind.ESTATE else None,
           object_type="user", object_id=grant.user_id,
           details={"role": grant.role.value, "scope": grant.scope_kind.value, "scope_id": grant.scope_id},
           actor=actor)


def scope_sub_district(scope_kind: ScopeKind, scope_id: int | None) -> int | None:
    """The sub-district a scope lies in (``None`` for the platform or an unknown id)."""
    if scope_kind == ScopeKind.SUB_DISTRICT:
        return scope_id
    if scope_kind == ScopeKind.COMMUNITY:
        community = db.session.get(Community, scope_id)
        return community.sub_district_id if community else None
    if scope_kind == ScopeKind.ESTATE:
        estate = db.session.get(Estate, scope_id)
        return estate.community.sub_district_id if estate else None
    return None


def sub_districts_of(user: User) -> set[int]:
    found = {scope_sub_district(g.scope_kind, g.scope_id) for g in user.grants}
    if user.owner is not None:
        found.add(scope_sub_district(ScopeKind.ESTATE, user.owner.estate_id))
    return found - {None}


def change_password(user: User, current: str, new: str, keep: UserSession | None = None) -> None:
    """A new password ends every other session of the account: whoever knew the old one is out."""
    if not passwords.verify_password(user.password_hash, current):
        raise AuthError("wrong_password")
    set_password(user, new, actor=user)
    end_all_sessions(user, keep=keep)


def set_password(user: User, new: str, *, actor: User | None) -> None:
    problem = passwords.password_problem(new, user.login)
    if problem:
        raise AuthError(f"password_{problem}")
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = utcnow()
    record("user.password_changed", object_type="user", object_id=user.id,
           estate_id=user.owner.estate_id if user.owner else None, actor=actor)
    events.account_changed.send(user, change="password_changed")


def credential_epoch(user: User) -> float:
    """Changes with every new password (and so with every reset): a half-finished sign-in or
    enrolment begun before it cannot be finished after it."""
    return clock.aware(user.password_changed_at).timestamp()


# --- staff-assisted resets ---------------------------------------------------------------------
# Nobody who resets an account sees or holds a credential that signs in as its holder: an owner
# gets a new activation letter, which needs the last 4 characters of their id document as at
# first activation; a staff account gets a one-time code that only lets its holder choose a new
# password and set up a new authenticator. The old password, authenticator, recovery codes and
# sessions end at the moment of the reset. Supervisors see every reset in the audit log.

RESET_CODE_DAYS = 3
RESET_MAX_FAILURES = 5
RESET_ACTIONS = ("user.assisted_reset", "user.reset_code_failed", "user.reset_completed")


def _end_credentials(user: User) -> None:
    user.password_hash = passwords.hash_password(secrets.token_urlsafe(32))  # a password nobody knows
    user.password_changed_at = utcnow()
    user.totp_secret = None
    user.totp_confirmed_at = None
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    end_all_sessions(user)


def reset_owner_account(user: User, *, actor: User) -> Letter:
    """An owner who lost their phone or password: a new activation letter, to print and hand over
    in person after the id check, that re-opens this account (their earlier letters are revoked).
    ``AuthError("reset_not_on_roll")`` and nothing changed if the owner holds no vote in the roll."""
    owner = user.owner
    estate = db.session.get(Estate, owner.estate_id)
    status = next((s for s in voter_statuses(estate) if s.owner is not None and s.owner.id == owner.id), None)
    if status is None:
        raise AuthError("reset_not_on_roll")
    _end_credentials(user)
    now = utcnow()
    db.session.execute(update(ActivationCode).where(
        ActivationCode.owner_id == owner.id, ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None))
        .values(revoked_at=now))
    code = new_activation_code()
    expires = now + dt.timedelta(days=current_app.config["ACTIVATION_DAYS"])
    db.session.add(ActivationCode(estate_id=owner.estate_id, voter_key=status.voter.key, owner_id=owner.id,
                                  code_hash=activation_code_hash(code), created_by_id=actor.id, expires_at=expires,
                                  user_id=user.id))
    created(AccountReset(user_id=user.id, reset_by_id=actor.id, reset_at=now, kind=ResetKind.LETTER),
            "user.assisted_reset", object_type="user", object_id=user.id, estate_id=owner.estate_id,
            details={"by": ResetKind.LETTER.value, "voter": status.voter.key}, actor=actor)
    return Letter(estate, status.voter, owner, code, expires, login=user.login)


def reset_staff_account(user: User, *, actor: User) -> tuple[str, dt.datetime]:
    """A staff account: a one-time reset code (shown once, to hand over in person) and when it
    expires. Earlier unused codes of the account stop working."""
    _end_credentials(user)
    now = utcnow()
    db.session.execute(update(AccountReset).where(AccountReset.user_id == user.id, AccountReset.used_at.is_(None),
                                                  AccountReset.expires_at > now).values(expires_at=now))
    code = new_activation_code()
    expires = now + dt.timedelta(days=RESET_CODE_DAYS)
    created(AccountReset(user_id=user.id, reset_by_id=actor.id, reset_at=now, kind=ResetKind.CODE,
                         code_hash=_reset_code_hash(code), expires_at=expires),
            "user.assisted_reset", object_type="user", object_id=user.id, estate_id=None,
            details={"by": ResetKind.CODE.value}, actor=actor)
    return code, expires


def _reset_code_hash(code: str) -> str:
    return _keyed_hash("reset:" + _normalise_code(code))


def _single_use(table, works: tuple, now: str) -> tuple:
    """The three conditional UPDATEs of a single-use code with counted tries, each acting only
    while ``works`` holds: count a wrong try (returns the count), keep a right one unless used
    up (returns the id), and use it (returns the id)."""
    tries = table.c.failed_attempts
    return (update(table).where(*works).values(failed_attempts=tries + 1).returning(tries),
            update(table).where(*works).values(failed_attempts=tries).returning(table.c.id),
            update(table).where(*works).values(used_at=bindparam(now)).returning(table.c.id))


_RESETS = AccountReset.__table__
# A reset code's tries are counted like a letter's (see _COUNT_LETTER_FAILURE).
_RESET_WORKS = (_RESETS.c.id == bindparam("reset"), _RESETS.c.used_at.is_(None),
                _RESETS.c.failed_attempts < RESET_MAX_FAILURES,
                _RESETS.c.expires_at > bindparam("reset_now", type_=DateTime(timezone=True)))
_COUNT_RESET_FAILURE, _RESET_UNLESS_USED_UP, _USE_RESET = _single_use(_RESETS, _RESET_WORKS, "reset_now")


def check_reset_code(login: str, code: str) -> AccountReset:
    """The staff reset a login and its code open, or ``AuthError`` ("reset_mismatch",
    "reset_expired"); a wrong code counts against the account's latest reset, 5 use it up."""
    user = find_user(login)
    reset = user and db.session.scalar(select(AccountReset).where(
        AccountReset.user_id == user.id, AccountReset.kind == ResetKind.CODE).order_by(AccountReset.id.desc()).limit(1))
    if reset is None:
        raise AuthError("reset_mismatch")
    works = {"reset": reset.id, "reset_now": utcnow()}
    if hmac.compare_digest(reset.code_hash or "", _reset_code_hash(code)):
        if db.session.scalar(_RESET_UNLESS_USED_UP, works) is None:
            raise AuthError("reset_expired")
        return reset
    attempt = db.session.scalar(_COUNT_RESET_FAILURE, works)
    if attempt is None:
        raise AuthError("reset_expired")
    record("user.reset_code_failed", object_type="user", object_id=user.id, details={"attempt": attempt},
           actor=user)
    db.session.commit()  # the try counts, whatever the request does next
    raise AuthError("reset_mismatch")


def complete_staff_reset(reset: AccountReset, password: str) -> User:
    """The holder of a checked reset code chooses a new password; the code is then used up. The
    account still has no authenticator: setting one up comes next, then an ordinary sign-in."""
    user = reset.user
    set_password(user, password, actor=user)
    if db.session.scalar(_USE_RESET, {"reset": reset.id, "reset_now": utcnow()}) is None:
        raise AuthError("reset_expired")
    record("user.reset_completed", object_type="user", object_id=user.id, details={"by": ResetKind.CODE.value},
           actor=user)
    return user


def reset_to_tell(user: User) -> AccountReset | None:
    """The reset the person has not yet been told of (told now, at sign-in), if any."""
    reset = db.session.scalar(select(AccountReset).where(AccountReset.user_id == user.id,
                                                         AccountReset.told_at.is_(None))
                              .order_by(AccountReset.id.desc()).limit(1))
    if reset is not None:
        db.session.execute(update(AccountReset).where(AccountReset.user_id == user.id,
                                                      AccountReset.told_at.is_(None)).values(told_at=utcnow()))
    return reset


def last_reset(user: User) -> AccountReset | None:
    return db.session.scalar(select(AccountReset).where(AccountReset.user_id == user.id)
                             .options(joinedload(AccountReset.reset_by))
                             .order_by(AccountReset.id.desc()).limit(1))


def reset_times(user_ids: Iterable[int]) -> dict[int, list[dt.datetime]]:
    """When each of these accounts was reset (for the supervisors' marks on ballots)."""
    found: dict[int, list[dt.datetime]] = {}
    ids = sorted(set(user_ids))
    for start in range(0, len(ids), 500):
        for user_id, at in db.session.execute(select(AccountReset.user_id, AccountReset.reset_at).where(
                AccountReset.user_id.in_(ids[start:start + 500]))):
            found.setdefault(user_id, []).append(clock.aware(at))
    return found


def check_password(user: User | None, password: str) -> bool:
    if user is None:
        # Same work as a real check, so timing does not tell whether the login exists.
        passwords.verify_password(passwords.hash_password("not-a-user-password"), password)
        return False
    return user.is_active and passwords.verify_password(user.password_hash, password)


# --- the second factor ----------------------------------------------------------------

def start_totp_enrolment(user: User) -> str:
    """A new secret for the user (sealed at rest); it counts only after a valid code confirms it."""
    secret = new_secret()
    user.totp_secret = secrets_box.seal(secret)
    user.totp_confirmed_at = None
    db.session.flush()
    return secret


def pending_totp_secret(user: User) -> str | None:
    return secrets_box.open_sealed(user.totp_secret) if user.totp_secret else None


def confirm_totp(user: User, code: str, now: float | None = None) -> list[str]:
    """Confirm enrolment with a valid code; returns fresh recovery codes to show once."""
    secret = pending_totp_secret(user)
    if secret is None:
        raise AuthError("no_enrolment")
    step = Totp(secret).accept(code, int(now if now is not None else time.time()), 0)
    if step is None:
        raise _failure(user)
    _unless_locked(user, _SET_STEP, step=step)
    set_committed_value(user, "totp_last_step", step)  # as written
    again = user.totp_confirmed_at is not None
    user.totp_confirmed_at = utcnow()
    if again:  # a new authenticator for an enrolled account: the person is told
        events.account_changed.send(user, change="authenticator_reset")
    codes = regenerate_recovery_codes(user, audit=False)
    record("user.totp_enrolled", object_type="user", object_id=user.id,
           estate_id=user.owner.estate_id if user.owner else None, actor=user)
    return codes


def regenerate_recovery_codes(user: User, audit: bool = True) -> list[str]:
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    codes = [f"{_random_code(5)}-{_random_code(5)}".lower() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_keyed_hash(code)) for code in codes)
    db.session.flush()
    if audit:
        record("user.recovery_codes_regenerated", object_type="user", object_id=user.id,
               estate_id=user.owner.estate_id if user.owner else None, actor=user)
    return codes


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


# Statements of every signed-in request and every second factor, built once (see voting.services).
# (Parameters are not named as columns: an UPDATE takes a parameter named as one of its table's
# columns as a value to SET.)
_USERS, _SESSIONS = User.__table__, UserSession.__table__

# Wrong codes are counted in the account's row by one conditional UPDATE, as a code's step is
# claimed: it counts only while fewer than five of the window are counted, so that of any
# number of requests at once, on any worker or machine, five are answered "wrong" and the rest
# "locked" (the row's lock orders them, and each sees the count the one before it left). A
# right code is accepted only by an UPDATE with the same condition (the step's claim). Every
# caller commits after a refusal, so a counted failure stays counted.
_TRIES, _WINDOW_AT = _USERS.c.second_factor_attempts, _USERS.c.second_factor_window_at
_WINDOW_OVER = or_(_WINDOW_AT.is_(None), _WINDOW_AT <= bindparam("attempt_cutoff", type_=DateTime(timezone=True)))
_NOT_LOCKED = or_(_WINDOW_OVER, _TRIES < SECOND_FACTOR_MAX_FAILURES)
_COUNT_FAILURE = (update(_USERS)
                  .where(_USERS.c.id == bindparam("attempt_user"), _NOT_LOCKED)
                  .values(second_factor_attempts=case((_WINDOW_OVER, 1), else_=_TRIES + 1),
                          second_factor_window_at=case(
                              (_WINDOW_OVER, bindparam("attempt_at", type_=DateTime(timezone=True))),
                              else_=_WINDOW_AT)))
# A right code is accepted only while the account is not locked: its step is claimed (no
# replay), or at enrolment set, or for a recovery code the row only locked, on that condition.
_CLAIM_STEP = (update(_USERS).where(_USERS.c.id == bindparam("attempt_user"), _USERS.c.totp_last_step < bindparam("step"),
                                    _NOT_LOCKED)
               .values(totp_last_step=bindparam("step")))
_SET_STEP = update(_USERS).where(_USERS.c.id == bindparam("attempt_user"), _NOT_LOCKED).values(
    totp_last_step=bindparam("step"))
_UNLESS_LOCKED = update(_USERS).where(_USERS.c.id == bindparam("attempt_user"), _NOT_LOCKED).values(
    second_factor_attempts=_TRIES)
_MARK_SECOND_FACTOR = (update(_SESSIONS).where(_SESSIONS.c.id == bindparam("session_id"))
                       .values(second_factor_at=bindparam("at")))
# On PostgreSQL a signed-in session's step-up claims the code's step and marks the session in one
# statement; the session is marked only if the step was claimed.
_CLAIMED = (update(_USERS).where(_USERS.c.id == bindparam("attempt_user"),
                                 _USERS.c.totp_last_step < bindparam("claim_step"), _NOT_LOCKED)
            .values(totp_last_step=bindparam("claim_step")).returning(_USERS.c.id).cte("claimed"))
_CLAIM_AND_MARK = (update(_SESSIONS).where(_SESSIONS.c.id == bindparam("fresh_session"), exists(select(_CLAIMED.c.id)))
                   .values(second_factor_at=bindparam("fresh_at")).returning(_SESSIONS.c.id))
_LIVE_SESSION = (select(UserSession).where(UserSession.token_hash == bindparam("token_hash"),
                                           UserSession.revoked_at.is_(None))
                 .options(joinedload(UserSession.user).joinedload(User.owner)))


def second_factor_locked_until(user: User) -> dt.datetime | None:
    """When the account may try again, if 5 wrong codes were given in the last 15 minutes."""
    attempts, window_at = db.session.execute(
        select(User.second_factor_attempts, User.second_factor_window_at).where(User.id == user.id)).one()
    if window_at is None or attempts < SECOND_FACTOR_MAX_FAILURES:
        return None
    until = clock.aware(window_at) + SECOND_FACTOR_WINDOW
    return until if until > utcnow() else None


def _window(user: User, **more) -> dict:
    return {"attempt_user": user.id, "attempt_cutoff": utcnow() - SECOND_FACTOR_WINDOW, **more}


def _locked(user: User) -> AuthError:
    SIGN_IN_FAILURES.labels("locked").inc()
    return AuthError("locked", until=second_factor_locked_until(user) or utcnow() + SECOND_FACTOR_WINDOW)


def _failure(user: User) -> AuthError:
    """Count a wrong code (audited) unless the account is locked: the refusal to raise."""
    if db.session.execute(_COUNT_FAILURE, _window(user, attempt_at=utcnow())).rowcount != 1:
        return _locked(user)
    SIGN_IN_FAILURES.labels("code").inc()
    if second_factor_locked_until(user) is not None:  # this failure was the one that locked it
        SIGN_IN_LOCKS.inc()
    record("user.second_factor_failed", object_type="user", object_id=user.id,
           estate_id=user.owner.estate_id if user.owner else None, actor=user)
    return AuthError("wrong_code")


def _unless_locked(user: User, statement, **params) -> None:
    if db.session.execute(statement, _window(user, **params)).rowcount != 1:
        raise _locked(user)


def verify_second_factor(user: User, code: str, now: float | None = None, *,
                         session: UserSession | None = None) -> str:
    """Check a TOTP code (no replay, one step of drift) or one unused recovery code; with a
    signed-in ``session`` (a step-up, R-34), mark that session as having just given it.

    Returns "totp" or "recovery"; raises ``AuthError`` ("locked", "wrong_code").
    """
    secret = pending_totp_secret(user) if user.totp_enrolled else None
    cleaned = code.strip().replace(" ", "")
    if secret and cleaned.isdigit():
        step = Totp(secret).accept(cleaned, int(now if now is not None else time.time()), user.totp_last_step)
        # Claim the step in the database, not from what this request read: of two requests
        # with the same code, only the first to write succeeds.
        if step is not None and _claim_step(user, step, session):
            set_committed_value(user, "totp_last_step", step)  # as written; the row is what counts
            return "totp"
    elif cleaned:
        recovery = db.session.scalar(select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _keyed_hash(cleaned.lower()),
            RecoveryCode.used_at.is_(None)))
        if recovery is not None:
            _unless_locked(user, _UNLESS_LOCKED)
            recovery.used_at = utcnow()
            record("user.recovery_code_used", object_type="user", object_id=user.id,
                   estate_id=user.owner.estate_id if user.owner else None, actor=user)
            events.account_changed.send(user, change="recovery_code_used")
            if session is not None:
                _mark_second_factor(session)
            return "recovery"
    raise _failure(user)


def _claim_step(user: User, step: int, session: UserSession | None) -> bool:
    """Claim a TOTP step for ``user`` (and mark ``session``, if given); False if it was taken."""
    if session is not None and db.engine.dialect.name == "postgresql":
        at = utcnow()
        if db.session.execute(_CLAIM_AND_MARK, _window(user, claim_step=step, fresh_session=session.id,
                                                       fresh_at=at)).first() is None:
            return False
        set_committed_value(session, "second_factor_at", at)
        return True
    if db.session.execute(_CLAIM_STEP, _window(user, step=step)).rowcount != 1:
        return False
    if session is not None:
        _mark_second_factor(session)
    return True


# --- sessions --------------------------------------------------------------------------

def open_session(user: User, ip: str, user_agent: str) -> UserSession:
    token = secrets.token_urlsafe(32)
    # A browser the account never signed in with before (its first sign-in excepted) is told to it.
    known = db.session.scalars(select(UserSession.user_agent).where(UserSession.user_id == user.id)).all()
    if known and user_agent[:200] not in known:
        events.account_changed.send(user, change="new_device")
    session = UserSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                          ip=ip[:64], user_agent=user_agent[:200])
    session.token = token
    return created(session, "user.signed_in", object_type="user", object_id=user.id,
                   estate_id=user.owner.estate_id if user.owner else None, actor=user)


def load_session(token: str) -> UserSession | None:
    """The live session for a cookie token; idle sessions are ended here."""
    if not token:
        return None
    # The account and its owner come in the same query: every signed-in request needs them.
    found = db.session.scalar(_LIVE_SESSION, {"token_hash": hashlib.sha256(token.encode()).hexdigest()})
    if found is None:
        return None
    now = utcnow()
    idle = dt.timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
    if now - clock.aware(found.last_seen_at) > idle:
        found.revoked_at = now
        db.session.commit()
        return None
    if now - clock.aware(found.last_seen_at) > dt.timedelta(seconds=60):
        found.last_seen_at = now
        db.session.commit()
    found.token = token
    return found


def end_session(session: UserSession) -> None:
    session.revoked_at = utcnow()


def end_all_sessions(user: User, keep: UserSession | None = None) -> int:
    statement = update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    ended = db.session.execute(statement.values(revoked_at=utcnow())).rowcount
    if ended:
        events.account_changed.send(user, change="sessions_ended")
    return ended


def _mark_second_factor(session: UserSession) -> None:
    """The session has just given a second factor (step-up, R-34)."""
    at = utcnow()
    db.session.execute(_MARK_SECOND_FACTOR, {"session_id": session.id, "at": at})
    set_committed_value(session, "second_factor_at", at)


def second_factor_is_fresh(session: UserSession) -> bool:
    age = utcnow() - clock.aware(session.second_factor_at)
    return age <= dt.timedelta(minutes=current_app.config["STEP_UP_MINUTES"])


# --- owner activation ----------------------------------------------------------------------

def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_activation_code() -> str:
    """12 characters from a 31-letter alphabet: 59 bits, shown as XXXX-XXXX-XXXX."""
    raw = _random_code(12)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _normalise_code(code: str) -> str:
    return code.strip().upper().replace("-", "").replace(" ", "")


def activation_code_hash(code: str) -> str:
    return _keyed_hash(_normalise_code(code))


@dataclass(frozen=True)
class Letter:
    estate: Estate
    voter: roll_rules.Voter
    owner: Owner
    code: str
    expires_at: dt.datetime
    login: str = ""  # a letter issued by a reset re-opens the account with this login


@dataclass(frozen=True)
class VoterStatus:
    voter: roll_rules.Voter
    owner: Owner | None
    has_account: bool
    active_code: ActivationCode | None


def voter_statuses(estate: Estate) -> list[VoterStatus]:
    roll = roll_rules.count_roll(current_roll_units(estate))
    owners = {f"o{o.id}": o for o in db.session.scalars(select(Owner).where(Owner.estate_id == estate.id))}
    accounts = set(db.session.scalars(select(User.owner_id).join(Owner).where(Owner.estate_id == estate.id)))
    now = utcnow()
    codes = {}
    for code in db.session.scalars(select(ActivationCode).where(ActivationCode.estate_id == estate.id)):
        if code.usable(now, ACTIVATION_MAX_FAILURES):
            codes[code.voter_key] = code
    statuses = []
    for voter in roll.voters:
        owner = owners.get(voter.representative or "")
        statuses.append(VoterStatus(voter, owner, owner is not None and owner.id in accounts,
                                    codes.get(voter.key)))
    return statuses


def issue_letters(estate: Estate, voter_keys: Sequence[str] | None, *, actor: User | None,
                  codes: dict[str, str] | None = None) -> list[Letter]:
    """New activation codes for voters without an account (all, or those named); any earlier
    unused code of theirs is revoked. ``codes`` fixes the codes (demo data only)."""
    now = utcnow()
    expires = now + dt.timedelta(days=current_app.config["ACTIVATION_DAYS"])
    wanted = set(voter_keys) if voter_keys is not None else None
    statuses = [status for status in voter_statuses(estate)
                if not status.has_account and status.owner is not None
                and (wanted is None or status.voter.key in wanted)]
    # Their earlier unused codes are revoked in a few statements, not one per voter: a batch for a
    # whole estate is thousands of voters.
    keys = [status.voter.key for status in statuses]
    for start in range(0, len(keys), 500):
        db.session.execute(update(ActivationCode).where(
            ActivationCode.estate_id == estate.id, ActivationCode.voter_key.in_(keys[start:start + 500]),
            ActivationCode.used_at.is_(None), ActivationCode.revoked_at.is_(None)).values(revoked_at=now))
    letters = []
    for status in statuses:
        code = (codes or {}).get(status.voter.key) or new_activation_code()
        db.session.add(ActivationCode(
            estate_id=estate.id, voter_key=status.voter.key, owner_id=status.owner.id,
            code_hash=activation_code_hash(code), created_by_id=actor.id if actor else None,
            expires_at=expires))
        letters.append(Letter(estate, status.voter, status.owner, code, expires))
    db.session.flush()
    record("activation.issued", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"letters": len(letters)}, actor=actor)
    return letters


def revoke_activation(code: ActivationCode, *, actor: User) -> None:
    code.revoked_at = utcnow()
    record("activation.revoked", estate_id=code.estate_id, object_type="activation_code", object_id=code.id,
           details={"voter": code.voter_key}, actor=actor)


_CODES = ActivationCode.__table__
# A letter's wrong tries are counted as wrong codes are (see _COUNT_FAILURE): by one conditional
# UPDATE that counts only while the code still works, so five wrong tries use it up however many
# requests arrive at once; right details are accepted only by an UPDATE with the same condition.
_LETTER_WORKS = (_CODES.c.id == bindparam("letter"), _CODES.c.used_at.is_(None), _CODES.c.revoked_at.is_(None),
                 _CODES.c.failed_attempts < ACTIVATION_MAX_FAILURES,
                 _CODES.c.expires_at > bindparam("letter_now", type_=DateTime(timezone=True)))
_COUNT_LETTER_FAILURE, _LETTER_UNLESS_USED_UP, _USE_LETTER = _single_use(_CODES, _LETTER_WORKS, "letter_now")


def check_activation(unit_label: str, code: str, id_last4: str) -> ActivationCode:
    """The activation a letter's details open, or ``AuthError("activation_mismatch")``.

    A wrong unit or id-document check on a real code counts against that code;
    after 5 such failures the code stops working and a new letter is needed.
    """
    found = db.session.scalar(select(ActivationCode).where(
        ActivationCode.code_hash == activation_code_hash(code)))
    if found is None:
        raise AuthError("activation_mismatch")
    units = _voter_units(found)
    ok_unit = unit_label.strip().upper() in {label.upper() for label in units}
    ok_document = hmac.compare_digest(id_last4.strip().upper(), found.owner.id_doc_last4.upper())
    works = {"letter": found.id, "letter_now": utcnow()}
    if ok_unit and ok_document:
        if db.session.scalar(_LETTER_UNLESS_USED_UP, works) is None:
            raise _letter_refused(found)
        return found
    attempt = db.session.scalar(_COUNT_LETTER_FAILURE, works)
    if attempt is None:
        raise _letter_refused(found)
    record("activation.failed", estate_id=found.estate_id, object_type="activation_code",
           object_id=found.id, details={"attempt": attempt})
    db.session.commit()  # the try counts, whatever the request does next
    raise AuthError("activation_mismatch")


def _letter_refused(code: ActivationCode) -> AuthError:
    db.session.refresh(code)
    return AuthError("activation_used" if code.used_at else "activation_expired")


def _voter_units(code: ActivationCode) -> list[str]:
    roll = roll_rules.count_roll(current_roll_units(code.estate))
    for voter in roll.voters:
        if voter.key == code.voter_key:
            return list(voter.units)
    return []


def activate_owner(code: ActivationCode, login: str, password: str, display_name: str) -> User:
    """Create the owner's account from a checked activation; the code is then used up.

    The code is checked again: it may have been revoked, replaced or have expired
    since its details were checked on the previous page."""
    if code.used_at is not None or code.user_id is not None:  # a reset's letter re-opens its account
        raise AuthError("activation_used")
    if not code.usable(utcnow(), ACTIVATION_MAX_FAILURES):
        raise AuthError("activation_expired")
    # One owner may represent several voters (a unit alone, a co-owned one): one account.
    if db.session.scalar(select(User.id).where(User.owner_id == code.owner_id)) is not None:
        raise AuthError("activation_used")
    user = create_user(login, display_name or code.owner.name, password, actor=None, owner=code.owner)
    code.used_at = utcnow()
    record("activation.used", estate_id=code.estate_id, object_type="activation_code", object_id=code.id,
           details={"user": user.id}, actor=user)
    return user


def reactivate_owner(code: ActivationCode, password: str) -> User:
    """A letter issued by a reset re-opens its account with a new password; the code is then
    used up (checked again: it may have been revoked or replaced since its details were)."""
    user = db.session.get(User, code.user_id)
    set_password(user, password, actor=user)
    if db.session.scalar(_USE_LETTER, {"letter": code.id, "letter_now": utcnow()}) is None:
        raise _letter_refused(code)
    record("activation.used", estate_id=code.estate_id, object_type="activation_code", object_id=code.id,
           details={"user": user.id, "reset": True}, actor=user)
    record("user.reset_completed", estate_id=code.estate_id, object_type="user", object_id=user.id,
           details={"by": ResetKind.LETTER.value}, actor=user)
    return user


def estate_units(estate: Estate) -> Sequence[str]:
    return db.session.scalars(select(Unit.label).join(Building).where(Unit.estate_id == estate.id)).all()
