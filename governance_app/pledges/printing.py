"""What the board prints: 告知书, the notice telling a person of a black-board entry (R-62).

``documents`` numbers, registers and draws it from the plain values ``services.notice_data``
builds (the name masked, R-61).
"""
from __future__ import annotations

from ..documents import services as documents
from ..documents.models import DocumentKind


def board_notice_pdf(data: dict, *, estate_id: int, entry_id: int, actor) -> bytes:
    """The person is told of an entry before it is shown, and of the objection window. The caller commits."""
    return documents.one_pdf(DocumentKind.BOARD_NOTICE, "pdf/board_notice.html", estate_id, "board_entry",
                             entry_id, data, actor)
