"""Plain values a document is drawn from, for callers outside this package.

A committee meeting's minutes are built by the package that keeps the meetings; it fills a
``MeetingMinutesView`` and calls ``documents.services.meeting_minutes_pdf`` (see there).
Everything here is a plain value, so the view turns into canonical JSON as it is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class MinutesDecision:
    """A decision and who signed it. R-45: valid only with the signatures of more than half
    of ALL members; the caller says whether it is (``valid``) and the minutes print why."""

    text: str
    signers: tuple[str, ...] = ()
    valid: bool = False


@dataclass(frozen=True)
class MeetingMinutesView:
    """A committee meeting (业委会会议) as its minutes show it.

    ``members_present`` and ``members_absent`` together are all members at the time of the
    meeting (R-45 counts both); ``agenda`` holds the points without numbers (the minutes number
    them); ``minutes`` is the text of what was discussed, as recorded; ``signature_blocks`` name the
    people who sign the minutes (by default every member present)."""

    estate: str
    title: str
    held_at: dt.datetime
    place: str
    members_present: tuple[str, ...]
    members_absent: tuple[str, ...] = ()
    agenda: tuple[str, ...] = ()
    minutes: str = ""
    decisions: tuple[MinutesDecision, ...] = ()
    signature_blocks: tuple[str, ...] = field(default=())

    @property
    def member_count(self) -> int:
        return len(self.members_present) + len(self.members_absent)

    @property
    def quorate(self) -> bool:
        """R-45: more than half of the members present."""
        return 2 * len(self.members_present) > self.member_count

    @property
    def signatures_needed(self) -> int:
        """R-45: more than half of ALL members must sign a decision."""
        return self.member_count // 2 + 1

    def data(self) -> dict:
        """The values the minutes show, as canonical JSON takes them."""
        values = asdict(self)
        values["held_at"] = self.held_at.isoformat(timespec="minutes")
        values["signature_blocks"] = list(self.signature_blocks or self.members_present)
        values["quorate"] = self.quorate
        values["signatures_needed"] = self.signatures_needed
        return _lists(values)


def _lists(value):
    """Tuples as lists, recursively: JSON has no tuples, and the hash must not depend on them."""
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(item) for item in value]
    return value
