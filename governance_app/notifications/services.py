"""Who is told what: the inbox, e-mail preferences, and the people a message goes to.

Receivers (``receivers.py``) and the hourly task (``tasks.py``) call :func:`notify`; it adds one
message per person inside the caller's transaction and, once that transaction commits, sends the
e-mails (``mail.py``) by a job: a request never waits for an SMTP server.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, func, or_, select, update

from ..audit.services import record
from ..auth.models import Role, RoleGrant, ScopeKind, User
from ..core import clock
from ..estates.models import Estate, Owner
from ..extensions import db
from ..voting.models import Ballot, VoteRollEntry
from .messages import KIND_GROUPS, SECURITY, group_of
from .models import Announced, Message, Preference

KEEP_DAYS = 365
COMMITTEE_ROLES = (Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR)
STAFF_ROLES = (Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR)


def notify(user_ids: Iterable[int], kind: str, values: dict, link: str = "") -> list[Message]:
    """One message per person (each once); e-mailed to those who gave an address and want this
    kind by e-mail (security messages always), after the transaction commits."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    mailable = _mailable(ids, kind)
    messages = [Message(user_id=user_id, kind=kind, values=values, link=link, created_at=clock.now(),
                        mail_state="queued" if user_id in mailable else None) for user_id in ids]
    db.session.add_all(messages)
    db.session.flush()
    from . import mail

    mail.after_commit([message.id for message in messages if message.mail_state == "queued"])
    return messages


def _mailable(user_ids: list[int], kind: str) -> set[int]:
    with_address = set(db.session.scalars(select(User.id).where(
        User.id.in_(user_ids), User.email.is_not(None), User.email != "", User.is_active_account.is_(True))))
    if kind in SECURITY or not with_address:
        return with_address
    refused = set(db.session.scalars(select(Preference.user_id).where(
        Preference.user_id.in_(with_address), Preference.kind == group_of(kind), Preference.email.is_(False))))
    return with_address - refused


def announce_once(key: str) -> bool:
    """True the first time ``key`` is announced (then recorded), False ever after."""
    if db.session.get(Announced, key) is not None:
        return False
    db.session.add(Announced(key=key, created_at=clock.now()))
    db.session.flush()
    return True


# --- who ---------------------------------------------------------------------------------------------

def owners_of_estate(estate_id: int) -> list[int]:
    """Accounts of the estate's owners."""
    return list(db.session.scalars(select(User.id).join(Owner, User.owner_id == Owner.id).where(
        Owner.estate_id == estate_id, User.is_active_account.is_(True))))


def owners_in_vote(vote, *, not_voted: bool = False) -> list[int]:
    """Accounts of the owners who cast a ballot of the vote's frozen roll (R-05: its holders at the
    notice); with ``not_voted``, only those of voter keys without a ballot yet."""
    query = (select(User.id).join(VoteRollEntry, VoteRollEntry.holder_id == User.owner_id)
             .where(VoteRollEntry.vote_id == vote.id, User.is_active_account.is_(True)))
    if not_voted:
        query = query.where(VoteRollEntry.voter.not_in(select(Ballot.voter).where(Ballot.vote_id == vote.id)))
    return sorted(set(db.session.scalars(query)))


def responsible(estate_id: int, who: str) -> list[int]:
    """The committee of the estate, or the staff whose scope covers it (residents' committee and
    sub-district supervisors): whom a duty concerns."""
    estate = db.session.get(Estate, estate_id)
    roles = COMMITTEE_ROLES if who == "committee" else STAFF_ROLES
    scopes = [(RoleGrant.scope_kind == ScopeKind.ESTATE) & (RoleGrant.scope_id == estate.id),
              (RoleGrant.scope_kind == ScopeKind.COMMUNITY) & (RoleGrant.scope_id == estate.community_id),
              (RoleGrant.scope_kind == ScopeKind.SUB_DISTRICT)
              & (RoleGrant.scope_id == estate.community.sub_district_id)]
    return sorted(set(db.session.scalars(
        select(RoleGrant.user_id).join(User, User.id == RoleGrant.user_id)
        .where(RoleGrant.revoked_at.is_(None), RoleGrant.role.in_(roles), or_(*scopes),
               User.is_active_account.is_(True)))))


# --- the inbox ----------------------------------------------------------------------------------------

def unread_count(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.user_id == user.id, Message.read_at.is_(None))) or 0


def inbox(user, limit: int = 50, offset: int = 0) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.user_id == user.id)
                                   .order_by(Message.created_at.desc(), Message.id.desc())
                                   .limit(limit).offset(offset)))


def inbox_size(user) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(Message.user_id == user.id)) or 0


def mark_read(message: Message) -> None:
    if message.read_at is None:
        message.read_at = clock.now()


def mark_all_read(user) -> None:
    db.session.execute(update(Message).where(Message.user_id == user.id, Message.read_at.is_(None))
                       .values(read_at=clock.now()))


def forget_old(now: dt.datetime | None = None) -> int:
    """Messages are kept one year."""
    before = (now or clock.now()) - dt.timedelta(days=KEEP_DAYS)
    return db.session.execute(delete(Message).where(Message.created_at < before)).rowcount or 0


# --- preferences --------------------------------------------------------------------------------------

def email_groups(user) -> dict[str, bool]:
    """Each group of kinds: whether it comes by e-mail."""
    refused = set(db.session.scalars(select(Preference.kind).where(Preference.user_id == user.id,
                                                                   Preference.email.is_(False))))
    return {group: group not in refused for group in KIND_GROUPS}


def save_preferences(user, email: str | None, language: str | None, groups: dict[str, bool]) -> None:
    """The account's e-mail address, its language for e-mail, and which groups come by e-mail."""
    changed_address = (user.email or None) != (email or None)
    user.email, user.language = email or None, language or None
    for group in KIND_GROUPS:
        found = db.session.get(Preference, (user.id, group))
        if found is None:
            db.session.add(Preference(user_id=user.id, kind=group, email=bool(groups.get(group))))
        else:
            found.email = bool(groups.get(group))
    record("account.notifications_changed", object_type="user", object_id=user.id,
           details={"email_changed": changed_address, "language": user.language,
                    "by_email": sorted(g for g, on in groups.items() if on)}, actor=user)
