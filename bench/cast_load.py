"""Benchmark: casting ballots under load, through gunicorn, on PostgreSQL.

Run from the project root:

    .venv/bin/python bench/cast_load.py
    .venv/bin/python bench/cast_load.py --voters 2000 --concurrency 64
    .venv/bin/python bench/cast_load.py --profile-server      # cProfile of the workers during the cast phase

A fresh database ``bench_cast_<pid>`` is created on ``postgresql://postgres@127.0.0.1:5432``
(``--postgres-url`` or ``BENCH_POSTGRES_URL`` to change) and dropped at the end. Its schema comes
from the migrations. In it: one estate whose roll has ``--voters`` units, each with its own owner;
an open vote with four items (two resolutions, an election, a choice); for every owner an enrolled
account and a live signed-in session. Accounts and sessions are written in bulk (one shared password
hash, one TOTP secret each, no audit events for them); the setup is timed separately.

Then ``python -m gunicorn --workers 2 -c gunicorn.conf.py "governance_app:create_app()"`` (the
project's settings, as in production) serves the database on loopback, with the same SECRET_KEY, TOTP_ENCRYPTION_KEY and ID_HASH_KEY as the setup. ``--concurrency``
threads of this process (standard library only: a plain socket, a new connection per request, as
gunicorn's sync workers close every connection) play the owners. Each owner sends once the real cast
request: POST /votes/<id>/ballot/confirm with a signed session cookie, the form's CSRF token, the
voter, the choices and a TOTP code computed when the request is sent. Then the same server answers
as many GET /healthz with the same concurrency, for comparison.

Afterwards the ballots are read from the database: exactly one per owner who was redirected to the
receipt, none lost, none duplicated, the sequence 1..N without gaps, every tracker and chain value
recomputed with ``governance_app.voting.bundle``, and each ballot's choices those that were sent.

The script prints figures and never fails on time. It exits 1 when a ballot check fails, or when
PostgreSQL cannot be reached (this benchmark needs it). The load generator shares the machine's
cores with gunicorn and PostgreSQL: its own CPU time and each side's share of the CPU are printed,
so a client-bound figure can be recognised.
"""
from __future__ import annotations

import argparse
import base64
import glob
import hashlib
import hmac
import http.client
import itertools
import logging
import math
import os
import pstats
import random
import secrets
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from postgres import DEFAULT_POSTGRES_URL, PostgresDatabase, Unreachable  # noqa: E402  (bench/postgres.py)

TARGET_VOTES_PER_SECOND = 300.0
TARGET_P99_MS = 200.0
SEED = 20240611
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩凯晨欣怡佳琳雪梅海燕志宏春林"
ROLL_HEADER = ["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码", "电话", "共有组", "代表人", "开发商持有"]
ELECTION_SEATS = 7
CANDIDATES = 9
OPTIONS = ("专业物业公司", "自行管理", "委托国有物业公司")


# --- the setup -----------------------------------------------------------------------

@dataclass
class Owner:
    """What the simulated owner holds: a cookie, a form, a TOTP key, and what they will choose."""

    voter: str
    cookie: str
    body: str  # the form without the code
    totp_key: bytes
    choices: dict


@dataclass
class Setup:
    vote_id: int
    vote_uid: str
    chain_start: str  # owners-vote/2: from the vote id and the commitment of its notice
    owners: list[Owner]
    warm: list[Owner]  # owners whose ballot page is fetched (not cast) to warm the workers up
    seconds: dict[str, float] = field(default_factory=dict)


def roll_csv(units: int, rng: random.Random) -> bytes:
    """``units`` flats in buildings of 20 floors x 6 flats, each with its own owner."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROLL_HEADER)
    for n in range(units):
        building, rest = divmod(n, 120)
        floor, flat = divmod(rest, 6)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        area = rng.randrange(5500, 15000)
        writer.writerow([building + 1, f"{building + 1}-{floor + 1}{flat + 1:02d}", f"{area // 100}.{area % 100:02d}",
                         "登记", name, f"31010119{n:010d}", f"13{rng.randrange(10**9):09d}", "", "", "否"])
    return out.getvalue().encode("utf-8")


def choose(rng: random.Random) -> tuple[dict, list[tuple[str, str]]]:
    """An owner's choices (as stored) and the form fields that carry them."""
    choices: dict = {}
    fields: list[tuple[str, str]] = []
    for key in ("i1", "i2"):
        value = rng.choices(("approve", "oppose", "abstain", None), weights=(70, 15, 10, 5))[0]
        choices[key] = value
        if value:
            fields.append((f"item-{key}", value))
    picked = sorted(rng.sample(range(1, CANDIDATES + 1), rng.randrange(0, ELECTION_SEATS + 1)))
    choices["i3"] = [f"c{p}" for p in picked] or None
    fields += [("item-i3", f"c{p}") for p in picked]
    option = rng.choices([f"p{n}" for n in range(1, len(OPTIONS) + 1)] + [None], weights=(60, 25, 10, 5))[0]
    choices["i4"] = option
    if option:
        fields.append(("item-i4", option))
    return choices, fields


