"""Casting a ballot online: one service that answers recorded, already recorded, or refused.

The page only maps the answer to a response (``voting.routes.confirm_ballot``). Every
refusal looks for the voter's ballot first: a repeated submission (double tap, retry) whose
first copy got there is answered "already recorded" and shown its receipt (R-30), whatever
made the repeat fail.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..auth import services as auth_services
from ..core.refusals import Refusal
from ..extensions import db
from . import services
from .models import VoteError, VoteFacts


class Answer(enum.StrEnum):
    RECORDED = "recorded"
    ALREADY_RECORDED = "already_recorded"
    REFUSED = "refused"


class Back(enum.StrEnum):
    """Where a refused cast sends the voter."""

    BALLOT = "ballot"  # the choices could not be read: choose again
    VOTE = "vote"  # the vote no longer takes the ballot
    FORM = "form"  # the confirmation form again, with the choices (a wrong or missing code)


@dataclass(frozen=True)
class Cast:
    answer: Answer
    reason: str = ""  # a refusal's reason, or "form" for a form that did not validate
    refusal: Refusal | None = None  # what to tell the voter, if anything
    back: Back | None = None
    choices: dict | None = None
    channel: str = ""


def preview(vote: VoteFacts, mandate, data: Mapping[str, Sequence[str]]) -> dict:
    """The choices a ballot form sent (``data``: field name to its values), as the confirmation
    page shows them; raises ``VoteError`` when they cannot be a ballot."""
    return services.read_choices(vote, data, allowed=mandate.proxy.items if mandate.proxy else None)


def cast(vote: VoteFacts, user, mandate, data: Mapping[str, Sequence[str]], code: str | None) -> Cast:
    """R-34: record the ballot of ``mandate``'s voter with a fresh second factor (``code``; None
    when the confirmation form did not validate). Commits what it records, including a wrong
    code's count (wrong codes are limited per account)."""
    try:
        choices = preview(vote, mandate, data)
    except VoteError as error:
        return _refused(vote, mandate, error, Back.BALLOT)
    if code is None:
        return _refused(vote, mandate, None, Back.FORM, choices, reason="form")
    try:
        auth_services.verify_second_factor(user, code, session=user.current_session)
    except auth_services.AuthError as error:
        db.session.commit()
        return _refused(vote, mandate, error, Back.FORM, choices)
    try:
        recorded = services.cast_online(vote, user, mandate, choices)
    except VoteError as error:
        db.session.rollback()  # cast before it closed: the existing ballot is found below
        return _refused(vote, mandate, error, Back.VOTE)
    db.session.commit()
    return Cast(Answer.RECORDED if recorded else Answer.ALREADY_RECORDED, channel=mandate.channel.value)


def _refused(vote, mandate, error: Refusal | None, back: Back, choices: dict | None = None,
             reason: str = "") -> Cast:
    if services.existing_ballot(vote, mandate.voter) is not None:
        return Cast(Answer.ALREADY_RECORDED)
    return Cast(Answer.REFUSED, reason or error.reason, error, back, choices)
