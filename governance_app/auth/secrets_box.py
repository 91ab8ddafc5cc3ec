"""Encryption at rest for TOTP secrets (Fernet: AES-128-CBC with HMAC-SHA256)."""
from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    return _fernet_for(current_app.config["TOTP_ENCRYPTION_KEY"])


@functools.lru_cache(maxsize=4)
def _fernet_for(key: str) -> Fernet:
    """One Fernet per configured key and process: every step-up opens a secret."""
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def open_sealed(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise RuntimeError("TOTP secret cannot be decrypted: TOTP_ENCRYPTION_KEY changed?") from error
