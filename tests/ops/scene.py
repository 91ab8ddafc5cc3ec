"""A small estate holding everything a backup must keep and a fault must not corrupt.

``build(owners=N)`` (in an application context) makes, through the services as people would:
an estate whose roll has N owners, each with an enrolled account and a live session; a vote that
was noticed, opened, cast in online and on paper (with its scan), closed, counted and published;
a vote open now with a few ballots; optionally a vote counted but not yet published; the accounts
opened, an entry with its evidence (a stored file), and a published statement. Every step writes
its audit events. Votes open "now" by moving their opening time back, as the cast tests do.
"""
from __future__ import annotations

import datetime as dt
import secrets
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock

from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import update

from governance_app.core import clock as platform_clock
from governance_app.auth import services as auth_services
from governance_app.auth.models import Role, ScopeKind, User, UserSession, utcnow
from governance_app.auth.totp import Totp
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind
from governance_app.voting import services as voting
from governance_app.voting.models import ItemKind, Vote, VoteState
from tests.conftest import owner_row, roll_csv

PASSWORD = "ops-scene-password-1"
SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
RECEIPT = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x01" * 24


@dataclass
class Person:
    user_id: int
    login: str
    secret: str
    session_token: str
    voter: str = ""

    @property
    def totp(self) -> Totp:
        return Totp(self.secret)


@dataclass
class Scene:
    estate_id: int
    chair: Person
    owners: list[Person]
    published_vote: int
    open_vote: int
    counted_vote: int | None = None
    statement_id: int | None = None
    voted: set[str] = field(default_factory=set)  # voters of the open vote who have a ballot


def _person(login: str, name: str, *, grants=(), owner=None) -> Person:
    user = auth_services.create_user(login, name, PASSWORD, actor=None, grants=list(grants), owner=owner)
    secret = auth_services.start_totp_enrolment(user)
    user.totp_confirmed_at = utcnow()
    session = auth_services.open_session(user, "127.0.0.1", "ops-scene")
    db.session.flush()
    return Person(user.id, login, secret, session.token)


@contextmanager
def _voting_clock(at: dt.datetime):
    """The platform's clock at ``at``: the scene notices its votes 16 days back, so that
    they open yesterday as the notice said (R-40), and counts them just after their close,
    without moving any time the notice committed to (owners-vote/2)."""
    with mock.patch.object(platform_clock, "now", lambda: at):
        yield


def _close_and_count(vote: Vote, chair_user, *, publish: bool) -> None:
    with _voting_clock(platform_clock.aware(vote.closes_at) + dt.timedelta(seconds=1)):
        voting.advance(vote)
        assert vote.state == VoteState.CLOSED
        voting.count(vote, chair_user)
        if publish:
            voting.publish_result(vote, chair_user)
    db.session.commit()


def _new_vote(estate, chair_user, title: str) -> Vote:
    """A vote noticed 16 days ago, open since yesterday and until the end of the sixth day from now."""
    noticed = platform_clock.now() - dt.timedelta(days=16)
    today = platform_clock.today()
    with _voting_clock(noticed):
        vote = voting.create_vote(estate, title=title, description="", opening_date=today - dt.timedelta(days=1),
                                  last_day=today + dt.timedelta(days=5), buildings=None, actor=chair_user)
        voting.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金更换水泵")
        voting.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业管理方式", options=["专业物业公司", "自行管理"])
        voting.publish_notice(vote, chair_user)
    voting.advance(vote)
    assert vote.state == VoteState.OPEN
    db.session.commit()
    return vote


def _cast(vote: Vote, person: Person, i1: str, i2: str | None) -> None:
    user = db.session.get(User, person.user_id)
    mandate = voting.mandates(user, vote)[0]
    assert voting.cast_online(vote, user, mandate, {"i1": i1, "i2": i2})
    db.session.commit()