def setup_database(app, voters: int, warm: int, seed: int) -> Setup:
    """Schema, roll, open vote, accounts and sessions; every step timed."""
    import datetime as dt

    from flask_migrate import upgrade
    from itsdangerous import URLSafeTimedSerializer
    from sqlalchemy import insert, select

    from governance_app.auth import passwords, secrets_box
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import Role, ScopeKind, User, UserSession, utcnow
    from governance_app.auth.totp import Totp, new_secret
    from governance_app.estates import services as estate_services
    from governance_app.estates.models import Owner as OwnerRow
    from governance_app.extensions import db
    from governance_app.core import clock as platform_clock
    from governance_app.voting import services
    from governance_app.voting.models import ItemKind, NominationSource, VoteRollEntry, VoteState

    rng = random.Random(seed)
    seconds: dict[str, float] = {}

    def step(name: str, start: float) -> float:
        now = time.perf_counter()
        seconds[name] = now - start
        print(f"  {name:<34} {now - start:6.2f} s", flush=True)
        return now

    start = time.perf_counter()
    upgrade()
    start = step("schema (migrations)", start)

    estate = estate_services.ensure_estate(estate_services.ensure_community(
        estate_services.ensure_sub_district("基准街道"), "基准居民区"), "压测花园", "基准路 2 号")
    db.session.commit()
    report = estate_services.import_roll(estate, roll_csv(voters, rng), "roll.csv")
    if not report.ok or report.new_units != voters:
        raise RuntimeError(f"roll import failed: {report.problems[:3]}")
    db.session.commit()
    start = step(f"roll import ({voters:,} units)", start)

    committee = auth_services.create_user("committee", "业委会主任", "bench-committee-pass", actor=None,
                                          grants=[(Role.COMMITTEE_CHAIR, ScopeKind.ESTATE, estate.id)])
    today = platform_clock.today()  # the estate's day (Shanghai): the notice rule counts in it
    vote = services.create_vote(estate, title="压测表决", description="", opening_date=today + dt.timedelta(days=15),
                                last_day=today + dt.timedelta(days=21), buildings=None,
                                actor=committee)
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
    services.add_item(vote, kind=ItemKind.RESOLUTION, matter=6, title="续筹维修资金")
    election = services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业委会委员",
                                 seats=ELECTION_SEATS, alternates=2)
    for n in range(CANDIDATES):
        services.add_candidate(election, name=f"候选人{n + 1}", nomination=NominationSource.SELF, statement="",
                               pledge_signed=True)
    services.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业管理方式", options=list(OPTIONS))
    services.publish_notice(vote, committee)
    # The 15 days of notice have passed for this benchmark: open it now, in real time.
    vote.opens_at = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    vote.state = VoteState.OPEN
    db.session.commit()
    vote_id, vote_uid, chain_start = vote.id, vote.uid, services.chain_start(vote)
    frozen = dict(db.session.execute(select(VoteRollEntry.unit, VoteRollEntry.voter)
                                     .where(VoteRollEntry.vote_id == vote_id)).all())
    start = step("vote: items, notice, open", start)

    owners = db.session.execute(select(OwnerRow.id, OwnerRow.name).where(OwnerRow.estate_id == estate.id)
                                .order_by(OwnerRow.id)).all()
    voter_keys = set(frozen.values())
    if len(owners) != voters or voter_keys != {f"o{owner_id}" for owner_id, _ in owners}:
        raise RuntimeError("the frozen roll does not have one voter per owner")
    # Bulk: one password hash for everybody (nobody signs in with it here), a TOTP secret each.
    password_hash = passwords.hash_password("bench-owner-password")
    now = utcnow()
    totp_secrets: dict[int, str] = {}
    rows = []
    for owner_id, name in owners:
        secret = totp_secrets[owner_id] = new_secret()
        rows.append({"login": f"1{owner_id:010d}", "display_name": name, "password_hash": password_hash,
                     "totp_secret": secrets_box.seal(secret), "totp_confirmed_at": now, "totp_last_step": 0,
                     "owner_id": owner_id, "is_active_account": True, "created_at": now,
                     "password_changed_at": now})
    for batch in range(0, len(rows), 1000):
        db.session.execute(insert(User), rows[batch:batch + 1000])
    user_ids = dict(db.session.execute(select(User.owner_id, User.id).where(User.owner_id.is_not(None))).all())
    db.session.commit()
    start = step(f"accounts ({len(rows):,}, bulk)", start)

    tokens: dict[int, str] = {}
    rows = []
    for owner_id, _name in owners:
        token = tokens[owner_id] = secrets.token_urlsafe(32)
        rows.append({"token_hash": hashlib.sha256(token.encode()).hexdigest(), "user_id": user_ids[owner_id],
                     "created_at": now, "last_seen_at": now, "second_factor_at": now, "revoked_at": None,
                     "ip": "127.0.0.1", "user_agent": "bench/cast_load.py"})
    for batch in range(0, len(rows), 1000):
        db.session.execute(insert(UserSession), rows[batch:batch + 1000])
    db.session.commit()
    signer = app.session_interface.get_signing_serializer(app)
    csrf_signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token")
    simulated = []
    for owner_id, _name in owners:
        raw_csrf = secrets.token_hex(20)
        cookie = signer.dumps({"_user_id": tokens[owner_id], "_fresh": True, "csrf_token": raw_csrf})
        choices, fields = choose(rng)
        voter = f"o{owner_id}"
        body = urllib.parse.urlencode([("csrf_token", csrf_signer.dumps(raw_csrf)), ("voter", voter), *fields])
        simulated.append(Owner(voter, cookie, body, totp_key(totp_secrets[owner_id]), choices))
    start = step(f"sessions, cookies, forms ({len(simulated):,})", start)
    # The client computes codes with the standard library: check it agrees with the application.
    probe = int(time.time())
    if totp_code(simulated[0].totp_key, probe) != Totp(totp_secrets[owners[0][0]]).code_at(probe):
        raise RuntimeError("the client's TOTP codes differ from the application's")
    rng.shuffle(simulated)
    # As a database kept by autovacuum (PostgreSQL's default, which this machine turns off): the tables
    # written in bulk analysed, their visibility maps set, and their pages written out at a checkpoint,
    # so that the casts are not billed for the setup's writes.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        connection.exec_driver_sql("CHECKPOINT")
    step("VACUUM ANALYZE, CHECKPOINT", start)
    return Setup(vote_id, vote_uid, chain_start, simulated, simulated[:warm], seconds)


