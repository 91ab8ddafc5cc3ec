"""Counting a vote exactly as the law says (RULES.md R-10 to R-22, R-30 to R-32).

Pure: standard library only, integers only. Areas are hundredths of a square
metre; every comparison cross-multiplies integers. The output is the published
result, and what ``governance-audit tally`` prints.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

RESOLUTION_CHOICES = ("approve", "oppose", "abstain")
SPECIAL_MATTERS = frozenset({6, 7, 8})  # raising the fund, rebuilding, changing use of common parts
ELECTION_MATTER = 3


class FieldError(ValueError):
    """Input that cannot be used: ``field`` names where (``ballots[3].received_at``), ``problem`` why."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class CountError(FieldError):
    """The input cannot be counted."""


@dataclass(frozen=True)
class RollEntry:
    unit: str
    building: str
    area: int
    voter: str
    area_source: str = "registry"


@dataclass(frozen=True)
class Item:
    id: str
    kind: str  # "resolution" | "election" | "choice"
    matter: int
    title: str = ""
    seats: int = 0
    alternates: int = 0
    candidates: tuple[str, ...] = ()
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Ballot:
    voter: str
    received_at: dt.datetime
    status: str  # "valid" | "invalid"
    choices: dict = field(default_factory=dict)
    channel: str = "online"


def format_area(hundredths: int) -> str:
    whole, part = divmod(hundredths, 100)
    return f"{whole}.{part:02d}"


def threshold_rule(matter: int) -> str:
    """R-12 for items 6-8 of CC 278, R-11 for the others."""
    return "R-12" if matter in SPECIAL_MATTERS else "R-11"


def participation_met(area: int, heads: int, total_area: int, total_heads: int) -> bool:
    """R-10: at least 2/3 of the area AND at least 2/3 of the headcount take part."""
    return total_heads > 0 and 3 * area >= 2 * total_area and 3 * heads >= 2 * total_heads


def approval_met(rule: str, yes_area: int, yes_heads: int, part_area: int, part_heads: int) -> bool:
    """R-11: more than half of the participants' area and heads (exactly half fails).
    R-12: at least 3/4 of both (exactly 3/4 passes)."""
    if rule == "R-12":
        return 4 * yes_area >= 3 * part_area and 4 * yes_heads >= 3 * part_heads
    return 2 * yes_area > part_area and 2 * yes_heads > part_heads


@dataclass(frozen=True)
class _Voter:
    key: str
    area: int
    units: tuple[str, ...]


def _voters(roll: Iterable[RollEntry]) -> dict[str, _Voter]:
    """R-02/R-15: units with the same voter key form one voter: one head, their areas summed."""
    areas: dict[str, int] = {}
    units: dict[str, list[str]] = {}
    for entry in roll:
        areas[entry.voter] = areas.get(entry.voter, 0) + entry.area
        units.setdefault(entry.voter, []).append(entry.unit)
    return {key: _Voter(key, areas[key], tuple(units[key])) for key in areas}


def sort_ballots(ballots: Sequence[Ballot], voters: dict[str, object], closes_at: dt.datetime):
    """R-30 to R-32: the first ballot of each voter counts if valid and in time; a later
    one is a duplicate; invalid and late ballots are kept but not counted."""
    counted: list[Ballot] = []
    tally = {"counted": 0, "late": 0, "invalid": 0, "duplicate": 0, "unknown_voter": 0}
    seen: set[str] = set()
    for ballot in sorted(enumerate(ballots), key=lambda pair: (pair[1].received_at, pair[0])):
        ballot = ballot[1]
        if ballot.voter not in voters:
            tally["unknown_voter"] += 1
            continue
        if ballot.voter in seen:
            tally["duplicate"] += 1
            continue
        seen.add(ballot.voter)
        if ballot.status != "valid":
            tally["invalid"] += 1
        elif ballot.received_at >= closes_at:
            tally["late"] += 1
        else:
            counted.append(ballot)
            tally["counted"] += 1
    return counted, tally


def two_thirds_of(total: int) -> int:
    """R-10: the least whole number n with 3*n >= 2*total."""
    return (2 * total + 2) // 3


@dataclass(frozen=True)
class Participation:
    """R-10 so far: the area and headcount taking part against 2/3 of the roll (totals only)."""

    area: int
    heads: int
    total_area: int
    total_heads: int

    @property
    def area_needed(self) -> int:
        return two_thirds_of(self.total_area)

    @property
    def heads_needed(self) -> int:
        return two_thirds_of(self.total_heads)

    @property
    def area_met(self) -> bool:
        return 3 * self.area >= 2 * self.total_area

    @property
    def heads_met(self) -> bool:
        return self.total_heads > 0 and 3 * self.heads >= 2 * self.total_heads

    @property
    def met(self) -> bool:
        return participation_met(self.area, self.heads, self.total_area, self.total_heads)

    def percent(self, part: int, total: int) -> int:
        """Whole percent, rounded down (never shows 67 % for what is short of 2/3)."""
        return 100 * part // total if total else 0


