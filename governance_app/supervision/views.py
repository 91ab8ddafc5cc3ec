"""What the pages show, built in a bounded number of queries: the dashboard's rows and headline
figures for every estate one supervises, and a process's timeline as positions on a time axis."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import select

from ..core import clock
from ..core.duties import DUTY_ORDER, Duty, gather, in_estates
from ..disclosure import services as disclosure_services
from ..estates.models import Community, Estate
from ..extensions import db
from ..voting import rules as voting_rules
from ..voting import turnout
from . import rules
from . import duties as duties_source
from .duties import open_processes
from .models import ReElection, StageRecord

DUE_WITHIN_DAYS = 30  # the dashboard shows what falls due within a month, and everything overdue


@dataclass
class EstateRow:
    estate_id: int
    name: str
    community_id: int
    community: str
    committee: str  # "in_term" | "term_ends" | "process" | "none"
    term_ends_on: dt.date | None = None
    months_left: int | None = None
    stage: str | None = None
    stage_day: int | None = None
    kind: str | None = None
    cycle_days: int | None = None
    duties: list[Duty] = field(default_factory=list)
    votes: list[turnout.Turnout] = field(default_factory=list)

    def urgency(self, today: dt.date) -> tuple:
        """Overdue first, then due soonest; estates with nothing to do last, by name."""
        if not self.duties:
            return (2, 0, self.name)
        first = min(duty.due for duty in self.duties)
        return (0 if first < today else 1, (first - today).days, self.name)


@dataclass(frozen=True)
class Headline:
    estates: int
    in_term: int
    under_way: int
    median_cycle: Fraction | None
    target: int
    statements_on_time: int
    statements_total: int
    mean_turnout_heads: Fraction | None  # share of owners taking part, last year's votes
    mean_turnout_area: Fraction | None


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def dashboard(estates_query, today: dt.date, *, community: int | None = None, kind: str | None = None):
    """(rows sorted by urgency, headline, communities) for the estates of ``estates_query``; the rows
    only those of ``community`` and with duties of ``kind`` when given, the headline and the
    communities those of every estate (one reading of the database serves both)."""
    found = db.session.execute(
        estates_query.with_only_columns(Estate.id, Estate.name, Estate.community_id, Community.name)
        .join(Community, Community.id == Estate.community_id).order_by(Estate.name)).all()
    communities = sorted({(cid, cname) for _eid, _name, cid, cname in found}, key=lambda c: c[1])
    ids = [row[0] for row in found]
    ends = disclosure_services.terms_ending(ids) if ids else {}
    running = open_processes(ids) if ids else {}
    # The re-election's duties come from the terms and processes read for the rows, not read again.
    every = sorted(gather(ids, today, skip=[duties_source.SOURCE]) + duties_source.duties_of(ids, today, ends, running),
                   key=DUTY_ORDER)
    all_statements = [d for d in every if d.kind == "funds.statement"]
    horizon = today + dt.timedelta(days=DUE_WITHIN_DAYS)
    by_estate: dict[int, list[Duty]] = defaultdict(list)
    for duty in every:
        # The coming re-election shows from 6 months before the term ends, whatever its due date.
        if (duty.due <= horizon or duty.kind == "supervision.report") and (kind is None or duty.kind == kind):
            by_estate[duty.estate_id].append(duty)
    votes: dict[int, list[turnout.Turnout]] = defaultdict(list)
    for vote in (turnout.open_votes(ids) if ids else []):
        votes[vote.estate_id].append(vote)
    rows = []
    for estate_id, name, community_id, community_name in found:
        if community is not None and community_id != community:
            continue
        row = EstateRow(estate_id, name, community_id, community_name, "none", duties=by_estate[estate_id],
                        votes=votes[estate_id])
        row.term_ends_on = ends.get(estate_id)
        process = running.get(estate_id)
        if process is not None:
            _process_state(row, *process, today)
        elif row.term_ends_on is not None and row.term_ends_on >= today:
            row.months_left = _months_between(today, row.term_ends_on)
            row.committee = "term_ends" if today >= rules.watch_from(row.term_ends_on) else "in_term"
        if kind is None or row.duties:
            rows.append(row)
    rows.sort(key=lambda row: row.urgency(today))
    return rows, _headline(ids, ends, running, all_statements, today), communities


def _process_state(row: EstateRow, process: ReElection, done: dict[str, StageRecord], today: dt.date) -> None:
    row.committee, row.kind = "process", process.kind.value
    recorded = [stage for stage in rules.KIND_STAGES[process.kind.value] if stage in done]
    row.stage = recorded[-1] if recorded else None
    started = done.get(rules.CYCLE_START[process.kind.value])
    row.stage_day = (today - started.happened_on).days if started else None


def _headline(ids, ends, running, statements, today: dt.date) -> Headline:
    cycles = _finished_cycles(ids)
    overdue_estates = {d.estate_id for d in statements if d.overdue(today)}
    with_accounts = {d.estate_id for d in statements}
    since = clock.local_midnight(today - dt.timedelta(days=365))
    shares = turnout.published_participation(ids, since) if ids else []
    return Headline(
        estates=len(ids), in_term=sum(1 for e in ends.values() if e >= today), under_way=len(running),
        median_cycle=rules.median(cycles), target=rules.CYCLE_TARGET_DAYS,
        statements_on_time=len(with_accounts - overdue_estates), statements_total=len(with_accounts),
        mean_turnout_heads=mean_share([(h, th) for _a, h, _ta, th in shares if th]),
        mean_turnout_area=mean_share([(a, ta) for a, _h, ta, _th in shares if ta]))


def mean_share(shares: list[tuple[int, int]]) -> Fraction | None:
    """The exact mean of the fractions part/whole: the parts of equal wholes added as integers first,
    so that a sub-district's thousands of votes make one Fraction per estate's total, not per vote."""
    if not shares:
        return None
    parts: dict[int, int] = defaultdict(int)
    for part, whole in shares:
        parts[whole] += part
    return sum((Fraction(part, whole) for whole, part in parts.items()), Fraction(0)) / len(shares)


def _finished_cycles(ids: list[int]) -> list[int]:
    """Cycle days of every process with its filing accepted in these estates, in one query."""
    if not ids:
        return []
    starts: dict[int, dt.date] = {}
    filed: dict[int, dt.date] = {}
    kinds = {}
    for process_id, kind, stage, happened_on in db.session.execute(
            select(ReElection.id, ReElection.kind, StageRecord.stage, StageRecord.happened_on)
            .join(StageRecord, StageRecord.reelection_id == ReElection.id)
            .where(in_estates(ReElection.estate_id, ids),
                   StageRecord.stage.in_([rules.REPORT, rules.GROUP, rules.PLAN, rules.FILING]))):
        kinds[process_id] = kind.value
        if stage == rules.FILING:
            filed[process_id] = happened_on
        elif stage == rules.CYCLE_START[kind.value]:
            starts[process_id] = happened_on
    return [rules.cycle_days(starts[p], filed[p]) for p in filed if p in starts]


def one_decimal(value: Fraction | int | None) -> str:
    """A number with one decimal, rounded half up, from exact integers."""
    if value is None:
        return "–"
    tenths = (Fraction(value) * 10 + Fraction(1, 2)).__floor__()
    return f"{tenths // 10}.{tenths % 10}"


def percent(share: Fraction | None) -> str:
    return one_decimal(share * 100 if share is not None else None)


def turnout_share(part: int, whole: int) -> str:
    return percent(Fraction(part, whole) if whole else None)


def two_thirds_met(vote: turnout.Turnout) -> bool:
    return voting_rules.participation_met(vote.area, vote.heads, vote.total_area, vote.total_heads)


# --- the timeline ------------------------------------------------------------------------------------------

TICK_LABEL_WIDTH = 58  # "2026-03" at 13 units, and a gap


@dataclass(frozen=True)
class Mark:
    stage: str
    number: int
    due_on: dt.date | None
    happened_on: dt.date | None
    days_late: int
    overdue: bool  # not yet happened and past due
    due_x: float | None
    happened_x: float | None
    record_id: int | None
    has_document: bool


@dataclass(frozen=True)
class Timeline:
    start: dt.date
    end: dt.date
    today_x: float
    marks: list[Mark]
    ticks: list[tuple[float, str]]
    width: int = 320  # phone first, as funds/charts.py: 13 units show at 12 px or more at 375 px
    left: int = 150


def timeline(process: ReElection, planned: dict[str, dt.date | None], today: dt.date) -> Timeline:
    """Each stage of the process on one axis: its deadline and the day it happened."""
    done = process.recorded()
    stages = [s for s in rules.KIND_STAGES[process.kind.value]]
    days = [d for d in planned.values() if d] + [r.happened_on for r in done.values()] + [today]
    if process.term_ends_on:
        days.append(process.term_ends_on)
    start, end = min(days) - dt.timedelta(days=3), max(days) + dt.timedelta(days=3)
    span = max((end - start).days, 1)
    plot = Timeline.width - Timeline.left - 10

    def x(day: dt.date | None) -> float | None:
        return None if day is None else round(Timeline.left + plot * (day - start).days / span, 1)

    marks = []
    for stage in stages:
        record = done.get(stage)
        due = record.due_on if record is not None else planned.get(stage)
        marks.append(Mark(stage, rules.stage_number(stage), due, record.happened_on if record else None,
                          record.days_late if record else 0,
                          record is None and due is not None and due < today, x(due),
                          x(record.happened_on) if record else None, record.id if record else None,
                          bool(record and record.file_id)))
    ticks: list[tuple[float, str]] = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        if month >= start:
            # A month's line always; its name only where it does not run into the last one named.
            named = [tick_x for tick_x, label in ticks if label]
            room = not named or x(month) - named[-1] >= TICK_LABEL_WIDTH
            ticks.append((x(month), month.strftime("%Y-%m") if room else ""))
        month = rules.add_months(month, 1)
    return Timeline(start, end, x(today), marks, ticks)