def refresh_sessions(app) -> None:
    """As if each owner had opened the confirmation page just before sending it: a session seen less
    than a minute ago is not written again (auth.services.load_session). Marked as seen a little
    ahead, so that this holds for the whole cast phase; otherwise every request sent more than
    60 s into a slow run would also write and commit ``last_seen_at``, and a slow run get slower."""
    import datetime as dt

    from sqlalchemy import update

    from governance_app.auth.models import UserSession, utcnow
    from governance_app.extensions import db

    with app.app_context():
        db.session.execute(update(UserSession).values(last_seen_at=utcnow() + dt.timedelta(minutes=15)))
        db.session.commit()
        db.session.remove()


# --- TOTP with the standard library (RFC 6238: 30 s, 6 digits, SHA-1) ------------------------

def totp_key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def totp_code(key: bytes, unix_time: float) -> str:
    digest = hmac.new(key, struct.pack(">Q", int(unix_time) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


# --- the server --------------------------------------------------------------------------

PROFILE_HOOKS = '''
import cProfile, os, time
exec(open({config!r}, encoding="utf-8").read())  # the project's own settings, then the profiler's hooks
_DIR = {folder!r}
_state = {{}}

def post_fork(server, worker):
    # CPU time, not wall time: on a saturated machine wall time mostly measures waiting for a core.
    _state["profiler"] = cProfile.Profile(time.process_time)
    _state["on"] = False

def pre_request(worker, req):
    wanted = os.path.exists(os.path.join(_DIR, "on"))
    if wanted and not _state["on"]:
        _state["profiler"].enable()
        _state["on"] = True
    elif not wanted and _state["on"]:
        _state["profiler"].disable()
        _state["on"] = False

def worker_exit(server, worker):
    if _state.get("on"):
        _state["profiler"].disable()
    if "profiler" in _state:
        _state["profiler"].dump_stats(os.path.join(_DIR, f"worker-{{os.getpid()}}.prof"))
'''


CONFIG = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gunicorn.conf.py")


class Server:
    """gunicorn with N sync workers on a free loopback port; stderr kept in a file."""

    def __init__(self, database_url: str, keys: dict[str, str], workers: int, environment: str,
                 profile_folder: str | None, threads: int = 1, redis_url: str = ""):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "GOVERNANCE_ENV": environment, "DATABASE_URL": database_url, **keys}
        env.pop("REDIS_URL", None)
        if environment == "production":  # production refuses to start without shared rate-limit storage
            env["REDIS_URL"] = redis_url  # and without the site's address (printed on letters)
            env.setdefault("SITE_URL", f"http://127.0.0.1:{self.port}")
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                   "--log-level", "warning"]
        if threads > 1:  # gunicorn's gthread worker: each process serves requests on that many threads
            command += ["--threads", str(threads)]
        self.profile_folder = profile_folder
        if profile_folder:
            config = os.path.join(profile_folder, "gunicorn_profile.py")
            with open(config, "w", encoding="utf-8") as handle:
                handle.write(PROFILE_HOOKS.format(folder=profile_folder, config=CONFIG))
            command += ["--config", config]
        else:
            command += ["--config", CONFIG]
        command.append("governance_app:create_app()")
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=self.log)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                try:
                    connection.request("GET", "/healthz")
                    if connection.getresponse().status == 200:
                        return
                finally:
                    connection.close()
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in 60 s")

    def workers(self) -> list[int]:
        return [pid for pid in all_pids() if parent_of(pid) == self.process.pid]

    def profiling(self, on: bool) -> None:
        if self.profile_folder:
            flag = os.path.join(self.profile_folder, "on")
            if on:
                open(flag, "w").close()
            elif os.path.exists(flag):
                os.remove(flag)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-chars:]


