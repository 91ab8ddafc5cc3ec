"""Counting (committee only, after closing), the result page (R-10 participation, each item's
rule, elected members, run-offs, vacant seats, buildings, the final chain value), publishing
(R-42) and what supervisors and auditors may download."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import select

from governance_app.core import clock as platform_clock
from governance_app.auth.models import Role
from governance_app.extensions import db
from governance_app.voting import bundle, services
from governance_app.voting.models import Notification
from tests.support.site import (
    JPEG, cast, close_vote, count, events, fresh, job_file, local, local_now, page_client, text,
)

# Plain words for residents, the rule's id after them as a small reference (issue 14).
R10 = "需参与表决的面积和人数都达到三分之二，表决才有效。 R-10"
R11 = "须经参与表决的面积和人数都过半数同意。 R-11"
R12 = "须经参与表决的面积和人数都达到四分之三同意。 R-12"
R21 = "候选人须获参与表决的面积和人数都过半数同意；同意人数多者当选。 R-21"


@pytest.fixture
def staff(make_user, estate):
    return make_user(Role.COMMUNITY_STAFF, estate.community, login="staff")


@pytest.fixture
def supervisor(make_user, estate):
    return make_user(Role.SUBDISTRICT_SUPERVISOR, estate.community.sub_district, login="supervisor")


@pytest.fixture
def auditor(make_user, estate):
    return make_user(Role.AUDITOR, estate.community.sub_district, login="auditor")


def paper(vote, staff, unit: str, received_local: dt.datetime, *, signed: bool = True, **marks) -> None:
    services.record_paper(vote, staff, unit=unit, received_at=received_local.replace(tzinfo=platform_clock.zone()),
                          signed=signed, signer_matches=True, choices={"i1": None, "i2": None, "i3": None,
                                                                       "i4": None, **marks}, scan=JPEG + unit.encode())
    db.session.commit()


@pytest.fixture
def runoff_vote(open_vote, owner_of, staff, clock):
    """Seven counted ballots (920.00 of 1060.00 m², 7 of 9 owners), one unsigned paper ballot
    (2-104) and one received after the deadline (3-103).

    Election, 3 seats: 甲 5 owners / 690.00, 乙 5 / 480.00, 丙 and 丁 both 4 / 670.00: all
    eligible (more than 3.5 owners and 460.00 m²), 丙 and 丁 tied for the last seat."""
    marks = {
        "3-101": dict(i1="approve", i2="approve", i3=["c1", "c3", "c4"], i4="p1"),  # developer, 350.00
        "1-101": dict(i1="approve", i2="approve", i3=["c2", "c3", "c4"], i4="p1"),  # 150.00 (two units)
        "1-103": dict(i1="approve", i2="approve", i3=["c2", "c3", "c4"], i4="p1"),  # 80.00
        "1-104": dict(i1="approve", i2="approve", i3=["c1", "c3", "c4"], i4="p1"),  # 90.00
        "2-101": dict(i1="approve", i2="approve", i3=["c1", "c2"], i4="p1"),  # 120.00, co-owned
        "2-102": dict(i1="oppose", i2="oppose", i3=["c1", "c2"], i4="p1"),  # 70.00
        "2-103": dict(i1=None, i2="abstain", i3=["c1", "c2"], i4="p2"),  # 60.00
    }
    for unit, chosen in marks.items():
        cast(open_vote, owner_of(unit), **chosen)
    paper(open_vote, staff, "2-104", local_now(clock), signed=False, i1="approve")
    deadline = local(open_vote.closes_at)
    close_vote(open_vote, clock)
    clock.move_to(deadline + dt.timedelta(hours=1))
    paper(open_vote, staff, "3-103", deadline + dt.timedelta(minutes=30), i1="approve")
    return open_vote


def test_only_the_committee_counts_and_only_after_closing(app, login, open_vote, committee, staff, supervisor,
                                                          clock):
    pages = page_client(app)
    for outsider in (staff, supervisor):
        login(outsider, client=pages)
        assert pages.post(f"/votes/{open_vote.id}/count").status_code == 404

    login(committee, client=pages)
    early = pages.post(f"/votes/{open_vote.id}/count", follow_redirects=True)
    assert "投票结束后才能计票。" in text(early)
    fresh()
    assert open_vote.state.value == "open" and open_vote.result is None
    assert pages.get(f"/votes/{open_vote.id}/result").status_code == 404

    close_vote(open_vote, clock)
    login(committee, client=pages)  # days later: signed in again
    counted = pages.post(f"/votes/{open_vote.id}/count", follow_redirects=True)
    assert "计票完成。请核对结果，并在 3 日内公布（R-42）。" in text(counted)
    fresh()
    assert open_vote.state.value == "counted"
    assert [e.actor_id for e in events("vote.counted")] == [committee.id]


def test_results_are_shown_to_owners_and_staff_only_after_publishing(app, login, open_vote, committee, owner_of,
                                                                     staff, supervisor, auditor, clock):
    cast(open_vote, owner_of("1-103"), i1="approve")
    close_vote(open_vote, clock)
    pages = page_client(app)
    login(committee, client=pages)
    pages.post(f"/votes/{open_vote.id}/count")
    owner = owner_of("1-104")
    url = f"/votes/{open_vote.id}/result"

    def answers() -> dict:
        seen = {}
        for name, user in (("owner", owner), ("staff", staff), ("committee", committee),
                           ("supervisor", supervisor), ("auditor", auditor)):
            login(user, client=pages)
            seen[name] = pages.get(url).status_code
        return seen

    assert answers() == {"owner": 404, "staff": 404, "committee": 200, "supervisor": 200, "auditor": 200}
    login(committee, client=pages)
    assert "已于" in text(pages.get(url)) and "计票，尚未公布。" in text(pages.get(url))
    published = pages.post(f"/votes/{open_vote.id}/publish", follow_redirects=True)
    assert "结果已公布，并已通知全体业主。" in text(published)
    assert answers() == {"owner": 200, "staff": 200, "committee": 200, "supervisor": 200, "auditor": 200}


def test_publishing_is_refused_before_counting(app, login, open_vote, committee, clock):
    close_vote(open_vote, clock)
    pages = page_client(app)
    login(committee, client=pages)
    response = pages.post(f"/votes/{open_vote.id}/publish", follow_redirects=True)
    assert "表决在当前阶段不能进行此操作。" in text(response)
    fresh()
    assert open_vote.state.value == "closed" and count(Notification, Notification.link.like("%/result")) == 0


def test_the_result_page_shows_participation_rules_elected_runoff_buildings_and_chain(
        app, login, runoff_vote, committee, owner_of):
    vote = runoff_vote
    pages = page_client(app)
    login(committee, client=pages)
    assert pages.post(f"/votes/{vote.id}/count").status_code == 302
    assert pages.post(f"/votes/{vote.id}/publish").status_code == 302
    login(owner_of("2-104"), client=pages)

    page = text(pages.get(f"/votes/{vote.id}/result"))

    # Participation against 2/3, with its rule.
    assert "参与表决的面积 920.00 / 1060.00 m²" in page
    assert "参与表决的业主人数 7 / 9" in page
    assert f"{R10} 已达到。" in page
    assert "计入的选票 7 张，逾期 1 张，无效 1 张，重复 0 张。" in page
    # Each item with its rule and outcome.
    assert page.count(R11) == 2 and page.count(R12) == 1 and page.count(R21) == 1
    assert "同意 790.00 5 反对 70.00 1 弃权 0.00 0 未填写 60.00 1 通过 (R-11)" in page
    assert "同意 790.00 5 反对 70.00 1 弃权 60.00 1 未填写 0.00 0 未通过 (R-12)" in page  # 5 of 7 < 3/4
    assert "专业物业公司 860.00 6 是 自行管理 60.00 1 否 通过 (R-11, R-22)" in page
    # The election: two elected, a tie for the third seat, no seat left vacant.
    assert "甲 5 690.00 是 乙 5 480.00 是 丙 4 670.00 是 丁 4 670.00 是" in page
    assert "当选： 甲、乙" in page
    assert "票数相同：丙、丁 争夺 1 个席位，需要再次投票；平台从不自行决定。" in page
    assert "空缺" not in page and "候补:" not in page
    # By building: each unit where it is; 2-104 (invalid) and 3-103 (late) do not take part.
    assert "1 4 / 4 320.00 / 320.00" in page
    assert "2 3 / 4 250.00 / 325.00" in page
    assert "3 2 / 3 350.00 / 415.00" in page
    # The final chain value is the last one on the board.
    fresh()
    board = pages.get(f"/votes/{vote.id}/board").get_data(as_text=True)
    chains = re.findall(r"<code>([0-9a-f]{64})</code></span>\s*</li>", board)
    assert len(chains) == 9
    assert vote.final_chain == chains[-1]
    assert f"最终哈希链值： {vote.final_chain}" in page


def test_vacant_seats_are_shown(app, login, open_vote, committee, owner_of, clock):
    for unit in ("3-101", "1-101", "1-103", "1-104", "2-101", "2-102"):
        cast(open_vote, owner_of(unit), i3=["c1", "c2"])
    close_vote(open_vote, clock)
    result = services.count(open_vote, committee)
    db.session.commit()
    assert result["items"]["i3"]["elected"] == ["c1", "c2"] and result["items"]["i3"]["vacant"] == 1
    pages = page_client(app)
    login(committee, client=pages)
    page = text(pages.get(f"/votes/{open_vote.id}/result"))
    assert "当选： 甲、乙" in page
    assert "1 个席位空缺，需要补选。" in page
    assert "票数相同" not in page


def test_participation_below_two_thirds_is_shown_as_not_met(app, login, open_vote, committee, owner_of, clock):
    cast(open_vote, owner_of("3-101"), i1="approve")
    close_vote(open_vote, clock)
    services.count(open_vote, committee)
    db.session.commit()
    pages = page_client(app)
    login(committee, client=pages)
    page = text(pages.get(f"/votes/{open_vote.id}/result"))
    assert "参与表决的面积 350.00 / 1060.00 m²" in page and "参与表决的业主人数 1 / 9" in page
    assert f"{R10} 未达到：所有事项均不能通过。" in page
    assert "当选： 无人" in page


def test_r42_an_unpublished_result_is_flagged_after_3_days(app, login, open_vote, committee, clock):
    close_vote(open_vote, clock)
    services.count(open_vote, committee)
    db.session.commit()
    counted_on = local_now(clock).date()
    overdue = "公布已逾期：表决结果应在 3 日内公布（R-42）。"
    clock.move_to(dt.datetime.combine(counted_on + dt.timedelta(days=3), dt.time(23, 59)))
    pages = page_client(app)
    login(committee, client=pages)
    assert overdue not in text(pages.get(f"/votes/{open_vote.id}/result"))
    clock.move_to(dt.datetime.combine(counted_on + dt.timedelta(days=4), dt.time(0, 0)))
    assert overdue in text(pages.get(f"/votes/{open_vote.id}/result"))


def test_publishing_notifies_the_estate(app, login, open_vote, committee, owner_of, clock):
    cast(open_vote, owner_of("1-103"), i1="approve")
    close_vote(open_vote, clock)
    pages = page_client(app)
    login(committee, client=pages)
    pages.post(f"/votes/{open_vote.id}/count")
    assert count(Notification, Notification.link == f"/votes/{open_vote.id}/result") == 0

    pages.post(f"/votes/{open_vote.id}/publish")

    fresh()
    [note] = db.session.scalars(select(Notification).where(Notification.link == f"/votes/{open_vote.id}/result"))
    assert note.estate_id == open_vote.estate_id and note.title == open_vote.title
    login(owner_of("1-104"), client=pages)
    estate_page = pages.get(f"/estates/{open_vote.estate_id}").get_data(as_text=True)
    assert f'<a href="/votes/{open_vote.id}/result">{open_vote.title}</a>' in estate_page
    assert [e.details["chain"] for e in events("vote.published")] == [open_vote.final_chain]


def test_the_bundle_verifies_and_every_download_and_ballot_view_is_audited(
        app, login, runoff_vote, committee, owner_of, supervisor, auditor):
    vote = runoff_vote
    pages = page_client(app)
    login(committee, client=pages)
    pages.post(f"/votes/{vote.id}/count")
    pages.post(f"/votes/{vote.id}/publish")
    fresh()

    for user in (supervisor, auditor, supervisor):
        login(user, client=pages)
        download = job_file(pages, pages.post(f"/votes/{vote.id}/bundle"))
        assert download.status_code == 200 and download.mimetype == "application/json"
        assert download.headers["Content-Disposition"] == f'attachment; filename="vote-{vote.uid}.json"'
        data = json.loads(download.get_data())
        assert bundle.verify(data) is None
        assert data["ballots"][-1]["chain"] == vote.final_chain
        assert data["result"] == vote.result
    assert [e.actor_id for e in events("vote.bundle_downloaded")] == [supervisor.id, auditor.id, supervisor.id]

    for user in (supervisor, auditor):
        login(user, client=pages)
        ballots = pages.get(f"/votes/{vote.id}/ballots")
        assert ballots.status_code == 200
        shown = text(ballots)
        assert "1-101, 1-102 · 在线" in shown and "2-104 · 纸质" in shown and "逾期，不计入" in shown
    assert [e.actor_id for e in events("vote.ballots_viewed")] == [supervisor.id, auditor.id]

    for user in (committee, owner_of("3-103")):
        login(user, client=pages)
        assert pages.post(f"/votes/{vote.id}/bundle").status_code == 404
        assert pages.get(f"/votes/{vote.id}/ballots").status_code == 404
    assert len(events("vote.bundle_downloaded")) == 3 and len(events("vote.ballots_viewed")) == 2


def test_there_is_no_bundle_before_counting(app, login, open_vote, supervisor, clock):
    close_vote(open_vote, clock)
    pages = page_client(app)
    login(supervisor, client=pages)
    assert pages.post(f"/votes/{open_vote.id}/bundle").status_code == 404
    assert events("vote.bundle_downloaded") == []
