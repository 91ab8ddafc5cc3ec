"""The audit bundle, format ``owners-vote/1``: reading, checking, trackers and the chain.

Pure: standard library only. This is a public contract: a bundle written by the
platform is re-counted and verified by ``governance-audit`` without the
platform's code paths for storage.

- ``tracker = sha256_hex(canonical_json({"vote", "voter", "channel", "received_at",
  "status", "choices", "nonce"}))``
- ``chain_0 = sha256_hex(vote id as UTF-8)``; ``chain_i = sha256_hex(chain_{i-1} + tracker_i)``
  over the ASCII hex strings, in the order the ballots were recorded.
- canonical JSON: ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False).encode("utf-8")``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from . import rules

FORMAT = "owners-vote/1"
AREA = re.compile(r"[0-9]+\.[0-9]{2}")  # ASCII digits only; used with fullmatch
HEX = re.compile(r"^[0-9a-f]+$")
AREA_SOURCES = ("registry", "survey", "contract")
CHANNELS = ("online", "paper", "proxy")
STATUSES = ("valid", "invalid")


class BundleError(ValueError):
    """Malformed input: ``field`` is a path such as ``ballots[3].received_at``."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def tracker(vote_id: str, voter: str, channel: str, received_at: str, status: str, choices: dict,
            nonce: str) -> str:
    return sha256_hex(canonical_json({"vote": vote_id, "voter": voter, "channel": channel,
                                      "received_at": received_at, "status": status, "choices": choices,
                                      "nonce": nonce}))


def chain_start(vote_id: str) -> str:
    return sha256_hex(vote_id)


def chain_next(previous: str, tracker_hex: str) -> str:
    return sha256_hex(previous + tracker_hex)


