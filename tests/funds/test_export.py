"""Statement files: CSV with BOM and XLSX with numeric cells whose entry rows add up to the totals."""
import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from governance_app.funds.export import AMOUNT_FORMAT, ENTRY_HEADER_ROW, LABELS, statement_csv, statement_xlsx
from governance_app.funds.rules import parse_yuan
from governance_app.funds.values import EntryLine, StatementView

CHINESE = {"in": "收入", "out": "支出", "estate": "小区", "date": "日期", "total_in": "收入合计",
           "total_out": "支出合计", "closing": "期末余额", "totals_in": "收入分类合计"}


def entry(number: int, direction: str, category: str, title: str, amount: int, **extra) -> EntryLine:
    return EntryLine(id=number, day=dt.date(2026, 1, 1) + dt.timedelta(days=number), direction=direction,
                     category=category, category_title=title, counterparty=extra.pop("counterparty", "某公司"),
                     description=extra.pop("description", f"第{number}笔"), amount=amount, **extra)


def make_view(entries: list[EntryLine], opening: int = 1_000_000) -> StatementView:
    totals: dict[str, dict[str, int]] = {"in": {}, "out": {}}
    for line in entries:
        totals[line.direction][line.category] = totals[line.direction].get(line.category, 0) + line.amount
    closing = opening + sum(totals["in"].values()) - sum(totals["out"].values())
    return StatementView(estate="阳光花园", account_kind="common_income", account_title="公共收益",
                         period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31), opening_balance=opening,
                         closing_balance=closing, entries=entries, totals=totals, published=True)


def awkward_view() -> StatementView:
    """Amounts whose float sums are not exact: ten times 0.10, 0.01 and 0.07 ..."""
    entries = [entry(n, "in", "parking", "停车费", 10) for n in range(10)]
    entries += [entry(10, "in", "advertising", "广告", 1), entry(11, "in", "advertising", "广告", 7),
                entry(12, "in", "interest", "利息", 123456789012345)]
    entries += [entry(13 + n, "out", "bank_fee", "手续费", fen) for n, fen in enumerate((3, 33, 333, 70, 1))]
    entries += [entry(20, "out", "tax", "税费", 9999)]
    return make_view(entries, opening=-5)


def to_fen(value) -> int:
    """A number read back from a file, rounded to fen."""
    return int((Decimal(str(value)) * 100).to_integral_value())


# --- CSV ------------------------------------------------------------------------------

def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def entry_rows(rows: list[list]) -> list[list]:
    start = ENTRY_HEADER_ROW  # rows[ENTRY_HEADER_ROW - 1] is the header
    end = next(index for index in range(start, len(rows)) if not any(cell not in ("", None) for cell in rows[index]))
    return rows[start:end]


def labelled(rows: list[list], label: str) -> list:
    return next(row for row in rows if row and row[0] == label)


def test_csv_header_block_entries_and_totals():
    view = make_view([entry(1, "in", "parking", "停车费", 12345), entry(2, "out", "bank_fee", "手续费", 500)])
    rows = read_csv(statement_csv(view))
    assert rows[:4] == [["Estate", "阳光花园"], ["Account", "公共收益"], ["Period", "2026-01-01", "2026-03-31"],
                        ["Opening balance", "10000.00"]]
    assert rows[ENTRY_HEADER_ROW - 1] == ["Date", "Direction", "Category", "Counterparty", "Description",
                                          "Amount (yuan)", "Signed amount (yuan)", "Authority"]
    assert entry_rows(rows) == [
        ["2026-01-02", "Income", "停车费", "某公司", "第1笔", "123.45", "123.45", ""],
        ["2026-01-03", "Expense", "手续费", "某公司", "第2笔", "5.00", "-5.00", ""],
    ]
    assert rows[rows.index(["Income by category"]) + 1] == ["停车费", "123.45"]
    assert rows[rows.index(["Expense by category"]) + 1] == ["手续费", "5.00"]
    assert labelled(rows, "Total income") == ["Total income", "123.45"]
    assert labelled(rows, "Total expense") == ["Total expense", "5.00"]
    assert labelled(rows, "Closing balance") == ["Closing balance", "10118.45"]


