"""Use cases of a vote: drafting, notice, casting on three channels, counting, publishing."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..audit.services import created, record
from ..auth import services as auth_services
from ..auth.permissions import can
from ..estates import rules as roll_rules
from ..estates.models import Building, Estate, Ownership, Unit
from ..estates.services import current_roll_units
from ..core import clock, events
from ..extensions import db, remove_positioned
from ..files import services as files
from . import bundle, rules
from .models import (
    Ballot, BallotStatus, Candidate, Channel, ChoiceOption, ItemKind, NominationSource, Notification, PaperEntry,
    ProxyAuthority, Vote, VoteChainHead, VoteError, VoteFacts, VoteItem, VoteRollEntry, VoteState, VotingSettings,
)


# --- drafting --------------------------------------------------------------------------

def estate_buildings(estate: Estate) -> list[str]:
    return list(db.session.scalars(select(Building.label).where(Building.estate_id == estate.id)
                                   .order_by(Building.label)))


def settings(estate: Estate) -> VotingSettings:
    """The estate's voting settings (the defaults until the committee changes them)."""
    found = db.session.get(VotingSettings, estate.id)
    if found is None:
        found = VotingSettings(estate_id=estate.id, two_staff_paper=False)
        db.session.add(found)
    return found


def change_settings(estate: Estate, *, two_staff_paper: bool, actor) -> bool:
    """The committee changes how the estate's paper ballots are entered; votes created from now
    on take it, votes already created keep theirs. False, and nothing recorded, if unchanged."""
    current = settings(estate)
    if current.two_staff_paper == two_staff_paper:
        return False
    current.two_staff_paper = two_staff_paper
    db.session.flush()
    record("voting.settings_changed", estate_id=estate.id, object_type="estate", object_id=estate.id,
           details={"two_staff_paper": two_staff_paper}, actor=actor)
    return True


def _check_dates_and_scope(estate: Estate, opening_date: dt.date, last_day: dt.date,
                           buildings: Sequence[str] | None) -> None:
    if last_day < opening_date:
        raise VoteError("closes_before_opening")
    known = set(estate_buildings(estate))
    if buildings:
        unknown = [b for b in buildings if b not in known]
        if unknown:
            raise VoteError("unknown_building", building=unknown[0])


def create_vote(estate: Estate, *, title: str, description: str, opening_date: dt.date, last_day: dt.date,
                buildings: Sequence[str] | None, actor) -> Vote:
    """A draft vote; it takes the estate's current settings (the two-staff paper entry)."""
    _check_dates_and_scope(estate, opening_date, last_day, buildings)
    vote = Vote(uid=secrets.token_hex(8), estate_id=estate.id, title=title.strip(), description=description.strip(),
                buildings=sorted(buildings) if buildings else None, state=VoteState.DRAFT,
                # Stored in UTC: SQLite keeps only the wall time of an aware value and reads it back as UTC.
                opens_at=_opens_closes(opening_date, last_day)[0], closes_at=_opens_closes(opening_date, last_day)[1],
                two_staff_paper=settings(estate).two_staff_paper, created_by_id=actor.id, created_at=clock.now())
    return created(vote, "vote.drafted", object_type="vote",
                   details={"title": title, "two_staff_paper": vote.two_staff_paper})


def _opens_closes(opening_date: dt.date, last_day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(opening_date, dt.time(), clock.zone()).astimezone(dt.timezone.utc),
            rules.end_of_day(last_day, clock.zone()).astimezone(dt.timezone.utc))


def update_vote(vote: Vote, *, title: str, description: str, opening_date: dt.date, last_day: dt.date,
                buildings: Sequence[str] | None, actor) -> None:
    """Correct a draft (a draft whose dates were refused at the notice is moved, not stuck).
    Nothing can change once the notice is out (R-40)."""
    vote.require_draft()
    _check_dates_and_scope(vote.estate, opening_date, last_day, buildings)
    vote.title, vote.description = title.strip(), description.strip()
    vote.buildings = sorted(buildings) if buildings else None
    vote.opens_at, vote.closes_at = _opens_closes(opening_date, last_day)
    db.session.flush()
    record("vote.draft_changed", estate_id=vote.estate_id, object_type="vote", object_id=vote.id, actor=actor,
           details={"title": vote.title, "opening_date": opening_date.isoformat(), "last_day": last_day.isoformat(),
                    "buildings": vote.buildings})


def delete_draft(vote: Vote, actor) -> None:
    """A draft is deleted with its items; a vote whose notice is out stays for ever (R-40)."""
    vote.require_draft()
    record("vote.draft_deleted", estate_id=vote.estate_id, object_type="vote", object_id=vote.id, actor=actor,
           details={"title": vote.title, "items": len(vote.items)})
    db.session.delete(vote)
    db.session.flush()


def _item_rules(vote: Vote, kind: ItemKind, matter: int, seats: int, alternates: int,
                options: Sequence[str], by_election: bool = False, committee: tuple[int, int] = (0, 0)) -> int:
    """The checks of an item's fields (R-43 for elections); the matter it is filed under.
    A by-election fills vacant seats of the sitting committee (R-43): ``committee`` is (seats elected
    for the current term, members sitting now), as ``disclosure.services.committee_seats`` gives them
    (the caller asks disclosure, which itself reads voting's resolutions)."""
    if kind == ItemKind.ELECTION:
        matter = rules.ELECTION_MATTER
        area = roll_rules.count_roll(current_roll_units(vote.estate)).total_area
        refused = rules.seats_problem(seats, area, committee if by_election else None)
        if refused:
            raise VoteError(refused[0], **refused[1])
        if alternates < 0:
            raise VoteError("bad_alternates")
    if not 1 <= matter <= 9:
        raise VoteError("bad_matter")
    if kind == ItemKind.CHOICE and len([o for o in options if o.strip()]) < 2:
        raise VoteError("too_few_options")
    return matter


