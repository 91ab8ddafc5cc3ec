"""Owner activation letters: one-time codes for the voters of a roll, and the pages that use them."""
import datetime as dt
import math
import re
import time

import pytest
from sqlalchemy import select

from governance_app.auth import services
from governance_app.auth.models import ActivationCode, Role, User, utcnow
from governance_app.auth.services import CODE_ALPHABET
from governance_app.auth.totp import Totp
from governance_app.estates import services as estate_services
from governance_app.estates.models import Owner
from governance_app.extensions import db
from tests.auth.support import (
    DEVELOPER, LI, WANG, ZHANG, enrolment_secret, events, fresh, import_estate_roll, page_client, text,
)
from tests.conftest import owner_row, roll_csv

MISMATCH = ("These details do not match an activation letter. Check the unit, the code and the last 4 "
            "characters, and try again.")
NO_LONGER = "This activation code no longer works (expired, replaced or tried too often)."
USED = "This activation code has already been used."


@pytest.fixture
def client(app):
    return page_client(app)


@pytest.fixture
def estate(make_estate):
    estate = make_estate("梅园小区")
    import_estate_roll(estate)
    return estate


@pytest.fixture
def letters(estate) -> dict[str, services.Letter]:
    """The letters of the estate's voters, by the name of the owner each is addressed to."""
    issued = services.issue_letters(estate, None, actor=None)
    db.session.commit()
    return {letter.owner.name: letter for letter in issued}


def owner_named(name: str) -> Owner:
    return db.session.scalar(select(Owner).where(Owner.name == name))


def code_row(letter: services.Letter) -> ActivationCode:
    fresh()
    return db.session.scalar(select(ActivationCode).where(
        ActivationCode.voter_key == letter.voter.key, ActivationCode.revoked_at.is_(None)))


def users() -> list[User]:
    fresh()
    return list(db.session.scalars(select(User)))


def activate(client, unit: str, code: str, last4: str):
    return client.post("/activate", data={"unit": unit, "code": code, "id_last4": last4})


def choose_account(client, phone: str = "13900000001", password: str = "a-good-password"):
    return client.post("/activate/account", data={"login": phone, "password": password, "confirm": password})


# --- issuing -------------------------------------------------------------------------------------

def test_one_letter_per_voter_of_the_roll(estate, letters):
    assert {name: letter.voter.units for name, letter in letters.items()} == {
        "王伟": ("1-101", "1-102"),  # one owner, two units: one letter
        "李娜": ("2-201",),  # the co-owners' representative; 张强 gets none
        "上海某置业有限公司": ("2-202", "2-203"),  # the developer's units
    }
    assert all(letter.estate.id == estate.id for letter in letters.values())
    issued = events("activation.issued")
    assert [(e.estate_id, e.details) for e in issued] == [(estate.id, {"letters": 3})]


def test_letters_expire_after_the_configured_days(app, letters):
    letter = letters["王伟"]
    expected = utcnow() + dt.timedelta(days=app.config["ACTIVATION_DAYS"])
    assert abs(letter.expires_at - expected) < dt.timedelta(minutes=1)


def test_codes_have_at_least_40_bits():
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 31
    assert not set(CODE_ALPHABET) & set("01OIL")  # no characters that are easily confused
    code = services.new_activation_code()
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", code)
    assert 12 * math.log2(31) >= 40
    many = [services.new_activation_code().replace("-", "") for _ in range(300)]
    assert len(set(many)) == 300
    for position in range(12):  # every character is drawn, none is fixed
        assert len({code[position] for code in many}) >= 20


def test_codes_are_stored_hashed(letters):
    fresh()
    rows = db.session.scalars(select(ActivationCode)).all()
    assert len(rows) == 3
    clear = {letter.code for letter in letters.values()}
    for row in rows:
        assert row.code_hash not in clear
        assert all(code.replace("-", "") not in row.code_hash for code in clear)


