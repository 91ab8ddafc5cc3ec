"""The check page's one field."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length


class CheckForm(FlaskForm):
    number = StringField(_l("Document number"), validators=[InputRequired(), Length(max=40)],
                         description=_l("As printed at the foot of each page, for example GV-2026-7KQ3-M9TX."))
    submit = SubmitField(_l("Check"))
