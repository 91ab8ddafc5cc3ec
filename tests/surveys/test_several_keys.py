"""An account that answers for several owner keys (R-15: its own units, and a co-owned unit it
represents, R-03) picks the key by a link; the survey form and the rating form then show and save
that key's own answers, never the first key's."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from governance_app.auth.models import Role
from governance_app.estates import services as estate_services
from governance_app.extensions import db
from governance_app.surveys import rules, services
from governance_app.surveys.models import ServiceRating, SurveyResponse
from tests.conftest import count, owner_row, roll_csv
from tests.disclosure.support import pages, text
from tests.surveys.conftest import as_user, owner_named
from tests.surveys.test_ratings import company_of
from tests.surveys.test_survey_pages import _write

LI, ZHANG = "310101198001012222", "310101198001013333"


@pytest.fixture
def two_keys(make_estate, make_user, login, app):
    """李娜 holds 1-101 alone and represents the co-owned 1-102."""
    estate = make_estate("竹园小区")
    report = estate_services.import_roll(estate, roll_csv([
        owner_row("1", "1-101", "80", "李娜", LI),
        owner_row("1", "1-102", "90", "李娜", LI, group="A", representative="是"),
        owner_row("1", "1-102", "90", "张强", ZHANG, group="A", representative="否"),
    ]), "roll.csv")
    assert report.ok, report.problems
    db.session.commit()
    owner = owner_named(estate, "李娜")
    keys = [one.key for one in services.standings(as_user(owner), estate)]
    assert len(keys) == 2 and "+" in keys[1]  # a co-owned unit's key joins its owners: "+" must be escaped
    client = pages(app, "en")
    login(make_user(owner=owner, login="li", name="李娜"), client=client)
    committee = pages(app, "en")
    login(make_user(Role.COMMITTEE_MEMBER, estate, login="member", name="委员"), client=committee)
    return estate, owner, keys, client, committee


def _voter_in_form(page: str) -> str:
    [field] = re.findall(r'<input[^>]*name="voter"[^>]*>', page)
    return re.search(r'value="([^"]*)"', field).group(1)


def test_r15_the_survey_form_answers_for_the_key_chosen_by_its_link(clock, two_keys):
    estate, _owner, keys, client, committee = two_keys
    survey = _write(committee, estate)
    base = f"/estates/{estate.id}/surveys/{survey.id}"
    first = client.get(base).get_data(as_text=True)
    assert _voter_in_form(first) == keys[0] and f'{base}?voter={quote(keys[1], safe="")}' in first
    assert client.post(base + "/answers", data={"voter": _voter_in_form(first), "q1": "0", "q2": "一号"}
                       ).status_code == 302
    second = client.get(f"{base}?voter={quote(keys[1], safe='')}").get_data(as_text=True)
    assert _voter_in_form(second) == keys[1] and "一号" not in second  # not the first key's answers
    assert client.post(base + "/answers", data={"voter": _voter_in_form(second), "q1": "1", "q2": "二号"}
                       ).status_code == 302
    assert count(SurveyResponse) == 2
    assert "一号" in text(client.get(base)) and "二号" in text(client.get(f"{base}?voter={quote(keys[1], safe='')}"))


def test_r15_the_rating_form_rates_for_the_key_chosen_by_its_link(clock, two_keys):
    estate, owner, keys, client, committee = two_keys
    company = company_of(estate)
    address = f"/estates/{estate.id}/service/rate"
    page = client.get(f"{address}?voter={quote(keys[1], safe='')}").get_data(as_text=True)
    assert _voter_in_form(page) == keys[1] and f"{address}?voter={quote(keys[0], safe='')}" in page
    scores = {name: "3" for name in rules.SCORES}
    assert client.post(address, data={"voter": _voter_in_form(page), "comment": "二号", **scores}).status_code == 302
    standings = services.standings(as_user(owner), estate)
    period = services.current_period()
    assert services.my_rating(company, period, standings[1]).comment == "二号"
    assert services.my_rating(company, period, standings[0]) is None
    assert count(ServiceRating) == 1
    assert _voter_in_form(client.get(address).get_data(as_text=True)) == keys[0]