def participation_so_far(roll: Sequence[RollEntry], ballots: Sequence[Ballot],
                         closes_at: dt.datetime) -> Participation:
    """R-10 with R-30 to R-32: the ballots that would count now (one per voter, valid, in time)."""
    voters = _voters(roll)
    counted, _ = sort_ballots(ballots, voters, closes_at)
    return Participation(area=sum(voters[b.voter].area for b in counted), heads=len(counted),
                         total_area=sum(v.area for v in voters.values()), total_heads=len(voters))


def _figures(area: int, heads: int) -> dict:
    return {"area": format_area(area), "heads": heads}


def tally(roll: Sequence[RollEntry], items: Sequence[Item], ballots: Sequence[Ballot],
          closes_at: dt.datetime) -> dict:
    """The result of a vote: totals, participation, ballot counts and each item's outcome."""
    voters = _voters(roll)
    total_area = sum(v.area for v in voters.values())
    total_heads = len(voters)
    counted, ballot_counts = sort_ballots(ballots, voters, closes_at)
    part_area = sum(voters[b.voter].area for b in counted)
    part_heads = len(counted)
    met = participation_met(part_area, part_heads, total_area, total_heads)
    result = {
        "totals": _figures(total_area, total_heads),
        "participation": {**_figures(part_area, part_heads), "met": met, "rule": "R-10"},
        "ballots": ballot_counts,
        "items": {},
    }
    for item in items:
        # A generator, read once by the item's function: a list of thousands of pairs per item
        # would only feed the garbage collector.
        marks = ((voters[b.voter], b.choices.get(item.id)) for b in counted)
        if item.kind == "resolution":
            outcome = _resolution(item, marks, part_area, part_heads, met)
        elif item.kind == "election":
            outcome = _election(item, marks, part_area, part_heads, met)
        elif item.kind == "choice":
            outcome = _choice(item, marks, part_area, part_heads, met)
        else:
            raise CountError(f"items.{item.id}.kind", f"unknown kind {item.kind!r}")
        result["items"][item.id] = outcome
    return result


def _resolution(item: Item, marks, part_area: int, part_heads: int, met: bool) -> dict:
    """R-20, with R-13: a blank item on a valid ballot participates but does not approve."""
    sums = {choice: [0, 0] for choice in (*RESOLUTION_CHOICES, "blank")}
    for voter, mark in marks:
        if mark is None:
            mark = "blank"
        elif mark not in RESOLUTION_CHOICES:
            raise CountError(f"ballots.choices.{item.id}", f"{mark!r} is not approve, oppose or abstain")
        sums[mark][0] += voter.area
        sums[mark][1] += 1
    rule = threshold_rule(item.matter)
    approved = approval_met(rule, sums["approve"][0], sums["approve"][1], part_area, part_heads)
    return {
        "kind": "resolution", "matter": item.matter, "rule": rule,
        **{choice: _figures(*sums[choice]) for choice in sums},
        "approval_met": approved,
        "outcome": "passed" if met and approved else "failed",
    }


def _election(item: Item, marks, part_area: int, part_heads: int, met: bool) -> dict:
    """R-21: approval ballot for up to ``seats`` candidates; eligible under R-11; ranked by
    heads then area; a tie that decides a seat is reported for a run-off, never broken."""
    known = set(item.candidates)
    sums = {candidate: [0, 0] for candidate in item.candidates}
    spoiled = 0
    for voter, mark in marks:
        if mark is None:
            continue
        if not isinstance(mark, list) or not all(isinstance(c, str) for c in mark) or len(set(mark)) != len(mark):
            raise CountError(f"ballots.choices.{item.id}", "must be a list of distinct candidate ids")
        unknown = [c for c in mark if c not in known]
        if unknown:
            raise CountError(f"ballots.choices.{item.id}", f"unknown candidate {unknown[0]!r}")
        if len(mark) > item.seats:
            spoiled += 1  # more names than seats: this item of the ballot approves nobody
            continue
        for candidate in mark:
            sums[candidate][0] += voter.area
            sums[candidate][1] += 1
    eligible = [c for c in item.candidates
                if approval_met("R-11", sums[c][0], sums[c][1], part_area, part_heads)]
    ranked = sorted(eligible, key=lambda c: (-sums[c][1], -sums[c][0]))
    candidates = [{"id": c, **_figures(*sums[c]), "eligible": c in eligible} for c in item.candidates]
    base = {"kind": "election", "matter": item.matter, "rule": "R-21", "seats": item.seats,
            "candidates": candidates, "spoiled": spoiled}
    if not met:
        return {**base, "elected": [], "alternates": [], "runoff": None, "alternates_runoff": None,
                "vacant": item.seats, "outcome": "failed"}
    key = {c: (sums[c][1], sums[c][0]) for c in ranked}
    elected, runoff = _fill(ranked, item.seats, key)
    vacant = max(item.seats - len(ranked), 0)
    alternates, alternates_runoff = [], None
    if runoff is None and item.alternates:
        rest = ranked[len(elected):]
        alternates, alternates_runoff = _fill(rest, item.alternates, key)
    outcome = "runoff" if runoff else ("elected" if elected else "failed")
    return {**base, "elected": elected, "alternates": alternates, "runoff": runoff,
            "alternates_runoff": alternates_runoff, "vacant": vacant, "outcome": outcome}


