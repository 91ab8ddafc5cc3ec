"""The Celery application, built from the Flask application factory.

Workers and beat run as their own processes with the web's settings (see ``worker.py``)::

    celery -A governance_app.jobs.worker worker --loglevel INFO
    celery -A governance_app.jobs.worker beat --schedule instance/beat-schedule

Every task runs inside the Flask application's context, so tasks call the packages' plain
service functions. The schedule (beat) replaces the ``flask voting tick`` cron line: every minute
votes open and close on time (``voting.tasks``); every hour duties that fall due and votes closing
in two days are announced, once each, and expired job files are removed (``notifications.tasks``).
"""
from __future__ import annotations

from celery import Celery, Task
from celery.schedules import crontab

from . import registry


def celery_for(flask_app) -> Celery:
    """The Celery application of a Flask application (built once, kept in its extensions)."""
    built = flask_app.extensions.get("celery")
    if built is None:
        built = flask_app.extensions["celery"] = make_celery(flask_app)
    return built


def broker_reachable(flask_app) -> bool:
    """A quick look (1 s) before sending: Celery itself would try to reconnect for many seconds."""
    url = flask_app.config["CELERY_BROKER_URL"]
    if not url.startswith(("redis://", "rediss://")):
        return True
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def make_celery(flask_app) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with flask_app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    from ..extensions import db

                    db.session.remove()

    config = flask_app.config
    app = Celery("governance_app", task_cls=FlaskTask)
    app.conf.update(
        broker_url=config["CELERY_BROKER_URL"],
        result_backend=config["CELERY_RESULT_BACKEND"],
        # A Redis that is down must not hold a request: sending fails at once and the job waits
        # (jobs.services.dispatch); workers keep trying to reconnect, at start too.
        broker_connection_timeout=2,
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": config["CELERY_VISIBILITY_TIMEOUT"],
                                  "socket_connect_timeout": 2},
        redis_socket_connect_timeout=2,
        result_expires=24 * 3600,
        task_default_queue=config["CELERY_QUEUE"],
        task_serializer="json", result_serializer="json", accept_content=["json"],
        # A job is acknowledged when it is finished: a worker killed midway leaves the message to
        # be delivered again (after the visibility timeout) instead of losing it.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        timezone=config["TIMEZONE"],
        beat_schedule={
            "votes-open-and-close": {"task": "governance.tick", "schedule": crontab(minute="*")},
            "duties-and-reminders": {"task": "governance.hourly", "schedule": crontab(minute=5)},
        },
    )

    # shared=False: a task is this application's only. Celery otherwise adds it to every Celery
    # application finalized later in the process (the tests build several), which then holds two
    # callables under one name and warns.
    @app.task(name="governance.run_job", bind=True, shared=False)
    def run_job(self, job_id: str) -> None:
        from .services import run

        run(job_id, task=self)

    # The schedule's tasks and the mail's, registered by their packages (jobs.registry.task): the
    # app factory imports those modules, so the worker's application knows them all.
    for name, (function, options) in registry.tasks().items():
        app.task(name=name, shared=False, **options)(function)

    return app
