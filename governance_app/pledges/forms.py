"""Input shape of the conventions' and the board's forms (rules live in services and rules)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import FlaskForm  # the platform's: refuses control characters
from .models import Deed, Severity


def chosen_id(value: str | None) -> int | None:
    """The id a select field chose, None for its empty choice."""
    return int(value) if value and value.isdigit() else None


class ClauseForm(FlaskForm):
    number = IntegerField(_l("Clause number"), validators=[InputRequired(_l("Enter the clause's number.")),
                                                           NumberRange(min=1, max=999)])
    text = TextAreaField(_l("Text of the clause"), validators=[InputRequired(_l("Write the clause.")),
                                                               Length(max=2000)])
    submit = SubmitField(_l("Add the clause"))


class NominationForm(FlaskForm):
    unit = StringField(_l("Unit (building-room, e.g. 3-502)"),
                       validators=[InputRequired(_l("Enter the unit of the owner you nominate.")), Length(max=40)])
    deed = SelectField(_l("Recognised for"), validators=[InputRequired()])
    clause = SelectField(_l("Clause kept"), validators=[Optional()])
    reason = TextAreaField(_l("What they did"), validators=[InputRequired(_l("Say what they did.")),
                                                            Length(max=2000)])
    service_eligible = BooleanField(_l("Eligible for priority in community services (R-65)"))
    submit = SubmitField(_l("Nominate"))

    def values(self) -> dict:
        """The nomination as the service takes it."""
        return {"unit_label": self.unit.data, "deed": Deed(self.deed.data), "clause_id": chosen_id(self.clause.data),
                "reason": self.reason.data, "service_eligible": self.service_eligible.data}


class WarningForm(FlaskForm):
    unit = StringField(_l("Unit (building-room, e.g. 3-502)"),
                       validators=[InputRequired(_l("Enter the unit concerned.")), Length(max=40)])
    clause = SelectField(_l("Clause breached"), validators=[InputRequired(_l("Choose the clause breached."))])
    severity = SelectField(_l("Severity"), validators=[InputRequired()])
    reason = TextAreaField(_l("The breach"), validators=[InputRequired(_l("Describe the breach.")),
                                                         Length(max=2000)])
    warned_on = DateField(_l("Warned on"), validators=[InputRequired(_l("Enter the day of the warning."))])
    warned_by = StringField(_l("Warned by"), validators=[InputRequired(_l("Say who gave the warning.")),
                                                         Length(max=100)])
    warned_how = TextAreaField(_l("How (in person, in writing...) and that it was ignored"),
                               validators=[InputRequired(_l("Say how the warning was given.")), Length(max=2000)])
    subject_member = SelectField(_l("The person concerned sits on the committee"), validators=[Optional()])
    submit = SubmitField(_l("Record the warning"))

    def values(self) -> dict:
        """The warning as the service takes it."""
        return {"unit_label": self.unit.data, "clause_id": chosen_id(self.clause.data),
                "severity": Severity(self.severity.data), "reason": self.reason.data,
                "warned_on": self.warned_on.data, "warned_by": self.warned_by.data,
                "warned_how": self.warned_how.data, "subject_member_id": chosen_id(self.subject_member.data)}


class EvidenceForm(FlaskForm):
    file = FileField(_l("Photo or document (PDF, JPEG or PNG)"))
    label = StringField(_l("What it shows"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Add the evidence"))

    def values(self) -> dict:
        upload = self.file.data
        return {"content": upload.read() if upload else b"", "label": self.label.data or ""}


class DecisionChoiceForm(FlaskForm):
    decision = SelectField(_l("Committee decision (R-45)"),
                           validators=[InputRequired(_l("Choose the committee's decision."))])
    submit = SubmitField(_l("Approve the entry"))


class NotifyForm(FlaskForm):
    how = StringField(_l("How the person was notified (in person, by post...)"),
                      validators=[InputRequired(_l("Say how the person was notified.")), Length(max=200)])
    submit = SubmitField(_l("Record the notification"))


class ObjectionForm(FlaskForm):
    reasons = TextAreaField(_l("Your reasons"), validators=[InputRequired(_l("Give your reasons.")),
                                                            Length(max=5000)])
    file = FileField(_l("Evidence (optional: PDF, JPEG or PNG)"))
    submit = SubmitField(_l("Send the objection"))

    def values(self) -> dict:
        upload = self.file.data
        return {"reasons": self.reasons.data, "content": upload.read() if upload else None}


class ObjectionDecisionForm(FlaskForm):
    outcome = SelectField(_l("The committee's decision on the objection"),
                          choices=[SelectChoice("rejected", _l("Rejected: the entry stands")),
                                   SelectChoice("upheld", _l("Upheld: the entry is removed"))],
                          validators=[InputRequired()])
    answer = TextAreaField(_l("Answer to the person"), validators=[InputRequired(_l("Write the answer.")),
                                                                   Length(max=5000)])
    decision = SelectField(_l("Committee decision (R-45)"),
                           validators=[InputRequired(_l("Choose the committee's decision."))])
    submit = SubmitField(_l("Record the decision"))


class RectifiedForm(FlaskForm):
    on = DateField(_l("Rectified on"), validators=[InputRequired(_l("Enter the day it was rectified."))])
    submit = SubmitField(_l("Record the rectification"))


class ApprovalForm(FlaskForm):
    outcome = SelectField(_l("The committee's answer"), choices=[SelectChoice("approve", _l("Approve the recognition")),
                                                                 SelectChoice("decline", _l("Do not approve"))],
                          validators=[InputRequired()])
    submit = SubmitField(_l("Confirm"))