def test_csv_entry_rows_add_up_to_the_totals_exactly():
    view = awkward_view()
    rows = read_csv(statement_csv(view))
    entries = entry_rows(rows)
    assert len(entries) == len(view.entries)
    by_direction = {"Income": 0, "Expense": 0}
    for row in entries:
        by_direction[row[1]] += parse_yuan(row[5])
    assert by_direction == {"Income": view.total_in, "Expense": view.total_out}
    assert parse_yuan(labelled(rows, "Total income")[1]) == view.total_in
    assert parse_yuan(labelled(rows, "Total expense")[1]) == view.total_out
    signed_sum = sum(parse_yuan(row[6]) for row in entries)
    opening = parse_yuan(labelled(rows, "Opening balance")[1])
    assert opening + signed_sum == parse_yuan(labelled(rows, "Closing balance")[1]) == view.closing_balance


def test_csv_uses_the_labels_given():
    rows = read_csv(statement_csv(make_view([entry(1, "in", "parking", "停车费", 100),
                                             entry(2, "out", "tax", "税费", 1)]), CHINESE))
    assert rows[0] == ["小区", "阳光花园"]
    assert [row[1] for row in entry_rows(rows)] == ["收入", "支出"]
    assert labelled(rows, "收入合计") == ["收入合计", "1.00"]
    assert labelled(rows, "收入分类合计") == ["收入分类合计"]
    assert labelled(rows, "期末余额") == ["期末余额", "10000.99"]
    assert labelled(rows, "支出合计") == ["支出合计", "0.01"]


def test_csv_text_that_looks_like_a_formula_stays_text():
    view = make_view([entry(1, "in", "parking", "=1+1", 100, counterparty="@SUM(A1)",
                            description="-2+3", authority="+cmd")])
    row = entry_rows(read_csv(statement_csv(view)))[0]
    assert row[2:5] + row[7:] == ["'=1+1", "'@SUM(A1)", "'-2+3", "'+cmd"]


def test_csv_authority_of_an_expense_is_shown():
    authority = "R-53: resolution 'Pumps' (vote 3, item i1)"
    view = make_view([entry(1, "out", "repair_pumps", "水泵维修", 100, authority=authority)])
    assert entry_rows(read_csv(statement_csv(view)))[0][7] == authority


def test_empty_statement():
    view = make_view([], opening=0)
    rows = read_csv(statement_csv(view))
    assert entry_rows(rows) == []
    assert labelled(rows, "Closing balance") == ["Closing balance", "0.00"]
    sheet = load_workbook(io.BytesIO(statement_xlsx(view))).active
    assert sheet.cell(ENTRY_HEADER_ROW + 1, 1).value is None


def test_totals_that_do_not_match_the_entries_are_refused():
    view = make_view([entry(1, "in", "parking", "停车费", 100)])
    wrong_total = StatementView(**{**view.__dict__, "totals": {"in": {"parking": 101}, "out": {}},
                                   "closing_balance": view.closing_balance + 1})
    wrong_closing = StatementView(**{**view.__dict__, "closing_balance": view.closing_balance + 1})
    for bad in (wrong_total, wrong_closing):
        with pytest.raises(ValueError):
            statement_csv(bad)
        with pytest.raises(ValueError):
            statement_xlsx(bad)


# --- XLSX -----------------------------------------------------------------------------

def read_xlsx(content: bytes, **options) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), **options).active
    return [[cell for cell in row] for row in sheet.iter_rows()]


