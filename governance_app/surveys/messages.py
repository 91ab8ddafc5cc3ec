"""Refusals and words of surveys and ratings in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from .models import SurveyError

REASONS = {
    "closes_before_opening": _l("The survey must close after it opens."),
    "unknown_building": _l("There is no building “%(building)s” in this estate."),
    "already_published": _l("The survey is already open to owners: its questions can no longer change."),
    "no_questions": _l("Add at least one question first."),
    "unknown_kind": _l("Choose the kind of question."),
    "too_few_options": _l("A choice question needs at least two options, one per line."),
    "too_many_options": _l("A choice question has at most 20 options."),
    "repeated_option": _l("Each option may appear once only."),
    "bad_limit": _l("The number of options one may choose must be between 1 and the number of options."),
    "not_in_scope": _l("You hold no unit in the scope of this survey, so you cannot answer it."),
    "not_open": _l("This survey is not open for answers."),
    "unanswered": _l("Answer the question “%(question)s”."),
    "not_on_scale": _l("Choose a score from 1 to 5 for every question."),
    "not_an_option": _l("The answer to “%(question)s” is not one of its options."),
    "one_choice": _l("Choose one option for “%(question)s”."),
    "too_many_choices": _l("Too many options chosen for “%(question)s”."),
    "text_too_long": _l("The answer to “%(question)s” is longer than 2,000 characters."),
    "contract_ends_before_start": _l("The contract must end after it starts."),
    "unknown_contract": _l("Choose a service contract among the estate's documents."),
    "not_current_company": _l("Only the company serving the estate now can be rated."),
    "no_company": _l("The estate has not recorded its property-service company yet."),
    "period_not_closed": _l("A period's results can be published once the period has ended."),
    "already_published_period": _l("The results of this period have already been published."),
}
register_messages(SurveyError, REASONS)

KIND_TITLES = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "scale": _l("Scale from 1 to 5"),
    "text": _l("Free text"),
}
DIMENSION_TITLES = {
    "cleaning": _l("Cleaning"),
    "security": _l("Security and order"),
    "greenery": _l("Greenery"),
    "repairs": _l("Repairs and maintenance"),
    "complaints": _l("Responsiveness to complaints"),
    "fees": _l("Fees and transparency"),
    "overall": _l("Overall"),
}
STATE_TITLES = {
    "draft": _l("Draft"),
    "upcoming": _l("Not open yet"),
    "open": _l("Open"),
    "closed": _l("Closed"),
}
