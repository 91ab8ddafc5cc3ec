"""Reading bank statement exports (CSV in UTF-8/GBK/UTF-16, XLSX): rows, mapping, problems."""
import codecs
import csv
import datetime as dt
import io
import zipfile
import re
from pathlib import Path

import pytest
from openpyxl import Workbook

from governance_app.funds.bank_file import (
    MAPPING_FIELDS, MAX_COLUMNS, MAX_LINES, MAX_PROBLEMS, BankRow, Problem, guess_mapping, read_bank_rows, read_table,
    validate_mapping,
)
from tests.hostile_files import (
    BANK_CSV_HEADER, BANK_CSV_ROW, BANK_HEADER, BANK_ROW, declared_dimension_xlsx, million_row_csv, watchdog,
    zip_bomb_xlsx,
)

SIGNED_HEADER = ["交易日期", "交易金额", "对方户名", "摘要", "交易流水号"]
SIGNED_MAPPING = {"date": "交易日期", "amount": "交易金额", "counterparty": "对方户名", "description": "摘要",
                  "reference": "交易流水号"}
IN_OUT_HEADER = ["记账日期", "收入金额", "支出金额", "对方账户名称", "用途", "流水号"]
IN_OUT_MAPPING = {"date": "记账日期", "amount_in": "收入金额", "amount_out": "支出金额",
                  "counterparty": "对方账户名称", "description": "用途", "reference": "流水号"}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_raw_number(content: bytes, written: str, raw: str) -> bytes:
    """Excel writes 17 significant digits where openpyxl writes 16: put Excel's text in the sheet."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert f"<v>{written}</v>".encode() in data
                data = data.replace(f"<v>{written}</v>".encode(), f"<v>{raw}</v>".encode())
            target.writestr(item, data)
    return out.getvalue()


def signed_file(*rows: list[str]) -> bytes:
    return csv_bytes([SIGNED_HEADER, *rows])


def in_out_file(*rows: list[str]) -> bytes:
    return csv_bytes([IN_OUT_HEADER, *rows])


def problems(content: bytes, mapping: dict, filename: str = "bank.csv") -> list[tuple]:
    parsed = read_bank_rows(content, filename, mapping)
    assert not parsed.ok
    assert parsed.rows == []  # the caller writes nothing while there is any problem
    return [(p.row, p.column, p.reason, p.value) for p in parsed.problems]


def one_row(content: bytes, mapping: dict, filename: str = "bank.csv") -> BankRow:
    parsed = read_bank_rows(content, filename, mapping)
    assert parsed.problems == []
    assert len(parsed.rows) == 1
    return parsed.rows[0]


# --- a good file ----------------------------------------------------------------------

def test_signed_amounts_become_rows_with_direction_and_positive_fen():
    parsed = read_bank_rows(signed_file(
        ["2026-07-01", "1,234.50", "张三", "停车费 7月", "T001"],
        ["2026-07-02", "-20", "国网上海电力", "电费", "T002"],
    ), "bank.csv", SIGNED_MAPPING)
    assert parsed.ok
    assert parsed.rows == [
        BankRow(2, dt.date(2026, 7, 1), "in", 123450, "张三", "停车费 7月", "T001"),
        BankRow(3, dt.date(2026, 7, 2), "out", 2000, "国网上海电力", "电费", "T002"),
    ]


def test_in_and_out_columns_become_rows():
    parsed = read_bank_rows(in_out_file(
        ["2026/7/1", "500.00", "", "李四", "广告位租金", "R1"],
        ["2026/7/3", "", "88.8", "物业公司", "水泵维修", "R2"],
    ), "bank.csv", IN_OUT_MAPPING)
    assert [(r.row, r.day, r.direction, r.amount, r.counterparty, r.description, r.reference)
            for r in parsed.rows] == [
        (2, dt.date(2026, 7, 1), "in", 50000, "李四", "广告位租金", "R1"),
        (3, dt.date(2026, 7, 3), "out", 8880, "物业公司", "水泵维修", "R2"),
    ]


def test_unmapped_optional_fields_are_empty_text():
    row = one_row(csv_bytes([["日期", "金额", "余额"], ["2026-07-01", "10", "999"]]),
                  {"date": "日期", "amount": "金额"})
    assert (row.counterparty, row.description, row.reference) == ("", "", "")


def test_a_form_may_send_empty_strings_for_fields_not_in_the_file():
    row = one_row(signed_file(["2026-07-01", "10", "张三", "x", "T1"]),
                  {**SIGNED_MAPPING, "amount_in": "", "amount_out": "", "reference": ""})
    assert row.reference == ""


# --- encodings, delimiters and title rows ---------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings(encoding):
    headers, rows, found = read_table(signed_file(["2026-07-01", "10", "张三", "停车费", "T1"])
                                      .decode("utf-8").encode(encoding), "bank.csv")
    assert found == []
    assert headers == SIGNED_HEADER  # no BOM stuck to the first header
    assert rows == [(2, ["2026-07-01", "10", "张三", "停车费", "T1"])]


def test_gb18030_characters_beyond_gbk():
    content = csv_bytes([SIGNED_HEADER, ["2026-07-01", "10", "𠀾记商行", "停车费", "T1"]], "gb18030")
    assert one_row(content, SIGNED_MAPPING).counterparty == "𠀾记商行"


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_bad_encoding_names_the_line(encoding):
    content = csv_bytes([SIGNED_HEADER, ["2026-07-01", "10", "张三", "x", "T1"]], encoding)
    content += b"2026-07-02,10,\xff\xfe\xff,x,T2\r\n"
    assert problems(content, SIGNED_MAPPING) == [(3, "", "encoding", "")]


def test_bad_utf16_file():
    assert problems(codecs.BOM_UTF16_LE + b"a\x00\x00\xd8", SIGNED_MAPPING) == [(0, "", "encoding", "")]


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_delimiter_is_sniffed_from_the_header_line(delimiter):
    content = csv_bytes([SIGNED_HEADER, ["2026-07-01", "1,234.50", "张三", "停车费", "T1"]], delimiter=delimiter)
    assert one_row(content, SIGNED_MAPPING).amount == 123450


def test_csv_title_block_is_skipped_and_rows_keep_their_line_numbers():
    content = csv_bytes([
        ["中国工商银行账户历史明细"],
        ["账号", "6222020000000000000", "户名", "某小区业主大会"],  # four cells, still the title block
        [""],
        SIGNED_HEADER,
        ["2026-07-01", "10", "张三", "停车费", "T1"],
    ], "gbk")
    headers, rows, found = read_table(content, "明细.csv")
    assert (headers, rows, found) == (SIGNED_HEADER, [(5, ["2026-07-01", "10", "张三", "停车费", "T1"])], [])


def test_unrecognised_header_is_the_first_row_with_three_cells():
    content = csv_bytes([["说明"], ["甲", "乙"], ["A", "B", "C"], ["1", "2", "3"]])
    assert read_table(content, "x.csv") == (["A", "B", "C"], [(4, ["1", "2", "3"])], [])


def test_quoted_line_breaks_keep_the_line_numbers_of_later_rows():
    content = (",".join(SIGNED_HEADER) + "\n2026-07-01,10,张三,\"两行\n摘要\",T1\n2026-07-02,5,李四,x,T2\n").encode()
    parsed = read_bank_rows(content, "bank.csv", SIGNED_MAPPING)
    assert [(r.row, r.description) for r in parsed.rows] == [(2, "两行\n摘要"), (4, "x")]


def test_header_names_are_made_unique_and_non_empty():
    headers, _rows, _found = read_table(csv_bytes([["日期", "金额", "", "金额", ""], ["2026-07-01", "1", "", "2", ""]]),
                                        "x.csv")
    assert headers == ["日期", "金额", "(3)", "金额 (4)"]


def test_empty_rows_are_skipped():
    content = csv_bytes([SIGNED_HEADER, ["", "", "", "", ""], ["2026-07-01", "10", "张三", "x", "T1"]]) + b"\r\n\r\n"
    row = one_row(content, SIGNED_MAPPING)
    assert row.row == 3


# --- problems with the whole file ---------------------------------------------------------

@pytest.mark.parametrize("content", [b"", b"   \r\n", codecs.BOM_UTF8])
def test_empty_file(content):
    assert read_table(content, "bank.csv") == ([], [], [Problem(0, "", "empty_file")])
    assert problems(content, SIGNED_MAPPING) == [(0, "", "empty_file", "")]


def test_no_header():
    assert problems("账户明细\n没有表格\n".encode(), SIGNED_MAPPING) == [(0, "", "no_header", "")]


def test_header_without_rows():
    assert problems(signed_file(), SIGNED_MAPPING) == [(0, "", "no_rows", "")]


def test_old_excel_format():
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert problems(content, SIGNED_MAPPING, "明细.xls") == [(0, "", "old_excel_format", "明细.xls")]


def test_html_saved_as_xls():
    content = "<html><body><table><tr><td>交易日期</td></tr></table></body></html>".encode()
    assert problems(content, SIGNED_MAPPING, "明细.xls") == [(0, "", "html_file", "")]


def test_tab_text_saved_as_xls_is_read():
    content = csv_bytes([SIGNED_HEADER, ["20260701", "10", "张三", "x", "T1"]], "gbk", "\t")
    assert one_row(content, SIGNED_MAPPING, "明细.xls").day == dt.date(2026, 7, 1)


def test_damaged_xlsx():
    assert problems(b"PK\x03\x04 this is not a zip", SIGNED_MAPPING, "bank.xlsx") == [
        (0, "", "unreadable_xlsx", "")]


def test_text_named_xlsx_is_not_a_workbook():
    assert problems(b"not a workbook at all", SIGNED_MAPPING, "bank.xlsx") == [
        (0, "", "unreadable_xlsx", "bank.xlsx")]


def test_xlsx_truncated_in_the_middle():
    content = xlsx([SIGNED_HEADER, ["2026-07-01", 10, "张三", "x", "T1"]])
    found = problems(content[: len(content) // 2], SIGNED_MAPPING, "bank.xlsx")
    assert found == [(0, "", "unreadable_xlsx", "")]


# --- XLSX -----------------------------------------------------------------------------

def test_xlsx_with_title_rows_date_cells_and_float_amounts():
    content = xlsx([
        ["招商银行交易明细"],
        ["账号：755900000000", None, "币种：人民币"],
        [],
        [None, *IN_OUT_HEADER],  # the table starts in column B
        [None, dt.datetime(2026, 7, 1), 1234.56, None, "张三", "停车费", "R1"],
        [None, dt.datetime(2026, 7, 2, 9, 30, 15), None, 0.1, "银行", "手续费", "R2"],
        [None, dt.date(2026, 7, 3), 100.0, 0.0, "李四", "广告", 20260703001],
        [None, "20260704", "5.5", "", "王五", "场地", "R4"],
    ])
    headers, _rows, _found = read_table(content, "bank.xlsx")
    assert headers == ["(1)", *IN_OUT_HEADER]
    parsed = read_bank_rows(content, "bank.xlsx", IN_OUT_MAPPING)
    assert parsed.problems == []
    assert [(r.row, r.day, r.direction, r.amount, r.reference) for r in parsed.rows] == [
        (5, dt.date(2026, 7, 1), "in", 123456, "R1"),
        (6, dt.date(2026, 7, 2), "out", 10, "R2"),
        (7, dt.date(2026, 7, 3), "in", 10000, "20260703001"),
        (8, dt.date(2026, 7, 4), "in", 550, "R4"),
    ]


def test_xlsx_title_row_with_many_cells_before_a_recognised_header():
    content = xlsx([["账号", "6222", "户名", "某小区业主大会"], SIGNED_HEADER, ["2026-07-01", -3.3, "", "", ""]])
    row = one_row(content, SIGNED_MAPPING, "bank.xlsx")
    assert (row.row, row.direction, row.amount) == (3, "out", 330)


def test_xlsx_float_from_a_formula_with_binary_noise_has_too_many_decimals():
    content = with_raw_number(xlsx([SIGNED_HEADER, ["2026-07-01", 123.456789, "", "", ""]]), "123.456789",
                              "0.30000000000000004")
    assert problems(content, SIGNED_MAPPING, "bank.xlsx") == [
        (2, "amount", "amount_too_many_decimals", "0.30000000000000004")]


@pytest.mark.parametrize("value, fen", [
    (9999999999999.99, 999999999999999),  # 15 significant digits: still exact
    (float(2 ** 53 - 1), (2 ** 53 - 1) * 100),
])
def test_xlsx_large_amounts_below_the_precision_guard(value, fen):
    assert one_row(xlsx([SIGNED_HEADER, ["2026-07-01", value, "", "", ""]]), SIGNED_MAPPING, "b.xlsx").amount == fen


@pytest.mark.parametrize("raw, shown", [
    ("10000000000000.5", "10000000000000.5"),
    ("9007199254740992", "9007199254740992"),  # 2**53 without a decimal point: openpyxl gives an int
    ("9.007199254740992E+15", "9007199254740992.0"),
])
def test_xlsx_amounts_beyond_float_precision_are_refused(raw, shown):
    content = with_raw_number(xlsx([SIGNED_HEADER, ["2026-07-01", 123.456789, "", "", ""]]), "123.456789", raw)
    assert problems(content, SIGNED_MAPPING, "b.xlsx") == [(2, "amount", "imprecise_number", shown)]


def test_xlsx_long_reference_saved_as_number_is_refused():
    content = xlsx([SIGNED_HEADER, ["2026-07-01", 10, "", "", 1.2345678901234567e19]])
    assert problems(content, SIGNED_MAPPING, "b.xlsx") == [
        (2, "reference", "imprecise_number", "1.234567890123457e+19")]


# --- guessing and checking the mapping ---------------------------------------------------------

def test_guess_signed_amount_headers():
    assert guess_mapping(SIGNED_HEADER) == SIGNED_MAPPING


def test_guess_in_out_headers():
    assert guess_mapping(IN_OUT_HEADER) == IN_OUT_MAPPING


def test_guess_debit_credit_headers_with_units_and_spaces():
    headers = ["交易时间", "借方发生额（元）", "贷方发生额(元)", "余额", "交易对方", "附言", "凭证号"]
    assert guess_mapping(headers) == {"date": "交易时间", "amount_out": "借方发生额（元）",
                                      "amount_in": "贷方发生额(元)", "counterparty": "交易对方",
                                      "description": "附言", "reference": "凭证号"}


def test_guess_english_headers_ignores_case():
    assert guess_mapping(["DATE", "Amount", "Description", "Balance"]) == {
        "date": "DATE", "amount": "Amount", "description": "Description"}


def test_guess_returns_only_what_it_found():
    assert guess_mapping(["序号", "余额", "币种"]) == {}
    assert guess_mapping(["日期", "说明"]) == {"date": "日期"}


def test_guess_prefers_the_better_spelling_and_uses_each_header_once():
    assert guess_mapping(["日期", "记账日期", "交易日期", "金额"])["date"] == "交易日期"
    mapping = guess_mapping(["日期", "备注", "摘要", "金额"])
    assert mapping["description"] == "摘要"
    assert len(set(mapping.values())) == len(mapping)


def test_guess_prefers_in_out_columns_over_a_lone_amount():
    assert guess_mapping(["日期", "金额", "收入", "支出"]) == {"date": "日期", "amount_in": "收入", "amount_out": "支出"}
    assert guess_mapping(["日期", "金额", "收入"]) == {"date": "日期", "amount": "金额"}


def test_mapping_fields():
    assert MAPPING_FIELDS == ("date", "amount", "amount_in", "amount_out", "counterparty", "description", "reference")


@pytest.mark.parametrize("mapping, codes", [
    (SIGNED_MAPPING, []),
    ({"date": "交易日期", "amount": "交易金额"}, []),
    ({"amount": "交易金额"}, ["mapping_missing_date"]),
    ({"date": "交易日期", "amount": ""}, ["mapping_missing_amount"]),
    ({"date": "交易日期"}, ["mapping_missing_amount"]),
    ({"date": "交易日期", "amount_in": "交易金额"}, ["mapping_missing_amount"]),  # in without out
    ({"date": "交易日期", "amount_out": "交易金额"}, ["mapping_missing_amount"]),
    ({"date": "交易日期", "amount_in": "交易金额", "amount_out": "摘要"}, []),
    ({"date": "交易日期", "amount": "交易金额", "amount_out": "摘要"}, ["mapping_amount_and_in_out"]),
    ({"date": "交易日期", "amount": "余额"}, ["mapping_unknown_header"]),
    ({"date": "交易日期", "amount": "交易日期"}, ["mapping_header_twice"]),
    ({"date": "交易日期", "amount": "交易金额", "balance": "摘要"}, ["mapping_unknown_field"]),
    ({}, ["mapping_missing_date", "mapping_missing_amount"]),
])
def test_validate_mapping(mapping, codes):
    assert validate_mapping(mapping, SIGNED_HEADER) == codes


def test_mapping_problems_stop_before_any_row_is_read():
    content = signed_file(["不是日期", "x", "", "", ""])
    assert problems(content, {"date": "交易日期", "amount": "余额", "description": "交易日期"}) == [
        (0, "amount", "mapping_unknown_header", "余额"),
        (0, "description", "mapping_header_twice", "交易日期"),
    ]
    assert problems(content, {"amount": "交易金额", "memo": "摘要"}) == [
        (0, "", "mapping_unknown_field", "memo"), (0, "", "mapping_missing_date", "")]
    assert problems(content, {"date": "交易日期"}) == [(0, "", "mapping_missing_amount", "")]
    assert problems(content, {"date": "交易日期", "amount": "交易金额", "amount_in": "摘要"}) == [
        (0, "", "mapping_amount_and_in_out", "")]


# --- dates ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2026-07-01", "2026/7/1", "2026/07/01", "2026.7.1", "20260701", "2026年7月1日", "2026年07月01日",
    "2026-07-01 10:30:00", "2026/7/1 9:05", "2026-07-01T10:30:00", "2026-07-01 10:30:00.123",
    "20260701 103000", "20260701103000", "2026年7月1日 10:30", " 2026-07-01 ",
])
def test_date_formats(text):
    assert one_row(signed_file([text, "10", "", "", ""]), SIGNED_MAPPING).day == dt.date(2026, 7, 1)


@pytest.mark.parametrize("text", ["2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "20261301",
                                  "7/1/2026", "2026-7", "昨天", "202671", "2026-07-01 下午"])
def test_invalid_dates(text):
    assert problems(signed_file([text, "10", "", "", ""]), SIGNED_MAPPING) == [(2, "date", "date_invalid", text)]


def test_leap_day_is_a_date():
    assert one_row(signed_file(["2028-02-29", "10", "", "", ""]), SIGNED_MAPPING).day == dt.date(2028, 2, 29)


def test_empty_date():
    assert problems(signed_file(["", "10", "张三", "", ""]), SIGNED_MAPPING) == [(2, "date", "date_empty", "")]


# --- amounts: one signed column --------------------------------------------------------------

@pytest.mark.parametrize("text, direction, fen", [
    ("0.01", "in", 1),  # the smallest amount above zero
    ("-0.01", "out", 1),
    ("1", "in", 100),
    ("+1.5", "in", 150),
    ("-1,234.56", "out", 123456),
    ("¥88.80", "in", 8880),
    ("88.80元", "in", 8880),
    ("1.230", "in", 123),  # a third decimal that is zero changes nothing
])
def test_signed_amounts(text, direction, fen):
    row = one_row(signed_file(["2026-07-01", text, "", "", ""]), SIGNED_MAPPING)
    assert (row.direction, row.amount) == (direction, fen)


@pytest.mark.parametrize("text, reason", [
    ("0", "amount_zero"),
    ("0.00", "amount_zero"),
    ("-0.00", "amount_zero"),
    ("0.001", "amount_too_many_decimals"),
    ("1.001", "amount_too_many_decimals"),
    ("-1.239", "amount_too_many_decimals"),
    ("abc", "amount_not_a_number"),
    ("1.2.3", "amount_not_a_number"),
    ("--5", "amount_not_a_number"),
    ("+-5", "amount_not_a_number"),
    ("１００", "amount_not_a_number"),  # full-width digits
    ("1e3", "amount_not_a_number"),
    ("元", "amount_empty"),
])
def test_signed_amount_problems(text, reason):
    assert problems(signed_file(["2026-07-01", text, "", "", ""]), SIGNED_MAPPING) == [(2, "amount", reason, text)]


@pytest.mark.parametrize("text", ["", "-", "--"])
def test_signed_amount_empty(text):
    assert problems(signed_file(["2026-07-01", text, "张三", "", ""]), SIGNED_MAPPING) == [
        (2, "amount", "amount_empty", "")]


# --- amounts: money in and money out columns --------------------------------------------------

@pytest.mark.parametrize("money_in, money_out, direction, fen", [
    ("0.01", "", "in", 1),
    ("", "0.01", "out", 1),
    ("100", "0.00", "in", 10000),  # banks write 0.00 in the column not used
    ("0", "100", "out", 10000),
    ("-", "5", "out", 500),
    ("5", "--", "in", 500),
])
def test_in_out_amounts(money_in, money_out, direction, fen):
    row = one_row(in_out_file(["2026-07-01", money_in, money_out, "", "", ""]), IN_OUT_MAPPING)
    assert (row.direction, row.amount) == (direction, fen)


@pytest.mark.parametrize("money_in, money_out, expected", [
    ("", "", (2, "", "amount_empty", "")),
    ("-", "-", (2, "", "amount_empty", "")),
    ("0.00", "", (2, "", "amount_zero", "0.00")),
    ("0", "0.00", (2, "", "amount_zero", "0")),
    ("0.01", "0.01", (2, "", "amount_in_and_out", "0.01 / 0.01")),
    ("100", "5", (2, "", "amount_in_and_out", "100 / 5")),
    ("-100", "", (2, "amount_in", "amount_signed_in_column", "-100")),
    ("", "-5", (2, "amount_out", "amount_signed_in_column", "-5")),
    ("abc", "", (2, "amount_in", "amount_not_a_number", "abc")),
    ("", "1.001", (2, "amount_out", "amount_too_many_decimals", "1.001")),
])
def test_in_out_amount_problems(money_in, money_out, expected):
    assert problems(in_out_file(["2026-07-01", money_in, money_out, "", "", ""]), IN_OUT_MAPPING) == [expected]


def test_bad_text_in_both_columns_reports_both():
    assert problems(in_out_file(["2026-07-01", "x", "y", "", "", ""]), IN_OUT_MAPPING) == [
        (2, "amount_in", "amount_not_a_number", "x"), (2, "amount_out", "amount_not_a_number", "y")]


# --- lengths ---------------------------------------------------------------------------

@pytest.mark.parametrize("field, column, limit", [("counterparty", 2, 200), ("reference", 4, 100)])
def test_text_lengths_at_the_limit(field, column, limit):
    for length, ok in ((limit - 1, True), (limit, True), (limit + 1, False)):
        cells = ["2026-07-01", "10", "", "", ""]
        cells[column] = "甲" * length
        parsed = read_bank_rows(signed_file(cells), "bank.csv", SIGNED_MAPPING)
        assert parsed.ok is ok
        if not ok:
            assert [(p.row, p.column, p.reason, p.value) for p in parsed.problems] == [
                (2, field, "too_long", str(limit))]


# --- total rows and collecting every problem ------------------------------------------------

@pytest.mark.parametrize("label", ["合计", "总计", "合计：", "合 计", "本页合计", "Total", "合计 2 笔"])
def test_trailing_total_row_is_skipped_silently(label):
    parsed = read_bank_rows(signed_file(["2026-07-01", "10", "", "", ""], [label, "10", "", "", ""]),
                            "bank.csv", SIGNED_MAPPING)
    assert parsed.problems == []
    assert len(parsed.rows) == 1


def test_several_trailing_total_rows_in_in_out_files():
    parsed = read_bank_rows(in_out_file(["2026-07-01", "10", "", "", "", ""],
                                        ["本页合计", "10", "0", "", "", ""], ["", "总计", "", "", "", ""]),
                            "bank.csv", IN_OUT_MAPPING)
    assert (parsed.problems, len(parsed.rows)) == ([], 1)


def test_total_row_in_the_middle_is_a_problem():
    content = signed_file(["2026-07-01", "10", "", "", ""], ["合计", "10", "", "", ""], ["2026-07-02", "5", "", "", ""])
    assert problems(content, SIGNED_MAPPING) == [(3, "date", "date_invalid", "合计")]


def test_last_real_row_whose_text_says_total_is_kept():
    content = signed_file(["2026-07-01", "10", "", "合计", ""], ["2026-07-02", "5", "", "合计", ""])
    parsed = read_bank_rows(content, "bank.csv", SIGNED_MAPPING)
    assert [r.row for r in parsed.rows] == [2, 3]


def test_file_with_only_a_total_row_has_no_rows():
    assert problems(signed_file(["合计", "0", "", "", ""]), SIGNED_MAPPING) == [(0, "", "no_rows", "")]


def test_every_problem_is_collected_in_row_order():
    content = signed_file(
        ["2026-07-01", "10", "", "", ""],
        ["", "abc", "", "", ""],
        ["2026-07-32", "0", "甲" * 201, "", ""],
        ["2026-07-03", "1.005", "", "", ""],
    )
    assert problems(content, SIGNED_MAPPING) == [
        (3, "date", "date_empty", ""),
        (3, "amount", "amount_not_a_number", "abc"),
        (4, "date", "date_invalid", "2026-07-32"),
        (4, "amount", "amount_zero", "0"),
        (4, "counterparty", "too_long", "200"),
        (5, "amount", "amount_too_many_decimals", "1.005"),
    ]


def test_short_rows_read_missing_cells_as_empty():
    content = csv_bytes([SIGNED_HEADER, ["2026-07-01", "10"]])
    assert one_row(content, SIGNED_MAPPING).counterparty == ""


# --- files that must not hold a worker (issue 12, point 4) ---------------------------------

def hostile(content: bytes, filename: str) -> list[tuple]:
    with watchdog():
        headers, rows, found = read_table(content, filename)
    assert (headers, rows) == ([], [])
    return [(p.row, p.column, p.reason, p.value) for p in found]


def test_a_workbook_declaring_a1_xfd1048576_is_refused_at_its_far_cell():
    content = declared_dimension_xlsx(BANK_HEADER, BANK_ROW)
    assert hostile(content, "bank.xlsx") == [(1_048_576, "", "too_many_columns", "40")]


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    assert hostile(zip_bomb_xlsx(BANK_HEADER), "bank.xlsx") == [(0, "", "xlsx_packed", "")]


def test_a_million_line_csv_is_read_only_to_the_line_after_the_limit(monkeypatch):
    from governance_app.files import tables

    read = []
    original = tables.text_lines

    def counting(content, encoding):
        for line in original(content, encoding):
            read.append(1)
            yield line

    monkeypatch.setattr(tables, "text_lines", counting)
    content = million_row_csv(header=BANK_CSV_HEADER, row=BANK_CSV_ROW)
    assert hostile(content, "bank.csv") == [(50_001, "", "too_many_rows", "50,000")]
    assert len(read) == 50_001


def test_a_file_of_exactly_50000_lines_is_read_one_more_is_refused():
    row = ["2026-07-01", "10", "张三", "停车费", ""]
    at_limit = csv_bytes([SIGNED_HEADER] + [row] * (MAX_LINES - 1))
    headers, rows, found = read_table(at_limit, "bank.csv")
    assert (len(rows), found) == (MAX_LINES - 1, [])
    assert len(read_bank_rows(at_limit, "bank.csv", SIGNED_MAPPING).rows) == MAX_LINES - 1
    over = csv_bytes([SIGNED_HEADER] + [row] * MAX_LINES)
    assert problems(over, SIGNED_MAPPING) == [(MAX_LINES + 1, "", "too_many_rows", "50,000")]
    sheet = xlsx([SIGNED_HEADER] + [row] * MAX_LINES)
    assert problems(sheet, SIGNED_MAPPING, "bank.xlsx") == [(MAX_LINES + 1, "", "too_many_rows", "50,000")]


def test_columns_up_to_the_limit_are_read_a_value_beyond_is_refused_with_its_row():
    header = SIGNED_HEADER + [f"列{n}" for n in range(MAX_COLUMNS - len(SIGNED_HEADER))]
    row = ["2026-07-01", "10", "张三", "停车费", "T1"] + ["x"] * (MAX_COLUMNS - len(SIGNED_HEADER))
    assert one_row(csv_bytes([header, row]), SIGNED_MAPPING).reference == "T1"
    assert one_row(xlsx([header, row + [None, ""]]), SIGNED_MAPPING, "bank.xlsx").reference == "T1"
    assert problems(xlsx([header, row + ["x"]]), SIGNED_MAPPING, "bank.xlsx") == [
        (2, "", "too_many_columns", "40")]


def test_checking_stops_after_a_thousand_problems():
    content = signed_file(*[["2026-07-01", "十元", "张三", "x", f"T{n}"] for n in range(1500)])
    found = problems(content, SIGNED_MAPPING)
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-2] == (MAX_PROBLEMS + 1, "amount", "amount_not_a_number", "十元")
    assert found[-1] == (MAX_PROBLEMS + 2, "", "too_many_problems", "1,000")


def test_a_quote_never_closed_is_a_problem_on_its_line_not_an_error():
    content = signed_file(["2026-07-01", "10", "张三", "x", "T1"]) + b'2026-07-02,5,"' + b"x" * 200_000 + b"\r\n"
    assert problems(content, SIGNED_MAPPING) == [(3, "", "unreadable_csv", "")]


def test_a_header_is_looked_for_among_the_first_thirty_wide_rows():
    title = [["说明", "第一行", "第二栏"]] * 29
    found = csv_bytes(title + [SIGNED_HEADER, ["2026-07-01", "10", "张三", "x", "T1"]])
    assert read_table(found, "bank.csv")[0] == SIGNED_HEADER
    too_far = csv_bytes(title + [["说明", "第一行", "第二栏"], SIGNED_HEADER])
    assert read_table(too_far, "bank.csv")[0] == ["说明", "第一行", "第二栏"]  # the first wide row, as before


def test_a_web_page_of_more_lines_than_allowed_is_still_named_a_web_page():
    content = ("<html><body><table>\n" + "<tr><td>2026-07-01</td></tr>\n" * (MAX_LINES + 10)).encode()
    assert problems(content, SIGNED_MAPPING, "明细.xls") == [(0, "", "html_file", "")]


def test_gbk_text_first_met_far_into_the_file_is_still_read_as_gbk():
    rows = [["2026-07-01", "10", "Zhang", "x", f"T{n}"] for n in range(5000)] + [["2026-07-02", "5", "张三", "x", "Z"]]
    content = csv_bytes([SIGNED_HEADER, *rows], "gbk")
    assert content.index("张三".encode("gbk")) > 100_000
    parsed = read_bank_rows(content, "bank.csv", SIGNED_MAPPING)
    assert parsed.problems == []
    assert parsed.rows[-1].counterparty == "张三"


# --- the reader stays pure and every reason has words ---------------------------------------

def test_the_reader_imports_no_framework():
    import governance_app.funds.bank_file as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+(flask|flask_babel|sqlalchemy)\b", source, re.M)


REASONS_USED = {
    "empty_file", "encoding", "old_excel_format", "unreadable_xlsx", "html_file", "no_header", "no_rows",
    "mapping_unknown_field", "mapping_missing_date", "mapping_missing_amount", "mapping_amount_and_in_out",
    "mapping_unknown_header", "mapping_header_twice", "imprecise_number", "date_empty", "date_invalid",
    "amount_empty", "amount_not_a_number", "amount_too_many_decimals", "amount_zero", "amount_signed_in_column",
    "amount_in_and_out", "too_long", "unreadable_csv", "too_many_rows", "too_many_columns", "beyond_last_row",
    "xlsx_too_large", "xlsx_packed", "too_many_problems",
}


def test_every_reason_has_a_sentence_with_only_the_value_placeholder():
    from governance_app.funds.bank_messages import FIELD_TITLES, REASONS, describe

    assert set(REASONS) == REASONS_USED
    assert set(FIELD_TITLES) == set(MAPPING_FIELDS)
    for reason in REASONS_USED:
        assert set(re.findall(r"%\((\w+)\)s", str(REASONS[reason]))) <= {"value"}
        assert "%(" not in describe(Problem(2, "amount", reason, "12"))


def test_every_reason_code_in_the_reader_is_known():
    import governance_app.funds.bank_file as module

    source = Path(module.__file__).read_text(encoding="utf-8")
    # minus two field names and a MoneyError reason
    literals = set(re.findall(r'"([a-z]+(?:_[a-z]+)+)"', source)) - {"amount_in", "amount_out", "not_a_number"}
    assert literals <= REASONS_USED
    assert 'f"amount_{error.reason}"' in source
    assert {f"amount_{reason}" for reason in ("empty", "not_a_number", "too_many_decimals")} <= REASONS_USED
