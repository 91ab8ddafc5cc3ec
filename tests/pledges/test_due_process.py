"""R-62 due process, step by step; R-63 expiry and removal; R-61 no name in the audit log."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from governance_app.audit.models import AuditEvent
from governance_app.core import clock as platform
from governance_app.extensions import db
from governance_app.pledges import services
from governance_app.pledges.models import Board, BoardError, Deed, Removal, Severity, Step
from tests.disclosure.support import JPEG
from tests.pledges.support import approved, evidenced, notified, warned


def _refused(expected: str, call, *args, **kwargs):
    with pytest.raises(BoardError) as refused:
        call(*args, **kwargs)
    db.session.rollback()
    assert refused.value.reason == expected
    return refused.value


def test_r62_a_warning_cites_a_clause_of_the_estate_and_an_owner_of_its_roll(estate, committee, clause):
    _refused("not_an_owner", services.record_warning, estate, unit_label="9-999", clause_id=clause.id,
             severity=Severity.MINOR, reason="x", warned_on=platform.today(), warned_by="甲", warned_how="当面",
             subject_member_id=None, actor=committee)
    _refused("clause_needed", services.record_warning, estate, unit_label="1-102", clause_id=None,
             severity=Severity.MINOR, reason="x", warned_on=platform.today(), warned_by="甲", warned_how="当面",
             subject_member_id=None, actor=committee)
    _refused("warning_in_future", services.record_warning, estate, unit_label="1-102", clause_id=clause.id,
             severity=Severity.MINOR, reason="x", warned_on=platform.today() + dt.timedelta(days=1),
             warned_by="甲", warned_how="当面", subject_member_id=None, actor=committee)
    entry = warned(estate, clause, committee)
    assert entry.step == Step.WARNED and entry.subject.name == "李娜"


def test_r62_another_estates_clause_cannot_be_cited(estate, other_estate, committee, clause):
    _refused("clause_needed", services.record_warning, other_estate, unit_label="1-101", clause_id=clause.id,
             severity=Severity.MINOR, reason="x", warned_on=platform.today(), warned_by="甲", warned_how="当面",
             subject_member_id=None, actor=committee)


def test_r62_approval_is_refused_without_evidence(estate, committee, clause, decision):
    entry = warned(estate, clause, committee)
    _refused("needs_evidenced", services.approve, entry, decision_id=decision.id, actor=committee)


def test_r62_notification_is_refused_without_approval(estate, committee, clause):
    entry = evidenced(estate, clause, committee)
    _refused("needs_approved", services.notify, entry, how="当面", actor=committee)


def test_r62_evidence_is_refused_once_approved(estate, committee, clause, decision):
    entry = approved(estate, clause, committee, decision)
    _refused("needs_warned", services.add_evidence, entry, content=JPEG + b"late", label="", actor=committee)


def test_r62_an_objection_is_refused_before_notification(estate, committee, clause, decision, second_owner):
    entry = approved(estate, clause, committee, decision)
    _refused("not_notified", services.object_to, entry, reasons="不是我", content=None, actor=second_owner)


def test_r62_evidence_must_be_a_file(estate, committee, clause):
    entry = warned(estate, clause, committee)
    _refused("evidence_needed", services.add_evidence, entry, content=b"", label="", actor=committee)
    _refused("file_wrong_type", services.add_evidence, entry, content=b"MZ not a picture", label="",
             actor=committee)


def test_r45_approval_needs_a_valid_decision_of_the_estates_committee(estate, committee, clause, invalid_decision):
    entry = evidenced(estate, clause, committee)
    _refused("decision_not_valid", services.approve, entry, decision_id=invalid_decision.id, actor=committee)
    _refused("decision_not_valid", services.approve, entry, decision_id=None, actor=committee)


def test_the_subject_of_an_entry_takes_no_part_in_deciding_it(estate, committee, clause, decision, members,
                                                             make_user, second_owner):
    # 甲 (a member who signed the decision) is the subject: the decision cannot approve the entry.
    entry = evidenced(estate, clause, committee, subject_member_id=members[0].id)
    _refused("subject_signed", services.approve, entry, decision_id=decision.id, actor=committee)
    # The person's own account, even holding a committee role, cannot approve their own entry.
    other = evidenced(estate, clause, committee)
    _refused("subject_acts", services.approve, other, decision_id=decision.id, actor=second_owner)


def test_r31_r62_objection_window_at_its_boundary(clock, estate, committee, clause, decision,
                                                  second_owner):
    clock.set(2026, 3, 1, hour=10)
    entry = notified(estate, clause, committee, decision)
    assert (entry.notified_on, entry.shows_from) == (dt.date(2026, 3, 1), dt.date(2026, 3, 9))
    clock.set(2026, 3, 8, hour=23, minute=59)  # the last day, before 24:00
    assert services.window_open(entry) and services.showing(estate, Board.BLACK) == []
    clock.set(2026, 3, 9, hour=0, minute=0)  # 24:00 of the last day
    assert not services.window_open(entry)
    _refused("window_closed", services.object_to, entry, reasons="太晚了", content=None, actor=second_owner)
    assert services.showing(estate, Board.BLACK) == [entry]


def test_r62_an_upheld_objection_removes_the_entry(clock, estate, committee, clause, decision,
                                                   second_owner):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    clock.set(2026, 3, 5)
    services.object_to(entry, reasons="纸箱不是我家的。", content=JPEG + b"proof", actor=second_owner)
    db.session.commit()
    _refused("already_objected", services.object_to, entry, reasons="again", content=None, actor=second_owner)
    _refused("answer_needed", services.decide_objection, entry, upheld=True, answer=" ", decision_id=decision.id,
             actor=committee)
    services.decide_objection(entry, upheld=True, answer="经核实，纸箱属于他人。", decision_id=decision.id,
                              actor=committee)
    db.session.commit()
    assert (entry.step, entry.removal) == (Step.REMOVED, Removal.OBJECTION_UPHELD)
    clock.set(2026, 3, 20)
    assert services.showing(estate, Board.BLACK) == []
    assert services.repairs(estate).removed == 1


def test_r62_a_pending_objection_keeps_the_entry_hidden_and_a_rejected_one_lets_it_show(
        clock, estate, committee, clause, decision, second_owner):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    services.object_to(entry, reasons="我已经清理了一部分。", content=None, actor=second_owner)
    db.session.commit()
    clock.set(2026, 3, 12)
    assert services.showing(estate, Board.BLACK) == []  # the committee has not decided yet
    services.decide_objection(entry, upheld=False, answer="照片显示纸箱仍在。", decision_id=decision.id,
                              actor=committee)
    db.session.commit()
    assert services.showing(estate, Board.BLACK) == [entry]
    assert entry.objection.answer == "照片显示纸箱仍在。"


@pytest.mark.parametrize("severity, last_shown, first_gone", [
    (Severity.MINOR, dt.date(2026, 6, 8), dt.date(2026, 6, 9)),
    (Severity.GENERAL, dt.date(2027, 3, 8), dt.date(2027, 3, 9)),
])
def test_r63_expiry_at_3_months_and_1_year(clock, estate, committee, clause, decision, severity,
                                           last_shown, first_gone):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision, severity=severity)
    clock.set(last_shown.year, last_shown.month, last_shown.day, hour=23, minute=59)
    assert services.showing(estate, Board.BLACK) == [entry]
    clock.set(first_gone.year, first_gone.month, first_gone.day, hour=0)
    assert services.showing(estate, Board.BLACK) == []


def test_r63_rectified_and_pledged_removes_the_entry_at_once(clock, estate, committee, clause, decision,
                                                             second_owner):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    clock.set(2026, 3, 10)
    assert services.showing(estate, Board.BLACK) == [entry]
    services.record_rectified(entry, on=platform.today(), actor=committee)
    db.session.commit()
    assert services.showing(estate, Board.BLACK) == [entry]  # rectified, no pledge yet
    services.pledge(entry, second_owner)
    db.session.commit()
    assert (entry.step, entry.removal) == (Step.REMOVED, Removal.RECTIFIED)
    assert services.showing(estate, Board.BLACK) == []
    assert services.repairs(estate) == services.Repairs(rectified=1, removed=1)
    _refused("removed", services.pledge, entry, second_owner)


def test_r61_no_audit_event_carries_the_persons_name(clock, estate, committee, clause, decision,
                                                     second_owner):
    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    services.object_to(entry, reasons="异议", content=None, actor=second_owner)
    services.decide_objection(entry, upheld=False, answer="驳回", decision_id=decision.id, actor=committee)
    services.record_rectified(entry, on=platform.today(), actor=committee)
    services.pledge(entry, second_owner)
    db.session.commit()
    board_events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("board.%"))))
    assert {e.action for e in board_events} >= {"board.warning_recorded", "board.evidence_added",
                                                 "board.approved", "board.notified", "board.objected",
                                                 "board.objection_decided", "board.rectified", "board.pledged",
                                                 "board.removed"}
    for event in board_events:
        assert "李娜" not in f"{event.actor_name} {event.details} {event.object_id}"


def test_red_board_committee_nominations_show_at_once_and_owners_wait_for_approval(
        clock, estate, committee, clause, owner):
    clock.set(2026, 3, 1)
    by_committee = services.nominate(estate, unit_label="2-101", deed=Deed.VOLUNTEERING, clause_id=None,
                                     reason="组织楼道清洁志愿活动", service_eligible=True, actor=committee)
    by_owner = services.nominate(estate, unit_label="1-102", deed=Deed.NEIGHBOUR_HELP, clause_id=None,
                                 reason="帮助独居老人买菜", service_eligible=False, actor=owner)
    db.session.commit()
    assert (by_committee.step, by_committee.nominated_as) == (Step.SHOWN, "committee")
    assert (by_owner.step, by_owner.nominated_as) == (Step.NOMINATED, "owner")
    assert services.showing(estate, Board.RED) == [by_committee]
    _refused("clause_needed", services.nominate, estate, unit_label="1-101", deed=Deed.CLAUSE_KEPT, clause_id=None,
             reason="x", service_eligible=False, actor=committee)
    services.approve_nomination(by_owner, approve=True, actor=committee)
    db.session.commit()
    assert set(services.showing(estate, Board.RED)) == {by_committee, by_owner}
    clock.set(2027, 2, 28, hour=23)
    assert len(services.showing(estate, Board.RED)) == 2
    clock.set(2027, 3, 1, hour=0)  # shown for 1 year by default
    assert services.showing(estate, Board.RED) == []


def test_r65_the_export_lists_eligible_red_board_owners_only(clock, estate, committee, clause, decision):
    clock.set(2026, 3, 1)
    services.nominate(estate, unit_label="2-101", deed=Deed.CLAUSE_KEPT, clause_id=clause.id, reason="保持楼道整洁",
                      service_eligible=True, actor=committee)
    services.nominate(estate, unit_label="1-101", deed=Deed.MEDIATION, clause_id=None, reason="调解邻里纠纷",
                      service_eligible=False, actor=committee)
    notified(estate, clause, committee, decision)
    db.session.commit()
    clock.set(2026, 3, 20)
    rows = services.red_export_rows(estate)
    assert [(r["name"], r["unit"], r["deed"], r["clause"]) for r in rows] == [("赵敏", "2-101", "clause_kept",
                                                                              "梅园居民公约 2")]


def test_convention_signatures_by_heads_and_area(estate, convention, owner, second_owner):
    assert services.signatures(convention) == services.Signatures(0, 0, 3, 27000)
    services.sign(convention, owner)
    db.session.commit()
    _refused("already_signed", services.sign, convention, owner)
    services.sign(convention, second_owner)
    db.session.commit()
    assert services.signatures(convention) == services.Signatures(2, 18000, 3, 27000)


def test_an_owner_of_another_estate_cannot_sign(estate, convention, other_owner):
    _refused("not_an_owner", services.sign, convention, other_owner)


def test_duties_report_the_objection_window_and_the_expiry(clock, estate, committee, clause, decision):
    from governance_app.core.duties import gather

    clock.set(2026, 3, 1)
    entry = notified(estate, clause, committee, decision)
    found = {(d.kind, d.due) for d in gather([estate.id], platform.today())}
    assert ("pledges.objection_window", dt.date(2026, 3, 8)) in found
    assert ("pledges.expiry", entry.expires_on) in found


def test_r62_the_person_is_told_in_the_app_and_nobody_else_is(estate, committee, clause, decision, second_owner,
                                                                owner):
    """The entry is about 李娜 (1-102): her account gets a message linking to the entry, naming no one."""
    from governance_app.notifications.models import Message
    from governance_app.notifications.messages import render

    entry = notified(estate, clause, committee, decision)
    messages = db.session.scalars(select(Message).where(Message.kind == "board_notified")).all()
    assert [m.user_id for m in messages] == [second_owner.id]
    assert messages[0].link == f"/estates/{estate.id}/board/entries/{entry.id}"
    title, body = render("board_notified", messages[0].values)
    assert "李娜" not in title + body and str(services.objections_until(entry)) in body
