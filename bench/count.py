"""Benchmark: counting a large vote and verifying its audit bundle, on SQLite and on PostgreSQL.

Run from the project root:

    .venv/bin/python bench/count.py
    .venv/bin/python bench/count.py --runs 3                 # median of 3 counts and 3 verifications
    .venv/bin/python bench/count.py --databases sqlite --units 2000 --ballots 1800
    .venv/bin/python bench/count.py --profile count          # cProfile of the count, by cumulative time

For each database a fresh, empty database gets its schema from the migrations; a 10,000-unit roll
(the seeded generator of ``import_roll.py``: developer-held, co-owned and multi-unit owners) is
imported; a vote with 8 items (six resolutions of matters 5 and 6, an election of 7 seats among
12 candidates, a choice among 3 options) gets its notice published (the roll is frozen) and is
closed. 9,000 ballots are then written directly, in bulk, in recording order, with correct trackers
and chain: 95 % online, 5 % paper (a tenth of those invalid), 0.5 % received after the deadline.

Timed with ``time.perf_counter``, each after a full garbage collection and in a new session:

1. ``services.count(vote, actor)`` and its commit: the frozen roll and the ballots loaded from the
   database, the tally, the result stored (how long the committee waits after pressing "count");
   then, apart, its parts: loading the frozen roll, loading the ballots, the pure tally;
2. ``services.audit_bundle(vote)`` written to a file as the download route writes it;
3. ``governance-audit verify FILE``, the installed console script, as a subprocess (its start-up,
   ``governance-audit --help``, is timed too); and ``bundle.verify`` in this process.

The script prints figures and never fails on time. It exits 1 when the count or the verification
does not give what it should, or with ``--require-postgres`` when PostgreSQL cannot be reached.
PostgreSQL: a database ``bench_count_<pid>`` is created on ``postgresql://postgres@127.0.0.1:5432``
(``--postgres-url`` or ``BENCH_POSTGRES_URL`` to change) and dropped at the end.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import logging
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_roll import (  # noqa: E402  (the roll generator of the import benchmark)
    DEFAULT_POSTGRES_URL, SEED, PostgresDatabase, Unreachable, generate_roll, roll_csv,
)

COUNT_TARGET = 1.0  # seconds for services.count
VERIFY_TARGET = 3.0  # seconds for governance-audit verify, start-up included
DATABASES = ("sqlite", "postgresql")
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STEPS = ("count", "roll", "ballots", "tally", "bundle", "verify", "startup", "verify_in_process")
TITLES = {
    "count": "1 services.count + commit",
    "roll": "    load frozen roll",
    "ballots": "    load ballots",
    "tally": "    tally (pure rules)",
    "bundle": "2 audit bundle, build + write",
    "verify": "3 governance-audit verify",
    "startup": "    its start-up (--help)",
    "verify_in_process": "    bundle.verify in process",
}
RESOLUTIONS = (
    (5, "使用维修资金更换电梯"), (6, "续筹维修资金"), (5, "使用维修资金维修外墙"),
    (6, "提高维修资金缴存标准"), (5, "使用维修资金更换消防设施"), (6, "补充筹集维修资金用于二次供水改造"),
)
SEATS, ALTERNATES, CANDIDATES = 7, 2, 12
OPTIONS = ("续聘现物业服务企业", "公开招标选聘", "自行管理")
PAPER_SHARE, INVALID_PAPER_SHARE, LATE_SHARE = 0.05, 0.10, 0.005


class BenchError(Exception):
    """The count or the verification did not give what it should."""


@dataclass
class Results:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    gc: dict[str, list[tuple[float, int]]] = field(default_factory=dict)  # (seconds, full collections)
    notes: dict[str, str] = field(default_factory=dict)
    setup: dict[str, float] = field(default_factory=dict)
    bundle_bytes: int = 0
    summary: str = ""

    def add(self, step: str, seconds: float) -> None:
        self.seconds.setdefault(step, []).append(seconds)

    def gc_share(self, step: str) -> str:
        """The garbage collector's part of the run nearest the median, e.g. "gc 0.21"."""
        median = self.median(step)
        pairs = list(zip(self.seconds.get(step, []), self.gc.get(step, [])))
        if median is None or not pairs:
            return ""
        _seconds, (collector, _full) = min(pairs, key=lambda pair: abs(pair[0] - median))
        return f"gc {collector:.2f}"

    def gc_full(self, step: str) -> int:
        return max((full for _seconds, full in self.gc.get(step, [])), default=0)

    def median(self, step: str) -> float | None:
        values = sorted(self.seconds.get(step, []))
        if not values:
            return None
        middle = len(values) // 2
        return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


