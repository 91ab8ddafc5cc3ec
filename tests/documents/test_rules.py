"""Document numbers, content hashes and the R-46 deadline: pure, no application."""
import datetime as dt
import random

import pytest

from governance_app.documents import rules


def test_numbers_are_typable_and_drawn_from_the_unambiguous_alphabet():
    number = rules.new_number(2026)
    assert rules.NUMBER.match(number) and number.startswith("GV-2026-") and len(number) == 17
    assert not set(number[8:].replace("-", "")) & set("ILOU")
    drawn = {rules.new_number(2026) for _ in range(2000)}
    assert len(drawn) == 2000  # 40 bits: no repeat in a few thousand


def test_numbers_come_from_the_given_source_of_randomness():
    seeded = random.Random(7)
    assert rules.new_number(2026, seeded.choice) == rules.new_number(2026, random.Random(7).choice)


def test_a_number_typed_from_paper_is_recognised():
    assert rules.normalise_number("gv-2026-7kq3-m9tx") == "GV-2026-7KQ3-M9TX"
    assert rules.normalise_number(" GV 2026 7KQ3 M9TX ") == "GV-2026-7KQ3-M9TX"
    assert rules.normalise_number("GV20267KQ3M9TX") == "GV-2026-7KQ3-M9TX"
    assert rules.normalise_number("GV-2026-7KQ3-M9TO") == "GV-2026-7KQ3-M9T0"  # O for 0
    assert rules.normalise_number("GV-2026-1IL1-0000") == "GV-2026-1111-0000"  # I and L for 1
    assert rules.normalise_number("GV–2026–7KQ3–M9TX") == "GV-2026-7KQ3-M9TX"  # en dashes from a word processor
    for wrong in ("", "GV-2026-7KQ3", "XX-2026-7KQ3-M9TX", "GV-2026-7KQ3-M9TXX", "GV-20A6-7KQ3-M9TX",
                  "GV-2026-7KQ3-M9T!"):
        assert rules.normalise_number(wrong) is None, wrong


def test_the_hash_covers_values_not_their_order_or_spacing():
    one = {"b": [1, "920.00"], "a": "梅园小区"}
    other = {"a": "梅园小区", "b": [1, "920.00"]}
    assert rules.data_sha256(one) == rules.data_sha256(other)
    assert rules.canonical_json(one) == '{"a":"梅园小区","b":[1,"920.00"]}'.encode()
    assert rules.data_sha256(one) != rules.data_sha256({**one, "b": [1, "920.01"]})


def test_filing_is_due_30_days_after_the_election_day():
    """R-46 with CC 201: the election day is not counted."""
    assert rules.filing_deadline(dt.date(2026, 7, 1)) == dt.date(2026, 7, 31)
    assert rules.filing_deadline(dt.date(2026, 12, 17)) == dt.date(2027, 1, 16)


def test_shares_are_rounded_half_up_from_integers():
    assert rules.share_text(92000, 106000) == "86.79"
    assert rules.share_text(7, 9) == "77.78"
    assert rules.share_text(1, 8) == "12.50"
    assert rules.share_text(1, 200000) == "0.00" and rules.share_text(1, 20000) == "0.01"  # 0.005 % rounds up
    assert rules.share_text(0, 0) == "0.00"


def test_two_thirds_at_n_minus_1_n_and_n_plus_1():
    assert not rules.two_thirds_met(5, 9) and rules.two_thirds_met(6, 9) and rules.two_thirds_met(7, 9)
    assert not rules.two_thirds_met(0, 0)


def test_decimal_text():
    assert rules.decimal_text(0) == "0.00" and rules.decimal_text(-5) == "-0.05"
    assert rules.decimal_text(1234567) == "12345.67"


def test_text_is_measured_in_ems_chinese_wide_and_the_rest_narrow():
    assert rules.text_ems("梅园") == 2 and rules.text_ems("1-101") == pytest.approx(3.0)


def test_a_name_too_long_for_its_place_ends_with_an_ellipsis():
    assert rules.fit_text("梅园小区", 4) == "梅园小区"
    assert rules.fit_text("梅园小区", 3.9) == "梅园…"
    assert rules.fit_text("梅园小区二期", 5) == "梅园小区…"
    assert rules.text_ems(rules.fit_text("真如" * 60, rules.OWNER_NAME_EMS)) <= rules.OWNER_NAME_EMS


def test_a_letter_lists_the_units_it_has_room_for_and_counts_the_rest():
    assert rules.shown_units(["1-101", "1-102"]) == (["1-101", "1-102"], 0)
    # Each unit takes its width and a 、: 4 units of 4 ems fit in 16 ems, not in 15.
    assert rules.shown_units(["一二三", "四五六", "七八九", "十一二"], ems=16) == (["一二三", "四五六", "七八九", "十一二"], 0)
    assert rules.shown_units(["一二三", "四五六", "七八九", "十一二"], ems=15) == (["一二三", "四五六", "七八九"], 1)
    many = [f"1-{n}" for n in range(300)]
    shown, left = rules.shown_units(many)
    assert shown == many[:len(shown)] and left == 300 - len(shown) > 0
    assert rules.shown_units([]) == ([], 0)
