"""Activation letters as a PDF, from the same POST that issues the codes: one page and one number
per voter; a letter checks as current while its code can still open an account."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from governance_app.auth.models import ActivationCode
from governance_app.documents.models import DocumentKind, DocumentRecord
from governance_app.extensions import db
from tests.documents.support import (
    CURRENT, SUPERSEDED, assert_cjk_font_embedded, check_status, flat, numbers, page_count, pdf_text,
)
from tests.voting_site.support import fresh, text

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _letters_pdf(pages, estate, **form):
    response = pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "生成 PDF", **form})
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize("per_part, processes", [(25, 1), (2, 2)], ids=["one process", "two processes"])
def test_the_letters_come_as_a_pdf_with_a_page_and_a_number_per_voter(monkeypatch, app, login, pages, estate, committee,
                                                                      per_part, processes):
    """Drawn in one process, or in parts shared among processes (PDF_PROCESSES): the same pages."""
    from governance_app.documents import services

    monkeypatch.setattr(services, "LETTERS_PER_PART", per_part)
    monkeypatch.setitem(app.config, "PDF_PROCESSES", processes)
    login(committee, client=pages)
    activation = pages.get(f"/estates/{estate.id}/activation").get_data(as_text=True)
    assert 'name="pdf"' in activation and "生成 PDF" in activation
    content = _letters_pdf(pages, estate)
    assert_cjk_font_embedded(content)
    fresh()
    issued = db.session.scalar(select(func.count()).select_from(ActivationCode))
    assert issued == 9  # every voter of the roll, the co-owned unit's representative once
    assert page_count(content) == issued
    pages_text = pdf_text(content).split("\f")[:-1]
    assert len(numbers(content)) == issued
    first = flat(pages_text[0])
    assert "梅园小区 · 业主账户激活函" in first and "激活码" in first and "/activate" in first
    assert "第 1 页 共 1 页" in first
    assert CODE.search(first)
    records = db.session.scalars(select(DocumentRecord).order_by(DocumentRecord.id)).all()
    assert {r.kind for r in records} == {DocumentKind.ACTIVATION_LETTER} and len(records) == issued
    assert {r.object_id for r in records} == set(db.session.scalars(select(ActivationCode.id)))
    # The page of a letter carries that letter's number and hash, and never the code's hash.
    for page_text, number in zip(pages_text, numbers(content)):
        record = next(r for r in records if r.number == number)
        assert number in page_text and record.data_sha256 in flat(page_text)
    assert all(code.code_hash not in pdf_text(content) for code in db.session.scalars(select(ActivationCode)))


def test_a_letter_is_current_until_its_code_is_replaced(login, pages, estate, committee, client):
    login(committee, client=pages)
    first = numbers(_letters_pdf(pages, estate))
    assert all(check_status(client, number) == CURRENT for number in first[:2])
    # New letters for everyone replace the codes: the old letters are genuine but superseded.
    second = numbers(_letters_pdf(pages, estate, reissue="y"))
    assert check_status(client, first[0]) == SUPERSEDED
    assert check_status(client, second[0]) == CURRENT


def test_the_html_letters_still_come_without_the_pdf_button(login, pages, estate, committee):
    login(committee, client=pages)
    response = pages.post(f"/estates/{estate.id}/activation/letters", data={"submit": "生成激活函"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    fresh()
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0


def test_without_a_chinese_font_no_code_is_issued(monkeypatch, login, pages, estate, committee):
    from governance_app.documents import render

    monkeypatch.setattr(render, "cjk_font", lambda: None)
    login(committee, client=pages)
    response = pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "生成 PDF"})
    assert response.status_code == 503 and "fonts-noto-cjk" in text(response)
    fresh()
    # The codes would exist only in a response that could not be made: none was issued.
    assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0


def test_only_those_who_issue_letters_get_them(login, pages, estate, owner_of, make_user, make_estate):
    from governance_app.auth.models import Role

    outsider = make_user(Role.COMMITTEE_CHAIR, make_estate("别的小区"), login="other-chair")
    for user in (owner_of("1-103"), outsider):
        login(user, client=pages)
        assert pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "1"}).status_code == 404
    fresh()
    assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
