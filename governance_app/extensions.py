"""Extensions, created unbound and attached in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
import enum

from typing import ClassVar

from sqlalchemy import Enum, ForeignKey, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Keyed:
    """A table whose rows are known by a surrogate integer key, declared first."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)


class OfEstate(Keyed):
    """A row that belongs to one estate: its own key and the estate's, indexed (most tables)."""

    estate_id: Mapped[int] = mapped_column(ForeignKey("estate.id"), index=True, sort_order=-1)


class Positioned:
    """A row in order within its parent, named on forms by ``key``: its class's letter and its
    position (``c3``: the third candidate)."""

    key_letter: ClassVar[str]
    position: Mapped[int] = mapped_column(Integer)

    @property
    def key(self) -> str:
        return f"{self.key_letter}{self.position}"


def remove_positioned(rows: list, row) -> None:
    """Delete ``row`` from its parent's ``rows`` (a delete-orphan relationship) and number the rest
    1..n again, so that keys (i1, c1, q1) stay without gaps; moved one at a time, lowest first, so
    the unique positions never collide."""
    rows.remove(row)
    db.session.flush()
    for position, kept in enumerate(sorted(rows, key=lambda r: r.position), start=1):
        if kept.position != position:
            kept.position = position
            db.session.flush()


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
