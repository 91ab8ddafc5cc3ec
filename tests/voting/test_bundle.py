"""The audit bundle, format owners-vote/1 (DESIGN.md "Verifiability"): trackers, the hash
chain, verifying, and refusing malformed input with the field named."""
from __future__ import annotations

import copy
import re
import hashlib
import json

import pytest

from governance_app.voting import bundle
from governance_app.voting.bundle import BundleError

VOTE_ID = "2024-东一小区-01"


def hand_canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def hand_tracker(vote_id: str, ballot: dict) -> str:
    content = {"vote": vote_id, **{key: ballot[key] for key in ("voter", "channel", "received_at", "status",
                                                                  "choices", "nonce")}}
    return hashlib.sha256(hand_canonical(content)).hexdigest()


def hand_commitment(data: dict) -> str:
    """owners-vote/2: the SHA-256 of the canonical JSON of the vote, its items and its roll."""
    return hashlib.sha256(hand_canonical({"vote": data["vote"], "items": data["items"],
                                          "roll": data["roll"]})).hexdigest()


def seal(data: dict) -> dict:
    """Give every ballot a nonce (if it has none), its tracker and its chain value, computed by
    hand in recorded order, and set the result to the re-count. An owners-vote/2 bundle gets
    its commitment, and its chain starts from it."""
    start = data["vote"]["id"]
    if data["format"] == "owners-vote/2":
        data["commitment"] = hand_commitment(data)
        start += data["commitment"]
    previous = hashlib.sha256(start.encode("utf-8")).hexdigest()
    for index, ballot in enumerate(data["ballots"]):
        ballot.setdefault("nonce", hashlib.sha256(f"nonce-{index}".encode()).hexdigest()[:32])
        ballot["tracker"] = hand_tracker(data["vote"]["id"], ballot)
        previous = hashlib.sha256((previous + ballot["tracker"]).encode("ascii")).hexdigest()
        ballot["chain"] = previous
    data["result"] = bundle.tally(data)
    return data


def paper(voter: str, received_at: str, choices: dict, *, channel: str = "online", status: str = "valid") -> dict:
    return {"voter": voter, "channel": channel, "received_at": received_at, "status": status, "choices": choices}


def make_bundle(**changes) -> dict:
    """A small vote: four owners (one holding two units), a resolution, an election, a choice;
    five ballots of which one is late and one a duplicate. Not sealed."""
    data = {
        "format": "owners-vote/1",
        "vote": {"id": VOTE_ID, "estate": "东一小区", "title": "2024年业主大会", "buildings": None,
                 "notice_at": "2024-07-01T09:00:00+08:00", "opens_at": "2024-07-16T09:00:00+08:00",
                 "closes_at": "2024-08-01T00:00:00+08:00"},
        "roll": [
            {"unit": "1-101", "building": "1", "area": "88.50", "area_source": "registry", "voter": "owner-张"},
            {"unit": "1-102", "building": "1", "area": "90.00", "area_source": "survey", "voter": "owner-李"},
            {"unit": "2-101", "building": "2", "area": "100.01", "area_source": "contract", "voter": "owner-王"},
            {"unit": "2-102", "building": "2", "area": "75.25", "area_source": "registry", "voter": "owner-王"},
            {"unit": "2-201", "building": "2", "area": "60.00", "area_source": "registry", "voter": "owner-赵"},
        ],
        "items": [
            {"id": "r1", "kind": "resolution", "matter": 2, "title": "修改管理规约"},
            {"id": "e1", "kind": "election", "matter": 3, "title": "选举业主委员会", "seats": 1, "alternates": 1,
             "candidates": [{"id": "c1", "name": "张某"}, {"id": "c2", "name": "李某"}]},
            {"id": "k1", "kind": "choice", "matter": 4, "title": "物业管理方式",
             "options": [{"id": "pro", "title": "物业服务企业"}, {"id": "self", "title": "自行管理"}]},
        ],
        "ballots": [
            paper("owner-张", "2024-07-16T10:00:00+08:00", {"r1": "approve", "e1": ["c1"], "k1": "pro"}),
            paper("owner-王", "2024-07-17T11:30:00+08:00", {"r1": "approve", "e1": ["c1"], "k1": "pro"},
                  channel="paper"),
            paper("owner-李", "2024-07-18T08:00:00+08:00", {"r1": "oppose", "e1": ["c2"], "k1": None},
                  channel="proxy"),
            paper("owner-张", "2024-07-19T08:00:00+08:00", {"r1": "oppose"}),
            paper("owner-赵", "2024-08-01T00:00:00+08:00", {"r1": "approve"}),
        ],
    }
    data.update(changes)
    return data


