"""R-30: one ballot per voter across the online, paper and proxy channels; a second paper
ballot is refused and logged; the database holds the line even without the service's check."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.voting import services
from governance_app.voting.models import Ballot, BallotStatus, Channel, PaperEntry
from tests.support.site import (
    JPEG, cast, code_now, count, events, form_time, fresh, local_now, page_client, text, upload, voter_of,
)


@pytest.fixture
def staff(make_user, estate):
    return make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")


def _paper(pages, vote, unit: str, clock, scan=JPEG):
    return pages.post(f"/votes/{vote.id}/paper",
                      data={"unit": unit, "received_at": form_time(local_now(clock)), "signed": "y",
                            "signer_matches": "y", "item-i1": "oppose", "scan": upload(scan, "scan.jpg")})


def test_r30_online_then_paper_is_refused_and_logged(app, login, open_vote, owner_of, staff, clock):
    owner = owner_of("1-103")
    cast(open_vote, owner, i1="approve")
    pages = page_client(app)
    login(staff, client=pages)

    response = _paper(pages, open_vote, "1-103", clock)

    assert response.status_code == 400
    assert "1-103 的选票已经登记；每位业主只有一张选票（R-30）。" in text(response)
    [refused] = events("ballot.refused_second")
    assert refused.details == {"voter": voter_of(open_vote, "1-103"), "channel": "paper"}
    assert refused.actor_id == staff.id
    assert count(Ballot) == 1 and count(PaperEntry) == 0 and count(StoredFile) == 0
    # Another voter's paper ballot is not affected.
    other = _paper(pages, open_vote, "1-104", clock)
    assert "1-104 的纸质选票已登记（有效）" in text(pages.get(other.headers["Location"]))
    assert count(Ballot) == 2


def test_r30_paper_for_the_other_unit_of_a_buyer_who_voted_online_is_refused(app, login, open_vote, owner_of,
                                                                             staff, clock):
    cast(open_vote, owner_of("1-101"), i1="approve")
    pages = page_client(app)
    login(staff, client=pages)
    response = _paper(pages, open_vote, "1-102", clock)
    assert "1-102 的选票已经登记；每位业主只有一张选票（R-30）。" in text(response)
    assert len(events("ballot.refused_second")) == 1
    assert count(Ballot) == 1


def test_r30_paper_then_online_is_refused(app, login, open_vote, owner_of, staff, clock):
    owner = owner_of("1-103")
    voter = voter_of(open_vote, "1-103")
    pages = page_client(app)
    login(staff, client=pages)
    assert _paper(pages, open_vote, "1-103", clock).status_code == 302

    login(owner, client=pages)
    page = text(pages.get(f"/votes/{open_vote.id}"))
    ballot_page = pages.get(f"/votes/{open_vote.id}/ballot?voter={voter}")
    confirm = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                         data={"voter": voter, "item-i1": "approve", "code": code_now(owner)})

    assert "查看我的回执" in page and "现在投票" not in page
    assert ballot_page.status_code == 302 and "/receipt" in ballot_page.headers["Location"]
    assert confirm.status_code == 302 and "/receipt" in confirm.headers["Location"]
    fresh()
    [ballot] = db.session.scalars(select(Ballot)).all()
    assert ballot.channel == Channel.PAPER and ballot.choices["i1"] == "oppose"
    [mandate] = services.mandates(owner, open_vote)
    assert services.cast_online(open_vote, owner, mandate, {"i1": "approve"}) is False
    assert services.existing_ballot(open_vote, mandate.voter).id == ballot.id
    db.session.rollback()
    assert count(Ballot) == 1


def test_r30_a_second_paper_ballot_is_refused(app, login, open_vote, staff, clock):
    pages = page_client(app)
    login(staff, client=pages)
    assert _paper(pages, open_vote, "2-102", clock).status_code == 302
    second = _paper(pages, open_vote, "2-102", clock)
    assert "2-102 的选票已经登记；每位业主只有一张选票（R-30）。" in text(second)
    assert count(Ballot) == 1 and count(PaperEntry) == 1


def test_r30_the_database_refuses_a_second_ballot_row_for_the_same_voter(open_vote, owner_of):
    first = cast(open_vote, owner_of("1-103"), i1="approve")
    db.session.add(Ballot(vote_id=open_vote.id, seq=first.seq + 1, voter=first.voter, channel=Channel.PAPER,
                          received_at=first.received_at, received_text=first.received_text,
                          status=BallotStatus.VALID, late=False, choices={"i1": "oppose"}, nonce="0" * 32,
                          tracker="1" * 64, chain="2" * 64))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert count(Ballot) == 1


def test_r30_a_resubmission_after_the_count_shows_the_receipt_not_an_error(app, login, open_vote, owner_of,
                                                                            committee, clock):
    """A retry that arrives late (the vote has closed and been counted) finds the ballot recorded
    earlier: with a fresh code or without one, the voter is sent to the receipt."""
    from tests.support.site import close_vote

    owner = owner_of("1-103")
    voter = voter_of(open_vote, "1-103")
    first = cast(open_vote, owner, i1="approve")
    close_vote(open_vote, clock)
    services.count(open_vote, committee)
    db.session.commit()
    pages = page_client(app)
    login(owner, client=pages)
    for code in (code_now(owner), ""):
        retry = pages.post(f"/votes/{open_vote.id}/ballot/confirm",
                           data={"voter": voter, "item-i1": "oppose", "code": code})
        assert retry.status_code == 302 and "/receipt" in retry.headers["Location"], code
    fresh()
    [ballot] = db.session.scalars(select(Ballot)).all()
    assert ballot.id == first.id and ballot.choices["i1"] == "approve"
