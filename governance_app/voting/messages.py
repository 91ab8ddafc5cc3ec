"""Vote refusals in the reader's language."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from markupsafe import Markup

from ..core import clock
from ..core.words import rule_sentence
from ..core.refusals import register_messages
from . import rules, services
from .models import ItemKind, VoteError, VoteState

# The committee's size: refused alike when a vote's election is set and when a re-election
# is planned (supervision).
COMMITTEE_SIZE_REASONS = {
    "committee_even": _l("A committee has an odd number of members (R-43); %(seats)s is even."),
    "committee_too_many": _l("A committee has at most 11 members (R-43)."),
    "by_election_no_seats": _l("A by-election fills at least one seat (R-43)."),
    "by_election_more_than_vacancies": _l("A by-election fills at most the vacant seats (R-43): "
                                          "%(vacancies)s vacant, %(seats)s asked."),
    "by_election_after_even": _l("After this by-election the committee would have %(after)s members, "
                                 "an even number (R-43)."),
    "by_election_after_too_many": _l("After this by-election the committee would have %(after)s members, "
                                     "more than 11 (R-43)."),
    "by_election_after_too_few": _l("After this by-election the committee would have %(after)s members, "
                                    "too few (R-43)."),
    "committee_too_few": _l("A committee has at least 5 members, or 3 in an estate of at most 10,000 m² (R-43)."),
}

REASONS = {
    "wrong_state": _l("This cannot be done while the vote is in its current stage."),
    "no_items": _l("Add at least one item before publishing the notice."),
    "no_candidates": _l("The election “%(item)s” has no candidate yet."),
    "closes_before_opening": _l("The last day of voting must not be before the opening day."),
    "unknown_building": _l("There is no building “%(building)s” in this estate."),
    **COMMITTEE_SIZE_REASONS,
    "bad_alternates": _l("The number of alternates cannot be negative."),
    "bad_matter": _l("Choose the matter of the item (1 to 9)."),
    "too_few_options": _l("A choice needs at least two options, one per line."),
    "too_few_options_in": _l("The choice “%(item)s” needs at least two options."),
    "too_few_candidates": _l("The election “%(item)s” has %(candidates)s candidates for %(seats)s seats: add candidates or reduce the seats."),
    "not_an_election": _l("Candidates belong to elections only."),
    "pledge_missing": _l("A candidate must sign the pledge of duty first (R-44)."),
    "notice_too_late": _l("The notice must be published at least 15 days before voting opens (R-40). Move the opening day to %(earliest)s or later."),
    "empty_roll": _l("No unit of the roll is in this vote's scope: import the roll, or check the buildings."),
    "not_open": _l("This vote is not open for ballots."),
    "bad_choice": _l("The answer to “%(item)s” is not one of its choices."),
    "too_many_candidates": _l("For “%(item)s” you may approve at most %(seats)s candidates."),
    "unknown_unit": _l("Unit %(unit)s is not on this vote's roll."),
    "already_voted": _l("A ballot for %(unit)s has already been recorded; a voter has one ballot only (R-30)."),
    "received_in_future": _l("The time received cannot be in the future."),
    "already_decided": _l("This paper ballot has already been confirmed or rejected."),
    "same_staff": _l("A second staff member must confirm: you entered this ballot yourself."),
    "bad_term": _l("The authority's term ends before it starts."),
    "no_matters": _l("Choose at least one item the proxy may vote on."),
    "proxy_limit": _l("This person already holds 3 proxies for this vote (R-33)."),
    "proxy_exists": _l("Unit %(unit)s already has a proxy for this vote."),
    "not_closed": _l("Votes are counted after voting has closed."),
    "paper_pending": _l("Some paper ballots still wait for a second staff member's confirmation."),
    "no_mandate": _l("You cannot vote for this voter."),
    "unknown_proxy": _l("No account has that login."),
    "photo_type": _l("A candidate's photo must be a JPEG or PNG image."),
    "photo_too_large": _l("A candidate's photo may be at most 2 MB."),
}


def vote_error_message(error: VoteError) -> str:
    template = REASONS.get(error.reason)
    if template is None:
        return error.reason
    return str(template) % {key: str(value) for key, value in error.details.items()} if error.details else str(template)


register_messages(VoteError, vote_error_message)


# --- words for templates (core.templating registers them) -------------------------------------------

def state_title(state) -> str:
    return {"draft": _("draft"), "noticed": _("notice published"), "open": _("open for voting"),
            "closed": _("closed, not yet counted"), "counted": _("counted"), "published": _("result published")
            }[VoteState(state).value]


def channel_title(channel) -> str:
    return {"online": _("online"), "paper": _("paper"), "proxy": _("proxy")}[getattr(channel, "value", channel)]


def nomination_title(source) -> str:
    return {"self": _("self-nominated"), "joint": _("jointly nominated by owners"),
            "community": _("recommended by the residents' committee")}[getattr(source, "value", source)]


def threshold_text(item) -> Markup:
    """What an item needs, in plain words, with the rule's id as a small reference after them."""
    if item.kind == ItemKind.ELECTION:
        return rule_sentence(_("A candidate needs more than half of the area and more than half of the owners "
                               "taking part; those with most owners are elected."), "R-21")
    if rules.threshold_rule(item.matter) == "R-12":
        return rule_sentence(_("Passes with at least three quarters of the area and three quarters of the owners "
                               "taking part."), "R-12")
    return rule_sentence(_("Passes with more than half of the area and more than half of the owners taking part."),
                         "R-11")


def last_day(vote) -> str:
    closes = clock.aware(vote.closes_at).astimezone(clock.zone()) - timedelta(days=1)
    return closes.strftime("%Y-%m-%d")


def voter_units_text(vote, voter: str) -> str:
    return ", ".join(services.voter_units(vote, voter))


def names(item, keys) -> str:
    by_key = {c.key: c.name for c in item.candidates}
    return pgettext("list separator", ", ").join(by_key.get(k, k) for k in keys or [])


def outcome_title(outcome: str) -> str:
    return {"passed": _("passed"), "failed": _("not passed"), "elected": _("elected"),
            "runoff": _("tie, a run-off is needed")}.get(outcome, outcome)
