"""Extensions, created unbound and attached in ``create_app``."""
import logging
import time

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
import enum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so migrations are the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
login_manager = LoginManager()


def string_enum(cls: type[enum.Enum], name: str, length: int = 16) -> Enum:
    """An enum stored as its string values (portable across SQLite and PostgreSQL)."""
    return Enum(cls, name=name, native_enum=False, values_callable=lambda e: [m.value for m in e],
                validate_strings=True, length=length)


class SharedCounts:
    """Flask-Limiter's counters (``limiter.limiter``: ``hit``, ``test``, ``get_window_stats``) for
    counts kept outside a route's own limits (wrong second-factor codes), failing towards safety:
    when the shared storage (Redis) cannot be reached, the failure is logged and the counting goes
    on in this worker's memory, never lifted, and Redis is tried again after ``RETRY_SECONDS``.
    Flask-Limiter does the same for the routes' limits (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``)."""

    RETRY_SECONDS = 5.0

    def __init__(self):
        self._shared = self._memory = None
        self._down_until = 0.0
        self._log = logging.getLogger("governance_app.limits")

    def _strategies(self):
        """The configured storage's counter, and this worker's own in-memory one (the same strategy,
        whatever Flask-Limiter itself is using at the moment)."""
        storage = limiter.storage
        if self._shared is None or self._shared.storage is not storage:
            from limits.storage import MemoryStorage

            strategy = type(limiter.limiter)
            self._shared, self._memory = strategy(storage), strategy(MemoryStorage())
        return self._shared, self._memory

    def _call(self, method: str, *args, **kwargs):
        primary, memory = self._strategies()
        if time.monotonic() >= self._down_until:
            try:
                return getattr(primary, method)(*args, **kwargs)
            except Exception as error:  # noqa: BLE001 (any storage failure: connection, timeout, auth)
                self._down_until = time.monotonic() + self.RETRY_SECONDS
                self._log.warning("rate-limit storage unreachable, counting in this worker's memory: %s: %s",
                                  error.__class__.__name__, error)
        return getattr(memory, method)(*args, **kwargs)

    def hit(self, *args, **kwargs):
        return self._call("hit", *args, **kwargs)

    def test(self, *args, **kwargs):
        return self._call("test", *args, **kwargs)

    def get_window_stats(self, *args, **kwargs):
        return self._call("get_window_stats", *args, **kwargs)

    def reset(self) -> None:
        """Forget the in-memory counts and try the shared storage again (tests)."""
        self._shared = self._memory = None
        self._down_until = 0.0


shared_counts = SharedCounts()
