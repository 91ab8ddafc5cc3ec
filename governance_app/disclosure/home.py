"""What the committee posts that waits for a person on their home page (``core.home``): an
owner's unread notices (R-55), and the committee's coming meetings (R-45: agenda posted ahead)."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.permissions import visible_estates
from ..core import clock, home
from ..estates.models import Estate
from ..extensions import db
from . import services
from .models import Meeting


def unread_notices(user, today: dt.date) -> list[home.Waiting]:
    if user.owner is None:
        return []
    showing = services.notices(db.session.get(Estate, user.owner.estate_id))
    read = services.read_ids(user, [notice.id for notice in showing])
    return [home.Waiting(title=_("Notice: %(title)s", title=notice.title), kind="disclosure.notice",
                         link=url_for("disclosure.notice", estate_id=notice.estate_id, notice_id=notice.id),
                         action=_("Read"), detail=_("Unread notice"))
            for notice in showing if notice.id not in read]


def coming_meetings(user, today: dt.date) -> list[home.Waiting]:
    """Meetings of the estates the user helps run that have not been held yet."""
    managed = visible_estates(user, "disclosure.manage").with_only_columns(Estate.id)
    return [home.Waiting(title=_("Meeting: %(title)s", title=meeting.title), kind="disclosure.meeting",
                         due=clock.local_date(meeting.scheduled_at),
                         link=url_for("disclosure.meeting", estate_id=meeting.estate_id, meeting_id=meeting.id),
                         action=_("See the agenda"),
                         detail=_("On %(day)s at %(place)s", day=clock.local_date(meeting.scheduled_at).isoformat(),
                                  place=meeting.place or "—"))
            for meeting in db.session.scalars(select(Meeting).where(
                Meeting.estate_id.in_(managed), Meeting.present.is_(None),
                Meeting.scheduled_at >= clock.local_midnight(today).astimezone(dt.timezone.utc)).order_by(Meeting.scheduled_at))]


home.register_source("disclosure.notices", unread_notices)
home.register_source("disclosure.meetings", coming_meetings)
