"""Black-board entries built through the services, step by step (R-62)."""
from __future__ import annotations

import datetime as dt

from governance_app.extensions import db
from governance_app.pledges import services
from governance_app.pledges.models import Severity
from tests.disclosure.support import JPEG


def warned(estate, clause, actor, *, unit: str = "1-102", severity: Severity = Severity.MINOR,
           subject_member_id: int | None = None):
    entry = services.record_warning(estate, unit_label=unit, clause_id=clause.id, severity=severity,
                                    reason="楼道堆放纸箱，多次劝阻未清理。", warned_on=services.clock.today(),
                                    warned_by="业委会 甲", warned_how="当面劝阻，未清理。",
                                    subject_member_id=subject_member_id, actor=actor)
    db.session.commit()
    return entry


def evidenced(estate, clause, actor, **kwargs):
    entry = warned(estate, clause, actor, **kwargs)
    services.add_evidence(entry, content=JPEG + b"photo", label="照片", actor=actor)
    db.session.commit()
    return entry


def approved(estate, clause, actor, decision, **kwargs):
    entry = evidenced(estate, clause, actor, **kwargs)
    services.approve(entry, decision_id=decision.id, actor=actor)
    db.session.commit()
    return entry


def notified(estate, clause, actor, decision, **kwargs):
    entry = approved(estate, clause, actor, decision, **kwargs)
    services.notify(entry, how="当面送达告知书", actor=actor)
    db.session.commit()
    return entry


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
