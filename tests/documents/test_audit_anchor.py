"""Issue 12, point 9: the audit chain anchored outside the database. Every PDF prints the head of
its estate's audit chain once its issue is recorded; the register keeps it; the check page shows it
and whether the log still holds it (and compares a head typed from the paper copy); and
``flask audit verify`` compares the log with every recorded head and with heads typed from paper.
A log rewritten whole, every hash recomputed so that its links still hold, is caught."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update

from governance_app.audit import services as audit
from governance_app.audit.chain import event_hash, genesis_hash
from governance_app.audit.models import AuditChainHead, AuditEvent
from governance_app.documents import services
from governance_app.documents.models import DocumentRecord
from governance_app.extensions import db
from tests.documents.support import flat, numbers, pdf_text
from tests.documents.test_meeting_minutes import _view
from tests.support.site import fresh, text


def _get(pages, url: str) -> bytes:
    response = pages.get(url) if not url.endswith("/letters") else pages.post(url, data={"pdf": "生成 PDF"})
    if url.endswith("/letters"):  # a job (issue 16) leads to its progress page, where the file downloads
        assert response.status_code == 302, response.status_code
        response = pages.get(response.location + "/file")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.data


def assert_prints_its_head(content: bytes) -> DocumentRecord:
    """The document's footer has the head its issue left in the chain, as the register has it."""
    fresh()
    number = numbers(content)[0]
    record = db.session.scalar(select(DocumentRecord).where(DocumentRecord.number == number))
    issued = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "document.generated")
                                .order_by(AuditEvent.id.desc())).first()
    assert (record.audit_chain, record.audit_seq, record.audit_hash) == (issued.chain, issued.seq, issued.hash)
    assert issued.chain == f"estate:{record.estate_id}"
    head = db.session.get(AuditChainHead, issued.chain)
    assert (head.seq, head.hash) == (issued.seq, issued.hash)  # nothing recorded since: the head at issue
    assert f"审计日志 {issued.chain} · 第 {issued.seq} 条 · {issued.hash}" in flat(pdf_text(content))
    return record


@pytest.mark.parametrize("document", ["result-announcement", "minutes", "filing-form"])
def test_the_documents_of_a_vote_print_the_head_of_the_estates_audit_chain(login, pages, counted_vote, committee,
                                                                          document):
    login(committee, client=pages)
    assert_prints_its_head(_get(pages, f"/votes/{counted_vote.id}/{document}.pdf"))


def test_every_activation_letter_prints_the_head_its_batch_left(login, pages, estate, committee):
    login(committee, client=pages)
    content = _get(pages, f"/estates/{estate.id}/activation/letters")
    record = assert_prints_its_head(content)
    for page in pdf_text(content).split("\f")[:-1]:  # one head for the batch, on every letter
        assert f"审计日志 {record.audit_chain} · 第 {record.audit_seq} 条 · {record.audit_hash}" in flat(page)


def test_committee_meeting_minutes_print_the_head(app, estate, committee):
    with app.test_request_context():
        content = services.meeting_minutes_pdf(_view(), estate_id=estate.id, meeting_id=41, actor=committee)
        db.session.commit()
    assert_prints_its_head(content)


def test_a_fund_statement_prints_the_head(app, make_estate, make_user, login, clock):
    from tests.funds.support import INCOME, World

    clock.move_to(dt.datetime(2026, 4, 10, 10, 0))
    world = World(app, make_estate, make_user, login)
    world.open_accounts(income=1_000_00)
    world.entry(INCOME, dt.date(2026, 1, 15), "in", 12_345_67, "parking", counterparty="停车场管理处")
    statement = world.publish(INCOME, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    pages = world.pages(world.owner, language="zh_CN")
    assert_prints_its_head(_get(pages, f"/estates/{world.estate.id}/funds/statements/{statement.id}.pdf"))


# --- a log rewritten whole is caught -----------------------------------------------------------------

def rewrite_whole(chain: str, seq: int, details: dict) -> None:
    """What someone with the database's keys could do: change event ``seq`` and recompute every
    later hash and the head, so that every link holds (plain SQL: the ORM refuses)."""
    db.session.rollback()
    previous = genesis_hash(chain)
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)):
        fields = audit._hashed_fields(event)
        if event.seq == seq:
            fields["details"] = details
        new_hash = event_hash(fields, previous)
        db.session.execute(update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == event.id)
                           .values(details=fields["details"], prev_hash=previous, hash=new_hash))
        previous = new_hash
    db.session.execute(update(AuditChainHead.__table__).where(AuditChainHead.__table__.c.chain == chain)
                       .values(hash=previous))
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def issued(login, pages, counted_vote, committee) -> DocumentRecord:
    login(committee, client=pages)
    return assert_prints_its_head(_get(pages, f"/votes/{counted_vote.id}/result-announcement.pdf"))


def verify(runner, *args: str):
    return runner.invoke(args=["audit", "verify", *args])


