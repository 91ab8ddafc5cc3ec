"""Estate documents (R-55): versions under one title, each linked to the resolution that adopted
it only if that resolution passed and was published in this estate; files for the estate only."""
from __future__ import annotations

import datetime as dt
import io
import secrets

import pytest
from flask_babel import force_locale

from governance_app.disclosure import services
from governance_app.core.refusals import message
from governance_app.disclosure.models import DisclosureError, DocumentKind, DocumentVersion, EstateDocument
from governance_app.extensions import db
from governance_app.files.models import StoredFile
from governance_app.voting.models import ItemKind, Vote, VoteItem, VoteState
from tests.disclosure.support import PDF, count, events, flashes, fresh, location, text, utc_now

ADOPTED = dt.date(2026, 3, 1)
NOT_PASSED = "That resolution was not passed and published in this estate."


def resolution_vote(estate, actor, *, state: VoteState = VoteState.PUBLISHED, outcome: str = "passed",
                    title: str = "修订管理规约") -> Vote:
    """A vote whose item i1 (matter 2, the management rules) has ``outcome``; its counting is
    tested elsewhere."""
    now = utc_now()
    counted = state in (VoteState.COUNTED, VoteState.PUBLISHED)
    vote = Vote(uid=secrets.token_hex(8), estate_id=estate.id, title=title, description="", state=state,
                opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(days=20),
                notice_at=now - dt.timedelta(days=50), counted_at=now - dt.timedelta(days=19) if counted else None,
                published_at=now - dt.timedelta(days=19) if state == VoteState.PUBLISHED else None,
                created_by_id=actor.id, created_at=now - dt.timedelta(days=60),
                result={"items": {"i1": {"kind": "resolution", "matter": 2, "outcome": outcome}}} if counted else None,
                final_chain="0" * 64 if counted else None)
    db.session.add(vote)
    db.session.flush()
    db.session.add(VoteItem(vote_id=vote.id, position=1, kind=ItemKind.RESOLUTION, matter=2, title="通过新版管理规约"))
    db.session.commit()
    return vote


def document_form(content: bytes | None = PDF, **changes) -> dict:
    form = {"kind": "management_rules", "title": "管理规约", "adopted_on": ADOPTED.isoformat(), "resolution": "",
            "note": ""}
    if content is not None:
        form["file"] = (io.BytesIO(content), "规约.pdf")
    form.update(changes)
    return form


def add(estate, actor, *, vote_id=None, item=None, content=PDF, title="管理规约"):
    return services.add_version(estate, kind=DocumentKind.MANAGEMENT_RULES, title=title, content=content,
                                adopted_on=ADOPTED, vote_id=vote_id, item=item, note="", actor=actor)


# --- versions ---------------------------------------------------------------------------------------

def test_r55_a_second_version_of_the_same_title_becomes_version_2(estate, committee, browser_of):
    browser = browser_of(committee)
    response = browser.post(f"/estates/{estate.id}/documents", data=document_form(note="首次备案"))
    assert location(response) == f"/estates/{estate.id}/documents"
    assert "The new version is published." in flashes(browser.get(location(response)), "success")
    response = browser.post(f"/estates/{estate.id}/documents",
                            data=document_form(PDF + b"v2", title="  管理规约 ", adopted_on="2026-06-01"))
    assert response.status_code == 302
    fresh()
    [document] = services.documents(estate)
    assert [(v.version, v.adopted_on, v.note) for v in document.versions] == [
        (2, dt.date(2026, 6, 1), ""), (1, ADOPTED, "首次备案")]
    assert [e.details["version"] for e in events("document.version_added")] == [1, 2]
    page = text(browser.get(f"/estates/{estate.id}/documents"))
    assert page.index("Version 2, adopted 2026-06-01") < page.index("Version 1, adopted 2026-03-01")


def test_the_same_title_under_another_kind_is_another_document(estate, committee):
    add(estate, committee)
    other = services.add_version(estate, kind=DocumentKind.OTHER, title="管理规约", content=PDF + b"x",
                                 adopted_on=ADOPTED, vote_id=None, item=None, note="", actor=committee)
    db.session.commit()
    assert other.version == 1
    assert count(EstateDocument) == 2


