"""Paper ballots entered by staff with their scan (R-31 receipt time, R-32 invalid ballots),
the checks on the scan, and the two-staff setting."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.voting import services
from governance_app.voting.models import Ballot, BallotStatus, Channel, PaperEntry
from tests.support.site import (
    JPEG, PDF, PNG, close_vote, count, events, form_time, fresh, local, local_now, multipart_in_memory, new_vote,
    notice_and_open, page_client, text, upload,
)

ONE_MEGABYTE = 1024 * 1024


@pytest.fixture
def staff(make_user, estate):
    return make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")


def paper_form(unit: str, received: dt.datetime, *, signed=True, matches=True, scan=JPEG, filename="scan.jpg",
               **marks) -> dict:
    form = {"unit": unit, "received_at": form_time(received), "scan": upload(scan, filename),
            **{f"item-{key}": value for key, value in marks.items()}}
    if signed:
        form["signed"] = "y"
    if matches:
        form["signer_matches"] = "y"
    return form


def enter(pages, vote, unit, received, **options):
    return pages.post(f"/votes/{vote.id}/paper", data=paper_form(unit, received, **options))


def board(pages, vote) -> str:
    return text(pages.get(f"/votes/{vote.id}/board"))


@pytest.mark.parametrize("scan, filename, content_type", [(JPEG, "scan.jpg", "image/jpeg"),
                                                          (PNG, "photo.png", "image/png"),
                                                          (PDF, "scan.pdf", "application/pdf")],
                         ids=["jpeg", "png", "pdf"])
def test_r31_staff_enter_a_paper_ballot_with_its_scan(app, login, open_vote, staff, clock, scan, filename,
                                                      content_type):
    pages = page_client(app)
    login(staff, client=pages)
    received = local_now(clock) - dt.timedelta(hours=1)

    response = enter(pages, open_vote, "1-104", received, scan=scan, filename=filename, i1="approve",
                     i3=["c1", "c2"], i4="p2")

    assert response.status_code == 302 and response.headers["Location"] == f"/votes/{open_vote.id}/paper"
    fresh()
    ballot = db.session.scalar(select(Ballot))
    assert ballot.channel == Channel.PAPER and ballot.status == BallotStatus.VALID and not ballot.late
    assert ballot.choices == {"i1": "approve", "i2": None, "i3": ["c1", "c2"], "i4": "p2"}
    assert local(ballot.received_at) == received
    assert ballot.received_text == received.isoformat() + "+08:00"
    assert ballot.cast_by_id == staff.id
    stored = db.session.get(StoredFile, ballot.scan_id)
    assert stored.content == scan and stored.content_type == content_type
    flash = text(pages.get(response.headers["Location"]))
    assert f"1-104 的纸质选票已登记（有效）。回执码 {ballot.tracker[:12]}。" in flash
    shown = board(pages, open_vote)
    assert "#1 · 纸质" in shown and ballot.tracker in shown and ballot.chain in shown
    assert "1-104" not in shown  # the board shows no unit
    # Once recorded, the scan shows how the owner voted: staff no longer open it.
    assert pages.get(f"/votes/{open_vote.id}/paper/{ballot.paper_entry_id}/scan").status_code == 404
    assert [e.details["voter"] for e in events("ballot.paper_entered")] == [ballot.voter]


def test_r31_the_committee_may_enter_paper_ballots_too(app, login, open_vote, committee, clock):
    pages = page_client(app)
    login(committee, client=pages)
    assert enter(pages, open_vote, "2-102", local_now(clock), i1="oppose").status_code == 302
    assert count(Ballot) == 1


def test_r31_a_paper_ballot_received_after_the_deadline_is_stored_late_and_not_counted(app, login, open_vote, staff,
                                                                                      committee, clock):
    deadline = local(open_vote.closes_at)
    close_vote(open_vote, clock)
    clock.move_to(deadline + dt.timedelta(hours=2))
    pages = page_client(app)
    login(staff, client=pages)

    in_time = enter(pages, open_vote, "1-103", deadline - dt.timedelta(minutes=1), i1="approve")
    late = enter(pages, open_vote, "1-104", deadline, i1="approve")

    assert in_time.status_code == 302 and late.status_code == 302
    fresh()
    ballots = {b.voter: b for b in db.session.scalars(select(Ballot))}
    assert [b.late for b in sorted(ballots.values(), key=lambda b: b.seq)] == [False, True]
    shown = board(pages, open_vote)
    assert "#2 · 纸质 · 逾期，不计入" in shown and "#1 · 纸质 · 逾期" not in shown
    result = services.count(open_vote, committee)
    db.session.commit()
    assert result["ballots"] == {"counted": 1, "late": 1, "invalid": 0, "duplicate": 0, "unknown_voter": 0}
    assert result["participation"]["area"] == "80.00" and result["participation"]["heads"] == 1
    assert result["items"]["i1"]["approve"] == {"area": "80.00", "heads": 1}


@pytest.mark.parametrize("signed, matches", [(False, True), (True, False), (False, False)],
                         ids=["unsigned", "signer-not-matched", "neither"])
def test_r32_an_unsigned_or_unmatched_paper_ballot_is_invalid_and_does_not_participate(
        app, login, open_vote, staff, committee, clock, signed, matches):
    pages = page_client(app)
    login(staff, client=pages)

    response = enter(pages, open_vote, "3-103", local_now(clock), signed=signed, matches=matches, i1="approve")

    assert "3-103 的纸质选票已登记（无效）" in text(pages.get(response.headers["Location"]))
    fresh()
    ballot = db.session.scalar(select(Ballot))
    assert ballot.status == BallotStatus.INVALID
    assert "#1 · 纸质 · 无效" in board(pages, open_vote)
    close_vote(open_vote, clock)
    result = services.count(open_vote, committee)
    db.session.commit()
    assert result["ballots"]["invalid"] == 1 and result["ballots"]["counted"] == 0
    assert result["participation"] == {"area": "0.00", "heads": 0, "met": False, "rule": "R-10"}
    assert result["items"]["i1"]["approve"] == {"area": "0.00", "heads": 0}


def test_r31_paper_ballots_are_entered_only_between_opening_and_counting(app, login, draft_vote, committee, staff,
                                                                         clock):
    services.publish_notice(draft_vote, committee)
    db.session.commit()
    pages = page_client(app)
    login(staff, client=pages)
    early = enter(pages, draft_vote, "1-104", local_now(clock))
    assert early.status_code == 400 and "本次表决现在不接受投票。" in text(early)

    close_vote(draft_vote, clock)  # opens and closes at once
    services.count(draft_vote, committee)
    db.session.commit()
    login(staff, client=pages)  # days later: signed in again
    after = enter(pages, draft_vote, "1-104", local_now(clock) - dt.timedelta(days=2))
    assert after.status_code == 400 and "本次表决现在不接受投票。" in text(after)
    assert count(PaperEntry) == 0 and count(StoredFile) == 0


def test_a_text_file_renamed_jpg_is_refused_and_nothing_is_stored(app, login, open_vote, staff, clock):
    pages = page_client(app)
    login(staff, client=pages)
    response = enter(pages, open_vote, "1-104", local_now(clock), scan="这不是图片\n".encode(), filename="scan.jpg")
    assert response.status_code == 400
    assert "只接受 JPEG、PNG 或 PDF 文件。" in text(response)
    assert count(StoredFile) == 0 and count(PaperEntry) == 0 and count(Ballot) == 0


@pytest.mark.parametrize("size, accepted", [(10 * ONE_MEGABYTE, True), (10 * ONE_MEGABYTE + 1, False)],
                         ids=["10MB", "10MB+1"])
def test_a_scan_over_10_mb_is_refused(app, login, open_vote, staff, clock, size, accepted):
    pages = page_client(app)
    login(staff, client=pages)
    big = JPEG[:4] + b"\x00" * (size - 4)
    response = pages.post(f"/votes/{open_vote.id}/paper",
                          **multipart_in_memory(paper_form("1-104", local_now(clock), scan=big)))
    if accepted:
        assert response.status_code == 302
        assert count(StoredFile) == 1 and count(Ballot) == 1
    else:
        assert response.status_code == 400 and "文件超过 10 MB。" in text(response)
        assert count(StoredFile) == 0 and count(PaperEntry) == 0 and count(Ballot) == 0


def test_a_receipt_time_in_the_future_is_refused(app, login, open_vote, staff, clock):
    pages = page_client(app)
    login(staff, client=pages)
    response = enter(pages, open_vote, "1-104", local_now(clock) + dt.timedelta(hours=1))
    assert response.status_code == 400 and "收到时间不能晚于现在。" in text(response)
    assert count(StoredFile) == 0 and count(PaperEntry) == 0


def test_a_unit_not_on_the_roll_is_refused(app, login, open_vote, staff, clock):
    pages = page_client(app)
    login(staff, client=pages)
    response = enter(pages, open_vote, "9-999", local_now(clock))
    assert response.status_code == 400 and "9-999 不在本次表决的名册中。" in text(response)
    assert count(StoredFile) == 0 and count(PaperEntry) == 0


def test_an_owner_cannot_open_the_paper_pages(app, login, open_vote, owner_of, staff, clock):
    from governance_app.voting.services import record_paper

    entry, _ballot = record_paper(open_vote, staff, unit="1-104", received_at=clock(), signed=True,
                                  signer_matches=True, choices={"i1": "approve"}, scan=JPEG)
    db.session.commit()
    owner = owner_of("1-103")
    pages = page_client(app)
    login(owner, client=pages)
    assert pages.get(f"/votes/{open_vote.id}/paper").status_code == 404
    assert enter(pages, open_vote, "1-103", local_now(clock)).status_code == 404
    assert pages.get(f"/votes/{open_vote.id}/paper/{entry.id}/scan").status_code == 404
    assert pages.post(f"/votes/{open_vote.id}/paper/{entry.id}/reject").status_code == 404
    assert count(Ballot) == 1 and count(PaperEntry) == 1


# --- two staff members --------------------------------------------------------------------------

@pytest.fixture
def two_staff_vote(estate, committee, clock):
    vote = new_vote(estate, committee, clock, two_staff_paper=True, title="双人录入的表决")
    notice_and_open(vote, committee, clock)
    return vote


def _entry_ids(pages, vote) -> list[int]:
    """The entries waiting for a second staff member (the one who entered them is not shown a
    link to them: nobody else's choices are on the paper page)."""
    fresh()
    return [entry.id for entry in services.pending_paper(vote)]


def test_two_staff_an_entry_waits_until_a_second_staff_member_confirms_it(app, login, two_staff_vote, staff,
                                                                          make_user, clock):
    vote = two_staff_vote
    pages = page_client(app)
    login(staff, client=pages)

    response = enter(pages, vote, "1-104", local_now(clock), i1="approve")
    assert "1-104 的纸质选票已录入，须由另一名工作人员确认。" in text(pages.get(response.headers["Location"]))
    assert count(Ballot) == 0
    page = text(pages.get(f"/votes/{vote.id}/paper"))
    assert "本次表决的每张纸质选票须由另一名工作人员确认。" in page and "等待另一名工作人员确认" in page
    assert "还没有选票。" in board(pages, vote)
    [entry_id] = _entry_ids(pages, vote)

    # The person who entered it cannot confirm it.
    same = pages.post(f"/votes/{vote.id}/paper/{entry_id}/confirm", follow_redirects=True)
    assert "须由另一名工作人员确认：这张选票是您本人录入的。" in text(same)
    assert count(Ballot) == 0

    # Another staff member of the community confirms: the ballot is on the board.
    second = make_user(Role.COMMUNITY_STAFF, vote.estate.community, login="staff-2")
    login(second, client=pages)
    confirmed = pages.post(f"/votes/{vote.id}/paper/{entry_id}/confirm", follow_redirects=True)
    assert "纸质选票已确认。" in text(confirmed)
    fresh()
    ballot = db.session.scalar(select(Ballot))
    entry = db.session.get(PaperEntry, entry_id)
    assert entry.confirmed_by_id == second.id and entry.entered_by_id == staff.id
    assert ballot.paper_entry_id == entry_id and ballot.status == BallotStatus.VALID
    assert ballot.tracker in board(pages, vote)
    assert _entry_ids(pages, vote) == []
    # Deciding twice is refused.
    again = pages.post(f"/votes/{vote.id}/paper/{entry_id}/reject", follow_redirects=True)
    assert "这张纸质选票已被确认或退回。" in text(again)
    assert count(Ballot) == 1
    assert len(events("ballot.paper_confirmed")) == 1


def test_two_staff_a_rejected_entry_gives_no_ballot_and_counting_waits_for_every_entry(
        app, login, two_staff_vote, staff, committee, clock):
    vote = two_staff_vote
    pages = page_client(app)
    login(staff, client=pages)
    enter(pages, vote, "1-104", local_now(clock), i1="approve")
    enter(pages, vote, "2-102", local_now(clock), i1="oppose")
    first, second = _entry_ids(pages, vote)
    close_vote(vote, clock)

    # Counting is refused while entries wait.
    login(committee, client=pages)
    refused = pages.post(f"/votes/{vote.id}/count", follow_redirects=True)
    assert "还有纸质选票在等待另一名工作人员确认。" in text(refused)
    fresh()
    assert vote.state.value == "closed"

    # The committee chair is the second person: confirm one, reject the other.
    assert "纸质选票已确认。" in text(pages.post(f"/votes/{vote.id}/paper/{first}/confirm", follow_redirects=True))
    assert "纸质选票已退回。" in text(pages.post(f"/votes/{vote.id}/paper/{second}/reject", follow_redirects=True))
    fresh()
    assert [b.paper_entry_id for b in db.session.scalars(select(Ballot))] == [first]
    assert db.session.get(PaperEntry, second).rejected_at is not None
    assert len(events("ballot.paper_rejected")) == 1

    counted = pages.post(f"/votes/{vote.id}/count")
    assert counted.status_code == 302 and counted.headers["Location"] == f"/votes/{vote.id}/result"
    fresh()
    assert vote.state.value == "counted"
    assert vote.result["ballots"]["counted"] == 1
