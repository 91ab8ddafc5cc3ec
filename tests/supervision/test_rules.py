"""Deadlines of the re-election at their boundaries, counted as R-31 counts periods; stage order;
R-44 review; R-47's matters; the median cycle. Pure: no app."""
from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from governance_app.supervision import rules

D = dt.date


def test_r47_report_due_5_months_before_the_term_ends_and_seen_from_6_months():
    assert rules.report_due(D(2027, 6, 30)) == D(2027, 1, 30)
    assert rules.watch_from(D(2027, 6, 30)) == D(2026, 12, 30)
    assert rules.report_due(D(2027, 7, 31)) == D(2027, 2, 28)  # no 31 February: the month's last day


@pytest.mark.parametrize(("happened", "late"), [(D(2027, 1, 29), 0), (D(2027, 1, 30), 0), (D(2027, 1, 31), 1)])
def test_r47_report_at_the_5_month_boundary(happened, late):
    assert rules.days_late(happened, rules.report_due(D(2027, 6, 30))) == late


@pytest.mark.parametrize(("days_after", "late"), [(59, 0), (60, 0), (61, 1)])
def test_r47_group_within_60_days_of_the_report_r31(days_after, late):
    report = D(2027, 1, 10)  # not counted: the 60th day after it is the last
    assert rules.group_due(report) == D(2027, 3, 11)
    assert rules.days_late(report + dt.timedelta(days=days_after), rules.group_due(report)) == late


@pytest.mark.parametrize(("opening_after", "allowed"), [(7, False), (8, True), (9, True)])
def test_r47_posting_7_days_before_the_election(opening_after, allowed):
    posted = D(2027, 4, 1)
    assert rules.posting_last_day(posted) == D(2027, 4, 8)
    assert (posted + dt.timedelta(days=opening_after) >= rules.earliest_election(posted)) is allowed


def test_posting_days_are_a_setting():
    assert rules.earliest_election(D(2027, 4, 1), 10) == D(2027, 4, 12)


@pytest.mark.parametrize(("days_after", "late"), [(2, 0), (3, 0), (4, 1)])
def test_r42_result_within_3_days(days_after, late):
    counted = D(2027, 5, 1)
    assert rules.days_late(counted + dt.timedelta(days=days_after), rules.result_due(counted)) == late


@pytest.mark.parametrize(("days_after", "late"), [(29, 0), (30, 0), (31, 1)])
def test_r46_filing_within_30_days_of_the_election(days_after, late):
    election = D(2027, 5, 1)
    assert rules.days_late(election + dt.timedelta(days=days_after), rules.filing_due(election)) == late


def test_stage_order_per_kind():
    assert rules.next_stage("reelection", []) == "report"
    assert rules.next_stage("reelection", ["report"]) == "group"
    assert rules.next_stage("first_election", []) == "group"
    assert rules.next_stage("by_election", []) == "plan"
    assert rules.next_stage("by_election", rules.KIND_STAGES["by_election"]) is None
    assert rules.KIND_STAGES["by_election"][-1] == "filing"
    assert [rules.stage_number(s) for s in ("report", "closed")] == [2, 12]


def test_cycle_days_and_median_against_the_target():
    assert rules.cycle_days(D(2027, 1, 1), D(2027, 4, 11)) == 100
    assert rules.median([]) is None
    assert rules.median([120, 80, 100]) == 100
    assert rules.median([99, 100, 101, 80]) == Fraction(199, 2)


def test_r47_forbidden_matters():
    items = [(1, 4, False), (2, 7, False), (3, 5, False), (4, 5, True), (5, 9, True), (6, 9, False), (7, 3, False),
             (8, 6, True)]
    assert rules.forbidden_items(items) == [1, 2, 4, 5]


@pytest.mark.parametrize(("grounds", "approve", "reasons", "pledge", "problem"), [
    ([], True, "", True, None),
    ([], True, "", False, "pledge_missing"),
    (["arrears"], True, "", True, "ineligible"),
    (["arrears"], False, "", True, "reasons_missing"),
    (["arrears"], False, "欠缴物业费", True, None),
    (["unknown"], False, "x", True, "unknown_ground"),
])
def test_r44_review(grounds, approve, reasons, pledge, problem):
    assert rules.review_problem(grounds, approve, reasons, pledge) == problem


def test_rules_import_nothing_of_the_app():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(rules))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not {m for m in modules if m.split(".")[0] in ("flask", "sqlalchemy", "governance_app")}
