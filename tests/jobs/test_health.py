"""Issue 21's part of the job system: /readyz and flask doctor check the broker and the workers;
/metrics counts jobs queued and failed and duties overdue."""
from __future__ import annotations

from governance_app.core import duties
from governance_app.extensions import db
from governance_app.jobs import services as jobs
from governance_app.jobs.models import JobState
from tests.ops.servers import free_port


def _celery_app(app, another_app, broker: str):
    return another_app({**{key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "JOBS_DIR")},
                       "GOVERNANCE_ENV": "testing", "TESTING": True, "JOBS_MODE": "celery",
                       "CELERY_BROKER_URL": broker, "CELERY_RESULT_BACKEND": broker,
                       "CELERY_QUEUE": "health-test"})


def test_readiness_and_doctor_say_when_the_broker_is_down(app, another_app):
    web = _celery_app(app, another_app, f"redis://127.0.0.1:{free_port()}/0")
    answer = web.test_client().get("/readyz")
    assert answer.status_code == 200  # the site still serves: jobs wait
    body = answer.get_json()
    assert body["status"] == "degraded" and body["checks"]["celery_broker"] == "down"
    result = web.test_cli_runner().invoke(args=["doctor"])
    assert "[MISSING] celery broker" in result.output and "not asked: the broker is down" in result.output


def test_without_a_broker_readiness_leaves_celery_out(client):
    checks = client.get("/readyz").get_json()["checks"]
    assert "celery_broker" not in checks and "celery_worker" not in checks


def test_metrics_count_jobs_queued_and_failed_and_duties_overdue(app, client, estate, committee, clock):
    with app.app_context():
        for state in (JobState.QUEUED, JobState.FAILED, JobState.FAILED):
            job = jobs.start("activation_letters", owner=committee, estate=estate)
            job.state = state
        db.session.commit()
    today = clock().date()
    import datetime as dt

    duties.register_source("test-metrics", lambda ids, day: [
        duties.Duty(today - dt.timedelta(days=1), ids[0], "test.overdue", "逾期", "/x", "R-50"),
        duties.Duty(today + dt.timedelta(days=3), ids[0], "test.later", "以后", "/y", "R-50")])
    try:
        body = client.get("/metrics").get_data(as_text=True)
    finally:
        duties.register_source("test-metrics", lambda ids, day: [])
    assert "governance_jobs_queued 1.0" in body and "governance_jobs_failed 2.0" in body
    assert "governance_duties_overdue 1.0" in body
