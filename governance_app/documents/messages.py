"""Names of documents and the check page's answers, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import DocumentKind
from .services import LogState, PrintedHead, Status

KIND_TITLES = {
    DocumentKind.RESULT_ANNOUNCEMENT: _l("Announcement of a vote's result"),
    DocumentKind.VOTE_MINUTES: _l("Minutes of an owners' assembly vote"),
    DocumentKind.MEETING_MINUTES: _l("Minutes of a committee meeting"),
    DocumentKind.FILING_FORM: _l("Election result filing form"),
    DocumentKind.ACTIVATION_LETTER: _l("Owner account activation letter"),
    DocumentKind.FUND_STATEMENT: _l("Fund statement"),
    DocumentKind.BOARD_NOTICE: _l("Notice of a board entry"),
    DocumentKind.SERVICE_RATING: _l("Owners' rating of the property-service company"),
    DocumentKind.CANDIDATE_LIST: _l("Candidate list for posting"),
    DocumentKind.HANDOVER_RECORD: _l("Committee handover record"),
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
LOG_TEXTS = {
    LogState.INTACT: _l("The audit log still holds this entry exactly as it was when the document was issued."),
    LogState.ALTERED: _l("The audit log no longer holds this entry as it was when the document was issued: the log "
                         "has been altered since. Tell the sub-district office."),
    LogState.NOT_RECORDED: _l("This document was issued before documents recorded the audit log's state."),
}
PRINTED_TEXTS = {
    PrintedHead.MATCHES: _l("The audit log hash you typed matches the one recorded when the document was issued."),
    PrintedHead.DIFFERS: _l("The audit log hash you typed differs from the one recorded when the document was "
                            "issued: either the copy or this platform's records have been altered. Tell the "
                            "sub-district office."),
}
