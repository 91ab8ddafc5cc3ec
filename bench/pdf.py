"""Benchmark: drawing PDF documents for a large estate (SQLite, in a temporary folder).

Run from the project root:

    .venv/bin/python bench/pdf.py
    .venv/bin/python bench/pdf.py --units 2000 --letters 2000 --runs 3
    .venv/bin/python bench/pdf.py --profile letters      # cProfile of a step, by cumulative time

A seeded roll (the generator of ``import_roll.py``) of ``--units`` units is imported; a vote with
four resolutions, an election of 7 seats among 12 candidates and a choice among 3 options gets its
notice published (the roll is frozen) and is closed; ballots from 85 % of the voters are written
in bulk with correct trackers and chain; the vote is counted. A second estate gets a roll large
enough for ``--letters`` voters. Timed with ``time.perf_counter`` after a full garbage collection:

1. the result announcement of the vote with its per-building breakdown
   (``voting.printing.result_announcement_pdf``: the values, the register, the PDF);
2. activation letters for ``--letters`` voters: ``auth.services.issue_letters`` (new codes) and,
   apart, ``auth.printing.activation_letters_pdf`` (one page and one number per letter).

3. the letters for ``--worker-letters`` owners (5,000) as a job through a real Celery worker process
   (issue 16), on each of ``--databases`` (SQLite in the temporary folder; PostgreSQL, a database
   ``bench_pdf_<pid>`` on ``--postgres-url``, created and dropped by ``bench/postgres.py``, skipped
   with a message when it cannot be reached). The worker is ``celery worker --pool solo`` as deploy/
   runs it, on the broker ``--broker`` (a Redis database other than 0, default 5) with a queue of its
   own; the web application is the real one (``JOBS_MODE=celery``), driven through its test client by
   a committee member signed in. A small job first warms the worker up; then timed: the request that
   starts the letters (target under 200 ms: the page only records the job and sends it), the wait in
   the queue, the work (codes issued, letters drawn by ``PDF_PROCESSES`` processes, file written, one
   commit), the page's JSON while it runs (on SQLite it may answer 503 while the job holds the
   database: counted), and the download. The worker's CPU time (with its drawing processes) is shown.

    .venv/bin/python bench/pdf.py --parts worker --databases postgresql   # only the worker, on PostgreSQL

The script prints figures and never fails on time (targets: 3 s, 20 s and 200 ms). It exits 1 when a
PDF does not have the pages it should or a job fails, and 2 when no Chinese font is installed.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import logging
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# This checkout's application, whatever an editable install elsewhere points to (the worker, started
# in the checkout with ``-m``, uses it too).
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))
from import_roll import (  # noqa: E402  (the roll generator and the PostgreSQL database of the import benchmark)
    DEFAULT_POSTGRES_URL, SEED, PostgresDatabase, Unreachable, generate_roll, roll_csv,
)

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"announcement": 3.0, "letters_pdf": 20.0}
START_TARGET_MS = 200
DEFAULT_BROKER = "redis://127.0.0.1:6379/5"
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
TITLES = {
    "announcement": "1 result announcement",
    "issue": "2 issue letters (new codes)",
    "letters_pdf": "  letters PDF",
}
RESOLUTIONS = ((5, "使用维修资金更换电梯"), (6, "续筹维修资金"), (5, "使用维修资金维修外墙"), (8, "改变共有部分用途"))
SEATS, ALTERNATES, CANDIDATES = 7, 2, 12
OPTIONS = ("续聘现物业服务企业", "公开招标选聘", "自行管理")


def timed(action, profile: bool, cpu: dict | None = None, step: str = ""):
    """Wall time of ``action``; its CPU time (this process) goes to ``cpu[step]``: on a busy machine
    the wall time measures the neighbours too."""
    profiler = cProfile.Profile() if profile else None
    gc.collect()
    cpu_start = cpu_seconds()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    try:
        value = action()
    finally:
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - start
    if cpu is not None:
        cpu.setdefault(step, []).append(cpu_seconds() - cpu_start)
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    return value, seconds


def cpu_seconds() -> float:
    """CPU time of this process and of the children it has waited for (the processes that draw
    letters side by side, ``PDF_PROCESSES``)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def pages_of(content: bytes) -> int:
    """Pages as poppler counts them (the test suite reads PDFs with the same tools)."""
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def _choices(rng: random.Random, items: list[tuple[str, str]]) -> dict:
    choices: dict = {}
    for index, (key, kind) in enumerate(items):
        if kind == "resolution":
            approve = 60 + 8 * index
            choices[key] = rng.choices(("approve", "oppose", "abstain", None), weights=(approve, 95 - approve, 4, 1))[0]
        elif kind == "election":
            picked = set(rng.sample(range(CANDIDATES), rng.choice((SEATS, SEATS, 5, 3))))
            choices[key] = [f"c{n + 1}" for n in sorted(picked)]
        else:
            choices[key] = rng.choices(["p1", "p2", "p3", None], weights=(40, 45, 10, 5))[0]
    return choices


