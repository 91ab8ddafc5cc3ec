from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from ..core.forms import FlaskForm  # the platform's: refuses control characters


class MoneyField(StringField):
    """Yuan as typed ("1,234.50"); the route turns it into fen with rules.parse_yuan."""


class SetupForm(FlaskForm):
    opened_on = DateField(_l("The accounts start on"), validators=[InputRequired(_l("Choose the start day."))])
    fund_opening = MoneyField(_l("Maintenance fund balance on that day (yuan)"), validators=[InputRequired()])
    fund_first_period = MoneyField(_l("Maintenance fund first-period amount (yuan, R-52)"),
                                   validators=[InputRequired()])
    income_opening = MoneyField(_l("Common income balance on that day (yuan)"), validators=[InputRequired()])
    working_opening = MoneyField(_l("Committee working fund balance on that day (yuan)"), validators=[InputRequired()])
    submit = SubmitField(_l("Open the accounts"))


class UnitBalancesForm(FlaskForm):
    file = FileField(_l("Unit balances from the housing authority (CSV: unit, balance in yuan)"),
                     validators=[FileRequired(_l("Choose a file."))])
    as_of = DateField(_l("Balances as of"), validators=[InputRequired(_l("Enter the date of the statement."))])
    submit = SubmitField(_l("Import unit balances"))


class PolicyForm(FlaskForm):
    income_tops_up_fund = BooleanField(_l("The estate's rules say common income mainly tops up the maintenance fund (R-51)"))
    submit = SubmitField(_l("Save"))


class EntryForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    direction = SelectField(_l("In or out"), validators=[InputRequired()])
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired(_l("Enter the amount."))])
    category = SelectField(_l("Category"), validators=[InputRequired(_l("Choose a category."))])
    counterparty = StringField(_l("Paid to / received from"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    authority = SelectField(_l("Authority for a maintenance-fund expense (R-53)"), validators=[Optional()])
    submit = SubmitField(_l("Record entry"))


class DraftForm(EntryForm):
    """Checking an imported bank line: the entry's fields but its date, direction and amount,
    which come from the bank (a field set to None leaves a WTForms subclass)."""

    day = direction = amount = None
    submit = SubmitField(_l("Post this entry"))


class DraftsForm(FlaskForm):
    """Several imported lines posted at once; each line's category is its own select
    (``draft-<id>``), drawn by the template with the categories of the line's direction."""

    submit = SubmitField(_l("Post the lines given a category"))


class TransferForm(FlaskForm):
    source = SelectField(_l("From"), validators=[InputRequired()])
    target = SelectField(_l("To"), validators=[InputRequired()])
    day = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date."))])
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired(_l("Enter the amount."))])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Record transfer"))


class ReverseForm(FlaskForm):
    day = DateField(_l("Date of the correction"), validators=[InputRequired(_l("Enter the date."))])
    reason = StringField(_l("Why it is corrected"), validators=[InputRequired(_l("Say why.")), Length(max=500)])
    submit = SubmitField(_l("Reverse this entry"))


class EvidenceForm(FlaskForm):
    file = FileField(_l("Invoice, contract or bank slip (PDF, JPEG or PNG)"),
                     validators=[FileRequired(_l("Choose a file."))])
    label = StringField(_l("What it is"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Attach"))


class QuestionForm(FlaskForm):
    text = TextAreaField(_l("Your question about this entry"),
                         validators=[InputRequired(_l("Write your question.")), Length(max=2000)])
    submit = SubmitField(_l("Ask the committee"))


class AnswerForm(FlaskForm):
    text = TextAreaField(_l("Answer"), validators=[InputRequired(_l("Write the answer.")), Length(max=4000)])
    submit = SubmitField(_l("Publish the answer"))


class BankUploadForm(FlaskForm):
    file = FileField(_l("Bank statement (CSV or XLSX as exported by the bank)"),
                     validators=[FileRequired(_l("Choose a file."))])
    submit = SubmitField(_l("Check the file"))


class MappingForm(FlaskForm):
    upload_id = HiddenField()
    date = SelectField(_l("Date column"), validators=[InputRequired()])
    amount = SelectField(_l("Signed amount column"), validators=[Optional()])
    amount_in = SelectField(_l("Income column"), validators=[Optional()])
    amount_out = SelectField(_l("Expense column"), validators=[Optional()])
    counterparty = SelectField(_l("Counterparty column"), validators=[Optional()])
    description = SelectField(_l("Description column"), validators=[Optional()])
    reference = SelectField(_l("Reference column"), validators=[Optional()])
    check = SubmitField(_l("Check with these columns"))
    confirm = SubmitField(_l("Create the draft entries"))


class StatementForm(FlaskForm):
    start = DateField(_l("From"), validators=[InputRequired()])
    end = DateField(_l("To"), validators=[InputRequired(_l("Choose the last day of the period."))])
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Publish this statement"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    direction = SelectField(_l("In or out"), validators=[Optional()])
    category = SelectField(_l("Category"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
    text = StringField(_l("Text"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Filter"))


def chosen_categories(data) -> dict[int, str]:
    """The category chosen for each imported line of a DraftsForm's post (``draft-<id>``: its
    category), by the line's id."""
    return {int(name[6:]): value for name, value in data.items() if name[6:].isdigit() and name.startswith("draft-")}
