"""The Celery application of the platform, for ``celery -A governance_app.jobs.worker``.

It builds the Flask application from the environment, as the web does, so workers and beat have
the same settings (``DATABASE_URL``, ``CELERY_BROKER_URL`` or ``REDIS_URL``, ...)."""
from governance_app import create_app
from governance_app.jobs.celery_app import celery_for

flask_app = create_app()
celery = celery_for(flask_app)
