"""What a person chooses for themselves and keeps with their account: the display (长辈版).

Kept apart from ``services`` (the use cases of identity and security): a display choice
changes nothing anyone else sees and proves nothing, so it is not an event of the audit log
either. That someone reads the site in the elder display says something about their age; the
log, which supervisors read, is no place for it (PIPL 6: no more than the purpose needs).
"""
from __future__ import annotations

from .models import User


def set_elder_mode(user: User, elder: bool) -> None:
    """Remember on the account whether ``user`` reads the site in 长辈版."""
    user.elder_mode = elder


def take_device_choice(user: User, device_elder: bool | None) -> bool | None:
    """At sign-in: an account that has no display of its own yet takes the one chosen on the
    device (an owner who switched to 长辈版 on the sign-in page stays in it). Returns the
    account's display afterwards (None: still none)."""
    if user.elder_mode is None and device_elder is not None:
        set_elder_mode(user, device_elder)
    return user.elder_mode
