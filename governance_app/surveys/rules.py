"""Opinion surveys and the owners' rating of the property-service company (RULES.md R-72, R-15).

Pure functions on plain values. A survey or a rating decides nothing: no threshold of R-10
applies here. Answers are one per owner key (R-15); a score from fewer than ``MIN_RATERS``
raters is not shown (R-72), so that nobody can tell who said what.

Scores are kept as exact sums and counts of integers. An average is shown in tenths, rounded
half up; every comparison that decides something (a flag, a rank) cross-multiplies the sums and
counts instead, so no float and no rounding ever decides a flag.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# R-72 (C): results of fewer raters are not shown per building or per dimension.
MIN_RATERS = 10
SCALE = (1, 2, 3, 4, 5)
# The fixed dimensions a company is rated on, then the overall score.
DIMENSIONS = ("cleaning", "security", "greenery", "repairs", "complaints", "fees")
OVERALL = "overall"
SCORES = DIMENSIONS + (OVERALL,)
# A company whose overall score is below 3.0 for this many periods in a row is flagged for a
# warning (公示警告); one in the top tenth of its sub-district for a whole year is listed for
# recognition.
WARNING_BELOW_TENTHS = 30
WARNING_PERIODS = 2
TOP_SHARE_DENOMINATOR = 10  # top 10%
PERIOD_MONTHS = (1, 2, 3, 4, 6, 12)  # the rating period divides the year

SINGLE, MULTIPLE, SCALED, TEXT = "single", "multiple", "scale", "text"
QUESTION_KINDS = (SINGLE, MULTIPLE, SCALED, TEXT)
MAX_OPTIONS = 20
MAX_TEXT = 2000


class AnswerError(ValueError):
    """An answer cannot be taken; ``reason`` says why, ``question`` which one."""

    def __init__(self, reason: str, question: str = ""):
        super().__init__(f"{reason}: {question}")
        self.reason = reason
        self.question = question


# --- survey questions and answers ---------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    options: tuple[str, ...] = ()
    max_choices: int = 1


def check_question(kind: str, options: Sequence[str], max_choices: int) -> tuple[str, ...]:
    """The options of a new question, cleaned; refuses a question owners could not answer."""
    if kind not in QUESTION_KINDS:
        raise AnswerError("unknown_kind")
    cleaned = tuple(option.strip() for option in options if option.strip())
    if kind in (SINGLE, MULTIPLE):
        if len(cleaned) < 2:
            raise AnswerError("too_few_options")
        if len(cleaned) > MAX_OPTIONS:
            raise AnswerError("too_many_options")
        if len(set(cleaned)) != len(cleaned):
            raise AnswerError("repeated_option")
    if kind == MULTIPLE and not 1 <= max_choices <= len(cleaned):
        raise AnswerError("bad_limit")
    return cleaned if kind in (SINGLE, MULTIPLE) else ()


def read_answer(question: Question, values: Sequence[str]) -> int | list[int] | str:
    """One question's answer from what the form sent: an option's index (single choice), the
    sorted indexes (multiple choice, at most ``max_choices``), 1-5 (scale) or text. Choice and
    scale questions must be answered; a text may be left empty."""
    values = [value.strip() for value in values if value.strip()]
    if question.kind == TEXT:
        text = values[0] if values else ""
        if len(text) > MAX_TEXT:
            raise AnswerError("text_too_long", question.key)
        return text
    if not values:
        raise AnswerError("unanswered", question.key)
    if question.kind == SCALED:
        if len(values) != 1 or values[0] not in {str(point) for point in SCALE}:
            raise AnswerError("not_on_scale", question.key)
        return int(values[0])
    allowed = {str(index) for index in range(len(question.options))}
    if any(value not in allowed for value in values) or len(set(values)) != len(values):
        raise AnswerError("not_an_option", question.key)
    chosen = sorted(int(value) for value in values)
    if question.kind == SINGLE:
        if len(chosen) != 1:
            raise AnswerError("one_choice", question.key)
        return chosen[0]
    if len(chosen) > question.max_choices:
        raise AnswerError("too_many_choices", question.key)
    return chosen


@dataclass(frozen=True)
class OptionCount:
    option: str
    heads: int
    area: int


@dataclass(frozen=True)
class QuestionResult:
    """Totals of one question: by heads and, for choices, by area (hundredths of m²)."""

    question: Question
    heads: int  # owners who answered it
    area: int
    options: tuple[OptionCount, ...] = ()
    scale: tuple[int, ...] = ()  # heads per point 1..5
    score: Score | None = None
    texts: tuple[str, ...] = ()


def tally(question: Question, answers: Iterable[tuple[int, object]]) -> QuestionResult:
    """Count ``(area, answer)`` pairs, one per owner key (R-15), for ``question``.

    Free texts come back sorted, never in the order they were given, so that their order
    tells nothing about who wrote them."""
    given = [(area, answer) for area, answer in answers if answer not in (None, "", [])]
    heads, area_total = len(given), sum(area for area, _ in given)
    if question.kind == TEXT:
        return QuestionResult(question, heads, area_total, texts=tuple(sorted(str(a) for _, a in given)))
    if question.kind == SCALED:
        points = [int(answer) for _, answer in given]
        return QuestionResult(question, heads, area_total, scale=tuple(points.count(p) for p in SCALE),
                              score=Score(sum(points), len(points)))
    counts = []
    for index, option in enumerate(question.options):
        chose = [area for area, answer in given if index in (answer if isinstance(answer, list) else [answer])]
        counts.append(OptionCount(option, len(chose), sum(chose)))
    return QuestionResult(question, heads, area_total, options=tuple(counts))


# --- scores -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Score:
    """The sum of some 1-5 scores and how many there are."""

    total: int
    raters: int

    @property
    def shown(self) -> bool:
        """R-72: a score of fewer than ``MIN_RATERS`` raters is shown as "too few ratings"."""
        return enough_raters(self.raters)

    @property
    def tenths(self) -> int | None:
        return mean_tenths(self.total, self.raters) if self.raters else None

    def __add__(self, other: Score) -> Score:
        return Score(self.total + other.total, self.raters + other.raters)


def enough_raters(raters: int) -> bool:
    """R-72 (C): at least 10 raters; 9 are too few."""
    return raters >= MIN_RATERS


def mean_tenths(total: int, count: int) -> int:
    """The average in tenths, rounded half up: 3 scores summing to 10 give 33 (3.3)."""
    if count <= 0:
        raise ValueError("no scores")
    return (20 * total + count) // (2 * count)


def tenths_text(tenths: int | None) -> str:
    """33 -> "3.3"; None -> ""."""
    return "" if tenths is None else f"{tenths // 10}.{tenths % 10}"


def share_percent(part: int, whole: int) -> int:
    """A share in whole percent, rounded half up (0 when there is no whole)."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def below(score: Score, threshold_tenths: int = WARNING_BELOW_TENTHS) -> bool:
    """Is the average strictly below ``threshold_tenths``/10? Exact: ``10*total < t*raters``."""
    return 10 * score.total < threshold_tenths * score.raters