class GcClock:
    """Wall time spent in the garbage collector while it is installed in ``gc.callbacks``."""

    def __init__(self):
        self.seconds = 0.0
        self.full = 0
        self._start = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._start
            self.full += info.get("generation") == 2


def timed(action: Callable[[], object], profile: bool = False, limit: int = 35, title: str = "",
          results: Results | None = None, step: str = "") -> tuple[object, float]:
    """Run ``action`` once after a full collection; its wall time, and (in ``results``) the part of
    it the garbage collector took."""
    profiler = cProfile.Profile() if profile else None
    gc.collect()
    clock = GcClock()
    gc.callbacks.append(clock)
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    try:
        value = action()
    finally:
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - start
        gc.callbacks.remove(clock)
    if results is not None:
        results.add(step, seconds)
        results.gc.setdefault(step, []).append((clock.seconds, clock.full))
    if profiler:
        print(f"\n--- cProfile of {title}, top {limit} by cumulative time ---")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(limit)
        print(f"--- same, top {limit} by own time ---")
        stats.sort_stats("tottime").print_stats(limit)
    return value, seconds


# --- the vote ------------------------------------------------------------------------------

def choices_for(rng: random.Random, items: list[tuple[str, str]], paper: bool) -> dict:
    """One ballot's choices; the popularity of each answer differs per item so outcomes differ."""
    choices: dict = {}
    for index, (key, kind) in enumerate(items):
        if kind == "resolution":
            approve = 55 + 7 * index  # 55 % .. 90 %: some pass, some fail
            choices[key] = rng.choices(("approve", "oppose", "abstain", None),
                                       weights=(approve, 90 - approve + 5, 4, 1))[0]
        elif kind == "election":
            weights = [30 - 2 * n for n in range(CANDIDATES)]
            picked: set[int] = set()
            wanted = rng.choice((SEATS, SEATS, SEATS - 1, SEATS - 2, 3, 0))
            if paper and rng.random() < 0.1:
                wanted = SEATS + 1  # more names than seats on paper: this item is spoiled
            while len(picked) < wanted:
                picked.add(rng.choices(range(CANDIDATES), weights=weights)[0])
            choices[key] = [f"c{n + 1}" for n in sorted(picked)] or None
        else:
            choices[key] = rng.choices([f"p{n + 1}" for n in range(len(OPTIONS))] + [None],
                                       weights=(40, 45, 10, 5))[0]
    return choices


