"""Evidence of an entry (invoices, contracts, bank slips): PDF, JPEG or PNG by content, never by
name; owners of the estate open it, nobody else."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from governance_app.funds.models import EntryEvidence
from tests.funds.support import INCOME, JPEG, PDF, PNG, count, errors, events, flashes, text


@pytest.fixture
def entry(world):
    world.open_accounts()
    return world.entry(INCOME, dt.date(2026, 2, 1), "out", 800_00, "management_cost", counterparty="某会计师事务所")


def attach(world, entry, content: bytes, filename: str, label: str = "", user=None):
    return world.pages(user or world.member).post(
        f"/estates/{entry.estate_id}/funds/entries/{entry.id}/evidence",
        data={"file": (io.BytesIO(content), filename), "label": label}, content_type="multipart/form-data",
        follow_redirects=True)


@pytest.mark.parametrize("content, filename, content_type", [
    (PDF, "发票.pdf", "application/pdf"),
    (JPEG, "receipt.jpg", "image/jpeg"),
    (PNG, "slip.png", "image/png"),
    (PNG, "slip.pdf", "image/png"),  # the content decides, not the name
])
def test_pdf_jpeg_and_png_are_accepted_by_content_and_owners_open_them(world, entry, content, filename,
                                                                       content_type):
    response = attach(world, entry, content, filename, label="审计费发票")
    assert ("success", "Evidence attached.") in flashes(response)
    [evidence] = world_evidence()
    assert evidence.label == "审计费发票"
    url = f"/estates/{world.estate.id}/funds/entries/{entry.id}/evidence/{evidence.id}"
    assert f'href="{url}"' in response.get_data(as_text=True)
    for user in (world.owner, world.owner2, world.staff, world.auditor):
        download = world.pages(user).get(url)
        assert (download.status_code, download.mimetype, download.data) == (200, content_type, content)
        assert download.headers["Cache-Control"] == "private, no-store"
    for user in (world.other_owner, world.other_member):
        assert world.pages(user).get(url).status_code == 404
    assert world.pages().get(url).status_code == 302  # to sign in


def test_evidence_downloads_under_its_uploaded_name_not_evidence_n(world, entry):
    attach(world, entry, PDF, "2026年审计费发票.pdf", label="审计费发票")
    attach(world, entry, JPEG, "scan", label="")
    first, second = world_evidence()
    assert (first.filename, second.filename) == ("2026年审计费发票.pdf", "scan")
    headers = [world.pages(world.owner).get(f"/estates/{world.estate.id}/funds/entries/{entry.id}/evidence/{item.id}")
               .headers["Content-Disposition"] for item in (first, second)]
    assert headers == [f"inline; filename=\"2026.pdf\"; filename*=UTF-8''2026%E5%B9%B4%E5%AE%A1%E8%AE%A1%E8%B4%B9"
                       f"%E5%8F%91%E7%A5%A8.pdf", 'inline; filename="scan.jpg"']


def world_evidence() -> list[EntryEvidence]:
    from sqlalchemy import select

    from governance_app.extensions import db
    from tests.funds.support import fresh

    fresh()
    return list(db.session.scalars(select(EntryEvidence).order_by(EntryEvidence.id)))


def test_the_label_defaults_to_the_file_name(world, entry):
    attach(world, entry, PDF, "合同.pdf")
    assert [e.label for e in world_evidence()] == ["合同.pdf"]


@pytest.mark.parametrize("content, filename, message", [
    (b"This is only text, not a PDF.\n", "invoice.pdf", "Only JPEG, PNG or PDF files are accepted."),
    (b"<html><body>invoice</body></html>", "invoice.png", "Only JPEG, PNG or PDF files are accepted."),
    (b"", "empty.pdf", "The file is empty."),
])
def test_a_file_that_is_not_a_pdf_jpeg_or_png_is_refused_with_the_message(world, entry, content, filename, message):
    response = attach(world, entry, content, filename)
    assert errors(response) == [message]
    assert count(EntryEvidence) == 0
    assert events("funds.evidence_attached") == []
    assert "No document attached." in text(response)


def test_the_same_file_is_attached_once(world, entry):
    attach(world, entry, PDF, "a.pdf")
    attach(world, entry, PDF, "b.pdf")
    assert count(EntryEvidence) == 1
    assert len(events("funds.evidence_attached")) == 1


def test_evidence_of_another_estate_is_not_found_through_this_estate(world, entry):
    world.open_accounts(world.other)
    other_entry = world.entry(INCOME, dt.date(2026, 2, 1), "in", 10_00, "parking", estate=world.other)
    attach(world, other_entry, PDF, "别的.pdf", user=world.other_member)
    [evidence] = world_evidence()
    assert world.pages(world.other_owner).get(
        f"/estates/{world.other.id}/funds/entries/{other_entry.id}/evidence/{evidence.id}").status_code == 200
    for url in (f"/estates/{world.estate.id}/funds/entries/{other_entry.id}/evidence/{evidence.id}",
                f"/estates/{world.estate.id}/funds/entries/{entry.id}/evidence/{evidence.id}"):
        assert world.pages(world.owner).get(url).status_code == 404
        assert world.pages(world.member).get(url).status_code == 404


@pytest.mark.parametrize("user", ["owner", "staff", "auditor"])
def test_only_the_committee_attaches_evidence(world, entry, user):
    response = attach(world, entry, PDF, "a.pdf", user=getattr(world, user))
    assert response.status_code == 404
    assert count(EntryEvidence) == 0