def compare(one: Score, other: Score) -> int:
    """-1, 0 or 1 as ``one``'s average is lower than, equal to or higher than ``other``'s
    (cross-multiplied, exact)."""
    left, right = one.total * other.raters, other.total * one.raters
    return (left > right) - (left < right)


def rank(scores: Mapping[str, Score]) -> dict[str, int]:
    """Competition ranks (1, 1, 3) by average, highest first, of the scores that are shown
    (R-72); equal averages share a rank, so a tie is never broken by the order of a list.
    Scores of too few raters get no rank."""
    shown = {key: score for key, score in scores.items() if score.shown}
    return {key: 1 + sum(1 for other in shown.values() if compare(other, score) > 0)
            for key, score in shown.items()}


def in_top_share(position: int, ranked: int, denominator: int = TOP_SHARE_DENOMINATOR) -> bool:
    """Is rank ``position`` among the top 1/``denominator`` of ``ranked`` entries? The first is
    always; of 10 only the first, of 11 the first two: ``denominator*(position-1) < ranked``."""
    return ranked > 0 and denominator * (position - 1) < ranked


def warning_due(overall: Sequence[Score | None]) -> bool:
    """The last ``WARNING_PERIODS`` closed periods (oldest first in ``overall``) each have a
    shown overall score below 3.0 (公示警告). A period without enough raters breaks the run."""
    last = list(overall)[-WARNING_PERIODS:]
    return len(last) == WARNING_PERIODS and all(s is not None and s.shown and below(s) for s in last)


def recognition_due(positions: Sequence[tuple[int, int] | None], periods_per_year: int) -> bool:
    """Among the top 10% in every period of the last year: ``positions`` are (rank, entries
    ranked) per closed period, oldest first, ``None`` where the company was not ranked."""
    last = list(positions)[-periods_per_year:]
    return len(last) == periods_per_year and all(p is not None and in_top_share(*p) for p in last)


# --- rating periods -----------------------------------------------------------------------------

def check_period_months(months: int) -> int:
    if months not in PERIOD_MONTHS:
        raise ValueError(f"a rating period must divide the year: {PERIOD_MONTHS}, not {months}")
    return months


def period_start(day: dt.date, months: int) -> dt.date:
    """The first day of the rating period holding ``day`` (periods start on 1 January)."""
    check_period_months(months)
    return dt.date(day.year, (day.month - 1) // months * months + 1, 1)


def next_period(start: dt.date, months: int) -> dt.date:
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def previous_period(start: dt.date, months: int) -> dt.date:
    month = start.month - 1 - months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def period_end(start: dt.date, months: int) -> dt.date:
    """The last day of the period starting on ``start``."""
    return next_period(start, months) - dt.timedelta(days=1)


def closed_periods(today: dt.date, months: int, count: int) -> list[dt.date]:
    """The starts of the last ``count`` periods that have ended by ``today``, oldest first."""
    start = period_start(today, months)
    found = []
    for _ in range(count):
        start = previous_period(start, months)
        found.append(start)
    return found[::-1]


def periods_per_year(months: int) -> int:
    return 12 // check_period_months(months)