# --- CPU accounting from /proc --------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode(errors="replace")
    except OSError:
        return None
    close = text.rfind(")")
    return [text[:close + 1]] + text[close + 2:].split()  # fields from "state" on: index 1 = state


def parent_of(pid: int) -> int | None:
    fields = _stat(pid)
    return int(fields[2]) if fields else None


def cpu_seconds(pid: int) -> float:
    fields = _stat(pid)
    return (int(fields[12]) + int(fields[13])) / TICK if fields else 0.0  # utime + stime


def postgres_pids() -> list[int]:
    found = []
    for pid in all_pids():
        fields = _stat(pid)
        if fields and fields[0].endswith("(postgres)"):
            found.append(pid)
    return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / TICK, sum(values[:8]) / TICK


@dataclass
class CpuShare:
    client: float
    server: float
    database: float
    other: float
    machine_busy: float
    machine_total: float


class CpuMeter:
    def __init__(self, server: Server):
        self.server = server

    def __enter__(self):
        self.workers = self.server.workers() + [self.server.process.pid]
        self.pg = postgres_pids()
        self.start_client = time.process_time()
        self.start_server = {pid: cpu_seconds(pid) for pid in self.workers}
        self.start_pg = {pid: cpu_seconds(pid) for pid in self.pg}
        self.start_machine = machine_busy()
        return self

    def __exit__(self, *exc):
        client = time.process_time() - self.start_client
        server = sum(cpu_seconds(pid) - before for pid, before in self.start_server.items())
        pg_now = {pid: cpu_seconds(pid) for pid in postgres_pids()}
        database = sum(pg_now[pid] - self.start_pg.get(pid, 0.0) for pid in pg_now)
        busy, total = machine_busy()
        busy -= self.start_machine[0]
        total -= self.start_machine[1]
        self.share = CpuShare(client, server, database, max(busy - client - server - database, 0.0), busy, total)
        return False


