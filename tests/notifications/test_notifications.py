"""Issue 16: who is told what (inbox), once; e-mail through a real SMTP server; preferences."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.core import duties
from governance_app.extensions import db
from governance_app.notifications import services, tasks
from governance_app.notifications.models import Message
from governance_app.voting import services as voting
from tests.support.site import cast, text


def _inbox(user) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.user_id == user.id).order_by(Message.id)))


def test_a_votes_notice_reaches_its_owners_and_no_one_else(draft_vote, committee, owner_of, make_user,
                                                           make_estate):
    owner, neighbour = owner_of("1-103"), owner_of("2-102")
    stranger = make_user(Role.COMMITTEE_CHAIR, make_estate("别的小区"), login="stranger")
    voting.publish_notice(draft_vote, committee)
    db.session.commit()
    for person in (owner, neighbour):
        (message,) = _inbox(person)
        assert message.kind == "vote_noticed" and message.link == f"/votes/{draft_vote.id}"
        assert message.values["title"] == draft_vote.title and message.values["opens"]
    assert _inbox(committee) == [] and _inbox(stranger) == []


def test_the_reminder_two_days_before_closing_goes_once_to_those_who_have_not_voted(open_vote, owner_of, clock):
    voted, waiting = owner_of("1-103"), owner_of("2-102")
    cast(open_vote, voted, i1="approve", i2="approve", i3=["c1"], i4="p1")
    early = platform_clock.aware(open_vote.closes_at) - dt.timedelta(hours=49)
    assert tasks.remind_closing_votes(early) == 0
    in_time = platform_clock.aware(open_vote.closes_at) - dt.timedelta(hours=47)
    assert tasks.remind_closing_votes(in_time) == 1
    assert tasks.remind_closing_votes(in_time + dt.timedelta(hours=1)) == 0  # once
    db.session.commit()
    assert _inbox(voted) == []  # accounts made after the opening: only the reminder may come
    (reminder,) = _inbox(waiting)
    assert reminder.kind == "vote_closing" and set(reminder.values) == {"title", "estate", "opens", "closes"}


def test_owners_are_told_of_the_opening_and_the_result(draft_vote, owner_of, committee, clock):
    from tests.support.voting_world import SHANGHAI, close

    owner = owner_of("1-103")
    voting.publish_notice(draft_vote, committee)
    db.session.commit()
    clock.move_to(dt.datetime.combine(platform_clock.aware(draft_vote.opens_at).astimezone(SHANGHAI).date(), dt.time(9)))
    voting.advance(draft_vote)
    open_vote = draft_vote
    cast(open_vote, owner, i1="approve", i2="approve", i3=["c1"], i4="p1")
    close(open_vote, clock)
    voting.count(open_vote, committee)
    voting.publish_result(open_vote, committee)
    db.session.commit()
    assert [m.kind for m in _inbox(owner)] == ["vote_noticed", "vote_opened", "vote_result"]
    assert _inbox(owner)[-1].link == f"/votes/{open_vote.id}/result"


@pytest.fixture
def duty_source():
    found: list[duties.Duty] = []
    duties.register_source("test-notifications", lambda estate_ids, today: [d for d in found
                                                                            if d.estate_id in estate_ids])
    yield found
    duties.register_source("test-notifications", lambda estate_ids, today: [])


def test_each_duty_is_announced_two_days_before_and_when_overdue_once_each(estate, committee, owner_of, make_user,
                                                                          duty_source):
    staff = make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")
    owner = owner_of("1-103")
    due = dt.date(2026, 12, 10)
    duty_source.append(duties.Duty(due, estate.id, "funds.statement", "公布维修资金收支", "/funds", "R-50"))
    duty_source.append(duties.Duty(due, estate.id, "supervision.filing", "备案", "/filing", "R-46", who="staff"))
    assert tasks.announce_duties(dt.date(2026, 12, 7)) == 0  # three days before: nothing
    assert tasks.announce_duties(dt.date(2026, 12, 8)) == 2
    assert tasks.announce_duties(dt.date(2026, 12, 8)) == 0  # the next hour: nothing again
    assert tasks.announce_duties(dt.date(2026, 12, 10)) == 0  # the day it falls due: not overdue yet
    assert tasks.announce_duties(dt.date(2026, 12, 11)) == 2
    assert tasks.announce_duties(dt.date(2026, 12, 12)) == 0
    db.session.commit()
    assert [(m.kind, m.values["rule"]) for m in _inbox(committee)] == [("duty_soon", "R-50"), ("duty_overdue", "R-50")]
    assert [(m.kind, m.values["rule"]) for m in _inbox(staff)] == [("duty_soon", "R-46"), ("duty_overdue", "R-46")]
    assert _inbox(owner) == []


def test_the_inbox_counts_unread_and_leads_to_the_vote(client, login, draft_vote, committee, owner_of):
    owner = owner_of("1-103")
    voting.publish_notice(draft_vote, committee)
    db.session.commit()
    login(owner)
    assert "消息 (1 条未读)" in text(client.get("/inbox"))
    (message,) = _inbox(owner)
    assert client.get(f"/inbox/{message.id}").location == f"/votes/{draft_vote.id}"
    assert "未读" not in text(client.get("/inbox")).replace("全部标为已读", "")


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, keeping what arrives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    from tests.ops.servers import free_port

    class Keep(MessageHandler):
        def __init__(self):
            super().__init__()
            self.arrived = []

        def handle_message(self, message):
            self.arrived.append(message)

    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler.arrived
    controller.stop()


def _waited(arrived, count: int) -> list:
    deadline = time.monotonic() + 10
    while len(arrived) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return arrived


def test_e_mail_goes_through_smtp_in_the_persons_language_as_they_chose(app, monkeypatch, smtp_server, client, login,
                                                                          draft_vote, committee, owner_of):
    from email.header import decode_header, make_header

    controller, arrived = smtp_server
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    chinese, english, silent = owner_of("1-103"), owner_of("2-102"), owner_of("2-103")
    login(english)
    response = client.post("/account/notifications", data={"email": "english@example.com", "language": "en",
                                                           "votes": "y"})
    assert response.status_code == 302
    login(silent)
    client.post("/account/notifications", data={"email": "silent@example.com", "language": "zh_CN"})  # no votes
    chinese.email = "chinese@example.com"
    db.session.commit()
    voting.publish_notice(draft_vote, committee)
    db.session.commit()
    mails = {mail["To"].split("<")[-1].rstrip(">"): mail for mail in _waited(arrived, 2)}
    assert set(mails) == {"chinese@example.com", "english@example.com"}
    assert str(make_header(decode_header(mails["english@example.com"]["Subject"]))).startswith("Vote announced")
    assert str(make_header(decode_header(mails["chinese@example.com"]["Subject"]))).startswith("表决公告")
    assert "/votes/" in mails["chinese@example.com"].get_payload(decode=True).decode()
    # Security messages cannot be turned off: the silent owner still gets them.
    from governance_app.auth import services as auth_services

    auth_services.end_all_sessions(silent)
    db.session.commit()
    assert len(_waited(arrived, 3)) == 3 and "silent@example.com" in arrived[-1]["To"]
    assert [m.mail_state for m in _inbox(chinese)] == ["sent"]


def test_a_bad_address_is_refused_on_the_form_and_kept(client, login, owner_of):
    login(owner_of("1-103"))
    response = client.post("/account/notifications", data={"email": "not an address", "votes": "y"})
    assert response.status_code == 400 and "name@example.com" in text(response)
    assert 'value="not an address"' in response.get_data(as_text=True)


def test_mail_that_cannot_be_sent_stays_queued_for_the_hourly_retry(app, monkeypatch, owner_of):
    from tests.ops.servers import free_port

    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # nobody listens
    owner = owner_of("1-103")
    owner.email = "owner@example.com"
    services.notify([owner.id], "password_changed", {}, "/account")
    db.session.commit()
    assert [m.mail_state for m in _inbox(owner)] == ["queued"]
