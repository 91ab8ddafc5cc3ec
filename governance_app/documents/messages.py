"""Names of documents and the check page's answers, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import DocumentKind
from .services import Status

KIND_TITLES = {
    DocumentKind.RESULT_ANNOUNCEMENT: _l("Announcement of a vote's result"),
    DocumentKind.VOTE_MINUTES: _l("Minutes of an owners' assembly vote"),
    DocumentKind.MEETING_MINUTES: _l("Minutes of a committee meeting"),
    DocumentKind.FILING_FORM: _l("Election result filing form"),
    DocumentKind.ACTIVATION_LETTER: _l("Owner account activation letter"),
    DocumentKind.FUND_STATEMENT: _l("Fund statement"),
}
STATUS_TEXTS = {
    Status.CURRENT: (_l("Genuine and current"),
                     _l("This platform issued this document, and the same document made today would show "
                        "exactly the same content.")),
    Status.SUPERSEDED: (_l("Genuine but superseded"),
                        _l("This platform issued this document, but its content is no longer current: the same "
                           "document made today shows something else. Ask for the current version.")),
    Status.GENUINE: (_l("Genuine"),
                     _l("This platform issued this document. Whether its content is still current cannot be "
                        "checked here.")),
    Status.UNKNOWN: (_l("Not issued by this platform"),
                     _l("No document with this number was issued by this platform. Check the number; if it is "
                        "right, the document did not come from this platform.")),
}
