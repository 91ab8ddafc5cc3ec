"""Every accounts route, requested by every kind of visitor (R-55, R-60).

``MATRIX`` maps each (method, rule) of the funds blueprint to the URLs to request (ids from the
world below) and the answer for each visitor in the order of ``VISITORS``: a status code, or for a
redirect the path it leads to. POSTs send an empty or refused form, so that they pass the
permission check without changing anything. Out of scope is 404, as for an id that does not exist;
anonymous visitors are sent to sign in.
"""
from __future__ import annotations

import datetime as dt

import pytest

from governance_app.core import clock as platform_clock
from governance_app.extensions import db
from governance_app.funds import services as funds
from governance_app.funds.models import Entry, EntryState, FundSettings
from tests.funds.support import FUND, INCOME, PDF, count, entries, location

VISITORS = ("anonymous", "owner", "member", "chair", "staff", "supervisor", "auditor", "other_owner",
            "other_member")
LOGIN = "/login"
NOBODY = (LOGIN, 404, 404, 404, 404, 404, 404, 404, 404)
READERS = (LOGIN, 200, 200, 200, 200, 200, 200, 404, 404)  # funds.view: owners, committee, staff of every kind
COMMITTEE = lambda answer: (LOGIN, 404, answer, answer, 404, 404, 404, 404, 404)  # noqa: E731  funds.manage
CHAIR = lambda answer: (LOGIN, 404, 404, answer, 404, 404, 404, 404, 404)  # noqa: E731  funds.publish
OWNERS = lambda answer: (LOGIN, answer, 404, 404, 404, 404, 404, 404, 404)  # noqa: E731  funds.ask
SUPERVISORS = (LOGIN, 404, 404, 404, 200, 200, 200, 404, 404)  # funds.supervise
OVERVIEW = "/estates/{estate}/funds"
ENTRY = "/estates/{estate}/funds/entries/{entry}"
NEW_STATEMENT = "/estates/{estate}/funds/maintenance_fund/statements/new"

