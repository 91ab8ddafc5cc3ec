"""Issue 12, point 8: a vote commits, when its notice is published, to what is voted on (bundle
format owners-vote/2). The commitment is shown on the notice and the board before anyone votes,
the ballot chain starts from it, and a bundle with any descriptive field changed fails
``governance-audit verify``. Votes noticed before keep owners-vote/1 and verify as they did."""
from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.voting import bundle, services
from governance_app.voting import printing as documents
from governance_app.voting.models import Ballot, Candidate, VoteChainHead, VoteItem
from tests.support.voting_world import SHANGHAI, close
from tests.support.site import JPEG, cast, events, fresh, job_file, page_client, text

SCRIPT = Path(sys.executable).with_name("governance-audit")


@pytest.fixture
def supervisor(make_user, estate):
    return make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")


def _canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _counted(vote, owner_of, committee, clock, make_user):
    cast(vote, owner_of("1-103"), i1="approve", i3=["c1"], i4="p1")
    cast(vote, owner_of("1-101"), i1="oppose", i2="abstain")
    staff = make_user(Role.COMMUNITY_STAFF, vote.estate.community, login="staff")
    services.record_paper(vote, staff, unit="2-102", received_at=platform_clock.now(), signed=True, signer_matches=True,
                          choices={"i1": "approve", "i2": None, "i3": None, "i4": None}, scan=JPEG)
    db.session.commit()
    close(vote, clock)
    services.count(vote, committee)
    services.publish_result(vote, committee)
    db.session.commit()
    return vote


def _download(app, login, user, vote) -> dict:
    pages = page_client(app)
    login(user, client=pages)
    response = job_file(pages, pages.post(f"/votes/{vote.id}/bundle"))
    assert response.status_code == 200
    return json.loads(response.get_data())


def _verify(tmp_path, data: dict) -> subprocess.CompletedProcess:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return subprocess.run([str(SCRIPT), "verify", str(path)], capture_output=True, timeout=60)


def test_the_notice_fixes_the_commitment_and_the_chain_starts_from_it(app, login, draft_vote, committee, clock,
                                                                    owner_of):
    services.publish_notice(draft_vote, committee)
    db.session.commit()
    fresh()
    vote = draft_vote
    header, items, roll = services.committed(vote)
    expected = hashlib.sha256(_canonical({"vote": header, "items": items, "roll": roll})).hexdigest()
    assert vote.commitment == expected and vote.bundle_format == "owners-vote/2"
    assert header["title"] == "加装电梯与选举" and header["estate"] == "梅园小区" and header["buildings"] is None
    assert [c["name"] for c in items[2]["candidates"]] == ["甲", "乙", "丙", "丁"]
    assert {entry["unit"] for entry in roll} >= {"1-101", "2-101", "3-103"}
    head = db.session.get(VoteChainHead, vote.id)
    assert head.chain == hashlib.sha256((vote.uid + vote.commitment).encode("utf-8")).hexdigest()
    assert events("vote.noticed")[0].details["commitment"] == vote.commitment

    # Shown before anyone votes: on the notice (the vote's page) and on the board, to owners too.
    assert vote.state.value == "noticed"
    pages = page_client(app)
    login(owner_of("1-103"), client=pages)
    assert vote.commitment in text(pages.get(f"/votes/{vote.id}"))
    board = text(pages.get(f"/votes/{vote.id}/board"))
    assert vote.commitment in board and head.chain in board


def test_a_draft_shows_no_commitment(app, login, draft_vote, committee):
    pages = page_client(app)
    login(committee, client=pages)
    assert draft_vote.commitment is None
    assert "表决内容指纹" not in text(pages.get(f"/votes/{draft_vote.id}"))


def test_the_bundle_verifies_as_owners_vote_2_with_the_published_values(app, login, open_vote, owner_of, committee,
                                                                      clock, make_user, supervisor, tmp_path):
    vote = _counted(open_vote, owner_of, committee, clock, make_user)
    data = _download(app, login, supervisor, vote)
    assert data["format"] == "owners-vote/2" and data["commitment"] == vote.commitment
    assert bundle.verify(data) is None

    done = _verify(tmp_path, data)
    out = done.stdout.decode("utf-8")
    assert (done.returncode, done.stderr) == (0, b"")
    assert out.startswith("OK (owners-vote/2): commitment, trackers, chain and result match the re-count")
    assert f"commitment: {vote.commitment}" in out and f"final chain value: {vote.final_chain}" in out

    # The final value printed on the result page and its PDF, and the commitment beside it.
    pages = page_client(app)
    login(committee, client=pages)
    result = text(pages.get(f"/votes/{vote.id}/result"))
    assert vote.final_chain in result and vote.commitment in result
    shown = documents.announcement_data(vote)
    assert (shown["final_chain"], shown["commitment"]) == (vote.final_chain, vote.commitment)
    assert documents.minutes_data(vote)["commitment"] == vote.commitment


