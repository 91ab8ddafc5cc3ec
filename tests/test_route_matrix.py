"""Every route of the application, requested by every role, for objects in and out of its scope.

``MATRIX`` has one entry per (method, rule) of ``app.url_map``; a new route makes
``test_every_route_is_in_the_matrix`` fail until it is added here. Each entry maps
the URLs to request (with ids from the world below) to the expected answer for
each role, in the order of ``ROLES``: a status code, or a path for a redirect
(302) there.

Objects outside one's scope answer 404, exactly as ids that do not exist, so
that ids cannot be probed. POST requests carry an empty form (CSRF is off in
tests): out of scope they must be 404, in scope they reach the form handling.

The world: 东街道 / 东一居民区 / 东一小区 ("mine": every signed-in role except the
platform administrator holds its role there) and 西街道 / 西一居民区 / 西一小区
("theirs"), each with a small roll, activation letters, a checked roll upload
waiting for confirmation and a committee member account.

For the voting rows and the rows that name votes only (they take time to build), each
estate also has three votes with one resolution item: a draft; an open vote (two staff
confirm paper ballots) where the estate's 1-101 has voted online and a paper ballot for
1-102 waits for a second staff member; and a published vote whose one ballot, 1-102's,
came on paper.
The owner is 王伟 of 东一小区 1-101: he may cast (and has cast) for himself only.

For the rows of the accounts only, each estate's three accounts were opened 90 days ago; the
maintenance fund has an entry in its first 30 days, published as a statement of that period, then a
posted entry of five days ago with a receipt (evidence) and a question from an owner of the estate,
and a draft of three days ago (a bank line not yet checked). For the rows of what the committee
posts only, each estate has a showing notice with an attachment, a version of its management
rules, a committee member with a signed pledge, a meeting held, decided and posted, and a meeting
held but not yet posted; 东一小区 also has a notice that starts showing tomorrow. The rows of the
PDF documents also have, in each estate, an election counted but not yet published. A row gets
the objects of its blueprint and those its URLs name (``test_route``).

A POST that must name something carries it: such a URL is written
``(url, "field=value")``, the form it sends.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.datastructures import ImmutableMultiDict

from governance_app.core import clock as platform_clock
from governance_app.auth import services as auth_services
from governance_app.auth.models import ActivationCode, Role, RoleGrant, ScopeKind
from governance_app.disclosure import services as disclosure_services
from governance_app.disclosure.models import DocumentKind, MemberRole, NoticeAttachment, NoticeKind
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from governance_app.funds import services as funds_services
from governance_app.funds.models import AccountKind, Entry, EntryState
from governance_app.voting import services as voting_services
from governance_app.voting.models import ItemKind, NominationSource, VoteState
from tests.conftest import owner_row, roll_csv
from tests.support.site import JPEG, PDF

ROLES = ("anonymous", "owner", "committee_member", "community_staff", "subdistrict_supervisor", "auditor",
         "platform_admin")
LOGIN = "/login"  # anonymous visitors of a protected page are sent to sign in
EVERYONE = lambda answer: (answer,) * len(ROLES)  # noqa: E731
SIGNED_IN = lambda answer: (LOGIN,) + (answer,) * (len(ROLES) - 1)  # noqa: E731
NOBODY = SIGNED_IN(404)
# Votes: vote.view (the estate's owners and every kind of staff), vote.manage (the committee),
# vote.record_paper (the committee and community staff), vote.inspect (supervisors and auditors),
# and a mandate to cast (the owner, for himself).
READERS = (LOGIN, 200, 200, 200, 200, 200, 404)
MANAGERS = lambda answer: (LOGIN, 404, answer, 404, 404, 404, 404)  # noqa: E731
PAPER_STAFF = lambda answer: (LOGIN, 404, answer, answer, 404, 404, 404)  # noqa: E731
AUDITORS = (LOGIN, 404, 404, 404, 200, 200, 404)
THE_OWNER = lambda answer: (LOGIN, answer, 404, 404, 404, 404, 404)  # noqa: E731
# Accounts: funds.view (the estate's owners and every kind of staff, as vote.view), funds.manage (the
# committee), funds.publish (the committee chair only: the world's member is not), funds.supervise
# (community staff, supervisors and auditors), funds.ask (the estate's owners). What the committee
# posts: disclosure.view (as vote.view), disclosure.manage (the committee).
SUPERVISORS = (LOGIN, 404, 404, 200, 200, 200, 404)
# A counted result before it is published: the committee, supervisors and auditors.
INSIDERS = (LOGIN, 404, 200, 404, 200, 200, 404)
# A page with the committee's form: its POST from a reader shows the page again and changes nothing.
FORM_PAGE = lambda answer: (LOGIN, 200, answer, 200, 200, 200, 404)  # noqa: E731
# The red/black board (issue 19): board.view (the estate's owners, its committee, community staff and
# supervisors, not auditors: R-60), board.nominate (owners, the committee and community staff).
BOARD_READERS = (LOGIN, 200, 200, 200, 200, 404, 404)
NOMINATORS = lambda answer: (LOGIN, answer, answer, answer, 404, 404, 404)  # noqa: E731
# Supervision (issue 17): supervisors only; community staff and supervisors (the group); and the
# committee with both (the handover).
SUPERVISOR_ONLY = lambda answer: (LOGIN, 404, 404, 404, answer, 404, 404)  # noqa: E731
GROUP_STAFF = lambda answer: (LOGIN, 404, 404, answer, answer, 404, 404)  # noqa: E731
HANDOVER_PEOPLE = lambda answer: (LOGIN, 404, answer, answer, answer, 404, 404)  # noqa: E731
# A POST that starts a job leads to the job's progress page, at an id made for it (``_answers``).
STARTS_A_JOB = "/jobs/<new>"
starts_a_job = lambda row: tuple(STARTS_A_JOB if answer == 200 else answer for answer in row)  # noqa: E731
FUNDS = "/estates/{estate_mine}/funds"
FUND = FUNDS + "/maintenance_fund"
ENTRY = FUNDS + "/entries/{fund_entry_mine}"
DRAFT = FUNDS + "/entries/{fund_draft_mine}"

#   anonymous  owner  member  staff  supervisor  auditor  admin
MATRIX: dict[tuple[str, str], dict[str | tuple[str, str], tuple]] = {
    # --- public pages ---
    ("GET", "/static/<path:filename>"): {"/static/css/site.css": EVERYONE(200)},
    ("GET", "/"): {"/": EVERYONE(200)},
    ("GET", "/healthz"): {"/healthz": EVERYONE(200)},
    ("GET", "/readyz"): {"/readyz": EVERYONE(200)},
    # From METRICS_ALLOWED (loopback, as the test client) whoever is signed in; elsewhere 404
    # (tests/core/test_health.py).
    ("GET", "/metrics"): {"/metrics": EVERYONE(200)},
    ("POST", "/language"): {"/language": EVERYONE("/")},  # no language chosen: back to the home page
    ("POST", "/display"): {"/display": EVERYONE("/")},  # no display chosen: back to the home page
    ("GET", "/estates/roll-template.csv"): {"/estates/roll-template.csv": EVERYONE(200)},
    # Anyone holding a paper copy may check its number (tests/documents/test_check_page.py).
    ("GET", "/documents/check"): {"/documents/check?number=GV-2026-AAAA-BBBB": EVERYONE(200)},
    ("GET", "/login"): {"/login": (200,) + ("/",) * 6},  # signed in: the home page (issue 14)
    ("POST", "/login"): {"/login": (400,) + ("/",) * 6},
    # The steps after the password or the letter need a pending sign-in or activation.
    ("GET", "/login/verify"): {"/login/verify": EVERYONE("/login")},
    ("POST", "/login/verify"): {"/login/verify": EVERYONE("/login")},
    ("GET", "/account/authenticator"): {"/account/authenticator": EVERYONE("/login")},
    ("POST", "/account/authenticator"): {"/account/authenticator": EVERYONE("/login")},
    ("GET", "/activate"): {"/activate": EVERYONE(200)},
    ("POST", "/activate"): {"/activate": EVERYONE(400)},
    ("GET", "/activate/account"): {"/activate/account": EVERYONE("/activate")},
    ("POST", "/activate/account"): {"/activate/account": EVERYONE("/activate")},
    # A staff account's reset code, then its new password (issue 12): no code checked, back to the start.
    ("GET", "/account/reset"): {"/account/reset": EVERYONE(200)},
    ("POST", "/account/reset"): {"/account/reset": EVERYONE(400)},
    ("GET", "/account/reset/password"): {"/account/reset/password": EVERYONE("/account/reset")},
    ("POST", "/account/reset/password"): {"/account/reset/password": EVERYONE("/account/reset")},
    # --- one's own account ---
    ("GET", "/account"): {"/account": SIGNED_IN(200)},
    ("GET", "/account/password"): {"/account/password": SIGNED_IN(200)},
    ("POST", "/account/password"): {"/account/password": SIGNED_IN(400)},
    ("POST", "/account/recovery-codes"): {"/account/recovery-codes": SIGNED_IN(200)},
    ("POST", "/logout"): {"/logout": SIGNED_IN("/")},
    ("POST", "/logout/everywhere"): {"/logout/everywhere": SIGNED_IN("/")},
    # --- accounts and roles ---
    ("GET", "/admin/users"): {"/admin/users": (LOGIN, 404, 404, 404, 200, 404, 200)},
    ("GET", "/admin/users/new"): {"/admin/users/new": (LOGIN, 404, 404, 404, 200, 404, 200)},
    ("POST", "/admin/users/new"): {"/admin/users/new": (LOGIN, 404, 404, 404, 400, 404, 400)},
    ("GET", "/admin/users/<int:user_id>"): {
        "/admin/users/{user_theirs}": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/admin/users/{platform_admin}": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/admin/users/{subdistrict_supervisor}": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/admin/users/{missing}": (LOGIN, 404, 404, 404, 404, 404, 404),
        # Also a committee member of 东一小区, but platform-wide: out of the supervisor's reach.
        "/admin/users/{user_platform_wide}": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/admin/users/{user_mine}": (LOGIN, 404, 404, 404, 200, 404, 200),
    },
    ("POST", "/admin/users/<int:user_id>/grants"): {
        "/admin/users/{user_theirs}/grants": (LOGIN, 404, 404, 404, 404, 404, "/admin/users/{user_theirs}"),
        "/admin/users/{platform_admin}/grants": (LOGIN, 404, 404, 404, 404, 404, "/admin/users/{platform_admin}"),
        "/admin/users/{user_mine}/grants": (LOGIN, 404, 404, 404, "/admin/users/{user_mine}", 404,
                                            "/admin/users/{user_mine}"),
    },
    ("POST", "/admin/users/<int:user_id>/grants/<int:grant_id>/revoke"): {
        "/admin/users/{user_theirs}/grants/{grant_theirs}/revoke":
            (LOGIN, 404, 404, 404, 404, 404, "/admin/users/{user_theirs}"),
        # A grant of another user, through a user one may manage.
        "/admin/users/{user_mine}/grants/{grant_theirs}/revoke": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/admin/users/{user_mine}/grants/{grant_mine}/revoke":
            (LOGIN, 404, 404, 404, "/admin/users/{user_mine}", 404, "/admin/users/{user_mine}"),
    },
    ("POST", "/admin/users/<int:user_id>/reset"): {
        "/admin/users/{user_theirs}/reset": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/admin/users/{user_platform_wide}/reset": (LOGIN, 404, 404, 404, 404, 404, 200),
        "/admin/users/{user_mine}/reset": (LOGIN, 404, 404, 404, 200, 404, 200),
    },
    # --- estates: platform administrators run accounts, not estates ---
    ("GET", "/estates/<int:estate_id>"): {
        "/estates/{estate_theirs}": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{missing}": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}": (LOGIN, 200, 200, 200, 200, 200, 404),
    },
    ("GET", "/estates/<int:estate_id>/roll/import"): {
        "/estates/{estate_theirs}/roll/import": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/roll/import": (LOGIN, 404, 200, 200, 200, 404, 404),
    },
    ("POST", "/estates/<int:estate_id>/roll/import"): {
        "/estates/{estate_theirs}/roll/import": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/roll/import": (LOGIN, 404, 400, 400, 400, 404, 404),  # no file
    },
    ("POST", "/estates/<int:estate_id>/roll/import/<int:upload_id>"): {
        "/estates/{estate_theirs}/roll/import/{upload_theirs}": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/roll/import/{upload_theirs}": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/roll/import/{upload_mine}":
            (LOGIN, 404, "/estates/{estate_mine}", "/estates/{estate_mine}", "/estates/{estate_mine}", 404, 404),
    },
    ("GET", "/estates/<int:estate_id>/activation"): {
        "/estates/{estate_theirs}/activation": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/activation": (LOGIN, 404, 200, 200, 200, 404, 404),
    },
    ("POST", "/estates/<int:estate_id>/activation/letters"): {
        "/estates/{estate_theirs}/activation/letters": (LOGIN, 404, 404, 404, 404, 404, 404),
        # Every owner without an account already has a letter: back to the activation page.
        "/estates/{estate_mine}/activation/letters": (LOGIN, 404, "/estates/{estate_mine}/activation",
                                                      "/estates/{estate_mine}/activation",
                                                      "/estates/{estate_mine}/activation", 404, 404),
    },
    ("POST", "/estates/<int:estate_id>/activation/<int:code_id>/revoke"): {
        "/estates/{estate_theirs}/activation/{code_theirs}/revoke": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/activation/{code_theirs}/revoke": (LOGIN, 404, 404, 404, 404, 404, 404),
        "/estates/{estate_mine}/activation/{code_mine}/revoke": (LOGIN, 404, "/estates/{estate_mine}/activation",
                                                                 "/estates/{estate_mine}/activation",
                                                                 "/estates/{estate_mine}/activation", 404, 404),
    },
    # --- the audit log (what each sees there: tests/audit/test_page.py) ---
    ("GET", "/audit"): {
        "/audit?estate={estate_theirs}": (LOGIN, 404, 404, 404, 200, 200, 200),
        "/audit": (LOGIN, 404, 404, 404, 200, 200, 200),
    },
    # --- votes: drafts only for those who manage votes; noticed, open and published votes for all
    #     who may view the estate's votes (what each page shows: tests/voting) ---
    ("GET", "/estates/<int:estate_id>/votes"): {
        "/estates/{estate_theirs}/votes": NOBODY,
        "/estates/{missing}/votes": NOBODY,
        "/estates/{estate_mine}/votes": READERS,
    },
    ("GET", "/estates/<int:estate_id>/votes/new"): {
        "/estates/{estate_theirs}/votes/new": NOBODY,
        "/estates/{missing}/votes/new": NOBODY,
        "/estates/{estate_mine}/votes/new": MANAGERS(200),
    },
    ("POST", "/estates/<int:estate_id>/votes/new"): {
        "/estates/{estate_theirs}/votes/new": NOBODY,
        "/estates/{missing}/votes/new": NOBODY,
        "/estates/{estate_mine}/votes/new": MANAGERS(400),  # no title, no dates
    },
    # The estate's voting settings (two-staff paper entry): the committee.
    ("GET", "/estates/<int:estate_id>/votes/settings"): {
        "/estates/{estate_theirs}/votes/settings": NOBODY,
        "/estates/{missing}/votes/settings": NOBODY,
        "/estates/{estate_mine}/votes/settings": MANAGERS(200),
    },
    ("POST", "/estates/<int:estate_id>/votes/settings"): {
        "/estates/{estate_theirs}/votes/settings": NOBODY,
        "/estates/{missing}/votes/settings": NOBODY,
        "/estates/{estate_mine}/votes/settings": MANAGERS("/estates/{estate_mine}/votes"),
    },
    ("GET", "/votes/<int:vote_id>"): {
        "/votes/{vote_draft_theirs}": NOBODY,
        "/votes/{vote_open_theirs}": NOBODY,
        "/votes/{vote_published_theirs}": NOBODY,
        "/votes/{missing}": NOBODY,
        "/votes/{vote_draft_mine}": MANAGERS(200),
        "/votes/{vote_open_mine}": READERS,
        "/votes/{vote_published_mine}": READERS,
    },
    ("POST", "/votes/<int:vote_id>/items"): {
        "/votes/{vote_draft_theirs}/items": NOBODY,
        "/votes/{missing}/items": NOBODY,
        "/votes/{vote_open_mine}/items": MANAGERS("/votes/{vote_open_mine}"),  # no item given
        "/votes/{vote_draft_mine}/items": MANAGERS(400),  # the page again, with what was typed (issue 14)
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/candidates"): {
        "/votes/{vote_draft_theirs}/items/1/candidates": NOBODY,
        "/votes/{missing}/items/1/candidates": NOBODY,
        "/votes/{vote_draft_mine}/items/9/candidates": NOBODY,  # no such item
        "/votes/{vote_draft_mine}/items/1/candidates": MANAGERS(400),  # no name given: the page again
    },
    ("POST", "/votes/<int:vote_id>/notice"): {
        "/votes/{vote_draft_theirs}/notice": NOBODY,
        "/votes/{missing}/notice": NOBODY,
        # Refused: noticed long ago (the message is R-40's, the dates being checked before the state).
        "/votes/{vote_open_mine}/notice": MANAGERS("/votes/{vote_open_mine}"),
        "/votes/{vote_draft_mine}/notice": MANAGERS("/votes/{vote_draft_mine}"),
    },
    # Casting: only for a voter one holds a mandate for; 王伟 has voted in the open vote, not in
    # the published one (closed: back to the vote). Nobody casts for a neighbour.
    ("GET", "/votes/<int:vote_id>/ballot"): {
        "/votes/{vote_open_theirs}/ballot?voter={voter_theirs}": NOBODY,
        "/votes/{vote_open_theirs}/ballot?voter={voter_mine}": NOBODY,
        "/votes/{missing}/ballot?voter={voter_mine}": NOBODY,
        "/votes/{vote_draft_mine}/ballot?voter={voter_mine}": NOBODY,
        "/votes/{vote_open_mine}/ballot": NOBODY,  # no voter named
        "/votes/{vote_open_mine}/ballot?voter={voter_neighbour}": NOBODY,
        "/votes/{vote_published_mine}/ballot?voter={voter_mine}": THE_OWNER("/votes/{vote_published_mine}"),
        "/votes/{vote_open_mine}/ballot?voter={voter_mine}": THE_OWNER("/votes/{vote_open_mine}/receipt"),
    },
    ("POST", "/votes/<int:vote_id>/ballot"): {
        "/votes/{vote_open_theirs}/ballot?voter={voter_theirs}": NOBODY,
        "/votes/{missing}/ballot?voter={voter_mine}": NOBODY,
        "/votes/{vote_open_mine}/ballot": NOBODY,
        "/votes/{vote_open_mine}/ballot?voter={voter_neighbour}": NOBODY,
        "/votes/{vote_published_mine}/ballot?voter={voter_mine}": THE_OWNER("/votes/{vote_published_mine}"),
        "/votes/{vote_open_mine}/ballot?voter={voter_mine}": THE_OWNER("/votes/{vote_open_mine}/receipt"),
    },
    ("POST", "/votes/<int:vote_id>/ballot/confirm"): {
        ("/votes/{vote_open_theirs}/ballot/confirm", "voter={voter_theirs}"): NOBODY,
        ("/votes/{missing}/ballot/confirm", "voter={voter_mine}"): NOBODY,
        "/votes/{vote_open_mine}/ballot/confirm": NOBODY,  # no voter named
        ("/votes/{vote_open_mine}/ballot/confirm", "voter={voter_neighbour}"): NOBODY,
        ("/votes/{vote_published_mine}/ballot/confirm", "voter={voter_mine}"): THE_OWNER(400),  # no code
        ("/votes/{vote_open_mine}/ballot/confirm", "voter={voter_mine}"): THE_OWNER("/votes/{vote_open_mine}/receipt"),
    },
    ("GET", "/votes/<int:vote_id>/receipt"): {
        "/votes/{vote_open_theirs}/receipt?voter={voter_theirs}": NOBODY,  # 赵敏 has voted there
        "/votes/{missing}/receipt?voter={voter_mine}": NOBODY,
        "/votes/{vote_open_mine}/receipt?voter={voter_neighbour}": NOBODY,
        "/votes/{vote_published_mine}/receipt?voter={voter_mine}": NOBODY,  # 王伟 did not vote there
        "/votes/{vote_open_mine}/receipt?voter={voter_mine}": THE_OWNER(200),
    },
    ("GET", "/votes/<int:vote_id>/board"): {
        "/votes/{vote_open_theirs}/board": NOBODY,
        "/votes/{missing}/board": NOBODY,
        "/votes/{vote_draft_mine}/board": MANAGERS(200),
        "/votes/{vote_open_mine}/board": READERS,
        "/votes/{vote_published_mine}/board": READERS,
    },
    # Paper ballots and proxies: the committee and community staff (staff see no drafts).
    ("GET", "/votes/<int:vote_id>/paper"): {
        "/votes/{vote_open_theirs}/paper": NOBODY,
        "/votes/{missing}/paper": NOBODY,
        "/votes/{vote_draft_mine}/paper": MANAGERS(200),
        "/votes/{vote_open_mine}/paper": PAPER_STAFF(200),
    },
    ("POST", "/votes/<int:vote_id>/paper"): {
        "/votes/{vote_open_theirs}/paper": NOBODY,
        "/votes/{missing}/paper": NOBODY,
        "/votes/{vote_open_mine}/paper": PAPER_STAFF(400),  # no unit, no scan
    },
    ("POST", "/votes/<int:vote_id>/paper/<int:entry_id>/<any(confirm, reject):decision>"): {
        "/votes/{vote_open_theirs}/paper/{entry_theirs}/confirm": NOBODY,
        # The other estate's entry through one's own vote; an entry of another vote of the estate.
        "/votes/{vote_open_mine}/paper/{entry_theirs}/confirm": NOBODY,
        "/votes/{vote_open_mine}/paper/{missing}/confirm": NOBODY,
        "/votes/{vote_published_mine}/paper/{entry_mine}/confirm": NOBODY,
        # Entered by another committee member: confirmed (or rejected), then already decided.
        "/votes/{vote_open_mine}/paper/{entry_mine}/confirm": PAPER_STAFF("/votes/{vote_open_mine}/paper"),
        "/votes/{vote_open_mine}/paper/{entry_mine}/reject": PAPER_STAFF("/votes/{vote_open_mine}/paper"),
    },
    # A paper ballot waiting for a second staff member, with its choices: those who may confirm it
    # (it was entered by another committee member), and nobody once decided (issue 12).
    ("GET", "/votes/<int:vote_id>/paper/<int:entry_id>"): {
        "/votes/{vote_open_theirs}/paper/{entry_theirs}": NOBODY,
        "/votes/{vote_open_mine}/paper/{entry_theirs}": NOBODY,
        "/votes/{vote_open_mine}/paper/{missing}": NOBODY,
        "/votes/{vote_published_mine}/paper/{entry_recorded_mine}": NOBODY,
        "/votes/{vote_open_mine}/paper/{entry_mine}": PAPER_STAFF(200),
    },
    ("GET", "/votes/<int:vote_id>/paper/<int:entry_id>/scan"): {
        "/votes/{vote_open_theirs}/paper/{entry_theirs}/scan": NOBODY,
        "/votes/{vote_open_mine}/paper/{entry_theirs}/scan": NOBODY,
        "/votes/{vote_open_mine}/paper/{missing}/scan": NOBODY,
        "/votes/{vote_published_mine}/paper/{entry_mine}/scan": NOBODY,
        # Waiting: the second staff member compares the entry with the scan. Supervisors and
        # auditors see no scan before the vote closes (issue 12).
        "/votes/{vote_open_mine}/paper/{entry_mine}/scan": PAPER_STAFF(200),
        # A recorded ballot shows how an owner voted: the committee sees only totals, and only
        # supervisors and auditors see individual choices (DESIGN.md, "Verifiability"). The app
        # still serves it to the committee and community staff (200): it fails here.
        "/votes/{vote_published_mine}/paper/{entry_recorded_mine}/scan": AUDITORS,
    },
    ("GET", "/votes/<int:vote_id>/proxies"): {
        "/votes/{vote_open_theirs}/proxies": NOBODY,
        "/votes/{missing}/proxies": NOBODY,
        "/votes/{vote_draft_mine}/proxies": MANAGERS(200),
        "/votes/{vote_open_mine}/proxies": PAPER_STAFF(200),
    },
    ("POST", "/votes/<int:vote_id>/proxies"): {
        "/votes/{vote_open_theirs}/proxies": NOBODY,
        "/votes/{missing}/proxies": NOBODY,
        "/votes/{vote_open_mine}/proxies": PAPER_STAFF(400),  # no unit, no authority
    },
    # Counting and publishing: the committee; both refused here (still open; already published).
    ("POST", "/votes/<int:vote_id>/count"): {
        "/votes/{vote_open_theirs}/count": NOBODY,
        "/votes/{missing}/count": NOBODY,
        "/votes/{vote_open_mine}/count": MANAGERS("/votes/{vote_open_mine}"),
        "/votes/{vote_published_mine}/count": MANAGERS("/votes/{vote_published_mine}"),
    },
    ("POST", "/votes/<int:vote_id>/publish"): {
        "/votes/{vote_published_theirs}/publish": NOBODY,
        "/votes/{missing}/publish": NOBODY,
        "/votes/{vote_open_mine}/publish": MANAGERS("/votes/{vote_open_mine}/result"),
        "/votes/{vote_published_mine}/publish": MANAGERS("/votes/{vote_published_mine}/result"),
    },
    ("GET", "/votes/<int:vote_id>/result"): {
        "/votes/{vote_published_theirs}/result": NOBODY,
        "/votes/{missing}/result": NOBODY,
        "/votes/{vote_open_mine}/result": NOBODY,  # nothing counted yet
        "/votes/{vote_published_mine}/result": READERS,
    },
    # The documents of a vote: as its result page (what each PDF holds: tests/documents). The filing
    # form is for the committee, supervisors and auditors, and only for a vote with an election: the
    # published vote here has none.
    ("GET", "/votes/<int:vote_id>/result-announcement.pdf"): {
        "/votes/{vote_published_theirs}/result-announcement.pdf": NOBODY,
        "/votes/{missing}/result-announcement.pdf": NOBODY,
        "/votes/{vote_open_mine}/result-announcement.pdf": NOBODY,  # nothing counted yet
        "/votes/{vote_published_mine}/result-announcement.pdf": READERS,
    },
    ("GET", "/votes/<int:vote_id>/minutes.pdf"): {
        "/votes/{vote_published_theirs}/minutes.pdf": NOBODY,
        "/votes/{missing}/minutes.pdf": NOBODY,
        "/votes/{vote_open_mine}/minutes.pdf": NOBODY,
        "/votes/{vote_published_mine}/minutes.pdf": READERS,
    },
    ("GET", "/votes/<int:vote_id>/filing-form.pdf"): {
        "/votes/{vote_published_theirs}/filing-form.pdf": NOBODY,
        "/votes/{missing}/filing-form.pdf": NOBODY,
        "/votes/{vote_open_mine}/filing-form.pdf": NOBODY,
        "/votes/{vote_published_mine}/filing-form.pdf": NOBODY,  # no election in it
    },
    # Individual choices: supervisors and auditors (every download and view is audited).
    # The bundle is made by a job (tests/voting/test_bundle_job.py).
    ("POST", "/votes/<int:vote_id>/bundle"): {
        "/votes/{vote_published_theirs}/bundle": NOBODY,
        "/votes/{missing}/bundle": NOBODY,
        "/votes/{vote_open_mine}/bundle": NOBODY,  # nothing counted yet
        "/votes/{vote_published_mine}/bundle": starts_a_job(AUDITORS),
    },
    ("GET", "/votes/<int:vote_id>/ballots"): {
        "/votes/{vote_published_theirs}/ballots": NOBODY,
        "/votes/{missing}/ballots": NOBODY,
        "/votes/{vote_draft_mine}/ballots": NOBODY,
        "/votes/{vote_open_mine}/ballots": NOBODY,  # not while voting goes on (issue 12)
        "/votes/{vote_published_mine}/ballots": AUDITORS,
    },
    # --- the accounts (R-50 to R-55; what each page shows: tests/funds) ---
    ("GET", "/estates/<int:estate_id>/funds"): {
        "/estates/{estate_theirs}/funds": NOBODY,
        "/estates/{missing}/funds": NOBODY,
        FUNDS: READERS,
    },
    # The accounts are open already: refused, back to the overview (an empty form is refused first).
    ("POST", "/estates/<int:estate_id>/funds/setup"): {
        "/estates/{estate_theirs}/funds/setup": NOBODY,
        "/estates/{missing}/funds/setup": NOBODY,
        FUNDS + "/setup": MANAGERS(FUNDS),
    },
    ("POST", "/estates/<int:estate_id>/funds/policy"): {
        "/estates/{estate_theirs}/funds/policy": NOBODY,
        "/estates/{missing}/funds/policy": NOBODY,
        FUNDS + "/policy": MANAGERS(FUNDS),  # an empty form unticks the box
    },
    ("POST", "/estates/<int:estate_id>/funds/unit-balances"): {
        "/estates/{estate_theirs}/funds/unit-balances": NOBODY,
        "/estates/{missing}/funds/unit-balances": NOBODY,
        FUNDS + "/unit-balances": MANAGERS(FUNDS),  # no file: back with a message
    },
    ("POST", "/estates/<int:estate_id>/funds/transfer"): {
        "/estates/{estate_theirs}/funds/transfer": NOBODY,
        "/estates/{missing}/funds/transfer": NOBODY,
        FUNDS + "/transfer": MANAGERS(FUNDS),  # no accounts, no amount
    },
    ("GET", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>"): {
        "/estates/{estate_theirs}/funds/maintenance_fund": NOBODY,
        "/estates/{missing}/funds/maintenance_fund": NOBODY,
        FUND: READERS,
        FUNDS + "/working_fund": READERS,
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/entries"): {
        "/estates/{estate_theirs}/funds/maintenance_fund/entries": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/entries": NOBODY,
        FUND + "/entries": MANAGERS(FUND),  # nothing filled in: back to the account
    },
    ("GET", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/bank"): {
        "/estates/{estate_theirs}/funds/maintenance_fund/bank": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/bank": NOBODY,
        FUND + "/bank": MANAGERS(200),
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/bank"): {
        "/estates/{estate_theirs}/funds/maintenance_fund/bank": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/bank": NOBODY,
        FUND + "/bank": MANAGERS(200),  # no file: the upload page again
    },
    ("GET", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/statements/new"):
        {
        "/estates/{estate_theirs}/funds/maintenance_fund/statements/new": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/statements/new": NOBODY,
        FUND + "/statements/new": MANAGERS(200),
    },
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/statements/new"):
        {
        "/estates/{estate_theirs}/funds/maintenance_fund/statements/new": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/statements/new": NOBODY,
        FUND + "/statements/new": MANAGERS(200),  # a preview; publishing is its own request
    },
    # Only the committee chair publishes (R-54), and the world's committee member is not the chair.
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/statements"): {
        "/estates/{estate_theirs}/funds/maintenance_fund/statements": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/statements": NOBODY,
        FUND + "/statements": NOBODY,
    },
    # Entries: drafts (unchecked bank lines) only for the committee.
    ("GET", "/estates/<int:estate_id>/funds/entries/<int:entry_id>"): {
        "/estates/{estate_theirs}/funds/entries/{fund_entry_theirs}": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_entry_theirs}": NOBODY,
        "/estates/{estate_mine}/funds/entries/{missing}": NOBODY,
        "/estates/{estate_theirs}/funds/entries/{fund_entry_mine}": NOBODY,
        DRAFT: MANAGERS(200),
        ENTRY: READERS,
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/post"): {
        "/estates/{estate_theirs}/funds/entries/{fund_draft_theirs}/post": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_draft_theirs}/post": NOBODY,
        "/estates/{estate_mine}/funds/entries/{missing}/post": NOBODY,
        ENTRY + "/post": MANAGERS(ENTRY),  # no category given
        DRAFT + "/post": MANAGERS(DRAFT),
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/discard"): {
        "/estates/{estate_theirs}/funds/entries/{fund_draft_theirs}/discard": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_draft_theirs}/discard": NOBODY,
        "/estates/{estate_mine}/funds/entries/{missing}/discard": NOBODY,
        ENTRY + "/discard": MANAGERS(ENTRY),  # refused: not a draft
        DRAFT + "/discard": MANAGERS(FUND),  # discarded: back to the account
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/reverse"): {
        "/estates/{estate_theirs}/funds/entries/{fund_entry_theirs}/reverse": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_entry_theirs}/reverse": NOBODY,
        "/estates/{estate_mine}/funds/entries/{missing}/reverse": NOBODY,
        ENTRY + "/reverse": MANAGERS(ENTRY),  # no date, no reason
    },
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence"): {
        "/estates/{estate_theirs}/funds/entries/{fund_entry_theirs}/evidence": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_entry_theirs}/evidence": NOBODY,
        "/estates/{estate_mine}/funds/entries/{missing}/evidence": NOBODY,
        ENTRY + "/evidence": MANAGERS(ENTRY),  # no file
    },
    ("GET", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/evidence/<int:evidence_id>"): {
        "/estates/{estate_theirs}/funds/entries/{fund_entry_theirs}/evidence/{evidence_theirs}": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_entry_theirs}/evidence/{evidence_theirs}": NOBODY,
        # The other estate's receipt through one's own entry.
        ENTRY + "/evidence/{evidence_theirs}": NOBODY,
        ENTRY + "/evidence/{missing}": NOBODY,
        ENTRY + "/evidence/{evidence_mine}": READERS,
    },
    # Owners ask about the entries of their estate (funds.ask), never about a draft they cannot see.
    ("POST", "/estates/<int:estate_id>/funds/entries/<int:entry_id>/questions"): {
        "/estates/{estate_theirs}/funds/entries/{fund_entry_theirs}/questions": NOBODY,
        "/estates/{estate_mine}/funds/entries/{fund_entry_theirs}/questions": NOBODY,
        "/estates/{estate_mine}/funds/entries/{missing}/questions": NOBODY,
        DRAFT + "/questions": NOBODY,
        ENTRY + "/questions": THE_OWNER(ENTRY),  # nothing written
    },
    ("POST", "/estates/<int:estate_id>/funds/questions/<int:question_id>/answer"): {
        "/estates/{estate_theirs}/funds/questions/{question_theirs}/answer": NOBODY,
        "/estates/{estate_mine}/funds/questions/{question_theirs}/answer": NOBODY,
        "/estates/{estate_mine}/funds/questions/{missing}/answer": NOBODY,
        FUNDS + "/questions/{question_mine}/answer": MANAGERS(ENTRY),  # nothing written: back to the entry
    },
    ("GET", "/estates/<int:estate_id>/funds/statements/<int:statement_id>"): {
        "/estates/{estate_theirs}/funds/statements/{statement_theirs}": NOBODY,
        "/estates/{estate_mine}/funds/statements/{statement_theirs}": NOBODY,
        "/estates/{estate_mine}/funds/statements/{missing}": NOBODY,
        FUNDS + "/statements/{statement_mine}": READERS,
    },
    ("GET", "/estates/<int:estate_id>/funds/statements/<int:statement_id>.<any(csv, xlsx):fmt>"): {
        "/estates/{estate_theirs}/funds/statements/{statement_theirs}.csv": NOBODY,
        "/estates/{estate_mine}/funds/statements/{statement_theirs}.xlsx": NOBODY,
        "/estates/{estate_mine}/funds/statements/{missing}.csv": NOBODY,
        FUNDS + "/statements/{statement_mine}.csv": READERS,
        FUNDS + "/statements/{statement_mine}.xlsx": READERS,
    },
    ("GET", "/estates/<int:estate_id>/funds/statements/<int:statement_id>.pdf"): {
        "/estates/{estate_theirs}/funds/statements/{statement_theirs}.pdf": NOBODY,
        "/estates/{estate_mine}/funds/statements/{statement_theirs}.pdf": NOBODY,
        "/estates/{estate_mine}/funds/statements/{missing}.pdf": NOBODY,
        FUNDS + "/statements/{statement_mine}.pdf": READERS,
    },
    # Every estate of one's scope, for those who supervise the accounts.
    ("GET", "/funds/supervision"): {"/funds/supervision": SUPERVISORS},
    # --- PDF documents and the public check of their numbers (what they say: tests/documents) ---
    ("GET", "/documents/check"): {
        "/documents/check": EVERYONE(200),
        "/documents/check?number=GV-2026-0000-0000": EVERYONE(200),  # unknown: said so, to anyone
    },
    # Once counted for those who may see the result then; once published for every reader.
    ("GET", "/votes/<int:vote_id>/result-announcement.pdf"): {
        "/votes/{vote_published_theirs}/result-announcement.pdf": NOBODY,
        "/votes/{vote_counted_theirs}/result-announcement.pdf": NOBODY,
        "/votes/{missing}/result-announcement.pdf": NOBODY,
        "/votes/{vote_draft_mine}/result-announcement.pdf": NOBODY,
        "/votes/{vote_open_mine}/result-announcement.pdf": NOBODY,  # nothing counted yet
        "/votes/{vote_counted_mine}/result-announcement.pdf": INSIDERS,
        "/votes/{vote_published_mine}/result-announcement.pdf": READERS,
    },
    # The button of a large estate's page: a job prints it (tests/documents/test_announcement_job.py).
    ("POST", "/votes/<int:vote_id>/result-announcement"): {
        "/votes/{vote_published_theirs}/result-announcement": NOBODY,
        "/votes/{vote_counted_theirs}/result-announcement": NOBODY,
        "/votes/{missing}/result-announcement": NOBODY,
        "/votes/{vote_draft_mine}/result-announcement": NOBODY,
        "/votes/{vote_open_mine}/result-announcement": NOBODY,  # nothing counted yet
        "/votes/{vote_counted_mine}/result-announcement": starts_a_job(INSIDERS),
        "/votes/{vote_published_mine}/result-announcement": starts_a_job(READERS),
    },
    ("GET", "/votes/<int:vote_id>/minutes.pdf"): {
        "/votes/{vote_published_theirs}/minutes.pdf": NOBODY,
        "/votes/{vote_counted_theirs}/minutes.pdf": NOBODY,
        "/votes/{missing}/minutes.pdf": NOBODY,
        "/votes/{vote_draft_mine}/minutes.pdf": NOBODY,
        "/votes/{vote_open_mine}/minutes.pdf": NOBODY,
        "/votes/{vote_counted_mine}/minutes.pdf": INSIDERS,
        "/votes/{vote_published_mine}/minutes.pdf": READERS,
    },
    # R-46: an election's filing form, for the committee and the sub-district that checks it.
    ("GET", "/votes/<int:vote_id>/filing-form.pdf"): {
        "/votes/{vote_counted_theirs}/filing-form.pdf": NOBODY,
        "/votes/{missing}/filing-form.pdf": NOBODY,
        "/votes/{vote_open_mine}/filing-form.pdf": NOBODY,
        "/votes/{vote_published_mine}/filing-form.pdf": NOBODY,  # no election in it
        "/votes/{vote_counted_mine}/filing-form.pdf": INSIDERS,
    },
    ("GET", "/estates/<int:estate_id>/funds/statements/<int:statement_id>.pdf"): {
        "/estates/{estate_theirs}/funds/statements/{statement_theirs}.pdf": NOBODY,
        "/estates/{estate_mine}/funds/statements/{statement_theirs}.pdf": NOBODY,
        "/estates/{estate_mine}/funds/statements/{missing}.pdf": NOBODY,
        FUNDS + "/statements/{statement_mine}.pdf": READERS,
    },
    # --- what the committee posts for the estate (R-42 to R-45, R-55; pages: tests/disclosure) ---
    ("GET", "/estates/<int:estate_id>/notices"): {
        "/estates/{estate_theirs}/notices": NOBODY,
        "/estates/{missing}/notices": NOBODY,
        "/estates/{estate_mine}/notices": READERS,
    },
    ("POST", "/estates/<int:estate_id>/notices"): {
        "/estates/{estate_theirs}/notices": NOBODY,
        "/estates/{missing}/notices": NOBODY,
        "/estates/{estate_mine}/notices": FORM_PAGE(400),  # no title, no text
    },
    # A notice not yet showing is the committee's only.
    ("GET", "/estates/<int:estate_id>/notices/<int:notice_id>"): {
        "/estates/{estate_theirs}/notices/{notice_theirs}": NOBODY,
        "/estates/{estate_mine}/notices/{notice_theirs}": NOBODY,
        "/estates/{estate_mine}/notices/{missing}": NOBODY,
        "/estates/{estate_mine}/notices/{notice_future_mine}": MANAGERS(200),
        "/estates/{estate_mine}/notices/{notice_mine}": READERS,
    },
    ("GET", "/estates/<int:estate_id>/notices/<int:notice_id>/attachments/<int:attachment_id>"): {
        "/estates/{estate_theirs}/notices/{notice_theirs}/attachments/{attachment_theirs}": NOBODY,
        "/estates/{estate_mine}/notices/{notice_theirs}/attachments/{attachment_theirs}": NOBODY,
        # The other estate's attachment through one's own notice.
        "/estates/{estate_mine}/notices/{notice_mine}/attachments/{attachment_theirs}": NOBODY,
        "/estates/{estate_mine}/notices/{notice_mine}/attachments/{missing}": NOBODY,
        "/estates/{estate_mine}/notices/{notice_future_mine}/attachments/{attachment_future_mine}": MANAGERS(200),
        "/estates/{estate_mine}/notices/{notice_mine}/attachments/{attachment_mine}": READERS,
    },
    # An empty form is enough to withdraw: out of scope first, then withdrawn.
    ("POST", "/estates/<int:estate_id>/notices/<int:notice_id>/withdraw"): {
        "/estates/{estate_theirs}/notices/{notice_theirs}/withdraw": NOBODY,
        "/estates/{estate_mine}/notices/{notice_theirs}/withdraw": NOBODY,
        "/estates/{estate_mine}/notices/{missing}/withdraw": NOBODY,
        "/estates/{estate_mine}/notices/{notice_mine}/withdraw": MANAGERS("/estates/{estate_mine}/notices"),
    },
    ("GET", "/estates/<int:estate_id>/documents"): {
        "/estates/{estate_theirs}/documents": NOBODY,
        "/estates/{missing}/documents": NOBODY,
        "/estates/{estate_mine}/documents": READERS,
    },
    ("POST", "/estates/<int:estate_id>/documents"): {
        "/estates/{estate_theirs}/documents": NOBODY,
        "/estates/{missing}/documents": NOBODY,
        "/estates/{estate_mine}/documents": FORM_PAGE(400),  # no title, no file
    },
    ("GET", "/estates/<int:estate_id>/documents/versions/<int:version_id>"): {
        "/estates/{estate_theirs}/documents/versions/{version_theirs}": NOBODY,
        "/estates/{estate_mine}/documents/versions/{version_theirs}": NOBODY,
        "/estates/{estate_mine}/documents/versions/{missing}": NOBODY,
        "/estates/{estate_mine}/documents/versions/{version_mine}": READERS,
    },
    ("GET", "/estates/<int:estate_id>/committee"): {
        "/estates/{estate_theirs}/committee": NOBODY,
        "/estates/{missing}/committee": NOBODY,
        "/estates/{estate_mine}/committee": READERS,
    },
    ("POST", "/estates/<int:estate_id>/committee"): {
        "/estates/{estate_theirs}/committee": NOBODY,
        "/estates/{missing}/committee": NOBODY,
        "/estates/{estate_mine}/committee": FORM_PAGE(400),  # no name, no term
    },
    # R-44: every member's signed pledge is shown to the estate.
    ("GET", "/estates/<int:estate_id>/committee/<int:member_id>/pledge"): {
        "/estates/{estate_theirs}/committee/{member_theirs}/pledge": NOBODY,
        "/estates/{estate_mine}/committee/{member_theirs}/pledge": NOBODY,
        "/estates/{estate_mine}/committee/{missing}/pledge": NOBODY,
        "/estates/{estate_mine}/committee/{member_mine}/pledge": READERS,
    },
    ("POST", "/estates/<int:estate_id>/meetings"): {
        "/estates/{estate_theirs}/meetings": NOBODY,
        "/estates/{missing}/meetings": NOBODY,
        "/estates/{estate_mine}/meetings": MANAGERS("/estates/{estate_mine}/committee"),  # no title, no time
    },
    # A meeting held but not posted yet (its minutes and decisions) is the committee's only.
    ("GET", "/estates/<int:estate_id>/meetings/<int:meeting_id>"): {
        "/estates/{estate_theirs}/meetings/{meeting_posted_theirs}": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_posted_theirs}": NOBODY,
        "/estates/{estate_mine}/meetings/{missing}": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_mine}": MANAGERS(200),
        "/estates/{estate_mine}/meetings/{meeting_posted_mine}": READERS,
    },
    # The minutes as a PDF: the same readers as the meeting page.
    ("GET", "/estates/<int:estate_id>/meetings/<int:meeting_id>/minutes.pdf"): {
        "/estates/{estate_theirs}/meetings/{meeting_posted_theirs}/minutes.pdf": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_posted_theirs}/minutes.pdf": NOBODY,
        "/estates/{estate_mine}/meetings/{missing}/minutes.pdf": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_mine}/minutes.pdf": MANAGERS(200),
        "/estates/{estate_mine}/meetings/{meeting_posted_mine}/minutes.pdf": READERS,
    },
    ("POST", "/estates/<int:estate_id>/meetings/<int:meeting_id>/attendance"): {
        "/estates/{estate_theirs}/meetings/{meeting_held_theirs}/attendance": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_theirs}/attendance": NOBODY,
        "/estates/{estate_mine}/meetings/{missing}/attendance": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_mine}/attendance":
            MANAGERS("/estates/{estate_mine}/meetings/{meeting_held_mine}"),  # no day given
    },
    ("POST", "/estates/<int:estate_id>/meetings/<int:meeting_id>/decisions"): {
        "/estates/{estate_theirs}/meetings/{meeting_held_theirs}/decisions": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_theirs}/decisions": NOBODY,
        "/estates/{estate_mine}/meetings/{missing}/decisions": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_mine}/decisions":
            MANAGERS("/estates/{estate_mine}/meetings/{meeting_held_mine}"),  # nothing written
    },
    # An empty form is enough to post: out of scope first, then the posted one (refused), then posted.
    ("POST", "/estates/<int:estate_id>/meetings/<int:meeting_id>/post"): {
        "/estates/{estate_theirs}/meetings/{meeting_held_theirs}/post": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_held_theirs}/post": NOBODY,
        "/estates/{estate_mine}/meetings/{missing}/post": NOBODY,
        "/estates/{estate_mine}/meetings/{meeting_posted_mine}/post":
            MANAGERS("/estates/{estate_mine}/meetings/{meeting_posted_mine}"),
        "/estates/{estate_mine}/meetings/{meeting_held_mine}/post":
            MANAGERS("/estates/{estate_mine}/meetings/{meeting_held_mine}"),
    },
    # --- issue 14 (with issue 13): imported bank lines posted several at a time, by the committee.
    ("POST", "/estates/<int:estate_id>/funds/<any(maintenance_fund, common_income, working_fund):kind>/drafts"): {
        "/estates/{estate_theirs}/funds/maintenance_fund/drafts": NOBODY,
        "/estates/{missing}/funds/maintenance_fund/drafts": NOBODY,
        FUND + "/drafts": MANAGERS(303),  # nothing chosen: refused, back to the form (no referrer here)
    },
    # --- conventions and the red/black board (issue 19, R-60 to R-65; pages: tests/pledges) ---
    # The board: the estate's owners, its committee, community staff and the sub-district (R-60);
    # each due-process step its own action. The world's black-board entry is about the owner 王伟
    # (1-101), notified and in its objection window; its red-board entry is his nomination of 1-102.
    ("GET", "/estates/<int:estate_id>/conventions"): {
        "/estates/{estate_theirs}/conventions": NOBODY,
        "/estates/{missing}/conventions": NOBODY,
        "/estates/{estate_mine}/conventions": READERS,
    },
    ("POST", "/estates/<int:estate_id>/conventions/<int:document_id>/clauses"): {
        "/estates/{estate_theirs}/conventions/{convention_theirs}/clauses": NOBODY,
        "/estates/{estate_mine}/conventions/{convention_theirs}/clauses": NOBODY,
        "/estates/{estate_mine}/conventions/{missing}/clauses": NOBODY,
        "/estates/{estate_mine}/conventions/{convention_mine}/clauses": MANAGERS(400),  # no number, no text
    },
    ("POST", "/estates/<int:estate_id>/conventions/<int:document_id>/sign"): {
        "/estates/{estate_theirs}/conventions/{convention_theirs}/sign": NOBODY,
        "/estates/{estate_mine}/conventions/{convention_theirs}/sign": NOBODY,
        "/estates/{estate_mine}/conventions/{missing}/sign": NOBODY,
        "/estates/{estate_mine}/conventions/{convention_mine}/sign": THE_OWNER("/estates/{estate_mine}/conventions"),
    },
    ("GET", "/estates/<int:estate_id>/board"): {
        "/estates/{estate_theirs}/board": NOBODY,
        "/estates/{missing}/board": NOBODY,
        "/estates/{estate_mine}/board": BOARD_READERS,
    },
    ("GET", "/estates/<int:estate_id>/board/nominate"): {
        "/estates/{estate_theirs}/board/nominate": NOBODY,
        "/estates/{estate_mine}/board/nominate": NOMINATORS(200),
    },
    ("POST", "/estates/<int:estate_id>/board/nominate"): {
        "/estates/{estate_theirs}/board/nominate": NOBODY,
        "/estates/{estate_mine}/board/nominate": NOMINATORS(400),  # no unit, no reason
    },
    ("GET", "/estates/<int:estate_id>/board/breaches/new"): {
        "/estates/{estate_theirs}/board/breaches/new": NOBODY,
        "/estates/{estate_mine}/board/breaches/new": PAPER_STAFF(200),
    },
    ("POST", "/estates/<int:estate_id>/board/breaches/new"): {
        "/estates/{estate_theirs}/board/breaches/new": NOBODY,
        "/estates/{estate_mine}/board/breaches/new": PAPER_STAFF(400),  # nothing typed
    },
    ("GET", "/estates/<int:estate_id>/board/manage"): {
        "/estates/{estate_theirs}/board/manage": NOBODY,
        "/estates/{estate_mine}/board/manage": PAPER_STAFF(200),
    },
    # An entry: the committee and community staff, and the person concerned once notified.
    ("GET", "/estates/<int:estate_id>/board/entries/<int:entry_id>"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}": NOBODY,
        "/estates/{estate_mine}/board/entries/{missing}": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_red_mine}": PAPER_STAFF(200),
        "/estates/{estate_mine}/board/entries/{board_black_mine}": (LOGIN, 200, 200, 200, 404, 404, 404),
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/evidence"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/evidence": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/evidence": NOBODY,
        "/estates/{estate_mine}/board/entries/{missing}/evidence": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/evidence": PAPER_STAFF(400),  # no file
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/approve"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/approve": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/approve": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/approve": MANAGERS(400),  # no decision
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/notify"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/notify": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/notify": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/notify": MANAGERS(400),  # how not said
    },
    ("GET", "/estates/<int:estate_id>/board/entries/<int:entry_id>/notice.pdf"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/notice.pdf": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/notice.pdf": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_red_mine}/notice.pdf": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/notice.pdf": (LOGIN, 200, 200, 404, 404, 404, 404),
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/objection"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/objection": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/objection": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/objection": THE_OWNER(400),  # no reasons
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/objection/decision"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/objection/decision": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/objection/decision": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/objection/decision": MANAGERS(400),
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/rectified"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/rectified": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/rectified": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/rectified": PAPER_STAFF(400),  # no day
    },
    # An empty form is enough to pledge: recorded, the entry stays until the rectification is.
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/pledge"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/pledge": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/pledge": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/pledge":
            THE_OWNER("/estates/{estate_mine}/board/entries/{board_black_mine}"),
    },
    ("POST", "/estates/<int:estate_id>/board/entries/<int:entry_id>/recognition"): {
        "/estates/{estate_theirs}/board/entries/{board_red_theirs}/recognition": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_red_theirs}/recognition": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_red_mine}/recognition": MANAGERS(400),  # no answer chosen
    },
    ("GET", "/estates/<int:estate_id>/board/entries/<int:entry_id>/evidence/<int:evidence_id>"): {
        "/estates/{estate_theirs}/board/entries/{board_black_theirs}/evidence/{board_evidence_theirs}": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_theirs}/evidence/{board_evidence_theirs}": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/evidence/{board_evidence_theirs}": NOBODY,
        "/estates/{estate_mine}/board/entries/{board_black_mine}/evidence/{board_evidence_mine}": PAPER_STAFF(200),
    },
    # R-65: the red board only, for community staff and the sub-district.
    ("GET", "/estates/<int:estate_id>/board/red-board.<any(csv, xlsx):extension>"): {
        "/estates/{estate_theirs}/board/red-board.csv": NOBODY,
        "/estates/{estate_mine}/board/red-board.csv": SUPERVISORS[:3] + (200, 200, 404, 404),
        "/estates/{estate_mine}/board/red-board.xlsx": SUPERVISORS[:3] + (200, 200, 404, 404),
    },
    # --- surveys and the rating of the property-service company (issue 20) ---
    # surveys.view (the estate's owners and every kind of staff, as vote.view), surveys.manage (the committee
    # and community staff), surveys.answer (the estate's owners), ratings.manage (the committee),
    # ratings.supervise (community staff, supervisors and auditors).
    ("GET", "/estates/<int:estate_id>/surveys"): {
        "/estates/{estate_theirs}/surveys": NOBODY,
        "/estates/{missing}/surveys": NOBODY,
        "/estates/{estate_mine}/surveys": READERS,
    },
    ("POST", "/estates/<int:estate_id>/surveys"): {
        "/estates/{estate_theirs}/surveys": NOBODY,
        "/estates/{missing}/surveys": NOBODY,
        "/estates/{estate_mine}/surveys": (LOGIN, 200, 400, 400, 200, 200, 404),  # no title, no times
    },
    # A draft is its writers' only.
    ("GET", "/estates/<int:estate_id>/surveys/<int:survey_id>"): {
        "/estates/{estate_theirs}/surveys/{survey_open_theirs}": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_theirs}": NOBODY,
        "/estates/{estate_mine}/surveys/{missing}": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}": PAPER_STAFF(200),
        "/estates/{estate_mine}/surveys/{survey_open_mine}": READERS,
    },
    ("POST", "/estates/<int:estate_id>/surveys/<int:survey_id>/questions"): {
        "/estates/{estate_theirs}/surveys/{survey_draft_theirs}/questions": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_theirs}/questions": NOBODY,
        "/estates/{estate_mine}/surveys/{missing}/questions": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/questions": PAPER_STAFF(400),  # no question
    },
    # A draft's questions are corrected and deleted by its writers; a published survey's are fixed.
    ("GET", "/estates/<int:estate_id>/surveys/<int:survey_id>/questions/<int:position>/edit"): {
        "/estates/{estate_theirs}/surveys/{survey_draft_theirs}/questions/1/edit": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_theirs}/questions/1/edit": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/questions/1/edit": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/questions/9/edit": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/questions/1/edit": PAPER_STAFF(200),
    },
    ("POST", "/estates/<int:estate_id>/surveys/<int:survey_id>/questions/<int:position>/edit"): {
        "/estates/{estate_theirs}/surveys/{survey_draft_theirs}/questions/1/edit": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/questions/1/edit": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/questions/1/edit": PAPER_STAFF(400),  # an empty form
    },
    ("POST", "/estates/<int:estate_id>/surveys/<int:survey_id>/questions/<int:position>/delete"): {
        "/estates/{estate_theirs}/surveys/{survey_draft_theirs}/questions/1/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_theirs}/questions/1/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/questions/1/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/questions/9/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/questions/1/delete":
            PAPER_STAFF("/estates/{estate_mine}/surveys/{survey_draft_mine}"),
    },
    ("POST", "/estates/<int:estate_id>/surveys/<int:survey_id>/delete"): {
        "/estates/{estate_theirs}/surveys/{survey_draft_theirs}/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_theirs}/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{missing}/delete": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/delete":  # refused: published
            PAPER_STAFF("/estates/{estate_mine}/surveys/{survey_open_mine}"),
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/delete": PAPER_STAFF("/estates/{estate_mine}/surveys"),
    },
    # An empty form is enough to publish: the published one is refused, the draft published.
    ("POST", "/estates/<int:estate_id>/surveys/<int:survey_id>/publish"): {
        "/estates/{estate_theirs}/surveys/{survey_draft_theirs}/publish": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_theirs}/publish": NOBODY,
        "/estates/{estate_mine}/surveys/{missing}/publish": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/publish": PAPER_STAFF(303),
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/publish":
            PAPER_STAFF("/estates/{estate_mine}/surveys/{survey_draft_mine}"),
    },
    ("POST", "/estates/<int:estate_id>/surveys/<int:survey_id>/answers"): {
        "/estates/{estate_theirs}/surveys/{survey_open_theirs}/answers": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_theirs}/answers": NOBODY,
        "/estates/{estate_mine}/surveys/{missing}/answers": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_draft_mine}/answers": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/answers": THE_OWNER(400),  # nothing answered
    },
    ("GET", "/estates/<int:estate_id>/surveys/<int:survey_id>/results"): {
        "/estates/{estate_theirs}/surveys/{survey_open_theirs}/results": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_theirs}/results": NOBODY,
        "/estates/{estate_mine}/surveys/{missing}/results": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/results": READERS,
    },
    ("GET", "/estates/<int:estate_id>/surveys/<int:survey_id>/results.<any(csv, xlsx):fmt>"): {
        "/estates/{estate_theirs}/surveys/{survey_open_theirs}/results.csv": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_theirs}/results.xlsx": NOBODY,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/results.csv": READERS,
        "/estates/{estate_mine}/surveys/{survey_open_mine}/results.xlsx": READERS,
    },
    ("GET", "/estates/<int:estate_id>/service"): {
        "/estates/{estate_theirs}/service": NOBODY,
        "/estates/{missing}/service": NOBODY,
        "/estates/{estate_mine}/service": READERS,
    },
    ("POST", "/estates/<int:estate_id>/service/company"): {
        "/estates/{estate_theirs}/service/company": NOBODY,
        "/estates/{missing}/service/company": NOBODY,
        "/estates/{estate_mine}/service/company": MANAGERS(400),  # no name, no contract
    },
    ("GET", "/estates/<int:estate_id>/service/rate"): {
        "/estates/{estate_theirs}/service/rate": NOBODY,
        "/estates/{missing}/service/rate": NOBODY,
        "/estates/{estate_mine}/service/rate": THE_OWNER(200),
    },
    ("POST", "/estates/<int:estate_id>/service/rate"): {
        "/estates/{estate_theirs}/service/rate": NOBODY,
        "/estates/{missing}/service/rate": NOBODY,
        "/estates/{estate_mine}/service/rate": THE_OWNER(400),  # no score
    },
    ("POST", "/estates/<int:estate_id>/service/publish"): {
        "/estates/{estate_theirs}/service/publish": NOBODY,
        "/estates/{missing}/service/publish": NOBODY,
        "/estates/{estate_mine}/service/publish": MANAGERS(400),  # no period
    },
    ("GET", "/supervision/service"): {"/supervision/service": SUPERVISORS},
    ("GET", "/supervision/service.<any(csv, xlsx):fmt>"): {
        "/supervision/service.csv": SUPERVISORS,
        "/supervision/service.xlsx": SUPERVISORS,
    },
    # --- supervision: the dashboard and an estate's re-election (issue 17; pages: tests/supervision) ---
    # supervision.dashboard: community staff, supervisors, auditors (SUPERVISORS); supervision.view: the
    # estate's owners, committee and staff (READERS); supervision.supervise: supervisors;
    # supervision.run: community staff and supervisors; supervision.handover: the committee and both.
    # In scope an empty form shows the page again (200). 东一小区's re-election has its candidate list
    # posted, with an objection; 西一小区's has its group formed.
    ("GET", "/supervision/"): {"/supervision/": SUPERVISORS},
    # A job writes the file (tests/supervision/test_export_job.py).
    ("POST", "/supervision/export.<any(csv, xlsx):fmt>"): {
        "/supervision/export.csv": starts_a_job(SUPERVISORS), "/supervision/export.xlsx": starts_a_job(SUPERVISORS)},
    ("GET", "/supervision/estates/<int:estate_id>"): {
        "/supervision/estates/{estate_theirs}": NOBODY,
        "/supervision/estates/{missing}": NOBODY,
        "/supervision/estates/{estate_mine}": READERS,
    },
    ("POST", "/supervision/estates/<int:estate_id>/start"): {
        "/supervision/estates/{estate_theirs}/start": NOBODY,
        "/supervision/estates/{estate_mine}/start": SUPERVISOR_ONLY(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/stages/<any(report, group, nominations, review, posting, closed):stage>"):
        {
            "/supervision/estates/{estate_theirs}/stages/report": NOBODY,
            "/supervision/estates/{estate_theirs}/stages/posting": NOBODY,
            "/supervision/estates/{estate_mine}/stages/report": SUPERVISOR_ONLY(200),
            "/supervision/estates/{estate_mine}/stages/group": SUPERVISOR_ONLY(200),
            "/supervision/estates/{estate_mine}/stages/closed": SUPERVISOR_ONLY(200),
            "/supervision/estates/{estate_mine}/stages/nominations": GROUP_STAFF(200),
            "/supervision/estates/{estate_mine}/stages/review": GROUP_STAFF(200),
            "/supervision/estates/{estate_mine}/stages/posting": GROUP_STAFF(200),
        },
    ("POST", "/supervision/estates/<int:estate_id>/plan"): {
        "/supervision/estates/{estate_theirs}/plan": NOBODY,
        "/supervision/estates/{estate_mine}/plan": GROUP_STAFF(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/members"): {
        "/supervision/estates/{estate_theirs}/members": NOBODY,
        "/supervision/estates/{estate_mine}/members": SUPERVISOR_ONLY(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/nominees"): {
        "/supervision/estates/{estate_theirs}/nominees": NOBODY,
        "/supervision/estates/{estate_mine}/nominees": GROUP_STAFF(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/nominees/<int:nominee_id>/review"): {
        "/supervision/estates/{estate_theirs}/nominees/{nominee_mine}/review": NOBODY,
        "/supervision/estates/{estate_mine}/nominees/{missing}/review": NOBODY,
        "/supervision/estates/{estate_mine}/nominees/{nominee_mine}/review": GROUP_STAFF(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/objections"): {
        "/supervision/estates/{estate_theirs}/objections": NOBODY,
        "/supervision/estates/{estate_mine}/objections": GROUP_STAFF(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/objections/<int:objection_id>/answer"): {
        "/supervision/estates/{estate_theirs}/objections/{objection_mine}/answer": NOBODY,
        "/supervision/estates/{estate_mine}/objections/{missing}/answer": NOBODY,
        "/supervision/estates/{estate_mine}/objections/{objection_mine}/answer": GROUP_STAFF(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/vote"): {
        "/supervision/estates/{estate_theirs}/vote": NOBODY,
        "/supervision/estates/{estate_mine}/vote": GROUP_STAFF(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/filing"): {
        "/supervision/estates/{estate_theirs}/filing": NOBODY,
        "/supervision/estates/{estate_mine}/filing": SUPERVISOR_ONLY(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/filing/return"): {
        "/supervision/estates/{estate_theirs}/filing/return": NOBODY,
        "/supervision/estates/{estate_mine}/filing/return": SUPERVISOR_ONLY(200),
    },
    ("POST", "/supervision/estates/<int:estate_id>/handover"): {
        "/supervision/estates/{estate_theirs}/handover": NOBODY,
        "/supervision/estates/{estate_mine}/handover": HANDOVER_PEOPLE(200),
    },
    ("GET", "/supervision/estates/<int:estate_id>/stages/<int:record_id>/document"): {
        "/supervision/estates/{estate_theirs}/stages/{stage_record_theirs}/document": NOBODY,
        "/supervision/estates/{estate_mine}/stages/{stage_record_theirs}/document": NOBODY,
        "/supervision/estates/{estate_mine}/stages/{missing}/document": NOBODY,
        "/supervision/estates/{estate_mine}/stages/{stage_record_mine}/document": READERS,
    },
    # The candidate list once posted (东一小区's is); the handover record once recorded (neither's is).
    ("GET", "/supervision/estates/<int:estate_id>/candidates.pdf"): {
        "/supervision/estates/{estate_theirs}/candidates.pdf": NOBODY,
        "/supervision/estates/{estate_mine}/candidates.pdf": READERS,
    },
    ("GET", "/supervision/estates/<int:estate_id>/handover.pdf"): {
        "/supervision/estates/{estate_theirs}/handover.pdf": NOBODY,
        "/supervision/estates/{estate_mine}/handover.pdf": NOBODY,
    },
    # --- jobs and notifications (issue 16) -------------------------------------------------------------
    # A job (activation letters of 东一小区, done) is seen by its owner and by those who may do what it
    # needed (estate.manage_activation: the committee, community staff, supervisors), its file too.
    # A roll import of 东一小区, done, makes no file: its page says what was imported (estate.import_roll:
    # the same roles); its file address is 404 for everyone.
    ("GET", "/jobs/<job_id>"): {
        "/jobs/{job_theirs}": NOBODY,
        "/jobs/{missing}": NOBODY,
        "/jobs/{job_mine}": (LOGIN, 404, 200, 200, 200, 404, 404),
        "/jobs/{import_theirs}": NOBODY,
        "/jobs/{import_mine}": (LOGIN, 404, 200, 200, 200, 404, 404),
    },
    ("GET", "/jobs/<job_id>.json"): {
        "/jobs/{job_theirs}.json": NOBODY,
        "/jobs/{missing}.json": NOBODY,
        "/jobs/{job_mine}.json": (LOGIN, 404, 200, 200, 200, 404, 404),
        "/jobs/{import_theirs}.json": NOBODY,
        "/jobs/{import_mine}.json": (LOGIN, 404, 200, 200, 200, 404, 404),
    },
    ("GET", "/jobs/<job_id>/file"): {
        "/jobs/{job_theirs}/file": NOBODY,
        "/jobs/{missing}/file": NOBODY,
        "/jobs/{job_mine}/file": (LOGIN, 404, 200, 200, 200, 404, 404),
        "/jobs/{import_mine}/file": NOBODY,
    },
    # Only a failed job starts again: a done one's page is shown again.
    ("POST", "/jobs/<job_id>/retry"): {
        "/jobs/{job_theirs}/retry": NOBODY,
        "/jobs/{missing}/retry": NOBODY,
        "/jobs/{job_mine}/retry": (LOGIN, 404, "/jobs/{job_mine}", "/jobs/{job_mine}", "/jobs/{job_mine}", 404,
                                   404),
    },
    ("GET", "/inbox"): {"/inbox": SIGNED_IN(200)},
    # A message is its addressee's only (the owner's leads to his account page).
    ("GET", "/inbox/<int:message_id>"): {
        "/inbox/{message_theirs}": NOBODY,
        "/inbox/{missing}": NOBODY,
        "/inbox/{message_mine}": THE_OWNER("/account"),
    },
    ("POST", "/inbox/read"): {"/inbox/read": SIGNED_IN("/inbox")},
    ("GET", "/account/notifications"): {"/account/notifications": SIGNED_IN(200)},
    # An empty form is valid: no address, no e-mail.
    ("POST", "/account/notifications"): {"/account/notifications": SIGNED_IN("/account/notifications")},
    # --- residents' proposals (issue 18) ---
    # proposals.view (the estate's owners and every kind of staff), proposals.raise/cosign/rate (the
    # estate's owners), proposals.answer/manage (the committee), proposals.coordinate (community staff).
    # A draft is its author's only (王伟 wrote the draft). An empty form: 400 where something must be
    # typed; a refused step (nothing to withdraw, no plan, the wrong stage) returns with 303.
    ("GET", "/estates/<int:estate_id>/proposals"): {
        "/estates/{estate_theirs}/proposals": NOBODY,
        "/estates/{missing}/proposals": NOBODY,
        "/estates/{estate_mine}/proposals": READERS,
    },
    ("GET", "/estates/<int:estate_id>/proposals/settings"): {
        "/estates/{estate_theirs}/proposals/settings": NOBODY,
        "/estates/{missing}/proposals/settings": NOBODY,
        "/estates/{estate_mine}/proposals/settings": MANAGERS(200),
    },
    ("POST", "/estates/<int:estate_id>/proposals/settings"): {
        "/estates/{estate_theirs}/proposals/settings": NOBODY,
        "/estates/{missing}/proposals/settings": NOBODY,
        "/estates/{estate_mine}/proposals/settings": MANAGERS(400),  # an empty form
    },
    ("GET", "/estates/<int:estate_id>/proposals/new"): {
        "/estates/{estate_theirs}/proposals/new": NOBODY,
        "/estates/{missing}/proposals/new": NOBODY,
        "/estates/{estate_mine}/proposals/new": THE_OWNER(200),
    },
    ("POST", "/estates/<int:estate_id>/proposals/new"): {
        "/estates/{estate_theirs}/proposals/new": NOBODY,
        "/estates/{missing}/proposals/new": NOBODY,
        "/estates/{estate_mine}/proposals/new": THE_OWNER(400),
    },
    ("GET", "/proposals/<int:proposal_id>"): {
        "/proposals/{proposal_support_theirs}": NOBODY,
        "/proposals/{missing}": NOBODY,
        "/proposals/{proposal_draft_mine}": THE_OWNER(200),
        "/proposals/{proposal_support_mine}": READERS,
    },
    ("GET", "/proposals/<int:proposal_id>/edit"): {
        "/proposals/{proposal_support_theirs}/edit": NOBODY,
        "/proposals/{proposal_support_mine}/edit": NOBODY,  # submitted: no longer a draft
        "/proposals/{proposal_draft_mine}/edit": THE_OWNER(200),
    },
    ("POST", "/proposals/<int:proposal_id>/edit"): {
        "/proposals/{proposal_support_theirs}/edit": NOBODY,
        "/proposals/{proposal_support_mine}/edit": NOBODY,
        "/proposals/{proposal_draft_mine}/edit": THE_OWNER(400),
    },
    ("GET", "/proposals/<int:proposal_id>/files/<int:file_id>"): {
        "/proposals/{proposal_support_theirs}/files/{proposal_file_theirs}": NOBODY,
        "/proposals/{proposal_support_mine}/files/{proposal_file_theirs}": NOBODY,
        "/proposals/{proposal_support_mine}/files/{missing}": NOBODY,
        "/proposals/{proposal_support_mine}/files/{proposal_file_mine}": READERS,
    },
    ("POST", "/proposals/<int:proposal_id>/submit"): {
        "/proposals/{proposal_support_theirs}/submit": NOBODY,
        "/proposals/{missing}/submit": NOBODY,
        "/proposals/{proposal_draft_mine}/submit": THE_OWNER("/proposals/{proposal_draft_mine}"),
    },
    ("POST", "/proposals/<int:proposal_id>/cosign"): {
        "/proposals/{proposal_support_theirs}/cosign": NOBODY,
        "/proposals/{missing}/cosign": NOBODY,
        "/proposals/{proposal_support_mine}/cosign": THE_OWNER("/proposals/{proposal_support_mine}"),
    },
    ("POST", "/proposals/<int:proposal_id>/withdraw"): {
        "/proposals/{proposal_support_theirs}/withdraw": NOBODY,
        "/proposals/{missing}/withdraw": NOBODY,
        "/proposals/{proposal_support_mine}/withdraw": THE_OWNER(303),  # nothing to withdraw
    },
    ("POST", "/proposals/<int:proposal_id>/answer"): {
        "/proposals/{proposal_support_theirs}/answer": NOBODY,
        "/proposals/{missing}/answer": NOBODY,
        "/proposals/{proposal_support_mine}/answer": MANAGERS(400),
    },
    ("POST", "/proposals/<int:proposal_id>/coordinate"): {
        "/proposals/{proposal_support_theirs}/coordinate": NOBODY,
        "/proposals/{missing}/coordinate": NOBODY,
        "/proposals/{proposal_support_mine}/coordinate": (LOGIN, 404, 404, 400, 404, 404, 404),
    },
    ("POST", "/proposals/<int:proposal_id>/plan"): {
        "/proposals/{proposal_support_theirs}/plan": NOBODY,
        "/proposals/{missing}/plan": NOBODY,
        "/proposals/{proposal_preparation_mine}/plan": MANAGERS(400),
    },
    ("POST", "/proposals/<int:proposal_id>/plan/approve"): {
        "/proposals/{proposal_support_theirs}/plan/approve": NOBODY,
        "/proposals/{missing}/plan/approve": NOBODY,
        "/proposals/{proposal_preparation_mine}/plan/approve": MANAGERS(303),  # no plan yet
    },
    ("POST", "/proposals/<int:proposal_id>/vote"): {
        "/proposals/{proposal_support_theirs}/vote": NOBODY,
        "/proposals/{missing}/vote": NOBODY,
        "/proposals/{proposal_preparation_mine}/vote": MANAGERS(400),
    },
    ("POST", "/proposals/<int:proposal_id>/delivery"): {
        "/proposals/{proposal_support_theirs}/delivery": NOBODY,
        "/proposals/{missing}/delivery": NOBODY,
        "/proposals/{proposal_preparation_mine}/delivery": MANAGERS(400),
    },
    ("POST", "/proposals/<int:proposal_id>/milestones"): {
        "/proposals/{proposal_support_theirs}/milestones": NOBODY,
        "/proposals/{missing}/milestones": NOBODY,
        "/proposals/{proposal_preparation_mine}/milestones": MANAGERS(400),
    },
    # The world's proposals have no milestone: reaching one is in tests/proposals/test_services.py.
    ("POST", "/proposals/<int:proposal_id>/milestones/<int:milestone_id>/reached"): {
        "/proposals/{proposal_support_theirs}/milestones/1/reached": NOBODY,
        "/proposals/{missing}/milestones/1/reached": NOBODY,
        "/proposals/{proposal_preparation_mine}/milestones/1/reached": NOBODY,
    },
    ("POST", "/proposals/<int:proposal_id>/updates"): {
        "/proposals/{proposal_support_theirs}/updates": NOBODY,
        "/proposals/{missing}/updates": NOBODY,
        "/proposals/{proposal_preparation_mine}/updates": MANAGERS(400),
    },
    ("POST", "/proposals/<int:proposal_id>/payments"): {
        "/proposals/{proposal_support_theirs}/payments": NOBODY,
        "/proposals/{missing}/payments": NOBODY,
        "/proposals/{proposal_preparation_mine}/payments": MANAGERS(400),
    },
    ("POST", "/proposals/<int:proposal_id>/complete"): {
        "/proposals/{proposal_support_theirs}/complete": NOBODY,
        "/proposals/{missing}/complete": NOBODY,
        "/proposals/{proposal_preparation_mine}/complete": MANAGERS(303),  # not in delivery
    },
    ("POST", "/proposals/<int:proposal_id>/rating"): {
        "/proposals/{proposal_support_theirs}/rating": NOBODY,
        "/proposals/{missing}/rating": NOBODY,
        "/proposals/{proposal_support_mine}/rating": THE_OWNER(400),
    },
    # --- issue 14: correcting a draft until its notice (vote.manage, drafts only), confirmation pages ---
    ("GET", "/votes/<int:vote_id>/edit"): {
        "/votes/{vote_draft_theirs}/edit": NOBODY,
        "/votes/{vote_open_mine}/edit": NOBODY,  # past its draft: nothing to correct
        "/votes/{vote_draft_mine}/edit": MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/edit"): {
        "/votes/{vote_draft_theirs}/edit": NOBODY,
        "/votes/{vote_open_mine}/edit": NOBODY,
        "/votes/{vote_draft_mine}/edit": MANAGERS(400),  # an empty form
    },
    ("GET", "/votes/<int:vote_id>/items/<int:position>/edit"): {
        "/votes/{vote_draft_theirs}/items/1/edit": NOBODY,
        "/votes/{vote_open_mine}/items/1/edit": NOBODY,
        "/votes/{vote_draft_mine}/items/9/edit": NOBODY,
        "/votes/{vote_draft_mine}/items/1/edit": MANAGERS(200),
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/edit"): {
        "/votes/{vote_draft_theirs}/items/1/edit": NOBODY,
        "/votes/{vote_open_mine}/items/1/edit": NOBODY,
        "/votes/{vote_draft_mine}/items/1/edit": MANAGERS(400),  # an empty form
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/delete"): {
        "/votes/{vote_draft_theirs}/items/1/delete": NOBODY,
        "/votes/{vote_open_mine}/items/1/delete": NOBODY,
        "/votes/{vote_draft_mine}/items/9/delete": NOBODY,
        "/votes/{vote_draft_mine}/items/1/delete": MANAGERS("/votes/{vote_draft_mine}"),
    },
    # The world's drafts have no election: in-scope answers are in tests/voting/test_route_permissions.py.
    ("GET", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/edit"): {
        "/votes/{vote_draft_theirs}/items/1/candidates/1/edit": NOBODY,
        "/votes/{vote_counted_mine}/items/1/candidates/1/edit": NOBODY,  # counted: nothing to correct
        "/votes/{vote_draft_mine}/items/1/candidates/1/edit": NOBODY,  # a resolution has no candidate
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/edit"): {
        "/votes/{vote_draft_theirs}/items/1/candidates/1/edit": NOBODY,
        "/votes/{vote_counted_mine}/items/1/candidates/1/edit": NOBODY,
        "/votes/{vote_draft_mine}/items/1/candidates/1/edit": NOBODY,
    },
    ("POST", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/delete"): {
        "/votes/{vote_draft_theirs}/items/1/candidates/1/delete": NOBODY,
        "/votes/{vote_counted_mine}/items/1/candidates/1/delete": NOBODY,
        "/votes/{vote_draft_mine}/items/1/candidates/1/delete": NOBODY,
    },
    # No candidate of the world has a photo: the photos shown are in tests/voting/test_route_permissions.py.
    ("GET", "/votes/<int:vote_id>/items/<int:position>/candidates/<int:number>/photo"): {
        "/votes/{vote_counted_theirs}/items/1/candidates/1/photo": NOBODY,
        "/votes/{vote_open_mine}/items/1/candidates/1/photo": NOBODY,  # a resolution has no candidate
        "/votes/{vote_counted_mine}/items/1/candidates/1/photo": NOBODY,  # no photo
    },
    ("POST", "/votes/<int:vote_id>/delete"): {
        "/votes/{vote_draft_theirs}/delete": NOBODY,
        "/votes/{vote_open_mine}/delete": NOBODY,  # a vote past its draft stays
        "/votes/{vote_draft_mine}/delete": MANAGERS("/estates/{estate_mine}/votes"),
    },
    ("GET", "/votes/<int:vote_id>/notice"): {
        "/votes/{vote_draft_theirs}/notice": NOBODY,
        "/votes/{vote_open_mine}/notice": NOBODY,  # published already
        "/votes/{vote_draft_mine}/notice": MANAGERS(200),
    },
    ("GET", "/votes/<int:vote_id>/count"): {
        "/votes/{vote_counted_theirs}/count": NOBODY,
        "/votes/{vote_open_mine}/count": NOBODY,  # still open
        "/votes/{vote_counted_mine}/count": MANAGERS(200),  # counting again
    },
    ("GET", "/votes/<int:vote_id>/publish"): {
        "/votes/{vote_counted_theirs}/publish": NOBODY,
        "/votes/{vote_published_mine}/publish": NOBODY,  # published already
        "/votes/{vote_counted_mine}/publish": MANAGERS(200),
    },
}


def methods_and_rules(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_matrix(app):
    """A new route fails here until its row is written in MATRIX."""
    missing = sorted(methods_and_rules(app) - set(MATRIX), key=lambda key: (key[1], key[0]))
    assert not missing, "routes missing from MATRIX:\n" + "\n".join(f"{m} {r}" for m, r in missing)
    gone = sorted(set(MATRIX) - methods_and_rules(app), key=lambda key: (key[1], key[0]))
    assert not gone, "MATRIX rows for routes that no longer exist:\n" + "\n".join(f"{m} {r}" for m, r in gone)


def test_every_row_has_an_answer_for_every_role():
    for urls in MATRIX.values():
        assert all(len(answers) == len(ROLES) for answers in urls.values())


@pytest.mark.parametrize("method, rule", list(MATRIX), ids=[f"{m} {r}" for m, r in MATRIX])
def test_every_url_of_a_row_is_its_rule(app, method, rule):
    adapter = app.url_map.bind("localhost")
    ids = dict.fromkeys(IDS + VOTE_IDS + ELECTION_IDS + FUND_IDS + DISCLOSURE_IDS + PLEDGE_IDS + SURVEY_IDS
                        + SUPERVISION_IDS + JOB_IDS + PROPOSAL_IDS, 1)
    for target in MATRIX[(method, rule)]:
        url, form = request_of(target, ids)
        assert not form or method == "POST", target
        matched, _arguments = adapter.match(urlsplit(url).path, method=method, return_rule=True)
        assert matched.rule == rule, target


def request_of(target: str | tuple[str, str], ids: dict) -> tuple[str, dict]:
    """The URL of a MATRIX key, and the form it sends."""
    url, form = (target, "") if isinstance(target, str) else target
    return url.format(**ids), dict(parse_qsl(form.format(**ids)))


def blueprints_of(app, rule: str) -> set[str]:
    return {found.endpoint.partition(".")[0] for found in app.url_map.iter_rules() if found.rule == rule}


def names_in(row: dict) -> set[str]:
    """The ids a MATRIX row names, in its URLs, forms and redirects."""
    texts = [text for target, answers in row.items()
             for text in ((target,) if isinstance(target, str) else target) + tuple(answers) if isinstance(text, str)]
    return {field for text in texts for _literal, field, _spec, _conversion in string.Formatter().parse(text) if field}


IDS = ("estate_mine", "estate_theirs", "code_mine", "code_theirs", "upload_mine", "upload_theirs", "user_mine",
       "user_theirs", "user_platform_wide", "grant_mine", "grant_theirs", "platform_admin",
       "subdistrict_supervisor", "missing")
# Ids of the votes, built for the voting rows only (voters are keys of the frozen roll).
VOTE_IDS = ("vote_draft_mine", "vote_draft_theirs", "vote_open_mine", "vote_open_theirs", "vote_published_mine",
            "vote_published_theirs", "entry_mine", "entry_theirs", "entry_recorded_mine", "voter_mine",
            "voter_neighbour", "voter_theirs")
# Ids of an election counted but not published, in each estate, built for the rows that name them only.
ELECTION_IDS = ("vote_counted_mine", "vote_counted_theirs")
# Ids of the accounts' objects, built for the rows that name them only.
FUND_IDS = ("fund_entry_mine", "fund_entry_theirs", "fund_draft_mine", "fund_draft_theirs", "evidence_mine",
            "evidence_theirs", "question_mine", "question_theirs", "statement_mine", "statement_theirs")
# Ids of what the committee posts, built for the rows that name them only.
# Ids of jobs and inbox messages (issue 16), built for the rows that name them only.
JOB_IDS = ("job_mine", "job_theirs", "import_mine", "import_theirs", "message_mine", "message_theirs")
DISCLOSURE_IDS = ("notice_mine", "notice_theirs", "notice_future_mine", "attachment_mine", "attachment_theirs",
                  "attachment_future_mine", "version_mine", "version_theirs", "member_mine", "member_theirs",
                  "meeting_posted_mine", "meeting_posted_theirs", "meeting_held_mine", "meeting_held_theirs")

# Ids of conventions and the board, built for the rows that name them only.
PLEDGE_IDS = ("convention_mine", "convention_theirs", "board_black_mine", "board_black_theirs", "board_red_mine",
              "board_red_theirs", "board_evidence_mine", "board_evidence_theirs")
# Ids of the surveys, built for the rows that name them only.
SURVEY_IDS = ("survey_open_mine", "survey_open_theirs", "survey_draft_mine", "survey_draft_theirs")
# Ids of the re-elections' objects, built for the supervision rows only.
SUPERVISION_IDS = ("stage_record_mine", "stage_record_theirs", "nominee_mine", "objection_mine")
# Ids of the residents' proposals, built for the rows that name them only.
PROPOSAL_IDS = ("proposal_support_mine", "proposal_support_theirs", "proposal_draft_mine",
                "proposal_preparation_mine", "proposal_file_mine", "proposal_file_theirs")


class World:
    def __init__(self, make_estate, make_user):
        self._make_user = make_user
        self.estate_mine = make_estate("东一小区", "东一居民区", "东街道")
        self.estate_theirs = make_estate("西一小区", "西一居民区", "西街道")
        self._roll(self.estate_mine, [
            owner_row("1", "1-101", "88.50", "王伟", "310101199001011234"),
            owner_row("1", "1-102", "90", "李娜", "310101198001012222"),
        ])
        self._roll(self.estate_theirs, [
            owner_row("1", "1-101", "70", "赵敏", "310101197001013333"),
            owner_row("1", "1-102", "75", "钱进", "310101197001014444"),
        ])
        wang = db.session.scalar(select(Owner).where(Owner.estate_id == self.estate_mine.id, Owner.name == "王伟"))
        self.users = {
            "owner": make_user(owner=wang, login="owner"),
            "committee_member": make_user(Role.COMMITTEE_MEMBER, self.estate_mine, login="member"),
            "community_staff": make_user(Role.COMMUNITY_STAFF, self.estate_mine.community, login="staff"),
            "subdistrict_supervisor": make_user(Role.SUBDISTRICT_SUPERVISOR, self.estate_mine.community.sub_district,
                                                login="supervisor"),
            "auditor": make_user(Role.AUDITOR, self.estate_mine.community.sub_district, login="auditor"),
            "platform_admin": make_user(Role.PLATFORM_ADMIN, None, login="admin"),
        }
        user_mine = make_user(Role.COMMITTEE_MEMBER, self.estate_mine, login="target-east")
        user_theirs = make_user(Role.COMMITTEE_MEMBER, self.estate_theirs, login="target-west")
        user_platform_wide = make_user(Role.COMMITTEE_MEMBER, self.estate_mine, login="target-everywhere")
        auth_services.grant_role(user_platform_wide, Role.COMMITTEE_MEMBER, ScopeKind.PLATFORM, None, actor=None)
        for estate in (self.estate_mine, self.estate_theirs):
            auth_services.issue_letters(estate, None, actor=None)
        db.session.commit()
        self.ids = {
            "estate_mine": self.estate_mine.id, "estate_theirs": self.estate_theirs.id,
            "code_mine": self._code(self.estate_mine), "code_theirs": self._code(self.estate_theirs),
            "upload_mine": self._pending_upload(self.estate_mine),
            "upload_theirs": self._pending_upload(self.estate_theirs),
            "user_mine": user_mine.id, "user_theirs": user_theirs.id, "user_platform_wide": user_platform_wide.id,
            "grant_mine": self._grant(user_mine), "grant_theirs": self._grant(user_theirs),
            "platform_admin": self.users["platform_admin"].id,
            "subdistrict_supervisor": self.users["subdistrict_supervisor"].id,
            "missing": 999999,
        }
        self._managers = {self.estate_mine.id: user_mine, self.estate_theirs.id: user_theirs}
        assert set(self.ids) == set(IDS)

    def _owners(self) -> dict:
        """王伟 of 东一小区, and an account for 赵敏 of 西一小区 (made once)."""
        if not hasattr(self, "_owner_accounts"):
            zhao = db.session.scalar(select(Owner).where(Owner.estate_id == self.estate_theirs.id,
                                                         Owner.name == "赵敏"))
            self._owner_accounts = {"mine": self.users["owner"],
                                    "theirs": self._make_user(owner=zhao, login="owner-west")}
        return self._owner_accounts

    def _sides(self):
        return (("mine", self.estate_mine), ("theirs", self.estate_theirs))

    def add_votes(self) -> None:
        """In each estate a draft, an open vote and a published one (see the module's docstring)."""
        owners = self._owners()
        for side, estate in self._sides():
            manager, owner = self._managers[estate.id], owners[side]
            draft = self._draft(estate, manager, "草稿")
            opened = self._draft(estate, manager, "投票中的表决", two_staff_paper=True)
            self._open(opened, manager)
            voting_services.cast_online(opened, owner, voting_services.mandates(owner, opened)[0], {"i1": "approve"})
            waiting, ballot = self._paper(opened, manager, minutes_ago=0)
            assert ballot is None
            published = self._draft(estate, manager, "已公布的表决")
            self._open(published, manager)
            recorded, ballot = self._paper(published, manager, minutes_ago=10)
            assert ballot is not None
            # Its deadline has just passed.
            published.closes_at = platform_clock.now() - dt.timedelta(minutes=1)
            voting_services.advance(published)
            voting_services.count(published, manager)
            voting_services.publish_result(published, manager)
            db.session.commit()
            assert (draft.state, opened.state, published.state) == (VoteState.DRAFT, VoteState.OPEN,
                                                                    VoteState.PUBLISHED)
            self.ids |= {f"vote_draft_{side}": draft.id, f"vote_open_{side}": opened.id,
                         f"vote_published_{side}": published.id, f"entry_{side}": waiting.id,
                         f"voter_{side}": voting_services.voter_for_unit(opened, "1-101")}
            if side == "mine":
                self.ids |= {"entry_recorded_mine": recorded.id,
                             "voter_neighbour": voting_services.voter_for_unit(opened, "1-102")}
        assert set(VOTE_IDS) <= set(self.ids)

    def add_elections(self) -> None:
        """In each estate an election of three members (small estates may have three), counted
        without a ballot and not published."""
        for side, estate in self._sides():
            manager = self._managers[estate.id]
            today = platform_clock.today()
            vote = voting_services.create_vote(estate, title="业委会选举", description="",
                                               opening_date=today + dt.timedelta(days=15),
                                               last_day=today + dt.timedelta(days=21), buildings=None,
                                               actor=manager)
            item = voting_services.add_item(vote, kind=ItemKind.ELECTION, matter=3, title="选举业委会委员", seats=3)
            for name in ("甲", "乙", "丙"):
                voting_services.add_candidate(item, name=name, nomination=NominationSource.SELF, statement="",
                                              pledge_signed=True)
            self._open(vote, manager)
            vote.closes_at = platform_clock.now() - dt.timedelta(minutes=1)
            voting_services.advance(vote)
            voting_services.count(vote, manager)
            db.session.commit()
            assert vote.state == VoteState.COUNTED
            self.ids[f"vote_counted_{side}"] = vote.id
        assert set(ELECTION_IDS) <= set(self.ids)

    def add_funds(self) -> None:
        """In each estate the accounts, a statement, a posted entry and a draft (see the module's docstring)."""
        today = platform_clock.today()
        opened = today - dt.timedelta(days=90)
        owners = self._owners()
        for side, estate in self._sides():
            manager = self._managers[estate.id]
            funds_services.open_accounts(estate, opened_on=opened, first_period_amount=100_000_00, balances={
                AccountKind.MAINTENANCE_FUND: 80_000_00, AccountKind.COMMON_INCOME: 5_000_00,
                AccountKind.WORKING_FUND: 1_000_00}, actor=manager)
            fund = funds_services.get_account(estate, "maintenance_fund")
            funds_services.add_entry(estate, fund, day=opened + dt.timedelta(days=1), direction="in", amount=120_00,
                                     category="interest", counterparty="银行", description="利息",
                                     authority=funds_services.Authority(), actor=manager)
            statement = funds_services.publish_statement(estate, fund, start=opened,
                                                         end=opened + dt.timedelta(days=29), actor=manager)
            posted = funds_services.add_entry(estate, fund, day=today - dt.timedelta(days=5), direction="in",
                                              amount=3_000_00, category="owner_contribution", counterparty="业主",
                                              description="补缴维修资金", authority=funds_services.Authority(),
                                              actor=manager)
            evidence = funds_services.attach_evidence(posted, PDF + f"receipt {side}".encode(), "收据", manager)
            question = funds_services.ask(posted, owners[side], "这笔钱是哪一户补缴的？")
            draft = Entry(estate_id=estate.id, account_id=fund.id, state=EntryState.DRAFT,
                          day=today - dt.timedelta(days=3), direction="in", amount=45_00, category="",
                          counterparty="银行", description="未核对的银行流水", created_by_id=manager.id,
                          created_at=platform_clock.now())
            db.session.add(draft)
            db.session.commit()
            self.ids |= {f"fund_entry_{side}": posted.id, f"fund_draft_{side}": draft.id,
                         f"evidence_{side}": evidence.id, f"question_{side}": question.id,
                         f"statement_{side}": statement.id}
        assert set(FUND_IDS) <= set(self.ids)

    def add_disclosure(self) -> None:
        """In each estate a notice, a document, a member and two meetings (see the module's docstring)."""
        today, moment = platform_clock.today(), platform_clock.now()
        for side, estate in self._sides():
            manager = self._managers[estate.id]
            notice = self._notice(estate, manager, moment - dt.timedelta(hours=1), PDF + f"notice {side}".encode())
            version = disclosure_services.add_version(
                estate, kind=DocumentKind.MANAGEMENT_RULES, title="管理规约", content=PDF + f"rules {side}".encode(),
                adopted_on=today - dt.timedelta(days=400), vote_id=None, item=None, note="", actor=manager)
            member = disclosure_services.add_member(
                estate, name="张三", role=MemberRole.CHAIR, term_start=today - dt.timedelta(days=365),
                term_end=today + dt.timedelta(days=3 * 365), pledge=PDF + f"pledge {side}".encode(),
                pledge_signed_on=today - dt.timedelta(days=365), actor=manager)
            posted = self._meeting(estate, manager, "第一次会议", [member.id], moment)
            disclosure_services.record_decision(posted, "同意更换电梯维保单位。", [member.id], manager)
            disclosure_services.post_meeting(posted, manager)
            held = self._meeting(estate, manager, "第二次会议", [member.id], moment)
            db.session.commit()
            self.ids |= {f"notice_{side}": notice.id, f"attachment_{side}": self._attachment(notice),
                         f"version_{side}": version.id, f"member_{side}": member.id,
                         f"meeting_posted_{side}": posted.id, f"meeting_held_{side}": held.id}
            if side == "mine":
                future = self._notice(estate, manager, moment + dt.timedelta(days=1), PDF + b"future notice")
                db.session.commit()
                self.ids |= {"notice_future_mine": future.id, "attachment_future_mine": self._attachment(future)}
        assert set(DISCLOSURE_IDS) <= set(self.ids)

    def add_pledges(self) -> None:
        """Issue 19, in each estate: a convention with a clause; a black-board entry about the estate's
        owner with an account (1-101), warned, evidenced, approved by a valid committee decision and
        notified today (its objection window open); and his nomination of 1-102 for the red board."""
        from governance_app.pledges import services as pledges
        from governance_app.pledges.models import Deed, Severity

        today, moment = platform_clock.today(), platform_clock.now()
        owners = self._owners()
        for side, estate in self._sides():
            manager = self._managers[estate.id]
            document = disclosure_services.add_version(
                estate, kind=DocumentKind.RESIDENTS_CONVENTION, title="居民公约", content=PDF + f"公约 {side}".encode(),
                adopted_on=today - dt.timedelta(days=30), vote_id=None, item=None, note="", actor=manager).document
            clause = disclosure_services.add_clause(document, number=1, text="楼道内不得堆放杂物。", actor=manager)
            members = [disclosure_services.add_member(
                estate, name=name, role=MemberRole.MEMBER, term_start=today - dt.timedelta(days=365),
                term_end=today + dt.timedelta(days=3 * 365), pledge=None, pledge_signed_on=None, actor=manager)
                for name in ("红一", "红二", "红三")]
            meeting = self._meeting(estate, manager, "红黑榜审议", [m.id for m in members], moment)
            decision = disclosure_services.record_decision(meeting, "同意列入黑榜。", [m.id for m in members[:2]],
                                                           manager)
            black = pledges.record_warning(estate, unit_label="1-101", clause_id=clause.id, severity=Severity.MINOR,
                                           reason="楼道堆放杂物", warned_on=today, warned_by="业委会",
                                           warned_how="当面劝阻", subject_member_id=None, actor=manager)
            evidence = pledges.add_evidence(black, content=JPEG + f"photo {side}".encode(), label="照片",
                                            actor=manager)
            pledges.approve(black, decision_id=decision.id, actor=manager)
            pledges.notify(black, how="当面送达", actor=manager)
            red = pledges.nominate(estate, unit_label="1-102", deed=Deed.NEIGHBOUR_HELP, clause_id=None,
                                   reason="帮助邻居", service_eligible=True, actor=owners[side])
            db.session.commit()
            self.ids |= {f"convention_{side}": document.id, f"board_black_{side}": black.id,
                         f"board_red_{side}": red.id, f"board_evidence_{side}": evidence.id}
        assert set(PLEDGE_IDS) <= set(self.ids)
    def add_surveys(self) -> None:
        """Issue 20: in each estate an open survey of one question, a draft, and the property-service
        company serving it today."""
        from governance_app.surveys import services as survey_services

        moment = platform_clock.now()
        for side, estate in self._sides():
            manager = self._managers[estate.id]
            surveys = {}
            for state in ("open", "draft"):
                survey = survey_services.create_survey(
                    estate, title="电动车充电桩", description="", opens_at=moment - dt.timedelta(days=1),
                    closes_at=moment + dt.timedelta(days=7), buildings=None, anonymous=True, actor=manager)
                survey_services.add_question(survey, kind="single", text="装在哪里？", options=["地库", "地面"],
                                             max_choices=1, actor=manager)
                if state == "open":
                    survey_services.publish_survey(survey, manager)
                surveys[state] = survey
            survey_services.record_company(estate, name="绿城物业", contract_start=moment.date().replace(year=2024),
                                           contract_end=moment.date().replace(year=2030), contract_version_id=None,
                                           actor=manager)
            db.session.commit()
            self.ids |= {f"survey_open_{side}": surveys["open"].id, f"survey_draft_{side}": surveys["draft"].id}
        assert set(SURVEY_IDS) <= set(self.ids)

    @staticmethod
    def _notice(estate, manager, starts_at, attachment: bytes):
        return disclosure_services.publish_notice(
            estate, kind=NoticeKind.ANNOUNCEMENT, title="停水通知", body="明天 9:00-12:00 停水。", starts_at=starts_at,
            ends_at=None, pinned=False, attachments=[(attachment, "通知.pdf")], actor=manager)

    @staticmethod
    def _attachment(notice) -> int:
        return db.session.scalar(select(NoticeAttachment.id).where(NoticeAttachment.notice_id == notice.id))

    @staticmethod
    def _meeting(estate, manager, title: str, present: list[int], moment):
        """Scheduled an hour ahead (the agenda must come first), then held today."""
        meeting = disclosure_services.schedule_meeting(estate, title=title, place="会议室",
                                                       scheduled_at=moment + dt.timedelta(hours=1),
                                                       agenda="1. 电梯维保", actor=manager)
        disclosure_services.record_attendance(meeting, present, platform_clock.today(), "纪要", manager)
        return meeting

    @staticmethod
    def _draft(estate, manager, title: str, two_staff_paper: bool = False):
        """A draft with one resolution, opening 15 days from today (the earliest R-40 allows)."""
        today = platform_clock.today()
        voting_services.change_settings(estate, two_staff_paper=two_staff_paper, actor=manager)
        vote = voting_services.create_vote(estate, title=title, description="",
                                           opening_date=today + dt.timedelta(days=15),
                                           last_day=today + dt.timedelta(days=21), buildings=None,
                                           actor=manager)
        voting_services.add_item(vote, kind=ItemKind.RESOLUTION, matter=5, title="使用维修资金加装电梯")
        return vote

    @staticmethod
    def _open(vote, manager) -> None:
        """Publish the notice, then let the 15 days pass: the vote opened yesterday."""
        voting_services.publish_notice(vote, manager)
        vote.opens_at = platform_clock.now() - dt.timedelta(days=1)
        voting_services.advance(vote)  # commits

    @staticmethod
    def _paper(vote, manager, minutes_ago: int):
        """1-102's paper ballot, entered by the estate's other committee member."""
        entry, ballot = voting_services.record_paper(
            vote, manager, unit="1-102", received_at=platform_clock.now() - dt.timedelta(minutes=minutes_ago),
            signed=True, signer_matches=True, choices={"i1": "oppose"}, scan=JPEG + vote.uid.encode())
        return entry, ballot

    @staticmethod
    def _roll(estate, rows):
        report = estate_services.import_roll(estate, roll_csv(rows), "roll.csv")
        assert report.ok and report.applied
        db.session.commit()

    @staticmethod
    def _code(estate) -> int:
        return db.session.scalar(select(ActivationCode.id).where(ActivationCode.estate_id == estate.id)
                                 .order_by(ActivationCode.id).limit(1))

    @staticmethod
    def _pending_upload(estate) -> int:
        content = roll_csv([owner_row("9", "9-901", "60", "孙丽", "310101196001015555")])
        report = estate_services.check_roll_file(estate, content, "more.csv")
        upload = estate_services.store_checked_upload(estate, content, "more.csv", report)
        db.session.commit()
        return upload.id

    @staticmethod
    def _grant(user) -> int:
        return db.session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == user.id))


