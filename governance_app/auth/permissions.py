"""Who may do what to which object: the one place that answers ``can(user, action, obj)``.

Roles are held over a scope (an estate, a community, a sub-district or the
platform); a grant over a community or sub-district covers every estate in it.
The owner role comes from the owner an account is linked to, never from a grant.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, or_, select, true

from ..estates.models import Community, Estate
from ..extensions import db
from .models import Role, RoleGrant, ScopeKind, User

# Actions on an estate, and the granted roles that allow them there.
ESTATE_ACTIONS: dict[str, frozenset[Role]] = {
    "estate.view": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                              Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    "estate.import_roll": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                                     Role.SUBDISTRICT_SUPERVISOR}),
    "estate.manage_activation": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                                           Role.SUBDISTRICT_SUPERVISOR}),
    "estate.view_audit": frozenset({Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    # Votes of the estate (the object may be the vote itself).
    "vote.view": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                            Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    "vote.manage": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}),
    "vote.record_paper": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF}),
    "vote.inspect": frozenset({Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    # The estate's accounts (R-55: owners see them; R-60: not the public).
    "funds.view": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                             Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    "funds.manage": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}),
    "funds.publish": frozenset({Role.COMMITTEE_CHAIR}),
    "funds.supervise": frozenset({Role.COMMUNITY_STAFF, Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    # What the committee posts for the estate.
    "disclosure.view": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                                  Role.SUBDISTRICT_SUPERVISOR, Role.AUDITOR}),
    "disclosure.manage": frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR}),
}
# Actions an owner may take in the estate of the owner their account is linked to.
OWNER_ACTIONS = frozenset({"estate.view", "vote.view", "funds.view", "funds.ask", "disclosure.view"})
# Roles that a sub-district supervisor may grant inside their sub-district.
SUPERVISOR_GRANTABLE = frozenset({Role.COMMITTEE_MEMBER, Role.COMMITTEE_CHAIR, Role.COMMUNITY_STAFF,
                                  Role.AUDITOR, Role.PROXY})
PLATFORM_ACTIONS = frozenset({"platform.view_audit", "user.create", "user.list"})
# Actions added by packages through register_estate_actions: their object may be anything with
# an ``estate`` (a proposal, a survey, a board entry).
_REGISTERED: set[str] = set()


def register_estate_actions(actions: dict[str, Iterable[Role]], *, owners: Iterable[str] = ()) -> None:
    """A package adds its own actions on an estate (the object may be the estate or anything
    with an ``estate`` attribute), with the granted roles that allow them and those an owner of
    the estate may take. Called once at import of the package's permissions."""
    global OWNER_ACTIONS
    for action, roles in actions.items():
        ESTATE_ACTIONS[action] = frozenset(roles)
        _REGISTERED.add(action)
    OWNER_ACTIONS = OWNER_ACTIONS | frozenset(owners)


def _estate_path(estate: Estate) -> dict[ScopeKind, int]:
    return {ScopeKind.ESTATE: estate.id, ScopeKind.COMMUNITY: estate.community_id,
            ScopeKind.SUB_DISTRICT: estate.community.sub_district_id}


def grant_covers(grant: RoleGrant, estate: Estate) -> bool:
    if grant.scope_kind == ScopeKind.PLATFORM:
        return True
    return _estate_path(estate).get(grant.scope_kind) == grant.scope_id


def _grants(user: User, roles: Iterable[Role]) -> list[RoleGrant]:
    wanted = set(roles)
    return [grant for grant in user.grants if grant.role in wanted]


def has_role(user: User, role: Role) -> bool:
    return any(grant.role == role for grant in user.grants)


def is_platform_admin(user: User) -> bool:
    """Only a grant over the platform makes a platform administrator: the same role held over
    an estate, a community or a sub-district must not reach the whole platform."""
    return any(grant.role == Role.PLATFORM_ADMIN and grant.scope_kind == ScopeKind.PLATFORM
               for grant in user.grants)


