"""The audit page: who sees which events, the filters, the pages of 50."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import update

from governance_app.audit.models import AuditEvent
from governance_app.audit.services import record
from governance_app.auth.models import Role
from governance_app.core.i18n import LANGUAGE_COOKIE
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.conftest import owner_row, roll_csv

UTC = dt.timezone.utc


class World:
    """东街道 with two estates in two communities, 西街道 with one; one marked event in
    each estate's chain and one in the platform's."""

    def __init__(self, make_estate):
        self.east = make_estate("东一小区", "东一居民区", "东街道")
        self.east2 = make_estate("东二小区", "东二居民区", "东街道")
        self.west = make_estate("西一小区", "西一居民区", "西街道")
        self.sub_district = self.east.community.sub_district
        probe("east", self.east.id)
        probe("east2", self.east2.id)
        probe("west", self.west.id)
        probe("platform", None)
        db.session.commit()


def probe(marker: str, estate_id: int | None, action: str = "test.probe", actor=None) -> AuditEvent:
    """An event the page shows as "... made a change (record <marker>)." (an unknown kind of object)."""
    return record(action, estate_id=estate_id, object_type="probe", object_id=marker, actor=actor)


def markers(response) -> list[str]:
    """The markers of the probe events on the page, in the order shown."""
    assert response.status_code == 200
    return re.findall(r"\(record ([\w-]+)\)\.", html.unescape(response.get_data(as_text=True)))


@pytest.fixture
def world(make_estate) -> World:
    return World(make_estate)


@pytest.fixture
def as_role(client, login, make_user):
    """Sign the client in with a new account holding ``role`` over ``scope``."""
    def sign_in(role, scope, **kwargs):
        client.set_cookie(LANGUAGE_COOKIE, "en")
        return login(make_user(role, scope, **kwargs))
    return sign_in


# --- who sees what --------------------------------------------------------------------------

def test_a_supervisor_sees_their_sub_districts_estates_only(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert sorted(markers(client.get("/audit"))) == ["east", "east2"]


def test_a_supervisor_of_the_other_sub_district_sees_its_estate_only(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.west.community.sub_district)
    assert markers(client.get("/audit")) == ["west"]


@pytest.mark.parametrize("scope, seen", [("sub_district", ["east", "east2"]), ("community", ["east"]),
                                         ("estate", ["east"]), ("platform", ["east", "east2", "west"])])
def test_an_auditor_sees_the_estates_of_their_scope(world, as_role, scope, seen):
    over = {"sub_district": world.sub_district, "community": world.east.community, "estate": world.east,
            "platform": None}[scope]
    client = as_role(Role.AUDITOR, over)
    assert sorted(markers(client.get("/audit"))) == seen


def test_a_platform_admin_sees_platform_events_and_no_estates(world, as_role):
    """Estates' own records are for their supervisors and auditors (separation of duties)."""
    client = as_role(Role.PLATFORM_ADMIN, None)
    assert markers(client.get("/audit")) == ["platform"]


def test_platform_events_are_only_for_platform_admins(world, as_role):
    client = as_role(Role.AUDITOR, None)
    assert "platform" not in markers(client.get("/audit"))


@pytest.mark.parametrize("role, scope", [(Role.COMMITTEE_MEMBER, "estate"), (Role.COMMITTEE_CHAIR, "estate"),
                                         (Role.COMMUNITY_STAFF, "community"), (Role.PROXY, "estate")])
def test_committee_and_staff_get_404(world, as_role, role, scope):
    client = as_role(role, world.east if scope == "estate" else world.east.community)
    assert client.get("/audit").status_code == 404