CHANGES = [
    ("vote", "title", "另一个标题"), ("vote", "opens_at", "2020-01-01T09:00:00+08:00"),
    ("vote", "buildings", ["1"]), ("vote", "estate", "别的小区"), ("vote", "description", "改过的说明"),
    ("items.0", "title", "另一个事项"), ("items.2.candidates.1", "name", "戊"), ("items.3.options.0", "title", "委托管理"),
    ("roll.0", "unit", "9-999"), ("roll.1", "building", "9"), ("roll.2", "area_source", "contract"),
]


def _at(data, path):
    for step in path.split("."):
        data = data[int(step)] if step.isdigit() else data[step]
    return data


@pytest.mark.parametrize("path, key, value", CHANGES, ids=[f"{p}.{k}" for p, k, _ in CHANGES])
def test_a_changed_descriptive_field_fails_verify_naming_the_commitment(app, login, open_vote, owner_of, committee,
                                                                      clock, make_user, supervisor, tmp_path, path,
                                                                      key, value):
    vote = _counted(open_vote, owner_of, committee, clock, make_user)
    data = _download(app, login, supervisor, vote)
    edited = copy.deepcopy(data)
    _at(edited, path)[key] = value

    done = _verify(tmp_path, edited)

    assert done.returncode == 1 and done.stdout == b""
    assert done.stderr.decode("utf-8").startswith("MISMATCH: commitment does not match")
    assert "(checked as owners-vote/2)" in done.stderr.decode("utf-8")


def test_a_vote_noticed_before_keeps_owners_vote_1_and_verifies_as_before(app, login, draft_vote, owner_of, committee,
                                                                        clock, make_user, supervisor, tmp_path):
    """A vote noticed before the commitment existed (as migration 0010 leaves it): no commitment,
    its chain starting from the vote id; both ways of appending a ballot continue that chain."""
    services.publish_notice(draft_vote, committee)
    db.session.execute(update(VoteChainHead).where(VoteChainHead.vote_id == draft_vote.id)
                       .values(chain=bundle.chain_start(draft_vote.uid)))
    draft_vote.commitment = draft_vote.estate_name_at_notice = None
    db.session.commit()
    clock.move_to(platform_clock.aware(draft_vote.opens_at).astimezone(SHANGHAI).replace(tzinfo=None, hour=9))
    services.advance(draft_vote)
    vote = _counted(draft_vote, owner_of, committee, clock, make_user)

    data = _download(app, login, supervisor, vote)
    assert data["format"] == "owners-vote/1" and "commitment" not in data
    assert "description" not in data["vote"] and "nomination" not in data["items"][2]["candidates"][0]
    done = _verify(tmp_path, data)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode("utf-8").startswith("OK (owners-vote/1): trackers, chain and result match")
    first = db.session.scalar(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.seq == 1))
    assert first.chain == bundle.chain_next(bundle.chain_start(vote.uid), first.tracker)
    assert "commitment" not in documents.announcement_data(vote)
    # owners-vote/1 never covered the descriptive fields: changing them still verifies, as before.
    data["vote"]["title"] = "另一个标题"
    assert _verify(tmp_path, data).returncode == 0


def test_what_is_committed_is_what_was_noticed_even_if_the_database_is_changed_after(
        app, login, open_vote, owner_of, committee, clock, make_user, supervisor, tmp_path):
    """Someone with database access renames a candidate after the notice: the platform's own
    bundle then fails verification, naming the commitment."""
    vote = _counted(open_vote, owner_of, committee, clock, make_user)
    item = db.session.scalar(select(VoteItem).where(VoteItem.vote_id == vote.id, VoteItem.position == 3))
    db.session.execute(update(Candidate).where(Candidate.item_id == item.id, Candidate.position == 2)
                       .values(name="戊"))
    db.session.commit()
    done = _verify(tmp_path, _download(app, login, supervisor, vote))
    assert done.returncode == 1 and b"MISMATCH: commitment does not match" in done.stderr
