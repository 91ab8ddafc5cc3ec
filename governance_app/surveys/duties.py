"""What falls due in surveys and ratings, reported to the platform's one duties list: owners may
answer an open survey until it closes, and rate the company until the period ends (R-72)."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from ..core import clock
from ..core.duties import Duty, in_estates, register_source
from ..extensions import db
from . import rules, services
from .models import ServiceCompany, Survey


def survey_duties(estate_ids: list[int], today: dt.date) -> list[Duty]:
    found = []
    now = clock.now()
    answer = _("Answer the survey “%(title)s”")  # each title translated once, filled in per row
    for survey in db.session.scalars(select(Survey).where(
            in_estates(Survey.estate_id, estate_ids), Survey.published_at.is_not(None), Survey.closes_at > now,
            Survey.opens_at <= now)):
        last_day = clock.local_date(clock.aware(survey.closes_at) - dt.timedelta(microseconds=1))
        found.append(Duty(last_day, survey.estate_id, "surveys.answer",
                          answer % {"title": survey.title},
                          f"/estates/{survey.estate_id}/surveys/{survey.id}", "R-72", "owner"))
    period = rules.period_start(today, services.period_months())
    end = rules.period_end(period, services.period_months())
    rate, label = _("Rate %(company)s for %(period)s"), services.period_label(period)
    for company in db.session.scalars(select(ServiceCompany).where(
            in_estates(ServiceCompany.estate_id, estate_ids), ServiceCompany.contract_start <= today,
            ServiceCompany.contract_end >= today)):
        found.append(Duty(end, company.estate_id, "surveys.rate",
                          rate % {"company": company.name, "period": label},
                          f"/estates/{company.estate_id}/service/rate", "R-72", "owner"))
    return found


register_source("surveys", survey_duties)
