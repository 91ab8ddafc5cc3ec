from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField, DateField, IntegerField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.forms import FlaskForm  # the platform's: refuses control characters
from ..funds.rules import MoneyError, parse_yuan


class YuanField(StringField):
    """Yuan as typed ("1,234.50"); ``fen`` holds the exact amount in fen once validated."""

    fen: int | None = None

    def pre_validate(self, form) -> None:
        self.fen = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.fen = parse_yuan(text)
        except MoneyError as error:
            raise ValidationError(_l("Enter an amount in yuan with at most two decimals, e.g. 1234.50.")) from error
        if self.fen < 0:
            raise ValidationError(_l("The amount cannot be negative."))

    def fen_or_zero(self) -> int:
        return self.fen or 0


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the proposal a title.")), Length(max=200)])
    problem = TextAreaField(_l("The problem (Markdown)"),
                            validators=[InputRequired(_l("Describe the problem.")), Length(max=20000)])
    remedy = TextAreaField(_l("What should be done (Markdown)"),
                           validators=[InputRequired(_l("Describe what should be done.")), Length(max=20000)])
    category = SelectField(_l("Category"), validators=[InputRequired(_l("Choose a category."))])
    buildings = CheckboxesField(_l("Buildings concerned (none ticked: the whole estate, R-04)"),
                                validators=[Optional()])
    changes_use = BooleanField(_l("It changes the use of common parts"))
    estimated_cost = YuanField(_l("Estimated cost (yuan)"), validators=[InputRequired(_l("Enter the estimated cost."))])
    photos = MultipleFileField(_l("Photos and documents (JPEG, PNG or PDF, at most 10 MB each)"))
    submit = SubmitField(_l("Save the draft"))


class AnswerForm(FlaskForm):
    kind = SelectField(_l("Answer"), validators=[InputRequired(_l("Choose an answer."))])
    text = TextAreaField(_l("Reasons and next steps"), validators=[Optional(), Length(max=5000)])
    merged_into = SelectField(_l("Merged into (only when merging)"), validators=[Optional()])
    submit = SubmitField(_l("Give the answer"))


class CoordinationForm(FlaskForm):
    text = TextAreaField(_l("Coordination opinion"), validators=[InputRequired(_l("Write the opinion.")),
                                                                 Length(max=5000)])
    submit = SubmitField(_l("Add the opinion"))


class PlanForm(FlaskForm):
    total_cost = YuanField(_l("Total cost (yuan)"), validators=[InputRequired(_l("Enter the total cost."))])
    owners_amount = YuanField(_l("Owners' contributions (yuan)"), validators=[Optional()])
    apportion_by = SelectField(_l("Shared among the units in scope"), validators=[InputRequired()])
    subsidy_amount = YuanField(_l("Government subsidy (yuan)"), validators=[Optional()])
    subsidy_programme = StringField(_l("Subsidy programme"), validators=[Optional(), Length(max=200)])
    subsidy_status = SelectField(_l("Subsidy status"), validators=[InputRequired()])
    subsidy_document = FileField(_l("Subsidy document (PDF, JPEG or PNG)"))
    common_income_amount = YuanField(_l("Common income (yuan)"), validators=[Optional()])
    fund_amount = YuanField(_l("Maintenance fund (yuan; only through a matter-5 resolution, R-53)"),
                            validators=[Optional()])
    submit = SubmitField(_l("Save a new version of the plan"))

    def values(self) -> dict:
        """A version of the plan as the service takes it: amounts in fen, the document's bytes or None."""
        document = self.subsidy_document.data.read() if self.subsidy_document.data else None
        return {"total_cost": self.total_cost.fen_or_zero(), "apportion_by": self.apportion_by.data,
                "owners_amount": self.owners_amount.fen_or_zero(), "subsidy_amount": self.subsidy_amount.fen_or_zero(),
                "subsidy_programme": self.subsidy_programme.data or "", "subsidy_status": self.subsidy_status.data,
                "common_income_amount": self.common_income_amount.fen_or_zero(),
                "fund_amount": self.fund_amount.fen_or_zero(), "subsidy_document": document or None}


class VoteForm(FlaskForm):
    opening_date = DateField(_l("Voting opens on"), validators=[InputRequired(_l("Choose the opening day."))])
    last_day = DateField(_l("Last day of voting"), validators=[InputRequired(_l("Choose the last day."))])
    description = TextAreaField(_l("Explanation for the owners"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Create the draft vote"))


class DeliveryForm(FlaskForm):
    contractor = StringField(_l("Contractor"), validators=[InputRequired(_l("Name the contractor.")),
                                                            Length(max=200)])
    contract = FileField(_l("Contract (PDF, JPEG or PNG)"))
    submit = SubmitField(_l("Start the project"))


class MilestoneForm(FlaskForm):
    title = StringField(_l("Milestone"), validators=[InputRequired(_l("Name the milestone.")), Length(max=200)])
    due_on = DateField(_l("Date"), validators=[InputRequired(_l("Choose the date."))])
    submit = SubmitField(_l("Add the milestone"))


class UpdateForm(FlaskForm):
    text = TextAreaField(_l("Progress"), validators=[InputRequired(_l("Write what was done.")), Length(max=5000)])
    percent_complete = IntegerField(_l("Percent complete"), validators=[
        InputRequired(_l("Enter the percentage.")), NumberRange(min=0, max=100)])
    photos = MultipleFileField(_l("Photos (JPEG or PNG)"))
    submit = SubmitField(_l("Add the update"))


class PaymentForm(FlaskForm):
    account = SelectField(_l("Paid from"), validators=[InputRequired()])
    category = SelectField(_l("Category"), validators=[InputRequired(_l("Choose a category."))])
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    amount = YuanField(_l("Amount (yuan)"), validators=[InputRequired(_l("Enter the amount."))])
    counterparty = StringField(_l("Paid to"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Record the payment"))


class RatingForm(FlaskForm):
    stars = SelectField(_l("Your rating"), validators=[InputRequired(_l("Choose 1 to 5 stars."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Rate the project"))


class SettingsForm(FlaskForm):
    """The estate's R-70 choices, whole numbers only (``rules.settings_allowed`` decides again).

    The answer threshold is 1 to 20 percent of the owners in scope: at 20% of the heads (with 20%
    of the area) the owners may require the assembly itself (R-41), so a higher threshold would
    let them skip the committee's answer altogether; 0 would oblige an answer to every draft. The
    periods are 1 to 90 days: the rules' default is 30, and more than a season leaves owners
    waiting for an answer or a vote far too long.
    """

    answer_percent = IntegerField(_l("The committee must answer at (percent of the owners in scope)"), validators=[
        InputRequired(_l("Enter a whole number from 1 to 20.")),
        NumberRange(min=1, max=20, message=_l("Enter a whole number from 1 to 20."))])
    answer_days = IntegerField(_l("Days the committee has to answer"), validators=[
        InputRequired(_l("Enter a whole number of days from 1 to 90.")),
        NumberRange(min=1, max=90, message=_l("Enter a whole number of days from 1 to 90."))])
    vote_days = IntegerField(_l("Days to put a required proposal to the assembly"), validators=[
        InputRequired(_l("Enter a whole number of days from 1 to 90.")),
        NumberRange(min=1, max=90, message=_l("Enter a whole number of days from 1 to 90."))])
    submit = SubmitField(_l("Save the settings"))
