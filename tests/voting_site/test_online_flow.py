"""An owner votes online (R-34), the board shows the tracker, the committee counts and publishes,
the bundle re-counts with governance-audit."""
import json
import re

from governance_app.voting import bundle, services
from governance_app.voting.models import Ballot
from tests.voting_site.conftest import close


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
    assert "同意" in text and "甲, 乙" in text and "专业物业公司" in text and "未填写" in text
    code = owner.totp.code_at(int(__import__("time").time()))
    _mandate, response = _cast(client, open_vote, owner, {"item-i1": "approve", "item-i3": ["c1", "c2"],
                                                           "item-i4": "p1"}, code)
    assert response.status_code == 302
    assert "/receipt" in response.headers["Location"]
    ballot = services.existing_ballot(open_vote, mandate.voter)
    assert ballot.choices == {"i1": "approve", "i2": None, "i3": ["c1", "c2"], "i4": "p1"}
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ballot.tracker in receipt
    board = client.get(f"/votes/{open_vote.id}/board").get_data(as_text=True)
    assert ballot.tracker in board and ballot.chain in board
    # A double tap: the same request again returns the receipt, no second ballot.
    _mandate, again = _cast(client, open_vote, owner, {"item-i1": "oppose"}, code)
    assert again.status_code == 302 and "/receipt" in again.headers["Location"]
    from governance_app.extensions import db
    from sqlalchemy import func, select
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def test_count_publish_and_bundle_verify(client, login, open_vote, owner_of, committee, make_user, clock):
    from governance_app.auth.models import Role
    from governance_app.extensions import db
    import time

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
    download = client.get(f"/votes/{open_vote.id}/bundle.json")
    assert download.status_code == 200
    data = json.loads(download.get_data())
    assert bundle.verify(data) is None
    data["ballots"][0]["choices"]["i1"] = "oppose"
    assert re.match(r"ballots\[0\]\.tracker", bundle.verify(data))
