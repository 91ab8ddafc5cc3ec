"""Helpers for the accounts page tests: an estate with a small roll and its people, a clock for the
accounts, resolutions faked as the browser test fakes them, and reading pages, flashes and figures.

Pages are requested through ``tests.auth.support.page_client`` (each request in its own application
context, English unless told otherwise), so several people can act in one test."""
from __future__ import annotations

import datetime as dt
import html
import re
import secrets
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from governance_app.audit.models import AuditEvent
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind, Entry, FundAccount
from governance_app.voting.models import ItemKind, Vote, VoteItem, VoteState
from tests.auth.support import page_client
from tests.conftest import owner_row, roll_csv

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPENED = dt.date(2026, 1, 1)
FUND, INCOME, WORKING = "maintenance_fund", "common_income", "working_fund"
# 300 m² in all: 王伟 holds 1-101 and 1-102, 李娜 holds 1-103.
ROLL = [
    owner_row("1", "1-101", "100.00", "王伟", "310101199001011234"),
    owner_row("1", "1-102", "80.00", "王伟", "310101199001011234"),
    owner_row("1", "1-103", "120.00", "李娜", "310101198001012222"),
]
OTHER_ROLL = [owner_row("1", "1-101", "80.00", "钱进", "310101197001014444")]
# Tiny files that pass the check by content (files.services.detect_type).
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16


class World:
    """梅园小区 (roll above) with its chair, a committee member, two owners, the community's staff,
    the sub-district's supervisor and auditor; 别的小区 in another community and sub-district with
    its owner and committee member. The accounts are not open until ``open_accounts``."""

    def __init__(self, app, make_estate, make_user, login):
        from governance_app.auth.models import Role

        self.app, self._login = app, login
        self.estate = make_estate("梅园小区")
        self.other = make_estate("别的小区", community="别的居民区", sub_district="别的街道")
        for estate, rows in ((self.estate, ROLL), (self.other, OTHER_ROLL)):
            report = estate_services.import_roll(estate, roll_csv(rows), "roll.csv")
            assert report.ok, report.problems
        db.session.commit()
        self.chair = make_user(Role.COMMITTEE_CHAIR, self.estate, login="chair", name="业委会主任")
        self.member = make_user(Role.COMMITTEE_MEMBER, self.estate, login="member", name="业委会委员")
        self.owner = make_user(owner=owner_named(self.estate, "王伟"), login="owner", name="王伟")
        self.owner2 = make_user(owner=owner_named(self.estate, "李娜"), login="owner2", name="李娜")
        self.staff = make_user(Role.COMMUNITY_STAFF, self.estate.community, login="staff")
        self.supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, self.estate.community.sub_district,
                                    login="supervisor")
        self.auditor = make_user(Role.AUDITOR, self.estate.community.sub_district, login="auditor")
        self.other_owner = make_user(owner=owner_named(self.other, "钱进"), login="other-owner", name="钱进")
        self.other_member = make_user(Role.COMMITTEE_MEMBER, self.other, login="other-member")

    def pages(self, user=None, language: str = "en"):
        """A browser of its own, signed in as ``user`` (anonymous for None)."""
        pages = page_client(self.app, language)
        if user is not None:
            self._login(user, client=pages)
        return pages

    def sign_in(self, user, pages):
        """``user`` signs in again on ``pages`` (after the clock moved past the idle timeout)."""
        self._login(user, client=pages)
        return pages

    def open_accounts(self, estate=None, *, fund: int = 80_000_00, first_period: int = 100_000_00,
                      income: int = 0, working: int = 0, opened_on: dt.date = OPENED) -> None:
        funds.open_accounts(estate or self.estate, opened_on=opened_on, first_period_amount=first_period,
                            balances={AccountKind.MAINTENANCE_FUND: fund, AccountKind.COMMON_INCOME: income,
                                      AccountKind.WORKING_FUND: working}, actor=self.chair)
        db.session.commit()

    def account(self, kind: str, estate=None) -> FundAccount:
        return funds.get_account(estate or self.estate, kind)

    def entry(self, kind: str, day: dt.date, direction: str, amount: int, category: str, *, estate=None,
              counterparty: str = "", description: str = "", authority: funds.Authority | None = None) -> Entry:
        """A posted entry through the service, to set a scene."""
        estate = estate or self.estate
        made = funds.add_entry(estate, self.account(kind, estate), day=day, direction=direction, amount=amount,
                               category=category, counterparty=counterparty, description=description,
                               authority=authority or funds.Authority(), actor=self.chair)
        db.session.commit()
        return made

    def publish(self, kind: str, start: dt.date, end: dt.date, estate=None):
        estate = estate or self.estate
        statement = funds.publish_statement(estate, self.account(kind, estate), start=start, end=end,
                                            actor=self.chair)
        db.session.commit()
        return statement


