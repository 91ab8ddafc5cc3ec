"""A published statement downloaded as XLSX and CSV: the files open, and their entry amounts and
totals add up exactly, to the fen, to the figures shown on the statement page."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from governance_app.extensions import db
from governance_app.funds import services as funds
from tests.funds.support import FUND, figures, text

EMERGENCY = funds.Authority(emergency_case="serious_leak")
# Amounts that binary floats cannot hold exactly.
MOVEMENTS = [
    (dt.date(2026, 1, 5), "in", 10, "interest"),
    (dt.date(2026, 1, 6), "in", 20, "interest"),
    (dt.date(2026, 1, 7), "in", 7, "other_income"),
    (dt.date(2026, 2, 1), "in", 1_234_56, "owner_contribution"),
    (dt.date(2026, 2, 2), "in", 999_999_99, "top_up"),
    (dt.date(2026, 3, 1), "out", 33_33, "bank_fee"),
    (dt.date(2026, 3, 2), "out", 12_800_01, "repair_pipes"),
    (dt.date(2026, 3, 3), "out", 1, "repair_pipes"),
]


@pytest.fixture
def statement(world):
    world.open_accounts(fund=80_000_03)
    for day, direction, amount, category in MOVEMENTS:
        world.entry(FUND, day, direction, amount, category, counterparty="=SUM(A1:A9)" if amount == 1 else "对方",
                    authority=EMERGENCY if direction == "out" else None)
    world.entry(FUND, dt.date(2026, 4, 1), "in", 5_00, "interest")  # after the period
    return world.publish(FUND, dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def fen(value) -> int:
    """A cell's amount in fen, refusing anything that is not a whole number of fen."""
    amount = Decimal(str(value).replace(",", "")) * 100
    assert amount == amount.to_integral_value(), value
    return int(amount)


def page_figures(world, statement) -> dict[str, int]:
    page = world.pages(world.owner).get(f"/estates/{world.estate.id}/funds/statements/{statement.id}")
    return {term: fen(value) for term, value in figures(page).items()}


EXPECTED = {"Opening balance": 80_000_03, "Total in": 1_001_234_92, "Total out": 12_833_35,
            "Closing balance": 80_000_03 + 1_001_234_92 - 12_833_35}


def test_the_statement_page_shows_the_stored_figures(world, statement):
    assert page_figures(world, statement) == EXPECTED
    assert (statement.opening_balance, statement.closing_balance) == (EXPECTED["Opening balance"],
                                                                      EXPECTED["Closing balance"])


def sections(rows: list[list]) -> dict:
    """Entry rows (below the header row 6, up to the first empty row) and labelled rows."""
    entries = []
    for row in rows[6:]:
        if not any(cell not in (None, "") for cell in row):
            break
        entries.append(row)
    labelled = {row[0]: row[1] for row in rows if row and len(row) > 1 and row[0] not in (None, "")}
    return {"entries": entries, "labelled": labelled, "rows": rows}


def check_against_the_page(found: dict, world, statement) -> None:
    shown = page_figures(world, statement)
    entries = found["entries"]
    assert len(entries) == len(MOVEMENTS)
    total_in = sum(fen(row[5]) for row in entries if row[1] == "In")
    total_out = sum(fen(row[5]) for row in entries if row[1] == "Out")
    signed = sum(fen(row[6]) for row in entries)
    labelled = found["labelled"]
    assert (total_in, total_out) == (shown["Total in"], shown["Total out"])
    assert (fen(labelled["Total in"]), fen(labelled["Total out"])) == (shown["Total in"], shown["Total out"])
    assert fen(labelled["Opening balance"]) == shown["Opening balance"]
    assert fen(labelled["Closing balance"]) == shown["Closing balance"]
    assert shown["Opening balance"] + signed == shown["Closing balance"]
    # By category, as on the page.
    rows = found["rows"]
    start_in = next(i for i, row in enumerate(rows) if row and row[0] == "Money in by category")
    start_out = next(i for i, row in enumerate(rows) if row and row[0] == "Money out by category")
    by_category_in = {row[0]: fen(row[1]) for row in rows[start_in + 1:start_out] if row and row[0]}
    assert sum(by_category_in.values()) == shown["Total in"]
    assert by_category_in["Interest"] == 30 and by_category_in["Top-up (续筹)"] == 999_999_99
    page = text(world.pages(world.owner).get(f"/estates/{world.estate.id}/funds/statements/{statement.id}"))
    assert "Repairs: water and drain pipes 12,800.02" in page


