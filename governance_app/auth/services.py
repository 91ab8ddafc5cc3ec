"""Use cases of identity: accounts, second factor, sessions, activation, roles."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app
from limits import RateLimitItemPerMinute
from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..audit.services import record  # noqa: F401  (re-exported for routes)
from ..estates import rules as roll_rules
from ..estates.models import Building, Community, Estate, Owner, Unit
from ..estates.services import current_roll_units
from ..core.metrics import SIGN_IN_FAILURES, SIGN_IN_LOCKS
from ..extensions import db, shared_counts
from . import passwords, secrets_box
from .models import ActivationCode, RecoveryCode, Role, RoleGrant, ScopeKind, User, UserSession, utcnow
from .totp import Totp, new_secret  # noqa: F401  (Totp re-exported for routes)

RECOVERY_CODE_COUNT = 10
SECOND_FACTOR_FAILURES = RateLimitItemPerMinute(5, 15)  # 5 failures per account per 15 minutes
ACTIVATION_MAX_FAILURES = 5
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L


class AuthError(Exception):
    """A refusal a person can understand; ``reason`` selects the message."""

    def __init__(self, reason: str, **details):
        super().__init__(reason)
        self.reason = reason
        self.details = details


def _keyed_hash(value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


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


def assisted_reset(user: User, *, actor: User) -> str:
    """Staff-assisted reset: a new one-time password, TOTP and recovery codes cleared
    (so the person enrols again at next sign-in), every session ended."""
    temporary = "-".join(_random_code(4) for _ in range(3))
    user.password_hash = passwords.hash_password(temporary)
    user.password_changed_at = utcnow()
    user.totp_secret = None
    user.totp_confirmed_at = None
    db.session.execute(update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    end_all_sessions(user)
    record("user.assisted_reset", object_type="user", object_id=user.id,
           estate_id=user.owner.estate_id if user.owner else None, actor=actor)
    return temporary


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
    _refuse_if_locked(user)
    step = Totp(secret).accept(code, int(now if now is not None else time.time()), 0)
    if step is None:
        _count_failure(user)
        raise AuthError("wrong_code")
    user.totp_last_step = step
    user.totp_confirmed_at = utcnow()
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


def _failure_key(user: User) -> tuple[str, str]:
    return ("second-factor", str(user.id))


def second_factor_locked_until(user: User) -> dt.datetime | None:
    """When the account may try again, if 5 wrong codes were given in the last 15 minutes."""
    strategy = shared_counts
    if strategy.test(SECOND_FACTOR_FAILURES, *_failure_key(user)):
        return None
    reset_at, _remaining = strategy.get_window_stats(SECOND_FACTOR_FAILURES, *_failure_key(user))
    return dt.datetime.fromtimestamp(reset_at, dt.timezone.utc)


def _refuse_if_locked(user: User) -> None:
    until = second_factor_locked_until(user)
    if until is not None:
        SIGN_IN_FAILURES.labels("locked").inc()
        raise AuthError("locked", until=until)


def _count_failure(user: User) -> None:
    shared_counts.hit(SECOND_FACTOR_FAILURES, *_failure_key(user))
    SIGN_IN_FAILURES.labels("code").inc()
    if second_factor_locked_until(user) is not None:  # this failure was the one that locked it
        SIGN_IN_LOCKS.inc()
    record("user.second_factor_failed", object_type="user", object_id=user.id,
           estate_id=user.owner.estate_id if user.owner else None, actor=user)


# Statements of every signed-in request and every second factor, built once (see voting.services).
_USERS, _SESSIONS = User.__table__, UserSession.__table__
_CLAIM_STEP = (update(_USERS).where(_USERS.c.id == bindparam("user_id"), _USERS.c.totp_last_step < bindparam("step"))
               .values(totp_last_step=bindparam("step")))
_MARK_SECOND_FACTOR = (update(_SESSIONS).where(_SESSIONS.c.id == bindparam("session_id"))
                       .values(second_factor_at=bindparam("at")))
# On PostgreSQL a signed-in session's step-up claims the code's step and marks the session in one
# statement; the session is marked only if the step was claimed. (Parameters are not named as
# columns: an UPDATE takes a parameter named as one of its table's columns as a value to SET.)
_CLAIMED = (update(_USERS).where(_USERS.c.id == bindparam("claim_user"), _USERS.c.totp_last_step < bindparam("claim_step"))
            .values(totp_last_step=bindparam("claim_step")).returning(_USERS.c.id).cte("claimed"))
_CLAIM_AND_MARK = (update(_SESSIONS).where(_SESSIONS.c.id == bindparam("fresh_session"), exists(select(_CLAIMED.c.id)))
                   .values(second_factor_at=bindparam("fresh_at")).returning(_SESSIONS.c.id))
_LIVE_SESSION = (select(UserSession).where(UserSession.token_hash == bindparam("token_hash"),
                                           UserSession.revoked_at.is_(None))
                 .options(joinedload(UserSession.user).joinedload(User.owner)))


def verify_second_factor(user: User, code: str, now: float | None = None, *,
                         session: UserSession | None = None) -> str:
    """Check a TOTP code (no replay, one step of drift) or one unused recovery code; with a
    signed-in ``session`` (a step-up, R-34), mark that session as having just given it.

    Returns "totp" or "recovery"; raises ``AuthError`` ("locked", "wrong_code").
    """
    _refuse_if_locked(user)
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
            recovery.used_at = utcnow()
            record("user.recovery_code_used", object_type="user", object_id=user.id,
                   estate_id=user.owner.estate_id if user.owner else None, actor=user)
            if session is not None:
                _mark_second_factor(session)
            return "recovery"
    _count_failure(user)
    raise AuthError("wrong_code")


def _claim_step(user: User, step: int, session: UserSession | None) -> bool:
    """Claim a TOTP step for ``user`` (and mark ``session``, if given); False if it was taken."""
    if session is not None and db.engine.dialect.name == "postgresql":
        at = utcnow()
        if db.session.execute(_CLAIM_AND_MARK, {"claim_user": user.id, "claim_step": step,
                                                "fresh_session": session.id, "fresh_at": at}).first() is None:
            return False
        set_committed_value(session, "second_factor_at", at)
        return True
    if db.session.execute(_CLAIM_STEP, {"user_id": user.id, "step": step}).rowcount != 1:
        return False
    if session is not None:
        _mark_second_factor(session)
    return True


# --- sessions --------------------------------------------------------------------------

def open_session(user: User, ip: str, user_agent: str) -> UserSession:
    token = secrets.token_urlsafe(32)
    session = UserSession(token_hash=hashlib.sha256(token.encode()).hexdigest(), user_id=user.id,
                          ip=ip[:64], user_agent=user_agent[:200])
    session.token = token
    db.session.add(session)
    db.session.flush()
    record("user.signed_in", object_type="user", object_id=user.id,
           estate_id=user.owner.estate_id if user.owner else None, actor=user)
    return session


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
    if now - aware(found.last_seen_at) > idle:
        found.revoked_at = now
        db.session.commit()
        return None
    if now - aware(found.last_seen_at) > dt.timedelta(seconds=60):
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
    return db.session.execute(statement.values(revoked_at=utcnow())).rowcount


def _mark_second_factor(session: UserSession) -> None:
    """The session has just given a second factor (step-up, R-34)."""
    at = utcnow()
    db.session.execute(_MARK_SECOND_FACTOR, {"session_id": session.id, "at": at})
    set_committed_value(session, "second_factor_at", at)


def second_factor_is_fresh(session: UserSession) -> bool:
    age = utcnow() - aware(session.second_factor_at)
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


def check_activation(unit_label: str, code: str, id_last4: str) -> ActivationCode:
    """The activation a letter's details open, or ``AuthError("activation_mismatch")``.

    A wrong unit or id-document check on a real code counts against that code;
    after 5 such failures the code stops working and a new letter is needed.
    """
    found = db.session.scalar(select(ActivationCode).where(
        ActivationCode.code_hash == activation_code_hash(code)))
    if found is None:
        raise AuthError("activation_mismatch")
    now = utcnow()
    if not found.usable(now, ACTIVATION_MAX_FAILURES):
        raise AuthError("activation_used" if found.used_at else "activation_expired")
    units = _voter_units(found)
    ok_unit = unit_label.strip().upper() in {label.upper() for label in units}
    ok_document = hmac.compare_digest(id_last4.strip().upper(), found.owner.id_doc_last4.upper())
    if not (ok_unit and ok_document):
        found.failed_attempts += 1
        record("activation.failed", estate_id=found.estate_id, object_type="activation_code",
               object_id=found.id, details={"attempt": found.failed_attempts})
        db.session.commit()
        raise AuthError("activation_mismatch")
    return found


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
    if code.used_at is not None:
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


def estate_units(estate: Estate) -> Sequence[str]:
    return db.session.scalars(select(Unit.label).join(Building).where(Unit.estate_id == estate.id)).all()
