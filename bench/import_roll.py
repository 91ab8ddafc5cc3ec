"""Benchmark: importing a large estate roll on SQLite and on PostgreSQL.

Run from the project root:

    .venv/bin/python bench/import_roll.py
    .venv/bin/python bench/import_roll.py --units 5000 --databases sqlite
    .venv/bin/python bench/import_roll.py --runs 3          # median of 3 runs, fresh databases
    .venv/bin/python bench/import_roll.py --profile import  # cProfile of step 2, by cumulative time

A realistic roll CSV (20,000 units by default) is generated in memory with a
fixed seed. For each database a fresh, empty database gets its schema from the
migrations, then four steps are timed with ``time.perf_counter``:

1. dry run (``check_roll_file``) of the file into an empty estate;
2. the import (``import_roll`` + commit);
3. re-import of the same file (changes nothing);
4. import of an updated file where 2 % of the units changed area or owner (+ commit).

Each step starts after a full garbage collection, in a new session. The
script prints figures; it asserts nothing about time. It exits non-zero
only when an import does not do what it should (problems in the file, a
re-import that changes something, ...), or with ``--require-postgres`` when
PostgreSQL cannot be reached.

PostgreSQL: a database ``bench_import_<pid>`` is created on
``postgresql://postgres@127.0.0.1:5432`` (``--postgres-url`` or
``BENCH_POSTGRES_URL`` to change) and dropped at the end.
"""
from __future__ import annotations

import argparse
import cProfile
import csv
import gc
import io
import logging
import os
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from postgres import DEFAULT_POSTGRES_URL, PostgresDatabase, Unreachable  # noqa: E402,F401  (re-exported)

TARGET_SECONDS = 5.0  # the import (step 2) should take less than this on either database
DATABASES = ("sqlite", "postgresql")
STEPS = ("check", "import", "reimport", "update")
STEP_TITLES = {
    "check": "1 dry run (check_roll_file)",
    "import": "2 import (+ commit)",
    "reimport": "3 re-import, same file",
    "update": "4 import, 2% changed",
}
SEED = 20240611
CHANGED_SHARE = 0.02