def add_supervision(world: World) -> None:
    """Supervision (issue 17): in each estate a committee and a re-election whose report (with its
    document) and group are recorded; 东一小区's has its candidate list posted and an objection."""
    from governance_app.supervision import services as supervision_services
    from governance_app.supervision.models import GroupRole, ProcessKind
    from tests.supervision.support import to_posting

    today = platform_clock.today()
    for side, estate in world._sides():
        manager = world._managers[estate.id]
        disclosure_services.add_member(estate, name="老主任", role=MemberRole.CHAIR,
                                       term_start=today - dt.timedelta(days=4 * 365),
                                       term_end=today + dt.timedelta(days=150), pledge=None, pledge_signed_on=None,
                                       actor=manager)
        process = supervision_services.start(estate, ProcessKind.REELECTION, manager)
        report = supervision_services.record_report(process, today, PDF + f"report {side}".encode(), "", manager)
        supervision_services.add_member(process, "居委干部", GroupRole.COMMUNITY, manager)
        supervision_services.record_group(process, today, None, "", manager)
        db.session.commit()
        world.ids[f"stage_record_{side}"] = report.id
        if side == "mine":
            to_posting(process, {"staff": manager}, None)
            objection = supervision_services.object_to(process, "异议", today, manager)
            db.session.commit()
            world.ids |= {"nominee_mine": process.nominees[0].id, "objection_mine": objection.id}
    assert set(SUPERVISION_IDS) <= set(world.ids)
