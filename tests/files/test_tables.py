"""Reading uploaded tables within limits (issue 12, point 4): a workbook is judged by its
archive's directory before anything is inflated, its declared range is not trusted, and rows
and columns are counted as they are read, so reading stops at the first one past a limit."""
from __future__ import annotations

import io
import random
import zipfile

import pytest

from governance_app.files import tables
from governance_app.files.tables import LimitExceeded, Limits
from tests.hostile_files import declared_dimension_xlsx, zip_bomb_xlsx

LIMITS = Limits(rows=100, columns=10, unpacked_bytes=4 * 1024 * 1024)


def archive(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as packed:
        for name, content in members.items():
            packed.writestr(name, content)
    return out.getvalue()


def reason(call) -> tuple[str, int]:
    with pytest.raises(LimitExceeded) as caught:
        call()
    return caught.value.reason, caught.value.row


@pytest.fixture
def inflated(monkeypatch) -> list[str]:
    """The archive members anything opened for reading."""
    opened: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self, name, mode="r", *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return original(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return opened


# --- the archive, before anything is inflated ---------------------------------------------------

def test_the_zip_bomb_is_refused_from_its_directory_without_inflating_a_byte(inflated):
    content = zip_bomb_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/worksheets/sheet1.xml")
    assert (len(content) < 2_500_000, sheet.file_size > 480_000_000) == (True, True)
    inflated.clear()
    assert reason(lambda: tables.xlsx_rows(content, LIMITS, str)) == ("xlsx_packed", 0)
    assert inflated == []


@pytest.mark.parametrize("file_size, compress_size, refused", [
    (100 * 20_000 - 1, 20_000, False), (100 * 20_000, 20_000, False), (100 * 20_000 + 1, 20_000, True),
    (tables.RATIO_FROM_BYTES, 1, False), (tables.RATIO_FROM_BYTES + 1, 1, True), (2_000_000, 0, True),
])
def test_a_member_is_packed_too_tightly_beyond_a_hundredfold_from_one_mib(file_size, compress_size, refused):
    assert tables.packed_too_tightly(file_size, compress_size) == refused


def test_a_member_inflating_two_hundredfold_is_refused_fiftyfold_accepted():
    noise = random.Random(12).randbytes(40_000)  # incompressible: sets the ratio
    for zeros, refused in ((50, False), (200, True)):
        content = archive({"sheet.xml": noise + b"\0" * (len(noise) * zeros)})
        info = zipfile.ZipFile(io.BytesIO(content)).infolist()[0]
        assert (info.file_size > tables.COMPRESSION_RATIO * info.compress_size) == refused
        if refused:
            assert reason(lambda: tables.check_archive(content, LIMITS)) == ("xlsx_packed", 0)
        else:
            tables.check_archive(content, Limits(rows=1, columns=1, unpacked_bytes=10 ** 8))


def test_small_members_are_not_judged_by_their_ratio():
    tables.check_archive(archive({"styles.xml": b" " * 500_000}), LIMITS)


def test_an_archive_inflating_beyond_the_limit_is_refused_at_n_plus_one():
    noise = random.Random(3).randbytes(LIMITS.unpacked_bytes // 2)
    at_limit = archive({"a.xml": noise, "b.xml": noise}, zipfile.ZIP_STORED)
    tables.check_archive(at_limit, LIMITS)
    over = archive({"a.xml": noise, "b.xml": noise + b"!"}, zipfile.ZIP_STORED)
    assert reason(lambda: tables.check_archive(over, LIMITS)) == ("xlsx_too_large", 0)


def test_members_packed_with_bzip2_or_lzma_are_refused():
    for method in (zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
        content = archive({"sheet.xml": b"<x/>"}, method)
        assert reason(lambda: tables.check_archive(content, LIMITS)) == ("xlsx_packed", 0)


def test_an_archive_of_too_many_members_is_refused():
    content = archive({f"part{n}.xml": b"<x/>" for n in range(tables.ARCHIVE_MEMBERS + 1)})
    assert reason(lambda: tables.check_archive(content, LIMITS)) == ("xlsx_too_large", 0)
    tables.check_archive(archive({f"part{n}.xml": b"<x/>" for n in range(tables.ARCHIVE_MEMBERS)}), LIMITS)


def test_not_an_archive_is_unreadable():
    with pytest.raises(tables.UNREADABLE_XLSX):
        tables.xlsx_rows(b"PK\x03\x04 not really", LIMITS, str)


# --- the sheet: its declared range is not trusted ------------------------------------------------

def test_the_declared_range_a1_xfd1048576_is_not_padded_and_reading_stops_at_the_far_cell():
    content = declared_dimension_xlsx()
    assert len(content) < 2000
    converted = []

    def cell_text(value) -> str:
        converted.append(value)
        return "" if value is None else str(value)

    assert reason(lambda: tables.xlsx_rows(content, LIMITS, cell_text)) == ("too_many_columns", 1_048_576)
    # Two rows of six cells were made text, and the dot far to the right was looked at: never a
    # row of 16,384 cells, never an empty row.
    assert converted[12:] == ["."]
    assert len(converted) == 13


def test_rows_of_a_sheet_are_counted_and_reading_stops_past_the_limit():
    from openpyxl import Workbook

    def workbook(rows: int) -> bytes:
        book = Workbook()
        for number in range(rows):
            book.active.append([f"r{number}", "x"])
        book.active.append([])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    assert len(tables.xlsx_rows(workbook(LIMITS.rows), LIMITS, lambda v: "" if v is None else str(v))) == LIMITS.rows
    assert reason(lambda: tables.xlsx_rows(workbook(LIMITS.rows + 1), LIMITS, str)) == (
        "too_many_rows", LIMITS.rows + 1)


def test_a_sheet_row_numbered_past_the_last_row_a_sheet_can_have_stops_there():
    from tests.hostile_files import SHEET_END, SHEET_START, _workbook

    def write(sheet):
        sheet.write(SHEET_START.format(dimension="A1").encode())
        sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
                    b'<row r="2000000000"><c r="A2000000000" t="inlineStr"><is><t>b</t></is></c></row>')
        sheet.write(SHEET_END.encode())

    assert reason(lambda: tables.xlsx_rows(_workbook(write), LIMITS, str)) == (
        "beyond_last_row", tables.EXCEL_LAST_ROW + 1)


# --- rows and columns ---------------------------------------------------------------------------

def test_columns_at_the_limit_are_kept_and_a_value_beyond_it_stops_reading():
    counter = tables.RowCounter(LIMITS)
    assert counter.take(1, ["a"] * 10) == ["a"] * 10
    assert counter.take(2, ["a"] * 10 + ["", " "]) == ["a"] * 10  # empty cells beyond are dropped
    assert reason(lambda: counter.take(3, ["a"] * 10 + ["", "b"])) == ("too_many_columns", 3)


def test_empty_cells_beyond_the_last_column_are_tolerated_only_so_far():
    counter = tables.RowCounter(LIMITS)
    wide = ("a",) + (None,) * 16_383
    rows_allowed = tables.EMPTY_CELLS_BEYOND // (16_384 - LIMITS.columns)
    for number in range(1, rows_allowed + 1):
        assert len(counter.cut(number, wide, lambda value: value is None)) == LIMITS.columns
    assert reason(lambda: counter.cut(rows_allowed + 1, wide, lambda value: value is None)) == (
        "too_many_columns", rows_allowed + 1)


def test_rows_are_counted_empty_rows_are_not():
    counter = tables.RowCounter(Limits(rows=2, columns=5, unpacked_bytes=0))
    assert counter.take(1, ["a"]) == ["a"]
    assert counter.take(2, [" ", ""]) is None
    assert counter.take(3, ["b"]) == ["b"]
    assert reason(lambda: counter.take(4, ["c"])) == ("too_many_rows", 4)
    assert reason(lambda: tables.RowCounter(LIMITS).take(tables.EXCEL_LAST_ROW + 1, [""])) == (
        "beyond_last_row", tables.EXCEL_LAST_ROW + 1)


def test_text_is_decoded_as_it_is_read():
    lines = tables.text_lines(("a,b\r\n" * 100_000 + "\xff").encode("latin-1"), "utf-8")
    assert [next(lines) for _ in range(3)] == ["a,b\r\n"] * 3  # the bad byte is far ahead
    with pytest.raises(UnicodeDecodeError):
        list(lines)


def test_the_module_imports_no_framework():
    import re
    from pathlib import Path

    source = Path(tables.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+(flask|flask_babel|sqlalchemy)\b", source, re.M)
