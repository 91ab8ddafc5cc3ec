"""The estate registry: who owns which unit, with how much area (R-01 to R-05)."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean, Date, DateTime, ForeignKey, Integer, JSON, LargeBinary, String, UniqueConstraint,
    CheckConstraint, func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db, Keyed, OfEstate, string_enum


class AreaSource(enum.StrEnum):
    """Where a unit's voting area comes from, in order of precedence (R-01)."""

    REGISTRY = "registry"
    SURVEY = "survey"
    CONTRACT = "contract"


class OwnerKind(enum.StrEnum):
    PERSON = "person"
    COMPANY = "company"


class ImportStatus(enum.StrEnum):
    CHECKED = "checked"  # uploaded and dry-run, waiting for confirmation
    APPLIED = "applied"
    REJECTED = "rejected"


class SubDistrict(Keyed, db.Model):
    __tablename__ = "sub_district"

    name: Mapped[str] = mapped_column(String(100), unique=True)

    communities: Mapped[list[Community]] = relationship(back_populates="sub_district", order_by="Community.name")


class Community(Keyed, db.Model):
    __tablename__ = "community"
    __table_args__ = (UniqueConstraint("sub_district_id", "name"),)

    sub_district_id: Mapped[int] = mapped_column(ForeignKey("sub_district.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    sub_district: Mapped[SubDistrict] = relationship(back_populates="communities")
    estates: Mapped[list[Estate]] = relationship(back_populates="community", order_by="Estate.name")


class Estate(Keyed, db.Model):
    __tablename__ = "estate"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    # Random per-estate salt mixed into id-document hashes, so equal documents in
    # two estates do not give equal hashes.
    id_salt: Mapped[str] = mapped_column(String(32))

    community: Mapped[Community] = relationship(back_populates="estates")
    buildings: Mapped[list[Building]] = relationship(back_populates="estate", order_by="Building.label")


class Building(OfEstate, db.Model):
    __tablename__ = "building"
    __table_args__ = (UniqueConstraint("estate_id", "label"),)

    label: Mapped[str] = mapped_column(String(40))

    estate: Mapped[Estate] = relationship(back_populates="buildings")


class Unit(OfEstate, db.Model):
    """An exclusive part (专有部分); area in integer hundredths of a square metre."""

    __tablename__ = "unit"
    __table_args__ = (
        UniqueConstraint("estate_id", "label"),
        CheckConstraint("area > 0", name="area_positive"),
    )

    building_id: Mapped[int] = mapped_column(ForeignKey("building.id"), index=True)
    label: Mapped[str] = mapped_column(String(40))
    area: Mapped[int] = mapped_column(Integer)
    area_source: Mapped[AreaSource] = mapped_column(string_enum(AreaSource, "area_source"))
    developer_held: Mapped[bool] = mapped_column(Boolean, default=False)

    building: Mapped[Building] = relationship()


class Owner(OfEstate, db.Model):
    """A natural or legal person holding units in one estate.

    The id-document number is never stored: only a keyed hash (to recognise the
    same owner across rows and imports) and its last four characters.
    """

    __tablename__ = "owner"
    __table_args__ = (UniqueConstraint("estate_id", "id_doc_hash"),)

    kind: Mapped[OwnerKind] = mapped_column(string_enum(OwnerKind, "owner_kind"))
    name: Mapped[str] = mapped_column(String(100))
    id_doc_hash: Mapped[str] = mapped_column(String(64))
    id_doc_last4: Mapped[str] = mapped_column(String(4))
    phone: Mapped[str] = mapped_column(String(32), default="")


class Ownership(OfEstate, db.Model):
    """Owner holds unit from ``valid_from`` until ``valid_to`` (open while ``None``).

    For a co-owned unit exactly one current ownership is the voting
    representative (R-03).
    """

    __tablename__ = "ownership"

    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owner.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[Unit] = relationship()
    owner: Mapped[Owner] = relationship()


class RollImport(OfEstate, db.Model):
    """One uploaded roll file: checked, then applied or rejected.

    The file itself is kept until it is applied so that any worker can apply it.
    """

    __tablename__ = "roll_import"

    filename: Mapped[str] = mapped_column(String(200))
    content_sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    status: Mapped[ImportStatus] = mapped_column(string_enum(ImportStatus, "import_status"))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    applied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    estate: Mapped[Estate] = relationship()
    changes: Mapped[list[RollChange]] = relationship(back_populates="roll_import", order_by="RollChange.id")


class RollChange(OfEstate, db.Model):
    """What one applied import changed for one unit, field by field."""

    __tablename__ = "roll_change"

    roll_import_id: Mapped[int] = mapped_column(ForeignKey("roll_import.id"), index=True)
    unit_label: Mapped[str] = mapped_column(String(40))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str] = mapped_column(String(400), default="")
    new_value: Mapped[str] = mapped_column(String(400), default="")

    roll_import: Mapped[RollImport] = relationship(back_populates="changes")
