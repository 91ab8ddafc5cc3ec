from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.validators import InputRequired

from .i18n import LANGUAGE_NAMES


class LanguageForm(FlaskForm):
    language = SelectField(choices=list(LANGUAGE_NAMES.items()), validators=[InputRequired()])
    next = HiddenField()