def update_item(item: VoteItem, *, matter: int, title: str, description: str = "", seats: int = 0,
                alternates: int = 0, options: Sequence[str] = (), actor=None,
                committee: tuple[int, int] = (0, 0)) -> None:
    """Correct an item of a draft; its kind stays (delete it and add another to change it)."""
    vote = item.vote
    vote.require_draft()
    matter = _item_rules(vote, item.kind, matter, seats, alternates, options, item.by_election, committee)
    item.matter, item.title, item.description = matter, title.strip(), description.strip()
    if item.kind == ItemKind.ELECTION:
        item.seats, item.alternates = seats, alternates
    if item.kind == ItemKind.CHOICE:
        item.options.clear()
        db.session.flush()
        for position, text in enumerate((o.strip() for o in options if o.strip()), start=1):
            item.options.append(ChoiceOption(position=position, title=text))
    db.session.flush()
    record("vote.item_changed", estate_id=vote.estate_id, object_type="vote", object_id=vote.id, actor=actor,
           details={"item": item.key, "matter": matter, "title": item.title})


def delete_item(item: VoteItem, actor=None) -> None:
    vote = item.vote
    vote.require_draft()
    key, title = item.key, item.title
    remove_positioned(vote.items, item)
    record("vote.item_deleted", estate_id=vote.estate_id, object_type="vote", object_id=vote.id, actor=actor,
           details={"item": key, "title": title})


def update_candidate(candidate: Candidate, *, name: str, nomination: NominationSource, statement: str,
                     pledge_signed: bool, photo: bytes | None = None, remove_photo: bool = False,
                     actor=None) -> None:
    """Correct a candidate of a draft; a new photo replaces the old one, or it is removed."""
    item = candidate.item
    item.vote.require_draft()
    if not pledge_signed:
        raise VoteError("pledge_missing")
    candidate.name, candidate.nomination, candidate.statement = name.strip(), nomination, statement.strip()
    if photo:
        candidate.photo_id = _stored_photo(photo)
    elif remove_photo:
        candidate.photo_id = None
    db.session.flush()
    record("vote.candidate_changed", estate_id=item.vote.estate_id, object_type="vote", object_id=item.vote_id,
           actor=actor, details={"item": item.key, "candidate": candidate.key, "nomination": nomination.value,
                                 "photo": candidate.photo_id is not None})


def delete_candidate(candidate: Candidate, actor=None) -> None:
    item = candidate.item
    item.vote.require_draft()
    key, name = candidate.key, candidate.name
    remove_positioned(item.candidates, candidate)
    record("vote.candidate_deleted", estate_id=item.vote.estate_id, object_type="vote", object_id=item.vote_id,
           actor=actor, details={"item": item.key, "candidate": key, "name": name})


def _next_position(vote: Vote) -> int:
    return max((item.position for item in vote.items), default=0) + 1


def add_item(vote: Vote, *, kind: ItemKind, matter: int, title: str, description: str = "", seats: int = 0,
             alternates: int = 0, options: Sequence[str] = (), by_election: bool = False,
             major_or_fee: bool = False, committee: tuple[int, int] = (0, 0)) -> VoteItem:
    """Items can be added only while drafting: after the notice, nothing else can be voted on (R-40)."""
    vote.require_draft()
    by_election = by_election and kind == ItemKind.ELECTION
    matter = _item_rules(vote, kind, matter, seats, alternates, options, by_election, committee)
    item = VoteItem(vote=vote, position=_next_position(vote), kind=kind, matter=matter, title=title.strip(),
                    description=description.strip(), seats=seats if kind == ItemKind.ELECTION else 0,
                    alternates=alternates if kind == ItemKind.ELECTION else 0, by_election=by_election,
                    major_or_fee=major_or_fee and matter in rules.MAJOR_OR_FEE_MATTERS)
    for position, text in enumerate((o.strip() for o in options if o.strip()), start=1):
        item.options.append(ChoiceOption(position=position, title=text))
    return created(item, "vote.item_added", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
                   details={"item": item.key, "kind": kind.value, "matter": matter, "by_election": item.by_election,
                            "major_or_fee": item.major_or_fee})


PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png")


def _stored_photo(photo: bytes | None) -> int | None:
    """A candidate's photo: a JPEG or PNG by its content, at most 2 MB; None for no photo."""
    if not photo:
        return None
    if len(photo) > PHOTO_MAX_BYTES:
        raise VoteError("photo_too_large")
    if files.detect_type(photo) not in PHOTO_TYPES:
        raise VoteError("photo_type")
    return files.store(photo, max_bytes=PHOTO_MAX_BYTES).id


def add_candidate(item: VoteItem, *, name: str, nomination: NominationSource, statement: str,
                  pledge_signed: bool, photo: bytes | None = None) -> Candidate:
    """R-44 and R-48: the nomination source is recorded; candidates sign a pledge of duty. The
    statement and the optional photo come from the nomination and are shown on the ballot."""
    item.vote.require_draft()
    if item.kind != ItemKind.ELECTION:
        raise VoteError("not_an_election")
    if not pledge_signed:
        raise VoteError("pledge_missing")
    candidate = Candidate(item=item, position=max((c.position for c in item.candidates), default=0) + 1,
                          name=name.strip(), nomination=nomination, statement=statement.strip(),
                          pledge_signed=True, photo_id=_stored_photo(photo))
    return created(candidate, "vote.candidate_added", estate_id=item.vote.estate_id, object_type="vote",
                   object_id=item.vote_id,
                   details={"item": item.key, "candidate": candidate.key, "nomination": nomination.value})


def publish_notice(vote: Vote, actor) -> None:
    """Publish the notice: the roll is frozen now (R-05) and voting may open only 15 full
    days later (R-40)."""
    events.vote_noticing.send(vote, estate_id=vote.estate_id)  # followers may refuse it
    at = clock.now()
    vote.require_draft()
    units = _units_in_scope(vote)
    problems = notice_problems(vote, units)
    if problems:
        reason, details = problems[0]
        raise VoteError(reason, **details)
    vote.mark_noticed(at)
    entries = []
    sources = _area_sources(vote.estate)
    casters = _casters_now(vote.estate)
    for unit in units:
        entries.append({"vote_id": vote.id, "unit": unit.label, "building": unit.building, "area": unit.area,
                        "area_source": sources[unit.label], "voter": roll_rules.voter_key(unit),
                        "holder_id": casters.get(unit.label)})
    if not entries:
        raise VoteError("empty_roll")
    db.session.execute(insert(VoteRollEntry), entries)
    # owners-vote/2: what is voted on is fixed now, before anyone votes, and the chain starts from it.
    vote.estate_name_at_notice = vote.estate.name
    vote.commitment = bundle.commitment(*committed(vote))
    db.session.add(VoteChainHead(vote_id=vote.id, seq=0, chain=bundle.chain_start(vote.uid, vote.commitment)))
    db.session.add(Notification(estate_id=vote.estate_id, title=vote.title, link=f"/votes/{vote.id}",
                                created_at=at))
    record("vote.noticed", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
           details={"units": len(entries), "opens_at": clock.aware(vote.opens_at).isoformat(),
                    "commitment": vote.commitment})
    events.vote_noticed.send(vote, estate_id=vote.estate_id)


