"""Votes, their items, the frozen roll, ballots and proxy authorities."""
from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import clock
from ..core.refusals import Refusal
from ..estates.models import Estate
from ..extensions import db, Keyed, OfEstate, Positioned, string_enum
from . import bundle


class VoteState(enum.StrEnum):
    DRAFT = "draft"
    NOTICED = "noticed"
    OPEN = "open"
    CLOSED = "closed"
    COUNTED = "counted"
    PUBLISHED = "published"


class ItemKind(enum.StrEnum):
    RESOLUTION = "resolution"
    ELECTION = "election"
    CHOICE = "choice"


class Channel(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"
    PROXY = "proxy"


class BallotStatus(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"


class NominationSource(enum.StrEnum):
    """R-48: where a candidate came from."""

    SELF = "self"
    JOINT = "joint"
    COMMUNITY = "community"


class VoteError(Refusal):
    """An illegal move of a vote; ``reason`` selects the message (voting/messages.py)."""


def state_on_time(state: VoteState, opens_at: dt.datetime, closes_at: dt.datetime, now: dt.datetime) -> VoteState:
    """The state a vote in ``state`` reaches by ``now``: it opens at the opening time and closes
    at the deadline (R-40); other states change only by someone's act."""
    if state == VoteState.NOTICED and now >= clock.aware(opens_at):
        state = VoteState.OPEN
    if state == VoteState.OPEN and now >= clock.aware(closes_at):
        state = VoteState.CLOSED
    return state


@dataclass(frozen=True)
class VoteFacts:
    """The columns of a vote that recording an online ballot reads, as a plain row: every cast
    request needs them and nothing else of the vote (``voting.services.vote_facts``)."""

    id: int
    uid: str
    estate_id: int
    state: VoteState
    opens_at: dt.datetime
    closes_at: dt.datetime

    @classmethod
    def of(cls, vote: Vote) -> VoteFacts:
        return cls(vote.id, vote.uid, vote.estate_id, vote.state, vote.opens_at, vote.closes_at)

    def due_to_change(self, now: dt.datetime) -> bool:
        return state_on_time(self.state, self.opens_at, self.closes_at, now) != self.state


class Vote(OfEstate, db.Model):
    __tablename__ = "vote"

    uid: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    buildings: Mapped[list | None] = mapped_column(JSON, nullable=True)  # R-04; None: the whole estate
    state: Mapped[VoteState] = mapped_column(string_enum(VoteState, "vote_state"), default=VoteState.DRAFT)
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    notice_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    counted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    two_staff_paper: Mapped[bool] = mapped_column(Boolean, default=False)  # copied from VotingSettings at creation
    # owners-vote/2: the hash of what is voted on, fixed with the notice; the chain starts from it.
    # None for votes noticed before it existed, which keep owners-vote/1.
    commitment: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # The estate's name as the notice gave it, which the commitment covers.
    estate_name_at_notice: Mapped[str | None] = mapped_column(String(100), nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    final_chain: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    estate: Mapped[Estate] = relationship()
    items: Mapped[list[VoteItem]] = relationship(back_populates="vote", order_by="VoteItem.position",
                                                 cascade="all, delete-orphan")

    def _require(self, *states: VoteState) -> None:
        if self.state not in states:
            raise VoteError("wrong_state", state=self.state.value)

    def require_draft(self) -> None:
        self._require(VoteState.DRAFT)

    def mark_noticed(self, now: dt.datetime) -> None:
        self._require(VoteState.DRAFT)
        if not self.items:
            raise VoteError("no_items")
        self.state = VoteState.NOTICED
        self.notice_at = now

    def advance(self, now: dt.datetime) -> bool:
        """Open at the opening time and close at the deadline; True if the state changed.
        Whether a ballot counts depends only on its received time, never on this."""
        state = state_on_time(self.state, self.opens_at, self.closes_at, now)
        if state == self.state:
            return False
        self.state = state
        return True

    def mark_counted(self, now: dt.datetime, result: dict, final_chain: str) -> None:
        self._require(VoteState.CLOSED, VoteState.COUNTED)
        self.state, self.counted_at, self.result, self.final_chain = VoteState.COUNTED, now, result, final_chain

    def mark_published(self, now: dt.datetime) -> None:
        self._require(VoteState.COUNTED)
        self.state, self.published_at = VoteState.PUBLISHED, now

    @property
    def bundle_format(self) -> str:
        return bundle.FORMAT_2 if self.commitment else bundle.FORMAT_1

    @property
    def closed(self) -> bool:
        """Past its deadline: from now on individual ballots may be seen by those who audit."""
        return self.state in (VoteState.CLOSED, VoteState.COUNTED, VoteState.PUBLISHED)

    @property
    def accepts_ballots(self) -> bool:
        return self.state == VoteState.OPEN

    @property
    def accepts_paper(self) -> bool:
        """Paper ballots received before the deadline may still be entered until counting."""
        return self.state in (VoteState.OPEN, VoteState.CLOSED)


class VoteItem(Positioned, Keyed, db.Model):
    __tablename__ = "vote_item"
    key_letter = "i"
    __table_args__ = (UniqueConstraint("vote_id", "position"),)

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"), index=True)
    kind: Mapped[ItemKind] = mapped_column(string_enum(ItemKind, "item_kind"))
    matter: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    seats: Mapped[int] = mapped_column(Integer, default=0)
    alternates: Mapped[int] = mapped_column(Integer, default=0)
    # an election of this item fills vacant seats (增补) instead of electing a whole committee.
    by_election: Mapped[bool] = mapped_column(Boolean, default=False)
    # a matter-5 or matter-9 item that is major works or changes a fee (refused during a re-election).
    major_or_fee: Mapped[bool] = mapped_column(Boolean, default=False)

    vote: Mapped[Vote] = relationship(back_populates="items")
    candidates: Mapped[list[Candidate]] = relationship(back_populates="item", order_by="Candidate.position",
                                                       cascade="all, delete-orphan")
    options: Mapped[list[ChoiceOption]] = relationship(back_populates="item", order_by="ChoiceOption.position",
                                                       cascade="all, delete-orphan")


class Candidate(Positioned, Keyed, db.Model):
    __tablename__ = "vote_candidate"
    key_letter = "c"

    item_id: Mapped[int] = mapped_column(ForeignKey("vote_item.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    nomination: Mapped[NominationSource] = mapped_column(string_enum(NominationSource, "nomination_source"))
    statement: Mapped[str] = mapped_column(Text, default="")  # R-44 qualification statement
    pledge_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    # An optional photo from the nomination, shown on the ballot (an image checked by content).
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)

    item: Mapped[VoteItem] = relationship(back_populates="candidates")


class ChoiceOption(Positioned, Keyed, db.Model):
    __tablename__ = "vote_option"
    key_letter = "p"

    item_id: Mapped[int] = mapped_column(ForeignKey("vote_item.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))

    item: Mapped[VoteItem] = relationship(back_populates="options")


class VoteRollEntry(Keyed, db.Model):
    """The roll frozen when the notice was published (R-05)."""

    __tablename__ = "vote_roll_entry"
    # A voter's units are looked up by vote and voter on every cast request.
    # the keys an owner held at the notice are looked up by vote and holder.
    __table_args__ = (UniqueConstraint("vote_id", "unit"), Index("ix_vote_roll_entry_vote_id_voter", "vote_id", "voter"),
                      Index("ix_vote_roll_entry_vote_id_holder_id", "vote_id", "holder_id"))

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"), index=True)
    unit: Mapped[str] = mapped_column(String(40))
    building: Mapped[str] = mapped_column(String(40))
    area: Mapped[int] = mapped_column(Integer)
    area_source: Mapped[str] = mapped_column(String(16))
    voter: Mapped[str] = mapped_column(String(200))
    # R-05: who cast the voter key's ballot at the notice (the owner, or the co-owners'
    # representative); None in rolls frozen before it was kept.
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("owner.id"), nullable=True)


class VotingSettings(db.Model):
    """An estate's choices for its votes, copied to each vote when it is created."""

    __tablename__ = "voting_settings"

    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), primary_key=True)
    # Paper ballots need a second staff member's confirmation before they count.
    two_staff_paper: Mapped[bool] = mapped_column(Boolean, default=False)


class VoteChainHead(db.Model):
    """The newest link of a vote's ballot chain; locked briefly while a ballot is appended."""

    __tablename__ = "vote_chain_head"

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    chain: Mapped[str] = mapped_column(String(64))


class ProxyAuthority(Keyed, db.Model):
    """R-33: a written authority naming the proxy, the matters, the scope and the term."""

    __tablename__ = "proxy_authority"

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"), index=True)
    voter: Mapped[str] = mapped_column(String(200))
    proxy_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    items: Mapped[list] = mapped_column(JSON)  # item keys the authority covers
    scope: Mapped[str] = mapped_column(Text, default="")
    valid_from: Mapped[dt.date] = mapped_column(db.Date)
    valid_until: Mapped[dt.date] = mapped_column(db.Date)
    document_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class PaperEntry(Keyed, db.Model):
    """A paper ballot as one staff member entered it; with the two-staff setting it becomes a
    ballot only when a second staff member confirms it."""

    __tablename__ = "paper_entry"

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"), index=True)
    voter: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    signed: Mapped[bool] = mapped_column(Boolean)
    signer_matches: Mapped[bool] = mapped_column(Boolean)
    choices: Mapped[dict] = mapped_column(JSON)
    scan_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    entered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rejected_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    vote: Mapped[Vote] = relationship()

    @property
    def waiting(self) -> bool:
        return self.confirmed_at is None and self.rejected_at is None


class Ballot(Keyed, db.Model):
    """One voter's ballot (R-30: one per voter key per vote, enforced by the database)."""

    __tablename__ = "ballot"
    # Both constraints lead with vote_id: they are the indexes a vote's ballots are found by.
    __table_args__ = (UniqueConstraint("vote_id", "voter"), UniqueConstraint("vote_id", "seq"))

    vote_id: Mapped[int] = mapped_column(ForeignKey("vote.id"))
    seq: Mapped[int] = mapped_column(Integer)
    voter: Mapped[str] = mapped_column(String(200))
    channel: Mapped[Channel] = mapped_column(string_enum(Channel, "channel"))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    received_text: Mapped[str] = mapped_column(String(40))  # the exact string hashed into the tracker
    status: Mapped[BallotStatus] = mapped_column(string_enum(BallotStatus, "ballot_status"))
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    choices: Mapped[dict] = mapped_column(JSON)
    nonce: Mapped[str] = mapped_column(String(32))
    tracker: Mapped[str] = mapped_column(String(64), index=True)
    chain: Mapped[str] = mapped_column(String(64))
    cast_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    proxy_id: Mapped[int | None] = mapped_column(ForeignKey("proxy_authority.id"), nullable=True)
    paper_entry_id: Mapped[int | None] = mapped_column(ForeignKey("paper_entry.id"), nullable=True)
    scan_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"), nullable=True)


class Notification(OfEstate, db.Model):
    """An in-app notice to everyone in an estate (results published, votes noticed)."""

    __tablename__ = "notification"

    title: Mapped[str] = mapped_column(String(200))
    link: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
