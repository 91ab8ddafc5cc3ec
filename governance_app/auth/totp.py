"""Time-based one-time passwords (RFC 6238) through pyotp, with replay protection.

Pure: no Flask, no database. 30-second steps, 6 digits, SHA-1, as authenticator
apps expect. A code is accepted for the current step or one step either side,
and only for a step later than the last one the account used.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

import pyotp

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1


def new_secret() -> str:
    """160 random bits, base32, as RFC 4226 recommends."""
    return pyotp.random_base32(length=32)


@dataclass(frozen=True)
class Totp:
    secret: str
    digits: int = DIGITS
    digest: str = "sha1"

    def _otp(self) -> pyotp.TOTP:
        return pyotp.TOTP(self.secret, digits=self.digits, interval=STEP_SECONDS,
                          digest=getattr(hashlib, self.digest))

    def code_at(self, unix_time: int) -> str:
        return self._otp().at(unix_time)

    def code_for_step(self, step: int) -> str:
        return self._otp().generate_otp(step)

    def accept(self, code: str, unix_time: int, last_step: int) -> int | None:
        """The step the code belongs to, if it is valid now and not a replay; else ``None``."""
        code = code.strip().replace(" ", "")
        if len(code) != self.digits or not code.isdigit():
            return None
        now_step = int(unix_time) // STEP_SECONDS
        otp = self._otp()
        # The current step first (most codes are typed within it), then the drift either side.
        for step in (now_step, *(now_step + sign * k for k in range(1, DRIFT_STEPS + 1) for sign in (-1, 1))):
            if step > last_step and hmac.compare_digest(code, otp.generate_otp(step)):
                return step
        return None

    def provisioning_uri(self, account: str, issuer: str) -> str:
        return self._otp().provisioning_uri(name=account, issuer_name=issuer)