def add_jobs_and_messages(world: World) -> None:
    """Issue 16: in each estate a done letters job of its committee member, with its file, and a done
    roll import job of his (no file: a summary); a message to 王伟 (the owner) and one to the other
    estate's committee member."""
    from governance_app.jobs import services as jobs
    from governance_app.jobs.models import JobState
    from governance_app.notifications import services as notifications

    for side, estate in world._sides():
        manager = world._managers[estate.id]
        job = jobs.start("activation_letters", owner=manager, estate=estate, permission="estate.manage_activation")
        job.state, job.result_name, job.result_type = JobState.DONE, "letters.pdf", "application/pdf"
        job.result_size = len(PDF)
        job.finished_at, job.expires_at = jobs.clock.now(), jobs.clock.now() + dt.timedelta(hours=24)
        path = jobs.result_path(job.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
        world.ids[f"job_{side}"] = job.id
        imported = jobs.start("roll_import", owner=manager, estate=estate, permission="estate.import_roll",
                              params={"upload": 0, "summary": {"applied": True, "new": 3, "changed": 1}})
        imported.state, imported.finished_at = JobState.DONE, jobs.clock.now()
        world.ids[f"import_{side}"] = imported.id
    mine = notifications.notify([world.users["owner"].id], "password_changed", {}, "/account")
    theirs = notifications.notify([world._managers[world.estate_theirs.id].id], "sessions_ended", {}, "/account")
    db.session.commit()
    world.ids |= {"message_mine": mine[0].id, "message_theirs": theirs[0].id}
def add_proposals(world: World) -> None:
    """Residents' proposals (issue 18): in each estate a submitted proposal with a photo, written by
    its owner; in 东一小区 also 王伟's draft and a proposal the committee accepted."""
    from governance_app.proposals import services as proposal_services
    from governance_app.proposals.models import AnswerKind

    owners = world._owners()
    for side, estate in world._sides():
        made = proposal_services.create(estate, owners[side], title="加装充电棚", problem="楼道充电危险",
                                        remedy="建充电棚", category="ebike_charging", buildings=None,
                                        changes_use=True, estimated_cost=50_000_00,
                                        uploads=[(JPEG + f"proposal {side}".encode(), "现场")])
        proposal_services.submit(made, owners[side])
        db.session.commit()
        world.ids |= {f"proposal_support_{side}": made.id, f"proposal_file_{side}": made.files[0].file_id}
    mine, manager = owners["mine"], world._managers[world.estate_mine.id]
    draft = proposal_services.create(world.estate_mine, mine, title="草稿", problem="p", remedy="r", category="other",
                                     buildings=None, changes_use=False, estimated_cost=0)
    accepted = proposal_services.create(world.estate_mine, mine, title="路灯", problem="p", remedy="r",
                                        category="lighting", buildings=None, changes_use=False,
                                        estimated_cost=10_000_00)
    proposal_services.submit(accepted, mine)
    proposal_services.answer(accepted, manager, kind=AnswerKind.ACCEPTED, text="")
    db.session.commit()
    world.ids |= {"proposal_draft_mine": draft.id, "proposal_preparation_mine": accepted.id}
    assert set(PROPOSAL_IDS) <= set(world.ids)


@pytest.fixture
def world(make_estate, make_user) -> World:
    return World(make_estate, make_user)


def answer(response) -> int | str:
    """The status, or for a redirect the path it leads to."""
    if response.status_code == 302:
        return urlsplit(response.headers["Location"]).path
    return response.status_code


def expected(value: int | str, ids: dict) -> int | str:
    return value.format(**ids) if isinstance(value, str) else value


def _prepare(app, world, method: str, rule: str) -> None:
    """Only the objects of the row's blueprint, or that the row names: they take time to build."""
    names, blueprints = names_in(MATRIX[(method, rule)]), blueprints_of(app, rule)
    if "voting" in blueprints or names & set(VOTE_IDS):
        world.add_votes()
    if names & set(ELECTION_IDS):
        world.add_elections()
    if "funds" in blueprints or names & set(FUND_IDS):
        world.add_funds()
    if "disclosure" in blueprints or names & set(DISCLOSURE_IDS):
        world.add_disclosure()
    if "pledges" in blueprints or names & set(PLEDGE_IDS):
        world.add_pledges()
    if "surveys" in blueprints or names & set(SURVEY_IDS):
        world.add_surveys()
    if "supervision" in blueprints or names & set(SUPERVISION_IDS):
        add_supervision(world)
    if names & set(JOB_IDS):
        add_jobs_and_messages(world)
    if "proposals" in blueprints or names & set(PROPOSAL_IDS):
        add_proposals(world)


def _answers(client, world, method: str, rule: str) -> dict:
    # The URLs of a row are listed out of scope first: a request that wrongly acted on
    # another's object would then also show in the in-scope answers that follow.
    answers = {}
    for target in MATRIX[(method, rule)]:
        url, form = request_of(target, world.ids)
        response = client.open(url, method=method, data=form if method == "POST" else None)
        response.close()  # static files are streamed from an open file
        answers[target] = answer(response)
        if isinstance(answers[target], str) and re.fullmatch(r"/jobs/[0-9a-f]{32}", answers[target]) \
                and answers[target].removeprefix("/jobs/") not in world.ids.values():
            answers[target] = STARTS_A_JOB
    return answers


def _expected(world, method: str, rule: str, role: str) -> dict:
    column = ROLES.index(role)
    return {target: expected(row[column], world.ids) for target, row in MATRIX[(method, rule)].items()}


GET_ROWS = [key for key in MATRIX if key[0] == "GET"]
OTHER_ROWS = [key for key in MATRIX if key[0] != "GET"]
# The requests by role are tested in several files (tests/test_route_matrix_*.py), so that a parallel
# run spreads them over its workers (they run file by file): each file takes every n-th row.


def rows_of(rows: list, part: int, parts: int) -> list:
    return rows[part::parts]


# --- control characters in every input (issue 12, point 6) ---------------------------------------------

class _Recording(ImmutableMultiDict):
    """Query and form values that note each name a page looks up (``names``, per request)."""

    names: set[str] = set()

    def __contains__(self, key):
        _Recording.names.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        _Recording.names.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        _Recording.names.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        _Recording.names.add(key)
        return super().getlist(key, type)


def _admitted(row: tuple) -> list[str]:
    """The roles the row lets through to the page (for rows that admit nobody, every role)."""
    return [role for role, wanted in zip(ROLES, row) if wanted not in (404, LOGIN)] or list(ROLES)


def _with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(key, old) for key, old in parse_qsl(parts.query, keep_blank_values=True) if key != name]
    return parts._replace(query=urlencode(query + [(name, value)])).geturl()