def can(user, action: str, obj=None) -> bool:
    """May ``user`` do ``action`` to ``obj``? Anonymous and inactive users may do nothing."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if action == "funds.ask":  # only owners ask the committee about an entry
        return isinstance(obj, Estate) and user.owner is not None and user.owner.estate_id == obj.id
    if action == "vote.read_ballots":
        # Individual choices and paper scans: supervisors and auditors, once the vote has closed.
        # Until then nobody sees a choice or a count of choices, which would be an interim result.
        return bool(getattr(obj, "closed", False)) and can(user, "vote.inspect", obj)
    if action == "vote.check_paper":
        # A paper ballot waiting for a second staff member (``obj`` is the entry): the staff who may
        # confirm it see its choices and scan; not the one who entered it, nobody once decided.
        return (obj is not None and obj.confirmed_at is None and obj.rejected_at is None
                and obj.entered_by_id != user.id and can(user, "vote.record_paper", obj.vote))
    if action in ESTATE_ACTIONS:
        through_estate = action.startswith("vote.") or action in _REGISTERED
        estate = getattr(obj, "estate", None) if through_estate and not isinstance(obj, Estate) else obj
        return isinstance(estate, Estate) and _can_on_estate(user, action, estate)
    if action == "platform.view_audit":
        return is_platform_admin(user)
    if action in ("user.create", "user.list"):
        # Supervisors manage the accounts of a sub-district: a narrower grant manages nobody.
        return is_platform_admin(user) or bool(supervised_sub_districts(user))
    if action == "user.manage":
        return isinstance(obj, User) and can_manage_user(user, obj)
    if action == "audit.read_codes":  # the log's raw action codes and details, to check the chain by
        return is_platform_admin(user) or has_role(user, Role.AUDITOR)
    if action == "audit.view":
        return is_platform_admin(user) or has_role(user, Role.SUBDISTRICT_SUPERVISOR) \
            or has_role(user, Role.AUDITOR)
    raise ValueError(f"unknown action {action!r}")


def _can_on_estate(user: User, action: str, estate: Estate) -> bool:
    if action in OWNER_ACTIONS and user.owner is not None and user.owner.estate_id == estate.id:
        return True
    return any(grant_covers(grant, estate) for grant in _grants(user, ESTATE_ACTIONS[action]))


def supervised_sub_districts(user: User) -> set[int]:
    return {g.scope_id for g in user.grants
            if g.role == Role.SUBDISTRICT_SUPERVISOR and g.scope_kind == ScopeKind.SUB_DISTRICT}


def can_grant(user: User, role: Role, scope_kind: ScopeKind, scope_sub_district: int | None) -> bool:
    """May ``user`` grant ``role`` over a scope lying in sub-district ``scope_sub_district``?"""
    if is_platform_admin(user):
        return True
    if role not in SUPERVISOR_GRANTABLE or scope_kind == ScopeKind.PLATFORM:
        return False
    return scope_sub_district is not None and scope_sub_district in supervised_sub_districts(user)


def can_manage_user(user: User, target: User, target_sub_districts: set[int] | None = None) -> bool:
    """Platform admins manage everyone; a supervisor manages accounts that lie wholly in
    their sub-district and hold no supervising or platform role."""
    if is_platform_admin(user):
        return True
    mine = supervised_sub_districts(user)
    if not mine or target.id == user.id:
        return False
    # A platform-wide grant lies in no sub-district: it must keep the account out of reach,
    # not be left out of the target's scopes.
    if any(g.role in (Role.PLATFORM_ADMIN, Role.SUBDISTRICT_SUPERVISOR) or g.scope_kind == ScopeKind.PLATFORM
           for g in target.grants):
        return False
    from .services import sub_districts_of  # the scopes of the target, from the database

    theirs = target_sub_districts if target_sub_districts is not None else sub_districts_of(target)
    return bool(theirs) and theirs <= mine


def visible_estates(user, action: str) -> Select:
    """One query for the estates where ``user`` may do ``action`` (a select of :class:`Estate`,
    to be ordered, filtered or counted further), never a loop over every estate."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active \
            or action not in ESTATE_ACTIONS:
        return select(Estate).where(false())
    roles = ESTATE_ACTIONS[action]
    grants = [grant for grant in user.grants if grant.role in roles]
    conditions = []
    if action in OWNER_ACTIONS and user.owner is not None:
        conditions.append(Estate.id == user.owner.estate_id)
    for grant in grants:
        if grant.scope_kind == ScopeKind.PLATFORM:
            conditions.append(true())
        elif grant.scope_kind == ScopeKind.ESTATE:
            conditions.append(Estate.id == grant.scope_id)
        elif grant.scope_kind == ScopeKind.COMMUNITY:
            conditions.append(Estate.community_id == grant.scope_id)
        elif grant.scope_kind == ScopeKind.SUB_DISTRICT:
            conditions.append(Estate.community_id.in_(
                select(Community.id).where(Community.sub_district_id == grant.scope_id)))
    return select(Estate).where(or_(*conditions) if conditions else false())


def found_or_404(value):
    """``value``, or a 404 when there is none (a ballot, a file or a row the page needs)."""
    if value is None:
        abort(404)
    return value


def permitted_or_404(obj, action: str, user=None):
    """``obj`` if the user may do ``action`` to it; 404 otherwise (also for ``None``), so that
    ids cannot be probed. The one way a page loads what it acts on."""
    if user is None:
        user = current_user
    if obj is None or not can(user, action, obj):
        abort(404)
    return obj


def child_or_404(model, ident, parent, parent_id: str | Callable[[object], int] = "estate_id"):
    """The row of ``model`` with primary key ``ident`` if it belongs to ``parent`` (an estate or a
    vote the page loaded with :func:`load_or_404`): its ``parent_id`` (an attribute, or a function
    of the row) is the parent's id. 404 otherwise, so that another estate's rows cannot be reached
    by changing the id in the address."""
    found = db.session.get(model, ident)
    owner = None if found is None else (parent_id(found) if callable(parent_id) else getattr(found, parent_id))
    if owner is None or owner != parent.id:
        abort(404)
    return found


def load_or_404(model, ident, action: str, user=None):
    """The row of ``model`` with primary key ``ident``, if the user may do ``action`` to it."""
    return permitted_or_404(db.session.get(model, ident), action, user)
