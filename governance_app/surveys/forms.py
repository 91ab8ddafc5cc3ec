"""Survey and rating forms: input shape only; the rules are in rules.py and services.py."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, HiddenField, IntegerField, RadioField, SelectField,
    SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core import clock
from ..core.forms import FlaskForm  # the platform's: refuses control characters
from .messages import DIMENSION_TITLES, KIND_TITLES
from .rules import SCALE, SCORES


class SurveyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the survey a title.")), Length(max=200)])
    description = TextAreaField(_l("What it is about"), validators=[Optional(), Length(max=5000)])
    opens_at = DateTimeLocalField(_l("Opens at"), validators=[InputRequired(_l("Enter when it opens."))])
    closes_at = DateTimeLocalField(_l("Closes at"), validators=[InputRequired(_l("Enter when it closes."))])
    buildings = SelectMultipleField(_l("Only these buildings (none chosen: the whole estate)"),
                                    validators=[Optional()])
    anonymous = BooleanField(_l("Answers are anonymous to the committee"), default=True)
    proposal = HiddenField()  # the residents' proposal it was started from, if any
    submit = SubmitField(_l("Create the survey"))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=[SelectChoice(k, t) for k, t in KIND_TITLES.items()],
                       validators=[InputRequired()])
    text = StringField(_l("Question"), validators=[InputRequired(_l("Write the question.")), Length(max=500)])
    options = TextAreaField(_l("Options, one per line (choice questions)"), validators=[Optional(),
                                                                                     Length(max=4000)])
    max_choices = IntegerField(_l("At most this many options may be chosen (multiple choice)"), default=1,
                               validators=[Optional(), NumberRange(min=1, max=20)])
    submit = SubmitField(_l("Add the question"))


class EditQuestionForm(QuestionForm):
    submit = SubmitField(_l("Save the question"))


class CompanyForm(FlaskForm):
    name = StringField(_l("Company name"), validators=[InputRequired(_l("Enter the company's name.")),
                                                      Length(max=200)])
    contract_start = DateField(_l("Contract starts"), validators=[InputRequired(_l("Enter the first day."))])
    contract_end = DateField(_l("Contract ends"), validators=[InputRequired(_l("Enter the last day."))])
    contract = SelectField(_l("The contract among the estate's documents"), validators=[Optional()])
    submit = SubmitField(_l("Record the company"))


def _score_field(name: str) -> RadioField:
    return RadioField(DIMENSION_TITLES[name], choices=[SelectChoice(str(p), str(p)) for p in SCALE],
                      validators=[InputRequired(_l("Choose a score from 1 to 5."))])


class RatingForm(FlaskForm):
    voter = HiddenField()
    comment = TextAreaField(_l("Comment (optional; shown without your name)"),
                            validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save my rating"))


for _name in SCORES:
    setattr(RatingForm, _name, _score_field(_name))


class PublishForm(FlaskForm):
    period = SelectField(_l("Period"), validators=[InputRequired()])
    submit = SubmitField(_l("Publish as a notice with a PDF"))


# --- what a filled-in form says, as the services take it ---------------------------------------------

def _local(moment: dt.datetime) -> dt.datetime:
    """A time typed in the estate's zone, as aware UTC."""
    return moment.replace(tzinfo=clock.zone()).astimezone(dt.timezone.utc)


def survey_values(form: SurveyForm) -> dict:
    return dict(title=form.title.data, description=form.description.data or "", opens_at=_local(form.opens_at.data),
                closes_at=_local(form.closes_at.data), buildings=form.buildings.data, anonymous=form.anonymous.data)


def question_values(form: QuestionForm) -> dict:
    return dict(kind=form.kind.data, text=form.text.data, options=(form.options.data or "").splitlines(),
                max_choices=form.max_choices.data or 1)


def company_values(form: CompanyForm) -> dict:
    return dict(name=form.name.data, contract_start=form.contract_start.data, contract_end=form.contract_end.data,
                contract_version_id=int(form.contract.data) if form.contract.data else None)


def rating_scores(form: RatingForm) -> dict[str, int]:
    return {name: int(getattr(form, name).data) for name in SCORES}


def answers_sent(questions) -> dict[str, list[str]]:
    """What the owner sent for each question, as lists of strings (keyed by the question's key)."""
    return {question.key: request.form.getlist(question.key) for question in questions}
