import pytest

from governance_app import create_app
from governance_app.config import ConfigError, DEV_SECRET_KEY, check, from_environment, normalise_database_url

GOOD_SECRET = "s" * 40
PRODUCTION = {
    "GOVERNANCE_ENV": "production",
    "SECRET_KEY": GOOD_SECRET,
    "ID_HASH_KEY": "k" * 40,
    "TOTP_ENCRYPTION_KEY": "t" * 40,
    "DATABASE_URL": "postgresql://app@db.internal/governance",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SITE_URL": "https://vote.example.gov.cn",
}


def test_development_defaults_need_nothing():
    config = from_environment({})
    check(config)
    assert config["GOVERNANCE_ENV"] == "development"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert config["SQLALCHEMY_DATABASE_URI"].endswith("instance/governance.sqlite3")
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["TIMEZONE"] == "Asia/Shanghai"
    assert config["BABEL_DEFAULT_LOCALE"] == "zh_CN"


def test_development_leaves_site_url_unset_so_letters_print_the_address_asked_at():
    assert from_environment({})["SITE_URL"] == ""
    assert from_environment({"SITE_URL": " https://vote.example.gov.cn "})["SITE_URL"] == "https://vote.example.gov.cn"


def test_production_refuses_a_site_url_that_is_not_an_address():
    with pytest.raises(ConfigError, match="SITE_URL"):
        check(from_environment({**PRODUCTION, "SITE_URL": "vote.example.gov.cn"}))


def test_redis_url_becomes_the_rate_limit_storage():
    config = from_environment({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/3"


def test_production_with_complete_settings_starts():
    config = from_environment(PRODUCTION)
    check(config)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://app@db.internal/governance"
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("missing, named", [
    ("SECRET_KEY", "SECRET_KEY"),
    ("ID_HASH_KEY", "ID_HASH_KEY"),
    ("TOTP_ENCRYPTION_KEY", "TOTP_ENCRYPTION_KEY"),
    ("DATABASE_URL", "DATABASE_URL"),
    ("REDIS_URL", "REDIS_URL"),  # the rate limits would count per worker
    ("SITE_URL", "SITE_URL"),  # letters would print the address a client's Host header claims
])
def test_production_refuses_a_missing_setting_and_names_it(missing, named):
    environ = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=named):
        check(from_environment(environ))


def test_production_refuses_the_development_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        check(from_environment({**PRODUCTION, "SECRET_KEY": DEV_SECRET_KEY}))


def test_production_refuses_a_short_secret():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        check(from_environment({**PRODUCTION, "SECRET_KEY": "short"}))


def test_production_refuses_sqlite():
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        check(from_environment({**PRODUCTION, "DATABASE_URL": "sqlite:///x.db"}))


def test_unknown_environment_and_time_zone_are_refused():
    with pytest.raises(ConfigError, match="GOVERNANCE_ENV"):
        from_environment({"GOVERNANCE_ENV": "staging"})
    with pytest.raises(ConfigError, match="TIMEZONE"):
        check(from_environment({"TIMEZONE": "Mars/Olympus"}))


def test_create_app_refuses_to_start_in_production_with_development_defaults(monkeypatch):
    monkeypatch.setenv("GOVERNANCE_ENV", "production")
    for name in ("SECRET_KEY", "ID_HASH_KEY", "TOTP_ENCRYPTION_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="must be set in production"):
        create_app()


def test_production_app_sends_hsts(monkeypatch):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    with app.test_request_context("/"):
        response = app.process_response(app.make_response("ok"))
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("url, expected", [
    ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg_3(url, expected):
    assert normalise_database_url(url) == expected


def test_behind_a_trusted_proxy_the_client_address_comes_from_x_forwarded_for(tmp_path):
    app = create_app({"GOVERNANCE_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}",
                      "TRUSTED_PROXIES": 1})
    seen = {}

    @app.get("/whoami")
    def whoami():
        from flask import request
        seen["ip"] = request.remote_addr
        return "ok"

    app.test_client().get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"},
                          environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert seen["ip"] == "203.0.113.7"


def test_production_refuses_limits_kept_in_each_worker_s_memory():
    """Issue 12: without shared storage each gunicorn worker counts alone, and the per-address
    limits allow as many tries as there are workers."""
    with pytest.raises(ConfigError, match="REDIS_URL must be set in production"):
        check({**from_environment(PRODUCTION), "RATELIMIT_STORAGE_URI": "memory://"})
    with pytest.raises(ConfigError, match="REDIS_URL must be set in production"):
        check(from_environment({**PRODUCTION, "REDIS_URL": ""}))


def test_create_app_names_the_missing_redis_url(monkeypatch):
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        create_app()


def test_operations_settings_have_safe_defaults():
    import ipaddress

    config = from_environment({})
    assert config["METRICS_ALLOWED"] == (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
    assert config["LOG_LEVEL"] == "WARNING" and from_environment(PRODUCTION)["LOG_LEVEL"] == "INFO"
    assert config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] is True
    assert config["PG_BIN_DIR"] == ""


def test_redis_limits_give_up_quickly_when_redis_hangs():
    config = from_environment({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert config["RATELIMIT_STORAGE_OPTIONS"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_metrics_may_be_opened_to_a_monitoring_network():
    import ipaddress

    config = from_environment({"METRICS_ALLOWED": "10.8.0.0/16, 192.0.2.7"})
    assert config["METRICS_ALLOWED"] == (ipaddress.ip_network("10.8.0.0/16"), ipaddress.ip_network("192.0.2.7/32"))


def test_a_bad_metrics_address_is_refused_by_name():
    with pytest.raises(ConfigError, match="METRICS_ALLOWED: 'localhost' is not an address"):
        from_environment({"METRICS_ALLOWED": "localhost"})


def test_a_bad_log_level_is_refused_by_name():
    with pytest.raises(ConfigError, match="LOG_LEVEL"):
        check(from_environment({"LOG_LEVEL": "chatty"}))


def test_a_metrics_folder_that_cannot_be_written_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="PROMETHEUS_MULTIPROC_DIR"):
        check(from_environment({}))


def test_postgresql_connections_are_checked_before_use_and_production_hides_parameters():
    from governance_app.config import engine_options

    assert engine_options("postgresql+psycopg://app@db/governance", True) == {
        "hide_parameters": True, "pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}
    assert engine_options("sqlite:///x.db", False) == {"hide_parameters": False}


def test_production_refuses_metrics_open_to_every_address():
    with pytest.raises(ConfigError, match="METRICS_ALLOWED"):
        check(from_environment({**PRODUCTION, "METRICS_ALLOWED": "0.0.0.0/0"}))
    check(from_environment({**PRODUCTION, "METRICS_ALLOWED": "10.8.0.5"}))
