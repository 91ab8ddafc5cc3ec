"""Liveness, readiness and the metrics' address check (issue 21)."""
from __future__ import annotations

import ipaddress

import pytest
from prometheus_client import REGISTRY

from governance_app import create_app
from governance_app.core import health, metrics
from governance_app.extensions import db


@pytest.fixture
def unreachable_database(tmp_path):
    """An app whose database cannot be opened: SQLite in a folder that does not exist."""
    app = create_app({"GOVERNANCE_ENV": "testing", "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_healthz_answers_without_the_database(unreachable_database):
    response = unreachable_database.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ok_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_takes_the_worker_out_when_the_database_is_down(unreachable_database):
    response = unreachable_database.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "down", "checks": {"database": "down", "migrations": "down"}}


def test_readyz_says_when_migrations_are_behind(app, client, monkeypatch):
    monkeypatch.setitem(app.extensions, "governance_migration_heads", {"9999"})
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "down"}


def test_readyz_says_redis_is_down_but_keeps_the_worker_in_service(app, client, monkeypatch):
    """Without Redis pages and casts still work (limits counted per worker), so a Redis outage
    must not take every worker out of the load balancer: 200, "degraded", redis "down"."""
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "degraded",
                                   "checks": {"database": "ok", "migrations": "ok", "redis": "down"}}


def test_a_later_part_adds_its_readiness_check_with_one_call(client, monkeypatch):
    monkeypatch.setattr(health, "_CHECKS", list(health._CHECKS))
    health.readiness_check("celery_broker", lambda: False, required=False)
    assert client.get("/readyz").get_json()["checks"]["celery_broker"] == "down"
    health.readiness_check("celery_broker", lambda: True, required=True)
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["checks"]["celery_broker"] == "ok"


def test_metrics_answer_loopback_and_no_one_else(client):
    assert client.get("/metrics").status_code == 200
    refused = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert refused.status_code == 404
    assert b"governance_" not in refused.data


def test_metrics_allowed_from_a_configured_network(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_ALLOWED", (ipaddress.ip_network("10.1.0.0/16"),))
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 404


def test_requests_are_counted_and_timed_by_endpoint(client):
    labels = {"endpoint": "health.healthz", "method": "GET", "status": "200"}
    before = REGISTRY.get_sample_value("governance_http_requests_total", labels) or 0
    timed = REGISTRY.get_sample_value("governance_http_request_duration_seconds_count",
                                      {"endpoint": "health.healthz", "method": "GET"}) or 0
    client.get("/healthz")
    client.get("/healthz")
    assert REGISTRY.get_sample_value("governance_http_requests_total", labels) == before + 2
    assert REGISTRY.get_sample_value("governance_http_request_duration_seconds_count",
                                     {"endpoint": "health.healthz", "method": "GET"}) == timed + 2
    body = client.get("/metrics").get_data(as_text=True)
    assert 'governance_http_requests_total{endpoint="health.healthz",method="GET",status="200"}' in body


def test_a_figure_read_at_scrape_time_is_one_line(client, monkeypatch):
    monkeypatch.setattr(metrics, "_SCRAPE_GAUGES", [])
    metrics.scrape_gauge("governance_duties_overdue", "Duties past their due date.", lambda: 3)
    body = client.get("/metrics").get_data(as_text=True)
    assert "# TYPE governance_duties_overdue gauge" in body
    assert "governance_duties_overdue 3.0" in body
