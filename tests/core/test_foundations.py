"""The shared foundations every package builds on: the one clock, refusals, duties, events,
the estates a user may see (one query) and loading what a page acts on."""
from __future__ import annotations

import datetime as dt

import pytest
from flask import Blueprint
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired
from sqlalchemy import func, select

from governance_app.auth.models import Role
from governance_app.auth.permissions import can, permitted_or_404, visible_estates
from governance_app.core import clock as platform
from governance_app.core import duties, events
from governance_app.core.refusals import Refusal, done, filled, invalid, message, register_messages, returning_to
from governance_app.estates.models import SubDistrict
from governance_app.extensions import db


def test_the_clock_counts_local_days_in_the_estates_zone(app_context, clock):
    clock.set(2026, 3, 1, hour=0, minute=30)  # 16:30 UTC on 28 February
    assert platform.now().date() == dt.date(2026, 2, 28)
    assert platform.today() == dt.date(2026, 3, 1)
    assert platform.local_date(dt.datetime(2026, 2, 28, 16, 30)) == dt.date(2026, 3, 1)  # naive = UTC
    assert platform.end_of_local_day(dt.date(2026, 3, 1)) == dt.datetime(2026, 3, 1, 16, tzinfo=dt.timezone.utc)
    clock.advance(days=1)
    assert platform.today() == dt.date(2026, 3, 2)


class SampleRefusal(Refusal):
    pass


register_messages(SampleRefusal, {"too_late": _l("Too late: the deadline was %(day)s.")})


SUB_DISTRICT = "拒绝测试街道"


class _NameForm(FlaskForm):
    name = StringField(validators=[DataRequired()])


