"""Encryption at rest for TOTP secrets (Fernet: AES-128-CBC with HMAC-SHA256)."""
from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet() -> Fernet:
    material = hashlib.sha256(current_app.config["TOTP_ENCRYPTION_KEY"].encode()).digest()
    return Fernet(base64.urlsafe_b64encode(material))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def open_sealed(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise RuntimeError("TOTP secret cannot be decrypted: TOTP_ENCRYPTION_KEY changed?") from error
