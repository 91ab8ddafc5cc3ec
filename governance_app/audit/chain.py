"""The hash of an audit event: pure, shared by writing and verifying."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

MIN_TYPED_HASH = 16  # hex characters of a hash typed from paper: 64 bits, too many to forge


def genesis_hash(chain: str) -> str:
    return hashlib.sha256(f"audit:{chain}".encode()).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of the event's fields and the previous hash."""
    return hashlib.sha256(canonical_json({**fields, "prev": prev_hash})).hexdigest()


def normalise_hash(text: str) -> str | None:
    """A hash as typed from paper (spaces, "…" and case ignored): all 64 hex characters or at
    least the first MIN_TYPED_HASH; None if it cannot be one."""
    compact = re.sub(r"[\s…]", "", text or "").lower()
    return compact if re.fullmatch(r"[0-9a-f]{%d,64}" % MIN_TYPED_HASH, compact) else None
