"""The committee publishes a period's rating results as a notice with a PDF (物业服务评价结果).

The PDF is a registered document (number, content hash, the audit chain's head) drawn by the
documents package from values built here, in Chinese whatever the reader's language; the notice
is the disclosure package's. A period can be published once it has ended, and once only.
"""
from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _

from ..core import clock
from ..audit.services import record
from ..disclosure import services as disclosure
from ..disclosure.models import Notice, NoticeKind
from ..documents import services as documents
from ..documents.models import DocumentKind
from ..extensions import db
from . import rules, services
from .messages import DIMENSION_TITLES
from .models import RatingPublication, ServiceCompany, SurveyError

LOCALE = "zh_CN"



def service_rating_pdf(data: dict, *, estate_id: int, publication_id: int, actor) -> bytes:
    """物业服务评价结果 of one period, from the values built here (in Chinese); its current values
    come from ``current_data``, registered with the documents package (routes.py)."""
    return documents.one_pdf(DocumentKind.SERVICE_RATING, "pdf/service_rating.html", estate_id,
                             "rating_publication", publication_id, data, actor)

def rating_data(company: ServiceCompany, period: dt.date) -> dict:
    """The values the PDF shows: scores per dimension and per building, the raters and their
    share of the owners; a score of fewer than 10 raters is written as too few (R-72)."""
    scores = services.period_scores(company, period)
    too_few = _("too few ratings")

    def shown(score: rules.Score) -> str:
        return rules.tenths_text(score.tenths) if score.shown else too_few

    return {
        "estate": company.estate.name, "company": company.name, "period": services.period_label(period),
        "period_start": period.isoformat(),
        "period_end": rules.period_end(period, services.period_months()).isoformat(),
        "raters": scores.raters, "heads": scores.heads, "share": scores.share,
        "dimensions": [{"title": str(DIMENSION_TITLES[name]), "score": shown(scores.scores[name])}
                       for name in rules.SCORES],
        "buildings": [{"building": building, "score": shown(score), "raters": score.raters if score.shown else ""}
                      for building, score in scores.buildings.items()],
    }


def publish_results(company: ServiceCompany, period: dt.date, actor) -> Notice:
    if rules.period_end(period, services.period_months()) >= clock.today():
        raise SurveyError("period_not_closed")
    if period in services.published_periods(company):
        raise SurveyError("already_published_period")
    publication = RatingPublication(estate_id=company.estate_id, company_id=company.id, period_start=period,
                                    published_by_id=actor.id, published_at=clock.now())
    db.session.add(publication)
    db.session.flush()
    with force_locale(LOCALE):
        data = rating_data(company, period)
        title = _("%(company)s: owners' rating, %(period)s", company=company.name, period=data["period"])
        body = _notice_body(data)
    pdf = service_rating_pdf(data, estate_id=company.estate_id, publication_id=publication.id,
                                       actor=actor)
    notice = disclosure.publish_notice(company.estate, kind=NoticeKind.ANNOUNCEMENT, title=title, body=body,
                                       starts_at=clock.now(), ends_at=None, pinned=False,
                                       attachments=[(pdf, f"{title}.pdf")], actor=actor)
    publication.notice_id = notice.id
    record("service_company.results_published", estate_id=company.estate_id, object_type="service_company",
           object_id=company.id, details={"period": period.isoformat(), "notice": notice.id}, actor=actor)
    return notice


def _notice_body(data: dict) -> str:
    lines = [_("%(raters)s owners rated the company (%(share)s%% of %(heads)s owners).", raters=data["raters"],
               share=data["share"], heads=data["heads"]), ""]
    lines += [f"- {row['title']}: {row['score']}" for row in data["dimensions"]]
    lines += ["", _("A rating is not a vote of the owners' assembly and decides nothing (R-72). Scores of fewer "
                    "than 10 raters are not shown.")]
    return "\n".join(lines)


def current_data(publication_id: int) -> dict | None:
    """What the document of a publication shows today (for the document check page)."""
    publication = db.session.get(RatingPublication, publication_id)
    if publication is None:
        return None
    company = db.session.get(ServiceCompany, publication.company_id)
    with force_locale(LOCALE):
        return rating_data(company, publication.period_start)