def build(owners: int = 12, *, counted_vote: bool = False, name: str = "运维小区") -> Scene:
    estate = estate_services.ensure_estate(estate_services.ensure_community(
        estate_services.ensure_sub_district("运维街道"), "运维居民区"), name)
    rows = [owner_row(str(1 + n // 10), f"{1 + n // 10}-{n % 10 + 101}", f"{70 + n % 30}.{n % 100:02d}", f"业主{n}",
                      f"3101011980{n:08d}") for n in range(owners)]
    report = estate_services.import_roll(estate, roll_csv(rows), "roll.csv")
    assert report.ok, report.problems
    db.session.commit()
    chair = _person("ops-chair", "业委会主任", grants=[(Role.COMMITTEE_CHAIR, ScopeKind.ESTATE, estate.id)])
    people = []
    for status in auth_services.voter_statuses(estate):
        person = _person(f"1{status.owner.id:010d}", status.owner.name, owner=status.owner)
        person.voter = status.voter.key
        people.append(person)
    db.session.commit()
    chair_user = db.session.get(User, chair.user_id)

    published = _new_vote(estate, chair_user, "更换水泵与物业管理方式")
    for n, person in enumerate(people[: max(2, owners * 3 // 4)]):
        _cast(published, person, ("approve", "approve", "oppose", "abstain")[n % 4], ("p1", "p2", None)[n % 3])
    paper_unit = voting.voter_units(published, people[-1].voter)[0]
    voting.record_paper(published, chair_user, unit=paper_unit, received_at=platform_clock.now() - dt.timedelta(minutes=5),
                        signed=True, signer_matches=True, choices={"i1": "approve", "i2": "p1"}, scan=SCAN)
    db.session.commit()
    _close_and_count(published, chair_user, publish=True)

    scene = Scene(estate.id, chair, people, published.id, 0)
    if counted_vote:
        counted = _new_vote(estate, chair_user, "续聘物业服务企业")
        for person in people[:3]:
            _cast(counted, person, "approve", "p1")
        _close_and_count(counted, chair_user, publish=False)
        scene.counted_vote = counted.id

    current = _new_vote(estate, chair_user, "加装电梯")
    for person in people[:2]:
        _cast(current, person, "approve", "p2")
        scene.voted.add(person.voter)
    scene.open_vote = current.id

    today = platform_clock.today()
    opened = today - dt.timedelta(days=60)
    funds.open_accounts(estate, opened_on=opened, first_period_amount=100_000_00, actor=chair_user,
                        balances={AccountKind.MAINTENANCE_FUND: 80_000_00, AccountKind.COMMON_INCOME: 5_000_00,
                                  AccountKind.WORKING_FUND: 0})
    income = funds.get_account(estate, AccountKind.COMMON_INCOME.value)
    entry = funds.add_entry(estate, income, day=opened + dt.timedelta(days=3), direction="in", amount=1_200_00,
                            category="parking", counterparty="停车管理公司", description="",
                            authority=funds.Authority(), actor=chair_user)
    funds.attach_evidence(entry, RECEIPT, "停车费收据", chair_user)
    statement = funds.publish_statement(estate, income, start=opened, end=opened + dt.timedelta(days=29),
                                        actor=chair_user)
    db.session.commit()
    scene.statement_id = statement.id
    return scene


def fresh_step_up(person: Person) -> None:
    """The person gave a code just now (sensitive actions ask for one within minutes)."""
    db.session.execute(update(UserSession).where(UserSession.user_id == person.user_id)
                       .values(second_factor_at=utcnow(), last_seen_at=utcnow()))
    db.session.commit()


def browser_state(app, person: Person) -> tuple[str, str]:
    """What a browser signed in as ``person`` holds: the session cookie and a form's CSRF token."""
    raw_csrf = secrets.token_hex(20)
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": person.session_token, "_fresh": True, "csrf_token": raw_csrf})
    form_token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw_csrf)
    return cookie, form_token


def anonymous_form(app) -> tuple[str, str]:
    """The cookie and CSRF token of a browser that opened a form without signing in."""
    raw_csrf = secrets.token_hex(20)
    cookie = app.session_interface.get_signing_serializer(app).dumps({"csrf_token": raw_csrf})
    return cookie, URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw_csrf)
