"""Helpers for the voting page tests: a client that behaves like a separate browser, votes
built like the conftest's, small real evidence files, accounts, and reading pages and events."""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import time

from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart
from sqlalchemy import func, select

from governance_app.core import clock as platform_clock
from governance_app.audit.models import AuditEvent
from governance_app.auth.totp import STEP_SECONDS
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import ItemKind, NominationSource
from tests.conftest import owner_row, roll_csv
from tests.support.voting_world import ROLL, SHANGHAI

# Tiny files that pass the check by content (files.services.detect_type).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class PageClient(FlaskClient):
    """Each request runs in an application context of its own, as in production: the test's
    context would otherwise share its ``g`` (where Flask-Login caches the user) and its
    database session (hiding a change a request forgot to commit)."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def page_client(app) -> PageClient:
    return PageClient(app, app.response_class, use_cookies=True)


def text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, blanks collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def fresh() -> None:
    """Forget what this test's session holds, to see what the requests committed."""
    db.session.rollback()


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(action: str) -> list[AuditEvent]:
    fresh()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def code_now(user, steps: int = 0) -> str:
    return user.totp.code_at(int(time.time()) + steps * STEP_SECONDS)


def wrong_code(user) -> str:
    """Six digits that are no code of the steps around now."""
    now = int(time.time())
    near = {user.totp.code_at(now + offset * STEP_SECONDS) for offset in range(-2, 3)}
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in near)


def upload(content: bytes, filename: str):
    return io.BytesIO(content), filename


def multipart_in_memory(form: dict) -> dict:
    """Arguments for a POST whose multipart body is built in memory: the test client spools
    a body over 500 KB to a temporary file that it never closes (a ResourceWarning)."""
    fields = MultiDict()
    for name, value in form.items():
        if isinstance(value, tuple):
            value = FileStorage(stream=value[0], filename=value[1])
        for one in value if isinstance(value, list) else [value]:
            fields.add(name, one)
    boundary, body = encode_multipart(fields)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


# --- votes --------------------------------------------------------------------------------------

def local_now(clock) -> dt.datetime:
    return clock().astimezone(SHANGHAI).replace(tzinfo=None)


def form_time(local_moment: dt.datetime) -> str:
    """A naive Shanghai time as the paper form's "received at" field takes it."""
    return local_moment.strftime("%Y-%m-%dT%H:%M")


def local(moment: dt.datetime) -> dt.datetime:
    """A stored time as naive Shanghai wall time, the form ``clock.move_to`` takes."""
    return platform_clock.aware(moment).astimezone(SHANGHAI).replace(tzinfo=None)


def new_vote(estate, committee, clock, *, opening: dt.date | None = None, last_day: dt.date | None = None,
             two_staff_paper: bool = False, title: str = "加装电梯与选举", items: bool = True):
    """A draft like the conftest's ``draft_vote`` (the same four items), opening 15 days after the
    clock's day unless told otherwise."""
    today = local_now(clock).date()
    opening = opening or today + dt.timedelta(days=15)
    services.change_settings(estate, two_staff_paper=two_staff_paper, actor=committee)
    vote = services.create_vote(estate, title=title, description="", opening_date=opening,
                                last_day=last_day or opening + dt.timedelta(days=6), buildings=None,
                                actor=committee)
    if items:
        services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
        services.add_item(vote, kind=ItemKind.RESOLUTION, matter=6, title="续筹维修资金")
        election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业委会委员", seats=3,
                                     alternates=1)
        for name in ("甲", "乙", "丙", "丁"):
            services.add_candidate(election, name=name, nomination=NominationSource.SELF, statement="",
                                   pledge_signed=True)
        services.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业管理方式", options=["专业物业公司", "自行管理"])
    db.session.commit()
    return vote


def notice_and_open(vote, committee, clock) -> None:
    services.publish_notice(vote, committee)
    db.session.commit()
    clock.move_to(dt.datetime.combine(local(vote.opens_at).date(), dt.time(9)))
    services.advance(vote)
    assert vote.state.value == "open"


def close_vote(vote, clock) -> None:
    clock.move_to(local(vote.closes_at) + dt.timedelta(minutes=1))
    services.advance(vote)
    assert vote.state.value == "closed"


def choices(i1=None, i2=None, i3=None, i4=None) -> dict:
    return {"i1": i1, "i2": i2, "i3": i3, "i4": i4}


def cast(vote, user, **marks):
    """An online ballot through the service, for setting a scene."""
    mandate = services.mandates(user, vote)[0]
    assert services.cast_online(vote, user, mandate, choices(**marks))
    db.session.commit()
    return services.existing_ballot(vote, mandate.voter)


def voter_of(vote, unit: str) -> str:
    return services.voter_for_unit(vote, unit)


# --- accounts and rolls ------------------------------------------------------------------------------

def owner_named(estate, name: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.estate_id == estate.id, Owner.name == name))


def account_of(make_user, estate, name: str, login: str):
    return make_user(owner=owner_named(estate, name), login=login, name=name)


def roll_with(replace: dict[str, list[list[str]]] | None = None, extra: list[list[str]] = ()) -> bytes:
    """The conftest's roll with the rows of some units replaced, plus extra rows."""
    replace = replace or {}
    rows = []
    done = set()
    for row in ROLL:
        unit = row[1]
        if unit in replace:
            if unit not in done:
                rows.extend(replace[unit])
                done.add(unit)
            continue
        rows.append(row)
    return roll_csv([*rows, *extra])


def import_roll(estate, content: bytes) -> None:
    report = estate_services.import_roll(estate, content, "roll-update.csv")
    assert report.ok and report.applied, report.problems
    db.session.commit()


def estate_with_roll(make_estate, name: str, rows: list[list[str]], **where):
    estate = make_estate(name, **where)
    import_roll(estate, roll_csv(rows))
    return estate


SOLD_1_104 = {"1-104": [owner_row("1", "1-104", "90.00", "孙丽", "310101199205056666")]}


def job_file(client, started):
    """The file of the job that ``started`` (the answer to the POST that started it) redirected to:
    its progress page says it is done (jobs run inline in the tests), then the file downloads."""
    assert started.status_code == 302 and started.location.startswith("/jobs/"), started.status_code
    status = client.get(started.location + ".json").get_json()
    assert status["state"] == "done", status
    return client.get(status["download"])