def _units_in_scope(vote: Vote) -> list:
    """The units of the current roll the vote is for (R-04: perhaps some buildings only)."""
    wanted = set(vote.buildings) if vote.buildings else None
    return [unit for unit in current_roll_units(vote.estate) if wanted is None or unit.building in wanted]


def notice_problems(vote: Vote, units: Sequence | None = None) -> list[tuple[str, dict]]:
    """What would stop the draft's notice if it were published now (``rules.notice_problems``)."""
    items = [rules.DraftItem(kind=item.kind.value, title=item.title, seats=item.seats,
                             candidates=len(item.candidates), options=len(item.options)) for item in vote.items]
    units = _units_in_scope(vote) if units is None else units
    return rules.notice_problems(items, clock.today(), clock.local_date(clock.aware(vote.opens_at)), len(units))


@dataclass(frozen=True)
class NoticePreview:
    """What publishing the notice will do, and what stops it, for the confirmation page."""

    units: int
    voters: int
    area: int
    latest_notice: dt.date
    problems: list


def notice_preview(vote: Vote) -> NoticePreview:
    units = _units_in_scope(vote)
    return NoticePreview(units=len(units), voters=len({roll_rules.voter_key(unit) for unit in units}),
                         area=sum(unit.area for unit in units),
                         latest_notice=rules.latest_notice(clock.local_date(clock.aware(vote.opens_at))),
                         problems=notice_problems(vote, units))


def _area_sources(estate: Estate) -> dict[str, str]:
    return {label: source.value for label, source in db.session.execute(
        select(Unit.label, Unit.area_source).where(Unit.estate_id == estate.id))}


def _casters_now(estate: Estate) -> dict[str, int | None]:
    """Who casts each unit's ballot now (R-03, R-15): kept with the frozen roll as the holder at
    the notice (R-05)."""
    holders: dict[str, list[tuple[int, bool]]] = {}
    for label, owner_id, is_representative in db.session.execute(
            select(Unit.label, Ownership.owner_id, Ownership.is_representative)
            .join(Ownership, (Ownership.unit_id == Unit.id) & Ownership.valid_to.is_(None))
            .where(Unit.estate_id == estate.id)):
        holders.setdefault(label, []).append((owner_id, is_representative))
    return {label: _caster(held) for label, held in holders.items()}


def advance(vote: Vote) -> None:
    """Open or close on time; safe to call on every request and from `flask voting tick`."""
    if vote.advance(clock.now()):
        record("vote.state_changed", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
               details={"state": vote.state.value})
        signal = events.vote_opened if vote.state == VoteState.OPEN else events.vote_closed
        signal.send(vote, estate_id=vote.estate_id)
        db.session.commit()


def frozen_roll(vote: Vote) -> list[rules.RollEntry]:
    # Plain rows, not ORM objects: a roll has thousands of entries, and every count reads them all.
    return [rules.RollEntry(unit=unit, building=building, area=area, voter=voter, area_source=area_source)
            for unit, building, area, voter, area_source in db.session.execute(
                select(VoteRollEntry.unit, VoteRollEntry.building, VoteRollEntry.area, VoteRollEntry.voter,
                       VoteRollEntry.area_source).where(VoteRollEntry.vote_id == vote.id)
                .order_by(VoteRollEntry.unit))]


# Statements of the cast request, built once on the tables: SQLAlchemy then reuses their compiled
# form without building them, their cache keys or ORM loading states again on every request.
_ROLL, _BALLOT, _CHAIN_HEAD = VoteRollEntry.__table__, Ballot.__table__, VoteChainHead.__table__
_UNIT, _OWNERSHIP = Unit.__table__, Ownership.__table__
_VOTER_UNITS = (select(_ROLL.c.unit).where(_ROLL.c.vote_id == bindparam("vote_id"), _ROLL.c.voter == bindparam("voter"))
                .order_by(_ROLL.c.unit))
_HOLDERS = (select(_UNIT.c.label, _OWNERSHIP.c.owner_id, _OWNERSHIP.c.is_representative)
            .join(_OWNERSHIP, (_OWNERSHIP.c.unit_id == _UNIT.c.id) & _OWNERSHIP.c.valid_to.is_(None))
            .where(_UNIT.c.estate_id == bindparam("estate_id"),
                   _UNIT.c.id.in_(select(_OWNERSHIP.c.unit_id).where(_OWNERSHIP.c.owner_id == bindparam("owner_id"),
                                                                    _OWNERSHIP.c.valid_to.is_(None)))))
# A voter's frozen units, each with its holder at the notice and its current holders: one
# statement for mandate_for. Every join is on an index of the row before it (roll by vote and
# voter, unit by estate and label, ownership by unit), whatever the statistics.
_VOTER_HOLDINGS = (select(_ROLL.c.unit, _ROLL.c.holder_id, _OWNERSHIP.c.owner_id, _OWNERSHIP.c.is_representative)
                   .select_from(_ROLL.outerjoin(_UNIT, (_UNIT.c.estate_id == bindparam("estate_id"))
                                                & (_UNIT.c.label == _ROLL.c.unit))
                                .outerjoin(_OWNERSHIP, (_OWNERSHIP.c.unit_id == _UNIT.c.id) & _OWNERSHIP.c.valid_to.is_(None)))
                   .where(_ROLL.c.vote_id == bindparam("vote_id"), _ROLL.c.voter == bindparam("voter"))
                   .order_by(_ROLL.c.unit))