#   anonymous  owner  member  chair  staff  supervisor  auditor  other estate's owner  other estate's member
MATRIX: dict[tuple[str, str], dict] = {
    ("GET", "/estates/<int:estate_id>/funds"): {
        OVERVIEW: READERS,
        "/estates/{other}/funds": (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200),
        "/estates/{bare}/funds": (LOGIN, 404, 404, 404, 200, 200, 200, 404, 404),  # not opened yet
        "/estates/{missing}/funds": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/funds/setup"): {
        "/estates/{estate}/funds/setup": COMMITTEE(OVERVIEW),  # an empty form
        "/estates/{other}/funds/setup": (LOGIN, 404, 404, 404, 404, 404, 404, 404, "/estates/{other}/funds"),
    },
    ("POST", "/estates/<int:estate_id>/funds/policy"): {
        "/estates/{estate}/funds/policy": COMMITTEE(OVERVIEW),
    },
    ("POST", "/estates/<int:estate_id>/funds/unit-balances"): {
        "/estates/{estate}/funds/unit-balances": COMMITTEE(OVERVIEW),
    },
    ("GET", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>"): {
        "/estates/{estate}/funds/maintenance_fund": READERS,
        "/estates/{estate}/funds/common_income?direction=in&text=停车": READERS,
        "/estates/{estate}/funds/working_fund": READERS,
        "/estates/{other}/funds/maintenance_fund": (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200),
        "/estates/{bare}/funds/maintenance_fund": NOBODY,  # no account
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/entries"): {
        "/estates/{estate}/funds/common_income/entries": COMMITTEE("/estates/{estate}/funds/common_income"),
        "/estates/{other}/funds/common_income/entries": NOBODY[:-1] + ("/estates/{other}/funds/common_income",),
    },
    # Imported bank lines posted several at a time (issue 14); an empty form posts nothing.
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/drafts"): {
        "/estates/{estate}/funds/maintenance_fund/drafts": COMMITTEE(303),
        "/estates/{other}/funds/maintenance_fund/drafts": NOBODY[:-1] + (303,),  # its own committee member
    },
    ("POST", "/estates/<int:estate_id>/funds/transfer"): {
        "/estates/{estate}/funds/transfer": COMMITTEE(OVERVIEW),
    },
    ("GET", "/estates/<int:estate_id>/funds/entries/<int:entry_id>"): {
        ENTRY: READERS,
        "/estates/{estate}/funds/entries/{draft}": COMMITTEE(200),  # drafts: only the committee
        "/estates/{estate}/funds/entries/{other_entry}": NOBODY,  # another estate's entry
        "/estates/{other}/funds/entries/{other_entry}": (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200),
        "/estates/{estate}/funds/entries/{missing}": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/post"): {
        "/estates/{estate}/funds/entries/{draft}/post": COMMITTEE("/estates/{estate}/funds/entries/{draft}"),
        "/estates/{estate}/funds/entries/{other_entry}/post": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/discard"): {
        ENTRY + "/discard": COMMITTEE(ENTRY),  # not a draft: refused
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/reverse"): {
        ENTRY + "/reverse": COMMITTEE(ENTRY),
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence"): {
        ENTRY + "/evidence": COMMITTEE(ENTRY),
    },
    ("GET", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence/<int:evidence_id>"): {
        ENTRY + "/evidence/{evidence}": READERS,
        "/estates/{estate}/funds/entries/{draft}/evidence/{evidence}": NOBODY,  # the evidence of another entry
        "/estates/{other}/funds/entries/{other_entry}/evidence/{evidence}": NOBODY,
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/questions"): {
        ENTRY + "/questions": OWNERS(ENTRY),  # an empty question
        "/estates/{other}/funds/entries/{other_entry}/questions": NOBODY[:-2] + (
            "/estates/{other}/funds/entries/{other_entry}", 404),
    },
    ("POST", "/estates/<int:estate_id>/funds/questions/<int:question_id>/answer"): {
        "/estates/{estate}/funds/questions/{question}/answer": COMMITTEE(ENTRY),  # an empty answer
        "/estates/{other}/funds/questions/{question}/answer": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/bank"): {
        "/estates/{estate}/funds/common_income/bank": COMMITTEE(200),
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/bank"): {
        "/estates/{estate}/funds/common_income/bank": COMMITTEE(200),  # no file
    },
    ("GET", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>"
            "/statements/new"): {
        NEW_STATEMENT: COMMITTEE(200),
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>"
             "/statements/new"): {
        NEW_STATEMENT: COMMITTEE(200),
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>"
             "/statements"): {
        "/estates/{estate}/funds/maintenance_fund/statements": CHAIR(NEW_STATEMENT),  # no period chosen
    },
    ("GET", "/estates/<int:estate_id>/funds/statements/<int:statement_id>"): {
        "/estates/{estate}/funds/statements/{statement}": READERS,
        "/estates/{estate}/funds/statements/{other_statement}": NOBODY,
        "/estates/{estate}/funds/statements/{missing}": NOBODY,
    },
    ("GET", "/estates/<int:estate_id>/funds/statements/<int:statement_id>.<any(csv, xlsx):fmt>"): {
        "/estates/{estate}/funds/statements/{statement}.csv": READERS,
        "/estates/{estate}/funds/statements/{statement}.xlsx": READERS,
        "/estates/{estate}/funds/statements/{other_statement}.csv": NOBODY,
    },
    ("GET", "/funds/supervision"): {
        "/funds/supervision": SUPERVISORS,
    },
}


