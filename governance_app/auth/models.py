"""Accounts and what they may do."""
from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..estates.models import Estate, Owner
from ..core import clock
from ..extensions import db, Keyed, OfEstate, string_enum


class Role(enum.StrEnum):
    OWNER = "owner"
    PROXY = "proxy"
    COMMITTEE_MEMBER = "committee_member"
    COMMITTEE_CHAIR = "committee_chair"
    COMMUNITY_STAFF = "community_staff"
    SUBDISTRICT_SUPERVISOR = "subdistrict_supervisor"
    AUDITOR = "auditor"
    PLATFORM_ADMIN = "platform_admin"


class ScopeKind(enum.StrEnum):
    ESTATE = "estate"
    COMMUNITY = "community"
    SUB_DISTRICT = "sub_district"
    PLATFORM = "platform"


def utcnow() -> dt.datetime:
    return clock.now()


class User(UserMixin, Keyed, db.Model):
    """A person who signs in. Owners are linked to the owner they are in the roll."""

    __tablename__ = "user_account"
    # Each code claimed updates the row: room on its page keeps the update off the indexes (0008).
    __table_args__ = {"postgresql_with": {"fillfactor": 85}}

    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Fernet token of the base32 TOTP secret; the key comes from configuration.
    totp_secret: Mapped[str | None] = mapped_column(String(255), nullable=True)
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # The last accepted TOTP time step: a code for it or an earlier step is a replay.
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id"), nullable=True, unique=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Second-factor attempts of the current 15-minute window, counted in the row so that every
    # worker and machine sees the same count (claimed before a code is checked, services.py).
    second_factor_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    second_factor_window_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # 长辈版 (larger text, one column, a shorter menu): True or False once the person has chosen,
    # None until then (the device's choice is then taken at sign-in; core/display.py).
    elder_mode: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Where notifications are e-mailed (none: the inbox only) and their language (none: Chinese).
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)

    owner: Mapped[Owner | None] = relationship()
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", primaryjoin="and_(RoleGrant.user_id == User.id, RoleGrant.revoked_at.is_(None))",
        viewonly=True)

    # Set by the session loader: the UserSession this request runs under.
    current_session = None

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    @property
    def totp_enrolled(self) -> bool:
        return self.totp_confirmed_at is not None

    def get_id(self) -> str:
        return self.current_session.token if self.current_session is not None else ""


class RoleGrant(Keyed, db.Model):
    """``user`` holds ``role`` over a scope: one estate, a community, a sub-district or the platform."""

    __tablename__ = "role_grant"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(string_enum(Role, "role", 32))
    scope_kind: Mapped[ScopeKind] = mapped_column(string_enum(ScopeKind, "scope_kind"))
    scope_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])


class RecoveryCode(Keyed, db.Model):
    __tablename__ = "recovery_code"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class UserSession(Keyed, db.Model):
    """One signed-in browser. Revoking it signs that browser out; the cookie holds only the token."""

    __tablename__ = "user_session"
    # Updated every signed-in minute and every step-up: room on its page keeps the update off
    # the indexes (heap-only tuples, migration 0008).
    __table_args__ = {"postgresql_with": {"fillfactor": 70}}

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    second_factor_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()
    # The clear token, known only in the request that created the session or read its cookie.
    token = ""


class ActivationCode(OfEstate, db.Model):
    """A one-time code printed on an owner's activation letter, for one voter of an estate."""

    __tablename__ = "activation_code"

    voter_key: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Set on a letter issued by a staff-assisted reset: it re-opens this existing account.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True, index=True)

    estate: Mapped[Estate] = relationship()
    owner: Mapped[Owner] = relationship()

    def usable(self, now: dt.datetime, max_attempts: int) -> bool:
        return (self.used_at is None and self.revoked_at is None and self.failed_attempts < max_attempts
                and clock.aware(self.expires_at) > now)



class ResetKind(enum.StrEnum):
    LETTER = "letter"  # an owner: a new activation letter
    CODE = "code"  # a staff account: a one-time reset code


class AccountReset(Keyed, db.Model):
    """A staff-assisted reset of an account: when, by whom, and how the person gets back in.

    An owner's account is re-opened by a new activation letter (``ActivationCode.user_id``);
    a staff account by a one-time code, stored here as a keyed hash, which only lets its
    holder choose a new password and set up a new authenticator.
    """

    __tablename__ = "account_reset"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    reset_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    reset_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    kind: Mapped[ResetKind] = mapped_column(string_enum(ResetKind, "reset_kind"))
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the person was told of the reset, at their first sign-in after it.
    told_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reset_by: Mapped[User | None] = relationship(foreign_keys=[reset_by_id])
