"""Issue 12, point 7: whatever is wrong with a file, ``governance-audit`` answers exit 2 and one
line naming the problem, never a traceback and never exit 1 (the code of a mismatch).

The cases are a fuzz-like set built from correct bundles of both formats: nesting, numbers past
Python's int-str limit, fractions, NaN and Infinity, a key given twice, invalid UTF-8, a top
level that is not an object, every field replaced by a value of each wrong type, every required
field removed, times out of range. Most run ``main`` in this process (thousands of cases); the
ones of the issue also run the installed command.
"""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from governance_app.voting import audit_cli, bundle

from .test_bundle import make_bundle, make_bundle_2, seal

SCRIPT = Path(sys.executable).with_name("governance-audit")
MALFORMED = "governance-audit: malformed bundle: "


def sealed(version: int) -> dict:
    return seal(make_bundle() if version == 1 else make_bundle_2())


def answer(capsysbinary, command: str, content: bytes, tmp_path: Path) -> tuple[int, bytes, bytes]:
    path = tmp_path / "bundle.json"
    path.write_bytes(content)
    code = audit_cli.main([command, str(path)])
    out, err = capsysbinary.readouterr()
    return code, out, err


def assert_malformed(code: int, out: bytes, err: bytes, naming: str | None = None) -> None:
    text = err.decode("utf-8")
    assert (code, out) == (2, b""), (code, out, text)
    assert text.startswith(MALFORMED) and text.endswith("\n") and text.count("\n") == 1, text
    assert "Traceback" not in text and "cannot check this file" not in text, text
    if naming is not None:
        assert text.startswith(f"{MALFORMED}{naming}: "), text


def check_both(capsysbinary, tmp_path, content: bytes, naming: str | None = None) -> None:
    for command in ("tally", "verify"):
        assert_malformed(*answer(capsysbinary, command, content, tmp_path), naming=naming)


def encoded(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


# --- the file as a whole ---------------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"", b"   \n", b"\xef\xbb\xbf", b"[]", b"[1, 2]", b'"owners-vote/1"', b"1", b"null", b"true", b"{",
    b'{"format": "owners-vote/1",', b'{"format": "owners-vote/1"} trailing'],
    ids=["empty", "blank", "bom-only", "empty-list", "list", "string", "number", "null", "true", "open",
         "truncated", "trailing"])
def test_a_file_that_is_not_a_json_object(capsysbinary, tmp_path, content):
    check_both(capsysbinary, tmp_path, content, naming="(file)")


@pytest.mark.parametrize("content", [
    b'{"format": "owners-vote/1", "vote": "\xff"}', b'{"format": "owners-vote/1", "vote": "\xe4\xb8"}',
    b'{"format": "owners-vote/1", "vote": "\xc0\xaf"}', b'{"format": "owners-vote/1", "vote": "\xed\xa0\x80"}',
    '{"format": "owners-vote/1"}'.encode("utf-16"), b"\x00" * 8],
    ids=["ff", "cut-short", "overlong", "surrogate-bytes", "utf-16", "nul"])
def test_invalid_utf8(capsysbinary, tmp_path, content):
    check_both(capsysbinary, tmp_path, content, naming="(file)")


def test_a_lone_surrogate_escaped_in_json_is_named(capsysbinary, tmp_path):
    data = sealed(1)
    text = json.dumps(data, ensure_ascii=False).replace('"2024年业主大会"', '"\\ud800"')
    check_both(capsysbinary, tmp_path, text.encode("utf-8"), naming="vote.title")
    text = json.dumps(data, ensure_ascii=False).replace('"r1": "approve"', '"\\udfff": "approve"', 1)
    check_both(capsysbinary, tmp_path, text.encode("utf-8"))


def test_a_byte_order_mark_is_read_as_excel_and_notepad_write_it(capsysbinary, tmp_path):
    code, out, err = answer(capsysbinary, "verify", b"\xef\xbb\xbf" + encoded(sealed(1)), tmp_path)
    assert (code, err) == (0, b"") and out.startswith(b"OK (owners-vote/1)")


# --- nesting -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [17, 900, 5_000, 100_000])
def test_deep_nesting(capsysbinary, tmp_path, depth):
    data = sealed(2)
    deep = "[" * depth + "]" * depth
    content = encoded(data).replace(b'"description": "', b'"deep": ' + deep.encode() + b', "description": "', 1)
    check_both(capsysbinary, tmp_path, content)


def test_nesting_inside_a_ballot_is_named(capsysbinary, tmp_path):
    data = sealed(1)
    mark = []
    for _ in range(20):
        mark = [mark]
    data["ballots"][0]["choices"]["e1"] = mark
    check_both(capsysbinary, tmp_path, encoded(data))
    code, _out, err = answer(capsysbinary, "tally", encoded(data), tmp_path)
    assert err.decode().startswith(f"{MALFORMED}ballots[0].choices.e1")


