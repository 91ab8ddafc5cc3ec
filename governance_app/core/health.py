"""Liveness, readiness and metrics, for the load balancer, systemd and monitoring.

- ``/healthz``: the process answers (nothing else is checked; cheap enough to ask every second).
- ``/readyz``: what a request needs. Each check says ``ok`` or ``down``; the answer is 503 when a
  *required* one is down (the database, its migrations at head), so the load balancer sends
  requests elsewhere, and 200 otherwise. Redis is checked when configured but is not required:
  without it the site still serves pages and casts ballots, and rate limits are counted in each
  worker's memory, so a Redis outage must not take every worker out of service. The body then
  says ``"status": "degraded"`` and which part is down, for monitoring to alert on.

A later part adds its check with one call, e.g. the job system's broker::

    readiness_check("celery_broker", check_broker, required=False)

Details of failures go to the log (with the request id), never to the answer: it is public.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from ..extensions import db
from . import metrics as figures

bp = Blueprint("health", __name__)
log = logging.getLogger("governance_app.health")


@dataclass(frozen=True)
class ReadinessCheck:
    name: str
    run: Callable[[], bool]  # True when ready; may raise, which counts as down
    required: bool


_CHECKS: list[ReadinessCheck] = []


def readiness_check(name: str, run: Callable[[], bool], *, required: bool) -> None:
    _CHECKS[:] = [c for c in _CHECKS if c.name != name] + [ReadinessCheck(name, run, required)]


def _heads() -> set[str]:
    """The migrations' heads, read once per process: the scripts do not change while it runs."""
    heads = current_app.extensions.get("governance_migration_heads")
    if heads is None:
        from alembic.script import ScriptDirectory

        config = current_app.extensions["migrate"].migrate.get_config()
        heads = current_app.extensions["governance_migration_heads"] = set(
            ScriptDirectory.from_config(config).get_heads())
    return heads


def database_answers() -> bool:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return True


def migrations_at_head() -> bool:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == _heads()


def redis_answers() -> bool | None:
    """None when no Redis is configured (the check is then left out)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    finally:
        client.close()


readiness_check("database", database_answers, required=True)
readiness_check("migrations", migrations_at_head, required=True)
readiness_check("redis", redis_answers, required=False)


def readiness() -> tuple[dict[str, str], bool, bool]:
    """(state of each check, every required one ok, every one ok)."""
    states: dict[str, str] = {}
    required_ok = everything_ok = True
    for check in list(_CHECKS):
        try:
            outcome = check.run()
        except Exception as error:  # noqa: BLE001 (whatever fails, the part is not ready)
            log.warning("readiness check %s failed: %s: %s", check.name, error.__class__.__name__, error)
            outcome = False
        if outcome is None:
            continue
        states[check.name] = "ok" if outcome else "down"
        if not outcome:
            everything_ok = False
            required_ok = required_ok and not check.required
    return states, required_ok, everything_ok


@bp.get("/healthz")
def healthz():
    """For load balancers and benchmarks: the process answers; nothing else is checked."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}


@bp.get("/readyz")
def readyz():
    states, required_ok, everything_ok = readiness()
    status = "ok" if everything_ok else ("degraded" if required_ok else "down")
    response = jsonify(status=status, checks=states)
    response.status_code = 200 if required_ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/metrics")
def metrics():
    """For Prometheus, from ``METRICS_ALLOWED`` only (loopback by default); others get 404."""
    if not figures.allowed(request.remote_addr):
        abort(404)
    return Response(figures.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})