def _fill(ranked: list[str], places: int, key: dict) -> tuple[list[str], dict | None]:
    """The candidates certainly within ``places``, and the tie at the boundary, if any."""
    if len(ranked) <= places:
        return list(ranked), None
    boundary = key[ranked[places - 1]] if places else None
    if places == 0 or key[ranked[places]] != boundary:
        return ranked[:places], None
    tied = [c for c in ranked if key[c] == boundary]
    certain = [c for c in ranked[:places] if key[c] != boundary]
    return certain, {"candidates": tied, "seats": places - len(certain)}


def _choice(item: Item, marks, part_area: int, part_heads: int, met: bool) -> dict:
    """R-22: each option is checked against the matter's threshold; at most one can pass."""
    known = set(item.options)
    sums = {option: [0, 0] for option in item.options}
    for voter, mark in marks:
        if mark is None:
            continue
        if not isinstance(mark, str) or mark not in known:
            raise CountError(f"ballots.choices.{item.id}", f"unknown option {mark!r}")
        sums[mark][0] += voter.area
        sums[mark][1] += 1
    rule = threshold_rule(item.matter)
    options = [{"id": o, **_figures(*sums[o]),
                "passed": met and approval_met(rule, sums[o][0], sums[o][1], part_area, part_heads)}
               for o in item.options]
    passing = [o["id"] for o in options if o["passed"]]
    return {"kind": "choice", "matter": item.matter, "rule": rule, "choice_rule": "R-22", "options": options,
            "option": passing[0] if len(passing) == 1 else None,
            "outcome": "passed" if len(passing) == 1 else "failed"}


def building_breakdown(roll: Sequence[RollEntry], items: Sequence[Item], ballots: Sequence[Ballot],
                       closes_at: dt.datetime) -> list[dict]:
    """Per building: its units' area, how much of it took part, and for each resolution the
    area approving. A voter's units may lie in several buildings; each unit counts where it is."""
    voters = _voters(roll)
    counted, _ = sort_ballots(ballots, voters, closes_at)
    by_voter = {b.voter: b for b in counted}
    rows: dict[str, dict] = {}
    for entry in roll:
        row = rows.setdefault(entry.building, {"building": entry.building, "units": 0, "area": 0,
                                               "participating_units": 0, "participating_area": 0,
                                               "approve_area": {i.id: 0 for i in items if i.kind == "resolution"}})
        row["units"] += 1
        row["area"] += entry.area
        ballot = by_voter.get(entry.voter)
        if ballot is None:
            continue
        row["participating_units"] += 1
        row["participating_area"] += entry.area
        for item_id in row["approve_area"]:
            if ballot.choices.get(item_id) == "approve":
                row["approve_area"][item_id] += entry.area
    return [
        {**row, "area": format_area(row["area"]), "participating_area": format_area(row["participating_area"]),
         "approve_area": {k: format_area(v) for k, v in row["approve_area"].items()}}
        for row in sorted(rows.values(), key=lambda r: _natural(r["building"]))
    ]


def _natural(label: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in label.replace("-", " ").split())


# --- process and deadlines (R-31, R-33, R-40, R-42, R-43) -----------------------------

NOTICE_DAYS = 15
RESULT_POSTING_DAYS = 3
MAX_PROXIES_PER_PERSON = 3
SMALL_ESTATE_AREA = 10_000_00  # hundredths of m²: 10,000 m²


def earliest_opening(notice_date: dt.date) -> dt.date:
    """R-40 with CC 201: the notice day is not counted, so 15 full days must lie between.
    Notice on 1 July allows opening on 16 July; notice on 2 July does not."""
    return notice_date + dt.timedelta(days=NOTICE_DAYS)


def latest_notice(opening_date: dt.date) -> dt.date:
    """R-40: the last day a notice may be published for voting to open on ``opening_date``
    (the inverse of :func:`earliest_opening`)."""
    return opening_date - dt.timedelta(days=NOTICE_DAYS)


