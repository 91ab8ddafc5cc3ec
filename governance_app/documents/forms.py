"""The check page's fields: the number, and the audit hash as printed (optional)."""
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..audit.chain import MIN_TYPED_HASH, normalise_hash

from ..core.forms import FlaskForm  # the platform's: refuses control characters


class CheckForm(FlaskForm):
    number = StringField(_l("Document number"), validators=[InputRequired(), Length(max=40)],
                         description=_l("As printed at the foot of each page, for example GV-2026-7KQ3-M9TX."))
    head = StringField(_l("Audit log hash on the document (optional)"), validators=[Optional(), Length(max=90)],
                       description=_l("The long value after “Audit log” at the foot of the page; its first "
                                      "%(count)d characters are enough.", count=MIN_TYPED_HASH))

    def validate_head(self, field) -> None:
        if field.data and normalise_hash(field.data) is None:
            raise ValidationError(_l("Type at least the first %(count)d characters of the hash (0-9 and a-f).",
                                     count=MIN_TYPED_HASH))
    submit = SubmitField(_l("Check"))
