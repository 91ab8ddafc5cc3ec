"""Jobs of the accounts package: activation letters as one PDF (issue 16).

Codes are issued and the PDF drawn in one transaction of the job: a job that fails, or a worker
killed while drawing, leaves no code issued for a PDF that does not exist."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..documents import render
from ..documents import services as documents
from ..estates.models import Estate
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.messages import describe
from ..jobs.registry import Result, work
from . import printing, services

LETTERS = "activation_letters"
describe(LETTERS, _l("Activation letters (PDF)"), steps={
    "letters.issuing": _l("Issuing the codes"),
    "letters.drawing": _l("Letter %(done)s of %(total)s"),
    "letters.binding": _l("Binding the letters into one file"),
}, failures={"no_letters": _l("Every owner already has an account or an unused letter.")})


def start_letters(estate: Estate, named: list[str], reissue: bool, actor):
    """The job that issues and prints the letters of the named voters (or of everyone without an
    account and, unless ``reissue``, without an unused letter). The caller commits and dispatches."""
    render.require_font()  # refused now, before the person waits for a job that cannot draw
    return jobs.start(LETTERS, owner=actor, estate=estate, permission="estate.manage_activation",
                      params={"voters": named, "reissue": reissue})


@work(LETTERS)
def activation_letters(job, progress) -> Result:
    return letters_pdf(db.session.get(Estate, job.estate_id), job.params.get("voters") or [],
                       bool(job.params.get("reissue")), job.owner, progress,
                       processes=jobs.drawing_processes(documents.pdf_processes()))


def letters_pdf(estate: Estate, named: list[str], reissue: bool, actor, progress, *, processes: int = 1) -> Result:
    """The letters' work, for the job and for ``flask auth letters``: codes issued to the named
    voters (or everyone without an account and, unless ``reissue``, without an unused letter) and
    drawn into one PDF, reporting ``progress(done, total, step)``. Flushes; the caller commits once
    the file is kept. Refuses (``JobError``) when there is nobody to write to or no font."""
    keys = named or [status.voter.key for status in services.voter_statuses(estate)
                     if not status.has_account and (reissue or status.active_code is None)]
    progress(0, len(keys), "letters.issuing")
    issued = services.issue_letters(estate, keys, actor=actor)
    if not issued:
        raise jobs.JobError("no_letters")
    try:
        render.require_font()
    except render.FontMissing as error:
        raise jobs.JobError("font_missing") from error

    def drawn(done: int, total: int) -> None:
        progress(done, total, "letters.binding" if done == total else "letters.drawing")

    content = printing.activation_letters_pdf(estate, issued, actor, processes=processes, progress=drawn)
    return Result(content, f"activation-letters-{estate.id}.pdf", "application/pdf")