# --- the load ------------------------------------------------------------------------------

@dataclass
class Outcome:
    status: int  # 0 when no response came
    location: str
    seconds: float
    error: str = ""


@dataclass
class Phase:
    name: str
    outcomes: list[Outcome]
    wall: float
    cpu: CpuShare

    @property
    def ok(self) -> list[Outcome]:
        if self.name == "cast":
            return [o for o in self.outcomes if o.status == 302 and "/receipt" in o.location]
        return [o for o in self.outcomes if o.status == 200]

    def rate(self) -> float:
        return len(self.ok) / self.wall if self.wall > 0 else 0.0

    def percentile(self, share: float) -> float:
        values = sorted(o.seconds for o in self.outcomes)
        if not values:
            return float("nan")
        return values[min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))] * 1000

    def errors(self) -> Counter:
        good = set(map(id, self.ok))
        return Counter(o.error or f"HTTP {o.status}" for o in self.outcomes if id(o) not in good)


def request(port: int, method: str, path: str, body: str | None, headers: dict, timeout: float) -> Outcome:
    """One HTTP/1.1 request on a new connection, written and read with a plain socket: the load
    generator shares the machine's two cores with the server, so it spends as little CPU as it
    can (http.client costs about twice as much per request). The server closes the connection
    after the response (gunicorn's sync workers always do), so the response is read to the end."""
    payload = body.encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
             f"Content-Length: {len(payload)}", *(f"{name}: {value}" for name, value in headers.items())]
    message = ("\r\n".join(lines) + "\r\n\r\n").encode() + payload
    start = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
            connection.sendall(message)
            chunks = []
            while chunk := connection.recv(65536):
                chunks.append(chunk)
        head = b"".join(chunks).split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        location = next((line.split(":", 1)[1].strip() for line in head[1:]
                         if line.lower().startswith("location:")), "")
        return Outcome(status, location, time.perf_counter() - start)
    except (OSError, ValueError, IndexError) as error:
        return Outcome(0, "", time.perf_counter() - start, type(error).__name__)


def run_phase(name: str, server: Server, count: int, concurrency: int,
              send) -> Phase:
    """``send(index)`` makes request number ``index``; ``concurrency`` threads share the work."""
    outcomes: list[Outcome | None] = [None] * count
    counter = itertools.count()
    barrier = threading.Barrier(concurrency + 1)

    def worker() -> None:
        barrier.wait()
        while True:
            index = next(counter)  # atomic under the GIL
            if index >= count:
                return
            outcomes[index] = send(index)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    with CpuMeter(server) as meter:
        barrier.wait()
        start = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
    if any(o is None for o in outcomes):
        raise RuntimeError(f"{name}: some requests were not made")
    return Phase(name, outcomes, wall, meter.share)


def load(server: Server, setup: Setup, concurrency: int, healthz_requests: int, timeout: float,
         app) -> tuple[Phase, Phase]:
    path = f"/votes/{setup.vote_id}/ballot/confirm"
    form = {"Content-Type": "application/x-www-form-urlencoded"}

    # Warm-up: every worker imports, compiles and connects before the clock runs; nothing is cast.
    warm = setup.warm
    run_phase("warm-up", server, max(4 * concurrency, 64), concurrency,
              lambda i: request(server.port, "GET", "/healthz", None, {}, timeout))
    run_phase("warm-up", server, len(warm), min(concurrency, max(len(warm), 1)),
              lambda i: request(server.port, "GET", f"/votes/{setup.vote_id}/ballot?voter={warm[i].voter}", None,
                                {"Cookie": f"session={warm[i].cookie}"}, timeout))
    refresh_sessions(app)

    owners = setup.owners

    def cast(index: int) -> Outcome:
        owner = owners[index]
        body = f"{owner.body}&code={totp_code(owner.totp_key, time.time())}"
        return request(server.port, "POST", path, body, {**form, "Cookie": f"session={owner.cookie}"}, timeout)

    print(f"\ncasting: {len(owners):,} owners, {concurrency} at a time ...", flush=True)
    server.profiling(True)
    votes = run_phase("cast", server, len(owners), concurrency, cast)
    server.profiling(False)
    print(f"  done in {votes.wall:.2f} s", flush=True)
    print(f"GET /healthz: {healthz_requests:,} requests, {concurrency} at a time ...", flush=True)
    health = run_phase("healthz", server, healthz_requests, concurrency,
                       lambda i: request(server.port, "GET", "/healthz", None, {}, timeout))
    print(f"  done in {health.wall:.2f} s", flush=True)
    return votes, health


