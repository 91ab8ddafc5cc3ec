"""Prometheus metrics (served at ``/metrics`` by core.health), with the official client
(``prometheus_client``).

Why the official client and not prometheus-flask-exporter: what is measured here is mostly the
platform's own (casts, refusals by reason, sign-in failures and locks); the per-endpoint request
figures are a few lines in the request hook that already times every request for the log; and the
official client alone gives gunicorn's multiprocess mode and the registry we need to restrict
``/metrics`` to ``METRICS_ALLOWED``. One dependency less, and nothing patched into Flask.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory that only the
service writes (the systemd unit in deploy/ uses its RuntimeDirectory) before gunicorn starts.
Each worker then writes its figures there and ``/metrics``, whichever worker answers, adds them up;
gunicorn.conf.py empties the directory when gunicorn starts and marks a worker's files dead when it
exits. Without the variable (``make run``, one process) the figures live in the process.

Adding a metric is one line below and one call where it happens, for example::

    JOBS_FAILED = Counter("governance_jobs_failed_total", "Background jobs that failed.", ["kind"])

A figure read from the database when Prometheus asks (duties overdue, jobs queued) is one line too::

    scrape_gauge("governance_duties_overdue", "Duties past their due date.", count_overdue_duties)
"""
from __future__ import annotations

import os
from collections.abc import Callable

from flask import current_app
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter("governance_http_requests_total", "HTTP requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram("governance_http_request_duration_seconds", "Time to answer a request, by endpoint.",
                            ["endpoint", "method"])
CASTS = Counter("governance_casts_total", "Ballots recorded, by channel (online, proxy, paper).", ["channel"])
CASTS_REFUSED = Counter("governance_casts_refused_total",
                        "Cast requests that recorded no ballot, by reason (wrong_code, locked, already_cast, "
                        "form, or the vote's refusal such as not_open).", ["reason"])
SIGN_IN_FAILURES = Counter("governance_sign_in_failures_total",
                           "Wrong passwords and wrong second-factor codes, by kind (password, code, locked).",
                           ["kind"])
SIGN_IN_LOCKS = Counter("governance_sign_in_locks_total", "Accounts locked after too many wrong codes.")

_SCRAPE_GAUGES: list[tuple[str, str, Callable[[], float]]] = []


def scrape_gauge(name: str, documentation: str, read: Callable[[], float]) -> None:
    """A gauge whose value ``read()`` gives when ``/metrics`` is asked (in an app context, so it may
    query the database); computed by the answering worker only, so right with many workers."""
    _SCRAPE_GAUGES.append((name, documentation, read))


class _ScrapeCollector:
    def collect(self):
        for name, documentation, read in list(_SCRAPE_GAUGES):
            try:
                value = float(read())
            except Exception:  # noqa: BLE001 (one failing figure must not hide the others)
                current_app.logger.warning("metric %s could not be read", name, exc_info=True)
                continue
            yield GaugeMetricFamily(name, documentation, value=value)


def _registry() -> CollectorRegistry:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        registry = REGISTRY
    else:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


_scrape_collector = _ScrapeCollector()
REGISTRY.register(_scrape_collector)


def allowed(address: str | None) -> bool:
    """Whether ``address`` is in ``METRICS_ALLOWED``."""
    import ipaddress

    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in network for network in current_app.config["METRICS_ALLOWED"])


def exposition() -> bytes:
    """Every figure in Prometheus' text format: this process's, or all workers' in multiprocess mode."""
    registry = _registry()
    body = generate_latest(registry)
    if registry is not REGISTRY:
        body += generate_latest(_scrape_only())
    return body


def _scrape_only() -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(_scrape_collector)
    return registry


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """One answered request (called for every request by core.logs)."""
    name = endpoint or "unmatched"
    REQUESTS.labels(name, method, str(status)).inc()
    REQUEST_SECONDS.labels(name, method).observe(seconds)