@dataclass(frozen=True)
class DraftItem:
    """What the notice checks of an item: its kind, title, seats and how many candidates and options."""

    kind: str
    title: str
    seats: int = 0
    candidates: int = 0
    options: int = 0


def notice_problems(items: Sequence[DraftItem], notice_date: dt.date, opening_date: dt.date,
                    units_in_scope: int) -> list[tuple[str, dict]]:
    """What stops a draft's notice, as (reason, details), in the order a committee fixes them:
    R-40 (15 full days before voting opens), items to vote on, an election with at least as many
    candidates as seats (R-21), a choice with at least two options, and owners to vote (R-04)."""
    problems: list[tuple[str, dict]] = []
    if not notice_period_ok(notice_date, opening_date):
        problems.append(("notice_too_late", {"earliest": earliest_opening(notice_date)}))
    if not items:
        problems.append(("no_items", {}))
    for item in items:
        if item.kind == "election" and item.candidates == 0:
            problems.append(("no_candidates", {"item": item.title}))
        elif item.kind == "election" and item.candidates < item.seats:
            problems.append(("too_few_candidates", {"item": item.title, "seats": item.seats,
                                                    "candidates": item.candidates}))
        elif item.kind == "choice" and item.options < 2:
            problems.append(("too_few_options_in", {"item": item.title}))
    if units_in_scope == 0:
        problems.append(("empty_roll", {}))
    return problems


def notice_period_ok(notice_date: dt.date, opening_date: dt.date) -> bool:
    return opening_date >= earliest_opening(notice_date)


def end_of_day(last_day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """R-31 with CC 203: a period ends at 24:00 of its last day, i.e. 00:00 of the next."""
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), zone)


def result_posting_due(counted_on: dt.date) -> dt.date:
    """R-42: decisions are posted within 3 days."""
    return counted_on + dt.timedelta(days=RESULT_POSTING_DAYS)


def committee_size_problem(seats: int, estate_area: int) -> str | None:
    """R-43: an odd number of members, 5 to 11; an estate of at most 10,000 m² may have 3."""
    if seats % 2 == 0:
        return "even"
    if seats > 11:
        return "too_many"
    if seats < 5 and not (seats == 3 and estate_area <= SMALL_ESTATE_AREA):
        return "too_few"
    return None


# items of these matters may be marked as major works or a fee change.
MAJOR_OR_FEE_MATTERS = frozenset({5, 9})


def by_election_problem(seats: int, vacancies: int, sitting: int, estate_area: int) -> str | None:
    """R-43 (增补): a by-election fills 1 up to ``vacancies`` seats, and the committee's size after
    it (``sitting`` members plus the seats) must itself be valid under R-43."""
    if seats < 1:
        return "by_election_no_seats"
    if seats > vacancies:
        return "by_election_more_than_vacancies"
    after = committee_size_problem(sitting + seats, estate_area)
    return f"by_election_after_{after}" if after else None


def seats_problem(seats: int, estate_area: int, committee: tuple[int, int] | None = None) -> tuple[str, dict] | None:
    """R-43: why an election of ``seats`` cannot be held, as (reason, details), or None. For a
    by-election ``committee`` is (seats elected, members sitting); otherwise the whole committee
    is elected."""
    if committee is None:
        problem = committee_size_problem(seats, estate_area)
        return (f"committee_{problem}", {"seats": seats}) if problem else None
    elected, sitting = committee
    problem = by_election_problem(seats, elected - sitting, sitting, estate_area)
    return (problem, {"seats": seats, "vacancies": elected - sitting, "after": sitting + seats}) if problem else None


def ballot_right_holders(casters_now: Iterable[int | None], holders_at_notice: Iterable[int | None]) -> frozenset[int]:
    """R-05 (C): who may cast a frozen voter key's ballot during the vote.

    ``casters_now`` has, for each unit of the key, whoever casts for it today (its only owner,
    or the co-owners' representative, R-03; ``None`` if nobody does). When every unit has the
    same caster the right is theirs: the key's holder while nothing was sold, or the one new
    holder every unit passed to. Otherwise (only some units sold, or sold to several people)
    the right stays with the key's holder at the notice, ``holders_at_notice``: never shared
    between seller and buyer."""
    now = set(casters_now)
    if len(now) == 1 and None not in now:
        return frozenset(now)
    return frozenset(holder for holder in holders_at_notice if holder is not None)


def proxy_limit_reached(proxies_held: int) -> bool:
    """R-33 (C, Weifang practice): one person may hold at most 3 proxies per vote."""
    return proxies_held >= MAX_PROXIES_PER_PERSON
