"""The audit bundle, formats ``owners-vote/1`` and ``owners-vote/2``: reading, checking,
trackers, the commitment and the chain.

Pure: standard library only. This is a public contract: a bundle written by the
platform is re-counted and verified by ``governance-audit`` without the
platform's code paths for storage.

- ``tracker = sha256_hex(canonical_json({"vote", "voter", "channel", "received_at",
  "status", "choices", "nonce"}))``
- ``owners-vote/1``: ``chain_0 = sha256_hex(vote id as UTF-8)``.
- ``owners-vote/2``: ``commitment = sha256_hex(canonical_json({"vote": <the bundle's "vote">,
  "items": <its "items">, "roll": <its "roll">}))``, fixed when the notice is published, and
  ``chain_0 = sha256_hex(vote id + commitment)``: whatever was voted on (the vote's header,
  its items with their options and candidates, the frozen roll) changes the commitment and so
  every chain value.
- ``chain_i = sha256_hex(chain_{i-1} + tracker_i)`` over the ASCII hex strings, in the order
  the ballots were recorded.
- canonical JSON: ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False).encode("utf-8")``.

A file that is not a well-formed bundle raises ``BundleError`` naming the field, whatever is
wrong with it: not UTF-8, not JSON, nested too deeply, numbers too long or with fractions,
NaN or Infinity, a key given twice in one object, a value of the wrong type, a missing key.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

from . import rules

FORMAT_1 = "owners-vote/1"
FORMAT_2 = "owners-vote/2"
FORMATS = (FORMAT_1, FORMAT_2)
AREA = re.compile(r"[0-9]+\.[0-9]{2}")  # ASCII digits only; used with fullmatch
HEX = re.compile(r"^[0-9a-f]+$")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")  # used with fullmatch
AREA_SOURCES = ("registry", "survey", "contract")
CHANNELS = ("online", "paper", "proxy")
STATUSES = ("valid", "invalid")
NOMINATIONS = ("self", "joint", "community")
# A bundle nests five levels at most (result.items.<item>.runoff.candidates); anything much
# deeper is not a bundle, and would only make the checks below recurse.
MAX_DEPTH = 16
# Whole numbers in a bundle are matters, seats and counts of people; areas are strings.
MAX_DIGITS = 15
SURROGATE = re.compile("[\ud800-\udfff]")
SHOWN_CHARACTERS = 60


class BundleError(rules.FieldError):
    """A malformed bundle: ``field`` is a path such as ``ballots[3].received_at``."""


def shown(value: Any) -> str:
    """A value quoted for a one-line message, cut short if long."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def tracker(vote_id: str, voter: str, channel: str, received_at: str, status: str, choices: dict,
            nonce: str) -> str:
    return sha256_hex(canonical_json({"vote": vote_id, "voter": voter, "channel": channel,
                                      "received_at": received_at, "status": status, "choices": choices,
                                      "nonce": nonce}))


def commitment(vote: dict, items: list, roll: list) -> str:
    """``owners-vote/2``: what was voted on, fixed at the notice (the bundle's "vote", "items"
    and "roll", whole)."""
    return sha256_hex(canonical_json({"vote": vote, "items": items, "roll": roll}))


def chain_start(vote_id: str, commitment_hex: str | None = None) -> str:
    """``chain_0``: of the vote id (``owners-vote/1``), or of the vote id followed by the
    commitment (``owners-vote/2``)."""
    return sha256_hex(vote_id if commitment_hex is None else vote_id + commitment_hex)


def chain_next(previous: str, tracker_hex: str) -> str:
    return sha256_hex(previous + tracker_hex)


def parse_time(value: Any, where: str) -> dt.datetime:
    if not isinstance(value, str):
        raise BundleError(where, "must be an ISO 8601 date and time string")
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise BundleError(where, f"{shown(value)} is not an ISO 8601 date and time") from error
    if moment.tzinfo is None:
        raise BundleError(where, f"{shown(value)} has no time zone offset")
    try:
        moment.astimezone(dt.timezone.utc)  # compared with others in UTC
    except OverflowError as error:
        raise BundleError(where, f"{shown(value)} is out of range") from error
    return moment


def _area(value: Any, where: str) -> int:
    if not isinstance(value, str) or not AREA.fullmatch(value):
        raise BundleError(where, f"{shown(value)} is not an area with exactly two decimals, like \"88.50\"")
    whole, part = value.split(".")
    return int(whole) * 100 + int(part)


def _path(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _type_name(kind: type | tuple) -> str:
    names = {"str": "a string", "int": "a whole number", "dict": "an object", "list": "a list",
             "NoneType": "null"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k.__name__, k.__name__) for k in kinds)


def _check_type(value: Any, kind: type | tuple, where: str):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise BundleError(where, f"must be {_type_name(kind)}")
    return value


def _need(obj: dict, key: str, kind: type | tuple, where: str):
    if not isinstance(obj, dict):
        raise BundleError(where, "must be an object")
    if key not in obj:
        raise BundleError(_path(where, key), "is missing")
    return _check_type(obj[key], kind, _path(where, key))


