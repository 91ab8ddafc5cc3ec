"""audit.created: a new row added, flushed and its event recorded in one call."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.audit.models import AuditEvent
from governance_app.audit.services import created
from governance_app.core import clock
from governance_app.extensions import db
from governance_app.surveys.models import ServiceCompany


def company(estate) -> ServiceCompany:
    return ServiceCompany(estate_id=estate.id, name="物业公司", contract_start=dt.date(2026, 1, 1),
                          contract_end=dt.date(2028, 12, 31), recorded_at=clock.now())


def test_created_adds_the_row_and_records_its_event_on_its_estates_chain(make_estate, make_user):
    estate = make_estate()
    actor = make_user()
    row = company(estate)
    assert created(row, "test.created", object_type="service_company", details={"name": row.name},
                   actor=actor) is row
    assert row in db.session and row.id is not None
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "test.created")).one()
    assert (event.chain, event.estate_id, event.object_type, event.object_id) == (
        f"estate:{estate.id}", estate.id, "service_company", str(row.id))
    assert (event.details, event.actor_id) == ({"name": "物业公司"}, actor.id)
    assert db.session.get(ServiceCompany, row.id).name == "物业公司"


def test_created_takes_another_object_and_estate_when_told(make_estate):
    estate = make_estate()
    row = created(company(estate), "test.about_parent", object_type="estate", object_id=estate.id,
                  estate_id=None)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "test.about_parent")).one()
    assert row.id is not None
    assert (event.chain, event.estate_id, event.object_id) == ("platform", None, str(estate.id))
