from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SubmitField

from ..core.forms import FlaskForm  # the platform's: refuses control characters


class RollUploadForm(FlaskForm):
    roll_file = FileField(_l("Roll file (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file to check."))])
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(FlaskForm):
    confirm = SubmitField(_l("Import these changes"))
    cancel = SubmitField(_l("Discard"))