def parse_time(value: Any, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise BundleError(where, "must be an ISO 8601 date and time string")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise BundleError(where, f"{value!r} is not an ISO 8601 date and time") from error
    if moment.tzinfo is None:
        raise BundleError(where, f"{value!r} has no time zone offset")
    return moment


def _area(value: Any, where: str) -> int:
    if not isinstance(value, str) or not AREA.fullmatch(value):
        raise BundleError(where, f"{value!r} is not an area with exactly two decimals, like \"88.50\"")
    whole, part = value.split(".")
    return int(whole) * 100 + int(part)


def _need(obj: dict, key: str, kind: type | tuple, where: str):
    if not isinstance(obj, dict):
        raise BundleError(where, "must be an object")
    if key not in obj:
        raise BundleError(f"{where}.{key}" if where else key, "is missing")
    value = obj[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise BundleError(f"{where}.{key}" if where else key, f"must be {names}")
    return value


def load(text: str | bytes) -> dict:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BundleError("(file)", f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise BundleError("(file)", "must be a JSON object")
    if data.get("format") != FORMAT:
        raise BundleError("format", f"must be {FORMAT!r}")
    return data


def read(data: dict) -> tuple[dict, list[rules.RollEntry], list[rules.Item], list[rules.Ballot]]:
    """Check a bundle's shape and turn it into the counting rules' values."""
    vote = _need(data, "vote", dict, "")
    _need(vote, "id", str, "vote")
    closes_at = parse_time(_need(vote, "closes_at", str, "vote"), "vote.closes_at")
    roll = []
    units = set()
    for index, entry in enumerate(_need(data, "roll", list, "")):
        where = f"roll[{index}]"
        unit = _need(entry, "unit", str, where)
        if unit in units:
            raise BundleError(f"{where}.unit", f"unit {unit!r} appears twice")
        units.add(unit)
        source = entry.get("area_source", "registry")
        if source not in AREA_SOURCES:
            raise BundleError(f"{where}.area_source", f"must be one of {', '.join(AREA_SOURCES)}")
        area = _area(_need(entry, "area", str, where), f"{where}.area")
        if area <= 0:
            raise BundleError(f"{where}.area", "must be greater than zero")
        roll.append(rules.RollEntry(unit=unit, building=_need(entry, "building", str, where), area=area,
                                    voter=_need(entry, "voter", str, where), area_source=source))
    items = [_item(item, f"items[{index}]") for index, item in enumerate(_need(data, "items", list, ""))]
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise BundleError("items", "two items have the same id")
    ballots = []
    for index, ballot in enumerate(_need(data, "ballots", list, "")):
        where = f"ballots[{index}]"
        channel = _need(ballot, "channel", str, where)
        if channel not in CHANNELS:
            raise BundleError(f"{where}.channel", f"must be one of {', '.join(CHANNELS)}")
        status = _need(ballot, "status", str, where)
        if status not in STATUSES:
            raise BundleError(f"{where}.status", "must be valid or invalid")
        choices = _need(ballot, "choices", dict, where)
        for item_id in choices:
            if item_id not in ids:
                raise BundleError(f"{where}.choices.{item_id}", "is not an item of this vote")
        ballots.append(rules.Ballot(voter=_need(ballot, "voter", str, where),
                                    received_at=parse_time(_need(ballot, "received_at", str, where),
                                                           f"{where}.received_at"),
                                    status=status, choices=choices, channel=channel))
    return {"id": vote["id"], "closes_at": closes_at}, roll, items, ballots


def _item(item: Any, where: str) -> rules.Item:
    kind = _need(item, "kind", str, where)
    item_id = _need(item, "id", str, where)
    matter = _need(item, "matter", int, where)
    if not 1 <= matter <= 9:
        raise BundleError(f"{where}.matter", "must be 1 to 9 (Civil Code art. 278)")
    title = item.get("title", "")
    if kind == "resolution":
        return rules.Item(id=item_id, kind=kind, matter=matter, title=title)
    if kind == "election":
        if matter != rules.ELECTION_MATTER:
            raise BundleError(f"{where}.matter", "an election is matter 3")
        seats = _need(item, "seats", int, where)
        if seats < 1:
            raise BundleError(f"{where}.seats", "must be at least 1")
        alternates = item.get("alternates", 0)
        if not isinstance(alternates, int) or isinstance(alternates, bool) or alternates < 0:
            raise BundleError(f"{where}.alternates", "must be a whole number, 0 or more")
        candidates = [_need(c, "id", str, f"{where}.candidates[{i}]")
                      for i, c in enumerate(_need(item, "candidates", list, where))]
        if len(set(candidates)) != len(candidates):
            raise BundleError(f"{where}.candidates", "two candidates have the same id")
        return rules.Item(id=item_id, kind=kind, matter=matter, title=title, seats=seats, alternates=alternates,
                          candidates=tuple(candidates))
    if kind == "choice":
        options = [_need(o, "id", str, f"{where}.options[{i}]")
                   for i, o in enumerate(_need(item, "options", list, where))]
        if len(set(options)) != len(options) or not options:
            raise BundleError(f"{where}.options", "needs distinct option ids")
        return rules.Item(id=item_id, kind=kind, matter=matter, title=title, options=tuple(options))
    raise BundleError(f"{where}.kind", "must be resolution, election or choice")


def tally(data: dict) -> dict:
    vote, roll, items, ballots = read(data)
    try:
        return rules.tally(roll, items, ballots, vote["closes_at"])
    except rules.CountError as error:
        raise BundleError(error.field, error.problem) from error


def verify(data: dict) -> str | None:
    """``None`` if trackers, chain and result all match the bundle, else the first mismatch."""
    vote, _roll, _items, _ballots = read(data)
    previous = chain_start(vote["id"])
    for index, ballot in enumerate(data["ballots"]):
        where = f"ballots[{index}]"
        for key in ("nonce", "tracker", "chain"):
            value = ballot.get(key)
            if not isinstance(value, str) or not HEX.match(value):
                return f"{where}.{key} is missing or not hex"
        expected = tracker(vote["id"], ballot["voter"], ballot["channel"], ballot["received_at"], ballot["status"],
                           ballot["choices"], ballot["nonce"])
        if expected != ballot["tracker"]:
            return f"{where}.tracker does not match the ballot's content (expected {expected})"
        previous = chain_next(previous, expected)
        if previous != ballot["chain"]:
            return f"{where}.chain does not match (expected {previous})"
    if "result" not in data:
        return "result is missing"
    recounted = tally(data)
    if canonical_json(recounted) != canonical_json(data["result"]):
        return f"result differs from the re-count: {first_difference(recounted, data['result'])}"
    return None


def first_difference(expected: Any, found: Any, path: str = "result") -> str:
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            if key not in found:
                return f"{path}.{key} is missing"
            if key not in expected:
                return f"{path}.{key} is not expected"
            if canonical_json(expected[key]) != canonical_json(found[key]):
                return first_difference(expected[key], found[key], f"{path}.{key}")
    if isinstance(expected, list) and isinstance(found, list) and len(expected) == len(found):
        for index, (left, right) in enumerate(zip(expected, found)):
            if canonical_json(left) != canonical_json(right):
                return first_difference(left, right, f"{path}[{index}]")
    return f"{path} is {json.dumps(found, ensure_ascii=False)}, the re-count gives {json.dumps(expected, ensure_ascii=False)}"