def _may(obj: dict, key: str, kind: type | tuple, where: str, default=None):
    """An optional field of ``owners-vote/1``: absent, or of the right type."""
    if key not in obj:
        return default
    return _check_type(obj[key], kind, _path(where, key))


# --- reading the file ---------------------------------------------------------------------------

class _Refused:
    """A value the JSON parser met that no bundle holds; ``_walk`` names where it was."""

    def __init__(self, problem: str):
        self.problem = problem


class _Twice(dict):
    """A JSON object that gave ``key`` more than once: JSON readers disagree on which value
    wins, so two readers of such a file could count two different bundles."""

    def __init__(self, pairs: list[tuple[str, Any]], key: str):
        super().__init__(pairs)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    seen: set[str] = set()
    return _Twice(pairs, next(key for key, _value in pairs if key in seen or seen.add(key)))


def _whole(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        return _Refused(f"a number of {digits} digits is too large for a bundle (at most {MAX_DIGITS})")
    return int(text)


def _fraction(text: str) -> _Refused:
    return _Refused(f"{shown(text)} is not a whole number: a bundle has none (areas are strings like \"88.50\")")


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a number a bundle may hold")


def _walk(data: Any) -> None:
    """Refuse what the parser let through: values marked ``_Refused``, keys given twice, text
    that cannot be written as UTF-8 (lone surrogates), and nesting deeper than ``MAX_DEPTH``.
    Iterative, in document order, naming the first problem's field."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, _Refused):
            raise BundleError(where or "(file)", value.problem)
        if isinstance(value, str):
            if SURROGATE.search(value):
                raise BundleError(where or "(file)", "holds a lone UTF-16 surrogate, which is not text")
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth >= MAX_DEPTH:
            raise BundleError(where or "(file)", f"is nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            if isinstance(value, _Twice):
                raise BundleError(_path(where, value.key), "appears twice in one object")
            for key in value:
                if SURROGATE.search(key):
                    raise BundleError(where or "(file)", "has a key holding a lone UTF-16 surrogate")
            stack.extend((item, _path(where, key), depth + 1) for key, item in reversed(value.items()))
        else:
            stack.extend((item, f"{where}[{index}]", depth + 1) for index, item in reversed(list(enumerate(value))))


def load(text: str | bytes) -> dict:
    """The bundle in ``text`` (UTF-8, with or without a byte-order mark), checked as JSON and as
    one of ``FORMATS``; its fields are checked by ``read``."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BundleError("(file)", f"not UTF-8 text (byte {error.start} cannot be read)") from error
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_int=_whole, parse_float=_fraction,
                          parse_constant=_constant)
    except RecursionError as error:
        raise BundleError("(file)", f"nested too deeply to read (a bundle nests at most {MAX_DEPTH} levels)") \
            from error
    except json.JSONDecodeError as error:
        raise BundleError("(file)", f"not JSON: {error}") from error
    except ValueError as error:  # the parser's own limits
        raise BundleError("(file)", f"not JSON this program can read: {error}") from error
    if not isinstance(data, dict):
        raise BundleError("(file)", "must be a JSON object")
    _walk(data)
    if data.get("format") not in FORMATS:
        raise BundleError("format", f"must be {' or '.join(map(repr, FORMATS))}")
    return data


def read(data: dict) -> tuple[dict, list[rules.RollEntry], list[rules.Item], list[rules.Ballot]]:
    """Check a bundle's shape and turn it into the counting rules' values."""
    second = _format(data) == FORMAT_2
    vote = _need(data, "vote", dict, "")
    vote_id = _need(vote, "id", str, "vote")
    closes_at = parse_time(_need(vote, "closes_at", str, "vote"), "vote.closes_at")
    _header(vote, second)
    if second:
        digest = _need(data, "commitment", str, "")
        if not SHA256_HEX.fullmatch(digest):
            raise BundleError("commitment", "must be 64 lowercase hexadecimal digits (a SHA-256)")
    roll = []
    units = set()
    for index, entry in enumerate(_need(data, "roll", list, "")):
        where = f"roll[{index}]"
        unit = _need(entry, "unit", str, where)
        if unit in units:
            raise BundleError(f"{where}.unit", f"unit {shown(unit)} appears twice")
        units.add(unit)
        source = _need(entry, "area_source", str, where) if second else _may(entry, "area_source", str, where,
                                                                           "registry")
        if source not in AREA_SOURCES:
            raise BundleError(f"{where}.area_source", f"must be one of {', '.join(AREA_SOURCES)}")
        area = _area(_need(entry, "area", str, where), f"{where}.area")
        if area <= 0:
            raise BundleError(f"{where}.area", "must be greater than zero")
        roll.append(rules.RollEntry(unit=unit, building=_need(entry, "building", str, where), area=area,
                                    voter=_need(entry, "voter", str, where), area_source=source))
    items = [_item(item, f"items[{index}]", second) for index, item in enumerate(_need(data, "items", list, ""))]
    kinds = {item.id: item.kind for item in items}
    if len(kinds) != len(items):
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
        for item_id, mark in choices.items():
            if item_id not in kinds:
                raise BundleError(f"{where}.choices.{item_id}", "is not an item of this vote")
            _mark(mark, kinds[item_id], f"{where}.choices.{item_id}")
        for key in ("nonce", "tracker", "chain"):  # missing or not hex: a mismatch for ``verify``
            _may(ballot, key, str, where)
        ballots.append(rules.Ballot(voter=_need(ballot, "voter", str, where),
                                    received_at=parse_time(_need(ballot, "received_at", str, where),
                                                           f"{where}.received_at"),
                                    status=status, choices=choices, channel=channel))
    if "result" in data:
        _check_type(data["result"], dict, "result")
    return {"id": vote_id, "closes_at": closes_at}, roll, items, ballots


