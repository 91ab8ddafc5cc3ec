"""R-65: the red board's owners eligible for community services, as CSV (UTF-8 with BOM) or XLSX.

Pure: rows of plain values in, bytes out. Cells that Excel would run as a formula are kept as text.
Only the red board is ever exported; the black board has no export, feed or list outside its
estate's page (R-64).
"""
from __future__ import annotations

import csv
import datetime as dt
import io

COLUMNS = ("name", "unit", "deed", "clause", "reason", "from", "until")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value or "")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table(rows: list[dict], headers: dict[str, str], deeds: dict[str, str]) -> list[list[str]]:
    return [[headers[c] for c in COLUMNS]] + [
        [_text(deeds.get(row[c], row[c]) if c == "deed" else row[c]) for c in COLUMNS] for row in rows]


def as_csv(cells: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out).writerows(cells)
    return out.getvalue().encode("utf-8-sig")


def as_xlsx(cells: list[list[str]]) -> bytes:
    from openpyxl import Workbook  # heavy: only when a file is asked for

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Red board"
    for row in cells:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
