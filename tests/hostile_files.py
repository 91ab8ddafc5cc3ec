"""Hostile import files, generated on demand (never committed as binaries).

Each reproduces an upload that held a gunicorn worker at full CPU until it was
killed (issue 12, point 4):

- ``declared_dimension_xlsx``: a workbook of 1.7 KB whose sheet declares the range
  ``A1:XFD1048576`` (16,384 columns by 1,048,576 rows) and holds two rows and its last cell;
- ``zip_bomb_xlsx``: a workbook of 2.2 MB whose sheet inflates to 482 MB of XML;
- ``million_row_csv``: a CSV of 1,000,000 rows (12 MB, under the upload limit).

Each takes a header (and the roll's or the bank file's columns), so that a reader
gets past the header to the part that hurts.

The tests and ``bench/hostile_imports.py`` use the same files.
"""
from __future__ import annotations

import contextlib
import functools
import io
import signal
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<dimension ref="{dimension}"/><sheetData>')
SHEET_END = "</sheetData></worksheet>"

ROLL_HEADER = ("楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码")
ROLL_ROW = ("1", "1-101", "88.5", "登记", "王伟", "310101199001011234")
BANK_HEADER = ("交易日期", "交易金额", "对方户名", "摘要", "交易流水号")
BANK_ROW = ("2026-07-01", "1", "张三", "停车费", "T1")


def _cell(column: int, row: int, value: str) -> str:
    letter = chr(ord("A") + column)
    return f'<c r="{letter}{row}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(number: int, values: tuple[str, ...]) -> str:
    return f'<row r="{number}">' + "".join(_cell(i, number, v) for i, v in enumerate(values)) + "</row>"


def _workbook(sheet_writer, compresslevel: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet_writer(sheet)
    return out.getvalue()


LAST_CELL = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>.</t></is></c></row>'


@functools.cache
def declared_dimension_xlsx(header: tuple[str, ...] = ROLL_HEADER, row: tuple[str, ...] = ROLL_ROW) -> bytes:
    """About 1.7 KB: a header, one row and a dot in the sheet's last cell (XFD1048576), under
    the declared range of 16,384 x 1,048,576 cells. A reader that pads every row to the
    declared width and yields the empty rows between visits 17 billion cells."""

    def write(sheet):
        sheet.write(SHEET_START.format(dimension="A1:XFD1048576").encode())
        sheet.write((_row(1, header) + _row(2, row) + LAST_CELL).encode())
        sheet.write(SHEET_END.encode())

    return _workbook(write)


ZIP_BOMB_ROWS = 880_000  # 482 MB of sheet XML
BOMB_ROW = ('<row>' + "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>'
                              for value in ["1", "1-1", "1", "登记", "一" * 100, "1234"]) + "</row>")


@functools.cache
def zip_bomb_xlsx(header: tuple[str, ...] = ROLL_HEADER, rows: int = ZIP_BOMB_ROWS) -> bytes:
    """2.2 MB that inflates to 482 MB: the same row, without cell references
    (which readers accept), over and over."""
    block = (BOMB_ROW * 10_000).encode()

    def write(sheet):
        sheet.write(SHEET_START.format(dimension=f"A1:F{rows + 1}").encode())
        sheet.write(_row(1, header).encode())
        for _ in range(rows // 10_000):
            sheet.write(block)
        sheet.write((BOMB_ROW * (rows % 10_000)).encode())
        sheet.write(SHEET_END.encode())

    return _workbook(write)


MILLION = 1_000_000
ROLL_CSV_HEADER = "building,unit,area,area_source,owner_name,id_number\n"
ROLL_CSV_ROW = "1,1,1,1,1,1\n"
BANK_CSV_HEADER = "交易日期,交易金额,对方户名,摘要,交易流水号\n"
BANK_CSV_ROW = "20260701,1,a,,\n"


@functools.cache
def million_row_csv(rows: int = MILLION, header: str = ROLL_CSV_HEADER, row: str = ROLL_CSV_ROW) -> bytes:
    """A CSV of a million short rows (12 to 15 MB): under the 16 MiB upload limit."""
    return (header + row * rows).encode()


class StillReading(AssertionError):
    """Raised in the test when a reader is still busy after gunicorn's timeout."""


@contextlib.contextmanager
def watchdog(seconds: int = 30):
    """Fail a test whose reader is still busy after ``seconds`` (gunicorn's default timeout, the
    one that killed the workers) instead of letting it run on for hours. A guard against a hang,
    not a measure of speed: bench/hostile_imports.py measures."""

    def expire(_signum, _frame):
        raise StillReading(f"still reading after {seconds} s: the file holds the worker")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def closed(response):
    """``response`` after closing its request's body. Werkzeug's test client spools a body of
    more than 500 KB to a temporary file that nobody closes (a ResourceWarning, an error here)."""
    response.request.environ["wsgi.input"].close()
    return response
