"""Redis stopped while the site runs (issue 21), with a private redis-server and gunicorn.

Pages and casting go on. Rate limits that Redis held fail towards safety: they are counted in each
worker's memory (Flask-Limiter's in-memory fallback; the second-factor lock is counted in the
database), never lifted, and the switch is logged; ``flask doctor`` and
``/readyz`` say Redis is down. When Redis returns, readiness says so.
"""
from __future__ import annotations

import json
import time
import urllib.parse

import pytest
import redis

from governance_app.extensions import db
from governance_app.voting.models import Ballot
from tests.ops import scene as scenes
from tests.ops.servers import Gunicorn, PrivateRedis, app_environment, http_request, wait_until


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(app, app_context, private_redis):
    built = scenes.build(6)
    db.session.remove()
    server = Gunicorn(app_environment(app, REDIS_URL=private_redis.url))
    yield server, built
    server.stop()


def cast(app, port: int, vote_id: int, person, code: str | None = None):
    cookie, token = scenes.browser_state(app, person)
    body = urllib.parse.urlencode({"csrf_token": token, "voter": person.voter, "item-i1": "approve", "item-i2": "p2",
                                   "code": code or person.totp.code_at(int(time.time()))})
    return http_request(port, "POST", f"/votes/{vote_id}/ballot/confirm", body, {
        "Cookie": f"session={cookie}", "Content-Type": "application/x-www-form-urlencoded"})


def wrong_password(app, port: int) -> int:
    cookie, token = scenes.anonymous_form(app)
    body = urllib.parse.urlencode({"csrf_token": token, "login": "nobody", "password": "wrong-password-1"})
    return http_request(port, "POST", "/login", body, {"Cookie": f"session={cookie}",
                                                        "Content-Type": "application/x-www-form-urlencoded"})[0]


def test_redis_stopped_the_site_serves_and_casts_and_limits_hold(app, runner, monkeypatch, private_redis, site):
    web, built = site
    counts = redis.Redis.from_url(private_redis.url)
    assert wrong_password(app, web.port) == 400
    assert counts.keys("*LIMITER*"), "the limits are counted in Redis while it runs"
    counts.close()
    private_redis.stop()

    assert http_request(web.port, "GET", "/")[0] == 200
    status, _headers, body = http_request(web.port, "GET", "/readyz")
    # Celery's broker is the same Redis (issue 16): it is down too, and no worker answers.
    assert (status, json.loads(body)) == (200, {"status": "degraded", "checks": {
        "database": "ok", "migrations": "ok", "redis": "down", "celery_broker": "down", "celery_worker": "down"}})
    voters = [p for p in built.owners if p.voter not in built.voted]
    status, headers, _body = cast(app, web.port, built.open_vote, voters[0])
    assert status == 302 and "/receipt" in headers["location"]
    status, _headers, body = cast(app, web.port, built.open_vote, voters[1], code="000000" if
                                  voters[1].totp.code_at(int(time.time())) != "000000" else "111111")
    assert status == 400 and "验证码错误或已使用过" in body  # refused and counted in the database, not a 500
    statuses = [wrong_password(app, web.port) for _ in range(25)]
    assert 500 not in statuses
    assert 429 in statuses, "with Redis down the sign-in limit must still hold (per worker)"
    assert statuses.index(429) <= 20  # 10 a minute in each of the 2 workers, at most
    db.session.remove()
    assert db.session.query(Ballot).filter_by(vote_id=built.open_vote, voter=voters[0].voter).count() == 1
    logged = web.json_lines()
    assert any(line["logger"] == "flask-limiter" and "falling back to in-memory" in line["message"] for line in logged)

    monkeypatch.setitem(app.config, "REDIS_URL", private_redis.url)
    doctor = runner.invoke(args=["doctor"])
    assert doctor.exit_code == 1
    assert "[MISSING] redis" in doctor.output and "start Redis or unset REDIS_URL" in doctor.output

    private_redis.start()
    # Redis and the broker are back; no worker runs in this test, so the status stays "degraded".
    wait_until(lambda: {name: state for name, state in json.loads(http_request(web.port, "GET", "/readyz")[2])
                        ["checks"].items() if name in ("redis", "celery_broker")}
               == {"redis": "ok", "celery_broker": "ok"}, 10, "readiness saying Redis is back")
    assert runner.invoke(args=["doctor"]).output.count("[ok  ] redis") == 1
