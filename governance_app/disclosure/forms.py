from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core.forms import FlaskForm  # the platform's: refuses control characters


class NoticeForm(FlaskForm):
    kind = SelectField(_l("Kind"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the notice a title.")), Length(max=200)])
    body = TextAreaField(_l("Text (Markdown: **bold**, lists with -, links)"),
                         validators=[InputRequired(_l("Write the notice.")), Length(max=20000)])
    starts_on = DateField(_l("Shown from"), validators=[InputRequired(_l("Choose the first day."))])
    days = IntegerField(_l("Posting period in days (公示; empty for an announcement without end)"),
                        validators=[Optional(), NumberRange(min=1, max=365)])
    pinned = BooleanField(_l("Pin to the top"))
    attachments = MultipleFileField(_l("Attachments (PDF, JPEG or PNG)"))
    submit = SubmitField(_l("Publish the notice"))


class DocumentForm(FlaskForm):
    kind = SelectField(_l("Document"), validators=[InputRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the document a title.")), Length(max=200)])
    file = FileField(_l("The document (PDF, JPEG or PNG)"))
    adopted_on = DateField(_l("Adopted on"), validators=[InputRequired(_l("Enter the day it was adopted."))])
    resolution = SelectField(_l("Adopted by the resolution"), validators=[Optional()])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Add this version"))


class MemberForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name.")), Length(max=100)])
    role = SelectField(_l("Role"), validators=[InputRequired()])
    term_start = DateField(_l("Term starts"), validators=[InputRequired(_l("Enter the start of the term."))])
    term_end = DateField(_l("Term ends"), validators=[InputRequired(_l("Enter the end of the term."))])
    pledge = FileField(_l("Signed pledge of duty (PDF, JPEG or PNG)"))
    pledge_signed_on = DateField(_l("Pledge signed on"), validators=[Optional()])
    submit = SubmitField(_l("Add member"))


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired(_l("Give the meeting a title.")), Length(max=200)])
    place = StringField(_l("Place"), validators=[Optional(), Length(max=200)])
    scheduled_at = DateTimeLocalField(_l("Date and time"), format="%Y-%m-%dT%H:%M",
                                      validators=[InputRequired(_l("Enter the date and time."))])
    agenda = TextAreaField(_l("Agenda"), validators=[InputRequired(_l("Write the agenda.")), Length(max=5000)])
    submit = SubmitField(_l("Post the agenda"))


class AttendanceForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired(_l("Enter the day it was held."))])
    minutes = TextAreaField(_l("Minutes"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Record attendance"))


class DecisionForm(FlaskForm):
    text = TextAreaField(_l("Decision"), validators=[InputRequired(_l("Write the decision.")), Length(max=5000)])
    submit = SubmitField(_l("Record decision"))


class ActionForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
