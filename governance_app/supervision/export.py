"""The dashboard's rows as a file (CSV with a BOM for Excel, or XLSX), made by a job (tasks.py),
and the words the dashboard's page shares with it."""
from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

from flask_babel import gettext as _

from . import views
from .messages import KIND_TITLES, STAGE_TITLES

FORMULA_STARTS = ("=", "+", "-", "@")


def duty_kind_title(kind: str) -> str:
    return {"supervision.report": _("Re-election report (R-47)"), "supervision.group": _("Re-election group (R-47)"),
            "supervision.filing": _("Filing (R-46)"), "voting.post_result": _("Result not posted (R-42)"),
            "disclosure.post_decisions": _("Committee decisions not posted (R-42)"),
            "funds.statement": _("Statement (R-50)"), "funds.top_up": _("Fund top-up (R-52)"),
            "funds.question": _("Owners' questions after 14 days")}.get(kind, kind)


class CommitteeWords:
    """What the dashboard and its file say of an estate's committee, in the reader's language,
    each phrase translated once (the page's ``Words`` adds its own)."""

    def __init__(self):
        self.stage_at = _("%(kind)s at stage %(number)d (%(stage)s)")
        self.stage_day = _(", day %(day)d")
        self.term_ends = _("Term ends in %(months)d months (%(day)s)")
        self.in_term = _("In term until %(day)s")
        self.no_committee = _("No committee")
        self.kinds = {kind: str(title) for kind, title in KIND_TITLES.items()}
        self.stages = {stage: str(title) for stage, title in STAGE_TITLES.items()}

    def committee(self, row) -> str:
        if row.committee == "process":
            text = self.stage_at % {"kind": self.kinds[row.kind],
                                    "number": views.rules.stage_number(row.stage) if row.stage else 1,
                                    "stage": self.stages[row.stage or "term"]}
            return text + (self.stage_day % {"day": row.stage_day} if row.stage_day is not None else "")
        if row.committee == "term_ends":
            return self.term_ends % {"months": row.months_left, "day": row.term_ends_on}
        if row.committee == "in_term":
            return self.in_term % {"day": row.term_ends_on}
        return self.no_committee


def export_rows(rows, today: dt.date, progress: Callable[[int, int], None] | None = None) -> list[list[str]]:
    """The dashboard's rows as a table: one line per duty (or per estate without one).
    ``progress(done, total)`` hears of the estates as they are written."""
    table = [[_("Estate"), _("Community"), _("Committee"), _("Duty"), _("Rule"), _("Due"), _("Days overdue")]]
    words = CommitteeWords()
    for number, row in enumerate(rows, start=1):
        committee = words.committee(row)
        for duty in row.duties or [None]:
            if duty is None:
                table.append([row.name, row.community, committee, "", "", "", ""])
            else:
                table.append([row.name, row.community, committee, str(duty.title), duty.rule, duty.due.isoformat(),
                              str(max(-duty.days_left(today), 0))])
        if progress is not None:
            progress(number, len(rows))
    return table


def table_csv(table: list[list[str]]) -> bytes:
    """UTF-8 with a BOM (Excel reads it as such); a cell that Excel would take for a formula is kept
    as text."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in table:
        writer.writerow(["'" + cell if cell[:1] in FORMULA_STARTS else cell for cell in row])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(table: list[list[str]]) -> bytes:
    from openpyxl import Workbook  # only this file needs it

    workbook = Workbook()
    sheet = workbook.active
    for number, row in enumerate(table, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column, value=value)
            cell.data_type = "s"  # text, never a formula
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
