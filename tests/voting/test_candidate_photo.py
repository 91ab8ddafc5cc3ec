"""Candidates have a short statement and an optional photo (issue 14): an image checked by its
content and limited in size, as evidence files; shown on the vote page and on the ballot."""
from __future__ import annotations

import io

import pytest

from governance_app.extensions import db
from governance_app.voting import services
from governance_app.voting.models import Candidate, VoteError
from tests.voting.conftest import make_draft, open_it
from tests.support.site import JPEG, PDF, PNG, count, events, fresh, multipart_in_memory


def _candidate_form(photo: bytes | None, name="戊") -> dict:
    form = {"name": name, "nomination": "joint", "statement": "在小区居住十五年，熟悉物业管理。", "pledge_signed": "y"}
    if photo is not None:
        form["photo"] = (io.BytesIO(photo), "photo.jpg")
    return form


def test_a_candidate_with_a_photo_and_a_statement_is_shown_on_the_vote_page_and_the_ballot(
        estate, committee, owner_of, clock, browser):
    vote = make_draft(estate, committee)
    client = browser(committee)
    response = client.post(f"/votes/{vote.id}/items/2/candidates", **multipart_in_memory(_candidate_form(PNG)))
    assert response.status_code == 302
    fresh()
    added = db.session.query(Candidate).filter_by(name="戊").one()
    assert added.photo_id is not None
    photo_url = f"/votes/{vote.id}/items/2/candidates/{added.position}/photo"
    assert photo_url in client.get(f"/votes/{vote.id}").get_data(as_text=True)
    photo = client.get(photo_url)
    assert (photo.status_code, photo.mimetype, photo.data) == (200, "image/png", PNG)

    open_it(db.session.get(type(vote), vote.id), committee, clock)
    owner = owner_of("1-103")
    voter = services.mandates(owner, vote)[0].voter
    ballot = browser(owner).get(f"/votes/{vote.id}/ballot", query_string={"voter": voter}).get_data(as_text=True)
    assert photo_url in ballot and "在小区居住十五年，熟悉物业管理。" in ballot
    assert browser(owner).get(photo_url).status_code == 200


@pytest.mark.parametrize("content", [PDF, b"GIF89a" + b"\x00" * 32, b"<svg onload=alert(1)>"])
def test_a_photo_that_is_no_jpeg_or_png_is_refused_and_nothing_is_added(estate, committee, clock, browser,
                                                                       content):
    vote = make_draft(estate, committee)
    page = browser(committee).post(f"/votes/{vote.id}/items/2/candidates",
                                   **multipart_in_memory(_candidate_form(content)))
    assert page.status_code == 400
    assert count(Candidate) == 3
    assert 'value="戊"' in page.get_data(as_text=True)  # what was typed is kept


@pytest.mark.parametrize(("size", "refused"), [(services.PHOTO_MAX_BYTES - 1, False),
                                               (services.PHOTO_MAX_BYTES, False),
                                               (services.PHOTO_MAX_BYTES + 1, True)])
def test_a_photo_is_at_most_2_mb(estate, committee, clock, size, refused):
    vote = make_draft(estate, committee)
    photo = JPEG[:-2] + b"\x00" * (size - len(JPEG)) + b"\xff\xd9"
    assert len(photo) == size
    election = vote.items[1]
    if refused:
        with pytest.raises(VoteError) as error:
            services.add_candidate(election, name="戊", nomination=services.NominationSource.SELF, statement="",
                                   pledge_signed=True, photo=photo)
        assert error.value.reason == "photo_too_large"
    else:
        added = services.add_candidate(election, name="戊", nomination=services.NominationSource.SELF, statement="",
                                       pledge_signed=True, photo=photo)
        assert added.photo_id is not None


def test_a_photo_is_replaced_or_removed_while_drafting(estate, committee, clock, browser):
    vote = make_draft(estate, committee)
    client = browser(committee)
    url = f"/votes/{vote.id}/items/2/candidates/1/edit"
    assert client.post(url, **multipart_in_memory(_candidate_form(JPEG, name="甲"))).status_code == 302
    fresh()
    assert db.session.query(Candidate).filter_by(position=1, name="甲").one().photo_id is not None
    form = _candidate_form(None, name="甲") | {"remove_photo": "y"}
    assert client.post(url, data=form).status_code == 302
    fresh()
    assert db.session.query(Candidate).filter_by(position=1, name="甲").one().photo_id is None
    assert [e.details["photo"] for e in events("vote.candidate_changed")] == [True, False]
    assert client.get(f"/votes/{vote.id}/items/2/candidates/1/photo").status_code == 404
