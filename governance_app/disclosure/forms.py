"""The disclosure forms: input shape only; what a filled-in form says is read here as the plain values
the services take (the rules are in rules.py and services.py)."""
from __future__ import annotations

import datetime as dt

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField, DateField, DateTimeLocalField, IntegerField, SelectField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..core import clock
from ..core.forms import FlaskForm  # the platform's: refuses control characters
from ..files import services as files
from . import rules
from .models import DocumentKind, MemberRole, NoticeKind


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


# --- what a filled-in form says, as the services take it ---------------------------------------------

def notice_values(form: NoticeForm) -> dict:
    """The notice's period in UTC and its uploaded attachments as (content, name)."""
    start = dt.datetime.combine(form.starts_on.data, dt.time(), clock.zone())
    # the first day is not counted; the posting ends at 24:00 of its last day.
    end = clock.end_of_local_day(rules.posting_last_day(form.starts_on.data, form.days.data)) \
        if form.days.data else None
    return dict(kind=NoticeKind(form.kind.data), title=form.title.data, body=form.body.data,
                starts_at=start.astimezone(dt.timezone.utc), ends_at=end.astimezone(dt.timezone.utc) if end else None,
                pinned=form.pinned.data,
                attachments=[(f.read(), f.filename or "") for f in form.attachments.data or [] if f and f.filename])


def document_values(form: DocumentForm) -> dict:
    """The version's content and the resolution that adopted it ("vote_id:item", or empty)."""
    if not form.file.data:
        raise files.FileRefused("empty")
    vote_id, _sep, item = (form.resolution.data or "").partition(":")
    return dict(kind=DocumentKind(form.kind.data), title=form.title.data, content=form.file.data.read(),
                adopted_on=form.adopted_on.data, vote_id=int(vote_id) if vote_id.isdigit() else None,
                item=item or None, note=form.note.data or "")


def member_values(form: MemberForm) -> dict:
    """The member's term and signed pledge (signed on the first day of the term when no day is given)."""
    return dict(name=form.name.data, role=MemberRole(form.role.data), term_start=form.term_start.data,
                term_end=form.term_end.data, pledge=form.pledge.data.read() if form.pledge.data else None,
                pledge_signed_on=form.pledge_signed_on.data or form.term_start.data)


def meeting_values(form: MeetingForm) -> dict:
    """The meeting's time, typed in the estates' zone, in UTC."""
    return dict(title=form.title.data, place=form.place.data or "", agenda=form.agenda.data,
                scheduled_at=form.scheduled_at.data.replace(tzinfo=clock.zone()).astimezone(dt.timezone.utc))


def ticked_ids(name: str) -> list[int]:
    """The ids ticked in the check boxes ``name`` (members present, members who signed)."""
    return [int(value) for value in request.form.getlist(name) if value.isdigit()]