_LOCK_CHAIN = (update(_CHAIN_HEAD).where(_CHAIN_HEAD.c.vote_id == bindparam("head_of")).values(seq=_CHAIN_HEAD.c.seq)
               .returning(_CHAIN_HEAD.c.seq, _CHAIN_HEAD.c.chain))
_MOVE_CHAIN = (update(_CHAIN_HEAD).where(_CHAIN_HEAD.c.vote_id == bindparam("head_of"))
               .values(seq=bindparam("new_seq"), chain=bindparam("new_chain")))
_VOTE = select(Vote).where(Vote.id == bindparam("vote_id")).options(joinedload(Vote.estate))
# On PostgreSQL a ballot is added to its chain in one statement. The head is locked (its row lock
# serialises this vote's appends, and only them) and read as last committed; the ballot is
# inserted with the head's next seq and chain, computed by the database exactly as
# bundle.chain_next does: sha256_hex(previous chain + tracker) over the ASCII hex strings; and
# the head moves only if the ballot was inserted. The voter's unique constraint decides whether
# it is: it is an index lookup whatever the table's statistics, and it sees a ballot of
# the same voter committed while this statement waited for the head.
_HEAD = (select(_CHAIN_HEAD.c.seq, _CHAIN_HEAD.c.chain).where(_CHAIN_HEAD.c.vote_id == bindparam("new_vote_id"))
         .with_for_update().cte("head"))
# Parameters are named new_<column>: a parameter named as a column of the head would be SET too.
_GIVEN = [column for column in _BALLOT.c if column.name not in ("id", "seq", "chain")]
_INSERTED = (postgresql.insert(_BALLOT)
             .from_select([*(column.name for column in _GIVEN), "seq", "chain"],
                          select(*(bindparam(f"new_{column.name}", type_=column.type) for column in _GIVEN),
                                 _HEAD.c.seq + 1,
                                 func.encode(func.sha256(func.convert_to(_HEAD.c.chain.concat(
                                     bindparam("new_tracker", type_=_BALLOT.c.tracker.type)), "UTF8")), "hex")))
             .on_conflict_do_nothing(index_elements=["vote_id", "voter"])
             .returning(_BALLOT.c.id, _BALLOT.c.vote_id, _BALLOT.c.seq, _BALLOT.c.chain)
             .cte("inserted"))
_APPEND_IN_ONE = (update(_CHAIN_HEAD).where(_CHAIN_HEAD.c.vote_id == _INSERTED.c.vote_id)
                  .values(seq=_INSERTED.c.seq, chain=_INSERTED.c.chain)
                  .returning(_INSERTED.c.id))


def voter_units(vote: Vote | VoteFacts, voter: str) -> list[str]:
    return list(db.session.scalars(_VOTER_UNITS, {"vote_id": vote.id, "voter": voter}))


def voter_for_unit(vote: Vote, unit: str) -> str | None:
    return db.session.scalar(select(VoteRollEntry.voter).where(
        VoteRollEntry.vote_id == vote.id, VoteRollEntry.unit == unit.strip()))


# --- who may cast ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Mandate:
    """A voter the user may cast for: as the voting representative, or as a proxy."""

    voter: str
    units: tuple[str, ...]
    channel: Channel
    proxy: ProxyAuthority | None = None


def mandates(user, vote: Vote) -> list[Mandate]:
    """R-34: the account must belong to whoever holds the voter key's ballot right today (R-05:
    the holder at the notice, or the one new holder of all its units); R-33: or to a proxy with a
    recorded authority. The voter key stays the one frozen at notice (R-05)."""
    found: dict[str, Mandate] = {}
    if user.owner is not None and user.owner.estate_id == vote.estate_id:
        for voter in sorted(_keys_near(vote, user.owner_id)):
            units, holders = _ballot_right(vote, voter)
            if user.owner_id in holders:
                found[voter] = Mandate(voter, units, Channel.ONLINE)
    today = clock.today()
    for proxy in db.session.scalars(select(ProxyAuthority).where(
            ProxyAuthority.vote_id == vote.id, ProxyAuthority.proxy_user_id == user.id,
            ProxyAuthority.revoked_at.is_(None)).order_by(ProxyAuthority.id)):
        if proxy.valid_from <= today <= proxy.valid_until and proxy.voter not in found:
            found[proxy.voter] = Mandate(proxy.voter, tuple(voter_units(vote, proxy.voter)), Channel.PROXY, proxy)
    return list(found.values())


def mandate_for(user, vote: Vote | VoteFacts, voter: str | None) -> Mandate | None:
    """The one mandate of ``mandates(user, vote)`` for ``voter``, or ``None``, read with a few
    index lookups instead of listing them all: every cast request needs exactly this."""
    if not voter:
        return None
    units, holders = _ballot_right(vote, voter)
    if not units:
        return None
    if user.owner is not None and user.owner.estate_id == vote.estate_id and user.owner_id in holders:
        return Mandate(voter, units, Channel.ONLINE)
    today = clock.today()
    for proxy in db.session.scalars(select(ProxyAuthority).where(
            ProxyAuthority.vote_id == vote.id, ProxyAuthority.proxy_user_id == user.id,
            ProxyAuthority.voter == voter, ProxyAuthority.revoked_at.is_(None)).order_by(ProxyAuthority.id)):
        if proxy.valid_from <= today <= proxy.valid_until:
            return Mandate(voter, units, Channel.PROXY, proxy)
    return None


def _ballot_right(vote: Vote | VoteFacts, voter: str) -> tuple[tuple[str, ...], frozenset[int]]:
    """The voter key's frozen units, and the owners who may cast its ballot today (R-05)."""
    holders_now: dict[str, list[tuple[int, bool]]] = {}
    at_notice: set[int | None] = set()
    for label, holder_id, owner_id, is_representative in db.session.execute(_VOTER_HOLDINGS, {
            "vote_id": vote.id, "voter": voter, "estate_id": vote.estate_id}):
        held = holders_now.setdefault(label, [])
        if owner_id is not None:
            held.append((owner_id, is_representative))
        at_notice.add(holder_id if holder_id is not None else _owner_of_key(voter))
    casters = [_caster(held) if held else None for held in holders_now.values()]
    return tuple(holders_now), rules.ballot_right_holders(casters, at_notice)