def funds_routes(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("funds.")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_funds_route_is_in_the_matrix(app):
    assert funds_routes(app) == set(MATRIX)


def build(world, make_estate) -> dict:
    """Open accounts with a posted entry (with evidence and a question), a draft and a published
    statement in 梅园小区; the same in 别的小区; 空白小区 beside 梅园小区 has no accounts."""
    bare = make_estate("空白小区")
    world.open_accounts()
    world.open_accounts(world.other)
    world.entry(INCOME, dt.date(2026, 2, 1), "in", 1_000_00, "parking", counterparty="停车公司")
    posted = world.entry(INCOME, dt.date(2026, 4, 1), "in", 500_00, "advertising")
    evidence = funds.attach_evidence(posted, PDF, "合同", world.chair)
    question = funds.ask(posted, world.owner, "广告合同是谁签的？")
    draft = Entry(estate_id=world.estate.id, account_id=world.account(INCOME).id, state=EntryState.DRAFT,
                  day=dt.date(2026, 5, 1), direction="in", amount=10_00, category="", counterparty="银行",
                  description="", created_at=platform_clock.now())
    db.session.add(draft)
    db.session.commit()
    statement = world.publish(FUND, dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    other_entry = world.entry(INCOME, dt.date(2026, 2, 1), "in", 30_00, "parking", estate=world.other)
    other_statement = world.publish(FUND, dt.date(2026, 1, 1), dt.date(2026, 3, 31), estate=world.other)
    return {"estate": world.estate.id, "other": world.other.id, "bare": bare.id, "entry": posted.id,
            "draft": draft.id, "evidence": evidence.id, "question": question.id, "statement": statement.id,
            "other_entry": other_entry.id, "other_statement": other_statement.id, "missing": 999999}


def answer(response) -> int | str:
    return location(response) if response.status_code == 302 else response.status_code


@pytest.mark.parametrize("visitor", VISITORS)
def test_every_funds_route_for_every_visitor(world, make_estate, visitor):
    ids = build(world, make_estate)
    pages = world.pages(None if visitor == "anonymous" else getattr(world, visitor))
    column = VISITORS.index(visitor)
    before = count(Entry)
    answers, expected = {}, {}
    for (method, _rule), urls in MATRIX.items():
        for url, row in urls.items():
            response = pages.open(url.format(**ids), method=method, data={} if method == "POST" else None)
            key = f"{method} {url}"
            answers[key] = answer(response)
            wanted = row[column]
            expected[key] = wanted.format(**ids) if isinstance(wanted, str) else wanted
    assert answers == expected
    # Nothing was changed by the refused forms (the empty policy form saves "off", the default).
    assert count(Entry) == before
    assert [e.state for e in entries(Entry.id == ids["draft"])] == [EntryState.DRAFT]
    assert count(FundSettings, FundSettings.income_tops_up_fund.is_(True)) == 0


def test_r60_the_public_sees_nothing_of_the_accounts(world, make_estate):
    """Anonymous visitors are sent to sign in, never shown a ledger."""
    ids = build(world, make_estate)
    pages = world.pages()
    for url in ("/estates/{estate}/funds", "/estates/{estate}/funds/common_income",
                "/estates/{estate}/funds/entries/{entry}", "/estates/{estate}/funds/statements/{statement}.csv"):
        response = pages.get(url.format(**ids))
        assert response.status_code == 302 and location(response) == LOGIN
        assert "停车公司" not in response.get_data(as_text=True)


@pytest.mark.parametrize("visitor, manage_links", [("owner", False), ("staff", False), ("member", True)])
def test_r55_owners_and_staff_read_the_accounts_without_the_committees_forms(world, make_estate, visitor,
                                                                             manage_links):
    ids = build(world, make_estate)
    pages = world.pages(getattr(world, visitor))
    body = pages.get("/estates/{estate}/funds/common_income".format(**ids)).get_data(as_text=True)
    assert "停车公司" in body
    assert ("/bank" in body) is manage_links
    assert ("/funds/transfer" in body) is manage_links
    assert ("/entries/{draft}\"".format(**ids) in body) is manage_links  # drafts listed for the committee only
