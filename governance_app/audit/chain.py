"""The hash of an audit event: pure, shared by writing and verifying."""
from __future__ import annotations

import hashlib
import json
from typing import Any


def genesis_hash(chain: str) -> str:
    return hashlib.sha256(f"audit:{chain}".encode()).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 over the canonical JSON of the event's fields and the previous hash."""
    return hashlib.sha256(canonical_json({**fields, "prev": prev_hash})).hexdigest()