def make_bundle_2(**changes) -> dict:
    """``make_bundle`` in format owners-vote/2: every descriptive field is there, since the
    commitment covers them all."""
    data = make_bundle()
    data["format"] = "owners-vote/2"
    data["vote"]["description"] = "审议管理规约并选举业主委员会"
    for item in data["items"]:
        item["description"] = f"{item['title']}的说明"
    for candidate in data["items"][1]["candidates"]:
        candidate.update(nomination="self", statement="无不得担任委员的情形")
    data.update(changes)
    return data


@pytest.fixture
def sealed() -> dict:
    return seal(make_bundle())


@pytest.fixture
def sealed_2() -> dict:
    return seal(make_bundle_2())


# --- trackers and the chain, computed by hand ------------------------------------------------

def test_canonical_json_is_sorted_compact_utf8():
    value = {"b": [1, {"z": None, "a": "业主"}], "a": "88.50"}
    assert bundle.canonical_json(value) == hand_canonical(value)
    assert bundle.canonical_json(value) == '{"a":"88.50","b":[1,{"a":"业主","z":null}]}'.encode("utf-8")


def test_tracker_is_the_sha256_of_the_canonical_ballot_content():
    ballot = paper("owner-张", "2024-07-16T10:00:00+08:00", {"r1": "approve", "e1": ["c1", "c2"], "k1": None})
    ballot["nonce"] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    content = ('{"channel":"online","choices":{"e1":["c1","c2"],"k1":null,"r1":"approve"},'
               '"nonce":"0f1e2d3c4b5a69788796a5b4c3d2e1f0","received_at":"2024-07-16T10:00:00+08:00",'
               '"status":"valid","vote":"2024-东一小区-01","voter":"owner-张"}')
    expected = hashlib.sha256(content.encode("utf-8")).hexdigest()
    assert hand_tracker(VOTE_ID, ballot) == expected
    assert bundle.tracker(VOTE_ID, ballot["voter"], ballot["channel"], ballot["received_at"], ballot["status"],
                          ballot["choices"], ballot["nonce"]) == expected


def test_tracker_changes_with_every_field():
    base = ("v", "owner-张", "online", "2024-07-16T10:00:00+08:00", "valid", {"r1": "approve"}, "00")
    trackers = {bundle.tracker(*base)}
    for position, other in enumerate(("w", "owner-李", "paper", "2024-07-16T10:00:01+08:00", "invalid",
                                      {"r1": "oppose"}, "01")):
        changed = list(base)
        changed[position] = other
        trackers.add(bundle.tracker(*changed))
    assert len(trackers) == 8


def test_chain_starts_with_the_hash_of_the_vote_id():
    assert bundle.chain_start(VOTE_ID) == hashlib.sha256(VOTE_ID.encode("utf-8")).hexdigest()


def test_chain_next_hashes_the_previous_and_the_tracker_as_hex_text():
    previous, tracker = hashlib.sha256(b"a").hexdigest(), hashlib.sha256(b"b").hexdigest()
    assert bundle.chain_next(previous, tracker) == hashlib.sha256((previous + tracker).encode("ascii")).hexdigest()


def test_chain_over_a_sealed_bundle_matches_the_module(sealed):
    previous = bundle.chain_start(VOTE_ID)
    for ballot in sealed["ballots"]:
        tracker = bundle.tracker(VOTE_ID, ballot["voter"], ballot["channel"], ballot["received_at"],
                                 ballot["status"], ballot["choices"], ballot["nonce"])
        assert tracker == ballot["tracker"]
        previous = bundle.chain_next(previous, tracker)
        assert previous == ballot["chain"]


