"""Counting a vote (RULES.md R-02 to R-04, R-10 to R-15, R-20 to R-22, R-30 to R-32) as pure
functions: no app, no database. Areas are integer hundredths of a square metre."""
from __future__ import annotations

import ast
import datetime as dt
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from governance_app.voting import bundle, rules
from governance_app.voting.rules import (
    Ballot, CountError, Item, RollEntry, approval_met, building_breakdown, participation_met, sort_ballots,
    threshold_rule,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
OPENS_AT = dt.datetime(2024, 7, 16, 9, 0, tzinfo=SHANGHAI)
CLOSES_AT = dt.datetime(2024, 8, 1, 0, 0, tzinfo=SHANGHAI)  # 24:00 of 31 July (R-31)


def roll_of(*areas: int, building: str = "1", prefix: str = "v") -> list[RollEntry]:
    """One unit per voter: voters v1, v2, ... with the given areas (hundredths of m²)."""
    return [RollEntry(unit=f"{building}-{101 + n}", building=building, area=area, voter=f"{prefix}{n + 1}")
            for n, area in enumerate(areas)]


def ballot(voter: str, minute: int = 0, *, status: str = "valid", at: dt.datetime | None = None,
           **choices) -> Ballot:
    received_at = at if at is not None else OPENS_AT + dt.timedelta(minutes=minute)
    return Ballot(voter=voter, received_at=received_at, status=status, choices=choices)


def votes(*pairs: tuple[str, object], item: str = "r") -> list[Ballot]:
    """One ballot per (voter, mark) pair, a minute apart, marking ``item`` only."""
    return [ballot(voter, n, **({} if mark is None else {item: mark})) for n, (voter, mark) in enumerate(pairs)]


def resolution(item_id: str = "r", matter: int = 9) -> Item:
    return Item(id=item_id, kind="resolution", matter=matter)


def election(seats: int, *candidates: str, alternates: int = 0, item_id: str = "e") -> Item:
    return Item(id=item_id, kind="election", matter=3, seats=seats, alternates=alternates,
                candidates=tuple(candidates))


def choice(*options: str, matter: int = 4, item_id: str = "c") -> Item:
    return Item(id=item_id, kind="choice", matter=matter, options=tuple(options))


def count(roll, items, ballots, closes_at=CLOSES_AT) -> dict:
    return rules.tally(roll, items, ballots, closes_at)


def figures(area: str, heads: int) -> dict:
    return {"area": area, "heads": heads}


# --- purity -----------------------------------------------------------------------------

def test_bundle_module_imports_only_the_standard_library_and_the_rules():
    tree = ast.parse(Path(bundle.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(alias.name.split(".")[0] in sys.stdlib_module_names for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            assert (node.module, [alias.name for alias in node.names]) == (None, ["rules"])
        elif isinstance(node, ast.ImportFrom):
            assert node.module.split(".")[0] in sys.stdlib_module_names | {"__future__"}


def test_the_audit_modules_load_neither_flask_nor_sqlalchemy_in_a_fresh_interpreter():
    code = ("import governance_app.voting.rules, governance_app.voting.bundle, governance_app.voting.audit_cli, sys; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_babel')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.strip() == "[]"


# --- R-10: participation ----------------------------------------------------------------

@pytest.mark.parametrize("area, met", [(19999, False), (20000, True), (20001, True)])
def test_r10_participation_by_area_at_two_thirds_of_300_m2(area, met):
    """300.00 m², 3 heads, all heads taking part: only the area decides."""
    assert participation_met(area, 3, 30000, 3) is met


@pytest.mark.parametrize("heads, met", [(1, False), (2, True), (3, True)])
def test_r10_participation_by_heads_at_two_thirds_of_3(heads, met):
    """All the area taking part: only the heads decide."""
    assert participation_met(30000, heads, 30000, 3) is met


@pytest.mark.parametrize("heads, met", [(5, False), (6, True), (7, True)])
def test_r10_participation_by_heads_6_of_9_is_exactly_two_thirds(heads, met):
    assert participation_met(90000, heads, 90000, 9) is met


@pytest.mark.parametrize("area, met", [(59999, False), (60000, True), (60001, True)])
def test_r10_participation_by_area_exactly_two_thirds_of_900_m2(area, met):
    assert participation_met(area, 9, 90000, 9) is met


@pytest.mark.parametrize("heads, met", [(6, False), (7, True), (8, True)])
def test_r10_participation_by_heads_where_two_thirds_is_not_whole(heads, met):
    """10 heads: 2/3 is 6.67, so 7 are needed (3*7 >= 20)."""
    assert participation_met(100000, heads, 100000, 10) is met


def test_r10_participation_needs_area_and_heads_both():
    assert participation_met(30000, 1, 30000, 3) is False
    assert participation_met(19999, 3, 30000, 3) is False
    assert participation_met(20000, 2, 30000, 3) is True


def test_r10_empty_roll_never_meets_participation():
    assert participation_met(0, 0, 0, 0) is False
    result = count([], [resolution()], [])
    assert result["participation"] == {"area": "0.00", "heads": 0, "met": False, "rule": "R-10"}
    assert result["items"]["r"]["outcome"] == "failed"


@pytest.mark.parametrize("voted, met", [(5, False), (6, True), (7, True)])
def test_r10_tally_counts_heads_6_of_9_meets_5_of_9_fails(voted, met):
    roll = roll_of(*[10000] * 9)
    ballots = votes(*[(f"v{n + 1}", "approve") for n in range(voted)])
    result = count(roll, [resolution()], ballots)
    assert result["totals"] == figures("900.00", 9)
    assert result["participation"] == {"area": f"{voted}00.00", "heads": voted, "met": met, "rule": "R-10"}
    assert result["items"]["r"]["outcome"] == ("passed" if met else "failed")


@pytest.mark.parametrize("voters, area, met", [
    (("v2", "v3"), "199.99", False),  # one hundredth short of 2/3
    (("v1", "v3"), "200.00", True),   # exactly 2/3
    (("v1", "v2"), "200.01", True),
])
def test_r10_tally_counts_area_exactly_two_thirds_meets(voters, area, met):
    roll = roll_of(10001, 10000, 9999)  # 300.00 m², 3 heads: 2 heads always meet the headcount
    result = count(roll, [resolution()], votes(*[(voter, "approve") for voter in voters]))
    assert result["totals"] == figures("300.00", 3)
    assert result["participation"] == {"area": area, "heads": 2, "met": met, "rule": "R-10"}
    assert result["items"]["r"]["outcome"] == ("passed" if met else "failed")


def test_r10_tally_enough_area_but_too_few_heads_fails():
    roll = roll_of(80000, 10000, 10000)  # v1 alone holds 80% of the area
    result = count(roll, [resolution()], votes(("v1", "approve")))
    assert result["participation"] == {"area": "800.00", "heads": 1, "met": False, "rule": "R-10"}
    assert result["items"]["r"]["outcome"] == "failed"
    assert result["items"]["r"]["approve"] == figures("800.00", 1)


def test_r10_participation_not_met_fails_every_item_and_elects_nobody():
    roll = roll_of(*[10000] * 9)
    ballots = [ballot(f"v{n}", n, r="approve", e=["x"], c="pro") for n in range(1, 6)]
    result = count(roll, [resolution(), election(1, "x", "y", alternates=1), choice("pro", "self")], ballots)
    assert result["participation"]["met"] is False
    assert result["items"]["r"]["outcome"] == "failed"
    assert result["items"]["r"]["approve"] == figures("500.00", 5)
    assert result["items"]["r"]["approval_met"] is True  # the approval alone would have passed
    vote_e = result["items"]["e"]
    assert (vote_e["outcome"], vote_e["elected"], vote_e["alternates"], vote_e["runoff"], vote_e["vacant"]) == \
        ("failed", [], [], None, 1)
    assert result["items"]["c"]["outcome"] == "failed"
    assert result["items"]["c"]["option"] is None
    assert all(option["passed"] is False for option in result["items"]["c"]["options"])


# --- R-11 / R-12: approval --------------------------------------------------------------

@pytest.mark.parametrize("yes_area, passes", [(4999, False), (5000, False), (5001, True)])
def test_r11_area_exactly_half_fails_half_plus_one_hundredth_passes(yes_area, passes):
    assert approval_met("R-11", yes_area, 3, 10000, 3) is passes


@pytest.mark.parametrize("yes_heads, passes", [(1, False), (2, False), (3, True)])
def test_r11_heads_exactly_half_fails(yes_heads, passes):
    assert approval_met("R-11", 10000, yes_heads, 10000, 4) is passes


@pytest.mark.parametrize("yes_heads, passes", [(2, False), (3, True), (4, True)])
def test_r11_heads_odd_number_of_participants(yes_heads, passes):
    assert approval_met("R-11", 10000, yes_heads, 10000, 5) is passes


def test_r11_needs_area_and_heads_both():
    assert approval_met("R-11", 5001, 2, 10000, 4) is False
    assert approval_met("R-11", 5000, 3, 10000, 4) is False
    assert approval_met("R-11", 5001, 3, 10000, 4) is True


@pytest.mark.parametrize("yes_area, passes", [(29999, False), (30000, True), (30001, True)])
def test_r12_area_exactly_three_quarters_passes(yes_area, passes):
    assert approval_met("R-12", yes_area, 4, 40000, 4) is passes


@pytest.mark.parametrize("yes_heads, passes", [(2, False), (3, True), (4, True)])
def test_r12_heads_exactly_three_quarters_passes(yes_heads, passes):
    assert approval_met("R-12", 40000, yes_heads, 40000, 4) is passes


@pytest.mark.parametrize("yes_heads, passes", [(5, False), (6, True)])
def test_r12_heads_where_three_quarters_is_not_whole(yes_heads, passes):
    """7 participants: 3/4 is 5.25, so 6 are needed."""
    assert approval_met("R-12", 70000, yes_heads, 70000, 7) is passes


def test_r12_needs_area_and_heads_both():
    assert approval_met("R-12", 30000, 2, 40000, 4) is False
    assert approval_met("R-12", 29999, 3, 40000, 4) is False


@pytest.mark.parametrize("matter, rule", [(1, "R-11"), (2, "R-11"), (3, "R-11"), (4, "R-11"), (5, "R-11"),
                                          (6, "R-12"), (7, "R-12"), (8, "R-12"), (9, "R-11")])
def test_r11_r12_threshold_by_matter(matter, rule):
    assert threshold_rule(matter) == rule


@pytest.mark.parametrize("small_area, big_area, outcome", [
    (4999, 15001, "failed"),  # 149.99 of 300.00
    (5000, 15000, "failed"),  # exactly half
    (5001, 14999, "passed"),  # half plus one hundredth
])
def test_r11_tally_area_at_half_with_a_majority_of_heads(small_area, big_area, outcome):
    roll = [*roll_of(small_area, 5000, 5000), RollEntry("1-201", "1", big_area, "big")]
    ballots = votes(("v1", "approve"), ("v2", "approve"), ("v3", "approve"), ("big", "oppose"))
    result = count(roll, [resolution(matter=5)], ballots)
    item = result["items"]["r"]
    assert result["participation"]["met"] is True
    assert item["approve"]["heads"] == 3
    assert item["rule"] == "R-11"
    assert item["outcome"] == outcome


@pytest.mark.parametrize("approvers, outcome", [
    (("big",), "failed"),             # 1 of 4 heads
    (("big", "v1"), "failed"),        # 2 of 4 heads: exactly half, though 250.00 of 350.00 m²
    (("big", "v1", "v2"), "passed"),  # 3 of 4 heads
])
def test_r11_tally_heads_at_half_with_a_majority_of_area(approvers, outcome):
    roll = [*roll_of(5000, 5000, 5000), RollEntry("1-201", "1", 20000, "big")]
    ballots = votes(*[(voter, "approve" if voter in approvers else "oppose") for voter in ("big", "v1", "v2", "v3")])
    item = count(roll, [resolution(matter=1)], ballots)["items"]["r"]
    assert item["outcome"] == outcome


@pytest.mark.parametrize("matter", [6, 7, 8])
@pytest.mark.parametrize("areas, outcome", [
    ((9999, 10000, 10000, 10001), "failed"),  # 299.99 of 400.00
    ((10000, 10000, 10000, 10000), "passed"),  # exactly 3/4 of area and of heads
    ((10001, 10000, 10000, 9999), "passed"),
])
def test_r12_tally_special_matters_exactly_three_quarters_passes(matter, areas, outcome):
    ballots = votes(("v1", "approve"), ("v2", "approve"), ("v3", "approve"), ("v4", "oppose"))
    item = count(roll_of(*areas), [resolution(matter=matter)], ballots)["items"]["r"]
    assert (item["rule"], item["outcome"]) == ("R-12", outcome)


@pytest.mark.parametrize("matter", [6, 7, 8])
def test_r12_tally_special_matters_two_of_four_heads_fails(matter):
    ballots = votes(("v1", "approve"), ("v2", "approve"), ("v3", "oppose"), ("v4", "oppose"))
    item = count(roll_of(30000, 30000, 100, 100), [resolution(matter=matter)], ballots)["items"]["r"]
    assert item["approve"] == figures("600.00", 2)
    assert item["outcome"] == "failed"


@pytest.mark.parametrize("matter, outcome", [(1, "passed"), (2, "passed"), (3, "passed"), (4, "passed"),
                                             (5, "passed"), (6, "failed"), (7, "failed"), (8, "failed"),
                                             (9, "passed")])
def test_r11_applies_to_matters_1_to_5_and_9_r12_to_6_to_8(matter, outcome):
    """3 of 5 heads and 60% of the area: enough under R-11, not under R-12."""
    ballots = votes(("v1", "approve"), ("v2", "approve"), ("v3", "approve"), ("v4", "oppose"), ("v5", "oppose"))
    item = count(roll_of(*[10000] * 5), [resolution(matter=matter)], ballots)["items"]["r"]
    assert item["rule"] == threshold_rule(matter)
    assert item["outcome"] == outcome


# --- R-13 / R-14: who participates, who approves ----------------------------------------

def test_r13_blank_and_abstain_participate_but_do_not_approve():
    ballots = [ballot("v1", 0, r="approve", s="approve"), ballot("v2", 1, r="abstain", s="approve"),
               ballot("v3", 2, s="approve")]  # v3 leaves r blank
    result = count(roll_of(10000, 10000, 10000), [resolution("r"), resolution("s")], ballots)
    item = result["items"]["r"]
    assert result["participation"] == {"area": "300.00", "heads": 3, "met": True, "rule": "R-10"}
    assert item["approve"] == figures("100.00", 1)
    assert item["oppose"] == figures("0.00", 0)
    assert item["abstain"] == figures("100.00", 1)
    assert item["blank"] == figures("100.00", 1)
    assert item["outcome"] == "failed"  # 1 of 3 participants, not 1 of 1
    assert result["items"]["s"]["outcome"] == "passed"


def test_r13_a_ballot_with_every_item_blank_still_participates():
    ballots = [ballot("v1", 0, r="approve"), ballot("v2", 1)]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["participation"] == {"area": "200.00", "heads": 2, "met": True, "rule": "R-10"}
    assert result["items"]["r"]["outcome"] == "failed"  # 1 of 2 heads is exactly half


def test_r14_non_voters_count_neither_for_participation_nor_for_approval():
    roll = roll_of(*[10000] * 9)
    ballots = votes(*[(f"v{n}", "approve") for n in range(1, 5)], ("v5", "oppose"), ("v6", "oppose"))
    result = count(roll, [resolution()], ballots)
    item = result["items"]["r"]
    assert result["participation"] == {"area": "600.00", "heads": 6, "met": True, "rule": "R-10"}
    assert item["approve"] == figures("400.00", 4)
    assert item["oppose"] == figures("200.00", 2)
    assert item["abstain"] == item["blank"] == figures("0.00", 0)
    assert item["outcome"] == "passed"  # 4 of the 6 who took part; the 3 silent ones are nowhere


def test_r14_silent_majority_does_not_follow_the_approvers():
    ballots = votes(("v1", "approve"), ("v2", "approve"), ("v3", "approve"), ("v4", "approve"), ("v5", "approve"))
    result = count(roll_of(*[10000] * 9), [resolution()], ballots)
    assert result["participation"]["met"] is False
    assert result["items"]["r"]["approve"] == figures("500.00", 5)
    assert result["items"]["r"]["outcome"] == "failed"


# --- R-15 / R-02 / R-03: voters ---------------------------------------------------------

def developer_roll() -> list[RollEntry]:
    developer = [RollEntry(f"{building}-{room}", building, 10000, "developer")
                 for building, room in (("1", "101"), ("1", "102"), ("2", "101"), ("2", "102"), ("2", "201"))]
    return developer + roll_of(10000, 10000, 10000, building="3")


def test_r15_developer_units_are_one_head_with_summed_area():
    result = count(developer_roll(), [resolution()], [])
    assert result["totals"] == figures("800.00", 4)


def test_r15_developer_ballot_adds_one_head_and_all_its_area():
    ballots = votes(("developer", "approve"), ("v1", "approve"), ("v2", "oppose"))
    result = count(developer_roll(), [resolution()], ballots)
    assert result["participation"] == {"area": "700.00", "heads": 3, "met": True, "rule": "R-10"}
    assert result["items"]["r"]["approve"] == figures("600.00", 2)
    assert result["items"]["r"]["outcome"] == "passed"


def test_r15_developer_alone_cannot_meet_participation_with_most_of_the_area():
    result = count(developer_roll(), [resolution()], votes(("developer", "approve")))
    assert result["participation"] == {"area": "500.00", "heads": 1, "met": False, "rule": "R-10"}
    assert result["items"]["r"]["outcome"] == "failed"


def test_r15_one_buyer_with_three_units_is_one_voter():
    roll = [RollEntry("5-101", "5", 8850, "buyer"), RollEntry("5-102", "5", 9000, "buyer"),
            RollEntry("6-301", "6", 7001, "buyer"), *roll_of(6000, 6000)]
    result = count(roll, [resolution()], votes(("buyer", "approve"), ("v1", "oppose")))
    assert result["totals"] == figures("368.51", 3)
    assert result["participation"] == {"area": "308.51", "heads": 2, "met": True, "rule": "R-10"}
    assert result["items"]["r"]["approve"] == figures("248.51", 1)
    assert result["items"]["r"]["outcome"] == "failed"  # 1 of 2 heads


def test_r30_r15_a_second_ballot_of_a_multi_unit_voter_is_a_duplicate():
    ballots = [ballot("developer", 0, r="approve"), ballot("developer", 5, r="oppose")]
    result = count(developer_roll(), [resolution()], ballots)
    assert result["ballots"]["duplicate"] == 1
    assert result["participation"]["heads"] == 1
    assert result["items"]["r"]["approve"] == figures("500.00", 1)


def test_r03_co_owned_unit_is_one_unit_one_voter_and_only_the_representative_counts():
    roll = [RollEntry("1-101", "1", 12000, "zhang-representative"), *roll_of(10000, 10000)]
    ballots = [ballot("li-co-owner", 0, r="oppose"), ballot("zhang-representative", 1, r="approve"),
               ballot("v1", 2, r="approve")]
    result = count(roll, [resolution()], ballots)
    assert result["totals"] == figures("320.00", 3)
    assert result["participation"] == {"area": "220.00", "heads": 2, "met": True, "rule": "R-10"}
    assert result["ballots"]["counted"] == 2
    assert result["ballots"]["unknown_voter"] == 1
    assert result["items"]["r"]["oppose"] == figures("0.00", 0)


# --- R-30 / R-31 / R-32: which ballots count ---------------------------------------------

def test_r30_of_two_ballots_the_earlier_counts():
    ballots = [ballot("v1", 0, r="approve"), ballot("v2", 1, r="approve"), ballot("v1", 2, r="oppose")]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["ballots"] == {"counted": 2, "late": 0, "invalid": 0, "duplicate": 1, "unknown_voter": 0}
    assert result["items"]["r"]["approve"] == figures("200.00", 2)
    assert result["items"]["r"]["oppose"] == figures("0.00", 0)


def test_r30_the_earlier_received_counts_whatever_the_recorded_order():
    ballots = [ballot("v1", 9, r="oppose"), ballot("v1", 3, r="approve"), ballot("v2", 4, r="approve")]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["ballots"]["duplicate"] == 1
    assert result["items"]["r"]["approve"] == figures("200.00", 2)
    assert result["items"]["r"]["outcome"] == "passed"


def test_r30_sort_ballots_same_moment_keeps_the_recorded_order():
    first, second = ballot("v1", 1, r="approve"), ballot("v1", 1, r="oppose")
    counted, tally = sort_ballots([first, second], {"v1": object()}, CLOSES_AT)
    assert counted == [first]
    assert tally["duplicate"] == 1


def test_r30_an_invalid_first_ballot_uses_up_the_voter_ballot():
    """As implemented: the earlier ballot is the voter's one ballot even when it is invalid,
    so a later valid one is a duplicate (R-30 refuses any second ballot)."""
    ballots = [ballot("v1", 0, status="invalid", r="approve"), ballot("v1", 5, r="approve")]
    result = count(roll_of(10000, 10000), [resolution()], ballots)
    assert result["ballots"] == {"counted": 0, "late": 0, "invalid": 1, "duplicate": 1, "unknown_voter": 0}


@pytest.mark.parametrize("received_at, counted", [
    (CLOSES_AT - dt.timedelta(seconds=1), True),
    (CLOSES_AT, False),  # exactly at closing is late
    (CLOSES_AT + dt.timedelta(seconds=1), False),
])
def test_r31_a_ballot_received_at_closing_is_late(received_at, counted):
    ballots = [ballot("v1", 0, r="approve"), ballot("v2", 1, r="approve"), ballot("v3", at=received_at, r="approve")]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["ballots"]["counted"] == (3 if counted else 2)
    assert result["ballots"]["late"] == (0 if counted else 1)
    assert result["participation"]["heads"] == (3 if counted else 2)


@pytest.mark.parametrize("received_at, late", [
    (dt.datetime(2024, 7, 31, 15, 59, 59, tzinfo=dt.timezone.utc), False),
    (dt.datetime(2024, 7, 31, 16, 0, 0, tzinfo=dt.timezone.utc), True),
])
def test_r31_closing_time_compares_across_offsets(received_at, late):
    result = count(roll_of(10000), [resolution()], [ballot("v1", at=received_at, r="approve")])
    assert result["ballots"]["late"] == int(late)


def test_r31_late_ballots_do_not_participate():
    ballots = [ballot("v1", 0, r="approve"), ballot("v2", at=CLOSES_AT, r="approve"),
               ballot("v3", at=CLOSES_AT + dt.timedelta(days=1), r="approve")]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["ballots"] == {"counted": 1, "late": 2, "invalid": 0, "duplicate": 0, "unknown_voter": 0}
    assert result["participation"]["met"] is False
    assert result["items"]["r"]["outcome"] == "failed"


def test_r32_invalid_ballots_are_not_counted_and_do_not_participate():
    ballots = [ballot("v1", 0, r="approve"), ballot("v2", 1, status="invalid", r="approve"),
               ballot("v3", 2, r="approve")]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["ballots"] == {"counted": 2, "late": 0, "invalid": 1, "duplicate": 0, "unknown_voter": 0}
    assert result["participation"] == {"area": "200.00", "heads": 2, "met": True, "rule": "R-10"}
    assert result["items"]["r"]["approve"] == figures("200.00", 2)


def test_r32_an_invalid_ballot_cannot_make_participation():
    ballots = [ballot("v1", 0, r="approve"), ballot("v2", 1, status="invalid", r="approve")]
    result = count(roll_of(10000, 10000, 10000), [resolution()], ballots)
    assert result["participation"]["met"] is False
    assert result["items"]["r"]["outcome"] == "failed"


# --- R-04: a vote of some buildings -------------------------------------------------------

def test_r04_a_vote_of_some_buildings_counts_against_their_units_only():
    whole_estate = (roll_of(10000, 10000, building="1", prefix="a") + roll_of(10000, 10000, building="2", prefix="b")
                    + roll_of(10000, 10000, 10000, 10000, building="3", prefix="c"))
    chosen = [entry for entry in whole_estate if entry.building in ("1", "2")]
    ballots = votes(("a1", "approve"), ("a2", "approve"), ("b1", "approve"), ("c1", "approve"))
    partial = count(chosen, [resolution(matter=8)], ballots)
    assert partial["totals"] == figures("400.00", 4)
    assert partial["participation"] == {"area": "300.00", "heads": 3, "met": True, "rule": "R-10"}
    assert partial["ballots"]["unknown_voter"] == 1  # c1 lives in building 3
    assert partial["items"]["r"]["outcome"] == "passed"  # 3 of 3, R-12
    whole = count(whole_estate, [resolution(matter=8)], ballots)
    assert whole["totals"] == figures("800.00", 8)
    assert whole["participation"]["met"] is False


# --- R-21: elections --------------------------------------------------------------------

def candidate_rows(result_item: dict) -> dict:
    return {row["id"]: row for row in result_item["candidates"]}


def test_r21_eligible_only_with_more_than_half_of_heads_and_area():
    roll = roll_of(10000, 10000, 10000, 10000)
    ballots = votes(("v1", ["x", "y"]), ("v2", ["x", "y"]), ("v3", ["x"]), ("v4", []), item="e")
    item = count(roll, [election(2, "x", "y", "z")], ballots)["items"]["e"]
    rows = candidate_rows(item)
    assert rows["x"] == {"id": "x", "area": "300.00", "heads": 3, "eligible": True}
    assert rows["y"] == {"id": "y", "area": "200.00", "heads": 2, "eligible": False}  # exactly half
    assert rows["z"] == {"id": "z", "area": "0.00", "heads": 0, "eligible": False}
    assert (item["rule"], item["elected"], item["vacant"], item["outcome"]) == ("R-21", ["x"], 1, "elected")


def test_r21_eligibility_needs_area_too():
    roll = [*roll_of(5000, 5000, 5000), RollEntry("1-201", "1", 20000, "big")]
    ballots = votes(("v1", ["x"]), ("v2", ["x"]), ("v3", ["x"]), ("big", ["y"]), item="e")
    item = count(roll, [election(1, "x", "y")], ballots)["items"]["e"]
    assert candidate_rows(item)["x"]["eligible"] is False  # 3 of 4 heads but 150.00 of 350.00 m²
    assert candidate_rows(item)["y"]["eligible"] is False
    assert (item["elected"], item["vacant"], item["outcome"]) == ([], 1, "failed")


# Five voters (700.00 m²): x is approved by 4 heads with 400.00 m², y by 3 heads with 510.00 m²,
# z by 3 heads with 490.00 m². Ranking by heads first puts x ahead of y despite less area.
RANKING_ROLL = [RollEntry("1-101", "1", 30000, "a"), RollEntry("1-102", "1", 10000, "b"),
                RollEntry("1-201", "1", 11000, "c"), RollEntry("1-202", "1", 9000, "d"),
                RollEntry("1-301", "1", 10000, "e")]
RANKING_BALLOTS = votes(("a", ["y", "z"]), ("b", ["x", "y"]), ("c", ["x", "y"]), ("d", ["x", "z"]), ("e", ["x", "z"]),
                        item="e")


def test_r21_ranked_by_heads_then_area():
    item = count(RANKING_ROLL, [election(2, "z", "y", "x", alternates=1)], RANKING_BALLOTS)["items"]["e"]
    rows = candidate_rows(item)
    assert [(rows[c]["heads"], rows[c]["area"]) for c in "xyz"] == [(4, "400.00"), (3, "510.00"), (3, "490.00")]
    assert all(row["eligible"] for row in rows.values())
    assert item["elected"] == ["x", "y"]
    assert item["alternates"] == ["z"]
    assert (item["runoff"], item["alternates_runoff"], item["vacant"], item["outcome"]) == (None, None, 0, "elected")


def test_r21_no_alternates_when_the_estate_elects_none():
    item = count(RANKING_ROLL, [election(2, "x", "y", "z")], RANKING_BALLOTS)["items"]["e"]
    assert (item["elected"], item["alternates"]) == (["x", "y"], [])


def test_r21_alternates_beyond_the_eligible_stay_empty():
    item = count(RANKING_ROLL, [election(2, "x", "y", "z", alternates=3)], RANKING_BALLOTS)["items"]["e"]
    assert (item["elected"], item["alternates"], item["alternates_runoff"]) == (["x", "y"], ["z"], None)


# a (300.00 m²) and four voters of 100.00 m²: x is approved by 4 heads with 400.00 m², y and z
# by 3 heads with 500.00 m² each: an exact tie.
TIE_ROLL = [RollEntry("1-101", "1", 30000, "a"), *roll_of(10000, 10000, 10000, 10000)]
TIE_BALLOTS = votes(("a", ["y", "z"]), ("v1", ["x", "y"]), ("v2", ["x", "y"]), ("v3", ["x", "z"]), ("v4", ["x", "z"]),
                    item="e")


def test_r21_an_exact_tie_for_the_last_seat_needs_a_runoff():
    item = count(TIE_ROLL, [election(2, "x", "y", "z", alternates=1)], TIE_BALLOTS)["items"]["e"]
    rows = candidate_rows(item)
    assert (rows["y"]["heads"], rows["y"]["area"]) == (rows["z"]["heads"], rows["z"]["area"]) == (3, "500.00")
    assert item["elected"] == ["x"]  # only the certain one
    assert item["runoff"] == {"candidates": ["y", "z"], "seats": 1}
    assert item["alternates"] == []
    assert item["vacant"] == 0
    assert item["outcome"] == "runoff"


def normalised(result_item: dict) -> dict:
    """The election's outcome with the order of equal-ranked names and of the candidate list taken out."""
    runoff = result_item["runoff"]
    return {**result_item, "candidates": sorted(result_item["candidates"], key=lambda row: row["id"]),
            "runoff": runoff and {**runoff, "candidates": sorted(runoff["candidates"])}}


@pytest.mark.parametrize("candidates", list(itertools.permutations(["x", "y", "z"])))
def test_r21_the_tie_is_never_broken_by_the_order_of_candidates(candidates):
    item = count(TIE_ROLL, [election(2, *candidates, alternates=1)], TIE_BALLOTS)["items"]["e"]
    assert item["elected"] == ["x"]
    assert item["outcome"] == "runoff"
    assert normalised(item) == normalised(count(TIE_ROLL, [election(2, "x", "y", "z", alternates=1)],
                                                TIE_BALLOTS)["items"]["e"])


def test_r21_the_tie_is_never_broken_by_the_order_of_ballots():
    item = election(2, "x", "y", "z", alternates=1)
    recorded = count(TIE_ROLL, [item], TIE_BALLOTS)
    for ballots in (list(reversed(TIE_BALLOTS)), TIE_BALLOTS[2:] + TIE_BALLOTS[:2]):
        assert count(TIE_ROLL, [item], ballots) == recorded
    received_reversed = [ballot(b.voter, 10 - n, **b.choices) for n, b in enumerate(TIE_BALLOTS)]
    assert count(TIE_ROLL, [item], received_reversed) == recorded


def test_r21_three_tied_for_two_seats_elects_nobody_certain():
    ballots = votes(("v1", ["x", "y"]), ("v2", ["x", "z"]), ("v3", ["x"]), ("v4", ["y", "z"]), ("v5", ["y", "z"]),
                    item="e")
    item = count(roll_of(*[10000] * 5), [election(2, "x", "y", "z")], ballots)["items"]["e"]
    assert all(row["heads"] == 3 and row["eligible"] for row in item["candidates"])
    assert item["elected"] == []
    assert item["runoff"] == {"candidates": ["x", "y", "z"], "seats": 2}
    assert item["outcome"] == "runoff"


def test_r21_a_tie_inside_the_seats_needs_no_runoff():
    ballots = votes(("v1", ["x", "y"]), ("v2", ["x", "y"]), ("v3", ["x", "y"]), ("v4", ["z"]), ("v5", ["z"]),
                    item="e")
    item = count(roll_of(*[10000] * 5), [election(2, "x", "y", "z")], ballots)["items"]["e"]
    assert sorted(item["elected"]) == ["x", "y"]
    assert (item["runoff"], item["outcome"]) == (None, "elected")


def test_r21_equal_heads_but_one_hundredth_more_area_is_not_a_tie():
    roll = [RollEntry("1-101", "1", 30000, "a"), *roll_of(10000, 10000, 10000, 10001)]
    item = count(roll, [election(2, "x", "y", "z")], TIE_BALLOTS)["items"]["e"]
    assert item["elected"] == ["x", "z"]
    assert (item["runoff"], item["outcome"]) == (None, "elected")


# Seven voters (680.00 m²), three seats and one alternate: a, b and c are clear; d and e tie
# exactly (4 heads, 380.00 m²) for the alternate place.
ALTERNATE_ROLL = roll_of(10000, 10000, 10000, 10000, 10000, 9000, 9000)
ALTERNATE_BALLOTS = votes(("v1", ["a", "b", "d"]), ("v2", ["a", "b", "e"]), ("v3", ["a", "c", "d"]),
                          ("v4", ["a", "c", "e"]), ("v5", ["b", "c"]), ("v6", ["b", "d", "e"]),
                          ("v7", ["c", "d", "e"]), item="e")


def test_r21_a_tie_for_the_alternate_place_is_reported_not_broken():
    item = count(ALTERNATE_ROLL, [election(3, "a", "b", "c", "d", "e", alternates=1)],
                 ALTERNATE_BALLOTS)["items"]["e"]
    rows = candidate_rows(item)
    assert [(rows[c]["heads"], rows[c]["area"]) for c in "abcde"] == [
        (4, "400.00"), (4, "390.00"), (4, "390.00"), (4, "380.00"), (4, "380.00")]
    assert all(row["eligible"] for row in rows.values())
    assert sorted(item["elected"]) == ["a", "b", "c"]
    assert item["runoff"] is None
    assert item["alternates"] == []
    assert item["alternates_runoff"] == {"candidates": ["d", "e"], "seats": 1}
    assert item["outcome"] == "elected"


def test_r21_two_alternate_places_take_both_tied():
    item = count(ALTERNATE_ROLL, [election(3, "e", "d", "c", "b", "a", alternates=2)],
                 ALTERNATE_BALLOTS)["items"]["e"]
    assert sorted(item["alternates"]) == ["d", "e"]
    assert item["alternates_runoff"] is None


@pytest.mark.parametrize("approvals, elected, vacant, outcome", [
    ({"v1": ["x"], "v2": ["x"], "v3": ["x"]}, ["x"], 2, "elected"),
    ({"v1": ["x", "y"], "v2": ["x", "y"], "v3": ["x", "y"]}, ["x", "y"], 1, "elected"),
    ({"v1": ["x"], "v2": ["y"], "v3": ["z"]}, [], 3, "failed"),
])
def test_r21_seats_no_eligible_candidate_can_fill_stay_vacant(approvals, elected, vacant, outcome):
    ballots = votes(*[(voter, approvals.get(voter)) for voter in ("v1", "v2", "v3", "v4")], item="e")
    item = count(roll_of(*[10000] * 4), [election(3, "x", "y", "z", alternates=2)], ballots)["items"]["e"]
    assert (item["elected"], item["vacant"], item["outcome"]) == (elected, vacant, outcome)
    assert item["alternates"] == []


def test_r21_over_voting_spoils_that_item_only():
    ballots = [ballot("v1", 0, e=["x", "y"], r="approve"), ballot("v2", 1, e=["x"], r="approve"),
               ballot("v3", 2, e=["x"], r="oppose")]
    result = count(roll_of(10000, 10000, 10000), [election(1, "x", "y"), resolution()], ballots)
    item = result["items"]["e"]
    assert item["spoiled"] == 1
    assert candidate_rows(item)["x"]["heads"] == 2
    assert candidate_rows(item)["y"]["heads"] == 0
    assert item["elected"] == ["x"]
    assert result["participation"]["heads"] == 3
    assert result["items"]["r"]["approve"] == figures("200.00", 2)  # the rest of v1's ballot counts
    assert result["items"]["r"]["outcome"] == "passed"


def test_r21_a_spoiled_election_ballot_still_participates():
    ballots = votes(("v1", ["x", "y"]), ("v2", ["x"]), ("v3", ["x"]), ("v4", ["y"]), item="e")
    item = count(roll_of(*[10000] * 4), [election(1, "x", "y")], ballots)["items"]["e"]
    assert candidate_rows(item)["x"] == {"id": "x", "area": "200.00", "heads": 2, "eligible": False}  # 2 of 4
    assert (item["elected"], item["vacant"], item["outcome"]) == ([], 1, "failed")


def test_r21_exactly_as_many_names_as_seats_is_not_over_voting():
    ballots = votes(("v1", ["x", "y"]), ("v2", ["x", "y"]), ("v3", ["x", "y"]), item="e")
    item = count(roll_of(10000, 10000, 10000), [election(2, "x", "y")], ballots)["items"]["e"]
    assert (item["spoiled"], sorted(item["elected"])) == (0, ["x", "y"])


def test_r21_participation_not_met_elects_nobody_whatever_the_approvals():
    ballots = votes(("v1", ["x"]), ("v2", ["x"]), item="e")
    item = count(roll_of(10000, 10000, 10000, 10000), [election(1, "x", "y", alternates=1)], ballots)["items"]["e"]
    assert candidate_rows(item)["x"]["eligible"] is True
    assert (item["elected"], item["alternates"], item["runoff"], item["vacant"], item["outcome"]) == \
        ([], [], None, 1, "failed")


@pytest.mark.parametrize("mark, problem", [
    ("x", "list of distinct candidate ids"),
    (["x", "x"], "list of distinct candidate ids"),
    ([["x"]], "list of distinct candidate ids"),
    (["w"], "unknown candidate 'w'"),
])
def test_r21_malformed_election_marks_raise_count_error(mark, problem):
    with pytest.raises(CountError, match="ballots.choices.e") as caught:
        count(roll_of(10000), [election(1, "x", "y")], [ballot("v1", e=mark)])
    assert problem in caught.value.problem


# --- R-22: choice among options ----------------------------------------------------------

def test_r22_one_option_passes():
    ballots = votes(("v1", "pro"), ("v2", "pro"), ("v3", "pro"), ("v4", "other"), ("v5", "self"), item="c")
    item = count(roll_of(*[10000] * 5), [choice("pro", "other", "self")], ballots)["items"]["c"]
    assert item["rule"] == "R-11"
    assert item["options"] == [{"id": "pro", "area": "300.00", "heads": 3, "passed": True},
                               {"id": "other", "area": "100.00", "heads": 1, "passed": False},
                               {"id": "self", "area": "100.00", "heads": 1, "passed": False}]
    assert (item["option"], item["outcome"]) == ("pro", "passed")


def test_r22_no_option_passes_and_the_item_fails():
    ballots = votes(("v1", "pro"), ("v2", "pro"), ("v3", "other"), ("v4", "other"), ("v5", "self"), item="c")
    item = count(roll_of(*[10000] * 5), [choice("pro", "other", "self")], ballots)["items"]["c"]
    assert not any(option["passed"] for option in item["options"])
    assert (item["option"], item["outcome"]) == (None, "failed")


def test_r22_an_option_with_exactly_half_fails():
    ballots = votes(("v1", "pro"), ("v2", "pro"), ("v3", "self"), ("v4", None), item="c")
    item = count(roll_of(*[10000] * 4), [choice("pro", "self")], ballots)["items"]["c"]
    assert item["options"][0]["heads"] == 2
    assert (item["option"], item["outcome"]) == (None, "failed")


@pytest.mark.parametrize("matter", [6, 7, 8])
@pytest.mark.parametrize("for_a, outcome", [(2, "failed"), (3, "passed"), (4, "passed")])
def test_r22_special_matter_options_need_three_quarters(matter, for_a, outcome):
    marks = ["a"] * for_a + ["b"] * (4 - for_a)
    ballots = votes(*[(f"v{n + 1}", mark) for n, mark in enumerate(marks)], item="c")
    item = count(roll_of(*[10000] * 4), [choice("a", "b", matter=matter)], ballots)["items"]["c"]
    assert (item["rule"], item["outcome"]) == ("R-12", outcome)


def test_r22_at_most_one_option_can_pass():
    roll = roll_of(10000, 5000, 20000, 100)
    for marks in itertools.product(("a", "b", "c", None), repeat=4):
        ballots = votes(*[(f"v{n + 1}", mark) for n, mark in enumerate(marks)], item="c")
        item = count(roll, [choice("a", "b", "c")], ballots)["items"]["c"]
        passing = [option["id"] for option in item["options"] if option["passed"]]
        assert len(passing) <= 1, marks
        assert item["option"] == (passing[0] if passing else None)
        assert item["outcome"] == ("passed" if passing else "failed")


@pytest.mark.parametrize("mark", ["nobody", ["pro"], {"pro": True}])
def test_r22_an_unknown_or_malformed_option_raises_count_error(mark):
    with pytest.raises(CountError, match="ballots.choices.c"):
        count(roll_of(10000), [choice("pro", "self")], [ballot("v1", c=mark)])


@pytest.mark.parametrize("mark", ["yes", ["approve"], 1])
def test_r20_a_resolution_mark_other_than_approve_oppose_abstain_raises(mark):
    with pytest.raises(CountError, match="ballots.choices.r"):
        count(roll_of(10000), [resolution()], [ballot("v1", r=mark)])


def test_an_unknown_item_kind_raises_count_error():
    with pytest.raises(CountError) as caught:
        count(roll_of(10000), [Item(id="q", kind="poll", matter=9)], [])
    assert caught.value.field == "items.q.kind"


# --- the output as a whole ----------------------------------------------------------------

def test_tally_output_is_plain_json_with_areas_as_two_decimal_strings():
    items = [resolution(), election(1, "x", "y"), choice("pro", "self")]
    ballots = [ballot("v1", 0, r="approve", e=["x"], c="pro"), ballot("v2", 1, r="oppose")]
    result = count(roll_of(8850, 9001), items, ballots)
    assert json.loads(json.dumps(result)) == result
    assert result["totals"] == figures("178.51", 2)
    assert result["items"]["r"]["approve"] == figures("88.50", 1)
    assert set(result) >= {"totals", "participation", "ballots", "items"}
    assert set(result["items"]["r"]) >= {"kind", "matter", "rule", "approve", "oppose", "abstain", "outcome"}
    assert set(result["items"]["e"]) >= {"kind", "matter", "rule", "candidates", "elected", "alternates", "runoff",
                                         "vacant", "outcome"}
    assert set(result["items"]["c"]) >= {"kind", "matter", "rule", "options", "option", "outcome"}


@pytest.mark.parametrize("hundredths, text", [(0, "0.00"), (5, "0.05"), (8850, "88.50"), (123456789, "1234567.89")])
def test_format_area_always_two_decimals(hundredths, text):
    assert rules.format_area(hundredths) == text


# --- building breakdown ---------------------------------------------------------------------

def test_building_breakdown_sums_each_unit_where_it_lies():
    roll = [RollEntry("10-101", "10", 10000, "v1"), RollEntry("2-101", "2", 8850, "v2"),
            RollEntry("2-102", "2", 9000, "buyer"), RollEntry("1-101", "1", 7001, "buyer"),
            RollEntry("1-102", "1", 5000, "v3"), RollEntry("1-103", "1", 4999, "v4")]
    items = [resolution("r"), resolution("s"), election(1, "x")]
    ballots = [ballot("buyer", 0, r="approve", s="oppose"), ballot("v1", 1, r="approve"),
               ballot("v3", 2, r="oppose", s="approve"), ballot("v4", 3, status="invalid", r="approve"),
               ballot("v2", at=CLOSES_AT, r="approve")]
    rows = building_breakdown(roll, items, ballots, CLOSES_AT)
    assert rows == [
        {"building": "1", "units": 3, "area": "170.00", "participating_units": 2, "participating_area": "120.01",
         "approve_area": {"r": "70.01", "s": "50.00"}},
        {"building": "2", "units": 2, "area": "178.50", "participating_units": 1, "participating_area": "90.00",
         "approve_area": {"r": "90.00", "s": "0.00"}},
        {"building": "10", "units": 1, "area": "100.00", "participating_units": 1, "participating_area": "100.00",
         "approve_area": {"r": "100.00", "s": "0.00"}},
    ]
    result = count(roll, items, ballots)
    assert sum(int(row["area"].replace(".", "")) for row in rows) == int(result["totals"]["area"].replace(".", ""))
    assert sum(int(row["participating_area"].replace(".", "")) for row in rows) == \
        int(result["participation"]["area"].replace(".", ""))
    assert sum(int(row["approve_area"]["r"].replace(".", "")) for row in rows) == \
        int(result["items"]["r"]["approve"]["area"].replace(".", ""))


def test_building_breakdown_of_an_empty_roll_is_empty():
    assert building_breakdown([], [resolution()], [], CLOSES_AT) == []