def build_counted_vote(units: int, seed: int):
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

    records, _people = generate_roll(units, seed)
    estate = estate_services.ensure_estate(estate_services.ensure_community(
        estate_services.ensure_sub_district("基准街道"), "基准居民区"), "文书花园", "基准路 5 号")
    report = estate_services.import_roll(estate, roll_csv(records), "roll.csv")
    assert report.ok, report.problems[:3]
    committee = auth_services.create_user("committee", "业委会主任", "bench-committee-pass", actor=None,
                                          grants=[(Role.COMMITTEE_CHAIR, ScopeKind.ESTATE, estate.id)])
    today = platform_clock.today()  # the estate's day (Shanghai): the notice rule counts in it
    vote = services.create_vote(estate, title="年度业主大会表决", description="", buildings=None,
                                opening_date=today + dt.timedelta(days=15), last_day=today + dt.timedelta(days=21),
                                actor=committee)
    items = [(services.add_item(vote, kind=ItemKind.RESOLUTION, matter=m, title=t).key, "resolution")
             for m, t in RESOLUTIONS]
    election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举第二届业委会委员", seats=SEATS,
                                 alternates=ALTERNATES)
    for n in range(CANDIDATES):
        services.add_candidate(election, name=f"候选人{n + 1:02d}", nomination=NominationSource.SELF, statement="",
                               pledge_signed=True)
    items.append((election.key, "election"))
    items.append((services.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业服务方式",
                                    options=list(OPTIONS)).key, "choice"))
    services.publish_notice(vote, committee)
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    vote.notice_at, vote.opens_at, vote.closes_at = (now - dt.timedelta(days=25), now - dt.timedelta(days=8),
                                                     now - dt.timedelta(days=1))
    vote.state = VoteState.CLOSED
    db.session.flush()
    voters = sorted(set(db.session.scalars(select(VoteRollEntry.voter).where(VoteRollEntry.vote_id == vote.id))))
    rng = random.Random(seed + 3)
    casting = rng.sample(voters, int(len(voters) * 0.85))
    # owners-vote/2: the commitment covers the dates just moved; fix it again for them.
    vote.commitment = bundle.commitment(*services.committed(vote))
    previous = services.chain_start(vote)
    rows = []
    for seq, voter in enumerate(casting, start=1):
        moment = vote.opens_at + dt.timedelta(seconds=seq * 7)
        choices = _choices(rng, items)
        text = services.received_text(moment)
        nonce = f"{rng.getrandbits(128):032x}"
        tracker = bundle.tracker(vote.uid, voter, "online", text, "valid", choices, nonce)
        previous = bundle.chain_next(previous, tracker)
        rows.append({"vote_id": vote.id, "seq": seq, "voter": voter, "channel": Channel.ONLINE,
                     "received_at": moment, "received_text": text, "status": BallotStatus.VALID, "late": False,
                     "choices": choices, "nonce": nonce, "tracker": tracker, "chain": previous})
    for first in range(0, len(rows), 1000):
        db.session.execute(insert(Ballot), rows[first:first + 1000])
    db.session.execute(update(VoteChainHead).where(VoteChainHead.vote_id == vote.id)
                       .values(seq=len(rows), chain=previous))
    services.count(vote, committee)
    db.session.commit()
    buildings = len({r.building for r in records})
    return vote.id, committee.id, f"{units:,} units in {buildings} buildings, {len(voters):,} voters, " \
                                  f"{len(rows):,} ballots, {len(items)} items"


