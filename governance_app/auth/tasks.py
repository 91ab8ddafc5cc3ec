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
    estate = db.session.get(Estate, job.estate_id)
    named = job.params.get("voters") or []
    keys = named or [status.voter.key for status in services.voter_statuses(estate)
                     if not status.has_account and (job.params.get("reissue") or status.active_code is None)]
    progress(0, len(keys), "letters.issuing")
    issued = services.issue_letters(estate, keys, actor=job.owner)
    if not issued:
        raise jobs.JobError("no_letters")
    try:
        render.require_font()
    except render.FontMissing as error:
        raise jobs.JobError("font_missing") from error
    processes = jobs.drawing_processes(documents.pdf_processes())

    def drawn(done: int, total: int) -> None:
        progress(done, total, "letters.binding" if done == total else "letters.drawing")

    content = printing.activation_letters_pdf(estate, issued, job.owner, processes=processes, progress=drawn)
    return Result(content, f"activation-letters-{estate.id}.pdf", "application/pdf")
