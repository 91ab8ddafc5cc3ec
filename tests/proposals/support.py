"""梅园小区 for the proposals tests: three buildings, a multi-unit owner, a co-owned unit and the
developer holding two units, with an account for each owner and the estate's staff."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import AccountKind
from governance_app.proposals import services
from governance_app.voting import services as voting
from tests.auth.support import page_client
from tests.conftest import owner_row, roll_csv

# JPEG and PDF files that pass the check by content (files.services.detect_type).
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Buildings 1 and 2: 4 heads (王伟 with two units; 李娜; 赵敏 and 钱进 co-owning 2-201, 赵敏 the
# representative; the developer with 2-202 and 2-203) and 610.00 m². Building 3: 孙丽, 周杰.
ROLL = [
    owner_row("1", "1-101", "100.00", "王伟", "310101199001011234"),
    owner_row("1", "1-102", "80.00", "王伟", "310101199001011234"),
    owner_row("1", "1-103", "120.00", "李娜", "310101198001012222"),
    owner_row("2", "2-201", "90.00", "赵敏", "310101197001013333", group="A", representative="是"),
    owner_row("2", "2-201", "90.00", "钱进", "310101197001014444", group="A", representative="否"),
    owner_row("2", "2-202", "110.00", "上海某置业有限公司", "91310000MA1FL0000X", developer="是"),
    owner_row("2", "2-203", "110.00", "上海某置业有限公司", "91310000MA1FL0000X", developer="是"),
    owner_row("3", "3-301", "100.00", "孙丽", "310101196001015555"),
    owner_row("3", "3-302", "100.00", "周杰", "310101196001016666"),
]
OTHER_ROLL = [owner_row("1", "1-101", "80.00", "吴刚", "310101197001017777")]


def owner_named(estate, name: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.estate_id == estate.id, Owner.name == name))


class World:
    def __init__(self, app, make_estate, make_user, login, clock):
        from governance_app.auth.models import Role

        self.app, self._login, self.clock = app, login, clock
        self.estate = make_estate("梅园小区")
        self.other = make_estate("别的小区", community="别的居民区", sub_district="别的街道")
        for estate, rows in ((self.estate, ROLL), (self.other, OTHER_ROLL)):
            report = estate_services.import_roll(estate, roll_csv(rows), "roll.csv")
            assert report.ok, report.problems
        db.session.commit()
        self.chair = make_user(Role.COMMITTEE_CHAIR, self.estate, login="chair")
        self.member = make_user(Role.COMMITTEE_MEMBER, self.estate, login="member")
        self.staff = make_user(Role.COMMUNITY_STAFF, self.estate.community, login="staff")
        self.supervisor = make_user(Role.SUBDISTRICT_SUPERVISOR, self.estate.community.sub_district,
                                    login="supervisor")
        self.auditor = make_user(Role.AUDITOR, self.estate.community.sub_district, login="auditor")
        self.owners = {name: make_user(owner=owner_named(self.estate, name), login=f"owner-{i}", name=name)
                       for i, name in enumerate(("王伟", "李娜", "赵敏", "钱进", "上海某置业有限公司", "孙丽", "周杰"))}
        self.wang, self.li, self.zhao, self.qian = (self.owners[n] for n in ("王伟", "李娜", "赵敏", "钱进"))
        self.developer, self.sun = self.owners["上海某置业有限公司"], self.owners["孙丽"]
        self.other_owner = make_user(owner=owner_named(self.other, "吴刚"), login="other-owner")
        self.other_member = make_user(Role.COMMITTEE_MEMBER, self.other, login="other-member")

    def pages(self, user=None, language: str = "en"):
        pages = page_client(self.app, language)
        if user is not None:
            self._login(user, client=pages)
        return pages

    def proposal(self, *, buildings=("1", "2"), category="ebike_charging", cost=60_000_00, submit=True, author=None):
        made = services.create(self.estate, author or self.wang, title="非机动车充电棚", problem="电动车在楼道充电，**危险**。",
                               remedy="在1号楼和2号楼之间建充电棚。", category=category,
                               buildings=list(buildings) if buildings else None, changes_use=True,
                               estimated_cost=cost)
        if submit:
            services.submit(made, author or self.wang)
        db.session.commit()
        return made

    def accepted(self, **kwargs):
        made = self.proposal(**kwargs)
        services.answer(made, self.chair, kind=services.AnswerKind.ACCEPTED, text="同意，准备表决。")
        db.session.commit()
        return made

    def open_accounts(self, income: int = 20_000_00) -> None:
        funds.open_accounts(self.estate, opened_on=dt.date(2026, 1, 1), first_period_amount=100_000_00,
                            balances={AccountKind.MAINTENANCE_FUND: 80_000_00, AccountKind.COMMON_INCOME: income,
                                      AccountKind.WORKING_FUND: 0}, actor=self.chair)
        db.session.commit()

    def planned(self, *, owners=30_000_00, subsidy=20_000_00, income=10_000_00, fund=0, **kwargs):
        made = self.accepted(**kwargs)
        services.save_plan(made, self.chair, total_cost=owners + subsidy + income + fund, apportion_by="area",
                           owners_amount=owners, subsidy_amount=subsidy, subsidy_programme="加装充电设施补贴",
                           subsidy_status="applied", common_income_amount=income, fund_amount=fund)
        services.approve_plan(made, self.chair)
        db.session.commit()
        return made

    def voted(self, approvers=("王伟", "李娜", "赵敏", "上海某置业有限公司"), opposers=()):
        """A proposal put to the vote, noticed, cast by the given owners, counted and published."""
        made = self.planned()
        today = self.clock().date()
        vote = services.to_vote(made, self.chair, opening_date=today + dt.timedelta(days=16),
                                last_day=today + dt.timedelta(days=20), description="")
        db.session.commit()
        voting.publish_notice(vote, self.chair)
        db.session.commit()
        self.clock.advance(days=17)
        voting.advance(vote)
        for name, choice in [(n, "approve") for n in approvers] + [(n, "oppose") for n in opposers]:
            user = self.owners[name]
            mandate = voting.mandates(user, vote)[0]
            voting.cast_online(vote, user, mandate, {"i1": choice})
        db.session.commit()
        self.clock.advance(days=5)
        voting.advance(vote)
        voting.count(vote, self.chair)
        voting.publish_result(vote, self.chair)
        db.session.commit()
        return made, vote
