"""Starting, running and reading jobs (see the package's docstring)."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import secrets
import threading
from pathlib import Path

from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import func, select

from ..audit.services import record
from ..auth.permissions import can
from ..core import clock
from ..core.refusals import Refusal
from ..extensions import db
from . import progress as progress_store
from .models import Job, JobState
from .registry import Result, Summary, function_for

log = logging.getLogger(__name__)
SUMMARY = "summary"  # the key of job.params under which a job that makes no file keeps its Summary


class JobError(Refusal):
    """A job that cannot do its work: the reason is shown on its progress page."""


def mode() -> str:
    return current_app.config["JOBS_MODE"]


def start(kind: str, *, owner, estate=None, permission: str = "", params: dict | None = None,
          total: int = 0) -> Job:
    """A new queued job; flushes. The caller commits, then calls :func:`dispatch`. The starter's
    language is kept with it, for files whose words are translated (:func:`in_starters_language`)."""
    params = dict(params or {})
    if has_request_context():
        params.setdefault("locale", str(get_locale()))
    job = Job(id=secrets.token_hex(16), kind=kind, owner_id=owner.id, estate_id=estate.id if estate else None,
              permission=permission, params=params, state=JobState.QUEUED, total=total,
              created_at=clock.now())
    db.session.add(job)
    db.session.flush()
    return job


def start_once(kind: str, key: dict, *, owner, estate, permission: str, params: dict | None = None,
               total: int = 0) -> tuple[Job, bool]:
    """The job of this kind already started on the estate for ``key`` (e.g. ``{"upload": 7}``) and
    not failed, so that a second confirmation of the same upload follows the first; else a new one
    with ``key`` and ``params`` as its params (see :func:`start`). Returns (job, whether it is new):
    only a new one is dispatched. The caller holds a lock on what ``key`` names (the upload), so
    that two confirmations at once find each other's job."""
    for job in db.session.scalars(select(Job).where(Job.kind == kind, Job.estate_id == estate.id,
                                                    Job.state != JobState.FAILED).order_by(Job.created_at.desc())):
        if all(job.params.get(name) == value for name, value in key.items()):
            return job, False
    return start(kind, owner=owner, estate=estate, permission=permission, params={**(params or {}), **key},
                 total=total), True


def launched(job: Job, new: bool = True) -> str:
    """Commit the request (the job exists before anything runs it), hand a new job to whatever runs
    jobs, and give the address of its progress page (a job already under way is not sent again)."""
    db.session.commit()
    if new:
        dispatch(job)
    return url_for("jobs.progress", job_id=job.id)


def dispatch(job: Job) -> None:
    """Hand a committed job to whatever runs jobs. With Celery and the broker down the job stays
    queued and is sent again when its progress page is next read (:func:`redispatch`)."""
    how = mode()
    if how == "inline":
        run(job.id)
        return
    if how == "thread":
        app = current_app._get_current_object()
        threading.Thread(target=_run_in_thread, args=(app, job.id), daemon=True, name=f"job-{job.id}").start()
        return
    from .celery_app import broker_reachable, celery_for

    if not broker_reachable(current_app):
        log.warning("job %s waits: the broker %s does not answer", job.id, current_app.config["CELERY_BROKER_URL"])
        return
    # Marked sent (and committed) before it is sent: once the message is out, a worker may take the
    # job's row at once, and a row this request were still writing would be locked, so the worker
    # would leave it (run's skip_locked) and the job would wait for ever.
    job_id = job.id
    job.dispatched_at = clock.now()
    db.session.commit()
    try:
        celery_for(current_app).send_task("governance.run_job", args=[job_id], task_id=job_id, retry=False)
    except Exception as error:  # noqa: BLE001 (broker down: the job waits, nothing is lost)
        log.warning("job %s could not be queued (%s: %s); it waits for the broker", job_id,
                    error.__class__.__name__, error)
        job = db.session.get(Job, job_id)
        job.dispatched_at = None  # not sent: its progress page sends it again (redispatch)
        db.session.commit()