def test_a_log_rewritten_whole_links_up_but_is_caught_by_the_heads_documents_recorded(runner, client, issued):
    assert verify(runner).output == "audit log intact; 1 recorded head(s) match\n"
    first = db.session.scalar(select(AuditEvent).where(AuditEvent.chain == issued.audit_chain, AuditEvent.seq == 1))
    rewrite_whole(issued.audit_chain, 1, {**first.details, "forged": True})

    assert verify(runner, "--no-documents").exit_code == 0  # every link holds: the walk alone sees nothing
    result = verify(runner)
    assert result.exit_code == 1
    now_hash = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.chain == issued.audit_chain,
                                                               AuditEvent.seq == issued.audit_seq))
    assert result.stderr == (f"REWRITTEN {issued.audit_chain} at seq {issued.audit_seq}: document {issued.number} "
                             f"recorded hash {issued.audit_hash}; the log has {now_hash}\n")
    page = text(client.get("/documents/check", query_string={"number": issued.number}))
    assert "审计日志中的这一条已与签发时不同：日志在签发后被改动过。" in page


def test_when_the_register_is_rewritten_too_the_head_typed_from_paper_catches_it(runner, client, issued):
    paper = issued.audit_hash  # what the footer of the copy on the board says
    rewrite_whole(issued.audit_chain, 2, {"forged": True})
    forged = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.chain == issued.audit_chain,
                                                             AuditEvent.seq == issued.audit_seq))
    db.session.execute(update(DocumentRecord.__table__).where(DocumentRecord.__table__.c.id == issued.id)
                       .values(audit_hash=forged))
    db.session.commit()
    assert verify(runner).exit_code == 0  # log and register agree with each other now

    result = verify(runner, "--head", issued.audit_chain, str(issued.audit_seq), paper[:16])
    assert result.exit_code == 1
    assert result.stderr == (f"REWRITTEN {issued.audit_chain} at seq {issued.audit_seq}: typed recorded hash "
                             f"{paper[:16]}; the log has {forged}\n")
    page = text(client.get("/documents/check", query_string={"number": issued.number, "head": paper[:20]}))
    assert "您输入的审计日志哈希值与签发时记录的不一致" in page


def test_a_log_cut_short_is_caught_by_the_recorded_head(runner, issued):
    chain, seq = issued.audit_chain, issued.audit_seq
    db.session.rollback()
    db.session.execute(delete(AuditEvent.__table__).where(AuditEvent.__table__.c.chain == chain,
                                                          AuditEvent.__table__.c.seq >= seq))
    kept = db.session.scalars(select(AuditEvent).where(AuditEvent.chain == chain)
                              .order_by(AuditEvent.seq.desc())).first()
    db.session.execute(update(AuditChainHead.__table__).where(AuditChainHead.__table__.c.chain == chain)
                       .values(seq=kept.seq, hash=kept.hash))
    db.session.commit()
    assert verify(runner, "--no-documents").exit_code == 0
    result = verify(runner)
    assert result.exit_code == 1
    assert result.stderr == f"REWRITTEN {chain} at seq {seq}: document {issued.number} recorded this event; " \
                            "the log has none\n"


def test_heads_typed_from_paper_are_checked_and_malformed_ones_refused(runner, issued):
    chain, seq, digest = issued.audit_chain, str(issued.audit_seq), issued.audit_hash
    assert verify(runner, "--head", chain, seq, digest).output == "audit log intact; 2 recorded head(s) match\n"
    assert verify(runner, "--head", chain, seq, digest[:8] + " " + digest[8:16]).exit_code == 0  # spaces ignored
    wrong = ("0" if digest[0] != "0" else "1") + digest[1:16]
    assert verify(runner, "--head", chain, seq, wrong).exit_code == 1
    assert verify(runner, "--head", chain, str(issued.audit_seq + 50), digest).exit_code == 1  # not in the log
    for bad in ([chain, seq, digest[:15]], [chain, "x", digest], ["estate", seq, digest]):
        result = verify(runner, "--head", *bad)
        assert result.exit_code == 2, result.output
        assert "Invalid value for --head" in result.stderr


def test_the_check_page_shows_the_recorded_head_and_compares_the_one_typed(app, client, issued):
    from tests.auth.support import page_client

    english = page_client(app, "en")
    page = text(english.get("/documents/check", query_string={"number": issued.number}))
    assert f"Audit log when issued chain {issued.audit_chain}, entry {issued.audit_seq} {issued.audit_hash}" in page
    assert "The audit log still holds this entry exactly as it was when the document was issued." in page
    assert "you typed" not in page
    page = text(english.get("/documents/check", query_string={"number": issued.number,
                                                              "head": issued.audit_hash[:16].upper()}))
    assert "The audit log hash you typed matches the one recorded when the document was issued." in page
    page = text(english.get("/documents/check", query_string={"number": issued.number, "head": "abc"}))
    assert "Type at least the first 16 characters of the hash (0-9 and a-f)." in page
    assert "Genuine" not in page  # nothing checked with a malformed head


def test_a_document_issued_before_heads_were_recorded_says_so(app, client, issued):
    from tests.auth.support import page_client

    db.session.execute(update(DocumentRecord.__table__).where(DocumentRecord.__table__.c.id == issued.id)
                       .values(audit_chain=None, audit_seq=None, audit_hash=None))
    db.session.commit()
    page = text(page_client(app, "en").get("/documents/check", query_string={"number": issued.number}))
    assert "This document was issued before documents recorded the audit log's state." in page
    assert "Audit log when issued" not in page