# --- tally ------------------------------------------------------------------------------------

def test_tally_of_the_bundle(sealed):
    result = bundle.tally(sealed)
    assert result["totals"] == {"area": "413.76", "heads": 4}
    assert result["participation"] == {"area": "353.76", "heads": 3, "met": True, "rule": "R-10"}
    assert result["ballots"] == {"counted": 3, "late": 1, "invalid": 0, "duplicate": 1, "unknown_voter": 0}
    assert result["items"]["r1"]["approve"] == {"area": "263.76", "heads": 2}
    assert result["items"]["r1"]["outcome"] == "passed"
    assert result["items"]["e1"]["elected"] == ["c1"]
    assert result["items"]["k1"]["option"] == "pro"


def test_tally_needs_no_nonce_tracker_chain_or_result():
    assert bundle.tally(make_bundle()) == bundle.tally(seal(make_bundle()))


def test_load_reads_bytes_and_text():
    text = json.dumps(make_bundle(), ensure_ascii=False)
    assert bundle.load(text) == bundle.load(text.encode("utf-8")) == make_bundle()


# --- verify -----------------------------------------------------------------------------------

def test_verify_accepts_a_correct_bundle(sealed):
    assert bundle.verify(sealed) is None


def test_verify_accepts_a_correct_bundle_after_a_json_round_trip(sealed):
    assert bundle.verify(bundle.load(json.dumps(sealed, ensure_ascii=False, indent=1))) is None


def test_verify_accepts_a_vote_without_ballots():
    assert bundle.verify(seal(make_bundle(ballots=[]))) is None


def test_verify_reports_the_ballot_whose_choice_was_edited(sealed):
    sealed["ballots"][1]["choices"]["r1"] = "oppose"
    mismatch = bundle.verify(sealed)
    assert mismatch.startswith("ballots[1].tracker does not match")
    assert hand_tracker(VOTE_ID, sealed["ballots"][1]) in mismatch  # the tracker the content gives


def test_verify_reports_an_edited_tracker(sealed):
    sealed["ballots"][2]["tracker"] = "0" * 64
    assert bundle.verify(sealed).startswith("ballots[2].tracker")


def test_verify_a_ballot_rewritten_with_its_tracker_breaks_the_chain(sealed):
    ballot = sealed["ballots"][1]
    ballot["choices"]["r1"] = "oppose"
    ballot["tracker"] = hand_tracker(VOTE_ID, ballot)
    assert bundle.verify(sealed).startswith("ballots[1].chain does not match")


def test_verify_an_edited_chain_value_is_reported(sealed):
    sealed["ballots"][3]["chain"] = "f" * 64
    assert bundle.verify(sealed).startswith("ballots[3].chain does not match")


def test_verify_reordering_two_ballots_breaks_the_chain(sealed):
    sealed["ballots"][0], sealed["ballots"][1] = sealed["ballots"][1], sealed["ballots"][0]
    assert bundle.verify(sealed).startswith("ballots[0].chain does not match")


def test_verify_removing_a_ballot_breaks_the_chain(sealed):
    del sealed["ballots"][2]
    assert bundle.verify(sealed).startswith("ballots[2].chain does not match")


def test_verify_another_vote_id_breaks_every_tracker(sealed):
    sealed["vote"]["id"] = VOTE_ID + "-copy"
    assert bundle.verify(sealed).startswith("ballots[0].tracker does not match")


def test_verify_reports_the_path_that_differs_in_the_result(sealed):
    sealed["result"]["items"]["r1"]["outcome"] = "failed"
    assert bundle.verify(sealed) == ('result differs from the re-count: result.items.r1.outcome is "failed", '
                                     'the re-count gives "passed"')


def test_verify_reports_a_changed_area_inside_a_list_of_the_result(sealed):
    sealed["result"]["items"]["e1"]["candidates"][1]["area"] = "90.01"
    mismatch = bundle.verify(sealed)
    assert "result.items.e1.candidates[1].area" in mismatch
    assert '"90.00"' in mismatch