def redispatch(job: Job) -> None:
    """A job queued while the broker was down is sent now, if it can be."""
    if mode() == "celery" and job.state == JobState.QUEUED and job.dispatched_at is None:
        dispatch(job)


def _run_in_thread(app, job_id: str) -> None:
    with app.app_context():
        try:
            run(job_id)
        finally:
            db.session.remove()


def drawing_processes(wanted: int) -> int:
    """Processes a job may draw with side by side: ``wanted`` in a Celery worker that may start
    processes (``--pool solo``, as deploy/ runs it), else 1: never in a web process (thread or
    inline), and a prefork pool's children may not have children of their own."""
    if mode() != "celery" or multiprocessing.current_process().daemon:
        return 1
    try:
        import billiard

        if billiard.current_process().daemon:
            return 1
    except ImportError:  # no Celery installed: no prefork pool either
        pass
    return max(1, wanted)


def result_path(job_id: str) -> Path:
    return Path(current_app.config["JOBS_DIR"]) / f"{job_id}.out"


def run(job_id: str, task=None) -> None:
    """Do a job's work: mark it running (committed), do the work in one transaction, write the
    file, then mark it done in the same commit. A refusal or an error rolls the work back and
    marks the job failed with its reason; a process killed midway leaves it running, and Celery
    hands the message to another worker (``acks_late``), which starts it again."""
    # A second delivery of a message whose job a live worker is doing finds its row locked and
    # leaves it (PostgreSQL); a killed worker's lock went with its connection.
    job = db.session.scalar(select(Job).where(Job.id == job_id).with_for_update(skip_locked=True))
    if job is None or job.state == JobState.DONE:
        db.session.rollback()
        return
    job.state, job.started_at, job.failure = JobState.RUNNING, clock.now(), None
    job.attempts += 1
    db.session.commit()
    db.session.scalar(select(Job).where(Job.id == job_id).with_for_update())  # held until the work commits

    def report(done: int, total: int, step: str, **values) -> None:
        progress_store.store(job_id, {"done": done, "total": total, "step": step, "values": values}, task)

    try:
        with page_context():
            result: Result | Summary = function_for(job.kind)(job, report)
        finished = clock.now()
        if isinstance(result, Summary):
            job.params = {**job.params, SUMMARY: result.values}
        else:
            _keep_file(job, result)
            job.expires_at = finished + dt.timedelta(hours=current_app.config["JOB_RESULT_HOURS"])
        job.state, job.finished_at = JobState.DONE, finished
        job.done = job.total = max(job.total, 1)
        db.session.commit()
    except Exception as error:  # noqa: BLE001 (any failure: nothing half-done is kept)
        db.session.rollback()
        reason = error.reason if isinstance(error, Refusal) else "error"
        if reason == "error":
            log.exception("job %s (%s) failed", job_id, job.kind)
        job = db.session.get(Job, job_id)
        job.state, job.failure, job.finished_at = JobState.FAILED, reason, clock.now()
        db.session.commit()
    finally:
        progress_store.forget(job_id)


