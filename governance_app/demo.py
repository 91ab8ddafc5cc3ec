"""Demo data: an invented sub-district with three estates, built through the real roll import.

Everything here is invented. The generator is seeded, so loading twice gives
the same files and the second load changes nothing.
"""
from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import io
import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from .core import clock
from .auth import secrets_box
from .auth import tasks as letters
from .auth import services as auth_services
from .auth.models import Role, ScopeKind, User, utcnow
from .documents import render
from .estates import services as estate_services
from .extensions import db
from .funds import services as funds
from .funds.models import AccountKind
from .jobs import services as jobs
from .jobs.models import Job
from .voting import services as voting
from .voting.models import ItemKind, NominationSource
from .pledges.demo import load_pledges
from .proposals.demo import ensure_demo_proposals
from .surveys import demo as surveys_demo
from .voting import demo as voting_demo

SUB_DISTRICT = "真如镇街道"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏宇浩凯晨欣怡佳琳雪梅海燕志宏春林"
DEVELOPER_NAME = "上海真景置业有限公司"


@dataclass(frozen=True)
class DemoEstate:
    community: str
    name: str
    address: str
    buildings: int
    floors: int
    flats_per_floor: int
    seed: int


DEMO_ESTATES = (
    DemoEstate("星光居民区", "梅园小区", "真光路 1288 弄", 5, 6, 6, 11),
    DemoEstate("星光居民区", "桂苑", "铜川路 660 弄", 10, 7, 6, 12),
    DemoEstate("清涧居民区", "兰庭花园", "清涧路 99 弄", 16, 12, 4, 13),
)
HEADER = ["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码", "电话", "共有组", "代表人", "开发商持有", "业主类型"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def demo_roll_csv(spec: DemoEstate) -> bytes:
    """The estate's roll as a CSV file, as a committee would upload it."""
    rng = random.Random(spec.seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    person_number = 0
    multi_owner: list[tuple[str, str, str]] = []  # owners who will buy another flat

    def new_person() -> tuple[str, str, str]:
        nonlocal person_number
        person_number += 1
        document = f"DEMO{spec.seed:02d}{person_number:08d}"
        return _name(rng), document, f"139{rng.randrange(10**8):08d}"

    for building in range(1, spec.buildings + 1):
        base_area = rng.choice((6050, 7280, 8835, 9120, 10560, 12745))
        for floor in range(1, spec.floors + 1):
            for flat in range(1, spec.flats_per_floor + 1):
                label = f"{building}-{floor}{flat:02d}"
                area = base_area + rng.randrange(-900, 2400)
                area_text = f"{area // 100}.{area % 100:02d}"
                source = rng.choices(("登记", "实测", "合同"), weights=(88, 8, 4))[0]
                draw = rng.random()
                if draw < 0.05:
                    writer.writerow([building, label, area_text, source, DEVELOPER_NAME,
                                     "91310000DEMO00001X", "", "", "", "是", "单位"])
                elif draw < 0.15:
                    group = f"G{label}"
                    for index in range(2):
                        name, document, phone = new_person()
                        writer.writerow([building, label, area_text, source, name, document, phone,
                                         group, "是" if index == 0 else "否", "否", "个人"])
                else:
                    if multi_owner and rng.random() < 0.2:
                        owner = multi_owner.pop()
                    else:
                        owner = new_person()
                        if rng.random() < 0.04:
                            multi_owner.extend([owner] * rng.choice((1, 2)))
                    writer.writerow([building, label, area_text, source, *owner, "", "", "否", "个人"])
    return out.getvalue().encode("utf-8")


DEMO_PASSWORD = "demo-password-2026"
LETTER_COUNT = 5


@dataclass(frozen=True)
class DemoAccount:
    login: str
    name: str
    role: Role | None  # None: an owner's account
    scope: str  # "platform", "sub_district", "community" or "estate" (the first demo ones)


DEMO_ACCOUNTS = (
    DemoAccount("admin", "平台管理员", Role.PLATFORM_ADMIN, "platform"),
    DemoAccount("supervisor", "街道督导", Role.SUBDISTRICT_SUPERVISOR, "sub_district"),
    DemoAccount("auditor", "审计员", Role.AUDITOR, "sub_district"),
    DemoAccount("staff", "居委干部", Role.COMMUNITY_STAFF, "community"),
    DemoAccount("chair", "业委会主任", Role.COMMITTEE_CHAIR, "estate"),
    DemoAccount("member", "业委会委员", Role.COMMITTEE_MEMBER, "estate"),
    DemoAccount("13900000001", "", None, "estate"),
)


def demo_totp_secret(login: str) -> str:
    """A fixed secret per demo login, so the printed key stays valid across loads."""
    return base64.b32encode(hashlib.sha1(f"demo-totp:{login}".encode()).digest()).decode()


def demo_letter_code(voter_key: str) -> str:
    raw = "".join(auth_services.CODE_ALPHABET[b % len(auth_services.CODE_ALPHABET)]
                  for b in hashlib.sha256(f"demo-letter:{voter_key}".encode()).digest()[:12])
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _first_estate():
    return estate_services.find_estate(DEMO_ESTATES[0].name)


def _ensure_accounts() -> None:
    estate = _first_estate()
    community = estate.community
    scopes = {"platform": (ScopeKind.PLATFORM, None), "sub_district": (ScopeKind.SUB_DISTRICT, community.sub_district_id),
              "community": (ScopeKind.COMMUNITY, community.id), "estate": (ScopeKind.ESTATE, estate.id)}
    statuses = auth_services.voter_statuses(estate)
    for account in DEMO_ACCOUNTS:
        if auth_services.find_user(account.login) is not None:
            continue
        if account.role is None:
            owner = next(s.owner for s in statuses if s.owner is not None and len(s.voter.units) == 1)
            user = auth_services.create_user(account.login, owner.name, DEMO_PASSWORD, actor=None, owner=owner)
        else:
            user = auth_services.create_user(account.login, account.name, DEMO_PASSWORD, actor=None,
                                             grants=[(account.role, *scopes[account.scope])])
        user.totp_secret = secrets_box.seal(demo_totp_secret(account.login))
        user.totp_confirmed_at = utcnow()


def _ensure_letters() -> None:
    estate = _first_estate()
    statuses = auth_services.voter_statuses(estate)
    if any(s.active_code is not None for s in statuses):
        return  # letters were issued before; loading again changes nothing
    waiting = [s for s in statuses if not s.has_account and s.owner is not None][:LETTER_COUNT]
    if waiting:
        keys = [s.voter.key for s in waiting]
        auth_services.issue_letters(estate, keys, actor=None, codes={k: demo_letter_code(k) for k in keys})


def demo_letters() -> list[tuple[str, str, str]]:
    """(unit, code, last 4 of the id document) for the demo letters still unused."""
    estate = _first_estate()
    found = []
    for status in auth_services.voter_statuses(estate):
        if status.active_code is not None and status.owner is not None:
            code = demo_letter_code(status.voter.key)
            if status.active_code.code_hash == auth_services.activation_code_hash(code):
                found.append((status.voter.units[0], code, status.owner.id_doc_last4))
    return found


def demo_users() -> list[tuple[DemoAccount, User]]:
    return [(account, user) for account in DEMO_ACCOUNTS
            if (user := auth_services.find_user(account.login)) is not None]


def load_demo(progress: Callable[..., None] | None = None) -> list[tuple[str, estate_services.ImportReport]]:
    """Create the demo sub-district, import each estate's roll, and make an account for
    every role and a few activation letters; idempotent. ``progress(done, total, step)`` hears
    each stage as it starts (``flask demo load`` draws a bar with it), step being its name."""
    stages = [*(f"Roll of {spec.name}" for spec in DEMO_ESTATES), "Accounts and letters", "Votes", "Accounts' entries",
              "Pledges", "Surveys", "Supervision", "Proposals"]
    report_stage = progress or (lambda done, total, step: None)

    def stage(number: int) -> None:
        report_stage(number, len(stages), stages[number] if number < len(stages) else "Done")

    sub_district = estate_services.ensure_sub_district(SUB_DISTRICT)
    reports = []
    for number, spec in enumerate(DEMO_ESTATES):
        stage(number)
        community = estate_services.ensure_community(sub_district, spec.community)
        estate = estate_services.ensure_estate(community, spec.name, spec.address)
        report = estate_services.import_roll(estate, demo_roll_csv(spec), f"{spec.name}-名册.csv")
        if not report.ok:
            raise RuntimeError(f"demo roll for {spec.name} is invalid: {report.problems[:3]}")
        reports.append((spec.name, report))
    stage(len(DEMO_ESTATES))
    _ensure_accounts()
    _ensure_letters()
    stage(len(DEMO_ESTATES) + 1)
    _ensure_vote()
    voting_demo.ensure_last_years_vote(_first_estate(), _demo_actor())  # every stage of a vote (issue 14)
    stage(len(DEMO_ESTATES) + 2)
    _ensure_funds()
    stage(len(DEMO_ESTATES) + 3)
    load_pledges(_first_estate(), _demo_actor(), auth_services.find_user("13900000001"))
    stage(len(DEMO_ESTATES) + 4)
    surveys_demo.load([estate_services.find_estate(spec.name) for spec in DEMO_ESTATES], _demo_actor(),
                      auth_services.find_user("13900000001"))
    stage(len(DEMO_ESTATES) + 5)
    from .supervision.demo import ensure_demo as ensure_supervision  # the packages' demos load on demand

    ensure_supervision()
    stage(len(DEMO_ESTATES) + 6)
    _ensure_proposals()
    _ensure_letters_job()
    stage(len(stages))
    return reports


def _demo_actor():
    return auth_services.find_user("chair")


def _ensure_vote() -> None:
    """An open vote in 梅园小区 that the demo owner can cast a ballot in. Its notice is published
    16 days back, with the platform's clock moved there (demo data only), so that the 15 days of
    R-40 have passed and its commitment covers the times it really has."""
    estate = _first_estate()
    if voting.votes_of(estate):
        return
    today = clock.today()
    noticed_on = today - dt.timedelta(days=16)
    with voting_demo.clock_at(dt.datetime.combine(noticed_on, dt.time(9), clock.zone()).astimezone(dt.timezone.utc)):
        vote = voting.create_vote(estate, title="加装电梯与业委会换届", description="1 号楼加装电梯；选举第二届业主委员会。",
                                  opening_date=today, last_day=today + dt.timedelta(days=20), buildings=None,
                                  actor=_demo_actor())
        voting.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用专项维修资金为 1 号楼加装电梯")
        election = voting.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举第二届业主委员会委员", seats=5,
                                   alternates=1)
        for name, source in (("王某", NominationSource.SELF), ("李某", NominationSource.JOINT),
                             ("张某", NominationSource.COMMUNITY), ("赵某", NominationSource.SELF),
                             ("陈某", NominationSource.COMMUNITY), ("周某", NominationSource.JOINT),
                             ("吴某", NominationSource.SELF)):
            voting.add_candidate(election, name=name, nomination=source, statement="", pledge_signed=True)
        voting.add_item(vote, kind=ItemKind.CHOICE, matter=4, title="物业管理方式",
                        options=["继续聘用专业物业公司", "自行管理"])
        voting.publish_notice(vote, _demo_actor())
    voting.advance(vote)  # open since this morning's midnight


def _ensure_funds() -> None:
    """Accounts for 梅园小区 opened at the start of the year, with a few entries."""
    estate = _first_estate()
    if funds.accounts(estate):
        return
    year = clock.today().year
    accounts = {account.kind: account for account in funds.open_accounts(
        estate, opened_on=dt.date(year, 1, 1), first_period_amount=2_400_000_00,
        balances={AccountKind.MAINTENANCE_FUND: 1_860_432_15, AccountKind.COMMON_INCOME: 86_210_00,
                  AccountKind.WORKING_FUND: 12_000_00}, actor=_demo_actor())}
    nothing = funds.Authority()
    for month, direction, amount, category, counterparty in (
        (1, "in", 42_300_00, "parking", "停车管理处"), (2, "in", 18_000_00, "advertising", "某传媒有限公司"),
        (3, "out", 3_600_00, "management_cost", "财务代理记账"), (4, "in", 41_950_00, "parking", "停车管理处"),
        (5, "in", 6_000_00, "venue_rental", "社区活动室租用"), (7, "in", 43_100_00, "parking", "停车管理处"),
    ):
        funds.add_entry(estate, accounts[AccountKind.COMMON_INCOME], day=dt.date(year, month, 15),
                        direction=direction, amount=amount, category=category, counterparty=counterparty,
                        description="", authority=nothing, actor=_demo_actor())
    funds.add_entry(estate, accounts[AccountKind.MAINTENANCE_FUND], day=dt.date(year, 6, 21), direction="in",
                    amount=12_803_45, category="interest", counterparty="银行", description="结息",
                    authority=nothing, actor=_demo_actor())
    funds.add_entry(estate, accounts[AccountKind.MAINTENANCE_FUND], day=dt.date(year, 8, 2), direction="out",
                    amount=18_600_00, category="repair_pumps", counterparty="某机电维修公司",
                    description="生活水泵紧急更换", authority=funds.Authority(emergency_case="pumps_tanks"),
                    actor=_demo_actor())
    funds.transfer(estate, accounts[AccountKind.COMMON_INCOME], accounts[AccountKind.MAINTENANCE_FUND],
                   day=dt.date(year, 7, 20), amount=60_000_00, description="公共收益补充维修资金",
                   actor=_demo_actor())


JOB_LETTERS = 3


def _ensure_letters_job() -> None:
    """The committee member's letters for a few owners, made by the letters job (issue 16), so the
    activation page lists a finished job whose page offers its PDF (kept 24 hours). Run here, in
    this process, whatever ``JOBS_MODE`` says; skipped without a Chinese font (nothing to draw with).
    The owners named are the last ones without an account or a letter: the demo letters and the
    proposals' co-signers take the first ones."""
    member = auth_services.find_user("member")
    estate = _first_estate()
    if render.cjk_font() is None or db.session.scalar(
            select(Job.id).where(Job.kind == letters.LETTERS, Job.owner_id == member.id)) is not None:
        return
    waiting = [s.voter.key for s in auth_services.voter_statuses(estate)
               if not s.has_account and s.active_code is None and s.owner is not None]
    job = letters.start_letters(estate, waiting[-JOB_LETTERS:], False, member)
    db.session.commit()
    jobs.run(job.id)


def _ensure_proposals() -> None:
    ensure_demo_proposals(_first_estate(), auth_services.find_user("13900000001"), _demo_actor(),
                          auth_services.find_user("staff"), DEMO_PASSWORD)