def _owner_of_key(voter: str) -> int | None:
    """The owner a voter key names when one owner held its units alone (``o<owner id>``, as
    ``estates.services.current_roll_units`` writes it): the holder at the notice of rolls frozen
    before it was kept with them."""
    return int(voter[1:]) if voter[:1] == "o" and voter[1:].isdigit() else None


def _keys_near(vote: Vote, owner_id: int) -> set[str]:
    """The voter keys whose ballot this owner might hold: those of the units they cast for
    today, and those they held at the notice."""
    mine = _units_cast_by(vote, owner_id)
    return set(db.session.scalars(union(
        select(VoteRollEntry.voter).where(VoteRollEntry.vote_id == vote.id, VoteRollEntry.unit.in_(mine)),
        select(VoteRollEntry.voter).where(VoteRollEntry.vote_id == vote.id, VoteRollEntry.holder_id == owner_id),
        select(VoteRollEntry.voter).where(VoteRollEntry.vote_id == vote.id, VoteRollEntry.voter == f"o{owner_id}"))))


def _units_cast_by(vote: Vote, owner_id: int) -> set[str]:
    """The labels of the units whose ballot this owner casts today: held alone, or co-held as the
    representative. Reads only the units the owner holds (with all their current co-owners), not
    the estate's whole roll, so a cast request costs the same in a small estate and a large one."""
    holders: dict[str, list[tuple[int, bool]]] = {}
    for label, holder, is_representative in db.session.execute(
            _HOLDERS, {"estate_id": vote.estate_id, "owner_id": owner_id}):
        holders.setdefault(label, []).append((holder, is_representative))
    return {label for label, held in holders.items() if _caster(held) == owner_id}


def _caster(holders: Sequence[tuple[int, bool]]) -> int | None:
    """Who casts a unit's ballot: its only current owner, or the co-owners' representative (R-15)."""
    if len({owner for owner, _ in holders}) == 1:
        return holders[0][0]
    return next((owner for owner, is_representative in holders if is_representative), None)


def existing_ballot(vote: Vote | VoteFacts, voter: str) -> Ballot | None:
    return db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter == voter))


# --- choices ---------------------------------------------------------------------------------

def read_choices(vote: Vote | VoteFacts, data: Mapping[str, Sequence[str]], *, allowed: Sequence[str] | None = None,
                 strict: bool = True) -> dict:
    """Turn submitted fields (``data``: ``item-i1`` etc. to the values sent, as
    ``request.form.to_dict(flat=False)`` gives them) into the ballot's choices, keyed by item key.

    ``strict`` (online) refuses more names than seats; paper ballots are entered as marked
    and such an item is then spoiled (it approves nobody).
    """
    choices: dict = {}
    for item in ballot_items(vote):
        name = f"item-{item.id}"
        if allowed is not None and item.id not in allowed:
            choices[item.id] = None
            continue
        if item.kind == ItemKind.RESOLUTION:
            value = _first(data, name)
            if value not in (None, *rules.RESOLUTION_CHOICES):
                raise VoteError("bad_choice", item=item.title)
            choices[item.id] = value
        elif item.kind == ItemKind.ELECTION:
            picked = set(data.get(name, ()))
            if not picked <= set(item.candidates):
                raise VoteError("bad_choice", item=item.title)
            if strict and len(picked) > item.seats:
                raise VoteError("too_many_candidates", item=item.title, seats=item.seats)
            choices[item.id] = [key for key in item.candidates if key in picked] or None
        else:
            value = _first(data, name)
            if value is not None and value not in item.options:
                raise VoteError("bad_choice", item=item.title)
            choices[item.id] = value
    return choices


