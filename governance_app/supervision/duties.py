"""The re-election's duties (core.duties): the committee's report (R-47), the group (R-47) and the
filing (R-46). Results to post (R-42) are the voting package's duty.

Three queries whatever the number of estates: the committees' terms, the open processes, their stages
(none more for the dashboard, which reads them for its rows and passes them to :func:`duties_of`).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.duties import Duty, in_estates, register_source
from ..disclosure import services as disclosure_services
from ..extensions import db
from . import rules
from .models import ProcessKind, ReElection, StageRecord


def open_processes(estate_ids: list[int]) -> dict[int, tuple[ReElection, dict[str, StageRecord]]]:
    """The open process of each estate and its recorded stages, in two queries."""
    processes = db.session.scalars(select(ReElection).where(in_estates(ReElection.estate_id, estate_ids),
                                                           ReElection.closed_on.is_(None))).all()
    stages: dict[int, dict[str, StageRecord]] = defaultdict(dict)
    if processes:
        for record in db.session.scalars(select(StageRecord).where(
                StageRecord.reelection_id.in_([p.id for p in processes]))):
            stages[record.reelection_id][record.stage] = record
    return {p.estate_id: (p, stages[p.id]) for p in processes}


def reelection_duties(estate_ids: list[int], today: dt.date) -> list[Duty]:
    return duties_of(estate_ids, today, disclosure_services.terms_ending(estate_ids), open_processes(estate_ids))


def duties_of(estate_ids: list[int], today: dt.date, ends: dict[int, dt.date],
              running: dict[int, tuple[ReElection, dict[str, StageRecord]]]) -> list[Duty]:
    """The duties from the committees' terms and the open processes already read (the dashboard
    reads them for its rows too, so it passes them here rather than reading them twice)."""
    report = _("The committee's written report on the re-election is due")  # each title translated once
    group, filing = _("Form the re-election group"), _("File the election result with the sub-district")
    duties = []
    for estate_id in estate_ids:
        link = f"/supervision/estates/{estate_id}"
        process, done = running.get(estate_id, (None, {}))
        term_end = process.term_ends_on if process is not None else ends.get(estate_id)
        reporting = process is None or (process.kind == ProcessKind.REELECTION and rules.REPORT not in done)
        if term_end is not None and reporting and today >= rules.watch_from(term_end):
            duties.append(Duty(rules.report_due(term_end), estate_id, "supervision.report", report, link, "R-47",
                               "committee"))
        if process is None:
            continue
        if rules.REPORT in done and rules.GROUP not in done:
            duties.append(Duty(rules.group_due(done[rules.REPORT].happened_on), estate_id, "supervision.group",
                               group, link, "R-47", "staff"))
        if rules.ELECTION in done and rules.FILING not in done:
            duties.append(Duty(rules.filing_due(done[rules.ELECTION].happened_on), estate_id, "supervision.filing",
                               filing, link, "R-46", "committee"))
    return duties


SOURCE = "supervision.reelection"
register_source(SOURCE, reelection_duties)
