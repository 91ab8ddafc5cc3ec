"""The re-election's PDFs: the candidate list for posting (R-47, R-48) and the handover record,
numbered by the documents package and checkable on its check page."""
from __future__ import annotations

from ..documents import services as documents
from ..documents.models import DocumentKind
from ..extensions import db
from . import rules
from .models import Decision, ReElection

SOURCE_WORDS = {"self": "本人自荐", "joint": "业主联名推荐", "community": "居民委员会推荐", "party": "居民区党组织推荐"}


def candidate_list_data(process_id: int) -> dict | None:
    process = db.session.get(ReElection, process_id)
    if process is None or rules.POSTING not in process.recorded():
        return None
    posted = process.recorded()[rules.POSTING].happened_on
    return {"estate": process.estate.name, "process": process.id, "kind": process.kind.value, "seats": process.seats,
            "structure": process.structure, "structure_by_community": process.structure_by_community,
            "posted_on": posted.isoformat(),
            "posting_last_day": rules.posting_last_day(posted, process.posting_days).isoformat(),
            "candidates": [{"name": n.name, "unit": n.unit, "source": SOURCE_WORDS[n.source.value],
                            "nominated_by": n.nominated_by, "pledge_signed": n.pledge_signed}
                           for n in process.nominees if n.decision == Decision.APPROVED],
            "rule": "R-47"}


def handover_data(process_id: int) -> dict | None:
    process = db.session.get(ReElection, process_id)
    if process is None or not process.handover:
        return None
    return {"estate": process.estate.name, "process": process.id, "on": process.handover["on"],
            "items": process.handover["items"], "signed": process.handover["signed"],
            "group": [{"name": m.name, "role": m.role.value} for m in process.members]}


def candidate_list_pdf(process: ReElection, actor) -> bytes:
    return documents.one_pdf(DocumentKind.CANDIDATE_LIST, "supervision/pdf/candidate_list.html",
                               process.estate_id, "reelection", process.id, candidate_list_data(process.id), actor)


def handover_pdf(process: ReElection, actor) -> bytes:
    return documents.one_pdf(DocumentKind.HANDOVER_RECORD, "supervision/pdf/handover.html",
                               process.estate_id, "reelection", process.id, handover_data(process.id), actor)


documents.register_current_source(DocumentKind.CANDIDATE_LIST, candidate_list_data)
documents.register_current_source(DocumentKind.HANDOVER_RECORD, handover_data)
