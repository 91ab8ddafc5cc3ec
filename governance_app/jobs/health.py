"""The job system in ``/readyz``, ``flask doctor`` and ``/metrics`` (issue 21).

Neither the broker nor a worker is required for readiness: without them pages and casting go on,
and jobs wait (queued) until they return; ``/readyz`` then says ``degraded`` for monitoring."""
from __future__ import annotations

from flask import current_app

from sqlalchemy import select

from ..core import clock, duties, metrics
from ..core.cli import Check
from ..core.health import readiness_check
from ..estates.models import Estate
from ..extensions import db


def _celery():
    if current_app.config["JOBS_MODE"] != "celery":
        return None
    from .celery_app import celery_for

    return celery_for(current_app)


def broker_answers() -> bool | None:
    celery = _celery()
    if celery is None:
        return None
    with celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=2)
    return True


def workers_alive() -> bool | None:
    celery = _celery()
    if celery is None:
        return None
    return bool(celery.control.ping(timeout=1.0))


readiness_check("celery_broker", broker_answers, required=False)
readiness_check("celery_worker", workers_alive, required=False)


def _jobs_in(state_name: str):
    def read() -> float:
        from .models import JobState
        from .services import count_in

        return count_in(JobState(state_name))
    return read


def _duties_overdue() -> float:
    today = clock.today()
    return sum(1 for duty in duties.gather(db.session.scalars(select(Estate.id)), today) if duty.overdue(today))


metrics.scrape_gauge("governance_jobs_queued", "Background jobs waiting for a worker.", _jobs_in("queued"))
metrics.scrape_gauge("governance_jobs_failed", "Background jobs that failed (kept until they are retried).",
                     _jobs_in("failed"))
metrics.scrape_gauge("governance_duties_overdue", "Duties past their due date, in every estate.", _duties_overdue)


def doctor_checks() -> list:
    """For ``flask doctor``: the broker and whether a worker answers, when Celery is configured."""
    mode = current_app.config["JOBS_MODE"]
    if mode != "celery":
        return [Check("jobs", True, f"JOBS_MODE={mode}: jobs run in the web process (no broker configured)",
                      required=False)]
    url = current_app.config["CELERY_BROKER_URL"]
    try:
        broker_answers()
    except Exception as error:  # noqa: BLE001 (whatever fails, the broker is not usable)
        return [Check("celery broker", False, f"{url}: {error}", "start Redis or set CELERY_BROKER_URL"),
                Check("celery worker", False, "not asked: the broker is down", "start the broker, then a worker",
                      required=False)]
    alive = workers_alive()
    return [Check("celery broker", True, url),
            Check("celery worker", bool(alive), "a worker answered" if alive else "no worker answered within 1 s",
                  "systemctl start governance-worker (celery -A governance_app.jobs.worker worker --pool=solo)",
                  required=False)]