def build_letter_estate(voters_wanted: int, seed: int):
    from governance_app.auth import services as auth_services
    from governance_app.estates import services as estate_services
    from governance_app.extensions import db

    units = int(voters_wanted * 1.15) + 50
    records, _people = generate_roll(units, seed + 11)
    estate = estate_services.ensure_estate(estate_services.ensure_community(
        estate_services.ensure_sub_district("基准街道"), "基准居民区"), "激活花园", "基准路 7 号")
    report = estate_services.import_roll(estate, roll_csv(records), "roll.csv")
    assert report.ok, report.problems[:3]
    db.session.commit()
    keys = [s.voter.key for s in auth_services.voter_statuses(estate) if s.owner is not None][:voters_wanted]
    assert len(keys) == voters_wanted, f"only {len(keys)} voters: raise the roll"
    return estate.id, keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--letters", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--profile", choices=("announcement", "letters"))
    parser.add_argument("--parts", default="in-process,worker",
                        help="comma-separated, from: in-process (steps 1-2), worker (step 3); default both")
    parser.add_argument("--worker-letters", type=int, default=5000)
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="for the worker: comma-separated, from: sqlite, postgresql (default both)")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL))
    parser.add_argument("--broker", default=os.environ.get("BENCH_CELERY_BROKER", DEFAULT_BROKER),
                        help=f"the worker's Redis (default {DEFAULT_BROKER}: not database 0)")
    args = parser.parse_args(argv)
    parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    databases = [name.strip() for name in args.databases.split(",") if name.strip()]
    if set(parts) - {"in-process", "worker"} or set(databases) - set(NAMES):
        parser.error("--parts takes in-process and worker; --databases sqlite and postgresql")
    logging.disable(logging.WARNING)

    from governance_app.documents import render

    if render.cjk_font() is None:
        print("No Chinese font: apt-get install fonts-noto-cjk")
        return 2
    status = 0
    if "in-process" in parts:
        status = in_process(args)
    if "worker" in parts and status == 0:
        status = through_worker(args, databases)
    return status