def test_no_letter_for_a_voter_who_has_an_account(estate, letters):
    code = services.check_activation("1-101", letters["王伟"].code, "1234")
    services.activate_owner(code, "13900000001", "a-good-password", "")
    db.session.commit()
    again = services.issue_letters(estate, None, actor=None)
    assert sorted(letter.owner.name for letter in again) == ["上海某置业有限公司", "李娜"]


def test_reissuing_letters_revokes_the_earlier_codes_in_one_statement(estate, letters):
    """A batch for a whole estate is thousands of voters: their earlier codes are revoked by one
    UPDATE per 500 voters, not one per voter (2,000 letters took 30 s that way)."""
    from sqlalchemy import event

    updates = []

    def seen(_connection, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("UPDATE ACTIVATION_CODE"):
            updates.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        again = services.issue_letters(estate, None, actor=None)
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(again) == len(letters) == 3 and len(updates) == 1
    old = db.session.scalars(select(ActivationCode).where(
        ActivationCode.code_hash.in_([services.activation_code_hash(letter.code) for letter in letters.values()]))).all()
    assert len(old) == 3 and all(code.revoked_at is not None for code in old)
    assert services.check_activation("1-101", next(letter.code for letter in again if letter.owner.name == "王伟"), "1234")


# --- checking a letter's details ---------------------------------------------------------------------

def test_the_details_of_a_letter_open_it(letters):
    letter = letters["王伟"]
    assert services.check_activation("1-102", letter.code, "1234").owner.name == "王伟"
    # typed in lower case, without dashes, with spaces: still the code
    typed = " " + letter.code.replace("-", " ").lower() + " "
    assert services.check_activation(" 1-101 ", typed, "1234").owner.name == "王伟"


def test_the_developer_letter_takes_a_letter_in_the_last_four(letters):
    assert services.check_activation("2-203", letters["上海某置业有限公司"].code, "567x").owner.name \
        == "上海某置业有限公司"


def test_an_expired_code_is_refused(letters):
    row = code_row(letters["王伟"])
    row.expires_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(services.AuthError) as refused:
        services.check_activation("1-101", letters["王伟"].code, "1234")
    assert refused.value.reason == "activation_expired"


def test_a_revoked_code_is_refused(make_user, letters):
    row = code_row(letters["王伟"])
    services.revoke_activation(row, actor=make_user())
    db.session.commit()
    with pytest.raises(services.AuthError) as refused:
        services.check_activation("1-101", letters["王伟"].code, "1234")
    assert refused.value.reason == "activation_expired"


def test_a_reissued_letter_replaces_the_old_one(estate, letters):
    old = letters["王伟"]
    [new] = services.issue_letters(estate, [old.voter.key], actor=None)
    db.session.commit()
    assert new.code != old.code
    with pytest.raises(services.AuthError) as refused:
        services.check_activation("1-101", old.code, "1234")
    assert refused.value.reason == "activation_expired"
    assert services.check_activation("1-101", new.code, "1234").owner.name == "王伟"
    # the other voters' letters are untouched
    assert services.check_activation("2-201", letters["李娜"].code, "2222").owner.name == "李娜"


def test_a_code_works_once(letters):
    code = services.check_activation("1-101", letters["王伟"].code, "1234")
    services.activate_owner(code, "13900000001", "a-good-password", "")
    db.session.commit()
    with pytest.raises(services.AuthError) as refused:
        services.check_activation("1-101", letters["王伟"].code, "1234")
    assert refused.value.reason == "activation_used"
    with pytest.raises(services.AuthError):
        services.activate_owner(code, "13900000009", "a-good-password", "")


@pytest.mark.parametrize(("unit", "last4"), [
    ("1-201", "1234"),  # a unit that is not the voter's
    ("2-201", "1234"),  # another voter's unit
    ("1-101", "2222"),  # another owner's document
])
def test_wrong_details_are_counted_on_the_code(letters, unit, last4):
    with pytest.raises(services.AuthError) as refused:
        services.check_activation(unit, letters["王伟"].code, last4)
    assert refused.value.reason == "activation_mismatch"
    assert code_row(letters["王伟"]).failed_attempts == 1
    assert [e.details for e in events("activation.failed")] == [{"attempt": 1}]


def test_a_co_owner_who_is_not_the_representative_cannot_use_the_letter(letters):
    with pytest.raises(services.AuthError):
        services.check_activation("2-201", letters["李娜"].code, ZHANG[-4:])


def test_an_unknown_code_counts_against_nothing(letters):
    with pytest.raises(services.AuthError) as refused:
        services.check_activation("1-101", "AAAA-BBBB-CCCC", "1234")
    assert refused.value.reason == "activation_mismatch"
    assert code_row(letters["王伟"]).failed_attempts == 0


# --- through the pages ---------------------------------------------------------------------------------

def test_activation_through_the_pages(client, letters):
    response = activate(client, "1-101", letters["王伟"].code, WANG[-4:])
    assert (response.status_code, response.location) == (302, "/activate/account")
    page = client.get("/activate/account")
    assert page.status_code == 200
    assert "Welcome, 王某." in text(page) and "王伟" not in text(page)  # the name, masked
    response = choose_account(client, "139 0000 0001")
    assert (response.status_code, response.location) == (302, "/account/authenticator")
    assert client.get("/account").status_code == 302  # not signed in before the authenticator is set up

    enrol_page = client.get("/account/authenticator")
    totp = Totp(enrolment_secret(enrol_page))
    response = client.post("/account/authenticator", data={"code": totp.code_at(int(time.time()))})
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10
    assert client.get("/account").status_code == 200

    [user] = users()
    assert user.login == "13900000001" and user.display_name == "王伟"
    assert user.owner_id == owner_named("王伟").id and user.totp_enrolled
    assert code_row(letters["王伟"]).used_at is not None
    assert [e.details["user"] for e in events("activation.used")] == [user.id]
    assert [e.object_id for e in events("user.created")] == [str(user.id)]


def test_the_co_owned_unit_activates_the_representative(client, letters):
    activate(client, "2-201", letters["李娜"].code, LI[-4:])
    choose_account(client, "13900000002")
    [user] = users()
    assert user.owner_id == owner_named("李娜").id


def test_the_developer_activates_its_company_account(client, letters):
    assert activate(client, "2-202", letters["上海某置业有限公司"].code, DEVELOPER[-4:]).status_code == 302
    choose_account(client, "13900000003")
    [user] = users()
    assert user.owner_id == owner_named("上海某置业有限公司").id


def test_a_used_letter_is_refused_on_the_page(app, client, letters):
    activate(client, "1-101", letters["王伟"].code, WANG[-4:])
    choose_account(client)
    response = activate(page_client(app), "1-101", letters["王伟"].code, WANG[-4:])
    assert response.status_code == 400 and USED in text(response)
    assert len(users()) == 1


@pytest.mark.parametrize(("unit", "last4"), [("1-101", "9999"), ("2-201", WANG[-4:])])
def test_wrong_details_are_refused_on_the_page(client, letters, unit, last4):
    response = activate(client, unit, letters["王伟"].code, last4)
    assert response.status_code == 400 and MISMATCH in text(response)
    assert client.get("/activate/account").location == "/activate"
    assert users() == []


@pytest.mark.parametrize("phone", ["1390000000", "139000000012", "23900000001", "1390000000a"])
def test_the_login_must_be_a_mobile_number(client, letters, phone):
    activate(client, "1-101", letters["王伟"].code, WANG[-4:])
    response = choose_account(client, phone)
    assert response.status_code == 400
    assert "Enter an 11-digit mobile number starting with 1." in text(response)
    assert users() == []
    assert code_row(letters["王伟"]).used_at is None


def test_a_weak_password_is_refused_and_the_letter_kept(client, letters):
    activate(client, "1-101", letters["王伟"].code, WANG[-4:])
    response = choose_account(client, password="12345678")
    assert response.status_code == 400 and "This password is too easy to guess." in text(response)
    assert users() == []
    assert code_row(letters["王伟"]).used_at is None
    assert choose_account(client).status_code == 302


def test_a_letter_replaced_after_its_details_were_checked_creates_no_account(client, estate, letters):
    activate(client, "1-101", letters["王伟"].code, WANG[-4:])
    services.issue_letters(estate, [letters["王伟"].voter.key], actor=None)  # the committee reissues it
    db.session.commit()
    response = choose_account(client)
    assert response.status_code == 400 and NO_LONGER in text(response)
    assert users() == []


@pytest.mark.parametrize(("failures", "works"), [(4, True), (5, False)])
def test_five_wrong_attempts_use_a_code_up(client, letters, failures, works):
    code = letters["王伟"].code
    for _ in range(failures):
        assert MISMATCH in text(activate(client, "1-101", code, "9999"))
    assert code_row(letters["王伟"]).failed_attempts == failures
    response = activate(client, "1-101", code, WANG[-4:])
    if works:
        assert (response.status_code, response.location) == (302, "/activate/account")
    else:
        assert response.status_code == 400 and NO_LONGER in text(response)
        assert client.get("/activate/account").location == "/activate"


def test_the_letters_page_shows_the_codes_once(app, estate, make_user, login):
    client = login(make_user(Role.COMMITTEE_MEMBER, estate), client=page_client(app))
    response = client.post(f"/estates/{estate.id}/activation/letters", data={})
    assert response.status_code == 200
    shown = re.findall(r'<code class="code-large">([A-Z0-9-]+)</code>', response.get_data(as_text=True))
    assert len(shown) == 3
    fresh()
    hashes = set(db.session.scalars(select(ActivationCode.code_hash)))
    assert all(code not in hashes for code in shown)


def test_an_owner_with_two_letters_gets_one_account(app, client, make_estate):
    """王伟 owns 1-101 alone and represents the co-owners of 2-201: two voters, two letters,
    one owner. Once one letter opened his account the other cannot make a second one."""
    estate = make_estate("竹园小区")
    report = estate_services.import_roll(estate, roll_csv([
        owner_row("1", "1-101", "88", "王伟", WANG),
        owner_row("2", "2-201", "70", "王伟", WANG, group="A", representative="是"),
        owner_row("2", "2-201", "70", "李娜", LI, group="A", representative="否"),
    ]), "roll.csv")
    assert report.applied
    issued = services.issue_letters(estate, None, actor=None)
    db.session.commit()
    alone, together = sorted(issued, key=lambda letter: len(letter.voter.key))
    assert alone.owner.id == together.owner.id

    activate(client, "1-101", alone.code, WANG[-4:])
    assert choose_account(client, "13900000001").status_code == 302
    second = page_client(app)
    assert activate(second, "2-201", together.code, WANG[-4:]).status_code == 302
    response = choose_account(second, "13900000002")
    assert response.status_code == 400 and USED in text(response)
    assert [user.login for user in users()] == ["13900000001"]


@pytest.mark.parametrize("made_unusable", ["expired", "revoked"])
def test_an_expired_or_revoked_letter_is_refused_on_the_page(client, letters, made_unusable):
    row = code_row(letters["王伟"])
    if made_unusable == "expired":
        row.expires_at = utcnow() - dt.timedelta(seconds=1)
    else:
        row.revoked_at = utcnow()
    db.session.commit()
    response = activate(client, "1-101", letters["王伟"].code, WANG[-4:])
    assert response.status_code == 400 and NO_LONGER in text(response)
    assert client.get("/activate/account").location == "/activate"
