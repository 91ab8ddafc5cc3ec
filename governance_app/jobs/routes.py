"""A job's progress page, its JSON for the page's small script, its file, and starting it again."""
from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.permissions import found_or_404
from ..core.forms import FlaskForm
from ..extensions import db
from ..files.responses import attachment_headers
from ..core.cli import EXTRA_CHECKS
from . import health, services
from .messages import failure_text, kind_title, outcome, step_text
from .models import Job, JobState

bp = Blueprint("jobs", __name__)
if health.doctor_checks not in EXTRA_CHECKS:
    EXTRA_CHECKS.append(health.doctor_checks)


def _job_or_404(job_id: str) -> Job:
    job = db.session.get(Job, job_id)
    if not services.may_see(current_user, job):
        abort(404)
    return job


def _described(job: Job) -> dict:
    status = services.status(job)
    status["step_text"] = step_text(status["step"], status["done"], status["total"])
    status["failure_text"] = failure_text(job.failure) if job.failure else ""
    said = outcome(job, services.summary(job))
    status["outcome"] = said._asdict() if said else None
    return status


@bp.get("/jobs/<job_id>")
@login_required
def progress(job_id: str):
    job = _job_or_404(job_id)
    services.redispatch(job)
    return render_template("jobs/progress.html", job=job, status=_described(job), title=kind_title(job.kind),
                           form=FlaskForm())


@bp.get("/jobs/<job_id>.json")
@login_required
def progress_json(job_id: str):
    job = _job_or_404(job_id)
    services.redispatch(job)
    status = _described(job)
    if status["downloadable"]:
        status["download"] = url_for(".download", job_id=job.id)
    response = jsonify(status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/jobs/<job_id>/file")
@login_required
def download(job_id: str):
    job = _job_or_404(job_id)
    content = found_or_404(services.read_result(job))
    return Response(content, mimetype=job.result_type,
                    headers=attachment_headers(job.result_name, **{"Cache-Control": "private, no-store"}))


@bp.post("/jobs/<job_id>/retry")
@login_required
def retry(job_id: str):
    job = _job_or_404(job_id)
    if job.state == JobState.FAILED:  # a second click finds it under way already
        services.retry(job, current_user)
        return redirect(services.launched(job))
    return redirect(url_for(".progress", job_id=job.id))
