"""The board's pure rules: the order of the due process (R-62), the objection window counted as
R-31 counts periods, expiry (R-63), and signatures by heads and area."""
import datetime as dt

import pytest

from governance_app.pledges import rules

D = dt.date


@pytest.mark.parametrize("current, wanted", [
    ("warned", "evidenced"), ("evidenced", "evidenced"), ("evidenced", "approved"), ("approved", "notified"),
])
def test_r62_each_step_follows_its_predecessor(current, wanted):
    rules.require_step(current, wanted)


@pytest.mark.parametrize("current, wanted, needed", [
    ("warned", "approved", "evidenced"),  # no evidence
    ("warned", "notified", "approved"),  # no approval
    ("evidenced", "notified", "approved"),
    ("approved", "evidenced", "warned"),  # no going back once approved
    ("notified", "approved", "evidenced"),
])
def test_r62_a_step_without_its_predecessor_is_refused(current, wanted, needed):
    with pytest.raises(rules.StepError) as refused:
        rules.require_step(current, wanted)
    assert refused.value.needed == needed


def test_r31_r62_the_window_starts_the_day_after_notification_and_ends_at_the_last_days_midnight():
    notified = D(2026, 3, 1)
    assert rules.objection_last_day(notified) == D(2026, 3, 8)
    assert rules.window_open(notified, D(2026, 3, 7))  # n-1
    assert rules.window_open(notified, D(2026, 3, 8))  # n: still open until 24:00
    assert not rules.window_open(notified, D(2026, 3, 9))  # n+1
    assert rules.first_shown_day(notified) == D(2026, 3, 9)
    assert rules.objection_last_day(notified, 10) == D(2026, 3, 11)  # the setting


@pytest.mark.parametrize("day, months, expected", [
    (D(2026, 3, 9), 3, D(2026, 6, 9)),
    (D(2026, 11, 30), 3, D(2027, 2, 28)),  # no 30 February
    (D(2027, 11, 30), 3, D(2028, 2, 29)),
    (D(2026, 3, 9), 12, D(2027, 3, 9)),
    (D(2028, 2, 29), 12, D(2029, 2, 28)),
])
def test_add_months(day, months, expected):
    assert rules.add_months(day, months) == expected


def test_r63_minor_entries_show_3_months_and_general_ones_1_year():
    start = D(2026, 3, 9)
    minor, general = rules.expires_on(start, "minor"), rules.expires_on(start, "general")
    assert (minor, general) == (D(2026, 6, 9), D(2027, 3, 9))
    assert rules.showing(start, minor, D(2026, 6, 8), removed=False)  # n-1
    assert not rules.showing(start, minor, D(2026, 6, 9), removed=False)  # n
    assert not rules.showing(start, minor, D(2026, 6, 10), removed=False)  # n+1
    assert rules.showing(start, general, D(2027, 3, 8), removed=False)
    assert not rules.showing(start, general, D(2027, 3, 9), removed=False)


def test_r62_r63_never_shown_before_its_start_when_removed_or_while_an_objection_waits():
    start, end = D(2026, 3, 9), D(2026, 6, 9)
    assert not rules.showing(start, end, D(2026, 3, 8), removed=False)
    assert rules.showing(start, end, D(2026, 3, 9), removed=False)
    assert not rules.showing(start, end, D(2026, 3, 9), removed=True)
    assert not rules.showing(start, end, D(2026, 3, 9), removed=False, objection_pending=True)
    assert not rules.showing(None, None, D(2026, 3, 9), removed=False)


def test_signatures_count_each_owner_once_with_their_area():
    voters = [(("o1",), 10000), (("o2", "o3"), 8000), (("o4",), 9000)]
    assert rules.signed_totals(voters, set()) == (0, 0)
    assert rules.signed_totals(voters, {"o1", "o3"}) == (2, 18000)
    assert rules.signed_totals(voters, {"o2", "o3"}) == (1, 8000)  # a co-owned unit counts once
