from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import load_or_404
from ..core.refusals import filled, invalid, returning_to
from ..extensions import db, limiter
from ..voting.services import notifications
from ..files.responses import attachment_headers
from ..jobs import services as jobs
from . import services, tasks
from .forms import ConfirmImportForm, RollUploadForm
from .models import Estate, ImportStatus
from .roll_file import COLUMNS, chinese_header

bp = Blueprint("estates", __name__, url_prefix="/estates")


@bp.get("/<int:estate_id>")
@login_required
def overview(estate_id: int):
    estate = load_or_404(Estate, estate_id, "estate.view")
    return render_template("estates/overview.html", overview=services.estate_overview(estate),
                           notifications=notifications(estate.id))


@bp.route("/<int:estate_id>/roll/import", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute", methods=["POST"])
def import_roll(estate_id: int):
    estate = load_or_404(Estate, estate_id, "estate.import_roll")
    form = RollUploadForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("estates/import.html", estate=estate, form=form), status
    upload = form.roll_file.data
    return _checked(estate, form, upload.read(), upload.filename or "roll")


def _checked(estate: Estate, form: RollUploadForm, content: bytes, filename: str):
    """The checks' report (422 when the file fails them); a file that would change the roll is kept
    until it is confirmed."""
    report = services.check_roll_file(estate, content, filename)
    if not report.ok:
        return render_template("estates/import.html", estate=estate, form=form, report=report), 422
    pending = None
    if report.changes_anything:
        pending = services.store_checked_upload(estate, content, filename, report)
        db.session.commit()
    return render_template("estates/import.html", estate=estate, form=form, report=report, pending=pending,
                           confirm_form=ConfirmImportForm())


@bp.post("/<int:estate_id>/roll/import/<int:upload_id>")
@login_required
def confirm_import(estate_id: int, upload_id: int):
    estate = load_or_404(Estate, estate_id, "estate.import_roll")
    upload = _pending_upload_or_404(estate, upload_id)
    back = returning_to(url_for(".import_roll", estate_id=estate.id))
    form = filled(ConfirmImportForm(), _("The form expired. Please upload the file again."))
    if form.cancel.data:
        return _discarded(upload, back)
    if tasks.wants_job(upload):  # a large file: a job writes it, its page shows how far it is
        return _import_in_a_job(estate, upload)
    report = services.import_roll(estate, upload.content, upload.filename, roll_import=upload)
    if not report.ok:
        db.session.rollback()
        return invalid(_("The file no longer passes the checks; nothing was imported."), back)
    return _imported(estate, report)


def _pending_upload_or_404(estate: Estate, upload_id: int):
    """A checked upload of this estate, still waiting to be confirmed or discarded."""
    upload = services.pending_upload(estate, upload_id)
    if upload is None:
        abort(404)
    return upload


def _discarded(upload, back: str):
    upload.status = ImportStatus.REJECTED
    upload.content = None
    db.session.commit()
    flash(_("The upload was discarded; nothing was imported."), "info")
    return redirect(back)


def _imported(estate: Estate, report: services.ImportReport):
    db.session.commit()
    if report.applied:
        flash(_("Roll imported: %(new)d new units, %(changed)d changed.", new=report.new_units,
                changed=report.changed_units), "success")
    else:
        flash(_("Nothing to import: the roll already matches this file."), "info")
    return redirect(url_for(".overview", estate_id=estate.id))


def _import_in_a_job(estate, upload):
    # The commit ends the upload's lock; the job exists before anything runs it.
    return redirect(jobs.launched(*tasks.start_roll_import(estate, upload, current_user)))


@bp.get("/roll-template.csv")
def roll_template():
    """A CSV with the expected Chinese headers and one example row, UTF-8 with BOM for Excel."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([chinese_header(column) for column in COLUMNS])
    writer.writerow(["1", "1-101", "88.50", "登记", "张某某", "310000000000001234", "13900000000",
                     "", "", "否", "个人"])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers=attachment_headers("roll-template.csv"))
