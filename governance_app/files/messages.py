"""What a refused file is told, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..core.refusals import register_messages
from .services import FileRefused

FILE_REASONS = {
    "empty": _l("The file is empty."),
    "too_large": _l("The file is larger than 10 MB."),
    "wrong_type": _l("Only JPEG, PNG or PDF files are accepted."),
}
register_messages(FileRefused, FILE_REASONS)
