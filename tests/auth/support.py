"""Helpers for the identity tests: a page client that behaves like separate browsers,
codes that are surely wrong, the roll of a small estate, and reading pages and events."""
from __future__ import annotations

import datetime as dt
import html
import re

from flask.testing import FlaskClient
from sqlalchemy import select

from governance_app.audit.models import AuditEvent
from governance_app.auth.models import UserSession, utcnow
from governance_app.auth.totp import STEP_SECONDS
from governance_app.core.i18n import LANGUAGE_COOKIE
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from tests.conftest import owner_row, roll_csv

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)

WANG = "310101199001011234"  # owns 1-101 and 1-102 alone
LI = "310101198001012222"  # co-owns 2-201, the representative
ZHANG = "310101198001013333"  # co-owns 2-201
DEVELOPER = "91310000MA1234567X"  # still holds 2-202 and 2-203


class PageClient(FlaskClient):
    """Each request runs in an application context of its own, as in production.

    The tests hold an application context for their factories; without this the
    requests would share its ``g`` (where Flask-Login caches the signed-in user, so
    a second browser would be served as the first) and its database session (so a
    change a request forgot to commit would still be seen). Every HTML page is
    also checked for inline scripts, which the Content-Security-Policy forbids.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            body = response.get_data(as_text=True)
            assert not INLINE_SCRIPT.search(body), f"inline <script> in {response.request.path}"
        return response


def page_client(app, language: str = "en") -> PageClient:
    client = PageClient(app, app.response_class, use_cookies=True)
    client.set_cookie(LANGUAGE_COOKIE, language)
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def fresh() -> None:
    """Forget what this test's session holds, to see what the requests committed."""
    db.session.rollback()


def events(action: str) -> list[AuditEvent]:
    fresh()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def wrong_code(totp, unix_time: int) -> str:
    """Six digits that are no code of the two steps either side of ``unix_time``."""
    near = {totp.code_at(unix_time + offset * STEP_SECONDS) for offset in range(-2, 3)}
    return next(candidate for candidate in ("000000", "111111", "222222", "333333", "444444", "555555", "666666")
                if candidate not in near)


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie is not None else None


def read_session(app, client) -> dict:
    """The content of the client's signed session cookie."""
    value = session_cookie(client)
    return dict(app.session_interface.get_signing_serializer(app).loads(value)) if value else {}


def roll_rows() -> list[list[str]]:
    return [
        owner_row("1", "1-101", "88.50", "王伟", WANG, phone="13900000001"),
        owner_row("1", "1-102", "90", "王伟", WANG, phone="13900000001"),
        owner_row("2", "2-201", "70.05", "李娜", LI, group="A", representative="是"),
        owner_row("2", "2-201", "70.05", "张强", ZHANG, group="A", representative="否"),
        owner_row("2", "2-202", "120", "上海某置业有限公司", DEVELOPER, developer="是"),
        owner_row("2", "2-203", "100", "上海某置业有限公司", DEVELOPER, developer="是"),
    ]


def import_estate_roll(estate) -> None:
    report = estate_services.import_roll(estate, roll_csv(roll_rows()), "roll.csv")
    assert report.applied, report.problems
    db.session.commit()


def enrolment_secret(response) -> str:
    """The key the authenticator page shows for typing in, without its spaces."""
    found = re.findall(r"<code>([A-Z2-7 ]+)</code>", response.get_data(as_text=True))
    assert len(found) == 1, found
    return found[0].replace(" ", "")


def age_second_factor(user, minutes: int) -> None:
    """Make the second factor of every session of ``user`` ``minutes`` old."""
    for session in db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)):
        session.second_factor_at = utcnow() - dt.timedelta(minutes=minutes)
    db.session.commit()