def _first(data: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = data.get(name)
    return (values[0] if values else None) or None


# Items of votes past their notice, per process: they can no longer change (R-40, ``Vote.require_draft``).
# Keyed by id and the vote's random uid, so that another vote given a reused id is another key.
_NOTICED_ITEMS: dict[tuple[int, str], tuple[rules.Item, ...]] = {}
_NOTICED_ITEMS_KEPT = 256


def ballot_items(vote: Vote | VoteFacts) -> tuple[rules.Item, ...]:
    """The items a ballot answers, in order; read from the database once per process and
    vote after the notice, since every cast request needs them."""
    if vote.state == VoteState.DRAFT:
        return tuple(rule_items(vote))
    key = (vote.id, vote.uid)
    items = _NOTICED_ITEMS.get(key)
    if items is None:
        if len(_NOTICED_ITEMS) >= _NOTICED_ITEMS_KEPT:
            _NOTICED_ITEMS.clear()
        items = _NOTICED_ITEMS[key] = tuple(rule_items(vote if isinstance(vote, Vote) else db.session.get(Vote, vote.id)))
    return items


# --- recording ballots ---------------------------------------------------------------------------

# On SQLite (a single writer at a time) a ballot is added in three statements: the head is
# locked and read, the ballot written unless the voter has one (the constraint decides, R-30),
# and the head moved.
_INSERT_BALLOT = (sqlite.insert(_BALLOT).on_conflict_do_nothing(index_elements=["vote_id", "voter"])
                  .returning(_BALLOT.c.id))


def _lock_chain(vote: Vote | VoteFacts) -> tuple[int, str]:
    """Serialise appends to this vote's chain only, and read its head: a no-op UPDATE takes
    SQLite's write lock, held until the transaction ends."""
    seq, chain = db.session.execute(_LOCK_CHAIN, {"head_of": vote.id}).one()
    return seq, chain


def received_text(moment: dt.datetime) -> str:
    return moment.astimezone(clock.zone()).isoformat(timespec="seconds")


def _append(vote: Vote | VoteFacts, voter: str, channel: Channel, received_at: dt.datetime, status: BallotStatus,
            choices: dict, **links) -> bool:
    """Add a ballot to the vote's chain; False, and nothing written, if the voter already has one
    (R-30). Everything that does not need the chain's head is done before its lock is taken.
    The ballot is not built as an object here: ``existing_ballot`` reads it for whoever needs it."""
    received_at = received_at.replace(microsecond=0)
    text = received_text(received_at)
    nonce = secrets.token_hex(16)
    tracker = bundle.tracker(vote.uid, voter, channel.value, text, status.value, choices, nonce)
    late = received_at >= clock.aware(vote.closes_at)
    values = {"vote_id": vote.id, "voter": voter, "channel": channel, "received_at": received_at,
              "received_text": text, "status": status, "late": late, "choices": choices, "nonce": nonce,
              "tracker": tracker, "cast_by_id": None, "proxy_id": None, "paper_entry_id": None, "scan_id": None,
              **links}
    if db.engine.dialect.name == "postgresql":
        # No row back: the voter has a ballot already, perhaps committed by another request while
        # this one waited for the head; nothing was written and the head did not move.
        if db.session.execute(_APPEND_IN_ONE, {f"new_{name}": value for name, value in values.items()}).first() is None:
            return False
    else:
        seq, previous = _lock_chain(vote)
        values.update(seq=seq + 1, chain=bundle.chain_next(previous, tracker))
        if db.session.scalar(_INSERT_BALLOT, values) is None:  # the voter has a ballot already
            return False
        db.session.execute(_MOVE_CHAIN, {"head_of": vote.id, "new_seq": values["seq"], "new_chain": values["chain"]})
    # The table was written directly: a head object read earlier in this session is stale now.
    stale = db.session.identity_map.get(db.session.identity_key(VoteChainHead, (vote.id,)))
    if stale is not None:
        db.session.expire(stale)
    return True


def cast_online(vote: Vote | VoteFacts, user, mandate: Mandate, choices: dict) -> bool:
    """An online or proxy ballot, received when the server records it (CC 137, R-31). After the
    deadline and before counting it is still stored, marked late, and not counted. False if the
    voter has a ballot already (R-30): nothing is written, and ``existing_ballot`` finds it."""
    if vote.state not in (VoteState.OPEN, VoteState.CLOSED):
        raise VoteError("not_open")
    if mandate.proxy is not None:
        choices = {key: (value if key in mandate.proxy.items else None) for key, value in choices.items()}
    return _append(vote, mandate.voter, mandate.channel, clock.now(), BallotStatus.VALID, choices, cast_by_id=user.id,
                   proxy_id=mandate.proxy.id if mandate.proxy else None)


def record_paper(vote: Vote, actor, *, unit: str, received_at: dt.datetime, signed: bool, signer_matches: bool,
                 choices: dict, scan: bytes) -> tuple[PaperEntry, Ballot | None]:
    """Staff enter a paper ballot with its scan (R-31, R-32). Unsigned or unmatched ballots are
    recorded as invalid. With the two-staff setting it waits for a second person."""
    if not vote.accepts_paper:
        raise VoteError("not_open")
    voter = voter_for_unit(vote, unit)
    if voter is None:
        raise VoteError("unknown_unit", unit=unit)
    if existing_ballot(vote, voter) is not None:
        record("ballot.refused_second", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
               details={"voter": voter, "channel": "paper"})
        db.session.commit()
        raise VoteError("already_voted", unit=unit)
    received_at = clock.aware(received_at).astimezone(dt.timezone.utc)  # stored in UTC, as the vote's times
    if received_at > clock.now() + dt.timedelta(minutes=5):
        raise VoteError("received_in_future")
    stored = files.store(scan)
    entry = PaperEntry(vote_id=vote.id, voter=voter, received_at=received_at.replace(microsecond=0), signed=signed,
                       signer_matches=signer_matches, choices=choices, scan_id=stored.id, entered_by_id=actor.id,
                       entered_at=clock.now())
    created(entry, "ballot.paper_entered", estate_id=vote.estate_id, object_type="paper_entry",
            details={"voter": voter, "needs_second_staff": vote.two_staff_paper})
    if vote.two_staff_paper:
        return entry, None
    entry.confirmed_at = entry.entered_at  # one staff member suffices in this vote
    return entry, _paper_ballot(vote, entry)


def confirm_paper(vote: Vote, entry: PaperEntry, actor) -> Ballot:
    if entry.confirmed_at is not None or entry.rejected_at is not None:
        raise VoteError("already_decided")
    if entry.entered_by_id == actor.id:
        raise VoteError("same_staff")
    entry.confirmed_by_id, entry.confirmed_at = actor.id, clock.now()
    record("ballot.paper_confirmed", estate_id=vote.estate_id, object_type="paper_entry", object_id=entry.id)
    return _paper_ballot(vote, entry)


def reject_paper(vote: Vote, entry: PaperEntry, actor) -> None:
    if entry.confirmed_at is not None or entry.rejected_at is not None:
        raise VoteError("already_decided")
    entry.rejected_at = clock.now()
    record("ballot.paper_rejected", estate_id=vote.estate_id, object_type="paper_entry", object_id=entry.id)


def _paper_ballot(vote: Vote, entry: PaperEntry) -> Ballot:
    status = BallotStatus.VALID if entry.signed and entry.signer_matches else BallotStatus.INVALID
    if not _append(vote, entry.voter, Channel.PAPER, clock.aware(entry.received_at), status, entry.choices,
                   cast_by_id=entry.entered_by_id, paper_entry_id=entry.id, scan_id=entry.scan_id):
        raise VoteError("already_voted", unit=entry.voter)
    return existing_ballot(vote, entry.voter)


def pending_paper(vote: Vote) -> Sequence[PaperEntry]:
    return db.session.scalars(select(PaperEntry).where(
        PaperEntry.vote_id == vote.id, PaperEntry.confirmed_at.is_(None), PaperEntry.rejected_at.is_(None))
        .order_by(PaperEntry.id)).all()


def record_proxy(vote: Vote, actor, *, unit: str, proxy_user, items: Sequence[str], scope: str,
                 valid_from: dt.date, valid_until: dt.date, document: bytes) -> ProxyAuthority:
    """R-33: the written authority is kept with the ballot; at most 3 proxies per person per vote."""
    if vote.state not in (VoteState.NOTICED, VoteState.OPEN):
        raise VoteError("not_open")
    voter = voter_for_unit(vote, unit)
    if voter is None:
        raise VoteError("unknown_unit", unit=unit)
    if valid_until < valid_from:
        raise VoteError("bad_term")
    if not items:
        raise VoteError("no_matters")
    held = db.session.scalar(select(func.count()).select_from(ProxyAuthority).where(
        ProxyAuthority.vote_id == vote.id, ProxyAuthority.proxy_user_id == proxy_user.id,
        ProxyAuthority.revoked_at.is_(None)))
    if rules.proxy_limit_reached(held):
        raise VoteError("proxy_limit")
    if db.session.scalar(select(ProxyAuthority.id).where(
            ProxyAuthority.vote_id == vote.id, ProxyAuthority.voter == voter, ProxyAuthority.revoked_at.is_(None))):
        raise VoteError("proxy_exists", unit=unit)
    stored = files.store(document)
    proxy = ProxyAuthority(vote_id=vote.id, voter=voter, proxy_user_id=proxy_user.id, items=list(items),
                           scope=scope.strip(), valid_from=valid_from, valid_until=valid_until,
                           document_id=stored.id, recorded_by_id=actor.id, recorded_at=clock.now())
    return created(proxy, "proxy.recorded", estate_id=vote.estate_id, object_type="proxy_authority",
                   details={"voter": voter, "proxy_user": proxy_user.id, "items": list(items)})


# --- counting and publishing -----------------------------------------------------------------------

def ballots_in_order(vote: Vote) -> Sequence[Ballot]:
    return db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id).order_by(Ballot.seq)).all()