def test_verify_reports_a_key_missing_from_the_result(sealed):
    del sealed["result"]["participation"]["met"]
    assert bundle.verify(sealed) == "result differs from the re-count: result.participation.met is missing"


def test_verify_reports_a_key_added_to_the_result(sealed):
    sealed["result"]["totals"]["extra"] = 1
    assert bundle.verify(sealed) == "result differs from the re-count: result.totals.extra is not expected"


def test_verify_reports_a_missing_result(sealed):
    del sealed["result"]
    assert bundle.verify(sealed) == "result is missing"


@pytest.mark.parametrize("key", ["nonce", "tracker", "chain"])
def test_verify_reports_a_missing_nonce_tracker_or_chain(sealed, key):
    del sealed["ballots"][2][key]
    assert bundle.verify(sealed) == f"ballots[2].{key} is missing or not hex"


def test_verify_reports_a_nonce_that_is_not_hex(sealed):
    sealed["ballots"][0]["nonce"] = "NOT-HEX"
    assert bundle.verify(sealed) == "ballots[0].nonce is missing or not hex"


def test_verify_a_changed_roll_changes_the_result(sealed):
    sealed["roll"][1]["area"] = "90.01"
    assert "result.items" in bundle.verify(sealed) or "result.participation" in bundle.verify(sealed)


def test_verify_does_not_change_the_bundle(sealed):
    before = copy.deepcopy(sealed)
    bundle.verify(sealed)
    assert sealed == before


# --- malformed input --------------------------------------------------------------------------

def field_of(data) -> str:
    """The field named by the BundleError that loading, reading and counting ``data`` raises."""
    with pytest.raises(BundleError) as caught:
        bundle.tally(bundle.load(json.dumps(data, ensure_ascii=False)))
    assert str(caught.value).startswith(f"{caught.value.field}: ")
    return caught.value.field


@pytest.mark.parametrize("text", ["{", "", "[1, 2]", "\"owners-vote/1\"", b"{\"a\": \"\xc3\x28\"}"])
def test_load_refuses_what_is_not_a_json_object(text):
    with pytest.raises(BundleError) as caught:
        bundle.load(text)
    assert caught.value.field == "(file)"


@pytest.mark.parametrize("value", ["owners-vote/3", "owners-vote", None, 1])
def test_load_refuses_another_format(value):
    data = make_bundle(format=value)
    with pytest.raises(BundleError, match="owners-vote/1") as caught:
        bundle.load(json.dumps(data))
    assert caught.value.field == "format"


def test_load_refuses_a_missing_format():
    data = make_bundle()
    del data["format"]
    with pytest.raises(BundleError) as caught:
        bundle.load(json.dumps(data))
    assert caught.value.field == "format"


@pytest.mark.parametrize("key", ["vote", "roll", "items", "ballots"])
def test_read_names_a_missing_top_level_key(key):
    data = make_bundle()
    del data[key]
    assert field_of(data) == key


def test_read_names_a_missing_closing_time():
    data = make_bundle()
    del data["vote"]["closes_at"]
    assert field_of(data) == "vote.closes_at"


def test_read_names_a_missing_vote_id():
    data = make_bundle()
    del data["vote"]["id"]
    assert field_of(data) == "vote.id"


@pytest.mark.parametrize("value", ["2024-08-01T00:00:00", "2024-08-01", "1 August 2024", "2024-13-01T00:00:00+08:00",
                                   1722441600])
def test_read_refuses_a_closing_time_without_offset_or_not_iso(value):
    data = make_bundle()
    data["vote"]["closes_at"] = value
    assert field_of(data) == "vote.closes_at"


def test_read_names_the_ballot_whose_time_has_no_offset():
    data = make_bundle()
    data["ballots"][3]["received_at"] = "2024-07-19T08:00:00"
    with pytest.raises(BundleError, match="no time zone offset") as caught:
        bundle.read(data)
    assert caught.value.field == "ballots[3].received_at"


def test_read_accepts_utc_written_with_z():
    data = make_bundle()
    data["ballots"][0]["received_at"] = "2024-07-16T02:00:00Z"
    assert bundle.tally(data) == bundle.tally(make_bundle())


