from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, InputRequired

from .display import ELDER, STANDARD
from .i18n import LANGUAGE_NAMES


class LanguageForm(FlaskForm):
    language = StringField(validators=[InputRequired(), AnyOf(list(LANGUAGE_NAMES))])
    next = HiddenField()


class DisplayForm(FlaskForm):
    """The 长辈版 switch: ``mode`` is ``elder`` or ``standard``."""

    mode = StringField(validators=[InputRequired(), AnyOf([ELDER, STANDARD])])
    next = HiddenField()
