from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, Regexp

from ..core.forms import FlaskForm


class PreferencesForm(FlaskForm):
    email = EmailField(_l("E-mail address (leave empty for messages on this site only)"),
                       validators=[Optional(), Length(max=254),
                                   Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                                          message=_l("Enter an e-mail address such as name@example.com."))])
    language = SelectField(_l("Language of e-mail"), choices=[SelectChoice("zh_CN", "简体中文"),
                                                             SelectChoice("en", "English")],
                           validators=[Optional()])
    votes = BooleanField()
    funds = BooleanField()
    notices = BooleanField()
    duties = BooleanField()
    submit = SubmitField(_l("Save"))


class MarkReadForm(FlaskForm):
    submit = SubmitField(_l("Mark all as read"))