RESET_WATCH = dt.timedelta(hours=24)


def ballots_after_reset(ballots: Sequence[Ballot]) -> dict[int, dt.datetime]:
    """Ballots cast (or entered) by an account within 24 hours after a staff-assisted reset of it,
    by id, with the reset's time: the supervisors check them (issue 12; a reset is when a
    credential passes through someone else's hands)."""
    resets = auth_services.reset_times(b.cast_by_id for b in ballots if b.cast_by_id is not None)
    marked = {}
    for ballot in ballots:
        received = clock.aware(ballot.received_at)
        for reset_at in resets.get(ballot.cast_by_id, ()):
            if reset_at <= received < reset_at + RESET_WATCH:
                marked[ballot.id] = reset_at
    return marked


def rule_items(vote: Vote) -> list[rules.Item]:
    return [rules.Item(id=item.key, kind=item.kind.value, matter=item.matter, title=item.title, seats=item.seats,
                       alternates=item.alternates, candidates=tuple(c.key for c in item.candidates),
                       options=tuple(o.key for o in item.options)) for item in vote.items]


def rule_ballots(ballots: Sequence[Ballot]) -> list[rules.Ballot]:
    return [rules.Ballot(voter=b.voter, received_at=clock.aware(b.received_at), status=b.status.value, choices=b.choices,
                         channel=b.channel.value) for b in ballots]


def counting_ballots(vote: Vote) -> list[rules.Ballot]:
    """The vote's ballots in recording order, as the counting rules take them: read as plain rows,
    which for thousands of ballots is several times cheaper than ORM objects (and their garbage)."""
    return [rules.Ballot(voter=voter, received_at=clock.aware(received_at), status=status.value, choices=choices,
                         channel=channel.value)
            for voter, received_at, status, choices, channel in db.session.execute(
                select(Ballot.voter, Ballot.received_at, Ballot.status, Ballot.choices, Ballot.channel)
                .where(Ballot.vote_id == vote.id).order_by(Ballot.seq))]


@dataclass(frozen=True)
class CountPreview:
    ballots: int
    late: int
    invalid: int
    pending_paper: int
    recount: bool


def count_preview(vote: Vote) -> CountPreview:
    """What counting will take in, for the confirmation page: totals only, no choice."""
    statuses = db.session.execute(select(Ballot.status, Ballot.late).where(Ballot.vote_id == vote.id)).all()
    return CountPreview(ballots=len(statuses), late=sum(1 for _, late in statuses if late),
                        invalid=sum(1 for status, _ in statuses if status == BallotStatus.INVALID),
                        pending_paper=len(pending_paper(vote)), recount=vote.state == VoteState.COUNTED)


def participation_so_far(vote: Vote) -> rules.Participation:
    """R-10 while voting is open: the area and headcount of the ballots recorded so far against
    2/3 of the frozen roll; totals only (no choice is read, nobody is named)."""
    ballots = [rules.Ballot(voter=voter, received_at=clock.aware(received_at), status=status.value)
               for voter, received_at, status in db.session.execute(
                   select(Ballot.voter, Ballot.received_at, Ballot.status).where(Ballot.vote_id == vote.id))]
    return rules.participation_so_far(frozen_roll(vote), ballots, clock.aware(vote.closes_at))


def count(vote: Vote, actor) -> dict:
    """Count from the frozen roll and the recorded ballots (R-10 to R-22)."""
    if vote.state not in (VoteState.CLOSED, VoteState.COUNTED):
        raise VoteError("not_closed")
    if pending_paper(vote):
        raise VoteError("paper_pending")
    result = rules.tally(frozen_roll(vote), rule_items(vote), counting_ballots(vote), clock.aware(vote.closes_at))
    head = db.session.get(VoteChainHead, vote.id)
    vote.mark_counted(clock.now(), result, head.chain)
    record("vote.counted", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
           details={"ballots": result["ballots"], "chain": head.chain})
    return result


def breakdown(vote: Vote) -> list[dict]:
    return rules.building_breakdown(frozen_roll(vote), rule_items(vote), counting_ballots(vote),
                                    clock.aware(vote.closes_at))


def publish_result(vote: Vote, actor) -> None:
    """Publish the counted result to the estate (R-42: within 3 days of counting)."""
    vote.mark_published(clock.now())
    db.session.add(Notification(estate_id=vote.estate_id, title=vote.title, link=f"/votes/{vote.id}/result",
                                created_at=clock.now()))
    record("vote.published", estate_id=vote.estate_id, object_type="vote", object_id=vote.id,
           details={"chain": vote.final_chain})
    events.vote_result_published.send(vote, estate_id=vote.estate_id)


def posting_overdue(vote: Vote) -> bool:
    if vote.state != VoteState.COUNTED or vote.counted_at is None:
        return False
    return clock.today() > rules.result_posting_due(clock.local_date(clock.aware(vote.counted_at)))


def _bundle_time(moment: dt.datetime) -> str:
    return clock.aware(moment).astimezone(clock.zone()).isoformat(timespec="seconds")