def test_deep_nesting_as_the_whole_file(capsysbinary, tmp_path):
    check_both(capsysbinary, tmp_path, b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, naming="(file)")


# --- numbers -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("digits", [16, 4_300, 4_301, 100_000])
@pytest.mark.parametrize("where", ["vote.id", "items[0].matter", "items[1].seats", "result.totals.heads",
                                   "ballots[0].choices.r1"])
def test_numbers_too_long(capsysbinary, tmp_path, digits, where):
    """Python refuses to read an integer of more than 4,300 digits (its int-str limit); a bundle
    has no number longer than 15 digits."""
    data = sealed(2)
    placeholder = "NUMBER-HERE"
    _set(data, where, placeholder)
    content = encoded(data).replace(f'"{placeholder}"'.encode(), b"9" * digits)
    check_both(capsysbinary, tmp_path, content, naming=where)
    negative = encoded(data).replace(f'"{placeholder}"'.encode(), b"-" + b"9" * digits)
    check_both(capsysbinary, tmp_path, negative, naming=where)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999", b"1.5", b"3.0", b"-0.0", b"1E2"])
@pytest.mark.parametrize("where", ["items[0].matter", "roll[0].area", "result.totals.heads", "vote.buildings"])
def test_nan_infinity_and_fractions(capsysbinary, tmp_path, literal, where):
    data = sealed(2)
    _set(data, where, "NUMBER-HERE")
    check_both(capsysbinary, tmp_path, encoded(data).replace(b'"NUMBER-HERE"', literal), naming=where)


def test_fifteen_digits_are_still_read(capsysbinary, tmp_path):
    """The limit refuses nothing a bundle may hold: a wrong count is a mismatch, not malformed."""
    data = sealed(1)
    data["result"]["totals"]["heads"] = 10 ** 14
    code, _out, err = answer(capsysbinary, "verify", encoded(data), tmp_path)
    assert code == 1 and err.decode().startswith("MISMATCH: result differs")


# --- keys given twice ------------------------------------------------------------------------------------

@pytest.mark.parametrize("original, doubled, naming", [
    (b'"format": "owners-vote/2"', b'"format": "owners-vote/2", "format": "owners-vote/1"', "format"),
    (b'"title": "2024', b'"title": "x", "title": "2024', "vote.title"),
    (b'"r1": "approve"', b'"r1": "oppose", "r1": "approve"', "ballots[0].choices.r1"),
    (b'"area": "88.50"', b'"area": "188.50", "area": "88.50"', "roll[0].area"),
    (b'"commitment": "', b'"commitment": "x", "commitment": "', "commitment")])
def test_a_key_given_twice(capsysbinary, tmp_path, original, doubled, naming):
    """Readers disagree on which of two values wins: such a file could be counted two ways."""
    content = encoded(sealed(2))
    assert original in content
    check_both(capsysbinary, tmp_path, content.replace(original, doubled, 1), naming=naming)


# --- every field, every wrong type; every required field missing -------------------------------------------

WRONG = {"null": None, "true": True, "number": 7, "string": "x", "list": [], "object": {}}
# Fields that may hold another type: buildings may be null; a blank answer is null.
ALSO_ALLOWED = {("vote.buildings", "null"), ("vote.buildings", "list")}


def _type_of(value) -> str:
    return {type(None): "null", bool: "true", int: "number", str: "string", list: "list", dict: "object"}[type(value)]


