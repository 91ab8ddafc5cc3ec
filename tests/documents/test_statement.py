"""A published fund statement as a PDF: balances, categories, entries with their authority (R-53);
its number is current until a later correction of one of its entries (R-54) is made."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from governance_app.documents.models import DocumentKind, DocumentRecord
from governance_app.extensions import db
from governance_app.funds import services as funds
from tests.documents.support import (
    CURRENT, SUPERSEDED, assert_cjk_font_embedded, check_status, flat, numbers, pdf_text,
)
from tests.funds.support import INCOME, World

Q1_START, Q1_END = dt.date(2026, 1, 1), dt.date(2026, 3, 31)


@pytest.fixture
def funds_world(app, make_estate, make_user, login, clock) -> World:
    clock.move_to(dt.datetime(2026, 4, 10, 10, 0))
    world = World(app, make_estate, make_user, login)
    world.open_accounts(income=1_000_00)
    return world


@pytest.fixture
def statement(funds_world):
    world = funds_world
    world.entry(INCOME, dt.date(2026, 1, 15), "in", 12_345_67, "parking", counterparty="停车场管理处",
                description="一月停车费")
    world.entry(INCOME, dt.date(2026, 2, 20), "out", 2_000_00, "management_cost", counterparty="某物业公司",
                description="管理成本")
    return world.publish(INCOME, Q1_START, Q1_END)


def test_the_statement_pdf_shows_balances_categories_and_entries(funds_world, statement):
    world = funds_world
    pages = world.pages(world.owner, language="zh_CN")
    response = pages.get(f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert_cjk_font_embedded(response.data)
    text = flat(pdf_text(response.data))
    assert "梅园小区" in text and "收支公示" in text and "2026-01-01 至 2026-03-31" in text
    assert "1,000.00" in text  # opening balance
    assert "12,345.67" in text and "2,000.00" in text  # the entries, grouped by thousands
    assert "11,345.67" in text  # closing: 1,000.00 + 12,345.67 − 2,000.00
    assert "停车场管理处" in text and "一月停车费" in text and "某物业公司" in text
    assert "已公布，不再更改（R-54）" in text
    number = numbers(response.data)[0]
    assert f"文件编号 {number}" in text and "第 1 页 共" in text
    record = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == number))
    assert record.kind == DocumentKind.FUND_STATEMENT and record.object_id == statement.id


def test_a_correction_supersedes_the_statement_pdf(funds_world, statement):
    world = funds_world
    pages = world.pages(world.owner, language="zh_CN")
    number = numbers(pages.get(f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf").data)[0]
    anyone = world.pages(None, language="zh_CN")
    assert check_status(anyone, number) == CURRENT
    # the published statement never changes; a later reversal corrects it, and the
    # statement's page and PDF now say so, so a copy made before is no longer current.
    # Made by a reader of the English pages, the same statement has the same content (in Chinese).
    english = numbers(world.pages(world.member, language="en").get(
        f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf").data)[0]
    assert check_status(anyone, english) == CURRENT
    entry = funds.entries_between(world.account(INCOME), Q1_START, Q1_END)[0]
    funds.reverse(world.estate, entry, day=dt.date(2026, 4, 5), reason="重复入账", actor=world.chair)
    db.session.commit()
    assert check_status(anyone, number) == SUPERSEDED and check_status(anyone, english) == SUPERSEDED
    newer = pages.get(f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf").data
    assert "本期账目的部分记录已在以后期间更正（R-54）：2026-04-05" in flat(pdf_text(newer))
    assert check_status(anyone, numbers(newer)[0]) == CURRENT


def test_who_may_download_a_statement_pdf(funds_world, statement):
    world = funds_world
    url = f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf"
    for user, status in ((world.owner, 200), (world.member, 200), (world.staff, 200), (world.auditor, 200),
                         (world.other_owner, 404), (world.other_member, 404)):
        assert world.pages(user).get(url).status_code == status, user.login
    assert world.pages(None).get(url).status_code == 302  # to sign in
    other = f"/estates/{world.other.id}/funds/statements/{statement.id}.pdf"  # through another estate
    assert world.pages(world.other_member).get(other).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 4  # one per download


def test_the_statement_page_links_to_its_pdf(funds_world, statement):
    world = funds_world
    page = world.pages(world.owner, language="zh_CN").get(
        f"/estates/{world.estate.id}/funds/statements/{statement.id}").get_data(as_text=True)
    assert f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf" in page and "下载 PDF" in page
