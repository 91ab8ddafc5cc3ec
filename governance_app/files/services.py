"""Storing evidence files: the type is checked by content, never by name."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from ..core.refusals import Refusal
from ..extensions import db
from .models import StoredFile

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)


class FileRefused(Refusal, ValueError):
    """``reason`` is "empty", "too_large" or "wrong_type" (said by :data:`files.messages.FILE_REASONS`)."""


def detect_type(content: bytes) -> str | None:
    for magic, content_type in SIGNATURES:
        if content.startswith(magic):
            return content_type
    return None


def store(content: bytes, max_bytes: int = MAX_BYTES) -> StoredFile:
    """Keep a JPEG, PNG or PDF file (by its first bytes); the same content is kept once."""
    if not content:
        raise FileRefused("empty")
    if len(content) > max_bytes:
        raise FileRefused("too_large")
    content_type = detect_type(content)
    if content_type is None:
        raise FileRefused("wrong_type")
    digest = hashlib.sha256(content).hexdigest()
    found = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    if found is None:
        found = StoredFile(sha256=digest, content_type=content_type, size=len(content), content=content)
        db.session.add(found)
        db.session.flush()
    return found


def get(file_id: int) -> StoredFile | None:
    return db.session.get(StoredFile, file_id)
