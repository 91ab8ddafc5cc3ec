"""Helpers for the disclosure tests: separate browsers, pages read as text, flashes, counts,
events, and the committee's members, notices and meetings built through the services."""
from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from governance_app.audit.models import AuditEvent
from governance_app.core.i18n import LANGUAGE_COOKIE
from governance_app.disclosure import services
from governance_app.disclosure.models import MemberRole, NoticeKind
from governance_app.extensions import db
from tests.support.site import JPEG, PDF, PNG, PageClient  # noqa: F401  (re-exported)

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = dt.timezone.utc
NAMES = ("甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸", "子")
# The forms every page has (sign out, language): anything else is a form of the page.
BASE_FORM_ACTIONS = ("/logout", "/language", "/display")


def pages(app, language: str = "en") -> PageClient:
    """A separate browser whose requests each run in their own application context."""
    client = PageClient(app, app.response_class, use_cookies=True)
    client.set_cookie(LANGUAGE_COOKIE, language)
    return client


def text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, blanks collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def flashes(response, category: str | None = None) -> list[str]:
    found = re.findall(r'<p class="flash flash-(\w+)" role="status">(.*?)</p>', response.get_data(as_text=True),
                       flags=re.S)
    return [html.unescape(message) for kind, message in found if category is None or kind == category]


def page_forms(response) -> list[str]:
    """The opening tags of the page's own forms (not the sign-out and language forms)."""
    forms = re.findall(r"<form\b[^>]*>", response.get_data(as_text=True))
    return [form for form in forms if not any(f'action="{action}' in form for action in BASE_FORM_ACTIONS)]


def location(response) -> str:
    return urlsplit(response.headers["Location"]).path


def fresh() -> None:
    """Forget what this test's session holds, to see what the requests committed."""
    db.session.rollback()


def count(model, *where) -> int:
    fresh()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(action: str) -> list[AuditEvent]:
    fresh()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def utc_now() -> dt.datetime:
    return dt.datetime.now(UTC)


def local_today() -> dt.date:
    return utc_now().astimezone(SHANGHAI).date()


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def ids(members) -> list[str]:
    """Member ids as a form sends them (plain numbers pass through)."""
    return [str(getattr(member, "id", member)) for member in members]


def seat_members(estate, actor, count_: int = 7, *, start: dt.date | None = None, years: int = 4,
                 pledge: bool = True) -> list:
    """``count_`` members named 甲, 乙, ... serving a term that includes today."""
    start = start or local_today() - dt.timedelta(days=100)
    members = [services.add_member(estate, name=name, role=MemberRole.CHAIR if n == 0 else MemberRole.MEMBER,
                                   term_start=start, term_end=years_after(start, years),
                                   pledge=PDF + name.encode() if pledge else None, pledge_signed_on=start,
                                   actor=actor)
               for n, name in enumerate(NAMES[:count_])]
    db.session.commit()
    return members


def notice(estate, actor, title: str, *, starts: dt.timedelta = dt.timedelta(days=-1),
           ends: dt.timedelta | None = None, pinned: bool = False, kind: NoticeKind = NoticeKind.ANNOUNCEMENT,
           attachments=(), body: str = "正文"):
    """A notice that starts (and ends) at the given offsets from now, stored in UTC."""
    now = utc_now()
    found = services.publish_notice(estate, kind=kind, title=title, body=body, starts_at=now + starts,
                                    ends_at=now + ends if ends is not None else None, pinned=pinned,
                                    attachments=list(attachments), actor=actor)
    db.session.commit()
    return found


def meeting(estate, actor, *, in_days: int = 2, title: str = "业委会会议"):
    found = services.schedule_meeting(estate, title=title, place="会议室",
                                      scheduled_at=utc_now() + dt.timedelta(days=in_days), agenda="1. 电梯维修方案",
                                      actor=actor)
    db.session.commit()
    return found


def form_time(moment: dt.datetime) -> str:
    """A time as the meeting form takes it: Shanghai wall time."""
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