@pytest.mark.parametrize("area", ["88.5", "88.500", "88", "88,50", ".50", "88.5O", "+88.50", " 88.50", "88.50\n",
                                  "８８.５０", 88.5, 8850, None])
def test_read_refuses_an_area_without_exactly_two_decimals(area):
    data = make_bundle()
    data["roll"][2]["area"] = area
    assert field_of(data) == "roll[2].area"


@pytest.mark.parametrize("area", ["-1.00", "0.00", "-0.01"])
def test_read_refuses_a_negative_or_zero_area(area):
    data = make_bundle()
    data["roll"][0]["area"] = area
    assert field_of(data) == "roll[0].area"


def test_read_turns_areas_into_exact_hundredths():
    _vote, roll, _items, _ballots = bundle.read(make_bundle())
    assert [entry.area for entry in roll] == [8850, 9000, 10001, 7525, 6000]
    assert all(type(entry.area) is int for entry in roll)


def test_read_refuses_a_unit_listed_twice():
    data = make_bundle()
    data["roll"][3]["unit"] = "2-101"
    with pytest.raises(BundleError, match="2-101") as caught:
        bundle.read(data)
    assert caught.value.field == "roll[3].unit"


def test_read_refuses_an_unknown_area_source():
    data = make_bundle()
    data["roll"][4]["area_source"] = "estimate"
    assert field_of(data) == "roll[4].area_source"


@pytest.mark.parametrize("key", ["unit", "building", "area", "voter"])
def test_read_names_a_missing_roll_field(key):
    data = make_bundle()
    del data["roll"][1][key]
    assert field_of(data) == f"roll[1].{key}"


@pytest.mark.parametrize("key, value", [("channel", "email"), ("channel", None), ("status", "late"),
                                        ("status", "VALID"), ("choices", ["approve"]), ("voter", 7)])
def test_read_names_a_bad_ballot_field(key, value):
    data = make_bundle()
    data["ballots"][2][key] = value
    assert field_of(data) == f"ballots[2].{key}"


def test_read_refuses_a_choice_for_an_item_not_in_the_vote():
    data = make_bundle()
    data["ballots"][1]["choices"]["r9"] = "approve"
    assert field_of(data) == "ballots[1].choices.r9"


def test_tally_refuses_an_unknown_candidate_naming_the_item():
    data = make_bundle()
    data["ballots"][1]["choices"]["e1"] = ["c9"]
    with pytest.raises(BundleError, match="c9") as caught:
        bundle.tally(data)
    assert caught.value.field.startswith("ballots")
    assert caught.value.field.endswith("choices.e1")


@pytest.mark.parametrize("item_id, mark", [("r1", "yes"), ("e1", "c1"), ("e1", ["c1", "c1"]), ("e1", [["c1"]]),
                                           ("k1", "managed"), ("k1", ["pro"])])
def test_tally_refuses_a_malformed_mark_naming_the_item(item_id, mark):
    data = make_bundle()
    data["ballots"][0]["choices"][item_id] = mark
    assert field_of(data).endswith(f"choices.{item_id}")


@pytest.mark.parametrize("matter", [1, 4, 9])
def test_read_refuses_an_election_that_is_not_matter_3(matter):
    data = make_bundle()
    data["items"][1]["matter"] = matter
    assert field_of(data) == "items[1].matter"


@pytest.mark.parametrize("matter", [0, 10, -1, "3", True, 3.0])
def test_read_refuses_a_matter_outside_1_to_9(matter):
    data = make_bundle()
    data["items"][0]["matter"] = matter
    assert field_of(data) == "items[0].matter"


@pytest.mark.parametrize("seats", [0, -1, "1", None])
def test_read_refuses_an_election_without_a_seat(seats):
    data = make_bundle()
    data["items"][1]["seats"] = seats
    assert field_of(data) == "items[1].seats"


@pytest.mark.parametrize("alternates", [-1, "1", True])
def test_read_refuses_bad_alternates(alternates):
    data = make_bundle()
    data["items"][1]["alternates"] = alternates
    assert field_of(data) == "items[1].alternates"


