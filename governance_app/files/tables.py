"""Reading an uploaded table (CSV text or an XLSX workbook) within limits.

Roll and bank files come from outside, and one file must not hold a worker (issue 12):

- a workbook is refused before it is parsed when its archive would inflate beyond a bound,
  or beyond what a spreadsheet compresses to (a zip bomb): the sizes are read from the
  archive's directory (``zipfile.ZipFile.infolist``), which is also where reading stops,
  since ``zipfile`` never inflates a member past the size its directory declares;
- its sheet is read in openpyxl's read-only mode without trusting the range it declares
  (``A1:XFD1048576`` makes openpyxl pad every row to 16,384 cells and yield every empty row
  up to the millionth);
- text is decoded as it is read, and rows and columns are counted as they come: reading stops
  at the first row past a limit, so a CSV of a million rows is never held as a million rows.

Pure: no Flask, no SQLAlchemy. Each kind of file (``estates.roll_file``, ``funds.bank_file``)
has its limits and turns ``LimitExceeded`` into a problem in its own words.
"""
from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

EXCEL_LAST_ROW = 1_048_576  # no spreadsheet has a row after this one
ARCHIVE_MEMBERS = 200  # a workbook has a dozen parts, a few more per sheet
# Sheets compress 5 to 30 times (a 100,000-row roll: 15 times); only a member made to inflate
# compresses more than this. Small members (styles, a workbook of a few rows) are not judged.
COMPRESSION_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# Empty cells past the last column (a cell formatted far to the right) are ignored, up to this
# many in a file; beyond, the file is refused as too wide (each costs openpyxl a padded row).
EMPTY_CELLS_BEYOND = 1_000_000
# What means "not a workbook we can read": a damaged archive (BadZipFile, zlib.error, EOFError),
# a part missing (KeyError) or malformed (SyntaxError: XML; ValueError, TypeError: values),
# no sheet at all (IndexError).
UNREADABLE_XLSX = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, SyntaxError, ValueError,
                   TypeError, IndexError)


class LimitExceeded(Exception):
    """``reason``: too_many_rows, too_many_columns, beyond_last_row, xlsx_too_large or xlsx_packed;
    ``row``: the row (line or sheet row) where reading stopped, 0 for the whole file."""

    def __init__(self, reason: str, row: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.row = row


@dataclass(frozen=True)
class Limits:
    rows: int  # non-empty rows, every one counted (title rows, the header, totals)
    columns: int  # cells of a row, counted from the first column
    unpacked_bytes: int  # what a workbook's parts may inflate to, in all


class RowCounter:
    """Counts rows as they are read and keeps each within the column limit."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = 0
        self.empty_beyond = 0

    def cut(self, number: int, values: Sequence, blank: Callable[[object], bool]) -> Sequence:
        """``values`` cut to the column limit; raises ``LimitExceeded`` at a value past the last
        column that is not ``blank``. A row whose last cell is in column XFD has 16,384 values,
        nearly all None: those are counted at C speed."""
        if len(values) <= self.limits.columns:
            return values
        beyond = values[self.limits.columns:]
        if beyond.count(None) != len(beyond) and not all(blank(value) for value in beyond):
            raise LimitExceeded("too_many_columns", number)
        self.empty_beyond += len(beyond)
        if self.empty_beyond > EMPTY_CELLS_BEYOND:
            raise LimitExceeded("too_many_columns", number)
        return values[:self.limits.columns]

    def take(self, number: int, cells: list[str]) -> list[str] | None:
        """``cells`` cut to the column limit, or None for an empty row; raises ``LimitExceeded``
        past the last column, past the last row allowed, or past the last row a sheet can have."""
        if number > EXCEL_LAST_ROW:
            raise LimitExceeded("beyond_last_row", number)
        cells = list(self.cut(number, cells, _blank_text))
        if not any(cell.strip() for cell in cells):
            return None
        self.rows += 1
        if self.rows > self.limits.rows:
            raise LimitExceeded("too_many_rows", number)
        return cells


def _blank_text(cell) -> bool:
    return not cell.strip()


def text_lines(content: bytes, encoding: str) -> Iterator[str]:
    """The lines of ``content`` as they are decoded, with their ends (\\n, \\r\\n or \\r) as
    ``csv`` wants them; ``UnicodeDecodeError`` comes when the text stops decoding."""
    return io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")


def check_archive(content: bytes, limits: Limits) -> None:
    """Refuse a workbook whose archive would inflate too far, before anything is inflated.
    ``zipfile.BadZipFile`` when it is not an archive."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
    if len(members) > ARCHIVE_MEMBERS:
        raise LimitExceeded("xlsx_too_large")
    for member in members:
        # bzip2 and LZMA members inflate a read's worth of input whole, however far that goes;
        # spreadsheets only ever use deflate.
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise LimitExceeded("xlsx_packed")
        if packed_too_tightly(member.file_size, member.compress_size):
            raise LimitExceeded("xlsx_packed")
    if sum(member.file_size for member in members) > limits.unpacked_bytes:
        raise LimitExceeded("xlsx_too_large")


def packed_too_tightly(file_size: int, compress_size: int) -> bool:
    """A member over RATIO_FROM_BYTES that inflates more than COMPRESSION_RATIO times."""
    return file_size > RATIO_FROM_BYTES and file_size > COMPRESSION_RATIO * max(compress_size, 1)


def xlsx_rows(content: bytes, limits: Limits, cell_text: Callable[[object], str]) -> list[tuple[int, list[str]]]:
    """The non-empty rows of the workbook's first sheet, with their sheet row numbers, each cell
    as ``cell_text`` writes it. Raises ``LimitExceeded``, or one of ``UNREADABLE_XLSX``."""
    from openpyxl import load_workbook

    check_archive(content, limits)
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Read the rows the sheet has, each as wide as its last cell, instead of the range it
        # declares; rows missing from the sheet come as empty tuples.
        sheet.reset_dimensions()
        counter = RowCounter(limits)
        table = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if not values:  # a row the sheet does not have
                if number > EXCEL_LAST_ROW:
                    raise LimitExceeded("beyond_last_row", number)
                continue
            values = counter.cut(number, values, lambda value: value is None or not cell_text(value).strip())
            cells = counter.take(number, [cell_text(value) for value in values])
            if cells is not None:
                table.append((number, cells))
        return table
    finally:
        workbook.close()



def first_undecodable_line(content: bytes, encoding: str = "utf-8") -> int:
    """The line of the first byte that is not ``encoding`` (1 if every line decodes). A line at a
    time: no multi-byte character of UTF-8 or GB18030 holds the byte of a line feed."""
    for number, line in enumerate(io.BytesIO(content), start=1):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            return number
    return 1
