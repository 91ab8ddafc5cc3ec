"""Importing a bank statement through the pages: upload, guessed columns, a dry run that writes
nothing, confirmation into drafts, duplicates skipped, all-or-nothing on a bad row, the mapping
remembered, and drafts that neither owners see nor balances count until they are posted."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import BankUpload, Entry, EntryState, FundSettings
from tests.funds.support import (
    FUND, INCOME, count, entries, errors, events, figures, flashes, fresh, hidden, selected, text,
)
from tests.hostile_files import (
    BANK_CSV_HEADER, BANK_CSV_ROW, BANK_HEADER, BANK_ROW, closed, declared_dimension_xlsx, million_row_csv, watchdog,
    zip_bomb_xlsx,
)

HEADER = "交易日期,收入金额,支出金额,对方户名,摘要,交易流水号\n"
BANK_CSV = (HEADER +
            "2026-02-03,1200.00,,上海某停车管理有限公司,二月停车费,BK0001\n"
            "2026-02-05,,35.50,银行,手续费,BK0002\n"
            "2026-02-28,88.88,0.00,某广告公司,电梯广告,BK0003\n").encode("gbk")
GUESSED = {"date": "交易日期", "amount": "", "amount_in": "收入金额", "amount_out": "支出金额",
           "counterparty": "对方户名", "description": "摘要", "reference": "交易流水号"}


@pytest.fixture
def opened(world):
    world.open_accounts()
    return world


def bank_url(world, kind=INCOME) -> str:
    return f"/estates/{world.estate.id}/funds/{kind}/bank"


def upload(pages, world, content: bytes = BANK_CSV, filename: str = "对账单.csv", kind=INCOME):
    return pages.post(bank_url(world, kind), data={"file": (io.BytesIO(content), filename)},
                      content_type="multipart/form-data")


def mapping_of(response) -> dict[str, str]:
    return {field: selected(response, field) for field in GUESSED}


def submit(pages, world, response, *, confirm: bool = False, mapping: dict | None = None, kind=INCOME):
    """The mapping form of ``response`` sent back as shown (or with ``mapping``)."""
    data = {"upload_id": hidden(response, "upload_id"), **(mapping or mapping_of(response)), "check": "y"}
    if confirm:
        data["confirm"] = "y"
    return pages.post(bank_url(world, kind), data=data, follow_redirects=True)


def test_a_gbk_file_is_read_with_guessed_columns_and_checked_without_writing(opened):
    pages = opened.pages(opened.member)
    response = upload(pages, opened)
    assert response.status_code == 200
    assert mapping_of(response) == GUESSED
    page = text(response)
    assert "3 lines read" in page
    assert "2026-02-03 · In 1,200.00 上海某停车管理有限公司 二月停车费" in page
    assert "2026-02-05 · Out 35.50 银行 手续费" in page
    assert "2026-02-28 · In 88.88 某广告公司 电梯广告" in page
    assert 'name="confirm"' in response.get_data(as_text=True)
    response = submit(pages, opened, response)  # "check with these columns" again: still a dry run
    assert "3 lines read" in text(response)
    assert count(Entry) == 0
    assert events("funds.bank_imported") == []
    assert db.session.get(FundSettings, opened.estate.id) is None or \
        db.session.get(FundSettings, opened.estate.id).bank_columns is None


def test_confirming_creates_drafts_and_importing_the_same_file_again_skips_every_line(opened):
    pages = opened.pages(opened.member)
    response = submit(pages, opened, upload(pages, opened), confirm=True)
    assert ("success", "3 draft entries created, 0 already imported.") in flashes(response)
    assert response.request.path == f"/estates/{opened.estate.id}/funds/{INCOME}"
    drafts = entries()
    assert [(e.state, e.day, e.direction, e.amount, e.counterparty, e.description, e.bank_reference, e.category)
            for e in drafts] == [
        (EntryState.DRAFT, dt.date(2026, 2, 3), "in", 1_200_00, "上海某停车管理有限公司", "二月停车费", "BK0001", ""),
        (EntryState.DRAFT, dt.date(2026, 2, 5), "out", 35_50, "银行", "手续费", "BK0002", ""),
        (EntryState.DRAFT, dt.date(2026, 2, 28), "in", 88_88, "某广告公司", "电梯广告", "BK0003", ""),
    ]
    assert "Imported, to check" in text(response)
    assert [e.details for e in events("funds.bank_imported")] == [{"created": 3, "skipped": 0}]
    fresh()
    assert db.session.scalar(db.select(BankUpload.content)) is None  # the file is not kept once used

    response = submit(pages, opened, upload(pages, opened), confirm=True)
    assert ("success", "0 draft entries created, 3 already imported.") in flashes(response)
    assert count(Entry) == 3
    # The same lines without their bank references are recognised too (day, direction, amount, counterparty).
    without_references = "\n".join(line.rsplit(",", 1)[0] for line in BANK_CSV.decode("gbk").splitlines())
    response = submit(pages, opened, upload(pages, opened, without_references.encode("gbk")), confirm=True)
    assert ("success", "0 draft entries created, 3 already imported.") in flashes(response)
    assert count(Entry) == 3


def test_a_used_upload_cannot_be_confirmed_twice(opened):
    pages = opened.pages(opened.member)
    checked = upload(pages, opened)
    submit(pages, opened, checked, confirm=True)
    assert submit(pages, opened, checked, confirm=True).status_code == 404
    assert count(Entry) == 3


def test_a_file_with_one_bad_row_writes_nothing_and_lists_the_problem(opened):
    content = (HEADER + "2026-02-03,1200.00,,停车公司,停车费,BK0001\n"
               "2026-02-05,,三十五,银行,手续费,BK0002\n").encode("gbk")
    pages = opened.pages(opened.member)
    response = upload(pages, opened, content)
    assert response.status_code == 422
    page = text(response)
    assert "1 problem found: nothing was imported" in page
    assert "Row Column Problem 3 money out The amount “三十五” is not a number." in page
    chinese = opened.pages(opened.member, "zh_CN").post(bank_url(opened), data={
        "upload_id": hidden(response, "upload_id"), **GUESSED, "check": "y"})
    assert "3 收入" not in text(chinese) and "3 支出" in text(chinese)  # the column in the reader's language
    assert 'name="confirm"' not in response.get_data(as_text=True)
    response = pages.post(bank_url(opened), data={"upload_id": hidden(response, "upload_id"), **GUESSED,
                                                  "confirm": "y"})
    assert response.status_code == 422
    assert count(Entry) == 0
    assert events("funds.bank_imported") == []


def test_a_file_with_a_line_inside_a_published_period_writes_nothing(opened):
    opened.publish(INCOME, dt.date(2026, 1, 1), dt.date(2026, 2, 4))
    pages = opened.pages(opened.member)
    response = submit(pages, opened, upload(pages, opened), confirm=True)
    assert errors(response) == ["That date lies in a published statement (up to 2026-02-04), which can no longer "
                                "change (R-54). Record a correction in a later period."]
    assert count(Entry) == 0


def test_the_mapping_is_remembered_for_the_next_upload(opened):
    """A bank whose headers are not guessed: the treasurer maps them once."""
    own = {"date": "记账日", "amount": "", "amount_in": "进账", "amount_out": "出账", "counterparty": "户名",
           "description": "", "reference": ""}
    first = "记账日,进账,出账,户名\n2026-03-01,10.00,,甲\n".encode("gbk")
    second = "记账日,进账,出账,户名\n2026-03-02,,20.00,乙\n".encode("gbk")
    pages = opened.pages(opened.member)
    response = upload(pages, opened, first)
    assert response.status_code == 422  # nothing guessed: choose the columns
    assert "Choose the column that holds the date." in text(response)
    response = submit(pages, opened, response, mapping=own)
    assert "1 line read" in text(response)
    submit(pages, opened, response, mapping=own, confirm=True)
    fresh()
    assert db.session.get(FundSettings, opened.estate.id).bank_columns == {
        "date": "记账日", "amount_in": "进账", "amount_out": "出账", "counterparty": "户名"}

    response = upload(pages, opened, second)
    assert response.status_code == 200
    assert mapping_of(response) == own
    assert "2026-03-02 · Out 20.00 乙" in text(response)


def test_drafts_are_invisible_to_owners_and_not_counted_until_posted(opened):
    pages = opened.pages(opened.member)
    submit(pages, opened, upload(pages, opened), confirm=True)
    parking, fee, _advert = entries()
    owner = opened.pages(opened.owner)
    assert owner.get(f"/estates/{opened.estate.id}/funds/entries/{parking.id}").status_code == 404
    account = owner.get(f"/estates/{opened.estate.id}/funds/{INCOME}")
    assert "上海某停车管理有限公司" not in text(account)
    assert "Balance 0.00" in text(account)
    assert funds.balance(opened.account(INCOME)) == 0
    preview = pages.post(f"/estates/{opened.estate.id}/funds/{INCOME}/statements/new",
                         data={"start": "2026-01-01", "end": "2026-03-31", "preview": "y"})
    assert figures(preview)["Closing balance"] == "0.00"

    # The committee checks a line: it counts from then on.
    draft_page = pages.get(f"/estates/{opened.estate.id}/funds/entries/{parking.id}")
    assert "Imported from the bank, not yet checked" in text(draft_page)
    response = pages.post(f"/estates/{opened.estate.id}/funds/entries/{parking.id}/post",
                          data={"category": "parking", "counterparty": "上海某停车管理有限公司",
                                "description": "二月停车费"}, follow_redirects=True)
    assert ("success", "Entry posted.") in flashes(response)
    assert owner.get(f"/estates/{opened.estate.id}/funds/entries/{parking.id}").status_code == 200
    assert "Balance 1,200.00" in text(owner.get(f"/estates/{opened.estate.id}/funds/{INCOME}"))
    # A draft in the wrong direction's category is refused; one that is a mistake is discarded.
    response = pages.post(f"/estates/{opened.estate.id}/funds/entries/{fee.id}/post",
                          data={"category": "parking"}, follow_redirects=True)
    assert errors(response) == ["That category does not belong to this account and direction."]
    response = pages.post(f"/estates/{opened.estate.id}/funds/entries/{fee.id}/discard", follow_redirects=True)
    assert ("success", "Draft discarded.") in flashes(response)
    assert [e.id for e in entries()] == [parking.id, _advert.id]
    assert [e.details["amount"] for e in events("funds.draft_discarded")] == [35_50]


@pytest.mark.parametrize("user", ["owner", "staff", "supervisor"])
def test_only_the_committee_imports(opened, user):
    pages = opened.pages(getattr(opened, user))
    assert upload(pages, opened).status_code == 404
    assert count(BankUpload) == 0


def test_an_upload_of_another_account_or_estate_is_not_confirmed_here(opened):
    pages = opened.pages(opened.member)
    checked = upload(pages, opened, kind=FUND)
    response = pages.post(bank_url(opened, INCOME), data={"upload_id": hidden(checked, "upload_id"), **GUESSED,
                                                          "confirm": "y"})
    assert response.status_code == 404
    assert count(Entry) == 0


# --- files that must not hold a worker (issue 12, point 4) -----------------------------------------

HOSTILE = {
    "dimension": (lambda: declared_dimension_xlsx(BANK_HEADER, BANK_ROW), "bank.xlsx",
                  "Row Column Problem 1048576 — The sheet goes on beyond column 40 here: a bank file may have at "
                  "most 40 columns."),
    "zip bomb": (lambda: zip_bomb_xlsx(BANK_HEADER), "bank.xlsx",
                 "Row Column Problem — — The workbook is packed as no spreadsheet program packs one"),
    "million lines": (lambda: million_row_csv(header=BANK_CSV_HEADER, row=BANK_CSV_ROW), "bank.csv",
                      "Row Column Problem 50001 — The file has more than 50,000 lines, the most a bank file may "
                      "have."),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_file_is_refused_with_its_reason_and_nothing_is_kept(opened, kind):
    make, filename, reason = HOSTILE[kind]
    pages = opened.pages(opened.member)
    with watchdog():
        response = closed(upload(pages, opened, make(), filename))
    assert response.status_code == 422
    assert "1 problem found: nothing was imported" in text(response)
    assert reason in text(response)
    assert 'name="upload_id"' not in response.get_data(as_text=True)
    assert count(BankUpload) == 0  # a file that cannot be read is not kept


# --- unconfirmed uploads are removed after 24 hours (issue 12, point 10) -----------------------------

def test_an_unconfirmed_upload_is_removed_24_hours_after_it_came_and_not_before(opened, clock, runner):
    pages = opened.pages(opened.member)
    checked = upload(pages, opened)
    assert "A file that is not confirmed within 24 hours is removed: upload it again then." in text(checked)
    uploaded = clock()
    clock.at = uploaded + dt.timedelta(hours=24) - dt.timedelta(seconds=1)
    result = runner.invoke(args=["funds", "remove-unconfirmed-uploads"])
    assert (result.exit_code, result.output) == (0, "0 unconfirmed bank upload(s) removed\n")
    assert count(BankUpload) == 1
    opened.sign_in(opened.member, pages)  # a day later: signed in again
    assert submit(pages, opened, checked).status_code == 200  # still there to confirm

    clock.at = uploaded + dt.timedelta(hours=24)
    assert submit(pages, opened, checked).status_code == 404  # no longer confirmable, even before removal
    result = runner.invoke(args=["funds", "remove-unconfirmed-uploads"])
    assert (result.exit_code, result.output) == (0, "1 unconfirmed bank upload(s) removed\n")
    assert count(BankUpload) == 0
    removed = events("funds.bank_uploads_removed")
    assert [(e.estate_id, e.actor_id, e.object_type) for e in removed] == [(opened.estate.id, None,
                                                                            "fund_bank_upload")]
    assert removed[0].details == {"reason": "not_confirmed_in_24_hours", "uploads": [
        {"id": int(hidden(checked, "upload_id")), "account": opened.account(INCOME).id, "file": "对账单.csv",
         "uploaded_at": uploaded.isoformat()}]}
    assert runner.invoke(args=["funds", "remove-unconfirmed-uploads"]).output == \
        "0 unconfirmed bank upload(s) removed\n"
    assert len(events("funds.bank_uploads_removed")) == 1


def test_a_confirmed_upload_is_kept_without_its_file(opened, clock, runner):
    pages = opened.pages(opened.member)
    submit(pages, opened, upload(pages, opened), confirm=True)
    clock.at = clock() + dt.timedelta(days=3)
    assert runner.invoke(args=["funds", "remove-unconfirmed-uploads"]).output == \
        "0 unconfirmed bank upload(s) removed\n"
    assert count(BankUpload) == 1
    assert db.session.scalar(db.select(BankUpload.content)) is None


def test_each_new_upload_removes_the_unconfirmed_ones_older_than_24_hours(opened, clock):
    member, other = opened.pages(opened.member), opened.pages(opened.other_member)
    opened.open_accounts(opened.other)
    upload(member, opened)
    old_other = other.post(f"/estates/{opened.other.id}/funds/{INCOME}/bank",
                           data={"file": (io.BytesIO(BANK_CSV), "other.csv")}, content_type="multipart/form-data")
    assert old_other.status_code == 200
    clock.at = clock() + dt.timedelta(hours=23)
    opened.sign_in(opened.member, member)  # hours later: signed in again
    recent = upload(member, opened)
    assert count(BankUpload) == 3
    clock.at = clock() + dt.timedelta(hours=1)
    opened.sign_in(opened.member, member)
    upload(member, opened, filename="newest.csv")
    fresh()
    assert sorted(db.session.scalars(db.select(BankUpload.filename))) == ["newest.csv", "对账单.csv"]
    assert [str(u.id) for u in db.session.scalars(db.select(BankUpload).where(BankUpload.filename == "对账单.csv"))] \
        == [hidden(recent, "upload_id")]
    removed = events("funds.bank_uploads_removed")
    assert sorted(e.estate_id for e in removed) == sorted([opened.estate.id, opened.other.id])


# --- issue 14: imported lines categorised and posted several at a time; income lines offered income categories

def _options(response, name: str) -> list[str]:
    import re

    html = response.get_data(as_text=True)
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [value for value in re.findall(r'<option[^>]*value="([^"]*)"', select) if value]


def test_a_draft_line_is_offered_only_the_categories_of_its_direction(opened):
    pages = opened.pages(opened.member)
    submit(pages, opened, upload(pages, opened), confirm=True)
    income, fee, advertising = entries()
    account_page = pages.get(f"/estates/{opened.estate.id}/funds/{INCOME}")
    assert _options(account_page, f"draft-{income.id}") == ["parking", "advertising", "venue_rental", "interest",
                                                              "other_income"]
    assert _options(account_page, f"draft-{fee.id}") == ["management_cost", "tax", "bank_fee", "other_expense"]
    entry_page = pages.get(f"/estates/{opened.estate.id}/funds/entries/{income.id}")
    assert _options(entry_page, "category") == ["parking", "advertising", "venue_rental", "interest", "other_income"]
    # An expense category sent for an income line is refused, and the line stays a draft.
    response = pages.post(f"/estates/{opened.estate.id}/funds/entries/{income.id}/post",
                          data={"category": "tax"}, follow_redirects=True)
    assert errors(response) == ["That category does not belong to this account and direction."]
    fresh()
    assert db.session.get(Entry, income.id).state == EntryState.DRAFT


def test_several_imported_lines_are_posted_at_once_and_lines_left_without_a_category_stay(opened):
    pages = opened.pages(opened.member)
    submit(pages, opened, upload(pages, opened), confirm=True)
    income, fee, advertising = entries()
    response = pages.post(f"/estates/{opened.estate.id}/funds/{INCOME}/drafts",
                          data={f"draft-{income.id}": "parking", f"draft-{fee.id}": "bank_fee",
                                f"draft-{advertising.id}": ""}, follow_redirects=True)
    assert ("success", "2 entries posted.") in flashes(response)
    fresh()
    assert [(e.id, e.state, e.category) for e in entries()] == [
        (income.id, EntryState.POSTED, "parking"), (fee.id, EntryState.POSTED, "bank_fee"),
        (advertising.id, EntryState.DRAFT, "")]
    assert len(events("funds.entry_posted")) == 2


def test_a_batch_with_one_wrong_line_posts_nothing_and_says_why(opened):
    pages = opened.pages(opened.member)
    submit(pages, opened, upload(pages, opened), confirm=True)
    income, fee, advertising = entries()
    account = f"/estates/{opened.estate.id}/funds/{INCOME}"
    response = pages.post(account + "/drafts", data={f"draft-{income.id}": "parking", f"draft-{fee.id}": "parking"},
                          headers={"Referer": "http://localhost" + account}, follow_redirects=True)
    assert response.request.path == account
    assert any(kind == "error" for kind, _message in flashes(response))
    response = pages.post(account + "/drafts", data={f"draft-{income.id}": ""},
                          headers={"Referer": "http://localhost" + account}, follow_redirects=True)
    assert ("error", "Choose a category for at least one line to post.") in flashes(response)
    fresh()
    assert [e.state for e in entries()] == [EntryState.DRAFT] * 3
    assert events("funds.entry_posted") == []


def test_only_the_committee_posts_drafts_in_bulk(opened):
    submit(opened.pages(opened.member), opened, upload(opened.pages(opened.member), opened), confirm=True)
    income = entries()[0]
    response = opened.pages(opened.owner).post(f"/estates/{opened.estate.id}/funds/{INCOME}/drafts",
                                               data={f"draft-{income.id}": "parking"})
    assert response.status_code == 404
    fresh()
    assert db.session.get(Entry, income.id).state == EntryState.DRAFT
