"""The disclosure rules as pure functions (R-42, R-45): numbers in, answers out, no app."""
import datetime as dt

import pytest

from governance_app.disclosure import rules

UTC = dt.timezone.utc
TICK = dt.timedelta(microseconds=1)


# --- the meeting's quorum ---------------------------------------------------------------------

@pytest.mark.parametrize("members, present, met", [
    (7, 3, False), (7, 4, True), (7, 5, True),  # n-1, n, n+1 around the 4 needed of 7
    (6, 3, False), (6, 4, True), (6, 5, True),  # exactly half of 6 is not more than half
    (5, 2, False), (5, 3, True),
    (3, 1, False), (3, 2, True),
    (7, 0, False), (7, 7, True),
])
def test_r45_quorum_needs_more_than_half_of_the_members_present(members, present, met):
    assert rules.quorum_met(present, members) is met


def test_r45_no_meeting_without_members():
    assert not rules.quorum_met(0, 0)


# --- a decision's signatures ---------------------------------------------------------------

def test_r45_the_rules_example_seven_members_five_present_three_sign_fails_needs_four():
    assert rules.quorum_met(5, 7)
    assert not rules.decision_valid(3, 7)
    assert rules.signatures_needed(7) == 4
    assert rules.decision_valid(4, 7)


@pytest.mark.parametrize("members, signers, valid", [
    (7, 3, False), (7, 4, True), (7, 5, True),
    (6, 3, False), (6, 4, True), (6, 5, True),  # even: exactly half fails
    (8, 4, False), (8, 5, True), (8, 6, True),
    (10, 5, False), (10, 6, True), (10, 7, True),
    (5, 2, False), (5, 3, True),
    (11, 5, False), (11, 6, True),
])
def test_r45_a_decision_needs_the_signatures_of_more_than_half_of_all_members(members, signers, valid):
    assert rules.decision_valid(signers, members) is valid


def test_r45_a_decision_of_no_committee_is_never_valid():
    assert not rules.decision_valid(0, 0)


@pytest.mark.parametrize("members, needed", [(3, 2), (5, 3), (6, 4), (7, 4), (8, 5), (9, 5), (10, 6), (11, 6)])
def test_r45_signatures_needed(members, needed):
    assert rules.signatures_needed(members) == needed


@pytest.mark.parametrize("members", range(1, 14))
def test_r45_signatures_needed_is_the_smallest_count_that_is_valid(members):
    needed = rules.signatures_needed(members)
    assert rules.decision_valid(needed, members)
    assert not rules.decision_valid(needed - 1, members)
    assert rules.quorum_met(needed, members) and not rules.quorum_met(needed - 1, members)


# --- posting within 3 days -------------------------------------------------------------------

def test_r42_posting_is_due_three_days_after_the_meeting():
    assert rules.posting_due(dt.date(2026, 3, 30)) == dt.date(2026, 4, 2)
    assert rules.posting_due(dt.date(2026, 12, 30)) == dt.date(2027, 1, 2)


@pytest.mark.parametrize("days_after, overdue", [(0, False), (2, False), (3, False), (4, True), (30, True)])
def test_r42_unposted_minutes_are_overdue_only_after_the_third_day(days_after, overdue):
    held = dt.date(2026, 5, 6)
    assert rules.posting_overdue(held, False, held + dt.timedelta(days=days_after)) is overdue


@pytest.mark.parametrize("days_after", [0, 3, 4, 30])
def test_r42_posted_minutes_are_never_overdue(days_after):
    held = dt.date(2026, 5, 6)
    assert not rules.posting_overdue(held, True, held + dt.timedelta(days=days_after))


# --- when a notice shows ------------------------------------------------------------------------------

START = dt.datetime(2026, 5, 1, 16, 0, tzinfo=UTC)  # 2 May 2026, 00:00 in Shanghai
END = START + dt.timedelta(days=7)


@pytest.mark.parametrize("now, showing", [
    (START - TICK, False),
    (START, True),
    (END - TICK, True),
    (END, False),  # a 公示 period ends at its end instant
    (END + TICK, False),
])
def test_a_posting_shows_from_its_start_instant_until_just_before_its_end(now, showing):
    assert rules.notice_showing(START, END, now) is showing


@pytest.mark.parametrize("now, showing", [
    (START - TICK, False),
    (START, True),
    (START + dt.timedelta(days=3650), True),
])
def test_an_announcement_without_end_shows_from_its_start_for_good(now, showing):
    assert rules.notice_showing(START, None, now) is showing


def test_notice_times_compare_as_instants_whatever_their_zone():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert rules.notice_showing(START, END, START.astimezone(shanghai))
    assert not rules.notice_showing(START, END, (START - TICK).astimezone(shanghai))


def test_agenda_points_drop_the_numbers_people_type_so_minutes_number_each_point_once():
    assert rules.agenda_points("1. 电梯维修方案\n\n2、停车费\n（3）物业合同\n第四项：绿化\n10) 其他") == (
        "电梯维修方案", "停车费", "物业合同", "绿化", "其他")
    assert rules.agenda_points("2025年预算\n1.5米围墙\n1 号楼外墙") == ("2025年预算", "1.5米围墙", "1 号楼外墙")


def test_a_meeting_is_held_at_its_scheduled_hour_on_the_day_recorded_not_at_midnight():
    scheduled = dt.datetime(2026, 5, 4, 19, 30, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert rules.held_at(dt.date(2026, 5, 5), scheduled) == dt.datetime(2026, 5, 5, 19, 30, tzinfo=scheduled.tzinfo)
    assert rules.held_at(None, scheduled) == dt.datetime(2026, 5, 4, 19, 30, tzinfo=scheduled.tzinfo)


def test_r31_a_posting_of_7_days_put_up_on_1_may_lasts_to_the_end_of_8_may():
    assert rules.posting_last_day(dt.date(2026, 5, 1), 7) == dt.date(2026, 5, 8)
    assert rules.posting_last_day(dt.date(2026, 5, 1), 1) == dt.date(2026, 5, 2)
