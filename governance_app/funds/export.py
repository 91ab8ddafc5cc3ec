"""A statement as a file owners can open in Excel: CSV (UTF-8 with BOM) or XLSX.

Pure: takes a ``StatementView`` and words for the labels, returns bytes. Amounts go
from integer fen to ``Decimal`` (never through float arithmetic), so the entry rows add
up to the totals exactly. Both files hold values only: no formulas, and text that would
look like one to Excel (=, +, -, @) is kept as text.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from .rules import plain_yuan, signed
from .values import StatementView

# The words of the file; the caller passes them translated (any key left out stays English).
LABELS = {
    "estate": "Estate",
    "account": "Account",
    "period": "Period",
    "opening": "Opening balance",
    "date": "Date",
    "direction": "Direction",
    "in": "Income",
    "out": "Expense",
    "category": "Category",
    "counterparty": "Counterparty",
    "description": "Description",
    "amount": "Amount (yuan)",
    "signed": "Signed amount (yuan)",
    "authority": "Authority",
    "totals_in": "Income by category",
    "totals_out": "Expense by category",
    "total_in": "Total income",
    "total_out": "Total expense",
    "closing": "Closing balance",
}
AMOUNT_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Money:
    fen: int

    def decimal(self) -> Decimal:
        return Decimal(self.fen) / 100


Cell = str | dt.date | Money | None
ENTRY_HEADER_ROW = 6  # the row naming the entry columns, below the header block
ENTRY_COLUMNS = ("date", "direction", "category", "counterparty", "description", "amount", "signed", "authority")


def statement_rows(view: StatementView, labels: dict[str, str] | None = None) -> list[list[Cell]]:
    """The statement as rows of cells, the same for both files."""
    words = {**LABELS, **(labels or {})}
    _check_totals(view)
    rows: list[list[Cell]] = [
        [words["estate"], view.estate],
        [words["account"], view.account_title],
        [words["period"], view.period_start, view.period_end],
        [words["opening"], Money(view.opening_balance)],
        [],
        [words[column] for column in ENTRY_COLUMNS],
    ]
    for entry in view.entries:
        rows.append([entry.day, words[entry.direction], entry.category_title, entry.counterparty,
                     entry.description, Money(entry.amount), Money(signed(entry.direction, entry.amount)),
                     entry.authority])
    titles = {(entry.direction, entry.category): entry.category_title for entry in view.entries}
    for direction in ("in", "out"):
        rows += [[], [words[f"totals_{direction}"]]]
        for category, fen in view.totals.get(direction, {}).items():
            rows.append([titles.get((direction, category), words.get(category, category)), Money(fen)])
    rows += [
        [],
        [words["total_in"], Money(view.total_in)],
        [words["total_out"], Money(view.total_out)],
        [words["closing"], Money(view.closing_balance)],
    ]
    return rows


def _check_totals(view: StatementView) -> None:
    """A file whose rows do not add up must never reach an owner: this is a bug upstream."""
    sums: dict[str, dict[str, int]] = {"in": {}, "out": {}}
    for entry in view.entries:
        sums[entry.direction][entry.category] = sums[entry.direction].get(entry.category, 0) + entry.amount
    totals = {direction: {c: fen for c, fen in view.totals.get(direction, {}).items() if fen}
              for direction in ("in", "out")}
    if sums != totals or view.opening_balance + view.total_in - view.total_out != view.closing_balance:
        raise ValueError(f"statement {view.account_title!r} {view.period_start}..{view.period_end}: "
                         f"totals {view.totals} and balances do not match the entries {sums}")


def statement_csv(view: StatementView, labels: dict[str, str] | None = None) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in statement_rows(view, labels):
        writer.writerow([_csv_text(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Money):
        return plain_yuan(cell.fen)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return _as_text(cell)


def _as_text(text: str) -> str:
    """Excel runs a CSV cell starting with = + - @ as a formula; a quote keeps it text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def statement_xlsx(view: StatementView, labels: dict[str, str] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Statement"
    rows = statement_rows(view, labels)
    bold = Font(bold=True)
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            if isinstance(value, Money):
                cell.value = value.decimal()
                cell.number_format = AMOUNT_FORMAT
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = DATE_FORMAT
            elif value is not None:
                cell.value = value
                cell.data_type = "s"  # openpyxl would take "=..." for a formula
        if len(row) == 1 or row_number == ENTRY_HEADER_ROW:  # section titles, entry header
            for cell in sheet[row_number]:
                cell.font = bold
    for letter, width in zip("ABCDEFGH", (14, 12, 18, 24, 36, 16, 18, 30)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{ENTRY_HEADER_ROW + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
