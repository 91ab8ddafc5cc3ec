"""The roll rules (RULES.md R-01 to R-04, R-15) as pure functions: no app, no database."""

import pytest

from governance_app.estates import rules
from governance_app.estates.rules import (
    DEVELOPER_KEY, AreaError, RollError, RollUnit, best_area_source, count_roll, format_area, parse_area,
)


def unit(label, area, *owners, building="1", representative=None, developer=False):
    return RollUnit(label=label, building=building, area=area, owners=tuple(owners),
                    representative=representative, developer_held=developer)


# --- reading areas --------------------------------------------------------------

@pytest.mark.parametrize("text, hundredths", [
    ("88", 8800),
    ("1", 100),
    ("88.5", 8850),
    ("88.55", 8855),
    ("0.01", 1),
    ("88.500", 8850),
    ("88.5000", 8850),
    ("  88.50 ", 8850),
    ("+88.5", 8850),
    ("1,234.50", 123450),
    ("12,345,678.90", 1234567890),
    ("1,234", 123400),
])
def test_r01_parse_area_reads_exact_hundredths(text, hundredths):
    assert parse_area(text) == hundredths
    assert type(parse_area(text)) is int


@pytest.mark.parametrize("text, reason", [
    ("88.555", "too_many_decimals"),
    ("88.501", "too_many_decimals"),
    ("0.001", "too_many_decimals"),
    ("0", "not_positive"),
    ("0.00", "not_positive"),
    ("0.000", "not_positive"),
    ("-5", "not_positive"),
    ("-0.01", "not_positive"),
    ("abc", "not_a_number"),
    ("88a", "not_a_number"),
    ("1e3", "not_a_number"),
    (".5", "not_a_number"),
    ("88.5.1", "not_a_number"),
    ("-", "not_a_number"),
    ("+-5", "not_a_number"),
    ("++5", "not_a_number"),
    ("88,5", "not_a_number"),  # a decimal comma, not 885 m²
    ("1,2,3", "not_a_number"),
    ("1234,567", "not_a_number"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_r01_parse_area_refuses_with_reason(text, reason):
    with pytest.raises(AreaError) as caught:
        parse_area(text)
    assert caught.value.reason == reason
    assert reason in AreaError.REASONS


@pytest.mark.parametrize("hundredths, text", [
    (8850, "88.50"),
    (8855, "88.55"),
    (8800, "88.00"),
    (5, "0.05"),
    (0, "0.00"),
    (123456789, "1234567.89"),
    (-150, "-1.50"),
])
def test_r01_format_area_always_two_decimals(hundredths, text):
    assert format_area(hundredths) == text


@pytest.mark.parametrize("text", ["88", "88.5", "88.55", "0.01", "1,234.56"])
def test_r01_format_area_round_trips_parse_area(text):
    assert parse_area(format_area(parse_area(text))) == parse_area(text)


@pytest.mark.parametrize("available, best", [
    (["registry", "survey", "contract"], "registry"),
    (["contract", "survey", "registry"], "registry"),
    (["contract", "registry"], "registry"),
    (["contract", "survey"], "survey"),
    (["survey"], "survey"),
    (["contract"], "contract"),
    (iter(["contract", "unknown"]), "contract"),
])
def test_r01_best_area_source_registry_then_survey_then_contract(available, best):
    assert best_area_source(available) == best


@pytest.mark.parametrize("available", [[], ["estimate"]])
def test_r01_best_area_source_without_any_source_raises(available):
    with pytest.raises(ValueError, match="no area source"):
        best_area_source(available)


# --- heads and summed areas ------------------------------------------------

def test_r02_developer_units_count_as_one_owner():
    roll = count_roll([
        unit("1-101", 8850, "dev", developer=True),
        unit("1-102", 9000, "dev", developer=True),
        unit("2-101", 7001, "dev", building="2", developer=True),
        unit("1-201", 6000, "alice"),
    ])
    assert roll.total_heads == 2
    assert roll.total_area == 8850 + 9000 + 7001 + 6000
    assert roll.unit_count == 4
    developer = roll.voter_of("2-101")
    assert developer.key == DEVELOPER_KEY
    assert developer.units == ("1-101", "1-102", "2-101")
    assert developer.area == 24851
    assert developer.heads == 1
    assert developer.representative == "dev"


def test_r02_developer_units_count_as_one_even_when_sold_but_not_handed_over():
    roll = count_roll([
        unit("1-101", 8850, "dev", developer=True),
        unit("1-102", 9000, "buyer", developer=True),
    ])
    assert [v.key for v in roll.voters] == [DEVELOPER_KEY]
    assert roll.voters[0].area == 17850
    # Two different holders: no single person casts the developer's ballot.
    assert roll.voters[0].representative is None


def test_r02_developer_units_without_owner_rows_still_count():
    roll = count_roll([unit("1-101", 8850, developer=True), unit("1-102", 100, developer=True)])
    assert (roll.total_heads, roll.total_area, roll.unit_count) == (1, 8950, 2)
    assert roll.voters[0].representative is None


def test_r02_one_buyer_holding_three_units_is_one_head_with_summed_area():
    roll = count_roll([
        unit("1-101", 8850, "wang"),
        unit("3-502", 12001, "wang", building="3"),
        unit("1-102", 9000, "wang"),
        unit("1-201", 7000, "li"),
    ])
    assert roll.total_heads == 2
    assert roll.total_area == 8850 + 12001 + 9000 + 7000
    wang = roll.voter_of("3-502")
    assert wang.key == "wang"
    assert wang.units == ("1-101", "1-102", "3-502")
    assert wang.area == 29851
    assert wang.representative == "wang"
    assert roll.voter_of("1-201").area == 7000


def test_r02_each_unit_of_different_owners_is_one_head():
    roll = count_roll([unit(f"1-10{n}", 5000 + n, f"owner{n}") for n in range(1, 6)])
    assert roll.total_heads == 5
    assert roll.total_area == 25015
    assert [v.key for v in roll.voters] == [f"owner{n}" for n in range(1, 6)]


def test_r02_voter_of_unknown_unit_raises_key_error():
    roll = count_roll([unit("1-101", 8850, "wang")])
    with pytest.raises(KeyError):
        roll.voter_of("9-999")


# --- co-owned units --------------------------------------------------------------

def test_r03_co_owned_unit_counts_once_with_its_representative():
    roll = count_roll([unit("1-101", 8850, "li", "zhang", representative="zhang")])
    assert roll.total_heads == 1
    assert roll.total_area == 8850
    assert roll.unit_count == 1
    voter = roll.voters[0]
    assert voter.units == ("1-101",)
    assert voter.area == 8850
    assert voter.representative == "zhang"


def test_r03_co_owned_unit_of_three_counts_once():
    roll = count_roll([unit("1-101", 8850, "a", "b", "c", representative="b"), unit("1-102", 100, "d")])
    assert (roll.total_heads, roll.total_area) == (2, 8950)


def test_r03_co_owned_unit_without_representative_raises():
    with pytest.raises(RollError) as caught:
        count_roll([unit("1-101", 8850, "li", "zhang")])
    assert (caught.value.reason, caught.value.unit) == ("no_representative", "1-101")


def test_r03_representative_not_among_co_owners_raises():
    with pytest.raises(RollError) as caught:
        count_roll([unit("1-101", 8850, "li", "zhang", representative="wang")])
    assert (caught.value.reason, caught.value.unit) == ("no_representative", "1-101")


def test_r15_same_co_owner_group_holding_two_units_is_one_voter():
    roll = count_roll([
        unit("1-101", 8850, "li", "zhang", representative="li"),
        unit("2-101", 9000, "zhang", "li", building="2", representative="li"),
    ])
    assert roll.total_heads == 1
    assert roll.total_area == 17850
    voter = roll.voters[0]
    assert voter.units == ("1-101", "2-101")
    assert voter.representative == "li"


def test_r15_same_co_owner_group_with_two_different_representatives_raises():
    with pytest.raises(RollError) as caught:
        count_roll([
            unit("1-101", 8850, "li", "zhang", representative="li"),
            unit("1-102", 9000, "li", "zhang", representative="zhang"),
        ])
    assert caught.value.reason == "conflicting_representatives"


def test_r15_co_owner_group_is_a_different_voter_from_a_member_alone():
    roll = count_roll([
        unit("1-101", 8850, "li", "zhang", representative="li"),
        unit("1-102", 9000, "li"),
    ])
    assert roll.total_heads == 2
    assert roll.total_area == 17850
    assert roll.voter_of("1-101") != roll.voter_of("1-102")
    assert roll.voter_of("1-101").area == 8850
    assert roll.voter_of("1-102").area == 9000
    assert roll.voter_of("1-102").key == "li"


def test_r02_unit_without_owner_and_not_developer_held_raises():
    with pytest.raises(RollError) as caught:
        count_roll([unit("1-101", 8850, "li"), unit("1-102", 9000)])
    assert (caught.value.reason, caught.value.unit) == ("no_owner", "1-102")
    assert str(caught.value) == "no_owner: 1-102"


# --- denominators restricted to some buildings -----------------------------------

def estate_units():
    return [
        unit("1-101", 8850, "wang", building="1"),
        unit("1-102", 9000, "li", building="1"),
        unit("2-101", 7000, "wang", building="2"),
        unit("2-102", 6000, "dev", building="2", developer=True),
        unit("3-101", 5000, "dev", building="3", developer=True),
        unit("3-102", 4000, "zhao", "qian", building="3", representative="qian"),
    ]


def test_r04_whole_estate_totals():
    roll = count_roll(estate_units())
    assert (roll.total_area, roll.total_heads, roll.unit_count) == (39850, 4, 6)


def test_r04_buildings_filter_restricts_totals():
    roll = count_roll(estate_units(), buildings=["2", "3"])
    assert roll.unit_count == 4
    assert roll.total_area == 7000 + 6000 + 5000 + 4000
    # wang (only 2-101 counts here), the developer (2-102 and 3-101), the co-owners of 3-102.
    assert roll.total_heads == 3
    assert roll.voter_of("2-101").area == 7000
    assert roll.voter_of("2-102").units == ("2-102", "3-101")
    with pytest.raises(KeyError):
        roll.voter_of("1-101")


def test_r04_single_building_filter():
    roll = count_roll(estate_units(), buildings={"1"})
    assert (roll.total_area, roll.total_heads, roll.unit_count) == (17850, 2, 2)


def test_r04_filter_naming_no_building_of_the_estate_counts_nothing():
    roll = count_roll(estate_units(), buildings=["9"])
    assert (roll.total_area, roll.total_heads, roll.unit_count, roll.voters) == (0, 0, 0, ())


def test_r04_empty_filter_is_not_the_whole_estate():
    assert count_roll(estate_units(), buildings=[]).total_heads == 0


def test_totals_are_exact_integers():
    # 0.01 m² ten thousand times is exactly 100 m²; floats would drift.
    units = [unit(f"1-{n}", 1, f"owner{n}") for n in range(10_000)] + [unit("big", 2_147_483_647, "x")]
    roll = count_roll(units)
    assert roll.total_area == 10_000 + 2_147_483_647
    assert type(roll.total_area) is int
    assert type(roll.total_heads) is int
    assert all(type(voter.area) is int for voter in roll.voters)
    assert roll.total_heads == 10_001
