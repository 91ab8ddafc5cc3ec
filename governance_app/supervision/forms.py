"""Input shapes of the re-election's pages; the rules live in services and rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import FlaskForm


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StartForm(FlaskForm):
    kind = SelectField(_l("Kind of election"), validators=[InputRequired()])
    submit = SubmitField(_l("Start"))


class StageForm(FlaskForm):
    """A stage that is a date, a note and, where there is one, its document."""

    happened_on = DateField(_l("Date it happened"), validators=[InputRequired(_l("Enter the date."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    document = FileField(_l("Document (PDF, JPEG or PNG)"))
    submit = SubmitField(_l("Record"))


class PlanForm(FlaskForm):
    seats = IntegerField(_l("Seats"), validators=[InputRequired(_l("Enter the number of seats.")),
                                                  NumberRange(min=1, max=11)])
    structure = TextAreaField(_l("Structure of the committee"), validators=[Optional(), Length(max=2000)])
    structure_by_community = BooleanField(_l("This structure is the residents' committee's recommendation "
                                             "(结构建议权, R-48)"))
    posting_days = IntegerField(_l("Days the candidate list is posted"), default=7,
                                validators=[InputRequired(), NumberRange(min=1, max=30)])
    happened_on = DateField(_l("Date of the plan"), validators=[InputRequired(_l("Enter the date."))])
    submit = SubmitField(_l("Record the plan"))


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)])
    role = SelectField(_l("Role in the group"), validators=[InputRequired()])
    submit = SubmitField(_l("Add to the group"))


class NomineeForm(FlaskForm):
    name = StringField(_l("Candidate's name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    source = SelectField(_l("Nominated by (R-48)"), validators=[InputRequired()])
    nominated_by = StringField(_l("Who nominated or recommended"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the candidate"))


class ReviewForm(FlaskForm):
    grounds = Checkboxes(_l("Grounds of R-44 found"), validators=[Optional()])
    decision = RadioField(_l("Decision"), validators=[InputRequired(_l("Choose a decision."))])
    reasons = TextAreaField(_l("Reasons"), validators=[Optional(), Length(max=2000)])
    pledge_signed = BooleanField(_l("The candidate signed the pledge of duty (履职承诺)"))
    submit = SubmitField(_l("Record the review"))


class ObjectionForm(FlaskForm):
    text = TextAreaField(_l("Objection"), validators=[InputRequired(_l("Enter the objection.")), Length(max=2000)])
    received_on = DateField(_l("Received on"), validators=[InputRequired(_l("Enter the date."))])
    submit = SubmitField(_l("Record the objection"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[InputRequired(_l("Enter the answer.")), Length(max=2000)])
    submit = SubmitField(_l("Record the answer"))


class ElectionForm(FlaskForm):
    opening_date = DateField(_l("Voting opens on"), validators=[InputRequired(_l("Enter the date."))])
    last_day = DateField(_l("Last day of voting"), validators=[InputRequired(_l("Enter the date."))])
    submit = SubmitField(_l("Build the election vote"))


class FilingForm(FlaskForm):
    receipt = StringField(_l("Filing receipt number"), validators=[InputRequired(_l("Enter the receipt number.")),
                                                                  Length(max=100)])
    happened_on = DateField(_l("Accepted on"), validators=[InputRequired(_l("Enter the date."))])
    submit = SubmitField(_l("Accept the filing"))


class ReturnForm(FlaskForm):
    reasons = TextAreaField(_l("Reasons for returning it"), validators=[InputRequired(_l("Give the reasons.")),
                                                                        Length(max=2000)])
    submit = SubmitField(_l("Return the filing"))


class HandoverForm(FlaskForm):
    items = Checkboxes(_l("Handed over"), validators=[Optional()])
    signed = Checkboxes(_l("Signed off by"), validators=[Optional()])
    happened_on = DateField(_l("Date of the handover"), validators=[InputRequired(_l("Enter the date."))])
    submit = SubmitField(_l("Record the handover"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    community = SelectField(_l("Community"), validators=[Optional()])
    kind = SelectField(_l("Kind of duty"), validators=[Optional()])
    submit = SubmitField(_l("Filter"))
