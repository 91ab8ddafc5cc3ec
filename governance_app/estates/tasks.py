"""Jobs of the registry: writing a large checked roll upload once it is confirmed (issue 16).

The upload and its check stay in the request (the page lists the problems to fix); the confirmed
upload, kept in ``roll_import`` until it is applied, is written by a job in one transaction: the
roll, its changes and the audit event, or nothing. The job locks the upload and applies it only
while it is still waiting (``CHECKED``): a second confirmation, or a retry after it was applied,
imports nothing twice."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..jobs import services as jobs
from ..jobs.messages import Outcome, describe
from ..jobs.registry import Summary, work
from . import services
from .models import Estate, RollImport

ROLL_IMPORT = "roll_import"


def _outcome(job, values: dict) -> Outcome:
    if values["applied"]:
        text = _("Roll imported: %(new)d new units, %(changed)d changed.", new=values["new"],
                 changed=values["changed"])
    else:
        text = _("Nothing to import: the roll already matches this file.")
    return Outcome(text, url_for("estates.overview", estate_id=job.estate_id), _("Back to the estate"))


describe(ROLL_IMPORT, _l("Roll import"), steps={
    "roll.checking": _l("Checking unit %(done)s of %(total)s"),
    "roll.writing": _l("Writing the roll (%(total)s units)"),
}, failures={
    "roll_problems": _l("The file no longer passes the checks; nothing was imported."),
    "roll_upload_gone": _l("This upload was already imported or discarded; nothing was imported. "
                           "Upload the file again if the roll still needs it."),
}, outcome=_outcome)


def wants_job(upload: RollImport) -> bool:
    """A file of more rows than ``ROLL_JOB_ROWS`` is written by a job; a smaller one by the request."""
    return int(upload.summary.get("rows", 0)) > current_app.config["ROLL_JOB_ROWS"]


def start_roll_import(estate: Estate, upload: RollImport, actor):
    """(job, new): the job that applies the checked upload (locked by ``services.pending_upload``),
    or the one a first confirmation already started. The caller commits and dispatches a new one."""
    return jobs.start_once(ROLL_IMPORT, {"upload": upload.id}, owner=actor, estate=estate,
                           permission="estate.import_roll", total=int(upload.summary.get("units", 0)))


def progress_of(progress):
    """The job's ``progress(done, total, step)`` as the registry's ``progress(units done, units)``:
    when every unit is checked, the writing starts."""
    def checked(done: int, total: int) -> None:
        progress(done, total, "roll.writing" if done == total else "roll.checking")
    return checked


@work(ROLL_IMPORT)
def roll_import(job, progress) -> Summary:
    estate = db.session.get(Estate, job.estate_id)
    upload = services.pending_upload(estate, job.params["upload"])
    if upload is None or upload.content is None:
        raise jobs.JobError("roll_upload_gone")
    total = int(upload.summary.get("units", 0))
    progress(0, total, "roll.checking")
    report = services.import_roll(estate, upload.content, upload.filename, progress_of(progress),
                                  roll_import=upload, actor=job.owner)
    if not report.ok:
        raise jobs.JobError("roll_problems")
    return Summary({"applied": report.applied, "new": report.new_units, "changed": report.changed_units})