# --- the checks --------------------------------------------------------------------------------

def check_ballots(app, setup: Setup, votes: Phase) -> list[tuple[str, bool, str]]:
    from sqlalchemy import select

    from governance_app.extensions import db
    from governance_app.voting import bundle
    from governance_app.voting.models import Ballot, VoteChainHead

    by_index = {id(o): setup.owners[i] for i, o in enumerate(votes.outcomes)}
    receipted = Counter(by_index[id(o)].voter for o in votes.ok)
    expected_choices = {owner.voter: owner.choices for owner in setup.owners}
    with app.app_context():
        rows = db.session.execute(
            select(Ballot.seq, Ballot.voter, Ballot.channel, Ballot.received_text, Ballot.status, Ballot.choices,
                   Ballot.nonce, Ballot.tracker, Ballot.chain).where(Ballot.vote_id == setup.vote_id)
            .order_by(Ballot.seq)).all()
        head = db.session.get(VoteChainHead, setup.vote_id)
        head_seq, head_chain = head.seq, head.chain
        db.session.remove()
    recorded = Counter(row.voter for row in rows)
    lost = [voter for voter in receipted if voter not in recorded]
    duplicated = [voter for voter, n in recorded.items() if n > 1]
    unreceipted = [voter for voter in recorded if voter not in receipted]
    sequence_ok = [row.seq for row in rows] == list(range(1, len(rows) + 1))
    previous = setup.chain_start
    bad_tracker = bad_chain = 0
    for row in rows:
        tracker = bundle.tracker(setup.vote_uid, row.voter, row.channel.value, row.received_text, row.status.value,
                                 row.choices, row.nonce)
        bad_tracker += tracker != row.tracker
        previous = bundle.chain_next(previous, row.tracker)
        bad_chain += previous != row.chain
    wrong_choices = sum(1 for row in rows if row.choices != expected_choices.get(row.voter))
    head_ok = head_seq == len(rows) and (head_chain == (rows[-1].chain if rows else setup.chain_start))
    return [
        ("ballots in the database", len(rows) == len(receipted),
         f"{len(rows):,} ballots; {len(receipted):,} owners were redirected to their receipt"),
        ("one ballot per receipted owner", not lost and all(n == 1 for n in receipted.values()),
         f"{len(lost)} lost (receipt shown, no ballot)"),
        ("no duplicated ballot", not duplicated, f"{len(duplicated)} voters with more than one ballot"),
        ("no ballot without a receipt", not unreceipted,
         f"{len(unreceipted)} ballots whose request ended without the redirect (error or time-out)"),
        ("sequence 1..N without gaps", sequence_ok, f"seq 1..{len(rows):,}" if sequence_ok else "gaps or repeats"),
        ("chain = sha256(prev + tracker)", bad_chain == 0, f"{bad_chain} chain values differ from the recomputation"),
        ("trackers match the ballots", bad_tracker == 0, f"{bad_tracker} trackers differ from the recomputation"),
        ("chain head = last ballot", head_ok, f"head seq {head_seq:,}"),
        ("choices as sent", wrong_choices == 0, f"{wrong_choices} ballots with other choices than were sent"),
    ]


# --- output --------------------------------------------------------------------------------------