def test_read_refuses_two_candidates_with_one_id():
    data = make_bundle()
    data["items"][1]["candidates"][1]["id"] = "c1"
    assert field_of(data) == "items[1].candidates"


def test_read_names_a_candidate_without_id():
    data = make_bundle()
    del data["items"][1]["candidates"][1]["id"]
    assert field_of(data) == "items[1].candidates[1].id"


@pytest.mark.parametrize("options", [[], [{"id": "pro"}, {"id": "pro"}]])
def test_read_refuses_a_choice_without_distinct_options(options):
    data = make_bundle()
    data["items"][2]["options"] = options
    assert field_of(data) == "items[2].options"


def test_read_refuses_two_items_with_one_id():
    data = make_bundle()
    data["items"][2]["id"] = "r1"
    assert field_of(data) == "items"


def test_read_refuses_an_unknown_item_kind():
    data = make_bundle()
    data["items"][0]["kind"] = "poll"
    assert field_of(data) == "items[0].kind"


def test_verify_refuses_a_malformed_bundle_rather_than_reporting_a_mismatch(sealed):
    sealed["roll"][0]["area"] = "88.5"
    with pytest.raises(BundleError) as caught:
        bundle.verify(sealed)
    assert caught.value.field == "roll[0].area"


# --- owners-vote/2: the commitment to what was voted on (issue 12, point 8) ---------------------

def test_2_the_commitment_is_the_sha256_of_the_canonical_vote_items_and_roll(sealed_2):
    content = {"vote": sealed_2["vote"], "items": sealed_2["items"], "roll": sealed_2["roll"]}
    expected = hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode("utf-8")).hexdigest()
    assert bundle.commitment(sealed_2["vote"], sealed_2["items"], sealed_2["roll"]) == expected
    assert sealed_2["commitment"] == expected


def test_2_the_chain_starts_from_the_vote_id_and_the_commitment(sealed_2):
    start = hashlib.sha256((VOTE_ID + sealed_2["commitment"]).encode("utf-8")).hexdigest()
    assert bundle.chain_start(VOTE_ID, sealed_2["commitment"]) == start
    assert bundle.chain_start(VOTE_ID) == hashlib.sha256(VOTE_ID.encode("utf-8")).hexdigest()  # owners-vote/1
    assert sealed_2["ballots"][0]["chain"] == bundle.chain_next(start, sealed_2["ballots"][0]["tracker"])


def test_2_verify_accepts_a_correct_bundle(sealed_2):
    assert bundle.verify(sealed_2) is None
    assert bundle.verify(bundle.load(json.dumps(sealed_2, ensure_ascii=False, indent=1))) is None
    assert bundle.verify(seal(make_bundle_2(ballots=[]))) is None


def test_1_bundles_verify_exactly_as_before_even_with_a_commitment_key(sealed):
    """owners-vote/1 knows no commitment: its chain starts from the vote id alone."""
    sealed["commitment"] = "0" * 64
    assert bundle.verify(sealed) is None


DESCRIPTIVE = [
    ("vote", "title", "2024年业主大会（修订）"), ("vote", "estate", "东二小区"), ("vote", "description", "另一说明"),
    ("vote", "notice_at", "2024-07-02T09:00:00+08:00"), ("vote", "opens_at", "2024-07-17T09:00:00+08:00"),
    ("vote", "closes_at", "2024-08-02T00:00:00+08:00"), ("vote", "buildings", ["1"]),
    ("items.0", "title", "废止管理规约"), ("items.0", "description", "另一说明"), ("items.0", "matter", 1),
    ("items.1", "seats", 2), ("items.1", "alternates", 0),
    ("items.1.candidates.0", "name", "王某"), ("items.1.candidates.1", "nomination", "community"),
    ("items.1.candidates.0", "statement", ""), ("items.2.options.1", "title", "委托其他管理人"),
    ("items.2", "kind", "resolution"),
    ("roll.0", "unit", "1-109"), ("roll.0", "building", "9"), ("roll.1", "area_source", "contract"),
    ("roll.2", "area", "100.02"), ("roll.4", "voter", "owner-钱"),
    ("vote", "added", "an extra field is committed too"),
]