def _paths(value, where: str = ""):
    """Every field of a bundle outside its result (which is compared with the re-count)."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else key
            if path != "result":
                yield path, item
                yield from _paths(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield f"{where}[{index}]", item
            yield from _paths(item, f"{where}[{index}]")


def _steps(path: str) -> list:
    steps = []
    for part in path.replace("]", "").replace("[", ".").split("."):
        steps.append(int(part) if part.isdigit() else part)
    return steps


def _set(data, path: str, value) -> None:
    *parents, last = _steps(path)
    for step in parents:
        data = data[step]
    data[last] = value


def _delete(data, path: str) -> None:
    *parents, last = _steps(path)
    for step in parents:
        data = data[step]
    del data[last]


def _wrong_type_cases(version: int):
    data = sealed(version)
    for path, value in _paths(data):
        if path.startswith("ballots[") and ".choices." in path:
            continue  # answers: below
        for name, wrong in WRONG.items():
            if name != _type_of(value) and (path, name) not in ALSO_ALLOWED:
                yield path, name, wrong


@pytest.mark.parametrize("version", [1, 2])
def test_every_field_of_a_wrong_type(capsysbinary, tmp_path, version):
    cases = list(_wrong_type_cases(version))
    assert len(cases) > 300
    for path, name, wrong in cases:
        data = sealed(version)
        _set(data, path, wrong)
        for command in ("tally", "verify"):
            code, out, err = answer(capsysbinary, command, encoded(data), tmp_path)
            assert_malformed(code, out, err, naming=path)


@pytest.mark.parametrize("version", [1, 2])
@pytest.mark.parametrize("wrong", [True, 7, {}, [7], [None], {"c1": True}], ids=str)
def test_answers_of_a_wrong_shape_are_malformed_even_with_a_matching_tracker(capsysbinary, tmp_path, version,
                                                                              wrong):
    """A ballot sealed with an answer of the wrong shape: its tracker matches, the answer is not
    one a ballot can hold."""
    for item_id in ("r1", "e1", "k1"):
        data = make_bundle() if version == 1 else make_bundle_2()
        data["ballots"][0]["choices"][item_id] = wrong
        for ballot in data["ballots"]:
            ballot["nonce"] = "00" * 16
        data["result"] = {}
        text = encoded(data)
        sealed_data = json.loads(text)
        try:
            seal(sealed_data)
        except bundle.BundleError:
            sealed_data["result"] = {}
        check_both(capsysbinary, tmp_path, encoded(sealed_data), naming=f"ballots[0].choices.{item_id}")


OPTIONAL_IN_1 = {"vote.estate", "vote.title", "vote.buildings", "vote.notice_at", "vote.opens_at",
                 "items[0].title", "items[1].title", "items[2].title", "items[1].alternates",
                 "items[1].candidates[0].name", "items[1].candidates[1].name", "items[2].options[0].title",
                 "items[2].options[1].title"} | {f"roll[{i}].area_source" for i in range(5)}
# Missing, these are a mismatch (exit 1) as they always were: an unsealed ballot, no result, an
# answer left out of a ballot (its tracker then differs).
A_MISMATCH_WHEN_MISSING = ({f"ballots[{i}].{key}" for i in range(5) for key in ("nonce", "tracker", "chain")}
                           | {"result"})


@pytest.mark.parametrize("version", [1, 2])
def test_every_required_field_missing(capsysbinary, tmp_path, version):
    data = sealed(version)
    checked = 0
    for path, _value in list(_paths(data)):
        if path.endswith("]") or (".choices." in path) or path in A_MISMATCH_WHEN_MISSING:
            continue
        changed = copy.deepcopy(data)
        _delete(changed, path)
        code, out, err = answer(capsysbinary, "verify", encoded(changed), tmp_path)
        if version == 1 and path in OPTIONAL_IN_1:
            assert code in (0, 1), (path, err)
            continue
        assert_malformed(code, out, err, naming=path)
        checked += 1
    assert checked > (60 if version == 2 else 40)


@pytest.mark.parametrize("path", sorted(A_MISMATCH_WHEN_MISSING)[:4] + ["result"])
def test_an_unsealed_ballot_or_a_missing_result_stays_a_mismatch(capsysbinary, tmp_path, path):
    data = sealed(1)
    _delete(data, path)
    code, _out, err = answer(capsysbinary, "verify", encoded(data), tmp_path)
    assert code == 1 and err.startswith(b"MISMATCH: "), err


# --- times ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+08:00", "2024-02-30T00:00:00+08:00",
                                    "2024-07-16T10:00:00+25:00", "", "now"])
@pytest.mark.parametrize("where", ["vote.closes_at", "vote.opens_at", "ballots[1].received_at"])
def test_times_out_of_range_or_not_times(capsysbinary, tmp_path, moment, where):
    data = sealed(2)
    _set(data, where, moment)
    check_both(capsysbinary, tmp_path, encoded(data), naming=where)


# --- what the console is shown ------------------------------------------------------------------------------

def test_control_characters_of_a_field_name_are_shown_escaped(capsysbinary, tmp_path):
    data = sealed(1)
    data["ballots"][0]["choices"]["\x1b[2J\nOK: all match\r"] = "approve"
    code, out, err = answer(capsysbinary, "verify", encoded(data), tmp_path)
    assert_malformed(code, out, err)
    assert b"\x1b" not in err and b"\r" not in err and b"\\x1b[2J\\x0aOK: all match\\x0d" in err


def test_a_long_value_is_cut_short_in_the_message(capsysbinary, tmp_path):
    data = sealed(1)
    data["roll"][0]["area"] = "9" * 100_000
    code, out, err = answer(capsysbinary, "verify", encoded(data), tmp_path)
    assert_malformed(code, out, err, naming="roll[0].area")
    assert len(err) < 300


# --- the installed command, on the files of the issue ----------------------------------------------------------

@pytest.mark.parametrize("case", ["nesting", "digits"])
def test_the_installed_command_exits_2_with_one_line(tmp_path, case):
    data = sealed(1)
    if case == "nesting":
        content = encoded(data).replace(b'"buildings": null', b'"buildings": ' + b"[" * 100_000 + b"]" * 100_000)
    else:
        content = encoded(data).replace(b'"matter": 2', b'"matter": ' + b"1" * 100_000)
    path = tmp_path / "bundle.json"
    path.write_bytes(content)
    for command in ("tally", "verify"):
        done = subprocess.run([str(SCRIPT), command, str(path)], capture_output=True, timeout=60)
        assert_malformed(done.returncode, done.stdout, done.stderr)