def _mark(mark: Any, kind: str, where: str) -> None:
    """The shape of a ballot's answer to an item (its value is the counting rules' to judge):
    null when left blank; a candidate list in an election; a word otherwise."""
    if mark is None:
        return
    if kind == "election":
        if not isinstance(mark, list) or not all(isinstance(candidate, str) for candidate in mark):
            raise BundleError(where, "must be null or a list of candidate ids")
    elif not isinstance(mark, str):
        raise BundleError(where, "must be null or a string")


def _format(data: dict) -> str:
    if data.get("format") not in FORMATS:
        raise BundleError("format", f"must be {' or '.join(map(repr, FORMATS))}")
    return data["format"]


def _header(vote: dict, second: bool) -> None:
    """The vote's descriptive fields: all required in ``owners-vote/2`` (they are committed to),
    checked when present in ``owners-vote/1``."""
    field = _need if second else _may
    for key in ("estate", "title", "description"):
        field(vote, key, str, "vote")
    for key in ("notice_at", "opens_at"):
        moment = field(vote, key, str, "vote")
        if moment is not None:
            parse_time(moment, f"vote.{key}")
    buildings = field(vote, "buildings", (list, type(None)), "vote")
    for index, building in enumerate(buildings or []):
        _check_type(building, str, f"vote.buildings[{index}]")


def _item(item: Any, where: str, second: bool = False) -> rules.Item:
    field = _need if second else _may
    kind = _need(item, "kind", str, where)
    item_id = _need(item, "id", str, where)
    matter = _need(item, "matter", int, where)
    if not 1 <= matter <= 9:
        raise BundleError(f"{where}.matter", "must be 1 to 9 (Civil Code art. 278)")
    title = field(item, "title", str, where) or ""
    if second:
        _need(item, "description", str, where)
    if kind == "resolution":
        return rules.Item(id=item_id, kind=kind, matter=matter, title=title)
    if kind == "election":
        if matter != rules.ELECTION_MATTER:
            raise BundleError(f"{where}.matter", "an election is matter 3")
        seats = _need(item, "seats", int, where)
        if seats < 1:
            raise BundleError(f"{where}.seats", "must be at least 1")
        alternates = field(item, "alternates", int, where) or 0
        if alternates < 0:
            raise BundleError(f"{where}.alternates", "must be a whole number, 0 or more")
        candidates = []
        for index, candidate in enumerate(_need(item, "candidates", list, where)):
            at = f"{where}.candidates[{index}]"
            candidates.append(_need(candidate, "id", str, at))
            field(candidate, "name", str, at)
            if second:
                if _need(candidate, "nomination", str, at) not in NOMINATIONS:
                    raise BundleError(f"{at}.nomination", f"must be one of {', '.join(NOMINATIONS)}")
                _need(candidate, "statement", str, at)
        if len(set(candidates)) != len(candidates):
            raise BundleError(f"{where}.candidates", "two candidates have the same id")
        return rules.Item(id=item_id, kind=kind, matter=matter, title=title, seats=seats, alternates=alternates,
                          candidates=tuple(candidates))
    if kind == "choice":
        options = []
        for index, option in enumerate(_need(item, "options", list, where)):
            options.append(_need(option, "id", str, f"{where}.options[{index}]"))
            field(option, "title", str, f"{where}.options[{index}]")
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
    """``None`` if the commitment (``owners-vote/2``), trackers, chain and result all match the
    bundle, else the first mismatch."""
    vote, _roll, _items, _ballots = read(data)
    committed = None
    if data["format"] == FORMAT_2:
        committed = data["commitment"]
        computed = commitment(data["vote"], data["items"], data["roll"])
        if computed != committed:
            return (f"commitment does not match what the bundle says was voted on: its vote, items and roll hash "
                    f"to {computed}; a field of the vote's header, an item, an option, a candidate or the roll "
                    f"was changed since the notice")
    previous = chain_start(vote["id"], committed)
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


def final_chain(data: dict) -> str:
    """The chain value after the last ballot: what the result page and its PDF print."""
    if data["ballots"]:
        return data["ballots"][-1]["chain"]
    return chain_start(data["vote"]["id"], data.get("commitment") if data["format"] == FORMAT_2 else None)


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
    return f"{path} is {_json_shown(found)}, the re-count gives {_json_shown(expected)}"


def _json_shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS - 1] + "…"
