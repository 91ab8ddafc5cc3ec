"""An owner votes online (R-34), the board shows the tracker, the committee counts and publishes,
the bundle re-counts with governance-audit."""
import json
import re
import time

from sqlalchemy import event, func, select

from governance_app.extensions import db
from governance_app.voting import bundle, services
from governance_app.voting.models import Ballot
from tests.support.voting_world import close
from tests.support.site import job_file, page_client


def _cast(client, vote, voter_user, choices: dict, code: str):
    mandate = services.mandates(voter_user, vote)[0]
    form = {"voter": mandate.voter, "code": code, **choices}
    return mandate, client.post(f"/votes/{vote.id}/ballot/confirm", data=form)


def test_owner_casts_online_and_sees_the_receipt_and_board(client, login, open_vote, owner_of):
    owner = owner_of("1-103")
    login(owner)
    page = client.get(f"/votes/{open_vote.id}")
    assert page.status_code == 200
    mandate = services.mandates(owner, open_vote)[0]
    review = client.post(f"/votes/{open_vote.id}/ballot?voter={mandate.voter}",
                         data={"item-i1": "approve", "item-i3": ["c1", "c2"], "item-i4": "p1"})
    assert review.status_code == 200
    text = review.get_data(as_text=True)
    assert "同意" in text and "同意：甲、乙" in text and "专业物业公司" in text and "未填写" in text
    code = owner.totp.code_at(int(time.time()))
    _mandate, response = _cast(client, open_vote, owner, {"item-i1": "approve", "item-i3": ["c1", "c2"],
                                                           "item-i4": "p1"}, code)
    assert response.status_code == 302
    assert "/receipt" in response.headers["Location"]
    ballot = services.existing_ballot(open_vote, mandate.voter)
    assert ballot.choices == {"i1": "approve", "i2": None, "i3": ["c1", "c2"], "i4": "p1"}
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ballot.tracker in receipt
    assert "<dt>房号</dt><dd>1-103</dd>" in receipt  # the unit's number, not 房屋套数 (a count of units)
    board = client.get(f"/votes/{open_vote.id}/board").get_data(as_text=True)
    assert ballot.tracker in board and ballot.chain in board
    # A double tap: the same request again returns the receipt, no second ballot.
    _mandate, again = _cast(client, open_vote, owner, {"item-i1": "oppose"}, code)
    assert again.status_code == 302 and "/receipt" in again.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_count_publish_and_bundle_verify(client, login, open_vote, owner_of, committee, make_user, clock):
    from governance_app.auth.models import Role

    for unit, choice in (("1-101", "approve"), ("1-103", "approve"), ("1-104", "oppose"), ("2-101", "approve"),
                         ("2-102", "approve"), ("2-103", "abstain"), ("3-101", "approve")):
        user = owner_of(unit)
        mandate = services.mandates(user, open_vote)[0]
        services.cast_online(open_vote, user, mandate, {"i1": choice, "i2": None, "i3": ["c1"], "i4": "p1"})
    db.session.commit()
    close(open_vote, clock)
    login(committee)
    assert client.post(f"/votes/{open_vote.id}/count").status_code == 302
    db.session.refresh(open_vote)
    result = open_vote.result
    assert result["participation"]["met"] is True
    assert result["items"]["i1"]["outcome"] == "passed"
    page = client.get(f"/votes/{open_vote.id}/result").get_data(as_text=True)
    assert open_vote.final_chain in page
    assert client.post(f"/votes/{open_vote.id}/publish").status_code == 302
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, open_vote.estate.community.sub_district, login="sup")
    login(supervisor)
    db.session.refresh(open_vote)
    download = job_file(client, client.post(f"/votes/{open_vote.id}/bundle"))
    assert download.status_code == 200
    data = json.loads(download.get_data())
    assert bundle.verify(data) is None
    data["ballots"][0]["choices"]["i1"] = "oppose"
    assert re.match(r"ballots\[0\]\.tracker", bundle.verify(data))


def test_r30_r34_a_cast_request_reads_its_mandate_in_one_statement(client, login, open_vote, owner_of):
    """The cast request is the one every owner sends at once: it reads the session, the vote and the
    voter's units with their holders (one statement, also for a co-owned unit's representative,
    R-15), then claims the code and appends the ballot. Counted here so that a change that adds a
    round trip to it is seen."""
    owner = owner_of("2-101")  # co-owned: 张强 is the representative
    login(owner)
    mandate = services.mandates(owner, open_vote)[0]
    services.ballot_items(open_vote)  # read once per process, as by every cast but a process's first
    statements: list[str] = []

    def seen(_connection, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()))

    form = {"voter": mandate.voter, "code": owner.totp.code_at(int(time.time())), "item-i1": "approve"}
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.post(f"/votes/{open_vote.id}/ballot/confirm", data=form)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 302 and "/receipt" in response.headers["Location"]
    assert services.existing_ballot(open_vote, mandate.voter).choices["i1"] == "approve"
    reads_of_the_roll = [s for s in statements if "FROM vote_roll_entry" in s]
    assert len(reads_of_the_roll) == 1, statements
    # Session, vote, mandate, then the writes: on PostgreSQL claim-and-mark and append are one
    # statement each; SQLite claims, marks, locks the chain, inserts and moves the head.
    assert len(statements) == (5 if db.engine.dialect.name == "postgresql" else 8), statements


def test_r34_the_cast_needs_the_token_its_confirmation_page_carries(app, login, open_vote, owner_of, monkeypatch):
    """The confirmation form signs no token of its own: the page carries the request's CSRF token,
    which CSRFProtect checks before the view. Without it the cast is refused and nothing is
    written; with the page's token the ballot is cast."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    owner = owner_of("1-103")
    pages = page_client(app)
    login(owner, client=pages)
    mandate = services.mandates(owner, open_vote)[0]

    def token(response, action: str) -> str:
        """The token inside the form that posts to ``action`` (the layout's own forms carry one too)."""
        form = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>',
                         response.get_data(as_text=True), re.S).group(1)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)

    ballot_page = pages.get(f"/votes/{open_vote.id}/ballot?voter={mandate.voter}")
    confirm_page = pages.post(f"/votes/{open_vote.id}/ballot?voter={mandate.voter}",
                              data={"csrf_token": token(ballot_page, f"/votes/{open_vote.id}/ballot?voter={mandate.voter}"),
                                    "item-i1": "approve"})
    assert confirm_page.status_code == 200
    form = {"voter": mandate.voter, "item-i1": "approve", "code": owner.totp.code_at(int(time.time()))}

    refused = pages.post(f"/votes/{open_vote.id}/ballot/confirm", data=form)
    assert refused.status_code == 400 and "表单已过期" in refused.get_data(as_text=True)
    assert services.existing_ballot(open_vote, mandate.voter) is None

    confirm_url = f"/votes/{open_vote.id}/ballot/confirm"
    cast = pages.post(confirm_url, data={**form, "csrf_token": token(confirm_page, confirm_url)})
    assert cast.status_code == 302 and "/receipt" in cast.headers["Location"]
    assert services.existing_ballot(open_vote, mandate.voter).choices["i1"] == "approve"
