"""The check page's one field."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from ..core.forms import FlaskForm  # the platform's: refuses control characters


class CheckForm(FlaskForm):
    number = StringField(_l("Document number"), validators=[InputRequired(), Length(max=40)],
                         description=_l("As printed at the foot of each page, for example GV-2026-7KQ3-M9TX."))
    submit = SubmitField(_l("Check"))