def owner_named(estate, name: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.estate_id == estate.id, Owner.name == name))


def fund_resolution(estate, author, *, outcome: str = "passed", state: VoteState = VoteState.PUBLISHED,
                    matter: int = 5, title: str = "1号楼电梯大修") -> Vote:
    """A vote whose one resolution has ``outcome`` (as tests/e2e/test_funds_browser.py fakes it: its
    counting is tested elsewhere)."""
    now = dt.datetime.now(dt.timezone.utc)
    published = state == VoteState.PUBLISHED
    vote = Vote(uid=secrets.token_hex(8), estate_id=estate.id, title=title, description="", state=state,
                opens_at=now - dt.timedelta(days=300), closes_at=now - dt.timedelta(days=290),
                notice_at=now - dt.timedelta(days=320), counted_at=now - dt.timedelta(days=289),
                published_at=now - dt.timedelta(days=289) if published else None, created_by_id=author.id,
                created_at=now, final_chain="0" * 64,
                result={"items": {"i1": {"kind": "resolution", "matter": matter, "outcome": outcome}}})
    db.session.add(vote)
    db.session.flush()
    db.session.add(VoteItem(vote_id=vote.id, position=1, kind=ItemKind.RESOLUTION, matter=matter,
                            title="使用维修资金大修1号楼电梯"))
    db.session.commit()
    return vote


# --- reading what the requests did ----------------------------------------------------------------

def fresh() -> None:
    """Forget what this test's session holds, to see what the requests committed."""
    db.session.rollback()


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def entries(*where) -> list[Entry]:
    fresh()
    return list(db.session.scalars(select(Entry).where(*where).order_by(Entry.id)))


def events(action: str | None = None) -> list[AuditEvent]:
    fresh()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def funds_events() -> list[str]:
    return [event.action for event in events() if event.action.startswith("funds.")]


def text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, blanks collapsed."""
    body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body)).strip()


def flashes(response) -> list[tuple[str, str]]:
    """(category, message) of the flashed messages on a page."""
    found = re.findall(r'<p class="flash flash-(\w+)" role="status">(.*?)</p>', response.get_data(as_text=True),
                       flags=re.S)
    return [(category, re.sub(r"\s+", " ", html.unescape(message)).strip()) for category, message in found]


def errors(response) -> list[str]:
    return [message for category, message in flashes(response) if category == "error"]


def figures(response) -> dict[str, str]:
    """The first ``<dl class="figures">`` of a page: {term: value}."""
    block = re.search(r'<dl class="figures">(.*?)</dl>', response.get_data(as_text=True), flags=re.S)
    assert block, "no figures on the page"
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block.group(1), flags=re.S)
    return {html.unescape(term).strip(): html.unescape(value).strip() for term, value in pairs}


def cards(response) -> list[str]:
    """The text of each ``<li class="card">`` of a page."""
    body = response.get_data(as_text=True)
    found = re.findall(r'<li class="card">(.*?)</li>', re.sub(r"<svg\b.*?</svg>", " ", body, flags=re.S), flags=re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", card))).strip() for card in found]


def selected(response, name: str) -> str:
    """The selected option of the ``<select name=name>`` ("" when none is)."""
    block = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', response.get_data(as_text=True),
                      flags=re.S)
    assert block, f"no select {name}"
    option = re.search(r'<option selected value="([^"]*)"', block.group(1))
    return html.unescape(option.group(1)) if option else ""


def hidden(response, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', response.get_data(as_text=True))
    assert found, f"no input {name}"
    return html.unescape(found.group(1))


def location(response) -> str:
    from urllib.parse import urlsplit

    return urlsplit(response.headers["Location"]).path