def _keep_file(job: Job, result: Result) -> None:
    """Written under a temporary name and renamed: never half a file under the job's name."""
    path = result_path(job.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(result.content)
    os.replace(partial, path)
    job.result_name, job.result_type, job.result_size = result.name, result.mimetype, len(result.content)


def summary(job: Job) -> dict | None:
    """What a job that makes no file did (its :class:`Summary`), once it is done."""
    return job.params.get(SUMMARY) if job.state == JobState.DONE else None


def page_context():
    """Work drawn from templates (documents) needs a request: in a worker, a thread or a command,
    one made up for the site's address, with nobody signed in; inline, the request that started
    the job."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config["SITE_URL"])


def in_starters_language(job: Job):
    """Words of a file (column titles, texts) in the language of the person who started the job:
    a worker has no request to read it from."""
    return force_locale(job.params.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"])


def retry(job: Job, actor) -> None:
    """A failed job starts again from nothing; the caller commits and dispatches. The job is then
    the retrier's: it runs with their permissions, its audit events name them and its outcome is
    reported to them (the event says who had started it)."""
    if job.state != JobState.FAILED:
        raise JobError("not_failed")
    started_by = job.owner_id
    job.state, job.failure, job.dispatched_at, job.finished_at = JobState.QUEUED, None, None, None
    job.owner_id = actor.id
    db.session.flush()
    db.session.expire(job, ["owner"])
    record("job.retried", estate_id=job.estate_id, object_type="job", object_id=job.id,
           details={"kind": job.kind, "started_by": started_by}, actor=actor)


def may_see(user, job: Job | None) -> bool:
    """Its owner, and people who may do what its owner needed on its estate."""
    if job is None or not getattr(user, "is_authenticated", False):
        return False
    if job.owner_id == user.id:
        return True
    estate = job.estate
    return bool(job.permission and estate is not None and can(user, job.permission, estate))


def recent(user, estate, kind: str, limit: int = 20) -> list[Job]:
    """The jobs of ``kind`` on ``estate`` started while their file is kept (``JOB_RESULT_HOURS``) that
    ``user`` may see, newest first: the page that starts them lists them, to come back to."""
    since = clock.now() - dt.timedelta(hours=current_app.config["JOB_RESULT_HOURS"])
    found = db.session.scalars(select(Job).where(Job.kind == kind, Job.estate_id == estate.id, Job.created_at >= since)
                               .order_by(Job.created_at.desc(), Job.id).limit(limit))
    return [job for job in found if may_see(user, job)]


def status(job: Job) -> dict:
    """What the progress page and its JSON show."""
    done, total, step, values = job.done, job.total, "", {}
    if job.state == JobState.RUNNING:
        celery_app = None
        if mode() == "celery":
            from .celery_app import celery_for

            celery_app = celery_for(current_app)
        try:
            found = progress_store.read(job.id, celery_app)
        except Exception:  # noqa: BLE001 (the result store down: the page says running)
            found = None
        if found:
            done, total, step, values = found["done"], found["total"], found["step"], found.get("values", {})
    percent = 100 if job.state == JobState.DONE else (min(99, done * 100 // total) if total else 0)
    return {"state": job.state.value, "done": done, "total": total, "percent": percent, "step": step,
            "values": values, "failure": job.failure,
            "downloadable": job.state == JobState.DONE and job.result_name is not None and not expired(job)}


def expired(job: Job) -> bool:
    return job.expires_at is not None and clock.aware(job.expires_at) <= clock.now()


def read_result(job: Job) -> bytes | None:
    path = result_path(job.id)
    if expired(job) or not path.exists():
        return None
    return path.read_bytes()


def sweep(now: dt.datetime | None = None) -> tuple[int, int]:
    """Hourly: files past their 24 hours are removed; jobs running for more than
    ``JOB_STALE_HOURS`` (their worker died and no other took them) are marked failed.
    Returns (files removed, jobs failed)."""
    now = now or clock.now()
    removed = 0
    for job in db.session.scalars(select(Job).where(Job.expires_at.is_not(None), Job.expires_at <= now,
                                                    Job.result_size.is_not(None))):
        result_path(job.id).unlink(missing_ok=True)
        job.result_size = None
        removed += 1
    stale_before = now - dt.timedelta(hours=current_app.config["JOB_STALE_HOURS"])
    stale = db.session.scalars(select(Job).where(Job.state == JobState.RUNNING, Job.started_at < stale_before)).all()
    for job in stale:
        job.state, job.failure, job.finished_at = JobState.FAILED, "worker_lost", now
    return removed, len(stale)


def count_in(state: JobState) -> int:
    return db.session.scalar(select(func.count()).select_from(Job).where(Job.state == state)) or 0