def _at(data: dict, path: str):
    for step in path.split("."):
        data = data[int(step)] if step.isdigit() else data[step]
    return data


@pytest.mark.parametrize("path, key, value", DESCRIPTIVE, ids=[f"{p}.{k}" for p, k, _v in DESCRIPTIVE])
def test_2_any_changed_descriptive_field_fails_verify_naming_the_commitment(sealed_2, path, key, value):
    """The attack of issue 12 point 8: under owners-vote/1 these edits verified."""
    before = copy.deepcopy(sealed_2)
    if key == "kind":  # a choice turned into a resolution loses its options
        del _at(sealed_2, path)["options"]
    _at(sealed_2, path)[key] = value
    mismatch = bundle.verify(sealed_2)
    assert mismatch is not None and mismatch.startswith("commitment does not match"), mismatch
    assert bundle.commitment(sealed_2["vote"], sealed_2["items"], sealed_2["roll"]) in mismatch
    assert bundle.verify(before) is None


def test_1_the_same_descriptive_edits_still_verify_which_is_why_2_exists(sealed):
    sealed["vote"]["title"] = "另一表决"
    sealed["items"][1]["candidates"][0]["name"] = "王某"
    sealed["roll"][0]["building"] = "9"
    assert bundle.verify(sealed) is None


def test_2_a_new_commitment_for_the_edit_changes_every_chain_value(sealed_2):
    sealed_2["items"][0]["title"] = "废止管理规约"
    sealed_2["commitment"] = hand_commitment(sealed_2)
    assert bundle.verify(sealed_2).startswith("ballots[0].chain does not match")


def test_2_a_wholly_resealed_edit_verifies_but_its_commitment_and_final_chain_are_others(sealed_2):
    """Anyone can reseal an edited bundle; what they cannot change is the commitment shown with
    the notice and the final chain value printed on the result: both differ."""
    original = copy.deepcopy(sealed_2)
    edited = copy.deepcopy(sealed_2)
    edited["roll"][0]["area_source"] = "contract"
    for ballot in edited["ballots"]:
        del ballot["tracker"], ballot["chain"]
    seal(edited)
    assert bundle.verify(edited) is None
    assert edited["commitment"] != original["commitment"]
    assert bundle.final_chain(edited) != bundle.final_chain(original)
    assert all(a["chain"] != b["chain"] for a, b in zip(edited["ballots"], original["ballots"]))


def test_final_chain_is_the_last_ballot_s_or_the_start(sealed, sealed_2):
    assert bundle.final_chain(sealed) == sealed["ballots"][-1]["chain"]
    empty = seal(make_bundle_2(ballots=[]))
    assert bundle.final_chain(empty) == bundle.chain_start(VOTE_ID, empty["commitment"])


@pytest.mark.parametrize("value", [None, 7, "", "0" * 63, "0" * 65, "A" * 64, "g" * 64])
def test_2_a_commitment_that_is_no_sha256_is_malformed(sealed_2, value):
    sealed_2["commitment"] = value
    assert field_of(sealed_2) == "commitment"


@pytest.mark.parametrize("path, key", [
    ("", "commitment"), ("vote", "estate"), ("vote", "title"), ("vote", "description"), ("vote", "notice_at"),
    ("vote", "opens_at"), ("vote", "buildings"), ("items.0", "title"), ("items.0", "description"),
    ("items.1", "alternates"), ("items.1.candidates.0", "name"), ("items.1.candidates.0", "nomination"),
    ("items.1.candidates.0", "statement"), ("items.2.options.0", "title"), ("roll.0", "area_source")])
def test_2_every_descriptive_field_is_required(sealed_2, path, key):
    del (_at(sealed_2, path) if path else sealed_2)[key]
    expected = f"{path}.{key}" if path else key
    assert field_of(sealed_2) == re.sub(r"\.(\d+)", r"[\1]", expected)


def test_2_an_unknown_nomination_is_malformed(sealed_2):
    sealed_2["items"][1]["candidates"][0]["nomination"] = "appointed"
    assert field_of(sealed_2) == "items[1].candidates[0].nomination"
