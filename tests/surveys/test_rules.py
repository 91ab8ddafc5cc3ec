"""The pure rules of surveys and ratings (R-72, R-15): no app, no database."""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.surveys import rules
from governance_app.surveys.rules import AnswerError, Question, Score

CHOICES = Question("q1", rules.SINGLE, ("在地库装", "在地面装", "不装"))
SEVERAL = Question("q2", rules.MULTIPLE, ("甲", "乙", "丙", "丁"), max_choices=2)
SCALE = Question("q3", rules.SCALED)
FREE = Question("q4", rules.TEXT)


# --- questions and answers ---------------------------------------------------------------------------

def test_a_choice_question_needs_two_distinct_options_and_a_limit_it_can_meet():
    assert rules.check_question(rules.SINGLE, [" 是 ", "", "否"], 1) == ("是", "否")
    for options, limit, reason in ((["是"], 1, "too_few_options"), (["是", "是"], 1, "repeated_option"),
                                   (["是", "否"], 3, "bad_limit"), (["是", "否"], 0, "bad_limit")):
        with pytest.raises(AnswerError) as refused:
            rules.check_question(rules.MULTIPLE, options, limit)
        assert refused.value.reason == reason
    assert rules.check_question(rules.SCALED, ["ignored"], 1) == ()


def test_single_choice_takes_one_option_of_the_list():
    assert rules.read_answer(CHOICES, ["2"]) == 2
    for sent, reason in (([], "unanswered"), (["3"], "not_an_option"), (["0", "1"], "one_choice"),
                         (["x"], "not_an_option")):
        with pytest.raises(AnswerError) as refused:
            rules.read_answer(CHOICES, sent)
        assert refused.value.reason == reason


def test_multiple_choice_at_the_limit_and_one_over():
    assert rules.read_answer(SEVERAL, ["3"]) == [3]
    assert rules.read_answer(SEVERAL, ["3", "0"]) == [0, 3]
    with pytest.raises(AnswerError) as refused:
        rules.read_answer(SEVERAL, ["0", "1", "2"])
    assert refused.value.reason == "too_many_choices"
    with pytest.raises(AnswerError):
        rules.read_answer(SEVERAL, ["1", "1"])


def test_scale_from_one_to_five_and_text_may_be_empty():
    assert [rules.read_answer(SCALE, [str(p)]) for p in (1, 5)] == [1, 5]
    for sent in (["0"], ["6"], ["2.5"]):
        with pytest.raises(AnswerError):
            rules.read_answer(SCALE, sent)
    assert rules.read_answer(FREE, []) == ""
    assert rules.read_answer(FREE, ["  充电桩太少 "]) == "充电桩太少"
    with pytest.raises(AnswerError):
        rules.read_answer(FREE, ["字" * (rules.MAX_TEXT + 1)])


def test_tally_by_heads_and_area_one_pair_per_owner_key():
    result = rules.tally(CHOICES, [(8850, 0), (9000, 0), (20000, 2), (5000, None)])
    assert (result.heads, result.area) == (3, 37850)
    assert [(o.heads, o.area) for o in result.options] == [(2, 17850), (0, 0), (1, 20000)]
    several = rules.tally(SEVERAL, [(100, [0, 1]), (200, [1])])
    assert [(o.heads, o.area) for o in several.options] == [(1, 100), (2, 300), (0, 0), (0, 0)]
    scale = rules.tally(SCALE, [(1, 5), (1, 4), (1, 4)])
    assert scale.scale == (0, 0, 0, 2, 1) and scale.score == Score(13, 3)


def test_free_texts_are_listed_sorted_never_in_the_order_given():
    result = rules.tally(FREE, [(1, "乙"), (1, ""), (1, "甲"), (1, "丙")])
    assert result.texts == tuple(sorted(("乙", "甲", "丙"))) and result.heads == 3


# --- too few ratings (R-72) --------------------------------------------------------------------------

@pytest.mark.parametrize("raters, shown", [(9, False), (10, True), (11, True)])
def test_r72_scores_of_fewer_than_ten_raters_are_not_shown(raters, shown):
    assert rules.enough_raters(raters) is shown
    assert Score(4 * raters, raters).shown is shown


def test_averages_in_tenths_round_half_up():
    assert rules.mean_tenths(10, 3) == 33  # 3.333
    assert rules.mean_tenths(7, 2) == 35  # 3.5 exactly
    assert rules.mean_tenths(59, 20) == 30  # 2.95 rounds up to 3.0 for display ...
    assert rules.below(Score(59, 20))  # ... but it is below 3.0 for the flag
    assert rules.tenths_text(33) == "3.3" and rules.tenths_text(None) == ""
    assert rules.share_percent(1, 3) == 33 and rules.share_percent(1, 2) == 50 and rules.share_percent(1, 0) == 0


# --- flags ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("total, raters, below", [(29, 10, True), (30, 10, False), (31, 10, False),
                                                  (299, 100, True), (300, 100, False)])
def test_below_three_at_the_boundary(total, raters, below):
    assert rules.below(Score(total, raters)) is below


def test_warning_after_two_periods_in_a_row_below_three():
    low, fine, few = Score(29, 10), Score(30, 10), Score(18, 9)
    assert rules.warning_due([fine, low, low])
    assert not rules.warning_due([low, low, fine])
    assert not rules.warning_due([low])  # one period only
    assert not rules.warning_due([low, None])
    assert not rules.warning_due([low, few])  # nine raters: not shown, so no flag either
    assert rules.warning_due([Score(20, 10), Score(29, 10)])


def test_ranks_are_exact_and_ties_share_a_rank():
    ranks = rules.rank({"a": Score(40, 10), "b": Score(80, 20), "c": Score(39, 10), "d": Score(50, 9)})
    assert ranks == {"a": 1, "b": 1, "c": 3}  # d has too few raters: no rank


@pytest.mark.parametrize("position, ranked, top", [(1, 1, True), (1, 10, True), (2, 10, False), (2, 11, True),
                                                   (2, 20, True), (3, 20, False), (3, 21, True), (1, 0, False)])
def test_top_ten_percent_at_its_boundaries(position, ranked, top):
    assert rules.in_top_share(position, ranked) is top


def test_recognition_needs_the_top_tenth_in_every_period_of_a_year():
    top, second = (1, 10), (2, 10)
    assert rules.recognition_due([second, top, top, top, top], 4)
    assert not rules.recognition_due([top, top, second, top], 4)
    assert not rules.recognition_due([top, top, top], 4)
    assert not rules.recognition_due([top, None, top, top], 4)
    assert rules.recognition_due([(2, 11)] * 4, 4)


# --- periods ----------------------------------------------------------------------------------------------

def test_quarters_and_other_periods():
    assert rules.period_start(dt.date(2026, 5, 17), 3) == dt.date(2026, 4, 1)
    assert rules.period_end(dt.date(2026, 10, 1), 3) == dt.date(2026, 12, 31)
    assert rules.next_period(dt.date(2026, 10, 1), 3) == dt.date(2027, 1, 1)
    assert rules.previous_period(dt.date(2026, 1, 1), 3) == dt.date(2025, 10, 1)
    assert rules.period_start(dt.date(2026, 12, 31), 12) == dt.date(2026, 1, 1)
    assert rules.closed_periods(dt.date(2026, 2, 1), 3, 4) == [dt.date(2025, m, 1) for m in (1, 4, 7, 10)]
    assert rules.periods_per_year(3) == 4
    with pytest.raises(ValueError):
        rules.period_start(dt.date(2026, 1, 1), 5)