def build_vote(units: int, ballots: int, seed: int, results: Results):
    """Roll, committee account, closed vote with 8 items and ``ballots`` ballots; returns ids and
    the expected ballot figures."""
    import datetime as dt

    from flask_migrate import upgrade
    from sqlalchemy import insert, select, update

    from governance_app.auth import services as auth_services
    from governance_app.auth.models import Role, ScopeKind
    from governance_app.estates import services as estate_services
    from governance_app.extensions import db
    from governance_app.core import clock as platform_clock
    from governance_app.voting import bundle, services
    from governance_app.voting.models import (
        Ballot, BallotStatus, Channel, ItemKind, NominationSource, VoteChainHead, VoteRollEntry, VoteState,
    )

    def step(name: str, start: float) -> float:
        now = time.perf_counter()
        results.setup[name] = now - start
        print(f"  {name:<32} {now - start:6.2f} s", flush=True)
        return now

    start = time.perf_counter()
    upgrade()
    start = step("schema (migrations)", start)
    records, _people = generate_roll(units, seed)
    content = roll_csv(records)
    del records, _people
    estate = estate_services.ensure_estate(estate_services.ensure_community(
        estate_services.ensure_sub_district("基准街道"), "基准居民区"), "计票花园", "基准路 3 号")
    report = estate_services.import_roll(estate, content, "roll.csv")
    if not report.ok or report.new_units != units:
        raise BenchError(f"roll import: {report.problems[:3]}")
    db.session.commit()
    start = step(f"roll import ({units:,} units)", start)

    committee = auth_services.create_user("committee", "业委会主任", "bench-committee-pass", actor=None,
                                          grants=[(Role.COMMITTEE_CHAIR, ScopeKind.ESTATE, estate.id)])
    today = platform_clock.today()  # the estate's day (Shanghai): the notice rule counts in it
    vote = services.create_vote(estate, title="年度业主大会表决", description="", buildings=None,
                                opening_date=today + dt.timedelta(days=15), last_day=today + dt.timedelta(days=21),
                                actor=committee)
    items: list[tuple[str, str]] = []
    for matter, title in RESOLUTIONS[:3]:
        items.append((services.add_item(vote, kind=ItemKind.RESOLUTION, matter=matter, title=title).key,
                      "resolution"))
    election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举第二届业委会委员",
                                 seats=SEATS, alternates=ALTERNATES)
    for n in range(CANDIDATES):
        services.add_candidate(election, name=f"候选人{n + 1:02d}", nomination=NominationSource.SELF,
                               statement="", pledge_signed=True)
    items.append((election.key, "election"))
    for matter, title in RESOLUTIONS[3:]:
        items.append((services.add_item(vote, kind=ItemKind.RESOLUTION, matter=matter, title=title).key,
                      "resolution"))
    choice = services.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业服务方式", options=list(OPTIONS))
    items.append((choice.key, "choice"))
    services.publish_notice(vote, committee)
    # The notice was published 25 days ago, voting ran for a week and closed yesterday.
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    vote.notice_at = now - dt.timedelta(days=25)
    vote.opens_at = now - dt.timedelta(days=8)
    vote.closes_at = now - dt.timedelta(days=1)
    vote.state = VoteState.CLOSED
    db.session.flush()
    voters = sorted(set(db.session.scalars(select(VoteRollEntry.voter).where(VoteRollEntry.vote_id == vote.id))))
    if len(voters) < ballots:
        raise BenchError(f"the roll has {len(voters):,} voters, fewer than {ballots:,} ballots: raise --units")
    start = step("vote: 8 items, notice, closed", start)

    rng = random.Random(seed + 7)
    casting = rng.sample(voters, ballots)
    late = max(1, round(ballots * LATE_SHARE))
    window = (vote.closes_at - vote.opens_at).total_seconds()
    moments = sorted(vote.opens_at + dt.timedelta(seconds=rng.randrange(int(window))) for _ in range(ballots - late))
    moments += sorted(vote.closes_at + dt.timedelta(seconds=rng.randrange(1, 20 * 3600)) for _ in range(late))
    # owners-vote/2: the commitment covers the dates just moved; fix it again for them.
    vote.commitment = bundle.commitment(*services.committed(vote))
    previous = services.chain_start(vote)
    rows = []
    expected = Counter()
    for seq, (voter, moment) in enumerate(zip(casting, moments), start=1):
        paper = rng.random() < PAPER_SHARE
        channel = Channel.PAPER if paper else Channel.ONLINE
        status = BallotStatus.INVALID if paper and rng.random() < INVALID_PAPER_SHARE else BallotStatus.VALID
        choices = choices_for(rng, items, paper)
        text = services.received_text(moment)
        nonce = f"{rng.getrandbits(128):032x}"
        tracker = bundle.tracker(vote.uid, voter, channel.value, text, status.value, choices, nonce)
        previous = bundle.chain_next(previous, tracker)
        is_late = moment >= vote.closes_at
        expected["invalid" if status == BallotStatus.INVALID else "late" if is_late else "counted"] += 1
        rows.append({"vote_id": vote.id, "seq": seq, "voter": voter, "channel": channel, "received_at": moment,
                     "received_text": text, "status": status, "late": is_late, "choices": choices, "nonce": nonce,
                     "tracker": tracker, "chain": previous,
                     "cast_by_id": committee.id if paper else None})
    for first in range(0, len(rows), 1000):
        db.session.execute(insert(Ballot), rows[first:first + 1000])
    db.session.execute(update(VoteChainHead).where(VoteChainHead.vote_id == vote.id)
                       .values(seq=len(rows), chain=previous))
    db.session.commit()
    step(f"ballots ({ballots:,}, bulk)", start)
    results.summary = (f"{units:,} units, {len(voters):,} voters, {len(items)} items; {ballots:,} ballots: "
                       f"{expected['counted']:,} to count, {expected['invalid']} invalid, {expected['late']} late")
    return vote.id, committee.id, expected


# --- one database --------------------------------------------------------------------------