HEADER = ["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码", "电话", "共有组", "代表人", "开发商持有", "业主类型"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩凯晨欣怡佳琳雪梅海燕志宏春林"
DEVELOPER = ("上海申景置业有限公司", "91310000MA1FL0BENX", "", "company")
REGIONS = ("310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "320102", "330106")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


# --- the roll file ---------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str
    document: str
    phone: str
    kind: str = "person"


@dataclass
class UnitRecord:
    building: int
    label: str
    area: int  # hundredths of m²
    source: str
    developer: bool
    owners: list[Person] = field(default_factory=list)  # the first one represents a co-owned unit


class People:
    """Invented owners with unique, well-formed 18-character resident id numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.documents: set[str] = set()

    def new(self) -> Person:
        rng = self.rng
        while True:
            body = (f"{rng.choice(REGIONS)}{rng.randrange(1940, 2004)}{rng.randrange(1, 13):02d}"
                    f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}")
            document = body + ID_CHECK[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS)) % 11]
            if document not in self.documents:
                self.documents.add(document)
                break
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        phone = f"1{rng.choice('3589')}{rng.randrange(10):d}{rng.randrange(10**8):08d}"
        return Person(name, document, phone)


def generate_roll(units: int, seed: int = SEED) -> tuple[list[UnitRecord], People]:
    """A high-rise estate: buildings of 11-33 floors with 2-6 flats a floor, labels like "12-1503".

    About 5 % of units are still held by the developer, about 10 % are co-owned
    by two people (two rows sharing a co-owner group, the first one the
    representative), and about 3 % of owners hold two or three units.
    """
    rng = random.Random(seed)
    people = People(rng)
    records: list[UnitRecord] = []
    waiting: list[Person] = []  # owners who will buy another flat
    building = 0
    while len(records) < units:
        building += 1
        floors, flats = rng.randrange(11, 34), rng.randrange(2, 7)
        base_areas = [rng.choice((5850, 7280, 8835, 9120, 10560, 12745, 14390)) for _ in range(flats)]
        for floor in range(1, floors + 1):
            for flat in range(1, flats + 1):
                if len(records) == units:
                    break
                label = f"{building}-{floor}{flat:02d}"
                area = base_areas[flat - 1] + rng.randrange(-300, 301)
                source = rng.choices(("登记", "实测", "合同"), weights=(88, 8, 4))[0]
                record = UnitRecord(building, label, area, source, developer=False)
                draw = rng.random()
                if draw < 0.05:
                    record.developer = True
                    record.owners = [Person(*DEVELOPER)]
                elif draw < 0.15:
                    record.owners = [people.new(), people.new()]
                else:
                    if waiting and rng.random() < 0.5:
                        owner = waiting.pop(rng.randrange(len(waiting)))
                    else:
                        owner = people.new()
                        if rng.random() < 0.045:
                            waiting.extend([owner] * rng.choice((1, 2)))
                    record.owners = [owner]
                records.append(record)
    return records, people


def changed_roll(records: list[UnitRecord], people: People, seed: int = SEED) -> tuple[list[UnitRecord], int]:
    """A later roll: 2 % of the units changed, half of them their area, half their owner."""
    rng = random.Random(seed + 1)
    count = max(1, round(len(records) * CHANGED_SHARE))
    chosen = rng.sample(range(len(records)), count)
    updated = list(records)
    for position, index in enumerate(chosen):
        unit = records[index]
        if position % 2 == 0:  # re-measured
            updated[index] = replace(unit, area=max(100, unit.area + rng.choice((-1, 1)) * rng.randrange(5, 500)),
                                     source="实测")
        elif len(unit.owners) > 1:  # a co-owner sold their share
            updated[index] = replace(unit, owners=[unit.owners[0], people.new()])
        else:  # sold (by the developer or by its owner)
            updated[index] = replace(unit, developer=False, owners=[people.new()])
    return updated, count


def roll_csv(records: list[UnitRecord]) -> bytes:
    """The roll as a committee would upload it: one row per owner, Chinese headers, UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for unit in records:
        area = f"{unit.area // 100}.{unit.area % 100:02d}"
        developer = "是" if unit.developer else "否"
        if len(unit.owners) == 1:
            owner = unit.owners[0]
            writer.writerow([unit.building, unit.label, area, unit.source, owner.name, owner.document, owner.phone,
                             "", "", developer, "单位" if owner.kind == "company" else "个人"])
            continue
        group = f"G{unit.label}"
        for index, owner in enumerate(unit.owners):
            writer.writerow([unit.building, unit.label, area, unit.source, owner.name, owner.document, owner.phone,
                             group, "是" if index == 0 else "否", developer, "个人"])
    return out.getvalue().encode("utf-8")


def describe(records: list[UnitRecord]) -> str:
    holdings = Counter(o.document for u in records if not u.developer for o in u.owners if len(u.owners) == 1)
    owners = {o.document for u in records if not u.developer for o in u.owners}
    multi = sum(1 for n in holdings.values() if n > 1)
    rows = sum(len(u.owners) for u in records)
    buildings = len({u.building for u in records})
    developer = sum(1 for u in records if u.developer)
    co_owned = sum(1 for u in records if len(u.owners) > 1)
    return (f"{len(records):,} units in {buildings} buildings, {rows:,} rows; developer-held "
            f"{developer / len(records):.1%}, co-owned {co_owned / len(records):.1%}; {len(owners):,} owners, "
            f"{multi / max(len(owners), 1):.1%} of them holding 2-3 units")


def roll_files(units: int, seed: int) -> tuple[dict[str, bytes], int, str]:
    """The first and the updated roll as bytes, the number of changed units, and a description.

    Only bytes are kept: the generated records are freed, so the benchmark's own
    objects do not make the garbage collector's passes during the import longer.
    """
    records, people = generate_roll(units, seed)
    updated, changed = changed_roll(records, people, seed)
    return {"roll": roll_csv(records), "updated": roll_csv(updated)}, changed, describe(records)


# --- the benchmark ------------------------------------------------------------------

@dataclass
class StepResult:
    seconds: list[float] = field(default_factory=list)  # one figure per run
    note: str = ""
    profiled: bool = False

    @property
    def median(self) -> float:
        ordered = sorted(self.seconds)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


class BenchError(Exception):
    """An import did not do what it should."""


def timed(step: str, profile: bool, profile_limit: int, action: Callable[[], object]) -> tuple[object, float]:
    """Run ``action`` once; return its value and the wall time, profiling it if asked."""
    profiler = cProfile.Profile() if profile else None
    gc.collect()  # every step starts from a clean heap; collections the step itself causes are counted
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    value = action()
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - start
    if profiler:
        print(f"\n--- cProfile of step {STEP_TITLES[step]!r}, top {profile_limit} by cumulative time ---")
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("cumulative").print_stats(profile_limit)
        print(f"--- same step, top {profile_limit} by own time ---")
        stats.sort_stats("tottime").print_stats(profile_limit)
    return value, seconds


def run_database(database_url: str, files: dict[str, bytes], unit_count: int, changed: int,
                 profile_steps: set[str], profile_limit: int, results: dict[str, StepResult]) -> None:
    """Build the schema with the migrations, then time the four steps, adding to ``results``."""
    from flask_migrate import upgrade

    from governance_app import create_app
    from governance_app.estates import services
    from governance_app.estates.models import Estate
    from governance_app.extensions import db

    app = create_app({
        "GOVERNANCE_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
    })
    with app.app_context():
        try:
            upgrade()
            estate = services.ensure_estate(services.ensure_community(
                services.ensure_sub_district("基准街道"), "基准居民区"), "基准花园", "基准路 1 号")
            db.session.commit()
            estate_id = estate.id

            def check_only(content: bytes, filename: str) -> Callable[[Estate], services.ImportReport]:
                return lambda estate: services.check_roll_file(estate, content, filename)

            def importing(content: bytes, filename: str) -> Callable[[Estate], services.ImportReport]:
                def action(estate: Estate) -> services.ImportReport:
                    report = services.import_roll(estate, content, filename)
                    db.session.commit()
                    return report
                return action

            def run(step: str, action: Callable[[Estate], services.ImportReport],
                    verify: Callable[[services.ImportReport], str]) -> None:
                """Time one step in a new session (as a new request would have) and check what it did."""
                db.session.remove()
                estate = db.session.get(Estate, estate_id)
                if estate is None or not estate.id_salt:
                    raise BenchError(f"step {step}: the estate is gone")
                report, seconds = timed(step, step in profile_steps, profile_limit, lambda: action(estate))
                if not report.ok:
                    shown = "; ".join(str(p) for p in report.problems[:5])
                    raise BenchError(f"step {step}: {len(report.problems)} problem(s) in the file: {shown}")
                result = results.setdefault(step, StepResult())
                result.seconds.append(seconds)
                result.note = verify(report)
                result.profiled = result.profiled or step in profile_steps

            def verify_check(report: services.ImportReport) -> str:
                if report.new_units != unit_count or report.applied:
                    raise BenchError(f"dry run: {report.new_units} new units, expected {unit_count}")
                return f"{report.new_units:,} new units found, nothing written"

            def verify_import(report: services.ImportReport) -> str:
                if not report.applied or report.new_units != unit_count:
                    raise BenchError(f"import: {report.new_units} new units, expected {unit_count}")
                return f"{report.new_units:,} units, {report.row_count:,} rows written"

            def verify_reimport(report: services.ImportReport) -> str:
                if report.applied or report.changes:
                    raise BenchError(f"re-import changed {report.changed_units} units "
                                     f"({len(report.changes)} changes)")
                return f"{report.unchanged_units:,} unchanged, nothing written"

            def verify_update(report: services.ImportReport) -> str:
                if not report.applied or report.changed_units != changed or report.new_units:
                    raise BenchError(f"updated import: {report.changed_units} changed units, expected {changed}")
                return f"{report.changed_units:,} units changed, {len(report.changes):,} changes"

            run("check", check_only(files["roll"], "roll.csv"), verify_check)
            run("import", importing(files["roll"], "roll.csv"), verify_import)
            run("reimport", importing(files["roll"], "roll.csv"), verify_reimport)
            run("update", importing(files["updated"], "roll-updated.csv"), verify_update)
        finally:
            db.session.remove()
            db.engine.dispose()


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def print_table(unit_count: int, runs: int, results: dict[str, dict[str, StepResult]],
                skipped: dict[str, str]) -> None:
    print()
    print(f"Roll import of {unit_count:,} units: seconds (wall clock"
          f"{f', median of {runs} runs on fresh databases' if runs > 1 else ''}); "
          f"units/s = units in the file / seconds")
    for database, steps in results.items():
        print(f"\n{NAMES[database]}")
        spread = runs > 1
        print(f"  {'step':<30} {'seconds':>8} {'units/s':>10}{'  min-max     ' if spread else ''}  note")
        for step in STEPS:
            if step not in steps or not steps[step].seconds:
                print(f"  {STEP_TITLES[step]:<30} {'-':>8} {'-':>10}  not run")
                continue
            result = steps[step]
            seconds = result.median
            rate = f"{unit_count / seconds:>10,.0f}" if seconds > 0 else f"{'-':>10}"
            extra = f"  {min(result.seconds):.2f}-{max(result.seconds):<7.2f}" if spread else ""
            note = result.note + (" (a run under cProfile, slower)" if result.profiled else "")
            print(f"  {STEP_TITLES[step]:<30} {seconds:>8.2f} {rate}{extra}  {note}")
    for database, reason in skipped.items():
        print(f"\n{NAMES[database]}: skipped ({reason})")
    print(f"\nTarget: the import (step 2) of {unit_count:,} units under {TARGET_SECONDS:.0f} s on either database.")
    for database, steps in results.items():
        if "import" in steps and steps["import"].seconds:
            seconds = steps["import"].median
            verdict = "within target" if seconds < TARGET_SECONDS else "OVER TARGET"
            print(f"  {NAMES[database]:<11} {seconds:.2f} s  {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--units", type=int, default=20000, help="units in the roll (default 20000)")
    parser.add_argument("--databases", default=",".join(DATABASES),
                        help="comma-separated, from: sqlite, postgresql (default both)")
    parser.add_argument("--require-postgres", action="store_true",
                        help="exit 1 if PostgreSQL cannot be reached, instead of skipping it")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help=f"PostgreSQL server to create the database on (default {DEFAULT_POSTGRES_URL}, "
                             "or BENCH_POSTGRES_URL)")
    parser.add_argument("--runs", type=int, default=1,
                        help="run the four steps this many times, each on a fresh database, and print "
                             "the median (default 1)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the generated roll")
    parser.add_argument("--profile", default="", metavar="STEPS",
                        help=f"comma-separated steps to run under cProfile (first run only): {', '.join(STEPS)}")
    parser.add_argument("--profile-limit", type=int, default=35, help="lines of profile to print (default 35)")
    args = parser.parse_args(argv)
    args.databases = [d.strip().lower() for d in args.databases.split(",") if d.strip()]
    for database in args.databases:
        if database not in DATABASES:
            parser.error(f"unknown database {database!r}; choose from {', '.join(DATABASES)}")
    args.profile = {s.strip() for s in args.profile.split(",") if s.strip()}
    for step in args.profile:
        if step not in STEPS:
            parser.error(f"unknown step {step!r} for --profile; choose from {', '.join(STEPS)}")
    if args.units < 10:
        parser.error("--units must be at least 10")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.require_postgres and "postgresql" not in args.databases:
        parser.error("--require-postgres needs postgresql in --databases")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # A handler on the root logger keeps the migrations from setting up INFO logging.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s [%(name)s] %(message)s")

    start = time.perf_counter()
    files, changed, description = roll_files(args.units, args.seed)
    print(f"Generated roll (seed {args.seed}): {description}; "
          f"{len(files['roll']) / 1e6:.1f} MB CSV, in {time.perf_counter() - start:.2f} s")
    print(f"Updated roll: {changed:,} units changed ({changed - changed // 2:,} area, {changed // 2:,} owner)")

    results: dict[str, dict[str, StepResult]] = {}
    skipped: dict[str, str] = {}
    failed = False
    for database in args.databases:
        print(f"\n== {NAMES[database]} ==", flush=True)
        steps = results.setdefault(database, {})
        try:
            for run in range(args.runs):
                profile = args.profile if run == 0 else set()
                if database == "sqlite":
                    with tempfile.TemporaryDirectory(prefix="bench_import_") as folder:
                        url = f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
                        print(f"run {run + 1}: {url}", flush=True)
                        run_database(url, files, args.units, changed, profile, args.profile_limit, steps)
                    continue
                postgres = PostgresDatabase(args.postgres_url, "bench_import")
                try:
                    url = postgres.create()
                except Unreachable as error:
                    message = f"PostgreSQL cannot be reached or used at {args.postgres_url}: {error}"
                    if args.require_postgres:
                        print(f"ERROR: {message}", file=sys.stderr)
                        return 1
                    print(f"SKIPPED: {message}")
                    skipped[database] = f"cannot be reached or used at {args.postgres_url}"
                    del results[database]
                    break
                print(f"run {run + 1}: {postgres.shown} (dropped at the end)", flush=True)
                try:
                    run_database(url, files, args.units, changed, profile, args.profile_limit, steps)
                finally:
                    postgres.drop()
        except BenchError as error:
            print(f"ERROR on {NAMES[database]}: {error}", file=sys.stderr)
            failed = True
    print_table(args.units, args.runs, results, skipped)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
