import flask_wtf
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField, widgets
from wtforms.validators import AnyOf, InputRequired

from .i18n import LANGUAGE_NAMES
from .inputs import CONTROL_CHARACTERS, TEXT_CONTROL_CHARACTERS

ELDER, STANDARD = "elder", "standard"  # the two displays (core.display)
CONTROL_CHARACTER_MESSAGE = _l("Remove the line breaks, tabs or other invisible characters from this field.")


class FlaskForm(flask_wtf.FlaskForm):
    """The base of every form of the platform (each package's forms.py imports it by this name).

    A single-line field refuses every control character, a text area all but tab, line feed
    and carriage return, each with a message on the field: nothing invisible reaches a title,
    a login or a header, and what was typed is shown again (``core.inputs`` has already
    refused the rest of the request's control characters with a 400 page).

    The HTML stays valid on pages with several forms: a field whose id another form of the same
    request already took gets ``-2``, ``-3``... (``csrf_token`` and ``submit`` were duplicated), and
    a select that always has a value drops ``required``, which HTML allows only on a select that
    starts with an empty choice.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            if isinstance(field, SelectField) and type(field.widget) is widgets.Select:
                field.widget = _Select(multiple=field.widget.multiple)
        if has_request_context():
            _give_unique_ids(self)

    def hidden_tag(self, *fields):
        """The token and hidden fields; drawn again (one form object behind several buttons), without
        their ids, which the first drawing holds."""
        if not getattr(self, "_hidden_drawn", False):
            self._hidden_drawn = True
            return super().hidden_tag(*fields)
        chosen = [getattr(self, f) if isinstance(f, str) else f for f in fields] or \
            [f for f in self if isinstance(f.widget, widgets.HiddenInput)]
        return Markup("\n".join(str(f(id=False)) for f in chosen))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            pattern = TEXT_CONTROL_CHARACTERS if isinstance(field, TextAreaField) else CONTROL_CHARACTERS
            if any(isinstance(raw, str) and pattern.search(raw) for raw in field.raw_data or ()):
                field.errors = [*field.errors, CONTROL_CHARACTER_MESSAGE]
                valid = False
        return valid


def _give_unique_ids(form) -> None:
    used = g.setdefault("form_field_ids", set())
    for field in form:
        candidate, number = field.id, 2
        while candidate in used:
            candidate, number = f"{field.id}-{number}", number + 1
        field.id = field.label.field_id = candidate
        used.add(candidate)


class _Select(widgets.Select):
    """A select whose first choice has a value always submits one: ``required`` adds nothing there,
    and the HTML standard refuses it (the first option of a required select must be empty)."""

    def __call__(self, field, **kwargs):
        first = None if self.multiple or field.has_groups() else next(iter(field.iter_choices()), None)
        if first is not None and first[0] not in ("", None):
            kwargs.setdefault("required", False)
        return super().__call__(field, **kwargs)


class LanguageForm(FlaskForm):
    language = StringField(validators=[InputRequired(), AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()


class DisplayForm(FlaskForm):
    """The 长辈版 switch: ``mode`` is ``elder`` or ``standard``."""

    mode = StringField(validators=[InputRequired(), AnyOf([ELDER, STANDARD])])
    next = HiddenField()


class ActionForm(FlaskForm):
    """A button with nothing typed (co-sign, publish, launch a job): only its CSRF token."""

    submit = SubmitField(_l("Confirm"))