def test_xlsx_amounts_are_numbers_with_two_decimals_and_add_up_exactly():
    view = awkward_view()
    cells = read_xlsx(statement_xlsx(view))
    entries = entry_rows([[c.value for c in row] for row in cells])
    entry_cells = cells[ENTRY_HEADER_ROW:ENTRY_HEADER_ROW + len(entries)]
    for row in entry_cells:
        for cell in (row[5], row[6]):
            assert isinstance(cell.value, (int, float, Decimal)) and cell.number_format == AMOUNT_FORMAT
    assert [to_fen(row[5].value) for row in entry_cells] == [line.amount for line in view.entries]
    values = [[c.value for c in row] for row in cells]
    total_in, total_out = labelled(values, "Total income")[1], labelled(values, "Total expense")[1]
    assert sum(to_fen(row[5]) for row in entries if row[1] == "Income") == to_fen(total_in) == view.total_in
    assert sum(to_fen(row[5]) for row in entries if row[1] == "Expense") == to_fen(total_out) == view.total_out
    opening, closing = labelled(values, "Opening balance")[1], labelled(values, "Closing balance")[1]
    assert to_fen(opening) + sum(to_fen(row[6]) for row in entries) == to_fen(closing) == view.closing_balance
    for label in ("Opening balance", "Total income", "Total expense", "Closing balance"):
        cell = next(row for row in cells if row[0].value == label)[1]
        assert cell.number_format == AMOUNT_FORMAT and cell.data_type == "n"


def test_xlsx_totals_by_category():
    view = awkward_view()
    values = [[c.value for c in row] for row in read_xlsx(statement_xlsx(view))]
    firsts = [row[0] for row in values]
    start_in, start_out = firsts.index("Income by category"), firsts.index("Expense by category")
    end = firsts.index("Total income")
    income = {row[0]: to_fen(row[1]) for row in values[start_in + 1:start_out] if row[0]}
    expense = {row[0]: to_fen(row[1]) for row in values[start_out + 1:end] if row[0]}
    assert income == {"停车费": 100, "广告": 8, "利息": 123456789012345}
    assert expense == {"手续费": 440, "税费": 9999}
    assert sum(income.values()) == view.total_in and sum(expense.values()) == view.total_out


def test_xlsx_dates_are_date_cells_and_the_header_block_is_there():
    view = make_view([entry(1, "in", "parking", "停车费", 100)])
    cells = read_xlsx(statement_xlsx(view, CHINESE))
    assert [c.value for c in cells[0][:2]] == ["小区", "阳光花园"]
    assert cells[2][1].value == dt.datetime(2026, 1, 1) and cells[2][2].value == dt.datetime(2026, 3, 31)
    first = cells[ENTRY_HEADER_ROW]
    assert first[0].is_date and first[0].value == dt.datetime(2026, 1, 2)
    assert first[1].value == "收入"


def test_xlsx_has_values_only_and_formula_like_text_stays_text():
    view = make_view([entry(1, "in", "parking", "=1+1", 100, counterparty="=HYPERLINK(\"http://x\")")])
    content = statement_xlsx(view)
    formulas = [cell.coordinate for row in read_xlsx(content) for cell in row if cell.data_type == "f"]
    assert formulas == []
    first = read_xlsx(content)[ENTRY_HEADER_ROW]
    assert (first[2].value, first[3].value) == ("=1+1", "=HYPERLINK(\"http://x\")")
    cached = read_xlsx(content, data_only=True)[ENTRY_HEADER_ROW]
    assert cached[2].value == "=1+1"


def test_default_labels_are_english():
    assert (LABELS["in"], LABELS["out"]) == ("Income", "Expense")


def test_every_label_is_used_and_can_be_replaced():
    view = make_view([entry(1, "in", "parking", "停车费", 100), entry(2, "out", "tax", "税费", 1)])
    words = {key: f"«{key}»" for key in LABELS}
    text = statement_csv(view, words).decode("utf-8-sig")
    assert [key for key in LABELS if f"«{key}»" not in text] == []
    assert not any(english in text for english in LABELS.values())