def test_the_xlsx_export_adds_up_to_the_statement_page_to_the_fen(world, statement):
    response = world.pages(world.owner).get(f"/estates/{world.estate.id}/funds/statements/{statement.id}.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == \
        'attachment; filename="statement-maintenance_fund-2026-01-01-2026-03-31.xlsx"'
    workbook = load_workbook(io.BytesIO(response.data))
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    found = sections(rows)
    assert [row[0].date() for row in found["entries"]] == [day for day, *_rest in MOVEMENTS]
    assert all(isinstance(row[5], (int, float)) for row in found["entries"])  # numbers, not text
    check_against_the_page(found, world, statement)
    formula_like = [row[3] for row in found["entries"] if row[3] != "对方"]
    assert formula_like == ["=SUM(A1:A9)"]  # kept as text, never run
    assert workbook.active["D14"].data_type == "s"


def test_the_csv_export_adds_up_to_the_statement_page_to_the_fen(world, statement):
    response = world.pages(world.owner).get(f"/estates/{world.estate.id}/funds/statements/{statement.id}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    found = sections(rows)
    assert [row[0] for row in found["entries"]] == [day.isoformat() for day, *_rest in MOVEMENTS]
    check_against_the_page(found, world, statement)
    assert [row[3] for row in found["entries"] if row[3] != "对方"] == ["'=SUM(A1:A9)"]


def test_the_exports_are_unchanged_by_a_later_correction(world, statement):
    pages = world.pages(world.owner)
    urls = [f"/estates/{world.estate.id}/funds/statements/{statement.id}.csv",
            f"/estates/{world.estate.id}/funds/statements/{statement.id}.xlsx"]
    csv_before, xlsx_before = (pages.get(url).data for url in urls)
    [entry] = funds.entries_between(world.account(FUND), dt.date(2026, 3, 2), dt.date(2026, 3, 2))
    funds.reverse(world.estate, entry, day=dt.date(2026, 4, 2), reason="多付", actor=world.chair)
    db.session.commit()
    assert pages.get(urls[0]).data == csv_before
    workbook = load_workbook(io.BytesIO(pages.get(urls[1]).data))
    before = load_workbook(io.BytesIO(xlsx_before))
    assert [list(r) for r in workbook.active.iter_rows(values_only=True)] == \
        [list(r) for r in before.active.iter_rows(values_only=True)]


def test_the_exports_speak_chinese_by_default(world, statement):
    pages = world.pages(world.owner)
    pages.delete_cookie("lang")
    response = pages.get(f"/estates/{world.estate.id}/funds/statements/{statement.id}.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][1] == "专项维修资金"
    assert len(sections(rows)["entries"]) == len(MOVEMENTS)


def test_every_column_header_of_the_chinese_files_is_chinese(world, statement):
    """R-53: the authority column was headed "Authority" in both files whatever the language."""
    pages = world.pages(world.owner, "zh_CN")
    base = f"/estates/{world.estate.id}/funds/statements/{statement.id}"
    rows = list(csv.reader(io.StringIO(pages.get(base + ".csv").data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(pages.get(base + ".xlsx").data)).active
    for header in (rows[5], [cell.value for cell in sheet[6]]):
        assert header == ["日期", "收入或支出", "类别", "对方", "摘要", "金额（元）", "带符号金额", "支出依据（R-53）"], header
