"""A re-election through the services: stages in order, deadlines kept and flagged, R-47, the
election built from the approved candidates, the result followed, filing, handover and cycle time."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.audit.models import AuditEvent
from governance_app.core import clock as platform
from governance_app.disclosure import services as disclosure_services
from governance_app.extensions import db
from governance_app.supervision import services
from governance_app.supervision.models import ProcessKind, SupervisionError
from governance_app.voting import services as voting_services
from governance_app.voting.models import ItemKind, NominationSource
from tests.support.site import PDF

from .conftest import seat_committee
from .support import hold_election, to_group, to_posting


def test_stages_happen_in_order(committee, people, clock):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    with pytest.raises(SupervisionError) as refused:
        services.record_group(process, platform.today(), None, "", people["supervisor"])
    assert refused.value.reason in ("no_members", "out_of_order")
    services.add_member(process, "居委干部", services.GroupRole.COMMUNITY, people["supervisor"])
    with pytest.raises(SupervisionError) as refused:
        services.record_group(process, platform.today(), None, "", people["supervisor"])
    assert refused.value.reason == "out_of_order" and refused.value.details == {"stage": 3, "expected": 2}
    with pytest.raises(SupervisionError):
        services.record_report(process, platform.today() + dt.timedelta(days=1), None, "", people["supervisor"])


def test_only_one_process_at_a_time_and_a_reelection_needs_a_committee(estate, people, clock):
    with pytest.raises(SupervisionError) as refused:
        services.start(estate, ProcessKind.REELECTION, people["supervisor"])
    assert refused.value.reason == "no_committee"
    services.start(estate, ProcessKind.FIRST, people["supervisor"])
    with pytest.raises(SupervisionError) as refused:
        services.start(estate, ProcessKind.FIRST, people["supervisor"])
    assert refused.value.reason == "already_open"


@pytest.mark.parametrize(("day", "late"), [(29, 0), (30, 0), (31, 1)])
def test_r47_a_late_report_is_recorded_and_flagged(committee, people, clock, day, late):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    clock.set(2027, 1, day)
    entry = services.record_report(process, platform.today(), PDF, "", people["supervisor"])
    assert entry.due_on == dt.date(2027, 1, 30) and entry.days_late == late and entry.file_id is not None


@pytest.mark.parametrize(("days", "late"), [(60, 0), (61, 1)])
def test_r47_group_within_60_days(committee, people, clock, days, late):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    services.record_report(process, dt.date(2026, 12, 1), None, "", people["supervisor"])
    services.add_member(process, "居委干部", services.GroupRole.COMMUNITY, people["supervisor"])
    target = dt.date(2026, 12, 1) + dt.timedelta(days=days)
    clock.set(target.year, target.month, target.day)
    assert services.record_group(process, target, None, "", people["supervisor"]).days_late == late


def _notice_forbidden(estate, chair, matter: int, marked: bool):
    today = platform.today()
    vote = voting_services.create_vote(estate, title="选聘物业", description="", opening_date=today + dt.timedelta(days=15),
                                       last_day=today + dt.timedelta(days=20), buildings=None, actor=chair)
    voting_services.add_item(vote, kind=ItemKind.RESOLUTION, matter=matter, title="事项", major_or_fee=marked)
    voting_services.publish_notice(vote, chair)
    return vote


@pytest.mark.parametrize(("matter", "marked", "refused"), [
    (4, False, True), (7, False, True), (5, True, True), (9, True, True), (5, False, False), (9, False, False),
    (6, True, False), (1, False, False),
])
def test_r47_refuses_to_notice_forbidden_matters_while_a_group_exists(committee, people, clock, matter, marked,
                                                                         refused):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    to_group(process, people, clock)
    if refused:
        with pytest.raises(SupervisionError) as error:
            _notice_forbidden(committee, people["chair"], matter, marked)
        assert error.value.reason == "r47_forbidden"
    else:
        assert _notice_forbidden(committee, people["chair"], matter, marked).notice_at is not None


def test_r47_before_the_group_and_after_closing_the_matters_may_be_noticed(committee, people, clock):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    services.record_report(process, platform.today(), None, "", people["supervisor"])
    assert _notice_forbidden(committee, people["chair"], 4, False).notice_at is not None


def test_a_reelection_from_report_to_closing(app, committee, people, clock, make_user):
    process = services.start(committee, ProcessKind.REELECTION, people["supervisor"])
    to_group(process, people, clock)
    to_posting(process, people, clock)
    assert [n.decision.value for n in process.nominees].count("approved") == 5
    objection = services.object_to(process, "候选人丙不是本小区业主", platform.today(), people["staff"])
    posted = process.recorded()["posting"].happened_on
    with pytest.raises(SupervisionError) as refused:
        services.build_vote(process, opening_date=posted + dt.timedelta(days=7), last_day=posted + dt.timedelta(days=9),
                            actor=people["staff"])
    assert refused.value.reason == "before_posting_ends"
    with pytest.raises(SupervisionError) as refused:
        services.build_vote(process, opening_date=posted + dt.timedelta(days=20),
                            last_day=posted + dt.timedelta(days=25), actor=people["staff"])
    assert refused.value.reason == "objections_open"
    services.answer_objection(process, objection, "经核实为本小区业主", people["staff"])
    db.session.commit()
    vote = hold_election(process, people, clock, make_user, committee)
    item = vote.items[0]
    assert item.kind == ItemKind.ELECTION and item.seats == 5 and len(item.candidates) == 5
    assert {c.nomination for c in item.candidates} >= {NominationSource.SELF, NominationSource.JOINT}
    done = process.recorded()
    assert done["election"].happened_on == services.election_day(vote)
    assert done["result"].days_late == 0
    services.return_filing(process, "缺少候选人承诺书", people["supervisor"])
    assert process.filing_returned
    filed_on = platform.today()
    services.accept_filing(process, "备字2027第001号", filed_on, people["supervisor"])
    assert process.filing_returned == "" and process.recorded()["filing"].note == "备字2027第001号"
    assert services.cycle_days(process) == (filed_on - process.recorded()["report"].happened_on).days
    with pytest.raises(SupervisionError):
        services.record_handover(process, done=["seals"], signed=["old_chair"], happened_on=filed_on,
                                 actor=people["chair"])
    services.record_handover(process, done=list(services.HANDOVER_ITEMS), signed=list(services.HANDOVER_SIGNERS),
                             happened_on=filed_on, actor=people["chair"])
    from governance_app.documents import services as document_services
    from governance_app.supervision import documents

    with app.test_request_context():  # a PDF is drawn for a request (templates read the reader)
        assert documents.handover_pdf(process, people["chair"])[:4] == b"%PDF"
    record = db.session.scalars(select(document_services.DocumentRecord).order_by(
        document_services.DocumentRecord.id.desc())).first()
    assert document_services.check(record.number).status.value == "current"
    services.close(process, filed_on, people["supervisor"])
    db.session.commit()
    assert process.closed_on == filed_on
    newest = disclosure_services.terms_ending([committee.id])[committee.id]
    assert newest == services.rules.add_months(services.election_day(vote), 60) - dt.timedelta(days=1)
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.estate_id == committee.id)))
    assert {"supervision.stage.report", "supervision.stage.filing", "supervision.filing_returned"} <= actions


def test_a_one_seat_by_election_runs_stages_4_to_10(estate, people, clock, make_user):
    seat_committee(estate, people["chair"], members=5, left=1)
    process = services.start(estate, ProcessKind.BY_ELECTION, people["supervisor"])
    to_posting(process, people, clock, seats=1)
    vote = hold_election(process, people, clock, make_user, estate)
    assert vote.items[0].by_election and vote.items[0].seats == 1
    assert vote.result["items"]["i1"]["outcome"] == "elected"
    services.accept_filing(process, "备字2027第002号", platform.today(), people["supervisor"])
    assert process.closed_on == platform.today()


def test_a_by_election_plan_beyond_the_vacancies_is_refused(estate, people, clock):
    seat_committee(estate, people["chair"], members=5, left=1)
    process = services.start(estate, ProcessKind.BY_ELECTION, people["supervisor"])
    with pytest.raises(SupervisionError) as refused:
        services.record_plan(process, seats=2, structure="", structure_by_community=False, posting_days=7,
                             happened_on=platform.today(), actor=people["staff"])
    assert refused.value.reason == "by_election_more_than_vacancies"