@pytest.fixture
def probe_client(app):
    """An application of its own (same database) with a page that refuses after writing."""
    from governance_app import create_app

    probe = create_app({key: app.config[key] for key in (
        "GOVERNANCE_ENV", "TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "PASSWORD_HASH_METHOD")})
    blueprint = Blueprint("refusal_probe", __name__)

    @blueprint.post("/_probe/refuse/<int:community_id>")
    def refuse(community_id: int):
        db.session.add(SubDistrict(name=SUB_DISTRICT))
        db.session.flush()
        raise SampleRefusal("too_late", day="2026-03-01")

    @blueprint.post("/_probe/form/<what>")
    def form(what: str):
        """The one shape of a form's handler: back to a named page, refused or not."""
        back = returning_to("/_probe/named")
        if what == "empty":
            return invalid("Fill it in.", back)
        db.session.add(SubDistrict(name=SUB_DISTRICT))
        db.session.flush()
        if what in ("blank", "fine"):  # checked after something was written: refused, nothing is kept
            filled(_NameForm(), "Give a name.")
        if what == "late":
            raise SampleRefusal("too_late", day="2026-03-01")
        return done("Saved.", "/_probe/next")

    probe.register_blueprint(blueprint)
    yield probe.test_client()
    with probe.app_context():
        db.engine.dispose()


def test_a_refusal_speaks_the_readers_language_and_keeps_nothing(probe_client, make_estate):
    assert message(SampleRefusal("too_late", day="2026-03-01")) == "Too late: the deadline was 2026-03-01."
    assert message(SampleRefusal("unknown")) == "unknown"
    community_id = make_estate().community_id
    answer = probe_client.post(f"/_probe/refuse/{community_id}", headers={"Referer": "http://localhost/estates/1"})
    assert answer.status_code == 303 and answer.headers["Location"] == "/estates/1"
    assert db.session.scalar(select(func.count()).where(SubDistrict.name == SUB_DISTRICT)) == 0
    with probe_client.session_transaction() as session:
        assert ("error", "Too late: the deadline was 2026-03-01.") in session["_flashes"]


def test_a_refusal_never_returns_to_another_site(probe_client, make_estate):
    community_id = make_estate().community_id
    answer = probe_client.post(f"/_probe/refuse/{community_id}", headers={"Referer": "https://evil.example/x"})
    assert answer.headers["Location"] == f"/_probe/refuse/{community_id}"


@pytest.mark.parametrize("what, location, flashed, kept", [
    ("empty", "/_probe/named", ("error", "Fill it in."), 0),
    ("blank", "/_probe/named", ("error", "Give a name."), 0),
    ("late", "/_probe/named", ("error", "Too late: the deadline was 2026-03-01."), 0),
    ("fine", "/_probe/next", ("success", "Saved."), 1),
])
def test_a_form_handler_returns_where_it_says_and_keeps_only_what_succeeded(probe_client, app_context, what,
                                                                          location, flashed, kept):
    data = {"name": "甲"} if what == "fine" else {}
    answer = probe_client.post(f"/_probe/form/{what}", data=data, headers={"Referer": "http://localhost/elsewhere"})
    assert answer.status_code == 302 and answer.headers["Location"] == location
    assert db.session.scalar(select(func.count()).where(SubDistrict.name == SUB_DISTRICT)) == kept
    with probe_client.session_transaction() as session:
        assert session["_flashes"] == [flashed]


def test_duties_are_gathered_from_every_source_earliest_first(app_context):
    today = dt.date(2026, 3, 10)

    def source(estate_ids, day):
        return [duties.Duty(day + dt.timedelta(days=offset), estate_id, f"probe.{offset}", "t", "/x", "R-42")
                for estate_id in estate_ids for offset in (5, -1, 40)]

    duties.register_source("probe", source)
    try:
        found = duties.gather([2, 1], today, within_days=30)
        assert [(d.estate_id, d.kind) for d in found] == [(1, "probe.-1"), (2, "probe.-1"), (1, "probe.5"),
                                                          (2, "probe.5")]
        assert found[0].overdue(today) and found[2].days_left(today) == 5
        assert duties.gather([], today) == []
    finally:
        duties._sources.pop("probe")


def test_events_reach_followers_that_the_sender_does_not_import():
    heard = []

    def follower(sender, **values):
        heard.append((sender, values))

    probe = events._signals.signal("probe-for-the-test")  # the packages' own followers stay out of it
    probe.connect(follower)
    try:
        probe.send("vote-7", estate_id=3)
    finally:
        probe.disconnect(follower)
    assert heard == [("vote-7", {"estate_id": 3})]


@pytest.mark.parametrize("action", ["estate.view", "funds.supervise", "vote.manage", "disclosure.view"])
def test_visible_estates_is_one_query_that_agrees_with_can(app_context, make_estate, make_user, action):
    """The same answer as asking ``can`` estate by estate, for every kind of scope."""
    from governance_app.estates import services

    east = make_estate("东苑", "东居民区", "甲街道")
    west = make_estate("西苑", "西居民区", "甲街道")
    north = make_estate("北苑", "北居民区", "乙街道")
    community = services.ensure_community(services.ensure_sub_district("甲街道"), "东居民区")
    people = [make_user(Role.SUBDISTRICT_SUPERVISOR, east.community.sub_district),
              make_user(Role.COMMUNITY_STAFF, community),
              make_user(Role.COMMITTEE_MEMBER, west),
              make_user(Role.AUDITOR, None),
              make_user(None, owner=_owner(north))]
    for person in people:
        shown = set(db.session.scalars(visible_estates(person, action)))
        assert shown == {e for e in (east, west, north) if can(person, action, e)}, person.login


def _owner(estate):
    from governance_app.estates.models import Owner, OwnerKind

    owner = Owner(estate_id=estate.id, kind=OwnerKind.PERSON, name="业主甲", id_doc_hash="x" * 64, id_doc_last4="1234")
    db.session.add(owner)
    db.session.commit()
    return owner


def test_permitted_or_404_hides_what_the_user_may_not_act_on(app_context, make_estate, make_user):
    from werkzeug.exceptions import NotFound

    estate = make_estate()
    member = make_user(Role.COMMITTEE_MEMBER, estate)
    assert permitted_or_404(estate, "vote.manage", member) is estate
    with pytest.raises(NotFound):
        permitted_or_404(estate, "funds.publish", member)
    with pytest.raises(NotFound):
        permitted_or_404(None, "estate.view", member)