@pytest.mark.parametrize("content, message", [
    (b"plain text pretending to be a PDF", "Only JPEG, PNG or PDF files are accepted."),
    (b"", "The file is empty."),
    (None, "The file is empty."),
])
def test_a_document_that_is_no_pdf_jpeg_or_png_is_refused_and_nothing_is_written(estate, committee, browser_of,
                                                                                   content, message):
    response = browser_of(committee).post(f"/estates/{estate.id}/documents", data=document_form(content))
    assert flashes(response, "error") == [message]
    assert (count(EstateDocument), count(DocumentVersion), count(StoredFile)) == (0, 0, 0)
    assert events("document.version_added") == []


# --- the resolution that adopted it -----------------------------------------------------------------------

def test_r55_a_version_links_to_a_published_resolution_that_passed(estate, committee, owner, browser_of):
    vote = resolution_vote(estate, committee)
    browser = browser_of(committee)
    form_page = browser.get(f"/estates/{estate.id}/documents").get_data(as_text=True)
    assert f'value="{vote.id}:i1"' in form_page
    response = browser.post(f"/estates/{estate.id}/documents", data=document_form(resolution=f"{vote.id}:i1"))
    assert response.status_code == 302
    fresh()
    [version] = db.session.query(DocumentVersion).all()
    assert (version.vote_id, version.item) == (vote.id, "i1")
    assert events("document.version_added")[0].details["vote"] == vote.id
    page = browser_of(owner).get(f"/estates/{estate.id}/documents").get_data(as_text=True)
    assert f'href="/votes/{vote.id}/result"' in page


@pytest.fixture
def refused_resolutions(estate, other_estate, committee):
    """Votes whose item i1 cannot have adopted a document of 梅园小区."""
    return {
        "failed": (resolution_vote(estate, committee, outcome="failed").id, "i1"),
        "counted, not published": (resolution_vote(estate, committee, state=VoteState.COUNTED).id, "i1"),
        "another estate's": (resolution_vote(other_estate, committee).id, "i1"),
        "an item the vote lacks": (resolution_vote(estate, committee).id, "i2"),
        "no such vote": (999999, "i1"),
    }


CASES = ["failed", "counted, not published", "another estate's", "an item the vote lacks", "no such vote"]


@pytest.mark.parametrize("case", CASES)
def test_a_failed_unpublished_or_foreign_resolution_is_refused_with_the_message(app, estate, committee,
                                                                                 refused_resolutions, case):
    vote_id, item = refused_resolutions[case]
    with pytest.raises(DisclosureError) as refused:
        add(estate, committee, vote_id=vote_id, item=item)
    assert refused.value.reason == "resolution_not_passed"
    with app.test_request_context():
        with force_locale("en"):
            assert message(refused.value) == NOT_PASSED
        with force_locale("zh_CN"):
            assert message(refused.value) == "该决议没有在本小区通过并公布。"
    fresh()
    assert (count(EstateDocument), count(DocumentVersion), count(StoredFile)) == (0, 0, 0)


@pytest.mark.parametrize("case", CASES)
def test_the_page_offers_no_such_resolution_and_refuses_it_if_sent(estate, committee, browser_of,
                                                                    refused_resolutions, case):
    vote_id, item = refused_resolutions[case]
    browser = browser_of(committee)
    assert f'value="{vote_id}:{item}"' not in browser.get(f"/estates/{estate.id}/documents").get_data(as_text=True)
    response = browser.post(f"/estates/{estate.id}/documents", data=document_form(resolution=f"{vote_id}:{item}"))
    assert response.status_code == 400
    assert (count(EstateDocument), count(DocumentVersion), count(StoredFile)) == (0, 0, 0)


# --- who gets the files ----------------------------------------------------------------------------------

def test_r55_r60_document_files_are_downloadable_by_the_estates_owners_only(estate, other_estate, committee, owner,
                                                                    other_owner, browser_of):
    version = add(estate, committee)
    db.session.commit()
    mine = browser_of(owner)
    page = mine.get(f"/estates/{estate.id}/documents").get_data(as_text=True)
    url = f"/estates/{estate.id}/documents/versions/{version.id}"
    assert f'href="{url}"' in page
    download = mine.get(url)
    assert (download.status_code, download.mimetype, download.data) == (200, "application/pdf", PDF)
    assert download.headers["Cache-Control"] == "private, no-store"
    theirs = browser_of(other_owner)
    assert theirs.get(url).status_code == 404
    assert theirs.get(f"/estates/{other_estate.id}/documents/versions/{version.id}").status_code == 404
    assert "管理规约" not in text(theirs.get(f"/estates/{other_estate.id}/documents"))
    assert mine.get(f"/estates/{estate.id}/documents/versions/999999").status_code == 404