def test_an_owner_gets_404(world, client, login, make_user):
    estate_services.import_roll(world.east, roll_csv([owner_row("1", "1-101", "80", "王伟", "310101199001011234")]),
                                "roll.csv")
    db.session.commit()
    owner = db.session.query(Owner).filter_by(estate_id=world.east.id).one()
    login(make_user(owner=owner, login="owner"))
    assert client.get("/audit").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    response = client.get("/audit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- filters ----------------------------------------------------------------------------------

def test_filter_by_estate(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert markers(client.get(f"/audit?estate={world.east2.id}")) == ["east2"]


def test_filter_by_an_estate_outside_ones_scope_shows_nothing_of_it(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert "west" not in markers(client.get(f"/audit?estate={world.west.id}"))


def test_filter_by_platform(world, as_role):
    client = as_role(Role.PLATFORM_ADMIN, None)
    probe("platform-2", None)
    db.session.commit()
    assert sorted(markers(client.get("/audit?estate=platform"))) == ["platform", "platform-2"]


def test_filter_platform_is_not_offered_to_supervisors(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert "platform" not in markers(client.get("/audit?estate=platform"))


def test_filter_by_actor_login(world, as_role, make_user):
    alice = make_user(login="alice", name="Alice")
    bob = make_user(login="bob", name="Bob")
    probe("by-alice", world.east.id, actor=alice)
    probe("by-bob", world.east.id, actor=bob)
    db.session.commit()
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert markers(client.get("/audit?actor=alice")) == ["by-alice"]
    assert markers(client.get("/audit?actor=+BOB+")) == ["by-bob"]
    assert markers(client.get("/audit?actor=nobody")) == []


def test_filter_by_action_prefix(world, as_role):
    probe("granted", world.east.id, action="role.granted")
    probe("revoked", world.east.id, action="role.revoked")
    probe("underscore", world.east.id, action="role_x")
    db.session.commit()
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert sorted(markers(client.get("/audit?action=role."))) == ["granted", "revoked"]
    assert markers(client.get("/audit?action=role.g")) == ["granted"]
    # LIKE wildcards in the filter are taken literally
    assert markers(client.get("/audit?action=role_")) == ["underscore"]
    assert markers(client.get("/audit?action=%25")) == []


def at(event: AuditEvent, moment: dt.datetime) -> None:
    """Move an event in time (the page does not check hashes; the ORM would refuse)."""
    db.session.execute(update(AuditEvent.__table__).where(AuditEvent.__table__.c.id == event.id)
                       .values(at=moment))


def test_filter_by_date_range_in_local_days(world, as_role, app):
    """Days are the platform's local days (Asia/Shanghai, UTC+8)."""
    assert app.config["TIMEZONE"] == "Asia/Shanghai"
    for marker, moment in [
        ("feb29-last-second", dt.datetime(2024, 2, 29, 15, 59, 59, tzinfo=UTC)),  # 2024-02-29 23:59:59 local
        ("mar01-first-second", dt.datetime(2024, 2, 29, 16, 0, 0, tzinfo=UTC)),   # 2024-03-01 00:00:00 local
        ("mar01-last-second", dt.datetime(2024, 3, 1, 15, 59, 59, tzinfo=UTC)),   # 2024-03-01 23:59:59 local
        ("mar02-first-second", dt.datetime(2024, 3, 1, 16, 0, 0, tzinfo=UTC)),    # 2024-03-02 00:00:00 local
    ]:
        at(probe(marker, world.east.id, action="test.dated"), moment)
    db.session.commit()
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    dated = "/audit?action=test.dated"
    assert markers(client.get(f"{dated}&since=2024-03-01&until=2024-03-01")) == \
        ["mar01-last-second", "mar01-first-second"]
    assert markers(client.get(f"{dated}&until=2024-02-29")) == ["feb29-last-second"]
    assert markers(client.get(f"{dated}&since=2024-03-02")) == ["mar02-first-second"]
    assert markers(client.get(f"{dated}&since=2024-03-01")) == \
        ["mar02-first-second", "mar01-last-second", "mar01-first-second"]
    assert markers(client.get(f"{dated}&since=2024-03-03")) == []


def test_an_invalid_filter_shows_the_unfiltered_page(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert sorted(markers(client.get("/audit?since=yesterday&page=0"))) == ["east", "east2"]


# --- pages ----------------------------------------------------------------------------------

def page_text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_pages_of_50_newest_first(world, as_role):
    for n in range(1, 121):
        probe(f"p{n:03d}", world.east.id, action="test.page")
    db.session.commit()
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)

    first = client.get("/audit?action=test.page")
    assert markers(first) == [f"p{n:03d}" for n in range(120, 70, -1)]
    assert "120 events" in page_text(first)
    assert "Page 1 of 3" in page_text(first)

    third = client.get("/audit?action=test.page&page=3")
    assert markers(third) == [f"p{n:03d}" for n in range(20, 0, -1)]
    text = page_text(third)
    assert "Page 3 of 3" in text
    assert "Older" not in text
    body = third.get_data(as_text=True)
    newer = re.search(r'href="([^"]*page=2[^"]*)"', body)
    assert newer is not None and "action=test.page" in html.unescape(newer.group(1))

    assert markers(client.get("/audit?action=test.page&page=2")) == [f"p{n:03d}" for n in range(70, 20, -1)]


def test_a_page_past_the_end_is_empty(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    assert markers(client.get("/audit?page=5")) == []


def test_one_page_has_no_pager_links(world, as_role):
    client = as_role(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    text = page_text(client.get("/audit"))
    assert "Page 1 of 1" in text
    assert "Newer" not in text and "Older" not in text


def test_entries_read_as_sentences_and_only_auditors_see_the_codes(world, client, login, make_user):
    chair = make_user(Role.COMMITTEE_MEMBER, world.east, login="chair", name="张主任")
    record("notice.published", estate_id=world.east.id, object_type="notice", object_id=7, actor=chair,
           details={"title": "停水通知"})
    db.session.commit()
    supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, world.sub_district)
    auditor = make_user(Role.AUDITOR, world.sub_district)
    for user, codes in ((supervisor, False), (auditor, True)):
        login(user)
        page = html.unescape(client.get("/audit").get_data(as_text=True))
        assert "张主任发布了公告（公告 7）。" in page  # Chinese by default, with Chinese punctuation
        assert ("<code>notice.published</code>" in page) is codes
        assert ('{"title": ' in page) is codes  # the details are for those who check the chain
        assert '<details class="filters-fold">' in page and "<summary>筛选日志</summary>" in page
    assert '<details class="filters-fold" open>' in client.get("/audit?action=notice.").get_data(as_text=True)