def in_process(args) -> int:
    """Steps 1 and 2: the announcement and the letters drawn in this process, on SQLite."""
    from flask_migrate import upgrade

    from governance_app import create_app
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import User
    from governance_app.auth import printing as letters_printing
    from governance_app.documents import services as documents
    from governance_app.estates.models import Estate
    from governance_app.extensions import db
    from governance_app.voting import printing as vote_printing
    from governance_app.voting.models import Vote

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3"})
        with app.app_context(), app.test_request_context():
            upgrade()
            start = time.perf_counter()
            vote_id, actor_id, summary = build_counted_vote(args.units, args.seed)
            estate_id, keys = build_letter_estate(args.letters, args.seed)
            print(f"setup {time.perf_counter() - start:.1f} s: {summary}; letters for {len(keys):,} voters\n")
            figures: dict[str, list[float]] = {step: [] for step in TITLES}
            cpu: dict[str, list[float]] = {}
            for _run in range(args.runs):
                db.session.remove()
                vote, actor = db.session.get(Vote, vote_id), db.session.get(User, actor_id)
                content, seconds = timed(lambda: vote_printing.result_announcement_pdf(vote, actor),
                                         args.profile == "announcement", cpu, "announcement")
                db.session.commit()
                figures["announcement"].append(seconds)
                announcement_pages = pages_of(content)
                db.session.remove()
                estate, actor = db.session.get(Estate, estate_id), db.session.get(User, actor_id)
                letters, seconds = timed(lambda: auth_services.issue_letters(estate, keys, actor=actor), False, cpu,
                                         "issue")
                figures["issue"].append(seconds)
                content, seconds = timed(lambda: letters_printing.activation_letters_pdf(  # as a worker draws them
                    estate, letters, actor, processes=documents.pdf_processes()),
                                         args.profile == "letters", cpu, "letters_pdf")
                db.session.commit()
                figures["letters_pdf"].append(seconds)
                letter_pages = pages_of(content)
                if letter_pages != len(keys):
                    print(f"the letters PDF has {letter_pages} pages for {len(keys)} letters")
                    return 1
                print(f"run {_run + 1}: announcement {announcement_pages} pages; letters {letter_pages} pages, "
                      f"{len(content) / 1e6:.1f} MB")
    print(f"\n{'step':<32}{'median s':>10}{'CPU s':>8}{'target s':>10}")
    for step, title in TITLES.items():
        median = sorted(figures[step])[len(figures[step]) // 2]
        cpu_median = sorted(cpu[step])[len(cpu[step]) // 2]
        target = f"{TARGETS[step]:.0f}" if step in TARGETS else ""
        print(f"{title:<32}{median:>10.2f}{cpu_median:>8.2f}{target:>10}")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n(load average {load:.2f} on {os.cpu_count()} processors while measuring; letters drawn by "
          f"{app.config['PDF_PROCESSES'] or os.cpu_count()} processes, PDF_PROCESSES)")
    return 0


# --- 3. the letters as a job, through a Celery worker process --------------------------------------

class Worker:
    """``celery worker --pool solo`` in its own process with the web's settings, as deploy/ runs it
    (the tests' worker, tests/jobs/test_worker.py)."""

    def __init__(self, database_url: str, broker: str, queue: str, jobs_dir: str, log: Path):
        env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker, "CELERY_QUEUE": queue,
               "JOBS_MODE": "celery", "JOBS_DIR": jobs_dir, "GOVERNANCE_ENV": "testing"}
        env.pop("REDIS_URL", None)
        self.log_path = log
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "governance_app.jobs.worker", "worker", "-Q", queue,
             "--pool", "solo", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def cpu_seconds(self) -> float:
        """User and system time of the worker and of the drawing processes it has waited for."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def _broker_answers(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        return str(error)
    return None


def build_job_estate(name: str, voters: int, seed: int):
    """An estate of the roll generator with exactly ``voters`` owners waiting for a letter (the
    others already hold an unused one, as after an earlier batch), and its committee member."""
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import Role, ScopeKind, utcnow
    from governance_app.estates import services as estate_services
    from governance_app.extensions import db

    records, _people = generate_roll(int(voters * 1.15) + 20, seed)
    estate = estate_services.ensure_estate(estate_services.ensure_community(
        estate_services.ensure_sub_district("基准街道"), "基准居民区"), name, "基准路 9 号")
    report = estate_services.import_roll(estate, roll_csv(records), "roll.csv")
    assert report.ok, report.problems[:3]
    keys = [s.voter.key for s in auth_services.voter_statuses(estate) if s.owner is not None]
    assert len(keys) >= voters, f"only {len(keys)} voters: raise the roll"
    if len(keys) > voters:
        auth_services.issue_letters(estate, keys[voters:], actor=None)
    member = auth_services.create_user(f"member-{estate.id}", "业委会委员", "bench-member-pass", actor=None,
                                       grants=[(Role.COMMITTEE_MEMBER, ScopeKind.ESTATE, estate.id)])
    auth_services.start_totp_enrolment(member)  # enrolled: a session of an account without it is refused
    member.totp_confirmed_at = utcnow()
    db.session.commit()
    return estate.id, member.id


def _signed_in(app, user_id: int):
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import User
    from governance_app.extensions import db

    client = app.test_client()
    with app.app_context():
        session = auth_services.open_session(db.session.get(User, user_id), "127.0.0.1", "bench")
        db.session.commit()
        token = session.token
    with client.session_transaction() as cookie:
        cookie["_user_id"], cookie["_fresh"] = token, True
    return client


def run_job(app, client, estate_id: int, timeout: float) -> dict:
    """Start the letters as the committee member does (POST, as a PDF), then read the progress
    page's JSON every 0.2 s until the job is finished; returns the figures."""
    from governance_app.extensions import db
    from governance_app.jobs.models import Job

    started = time.perf_counter()
    response = client.post(f"/estates/{estate_id}/activation/letters", data={"pdf": "1"})
    request_ms = (time.perf_counter() - started) * 1000
    assert response.status_code == 302 and "/jobs/" in response.location, (response.status_code, response.location)
    page = response.location
    polls, busy, slowest, seen = 0, 0, 0.0, set()
    status: dict = {}
    deadline = time.monotonic() + timeout
    while status.get("state") not in ("done", "failed"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the job at {page} is still {status} after {timeout:.0f} s")
        time.sleep(0.2)
        asked = time.perf_counter()
        answer = client.get(page + ".json")
        slowest = max(slowest, time.perf_counter() - asked)
        polls += 1
        if answer.status_code != 200:
            busy += 1
            continue
        status = answer.get_json()
        seen.add(status["percent"])
    finished = time.perf_counter() - started
    asked = time.perf_counter()
    download = client.get(page + "/file")
    download_seconds = time.perf_counter() - asked
    with app.app_context():
        job = db.session.get(Job, page.rsplit("/", 1)[1])
        queue_seconds = (job.started_at - job.created_at).total_seconds() if job.started_at else float("nan")
        work_seconds = (job.finished_at - job.started_at).total_seconds() if job.started_at else float("nan")
        db.session.remove()
    return {"state": status["state"], "failure": status.get("failure"), "request_ms": request_ms,
            "until_seen_done": finished, "queue": queue_seconds, "work": work_seconds, "polls": polls, "busy": busy,
            "slowest_poll": slowest, "percents": len(seen), "download": download_seconds,
            "content": download.data if download.status_code == 200 else b""}


def worker_on(database: str, args, folder: str) -> int:
    from flask_migrate import upgrade

    from governance_app import create_app
    from governance_app.extensions import db
    from governance_app.jobs.celery_app import celery_for

    postgres = None
    if database == "postgresql":
        postgres = PostgresDatabase(args.postgres_url, "bench_pdf")
        try:
            url = postgres.create()
        except Unreachable as error:
            print(f"\nPostgreSQL skipped: {error}")
            return 0
    else:
        url = f"sqlite:///{folder}/worker.sqlite3"
    queue = f"bench-pdf-{uuid.uuid4().hex[:10]}"
    jobs_dir = f"{folder}/jobs-{database}"
    app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "JOBS_MODE": "celery", "JOBS_DIR": jobs_dir, "CELERY_BROKER_URL": args.broker,
                      "CELERY_RESULT_BACKEND": args.broker, "CELERY_QUEUE": queue})
    worker = None
    try:
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            small = build_job_estate("预热花园", 20, args.seed + 21)
            big = build_job_estate("五千户花园", args.worker_letters, args.seed + 22)
            setup = time.perf_counter() - start
            db.session.remove()
        worker = Worker(app.config["SQLALCHEMY_DATABASE_URI"], args.broker, queue, jobs_dir,
                        Path(folder) / f"worker-{database}.log")
        start = time.perf_counter()
        celery = celery_for(app)
        while not celery.control.ping(timeout=0.5):
            if worker.process.poll() is not None or time.perf_counter() - start > 120:
                print(f"the worker did not start:\n{worker.tail()}")
                return 1
        worker_start = time.perf_counter() - start
        client_small, client_big = _signed_in(app, small[1]), _signed_in(app, big[1])
        client_big.get(f"/estates/{big[0]}/activation")  # the page the member starts from (and a warm web)
        warm = run_job(app, client_small, small[0], 300)  # a warm worker: fonts and WeasyPrint loaded
        if warm["state"] != "done":
            print(f"the warm-up job failed ({warm['failure']}):\n{worker.tail()}")
            return 1
        cpu_before = worker.cpu_seconds()
        gc.collect()
        figures = run_job(app, client_big, big[0], 3600)
        cpu = worker.cpu_seconds() - cpu_before
    finally:
        if worker is not None:
            worker.stop()
        with app.app_context():
            db.engine.dispose()
        if postgres is not None:
            postgres.drop()
    if figures["state"] != "done":
        print(f"the job failed ({figures['failure']}):\n{worker.tail()}")
        return 1
    pages = pages_of(figures["content"])
    name = NAMES[database] + (f" ({postgres.shown})" if postgres else "")
    print(f"\n3 letters for {args.worker_letters:,} owners through a Celery worker, on {name}")
    print(f"  setup {setup:.1f} s (rolls, {args.worker_letters:,} owners waiting); worker ready in {worker_start:.1f} s;"
          f" warm-up job of 20 letters: started in {warm['request_ms']:.0f} ms, done in {warm['until_seen_done']:.1f} s")
    rows = (
        ("request that starts the job", f"{figures['request_ms']:.0f} ms", f"{START_TARGET_MS} ms"),
        ("  in the queue", f"{figures['queue']:.2f} s", ""),
        ("  the work (codes, letters, file)", f"{figures['work']:.1f} s", ""),
        ("request until the page says done", f"{figures['until_seen_done']:.1f} s", ""),
        ("worker CPU (with its drawing)", f"{cpu:.1f} s", ""),
        ("download of the file", f"{figures['download'] * 1000:.0f} ms", ""),
    )
    for title, value, target in rows:
        print(f"  {title:<36}{value:>12}{target:>10}")
    print(f"  progress page's JSON: {figures['polls']} reads, {figures['busy']} busy (503), slowest "
          f"{figures['slowest_poll'] * 1000:.0f} ms, {figures['percents']} different percentages shown")
    print(f"  the PDF: {pages:,} pages, {len(figures['content']) / 1e6:.1f} MB")
    if pages != args.worker_letters:
        print(f"the letters PDF has {pages} pages for {args.worker_letters} letters")
        return 1
    return 0


def through_worker(args, databases: list[str]) -> int:
    problem = _broker_answers(args.broker)
    if problem:
        print(f"\nThe worker part needs Redis at {args.broker}: {problem}")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        for database in databases:
            status = worker_on(database, args, folder)
            if status:
                return status
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n(load average {load:.2f} on {os.cpu_count()} processors after measuring; the worker draws with "
          f"PDF_PROCESSES={os.environ.get('PDF_PROCESSES') or 'one per core'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
