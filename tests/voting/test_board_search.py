"""The bulletin board lets an owner find their own tracker (issue 14): a search by its first
characters, and their own row marked when signed in; nobody else's row is marked for them."""
from __future__ import annotations

import re

from governance_app.extensions import db
from governance_app.voting import services
from tests.voting.conftest import make_draft, open_it


def _cast(vote, owner):
    mandate = services.mandates(owner, vote)[0]
    assert services.cast_online(vote, owner, mandate, {"i1": "approve", "i2": None})
    db.session.commit()
    return services.existing_ballot(vote, mandate.voter)


def _rows(page) -> list[tuple[str, bool]]:
    """(tracker, marked as mine) of each row shown."""
    body = page.get_data(as_text=True)
    return [(tracker, "mine" in classes) for classes, tracker in
            re.findall(r'<li id="b\d+" class="([^"]*)">.*?<code>([0-9a-f]{64})</code>', body, re.S)]


def test_an_owner_finds_their_tracker_and_sees_their_own_row_marked(estate, committee, owner_of, clock,
                                                                    browser):
    vote = make_draft(estate, committee)
    open_it(vote, committee, clock)
    li, zhao = owner_of("1-103"), owner_of("1-104")
    mine, theirs = _cast(vote, li), _cast(vote, zhao)
    client = browser(li)
    assert _rows(client.get(f"/votes/{vote.id}/board")) == [(mine.tracker, True), (theirs.tracker, False)]
    found = client.get(f"/votes/{vote.id}/board", query_string={"tracker": mine.tracker[:8].upper()})
    assert _rows(found) == [(mine.tracker, True)]
    assert _rows(browser(zhao).get(f"/votes/{vote.id}/board")) == [(mine.tracker, False), (theirs.tracker, True)]
    assert _rows(browser(committee).get(f"/votes/{vote.id}/board")) == [(mine.tracker, False),
                                                                         (theirs.tracker, False)]


def test_a_search_that_is_no_tracker_is_explained_and_shows_every_row(estate, committee, owner_of, clock,
                                                                      browser):
    vote = make_draft(estate, committee)
    open_it(vote, committee, clock)
    li = owner_of("1-103")
    mine = _cast(vote, li)
    page = browser(li).get(f"/votes/{vote.id}/board", query_string={"tracker": "房号3-502"})
    assert page.status_code == 200
    assert 'aria-invalid="true"' in page.get_data(as_text=True)
    assert _rows(page) == [(mine.tracker, True)]
    nothing = browser(li).get(f"/votes/{vote.id}/board", query_string={"tracker": "ffffffff" if not
                                                                       mine.tracker.startswith("ffffffff") else "00000000"})
    assert _rows(nothing) == []
