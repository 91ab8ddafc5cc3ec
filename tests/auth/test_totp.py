"""The TOTP wrapper: RFC 6238 vectors, one step of drift, no replay (R-34). Pure: no app."""
import base64

import pytest

from governance_app.auth.totp import DIGITS, STEP_SECONDS, Totp, new_secret

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
NOW = 1_700_000_010  # an arbitrary moment, 10 s into its step
NOW_STEP = NOW // STEP_SECONDS


@pytest.mark.parametrize(("unix_time", "expected"), [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
])
def test_rfc_6238_sha1_vectors(unix_time, expected):
    totp = Totp(RFC_SECRET, digits=8)
    assert totp.code_at(unix_time) == expected
    assert totp.accept(expected, unix_time, last_step=0) == unix_time // STEP_SECONDS


def test_codes_are_six_digits_for_authenticator_apps():
    code = Totp(new_secret()).code_at(NOW)
    assert DIGITS == 6 and len(code) == 6 and code.isdigit()


def test_new_secret_has_160_bits():
    secret = new_secret()
    assert len(base64.b32decode(secret)) == 20
    assert secret != new_secret()


@pytest.mark.parametrize(("steps_off", "accepted"), [(-2, False), (-1, True), (0, True), (1, True), (2, False)])
def test_one_step_of_drift_either_side(steps_off, accepted):
    totp = Totp(RFC_SECRET)
    step = NOW_STEP + steps_off
    assert totp.accept(totp.code_for_step(step), NOW, last_step=0) == (step if accepted else None)


@pytest.mark.parametrize(("last_step", "accepted"), [
    (NOW_STEP - 1, True),  # the previous code was used: this one is new
    (NOW_STEP, False),  # this very code was used: a replay
    (NOW_STEP + 1, False),  # a later code was used: this one is older
])
def test_a_code_for_a_step_already_used_is_a_replay(last_step, accepted):
    totp = Totp(RFC_SECRET)
    code = totp.code_at(NOW)
    assert totp.accept(code, NOW, last_step) == (NOW_STEP if accepted else None)


def test_the_next_code_is_accepted_after_the_current_one_was_used():
    totp = Totp(RFC_SECRET)
    assert totp.accept(totp.code_for_step(NOW_STEP + 1), NOW, last_step=NOW_STEP) == NOW_STEP + 1


def test_spaces_around_and_inside_a_code_are_ignored():
    totp = Totp(RFC_SECRET)
    code = totp.code_at(NOW)
    assert totp.accept(f" {code[:3]} {code[3:]} ", NOW, 0) == NOW_STEP


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12345a"])
def test_malformed_codes_are_refused(typed):
    assert Totp(RFC_SECRET).accept(typed, NOW, 0) is None


def test_a_code_of_another_secret_is_refused():
    other = Totp(base64.b32encode(b"another-secret-20byt").decode())
    code = other.code_at(NOW)
    assert code != Totp(RFC_SECRET).code_at(NOW)
    assert Totp(RFC_SECRET).accept(code, NOW, 0) is None


def test_provisioning_uri_names_the_account_and_issuer():
    uri = Totp(RFC_SECRET).provisioning_uri("13900000001", "业主自治平台")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={RFC_SECRET}" in uri and "13900000001" in uri
