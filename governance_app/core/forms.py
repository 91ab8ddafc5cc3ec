import flask_wtf
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
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
    """

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            pattern = TEXT_CONTROL_CHARACTERS if isinstance(field, TextAreaField) else CONTROL_CHARACTERS
            if any(isinstance(raw, str) and pattern.search(raw) for raw in field.raw_data or ()):
                field.errors = [*field.errors, CONTROL_CHARACTER_MESSAGE]
                valid = False
        return valid


class LanguageForm(FlaskForm):
    language = StringField(validators=[InputRequired(), AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()


class DisplayForm(FlaskForm):
    """The 长辈版 switch: ``mode`` is ``elder`` or ``standard``."""

    mode = StringField(validators=[InputRequired(), AnyOf([ELDER, STANDARD])])
    next = HiddenField()