def run_database(database_url: str, args: argparse.Namespace, results: Results, folder: str) -> None:
    from governance_app import create_app
    from governance_app.auth.models import User
    from governance_app.extensions import db
    from governance_app.core import clock as platform_clock
    from governance_app.voting import bundle, rules, services
    from governance_app.voting.models import Vote

    app = create_app({
        "GOVERNANCE_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    })
    with app.app_context():
        try:
            vote_id, actor_id, expected = build_vote(args.units, args.ballots, args.seed, results)
            print(f"  {results.summary}", flush=True)

            def fresh():
                db.session.remove()
                return db.session.get(Vote, vote_id), db.session.get(User, actor_id)

            for run in range(args.runs):
                vote, actor = fresh()

                def count() -> dict:
                    result = services.count(vote, actor)
                    db.session.commit()
                    return result

                result, _seconds = timed(count, "count" in args.profile and run == 0, args.profile_limit,
                                         "services.count + commit", results, "count")
                figures = result["ballots"]
                if (figures["counted"], figures["invalid"], figures["late"], figures["duplicate"]) != \
                        (expected["counted"], expected["invalid"], expected["late"], 0):
                    raise BenchError(f"the count gives {figures}, expected {dict(expected)}")
            part = result["participation"]
            outcomes = Counter(item["outcome"] for item in result["items"].values())
            results.notes["count"] = (f"{figures['counted']:,} counted; participation {part['heads']:,} heads, "
                                      f"met={part['met']}; items: " +
                                      ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))

            # The parts of the count, timed apart (each in a new session, as above), loaded as count() does.
            load_ballots = getattr(services, "counting_ballots", None) or \
                (lambda vote: services.rule_ballots(services.ballots_in_order(vote)))
            for run in range(args.runs):
                vote, _actor = fresh()
                roll, _seconds = timed(lambda: services.frozen_roll(vote), results=results, step="roll")
                ballots, _seconds = timed(lambda: load_ballots(vote), results=results, step="ballots")
                items = services.rule_items(vote)
                closes_at = platform_clock.aware(vote.closes_at)
                timed(lambda: rules.tally(roll, items, ballots, closes_at), results=results, step="tally")
            results.notes["roll"] = f"{len(roll):,} entries"
            results.notes["ballots"] = f"{len(ballots):,} ballots"

            path = os.path.join(folder, f"vote-{vote_id}.json")
            for run in range(args.runs):
                vote, _actor = fresh()

                def write_bundle() -> int:
                    body = json.dumps(services.audit_bundle(vote), ensure_ascii=False, indent=1, sort_keys=True)
                    with open(path, "w", encoding="utf-8") as handle:
                        handle.write(body)
                    return len(body.encode("utf-8"))

                results.bundle_bytes, _seconds = timed(write_bundle, "bundle" in args.profile and run == 0,
                                                       args.profile_limit, "audit bundle", results, "bundle")
            results.notes["bundle"] = f"{results.bundle_bytes / 1e6:.1f} MB JSON"
        finally:
            db.session.remove()
            db.engine.dispose()

    script = Path(sys.executable).parent / "governance-audit"
    if not script.exists():
        raise BenchError(f"{script} is missing: pip install -e . installs the governance-audit console script")
    for run in range(args.runs):
        timed(lambda: subprocess.run([str(script), "--help"], capture_output=True), results=results, step="startup")
        done, _seconds = timed(lambda: subprocess.run([str(script), "verify", path], capture_output=True),
                               results=results, step="verify")
        if done.returncode != 0 or not done.stdout.startswith(b"OK"):
            raise BenchError(f"governance-audit verify exited {done.returncode}: "
                             f"{(done.stdout + done.stderr).decode(errors='replace').strip()[:500]}")
    results.notes["verify"] = "exit 0: " + done.stdout.decode().splitlines()[0]  # the OK line; then the values
    with open(path, "rb") as handle:
        data = bundle.load(handle.read())
    for run in range(args.runs):
        mismatch, _seconds = timed(lambda: bundle.verify(data), "verify" in args.profile and run == 0,
                                   args.profile_limit, "bundle.verify", results, "verify_in_process")
        if mismatch:
            raise BenchError(f"bundle.verify: {mismatch}")
    results.notes["verify_in_process"] = "load() not included"


# --- output ----------------------------------------------------------------------------------

def print_table(args: argparse.Namespace, all_results: dict[str, Results], skipped: dict[str, str]) -> None:
    print()
    runs = f", median of {args.runs} runs" if args.runs > 1 else ""
    print(f"Counting and verifying: seconds (wall clock{runs})")
    databases = list(all_results)
    for database in databases:
        print(f"  {NAMES[database]}: {all_results[database].summary}")
    header = "".join(f"{NAMES[d] + ' (of which GC)':>26}" for d in databases)
    print(f"\n  {'step':<32}{header}  note")
    for step in STEPS:
        cells = ""
        for database in databases:
            value = all_results[database].median(step)
            collector = all_results[database].gc_share(step) if step not in ("verify", "startup") else ""
            cells += f"{value:>16.3f} {f'({collector})' if collector else '':>9}" if value is not None \
                else f"{'-':>26}"
        note = all_results[databases[-1]].notes.get(step, "") if databases else ""
        print(f"  {TITLES[step]:<32}{cells}  {note}")
    print("\n  setup (not part of the figures)")
    setup_steps = list(next(iter(all_results.values())).setup) if all_results else []
    for step in setup_steps:
        cells = "".join(f"{all_results[d].setup.get(step, float('nan')):>16.2f}{'':>10}" for d in databases)
        print(f"  {step:<32}{cells}")
    for database, reason in skipped.items():
        print(f"\n{NAMES[database]}: skipped ({reason})")
    print(f"\nTargets: services.count under {COUNT_TARGET:.0f} s and governance-audit verify (a new process, "
          f"start-up included) under {VERIFY_TARGET:.0f} s, for {args.units:,} units and {args.ballots:,} ballots.")
    for database in databases:
        result = all_results[database]
        count, verify = result.median("count"), result.median("verify")
        if count is None or verify is None:
            continue
        count_verdict = "within target" if count < COUNT_TARGET else "OVER TARGET"
        verify_verdict = "within target" if verify < VERIFY_TARGET else "OVER TARGET"
        print(f"  {NAMES[database]:<11} count {count:6.3f} s  {count_verdict};  verify {verify:6.3f} s  {verify_verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=10000, help="units in the roll (default 10000)")
    parser.add_argument("--ballots", type=int, default=9000, help="ballots recorded (default 9000)")
    parser.add_argument("--databases", default=",".join(DATABASES),
                        help="comma-separated, from: sqlite, postgresql (default both)")
    parser.add_argument("--require-postgres", action="store_true",
                        help="exit 1 if PostgreSQL cannot be reached, instead of skipping it")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help=f"PostgreSQL server to create the database on (default {DEFAULT_POSTGRES_URL}, "
                             "or BENCH_POSTGRES_URL)")
    parser.add_argument("--runs", type=int, default=1,
                        help="time each step this many times on the same data and print the median (default 1)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the roll and of the ballots")
    parser.add_argument("--profile", default="", metavar="STEPS",
                        help="comma-separated steps to run under cProfile (first run only): count, bundle, verify "
                             "(verify: bundle.verify in this process)")
    parser.add_argument("--profile-limit", type=int, default=35, help="lines of profile to print (default 35)")
    args = parser.parse_args(argv)
    args.databases = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    for database in args.databases:
        if database not in DATABASES:
            parser.error(f"unknown database {database!r}; choose from {', '.join(DATABASES)}")
    args.profile = {s.strip() for s in args.profile.split(",") if s.strip()}
    for step in args.profile:
        if step not in ("count", "bundle", "verify"):
            parser.error(f"unknown step {step!r} for --profile; choose from count, bundle, verify")
    if args.units < 10 or args.ballots < 1:
        parser.error("--units must be at least 10 and --ballots at least 1")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.require_postgres and "postgresql" not in args.databases:
        parser.error("--require-postgres needs postgresql in --databases")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s [%(name)s] %(message)s")
    all_results: dict[str, Results] = {}
    skipped: dict[str, str] = {}
    failed = False
    for database in args.databases:
        print(f"\n== {NAMES[database]} ==", flush=True)
        results = Results()
        try:
            with tempfile.TemporaryDirectory(prefix="bench_count_") as folder:
                if database == "sqlite":
                    url = f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
                    print(url, flush=True)
                    run_database(url, args, results, folder)
                else:
                    postgres = PostgresDatabase(args.postgres_url, "bench_count")
                    try:
                        url = postgres.create()
                    except Unreachable as error:
                        message = f"PostgreSQL cannot be reached or used at {args.postgres_url}: {error}"
                        if args.require_postgres:
                            print(f"ERROR: {message}", file=sys.stderr)
                            return 1
                        print(f"SKIPPED: {message}")
                        skipped[database] = f"cannot be reached or used at {args.postgres_url}"
                        continue
                    print(f"{postgres.shown} (dropped at the end)", flush=True)
                    try:
                        run_database(url, args, results, folder)
                    finally:
                        postgres.drop()
            all_results[database] = results
        except BenchError as error:
            print(f"ERROR on {NAMES[database]}: {error}", file=sys.stderr)
            failed = True
    print_table(args, all_results, skipped)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
