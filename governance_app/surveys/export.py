"""Totals as files people open in Excel: CSV (UTF-8 with BOM) or XLSX, as the accounts do.

Pure: rows of cells in, bytes out. Values only, no formulas; text that Excel would take for a
formula (=, +, -, @) is kept as text. The caller decides what the rows hold: totals only, never
who answered what (R-72).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

from .rules import SCALE, TEXT, QuestionResult

Cell = str | int | Decimal | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def area_decimal(hundredths: int) -> Decimal:
    """An area of hundredths of m² as an exact decimal."""
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


def tenths_decimal(tenths: int | None) -> Decimal | None:
    return None if tenths is None else (Decimal(tenths) / 10).quantize(Decimal("0.1"))


def survey_rows(results: Sequence[QuestionResult], texts: Mapping[str, str], heads: int, area: int,
                words: Mapping[str, str]) -> list[list[Cell]]:
    """A survey's totals: per option its owners and area, per scale point its owners, the owners
    who answered each question; then the owners and area in scope. Never one owner's answer."""
    rows: list[list[Cell]] = [[words["question"], words["answer"], words["owners"], words["area"]]]
    for result in results:
        text = f"{result.question.key} {texts[result.question.key]}"
        rows += [[text, option.option, option.heads, area_decimal(option.area)] for option in result.options]
        rows += [[text, str(point), count, None] for point, count in zip(SCALE, result.scale)]
        if result.question.kind == TEXT:
            rows.append([text, words["written"], result.heads, None])
        rows.append([text, words["answered"], result.heads, area_decimal(result.area)])
    rows.append([words["in_scope"], "", heads, area_decimal(area)])
    return rows


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return "'" + cell if cell.startswith(FORMULA_STARTS) else cell
    return str(cell)


def table_csv(rows: list[list[Cell]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([_text(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(rows: list[list[Cell]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row_number, row in enumerate(rows, start=1):
        for column_number, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would take "=..." for a formula
            elif isinstance(value, Decimal):
                cell.number_format = "0.00"
        if row_number == 1:
            for cell in sheet[row_number]:
                cell.font = Font(bold=True)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
