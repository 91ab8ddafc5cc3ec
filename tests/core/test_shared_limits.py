"""Rate limits are shared across workers when Redis is configured.

Two worker processes are two separate Python processes here, each building the
app from the environment as gunicorn would.
"""
import json
import os
import subprocess
import sys

import pytest

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
WORKER = """
import json, sys
from governance_app import create_app
app = create_app({"WTF_CSRF_ENABLED": False})
client = app.test_client()
statuses = [client.post("/login", data={"login": "nobody", "password": "wrong-password-1"}).status_code
            for _ in range(int(sys.argv[1]))]
print(json.dumps({"statuses": statuses, "storage": app.config["RATELIMIT_STORAGE_URI"]}))
"""


@pytest.fixture
def redis_url():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is needed in CI: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


def _worker(app, redis_url: str | None, posts: int) -> list[int]:
    env = {**os.environ, "GOVERNANCE_ENV": "testing", "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    done = subprocess.run([sys.executable, "-c", WORKER, str(posts)], env=env, capture_output=True, text=True,
                          timeout=60, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["statuses"]


def test_login_limit_is_shared_by_two_workers_through_redis(app, redis_url):
    assert _worker(app, redis_url, 10) == [400] * 10
    assert _worker(app, redis_url, 1) == [429]


def test_without_redis_each_worker_counts_alone(app):
    assert _worker(app, None, 10) == [400] * 10
    assert _worker(app, None, 1) == [400]
