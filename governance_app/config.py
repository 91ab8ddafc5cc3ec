"""Settings, read from environment variables and checked at start.

Development needs nothing set: the database is a SQLite file in ``instance/``.
Production (``GOVERNANCE_ENV=production``) refuses to start while a required
setting is missing or still has its development value, and names the setting.
"""
from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def beside_or_inside(name: str) -> Path:
    """templates/ or migrations/: in a checkout beside the package; in an installed wheel inside it
    (setup.py copies them there when building)."""
    beside = PROJECT_ROOT / name
    return beside if beside.is_dir() else Path(__file__).resolve().parent / name

DEV_SECRET_KEY = "development-only-secret-key"
DEV_ID_HASH_KEY = "development-only-id-hash-key"
DEV_TOTP_KEY = "development-only-totp-encryption-key"
ENVIRONMENTS = ("development", "production", "testing")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Rate-limit counters in Redis: a Redis that hangs must not hold a request for long (limits'
# RedisStorage passes these to redis-py). When Redis cannot be reached, limits are counted in each
# worker's memory instead (Flask-Limiter's in-memory fallback): never lifted, only counted per
# worker. The lock after wrong second-factor codes is counted in the database (auth.services).
REDIS_TIMEOUTS = {"socket_connect_timeout": 1, "socket_timeout": 1}


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the message names it."""


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'governance.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever scheme spelling was given."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(environ: dict[str, str] | None = None) -> dict:
    """Build the Flask configuration mapping from environment variables."""
    env = os.environ if environ is None else environ
    environment = env.get("GOVERNANCE_ENV", "development")
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"GOVERNANCE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {environment!r}"
        )
    production = environment == "production"
    database_url = env.get("DATABASE_URL") or ("" if production else _default_database_url())
    redis_url = env.get("REDIS_URL", "")
    broker_url = env.get("CELERY_BROKER_URL") or redis_url
    log_level = env.get("LOG_LEVEL") or ("INFO" if production else "WARNING")
    config = {
        "GOVERNANCE_ENV": environment,
        "SECRET_KEY": env.get("SECRET_KEY") or ("" if production else DEV_SECRET_KEY),
        "ID_HASH_KEY": env.get("ID_HASH_KEY") or ("" if production else DEV_ID_HASH_KEY),
        "TOTP_ENCRYPTION_KEY": env.get("TOTP_ENCRYPTION_KEY") or ("" if production else DEV_TOTP_KEY),
        "PASSWORD_HASH_METHOD": "scrypt",
        # The address printed on letters and PDFs. Unset in development: the address the page was
        # asked at (core.site); production refuses to start without it (a Host header is the client's).
        "SITE_URL": env.get("SITE_URL", "").strip(),
        "TOTP_ISSUER": env.get("TOTP_ISSUER", "业主自治平台"),
        "IDLE_TIMEOUT_MINUTES": int(env.get("IDLE_TIMEOUT_MINUTES", "30")),
        "STEP_UP_MINUTES": 5,
        "ACTIVATION_DAYS": int(env.get("ACTIVATION_DAYS", "30")),
        # How many reverse proxies stand before the app; their X-Forwarded-For is then trusted,
        # so per-address limits count people, not the proxy.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": dict(REDIS_TIMEOUTS) if redis_url else {},
        # Redis down: every limit goes on, counted in the worker's memory, and the switch is logged.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        # Where /metrics answers: addresses or networks, comma-separated (after TRUSTED_PROXIES).
        "METRICS_ALLOWED": parse_networks(env.get("METRICS_ALLOWED", "127.0.0.1,::1"), "METRICS_ALLOWED"),
        # INFO writes one JSON line per request; WARNING and above only problems.
        "LOG_LEVEL": log_level.upper(),
        # The PostgreSQL client programs (pg_dump, pg_restore) of `flask backup`; empty: from PATH.
        "PG_BIN_DIR": env.get("PG_BIN_DIR", ""),
        "TIMEZONE": env.get("TIMEZONE", "Asia/Shanghai"),
        "MAX_CONTENT_LENGTH": int(env.get("MAX_UPLOAD_BYTES", str(16 * 1024 * 1024))),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Asia/Shanghai"),
        "LANGUAGES": ("zh_CN", "en"),
        "WTF_CSRF_TIME_LIMIT": None,
        # Processes that draw a long PDF batch (activation letters) side by side in a job; 0: one
        # per core. Only a Celery worker draws side by side: never a web process.
        "PDF_PROCESSES": int(env.get("PDF_PROCESSES", "0")),
        # days a person notified of a black-board entry has to object (R-31 days).
        "BOARD_OBJECTION_DAYS": int(env.get("BOARD_OBJECTION_DAYS", "7")),
        # Owners rate the property-service company once per period of this many months.
        "RATING_PERIOD_MONTHS": int(env.get("RATING_PERIOD_MONTHS", "3")),
        # Jobs (governance_app/jobs): Celery's broker and result store, Redis by default.
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": env.get("CELERY_RESULT_BACKEND") or broker_url,
        # The queue the web sends to and workers take from (one per site sharing a Redis).
        "CELERY_QUEUE": env.get("CELERY_QUEUE", "governance"),
        # A job whose worker died is delivered again after this many seconds.
        "CELERY_VISIBILITY_TIMEOUT": int(env.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        # celery: a worker runs jobs; thread: the web process does (no broker); inline: the request.
        # Empty: chosen by resolve_jobs_mode once overrides are applied.
        "JOBS_MODE": env.get("JOBS_MODE", ""),
        "JOBS_DIR": env.get("JOBS_DIR") or str(INSTANCE_DIR / "jobs"),
        "JOB_RESULT_HOURS": 24,
        "JOB_STALE_HOURS": int(env.get("JOB_STALE_HOURS", "6")),
        # A vote's result announcement of an estate with at least this many units is printed by a
        # job (its page shows progress); smaller estates get the PDF at once, as before.
        "JOB_THRESHOLD_UNITS": int(env.get("JOB_THRESHOLD_UNITS", "500")),
        # A roll upload or bank file of more rows than this is written by a job (its page shows the
        # progress); smaller ones are written by the confirming request itself, in well under a second.
        "ROLL_JOB_ROWS": int(env.get("ROLL_JOB_ROWS", "1000")),
        "BANK_JOB_ROWS": int(env.get("BANK_JOB_ROWS", "1000")),
        # E-mail (governance_app/notifications): none is sent while MAIL_SERVER is empty.
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": env.get("MAIL_FROM", "noreply@localhost"),
    }
    return config


def resolve_jobs_mode(config: dict) -> None:
    """celery with a broker; without one a thread of the web process, or the request in tests."""
    if not config.get("JOBS_MODE"):
        config["JOBS_MODE"] = "celery" if config.get("CELERY_BROKER_URL") else (
            "inline" if config.get("GOVERNANCE_ENV") == "testing" else "thread")


def parse_networks(text: str, name: str) -> tuple:
    """``"127.0.0.1, 10.0.0.0/8, ::1"`` as networks; an empty text allows nobody."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ConfigError(f"{name}: {part!r} is not an address or network") from error
    return tuple(networks)


def engine_options(database_uri: str, production: bool) -> dict:
    """How the database is connected to. PostgreSQL: a pooled connection is checked before use
    (``pool_pre_ping``), so that after a restart of the server, or a connection cut by a proxy,
    a request gets a fresh connection instead of an error; connecting gives up after 5 s instead of
    holding the worker. In production SQL parameters never appear in logs or error messages."""
    options: dict = {"hide_parameters": production}
    if database_uri.startswith("postgresql"):
        options.update(pool_pre_ping=True, connect_args={"connect_timeout": 5})
    return options


def check(config: dict) -> None:
    """Refuse unsafe or incomplete settings in production, naming the setting."""
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(f"TIMEZONE {config['TIMEZONE']!r} is not a known time zone") from error
    if config.get("RATING_PERIOD_MONTHS", 3) not in (1, 2, 3, 4, 6, 12):
        raise ConfigError(f"RATING_PERIOD_MONTHS must divide the year (1, 2, 3, 4, 6 or 12), "
                          f"not {config['RATING_PERIOD_MONTHS']!r}")
    if config.get("LOG_LEVEL", "WARNING") not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {config['LOG_LEVEL']!r}")
    multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if multiprocess_dir and not (os.path.isdir(multiprocess_dir) and os.access(multiprocess_dir, os.W_OK)):
        raise ConfigError(f"PROMETHEUS_MULTIPROC_DIR {multiprocess_dir!r} must be a writable directory")
    if config.get("JOBS_MODE", "") not in ("", "celery", "thread", "inline"):  # "": resolve_jobs_mode decides
        raise ConfigError(f"JOBS_MODE must be celery, thread or inline, not {config['JOBS_MODE']!r}")
    if config.get("JOBS_MODE") == "celery" and not config.get("CELERY_BROKER_URL"):
        raise ConfigError("JOBS_MODE=celery needs CELERY_BROKER_URL or REDIS_URL")
    if config.get("GOVERNANCE_ENV") != "production":
        return
    required = ("SECRET_KEY", "ID_HASH_KEY", "TOTP_ENCRYPTION_KEY", "SQLALCHEMY_DATABASE_URI")
    names = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL"}
    for key in required:
        if not config.get(key):
            raise ConfigError(f"{names.get(key, key)} must be set in production")
    if config["SECRET_KEY"] == DEV_SECRET_KEY or len(config["SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY must be a random value of at least 32 characters in production")
    if config["ID_HASH_KEY"] == DEV_ID_HASH_KEY or len(config["ID_HASH_KEY"]) < 32:
        raise ConfigError("ID_HASH_KEY must be a random value of at least 32 characters in production")
    if config["TOTP_ENCRYPTION_KEY"] == DEV_TOTP_KEY or len(config["TOTP_ENCRYPTION_KEY"]) < 32:
        raise ConfigError("TOTP_ENCRYPTION_KEY must be a random value of at least 32 characters in production")
    if not config.get("SITE_URL", "").startswith(("https://", "http://")):
        raise ConfigError("SITE_URL must be set in production to the address owners use (https://...): it is "
                          "printed on activation letters and documents")
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise ConfigError("DATABASE_URL must point to PostgreSQL in production, not SQLite")
    # Per-address limits counted in each worker's memory would let every worker allow as many.
    if not config.get("REDIS_URL") or not config.get("RATELIMIT_STORAGE_URI", "").startswith(("redis://", "rediss://")):
        raise ConfigError("REDIS_URL must be set in production: the rate limits need storage shared by every "
                          "worker (redis://...)")
    if any(network.prefixlen == 0 for network in config.get("METRICS_ALLOWED", ())):
        raise ConfigError("METRICS_ALLOWED must name the monitoring addresses in production, not every address")
