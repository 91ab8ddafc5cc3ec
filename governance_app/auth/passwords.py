"""Password rules a person can meet, and hashing with a current algorithm."""
from __future__ import annotations

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 8
MAX_LENGTH = 128
# The most used passwords in Chinese and international leaks; a short list on purpose.
COMMON = frozenset("""
123456 12345678 123456789 1234567890 111111 11111111 000000 00000000 88888888 66666666 666666 888888
123123 123123123 654321 987654321 112233 121212 147258369 159357 1314520 5201314 woaini woaini1314
woaini520 iloveyou password password1 password123 passw0rd qwerty qwerty123 qwertyuiop 1qaz2wsx
1q2w3e4r 1q2w3e4r5t abc123 abc123456 a123456 a12345678 a123456789 aa123456 abcd1234 admin admin123
admin888 root123 zxcvbnm asdfghjkl iloveyou1 qq123456 wang1234 zhang123 li123456 asd123456
""".split())


def password_problem(password: str, login: str = "") -> str | None:
    """Why a new password is refused (a reason code), or ``None`` if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > MAX_LENGTH:
        return "too_long"
    if password.casefold() in COMMON or len(set(password)) <= 2:
        return "too_common"
    if login and password.casefold() in (login.casefold(), login.casefold()[::-1]):
        return "same_as_login"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def verify_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)
