"""Jobs of the accounts: writing a large confirmed bank file as draft entries (issue 16).

The upload, the choice of columns and the dry run stay in the request (the page lists the
problems to fix); the confirmed file, kept in ``fund_bank_upload`` until it is used, is written by
a job in one transaction: the drafts, the remembered columns and the audit event, or nothing. The
job locks the upload and uses it only while it is unused: a second confirmation, or a retry after
it was used, imports nothing twice."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..estates.models import Estate
from ..extensions import db
from ..jobs import services as jobs
from ..jobs.messages import Outcome, describe
from ..jobs.registry import Summary, work
from . import bank_file, services
from .models import BankUpload, FundAccount, FundError

BANK_IMPORT = "bank_import"


def _outcome(job, values: dict) -> Outcome:
    text = _("%(created)d draft entries created, %(skipped)d already imported.", created=values["created"],
             skipped=values["skipped"])
    return Outcome(text, url_for("funds.account", estate_id=job.estate_id, kind=values["kind"]),
                   _("Back to the account"))


describe(BANK_IMPORT, _l("Bank statement import"), steps={
    "bank.reading": _l("Reading the bank file"),
    "bank.writing": _l("Line %(done)s of %(total)s"),
}, failures={
    "bank_problems": _l("The bank file no longer passes the checks; nothing was imported."),
    "bank_upload_gone": _l("This bank file was already imported or has been removed; nothing was imported. "
                           "Upload it again if its lines are still missing."),
    "bank_period_published": _l("A line of the file lies in a published statement, which can no longer change "
                                "(R-54); nothing was imported. Record a correction in a later period."),
    "bank_before_opening": _l("A line of the file is dated before the accounts start; nothing was imported."),
}, outcome=_outcome)


def wants_job(rows: list) -> bool:
    """A file of more lines than ``BANK_JOB_ROWS`` is written by a job; a smaller one by the request."""
    return len(rows) > current_app.config["BANK_JOB_ROWS"]


def start_bank_import(estate: Estate, account: FundAccount, upload: BankUpload, mapping: dict, lines: int, actor):
    """(job, new): the job that turns the upload's lines into drafts with these columns, or the one a
    first confirmation already started. The caller commits and dispatches a new one."""
    services.pending_bank_upload(estate, account, str(upload.id), lock=True)  # held until the caller commits
    return jobs.start_once(BANK_IMPORT, {"upload": upload.id}, owner=actor, estate=estate,
                           permission="funds.manage", params={"mapping": mapping}, total=lines)


@work(BANK_IMPORT)
def bank_import(job, progress) -> Summary:
    estate = db.session.get(Estate, job.estate_id)
    kept = db.session.get(BankUpload, job.params["upload"])
    account = db.session.get(FundAccount, kept.account_id) if kept is not None else None
    upload = services.pending_bank_upload(estate, account, str(job.params["upload"]), lock=True) if account else None
    if upload is None or upload.content is None:
        raise jobs.JobError("bank_upload_gone")
    progress(0, job.total, "bank.reading")
    mapping = job.params["mapping"]
    report = bank_file.read_bank_rows(upload.content, upload.filename, mapping)
    if report.problems:
        raise jobs.JobError("bank_problems")

    def written(done: int, total: int) -> None:
        progress(done, total, "bank.writing")

    try:
        created, skipped = services.import_bank_upload(estate, account, upload, report.rows, mapping, job.owner,
                                                       written)
    except FundError as error:
        raise jobs.JobError(f"bank_{error.reason}") from error
    return Summary({"created": created, "skipped": skipped, "kind": account.kind.value})
