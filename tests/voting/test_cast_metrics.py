"""/metrics counts the ballots cast and the cast requests refused, by reason (issue 21)."""
from __future__ import annotations

import time

from prometheus_client import REGISTRY

from governance_app.voting import services
from tests.support.site import page_client, wrong_code


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def cast(browser, vote, user, code: str):
    mandate = services.mandates(user, vote)[0]
    return browser.post(f"/votes/{vote.id}/ballot/confirm", data={"voter": mandate.voter, "code": code,
                                                                  "item-i1": "approve"})


def test_a_cast_is_counted_and_shown_on_metrics(app, login, open_vote, owner_of):
    owner = owner_of("1-103")
    browser = login(owner, client=page_client(app))
    casts, refused_code = value("governance_casts_total", channel="online"), \
        value("governance_casts_refused_total", reason="wrong_code")
    assert cast(browser, open_vote, owner, wrong_code(owner)).status_code == 400
    assert value("governance_casts_refused_total", reason="wrong_code") == refused_code + 1
    assert value("governance_casts_total", channel="online") == casts
    code = owner.totp.code_at(int(time.time()))
    assert "/receipt" in cast(browser, open_vote, owner, code).location
    assert value("governance_casts_total", channel="online") == casts + 1
    again = value("governance_casts_refused_total", reason="already_cast")
    assert "/receipt" in cast(browser, open_vote, owner, code).location  # a double tap records nothing
    assert value("governance_casts_total", channel="online") == casts + 1
    assert value("governance_casts_refused_total", reason="already_cast") == again + 1
    body = browser.get("/metrics").get_data(as_text=True)
    assert f'governance_casts_total{{channel="online"}} {casts + 1}' in body


def test_a_cast_with_a_choice_that_is_not_offered_is_refused_by_its_reason(app, login, open_vote, owner_of):
    owner = owner_of("1-103")
    browser = login(owner, client=page_client(app))
    mandate = services.mandates(owner, open_vote)[0]
    before = value("governance_casts_refused_total", reason="bad_choice")
    response = browser.post(f"/votes/{open_vote.id}/ballot/confirm", data={
        "voter": mandate.voter, "code": owner.totp.code_at(int(time.time())), "item-i1": "perhaps"})
    assert response.status_code == 302 and "/ballot" in response.location
    assert value("governance_casts_refused_total", reason="bad_choice") == before + 1
