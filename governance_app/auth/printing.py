"""What accounts print: the activation letters (one page and one number per owner).

``documents`` numbers, registers and draws them; the source registered below tells the check
page whether a letter is still current (its code can still open an account).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from flask_babel import force_locale
from sqlalchemy import select

from ..core import clock
from ..estates.rules import mask_name
from ..documents import render
from ..documents import services as documents
from ..documents.models import DocumentKind
from ..extensions import db
from .models import ActivationCode
from .services import activation_code_hash, voter_statuses


def letter_data(estate_name: str, owner_name: str, units: Sequence[str], code_hash: str,
                expires_at: dt.datetime) -> dict:
    """What a letter shows, less its code: a hash of a document must not help anyone find
    the code printed on it, so the register holds the code's keyed hash (as the accounts do)."""
    return {"estate": estate_name, "owner": mask_name(owner_name), "units": list(units), "code_hash": code_hash,
            "valid_until": documents.day(expires_at), "activate_url": documents.site_url("/activate")}


def activation_letters_pdf(estate, letters, actor, *, processes: int = 1,
                           progress: Callable[[int, int], None] | None = None) -> bytes:
    """One page per letter (the ``Letter`` values ``auth.services.issue_letters`` returns),
    each with its own number: an owner can check the letter they received. ``processes`` above 1
    draws side by side (a job's worker only, never a web request); ``progress(letters drawn,
    letters)`` is told as they are drawn."""
    render.require_font()
    hashes = {id(letter): activation_code_hash(letter.code) for letter in letters}
    code_ids: dict[str, int] = {}
    values = list(hashes.values())
    for start in range(0, len(values), 500):
        for code_hash, code_id in db.session.execute(select(ActivationCode.code_hash, ActivationCode.id).where(
                ActivationCode.code_hash.in_(values[start:start + 500]))):
            code_ids[code_hash] = code_id
    objects = [(code_ids[hashes[id(letter)]],
                letter_data(estate.name, letter.owner.name, letter.voter.units, hashes[id(letter)], letter.expires_at))
               for letter in letters]
    issued = documents.register_numbers(DocumentKind.ACTIVATION_LETTER, estate.id, "activation_code", objects, actor)
    pages = list(zip(letters, issued))
    with force_locale(documents.LOCALE):
        # What all the letters say is drawn once, under each letter's own page
        # (activation_letters.html).
        common = {"estate_name": estate.name, "activate_url": documents.site_url("/activate")}
        form = documents.draw("pdf/activation_letters.html", layer="form",
                              qr=documents.qr_data_uri(common["activate_url"]), **common)
        step = documents.LETTERS_PER_PART
        parts = [documents.draw("pdf/activation_letters.html", layer="letters", letters=pages[start:start + step],
                                **common)
                 for start in range(0, len(pages), step)]

        def letters_drawn(parts_done: int, parts_total: int) -> None:
            if progress is not None:
                progress(min(len(pages), parts_done * step), len(pages))

        return render.html_to_pdf(parts, processes=processes, under=form, progress=letters_drawn)


def _letter_now(code_id: int) -> dict | None:
    """A letter is current while its code can still open an account; a used, revoked (a new
    letter was issued) or expired code makes it superseded."""
    code = db.session.get(ActivationCode, code_id)
    if code is None or code.used_at is not None or code.revoked_at is not None or clock.aware(code.expires_at) <= clock.now():
        return None
    status = next((s for s in voter_statuses(code.estate) if s.voter.key == code.voter_key), None)
    if status is None:
        return None
    return letter_data(code.estate.name, code.owner.name, status.voter.units, code.code_hash, code.expires_at)


documents.register_current_source(DocumentKind.ACTIVATION_LETTER, _letter_now)