def print_results(args, setup: Setup, votes: Phase, health: Phase, checks, profile_note: str) -> None:
    print("\nSetup (seconds, not part of the load figures)")
    for name, seconds in setup.seconds.items():
        print(f"  {name:<34} {seconds:6.2f}")
    print(f"  {'total':<34} {sum(setup.seconds.values()):6.2f}")

    kind = "sync workers" if args.threads <= 1 else f"gthread workers x {args.threads} threads"
    print(f"\nLoad: gunicorn {args.workers} {kind} ({args.env}), PostgreSQL, loopback, "
          f"{args.concurrency} client threads, a new connection per request{profile_note}")
    print(f"  {'endpoint':<30} {'requests':>8} {'ok':>7} {'errors':>6} {'wall s':>7} {'req/s':>8} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for phase, title in ((votes, "POST .../ballot/confirm"), (health, "GET /healthz")):
        errors = sum(phase.errors().values())
        print(f"  {title:<30} {len(phase.outcomes):>8,} {len(phase.ok):>7,} {errors:>6} {phase.wall:>7.2f} "
              f"{phase.rate():>8.1f} {phase.percentile(0.50):>7.1f} {phase.percentile(0.95):>7.1f} "
              f"{phase.percentile(0.99):>7.1f} {phase.percentile(1.0):>7.1f}")
        for kind, n in phase.errors().most_common(5):
            print(f"      {n:>6} x {kind}")
    ratio = votes.rate() / health.rate() if health.rate() else float("nan")
    print(f"  votes/s ÷ healthz/s = {votes.rate():.1f} / {health.rate():.1f} = {ratio:.3f}")

    cores = os.cpu_count() or 1
    print(f"\nCPU during each phase (CPU seconds; % of the wall time of one core; the machine has {cores} cores)")
    print(f"  {'phase':<10} {'client':>14} {'gunicorn':>14} {'postgres':>14} {'other':>12} {'machine busy':>14}"
          f"  client CPU/request")
    for phase in (votes, health):
        share, wall = phase.cpu, phase.wall or 1.0

        def cell(seconds: float) -> str:
            return f"{seconds:6.2f} ({seconds / wall:4.0%})"

        busy = share.machine_busy / share.machine_total if share.machine_total else 0.0
        per_request = share.client / max(len(phase.outcomes), 1) * 1e6
        print(f"  {phase.name:<10} {cell(share.client):>14} {cell(share.server):>14} {cell(share.database):>14} "
              f"{cell(share.other):>12} {busy:>13.0%}  {per_request:6.0f} µs")
    print("  other = processes that are not this benchmark's (and kernel interrupt time); "
          f"load average at the start: {args.load_at_start}")
    for phase in (votes, health):
        share, requests = phase.cpu, max(len(phase.outcomes), 1)
        per = (share.client + share.server + share.database) / requests
        print(f"  {phase.name}: CPU per request {per * 1000:.2f} ms (client {share.client / requests * 1000:.2f}, "
              f"gunicorn {share.server / requests * 1000:.2f}, postgres {share.database / requests * 1000:.2f}); "
              f"{cores} idle cores could do at most about {cores / per if per else float('nan'):,.0f} requests/s "
              "(an estimate, ignoring waits and locks)")
    for phase in (votes, health):
        share = phase.cpu
        client_core = share.client / (phase.wall or 1.0)
        if share.other / (phase.wall or 1.0) > 0.2:
            print(f"  {phase.name}: other work on the machine used {share.other / (phase.wall or 1.0):.0%} of a core: "
                  "this run understates what the server does on an idle machine.")
        busy = share.machine_busy / share.machine_total if share.machine_total else 0.0
        if client_core > 0.8:
            print(f"  {phase.name}: the client used {client_core:.0%} of a core (its threads share one GIL): "
                  f"this figure is probably limited by the load generator, not the server.")
        elif busy > 0.9:
            print(f"  {phase.name}: the machine was {busy:.0%} busy; the client's share was {client_core:.0%} "
                  f"of a core ({share.client / max(share.machine_busy, 1e-9):.0%} of all CPU used).")

    print("\nBallots in the database after the run")
    failed = False
    for title, ok, detail in checks:
        failed |= not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {title:<34} {detail}")

    print(f"\nTargets: at least {TARGET_VOTES_PER_SECOND:.0f} votes/s with p99 under {TARGET_P99_MS:.0f} ms "
          f"at concurrency {args.concurrency}; zero lost or duplicated ballots.")
    rate, p99 = votes.rate(), votes.percentile(0.99)
    verdict = "within target" if rate >= TARGET_VOTES_PER_SECOND else "BELOW TARGET"
    print(f"  throughput  {rate:7.1f} votes/s  {verdict}")
    print(f"  p99         {p99:7.1f} ms       {'within target' if p99 < TARGET_P99_MS else 'OVER TARGET'}")
    print(f"  ballots     {'none lost or duplicated' if not failed else 'CHECKS FAILED (see above)'}")
    if profile_note:
        print("  (the workers ran under cProfile: these figures are slower than without it)")


def print_profiles(folder: str, limit: int) -> None:
    files = sorted(glob.glob(os.path.join(folder, "worker-*.prof")))
    if not files:
        print("\nNo worker profile was written.")
        return
    stats = pstats.Stats(files[0], stream=sys.stdout)
    for extra in files[1:]:
        stats.add(extra)
    print(f"\n--- cProfile (CPU time) of the gunicorn workers during the cast phase ({len(files)} workers "
          f"merged), top {limit} by cumulative time ---")
    stats.sort_stats("cumulative").print_stats(limit)
    print(f"--- same, top {limit} by own time ---")
    stats.sort_stats("tottime").print_stats(limit)


# --- main ------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voters", type=int, default=6000,
                        help="owners, one unit each; each casts exactly once (default 6000)")
    parser.add_argument("--concurrency", type=int, default=32, help="simulated owners at a time (default 32)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; above 1 gunicorn uses its gthread worker (default 1: sync)")
    parser.add_argument("--healthz-requests", type=int, default=0,
                        help="GET /healthz requests after the cast phase (default: as many as voters)")
    parser.add_argument("--env", choices=("production", "development"), default="production",
                        help="GOVERNANCE_ENV of the server (default production, with random keys)")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                        help="REDIS_URL of a production server (the cast path itself sends nothing to Redis)")
    parser.add_argument("--timeout", type=float, default=60.0, help="client time-out per request, seconds")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES_URL),
                        help=f"PostgreSQL server to create the database on (default {DEFAULT_POSTGRES_URL}, "
                             "or BENCH_POSTGRES_URL)")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of names, areas and choices")
    parser.add_argument("--profile-server", action="store_true",
                        help="run the workers under cProfile during the cast phase and print the hot spots")
    parser.add_argument("--profile-limit", type=int, default=35, help="lines of profile to print (default 35)")
    args = parser.parse_args(argv)
    if args.voters < 10:
        parser.error("--voters must be at least 10")
    if args.concurrency < 1 or args.workers < 1 or args.threads < 1:
        parser.error("--concurrency, --workers and --threads must be at least 1")
    args.healthz_requests = args.healthz_requests or args.voters
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s [%(name)s] %(message)s")
    with open("/proc/loadavg") as handle:
        args.load_at_start = " ".join(handle.read().split()[:3])
    from governance_app import create_app
    from governance_app.extensions import db

    postgres = PostgresDatabase(args.postgres_url, "bench_cast")
    try:
        url = postgres.create()
    except Unreachable as error:
        print(f"ERROR: PostgreSQL cannot be reached or used at {args.postgres_url}: {error}", file=sys.stderr)
        return 1
    print(f"Database {postgres.shown} (dropped at the end); {os.cpu_count()} CPU cores")
    keys = {name: secrets.token_urlsafe(48) for name in ("SECRET_KEY", "TOTP_ENCRYPTION_KEY", "ID_HASH_KEY")}
    app = create_app({"GOVERNANCE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **keys})
    server = None
    profile_folder = tempfile.mkdtemp(prefix="bench_cast_profile_") if args.profile_server else None
    try:
        print("\nSetup")
        with app.app_context():
            setup = setup_database(app, args.voters, min(2 * args.concurrency, args.voters), args.seed)
            db.session.remove()
        start = time.perf_counter()
        server = Server(url, keys, args.workers, args.env, profile_folder, args.threads, args.redis_url)
        server.wait_ready()
        print(f"  {'gunicorn started':<34} {time.perf_counter() - start:6.2f} s  "
              f"(port {server.port}, workers {server.workers()})")
        votes, health = load(server, setup, args.concurrency, args.healthz_requests, args.timeout, app)
        server.stop()
        tail = server.log_tail()
        if "Traceback" in tail or "ERROR" in tail:
            print("\ngunicorn reported errors (last lines of its log):")
            print(textwrap.indent(tail, "  "))
        checks = check_ballots(app, setup, votes)
        print_results(args, setup, votes, health, checks, " (workers under cProfile)" if profile_folder else "")
        if profile_folder:
            print_profiles(profile_folder, args.profile_limit)
        return 0 if all(ok for _title, ok, _detail in checks) else 1
    finally:
        if server is not None:
            server.stop()
        with app.app_context():
            db.engine.dispose()
        postgres.drop()


if __name__ == "__main__":
    sys.exit(main())
