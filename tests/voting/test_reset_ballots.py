"""Issue 12, point 1, in a vote: a staff member who resets an owner's account cannot cast for the
owner; the owner, back in with the new letter, can; and a ballot cast within 24 hours after a
reset of the account that cast it is marked for the supervisors on the individual ballots page.
"""
from __future__ import annotations

import datetime as dt
import re
import time

from sqlalchemy import select, update

from governance_app.auth.models import AccountReset, Role
from governance_app.auth.totp import Totp
from governance_app.extensions import db
from governance_app.voting.models import Ballot
from tests.conftest import PASSWORD
from tests.support.voting_world import close
from tests.support.site import cast, code_now, fresh, page_client, text, voter_of

LI_NA_LAST4 = "2222"  # 李娜, 1-103
MARK = "请核查此选票"


def test_a_supervisor_who_resets_an_owner_cannot_cast_for_them_and_the_owner_can(app, login, open_vote, estate,
                                                                                   owner_of, make_user, clock):
    li = owner_of("1-103", login="13900000003")
    voter = voter_of(open_vote, "1-103")
    phone = login(li, client=page_client(app))
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor",
                           name="街道李主任")
    desk = login(supervisor, client=page_client(app))

    letter = desk.post(f"/admin/users/{li.id}/reset", data={})
    [code] = re.findall(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", text(letter))

    # Nothing on the supervisor's screen signs in as 李娜, and the supervisor holds no mandate of hers.
    other_browser = page_client(app)
    for password in (code, PASSWORD):
        assert other_browser.post("/login", data={"login": "13900000003", "password": password}).status_code == 400
    assert desk.get(f"/votes/{open_vote.id}/ballot?voter={voter}").status_code == 404
    confirm = {"voter": voter, "item-i1": "approve", "code": code_now(supervisor)}
    assert desk.post(f"/votes/{open_vote.id}/ballot/confirm", data=confirm).status_code == 404
    # Her phone's session ended with the reset.
    assert phone.post(f"/votes/{open_vote.id}/ballot/confirm",
                      data={**confirm, "code": code_now(li)}).status_code == 302
    fresh()
    assert db.session.scalar(select(Ballot.id)) is None

    # 李娜 comes back with the letter and her id document.
    assert phone.post("/activate", data={"unit": "1-103", "code": code, "id_last4": LI_NA_LAST4}).status_code == 302
    phone.post("/activate/account", data={"password": "a-new-good-password", "confirm": "a-new-good-password"})
    enrol = phone.get("/account/authenticator")
    totp = Totp(re.search(r"<code>([A-Z2-7 ]+)</code>", enrol.get_data(as_text=True)).group(1).replace(" ", ""))
    assert phone.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))}).status_code == 200
    response = phone.post(f"/votes/{open_vote.id}/ballot/confirm",
                          data={**confirm, "code": totp.code_at(int(time.time()) + 30)})
    assert response.status_code == 302 and "/receipt" in response.headers["Location"]
    fresh()
    assert db.session.scalar(select(Ballot.cast_by_id)) == li.id


def test_ballots_cast_within_24_hours_after_a_reset_are_marked_for_the_supervisors(app, login, open_vote, estate,
                                                                                    owner_of, make_user, clock):
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")
    soon, later, never = owner_of("1-103"), owner_of("1-104"), owner_of("2-102")
    for user in (soon, later, never):
        cast(open_vote, user, i1="approve")
    ballots = {b.cast_by_id: b for b in db.session.scalars(select(Ballot))}
    # Resets on the vote's clock: 23 hours before 李娜's ballot, 25 hours before 赵敏's.
    for user, hours in ((soon, 23), (later, 25)):
        db.session.add(AccountReset(user_id=user.id, reset_by_id=supervisor.id, kind="letter",
                                    reset_at=ballots[user.id].received_at - dt.timedelta(hours=hours)))
    db.session.commit()
    close(open_vote, clock)
    db.session.commit()

    pages = login(supervisor, client=page_client(app))
    shown = pages.get(f"/votes/{open_vote.id}/ballots")
    assert shown.status_code == 200
    cards = re.findall(r'<li class="card">(.*?)</li>\s*(?=<li class="card">|</ol>)', shown.get_data(as_text=True), re.S)
    marked = {re.search(r"#(\d+)", card).group(1): MARK in card for card in cards}
    seq = {user.id: str(ballots[user.id].seq) for user in (soon, later, never)}
    assert marked == {seq[soon.id]: True, seq[later.id]: False, seq[never.id]: False}
    # A reset after the ballot marks nothing.
    db.session.execute(update(AccountReset).where(AccountReset.user_id == soon.id)
                       .values(reset_at=ballots[soon.id].received_at + dt.timedelta(minutes=1)))
    db.session.commit()
    assert MARK not in text(pages.get(f"/votes/{open_vote.id}/ballots"))
