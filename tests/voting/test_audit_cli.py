"""The installed ``governance-audit`` command, run as auditors run it: a separate process on a file."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from governance_app.voting import bundle

from .test_bundle import hand_tracker, make_bundle, seal

SCRIPT = Path(sys.executable).with_name("governance-audit")

HAND_MADE = """{
  "format": "owners-vote/1",
  "vote": {"id": "v-1", "estate": "东一小区", "title": "更换物业", "buildings": ["1"],
           "notice_at": "2024-07-01T09:00:00+08:00", "opens_at": "2024-07-16T09:00:00+08:00",
           "closes_at": "2024-08-01T00:00:00+08:00"},
  "roll": [
    {"unit": "1-101", "building": "1", "area": "100.00", "area_source": "registry", "voter": "a"},
    {"unit": "1-102", "building": "1", "area": "100.00", "area_source": "registry", "voter": "b"},
    {"unit": "1-103", "building": "1", "area": "100.00", "area_source": "survey", "voter": "c"}
  ],
  "items": [{"id": "换物业", "kind": "resolution", "matter": 4, "title": "解聘物业服务企业"}],
  "ballots": [
    {"voter": "a", "channel": "online", "received_at": "2024-07-20T10:00:00+08:00", "status": "valid",
     "choices": {"换物业": "approve"}},
    {"voter": "b", "channel": "paper", "received_at": "2024-07-21T10:00:00+08:00", "status": "valid",
     "choices": {"换物业": "approve"}}
  ]
}"""


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPT), *args], input=stdin, capture_output=True, timeout=60)


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


@pytest.fixture
def sealed_file(tmp_path) -> Path:
    return write(tmp_path / "bundle.json", seal(make_bundle()))


def test_the_console_script_is_installed():
    assert SCRIPT.is_file()


def test_tally_prints_the_result_json(sealed_file):
    done = run("tally", str(sealed_file))
    assert (done.returncode, done.stderr) == (0, b"")
    printed = json.loads(done.stdout.decode("utf-8"))
    assert printed == bundle.tally(json.loads(sealed_file.read_text(encoding="utf-8")))
    assert printed["items"]["r1"]["outcome"] == "passed"


def test_verify_a_correct_bundle_says_ok(sealed_file):
    done = run("verify", str(sealed_file))
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.decode("utf-8").startswith("OK")


def test_verify_an_edited_choice_is_a_mismatch_naming_the_ballot(tmp_path):
    data = seal(make_bundle())
    data["ballots"][1]["choices"]["r1"] = "oppose"
    done = run("verify", str(write(tmp_path / "edited.json", data)))
    assert done.returncode == 1
    assert done.stderr.decode("utf-8").startswith("MISMATCH: ballots[1].tracker")
    assert hand_tracker(data["vote"]["id"], data["ballots"][1]) in done.stderr.decode("utf-8")
    assert done.stdout == b""


def test_verify_an_edited_result_is_a_mismatch_naming_the_path(tmp_path):
    data = seal(make_bundle())
    data["result"]["participation"]["heads"] = 4
    done = run("verify", str(write(tmp_path / "edited.json", data)))
    assert done.returncode == 1
    assert "result.participation.heads" in done.stderr.decode("utf-8")


def test_verify_a_bundle_without_trackers_is_a_mismatch(tmp_path):
    done = run("verify", str(write(tmp_path / "plain.json", make_bundle())))
    assert done.returncode == 1
    assert done.stderr.decode("utf-8").startswith("MISMATCH: ballots[0].nonce")


def test_malformed_json_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "owners-vote/1", ', encoding="utf-8")
    for command in ("tally", "verify"):
        done = run(command, str(path))
        assert (done.returncode, done.stdout) == (2, b"")
        assert "malformed bundle: (file): not JSON" in done.stderr.decode("utf-8")


def test_a_missing_file_exits_2_naming_it(tmp_path):
    missing = tmp_path / "nowhere.json"
    done = run("verify", str(missing))
    assert (done.returncode, done.stdout) == (2, b"")
    assert f"cannot read {missing}" in done.stderr.decode("utf-8")


@pytest.mark.parametrize("command", ["tally", "verify"])
def test_a_bad_area_exits_2_naming_the_field(tmp_path, command):
    data = seal(make_bundle())
    data["roll"][2]["area"] = "100.0"
    done = run(command, str(write(tmp_path / "bad.json", data)))
    assert (done.returncode, done.stdout) == (2, b"")
    assert "malformed bundle: roll[2].area:" in done.stderr.decode("utf-8")


def test_a_malformed_mark_exits_2_not_a_traceback(tmp_path):
    data = make_bundle()
    data["ballots"][0]["choices"]["k1"] = ["pro"]
    done = run("tally", str(write(tmp_path / "bad.json", data)))
    assert done.returncode == 2
    assert "choices.k1" in done.stderr.decode("utf-8")
    assert "Traceback" not in done.stderr.decode("utf-8")


def test_another_format_exits_2(tmp_path):
    done = run("tally", str(write(tmp_path / "v3.json", make_bundle(format="owners-vote/3"))))
    assert done.returncode == 2
    assert "malformed bundle: format:" in done.stderr.decode("utf-8")


def test_tally_of_a_hand_made_bundle_without_nonce_tracker_chain_or_result(tmp_path):
    path = tmp_path / "hand.json"
    path.write_text(HAND_MADE, encoding="utf-8")
    done = run("tally", str(path))
    assert (done.returncode, done.stderr) == (0, b"")
    result = json.loads(done.stdout.decode("utf-8"))
    assert result["totals"] == {"area": "300.00", "heads": 3}
    assert result["participation"] == {"area": "200.00", "heads": 2, "met": True, "rule": "R-10"}
    assert result["items"]["换物业"]["approve"] == {"area": "200.00", "heads": 2}
    assert result["items"]["换物业"]["outcome"] == "passed"


def test_tally_reads_standard_input_with_a_dash():
    done = run("tally", "-", stdin=HAND_MADE.encode("utf-8"))
    assert (done.returncode, done.stderr) == (0, b"")
    assert json.loads(done.stdout.decode("utf-8")) == bundle.tally(bundle.load(HAND_MADE))


def test_verify_reads_standard_input_with_a_dash(sealed_file):
    done = run("verify", "-", stdin=sealed_file.read_bytes())
    assert done.returncode == 0
    assert done.stdout.decode("utf-8").startswith("OK")


@pytest.mark.parametrize("args", [[], ["count", "x.json"], ["tally"]])
def test_usage_errors_exit_2(args):
    done = run(*args)
    assert done.returncode == 2
    assert b"usage: governance-audit" in done.stderr


def test_chinese_output_works_on_an_ascii_console(tmp_path):
    """Auditors' consoles may not be UTF-8: output is UTF-8 bytes, never a crash."""
    import json as _json
    import os
    import subprocess
    import sys
    from pathlib import Path

    data = {"format": "owners-vote/1",
            "vote": {"id": "v", "closes_at": "2026-07-31T00:00:00+08:00"},
            "roll": [{"unit": "1-101", "building": "1", "area": "10.00", "voter": "甲"}],
            "items": [{"id": "电梯", "kind": "resolution", "matter": 5, "title": "加装电梯"}],
            "ballots": [{"voter": "甲", "channel": "paper", "received_at": "2026-07-20T10:00:00+08:00",
                         "status": "valid", "choices": {"电梯": "approve"}}]}
    path = tmp_path / "bundle.json"
    path.write_text(_json.dumps(data, ensure_ascii=False), encoding="utf-8")
    script = Path(sys.executable).with_name("governance-audit")
    done = subprocess.run([str(script), "tally", str(path)], capture_output=True,
                          env={**os.environ, "PYTHONIOENCODING": "ascii"}, check=False)
    assert done.returncode == 0, done.stderr
    assert _json.loads(done.stdout.decode("utf-8"))["items"]["电梯"]["outcome"] == "passed"