def _bundle_header(vote: Vote, second: bool) -> dict:
    header = {"id": vote.uid, "estate": vote.estate.name, "title": vote.title, "buildings": vote.buildings,
              "notice_at": _bundle_time(vote.notice_at), "opens_at": _bundle_time(vote.opens_at),
              "closes_at": _bundle_time(vote.closes_at)}
    if second:  # the estate's name as the notice gave it: the commitment covers it
        header.update(estate=vote.estate_name_at_notice, description=vote.description)
    return header


def _bundle_items(vote: Vote, second: bool) -> list[dict]:
    items = []
    for item in vote.items:
        entry = {"id": item.key, "kind": item.kind.value, "matter": item.matter, "title": item.title}
        if second:
            entry["description"] = item.description
        if item.kind == ItemKind.ELECTION:
            entry.update(seats=item.seats, alternates=item.alternates,
                         candidates=[{"id": c.key, "name": c.name, **({"nomination": c.nomination.value,
                                                                      "statement": c.statement} if second else {})}
                                     for c in item.candidates])
        elif item.kind == ItemKind.CHOICE:
            entry["options"] = [{"id": o.key, "title": o.title} for o in item.options]
        items.append(entry)
    return items


def _bundle_roll(vote: Vote) -> list[dict]:
    # Sorted here, not by the database, whose collation could order labels otherwise.
    return [{"unit": e.unit, "building": e.building, "area": rules.format_area(e.area), "area_source": e.area_source,
             "voter": e.voter} for e in sorted(frozen_roll(vote), key=lambda entry: entry.unit)]


def committed(vote: Vote) -> tuple[dict, list, list]:
    """What an owners-vote/2 vote commits to when its notice is published: its header, its items
    with their options and candidates, and its frozen roll, exactly as its bundle shows them."""
    return _bundle_header(vote, True), _bundle_items(vote, True), _bundle_roll(vote)


BUNDLE_PROGRESS_EVERY = 200  # ballots between two progress reports of a bundle


def audit_bundle(vote: Vote, progress: Callable[[int, int], None] | None = None) -> dict:
    """The whole vote as one JSON document: owners-vote/2 for votes whose notice committed to what
    is voted on, owners-vote/1, as it always was, for those noticed before. ``progress(done, total)``
    hears of the ballots as they are read (every ``BUNDLE_PROGRESS_EVERY`` and at the end)."""
    second = vote.commitment is not None
    total = ballot_count(vote)
    ballots = []
    for voter, channel, received_text, status, choices, nonce, tracker, chain in db.session.execute(
            select(Ballot.voter, Ballot.channel, Ballot.received_text, Ballot.status, Ballot.choices,
                   Ballot.nonce, Ballot.tracker, Ballot.chain)
            .where(Ballot.vote_id == vote.id).order_by(Ballot.seq)):
        ballots.append({"voter": voter, "channel": channel.value, "received_at": received_text,
                        "status": status.value, "choices": choices, "nonce": nonce, "tracker": tracker,
                        "chain": chain})
        if progress is not None and len(ballots) % BUNDLE_PROGRESS_EVERY == 0:
            progress(len(ballots), total)
    if progress is not None:
        progress(len(ballots), total)
    data = {
        "format": vote.bundle_format,
        "vote": _bundle_header(vote, second),
        "roll": _bundle_roll(vote),
        "items": _bundle_items(vote, second),
        "ballots": ballots,
        "result": vote.result,
    }
    if second:
        data["commitment"] = vote.commitment
    return data


def may_read_result(user, vote: Vote) -> bool:
    """Who may read a counted result and its documents: everyone who may view the estate's votes
    once it is published; before, the committee, supervisors and auditors."""
    if vote.result is None or not can(user, "vote.view", vote):
        return False
    insider = can(user, "vote.manage", vote) or can(user, "vote.inspect", vote)
    return vote.state == VoteState.PUBLISHED or insider


def ballot_count(vote: Vote) -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) or 0


def units_of(estate_id: int) -> int:
    """How many units the estate has: above ``JOB_THRESHOLD_UNITS`` its vote's documents are
    printed by a job."""
    return db.session.scalar(select(func.count()).select_from(Unit).where(Unit.estate_id == estate_id)) or 0


def chain_start(vote: Vote) -> str:
    """The value the vote's chain starts from (owners-vote/2: from its commitment)."""
    return bundle.chain_start(vote.uid, vote.commitment)


def passed_items(estate: Estate, *, matter: int | None = None,
                 kinds: Sequence[ItemKind] = (ItemKind.RESOLUTION, ItemKind.CHOICE)) -> list[tuple[int, str, str, str]]:
    """(vote id, item key, vote title, item title) of every item of a published vote of the
    estate that passed: what other packages may cite as their authority (R-53, adopted documents)."""
    found = []
    for vote in db.session.scalars(select(Vote).where(Vote.estate_id == estate.id, Vote.state == VoteState.PUBLISHED)
                                   .order_by(Vote.id)):
        outcomes = (vote.result or {}).get("items", {})
        for item in vote.items:
            if item.kind in kinds and (matter is None or item.matter == matter) and \
                    outcomes.get(item.key, {}).get("outcome") == "passed":
                found.append((vote.id, item.key, vote.title, item.title))
    return found


def votes_of(estate: Estate) -> Sequence[Vote]:
    return db.session.scalars(select(Vote).where(Vote.estate_id == estate.id).order_by(Vote.created_at.desc())).all()


_VOTE_FACTS = select(*(Vote.__table__.c[name] for name in ("id", "uid", "estate_id", "state", "opens_at", "closes_at"))
                     ).where(Vote.__table__.c.id == bindparam("vote_id"))


def vote_facts(vote_id: int) -> VoteFacts | None:
    """The vote's columns a cast reads, as a plain row (see ``VoteFacts``)."""
    row = db.session.execute(_VOTE_FACTS, {"vote_id": vote_id}).first()
    return VoteFacts(*row) if row is not None else None


def get_vote(vote_id: int) -> Vote | None:
    # With its estate: every page of a vote checks permissions on it.
    return db.session.scalar(_VOTE, {"vote_id": vote_id})


def notifications(estate_id: int, limit: int = 5) -> Sequence[Notification]:
    return db.session.scalars(select(Notification).where(Notification.estate_id == estate_id)
                              .order_by(Notification.created_at.desc()).limit(limit)).all()
