"""Use cases of the estate registry: the hierarchy, the current roll, roll import."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import insert, select, update

from ..audit.services import record
from ..core import clock
from ..extensions import db
from . import rules
from .models import (
    AreaSource, Building, Community, Estate, ImportStatus, Owner, OwnerKind, Ownership, RollChange,
    RollImport, SubDistrict, Unit,
)
from .roll_file import ParsedRoll, Problem, UnitRows, read_roll

Progress = Callable[[int, int], None]  # (units done, units in all)
BATCH = 1000


# --- the hierarchy -------------------------------------------------------------

def list_estates() -> Sequence[Estate]:
    return db.session.scalars(select(Estate).order_by(Estate.community_id, Estate.name)).all()


def find_estate(name: str) -> Estate | None:
    return db.session.scalar(select(Estate).where(Estate.name == name).order_by(Estate.id).limit(1))


def get_estate(estate_id: int) -> Estate | None:
    return db.session.get(Estate, estate_id)


def ensure_sub_district(name: str) -> SubDistrict:
    found = db.session.scalar(select(SubDistrict).filter_by(name=name))
    if found is None:
        found = SubDistrict(name=name)
        db.session.add(found)
        db.session.flush()
    return found


def ensure_community(sub_district: SubDistrict, name: str) -> Community:
    found = db.session.scalar(select(Community).filter_by(sub_district_id=sub_district.id, name=name))
    if found is None:
        found = Community(sub_district=sub_district, name=name)
        db.session.add(found)
        db.session.flush()
    return found


def ensure_estate(community: Community, name: str, address: str = "") -> Estate:
    found = db.session.scalar(select(Estate).filter_by(community_id=community.id, name=name))
    if found is None:
        found = Estate(community=community, name=name, address=address, id_salt=secrets.token_hex(16))
        db.session.add(found)
        db.session.flush()
    return found


def id_document_hash(estate: Estate, number: str) -> str:
    """Keyed hash of an id-document number: recognises an owner without storing the number."""
    key = current_app.config["ID_HASH_KEY"].encode()
    message = f"{estate.id_salt}:{number.strip().upper()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# --- the current roll ------------------------------------------------------------

@dataclass(frozen=True)
class BuildingSummary:
    label: str
    units: int
    area: int


@dataclass(frozen=True)
class EstateOverview:
    estate: Estate
    roll: rules.Roll
    buildings: list[BuildingSummary]
    developer_units: int
    co_owned_units: int
    multi_unit_voters: int


def current_roll_units(estate: Estate) -> list[rules.RollUnit]:
    """The estate's units with their current owners, as the pure roll rules take them."""
    rows = db.session.execute(
        select(Unit.label, Building.label, Unit.area, Unit.developer_held,
               Ownership.owner_id, Ownership.is_representative)
        .join(Building, Unit.building_id == Building.id)
        .outerjoin(Ownership, (Ownership.unit_id == Unit.id) & Ownership.valid_to.is_(None))
        .where(Unit.estate_id == estate.id)
        .order_by(Unit.label)
    ).all()
    units: dict[str, dict] = {}
    for label, building, area, developer, owner_id, is_rep in rows:
        unit = units.setdefault(label, {"building": building, "area": area, "developer": developer,
                                        "owners": [], "representative": None})
        if owner_id is not None:
            unit["owners"].append(f"o{owner_id}")
            if is_rep:
                unit["representative"] = f"o{owner_id}"
    return [
        rules.RollUnit(label=label, building=u["building"], area=u["area"], owners=tuple(u["owners"]),
                       representative=u["representative"], developer_held=u["developer"])
        for label, u in units.items()
    ]


def estate_overview(estate: Estate) -> EstateOverview:
    units = current_roll_units(estate)
    roll = rules.count_roll(units)
    per_building: dict[str, list[int]] = {}
    for unit in units:
        entry = per_building.setdefault(unit.building, [0, 0])
        entry[0] += 1
        entry[1] += unit.area
    return EstateOverview(
        estate=estate,
        roll=roll,
        buildings=[BuildingSummary(label, n, area) for label, (n, area) in sorted(per_building.items(),
                                                                                 key=lambda i: _natural(i[0]))],
        developer_units=sum(1 for u in units if u.developer_held),
        co_owned_units=sum(1 for u in units if len(u.owners) > 1),
        multi_unit_voters=sum(1 for v in roll.voters if len(v.units) > 1 and v.key != rules.DEVELOPER_KEY),
    )


def _natural(label: str) -> tuple:
    """Sort building "10" after "9"."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in label.replace("-", " ").split())


# --- roll import -------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Change:
    unit: str
    field: str
    old: str
    new: str


@dataclass
class ImportReport:
    filename: str
    problems: list[Problem] = field(default_factory=list)
    row_count: int = 0
    unit_count: int = 0
    new_units: int = 0
    changed_units: int = 0
    changed_owners: int = 0  # owners whose name, phone or kind changed (their units may be unchanged)
    unchanged_units: int = 0
    missing_units: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    applied: bool = False
    roll_import_id: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changes_anything(self) -> bool:
        return self.ok and bool(self.changes)


@dataclass
class _Plan:
    report: ImportReport
    new_buildings: list[str] = field(default_factory=list)
    new_owners: dict[str, dict] = field(default_factory=dict)  # hash -> row
    owner_updates: list[dict] = field(default_factory=list)
    new_units: list[UnitRows] = field(default_factory=list)
    unit_updates: list[tuple[int, UnitRows]] = field(default_factory=list)
    reowned_units: list[tuple[int, UnitRows]] = field(default_factory=list)  # owners changed
    representative_updates: list[tuple[int, UnitRows]] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # id-document number -> keyed hash


def check_roll_file(estate: Estate, content: bytes, filename: str,
                    progress: Progress | None = None) -> ImportReport:
    """Dry run: everything an import would report, with nothing written."""
    return _plan(estate, read_roll(content, filename), filename, progress).report


def import_roll(estate: Estate, content: bytes, filename: str, progress: Progress | None = None,
                roll_import: RollImport | None = None, actor=None) -> ImportReport:
    """Import a roll file all-or-nothing (R-01 to R-03).

    Any problem means nothing is written. Units are matched by label, owners by
    their id document; a file that changes nothing writes nothing. Applied
    changes are recorded field by field in a ``RollImport``. ``progress`` hears of the units
    checked, the last time when all are and the writing starts; ``actor`` (default: the signed-in
    user) is who the audit event names, e.g. the person who started a job.
    """
    plan = _plan(estate, read_roll(content, filename), filename, progress)
    if plan.report.changes_anything:
        _apply(estate, plan, content, roll_import, actor)
    elif roll_import is not None:
        roll_import.status = ImportStatus.APPLIED if plan.report.ok else ImportStatus.REJECTED
        roll_import.content = None
        roll_import.summary = _summary(plan.report)
    return plan.report


def store_checked_upload(estate: Estate, content: bytes, filename: str, report: ImportReport) -> RollImport:
    """Keep a checked upload until a person confirms it, so any worker can apply it.

    A roll file holds id-document numbers, so only the newest unconfirmed upload of
    an estate is kept: older ones are discarded, their content erased.
    """
    db.session.execute(update(RollImport).where(
        RollImport.estate_id == estate.id, RollImport.status == ImportStatus.CHECKED)
        .values(status=ImportStatus.REJECTED, content=None))
    upload = RollImport(
        estate_id=estate.id, filename=filename[:200], content_sha256=hashlib.sha256(content).hexdigest(),
        content=content, status=ImportStatus.CHECKED, summary=_summary(report),
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def pending_upload(estate: Estate, upload_id: int) -> RollImport | None:
    """The checked upload, locked until the transaction ends so that two confirmations
    at the same moment cannot both apply it."""
    upload = db.session.scalar(select(RollImport).where(RollImport.id == upload_id).with_for_update()
                               .execution_options(populate_existing=True))
    if upload is None or upload.estate_id != estate.id or upload.status != ImportStatus.CHECKED:
        return None
    return upload


def _summary(report: ImportReport) -> dict:
    return {"rows": report.row_count, "units": report.unit_count, "new": report.new_units,
            "changed": report.changed_units, "changed_owners": report.changed_owners,
            "unchanged": report.unchanged_units,
            "missing": len(report.missing_units), "problems": len(report.problems)}


def _owner_text(name: str, last4: str) -> str:
    return f"{name} (…{last4})"


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


def _plan(estate: Estate, parsed: ParsedRoll, filename: str, progress: Progress | None) -> _Plan:
    report = ImportReport(filename=filename, problems=parsed.problems, row_count=parsed.row_count,
                          unit_count=len(parsed.units))
    plan = _Plan(report)
    if not parsed.ok:
        return plan
    session = db.session
    buildings = set(session.scalars(select(Building.label).where(Building.estate_id == estate.id)))
    units = {row.label: row for row in session.execute(
        select(Unit.id, Unit.label, Building.label.label("building"), Unit.area, Unit.area_source,
               Unit.developer_held).join(Building, Unit.building_id == Building.id)
        .where(Unit.estate_id == estate.id))}
    owners = {row.id_doc_hash: row for row in session.execute(
        select(Owner.id, Owner.id_doc_hash, Owner.name, Owner.phone, Owner.kind, Owner.id_doc_last4)
        .where(Owner.estate_id == estate.id))}
    hash_of_owner = {row.id: h for h, row in owners.items()}
    current: dict[int, dict[str, bool]] = {}
    for unit_id, owner_id, is_rep in session.execute(
            select(Ownership.unit_id, Ownership.owner_id, Ownership.is_representative)
            .where(Ownership.estate_id == estate.id, Ownership.valid_to.is_(None))):
        current.setdefault(unit_id, {})[hash_of_owner[owner_id]] = is_rep

    seen_owners: set[str] = set()
    roll_after: list[rules.RollUnit] = []
    for done, unit in enumerate(parsed.units, start=1):
        hashes = {}
        for owner in unit.owners:
            digest = plan.digests.get(owner.id_number)
            if digest is None:
                digest = plan.digests[owner.id_number] = id_document_hash(estate, owner.id_number)
            hashes[digest] = owner
            if digest not in seen_owners:
                seen_owners.add(digest)
                _plan_owner(plan, owners.get(digest), digest, owner, unit.label)
        roll_after.append(rules.RollUnit(unit.label, unit.building, unit.area, tuple(hashes),
                                         next((h for h, o in hashes.items() if o.representative), None),
                                         unit.developer))
        if unit.building not in buildings:
            buildings.add(unit.building)
            plan.new_buildings.append(unit.building)
        existing = units.get(unit.label)
        new_owner_text = "; ".join(_owner_text(o.name, o.id_number[-4:]) for o in unit.owners)
        if existing is None:
            plan.new_units.append(unit)
            report.new_units += 1
            report.changes.append(Change(unit.label, "added", "", f"{unit.building} · "
                                         f"{rules.format_area(unit.area)} m² · {new_owner_text}"))
        else:
            _plan_unit_changes(plan, existing, unit, current.get(existing.id, {}), hashes, owners)
        if progress and (done % 500 == 0 or done == len(parsed.units)):
            progress(done, len(parsed.units))
    in_file = {unit.label for unit in parsed.units}
    report.missing_units = sorted(label for label in units if label not in in_file)
    report.unchanged_units = report.unit_count - report.new_units - report.changed_units
    for label in report.missing_units:
        kept = current.get(units[label].id, {})
        roll_after.append(rules.RollUnit(label, units[label].building, units[label].area, tuple(kept),
                                         next((h for h, rep in kept.items() if rep), None),
                                         units[label].developer_held))
    # The roll must stay countable: e.g. the same co-owners holding two
    # units must name the same representative for both.
    try:
        rules.count_roll(roll_after)
    except rules.RollError as error:
        first_rows = {unit.label: unit.first_row for unit in parsed.units}
        report.problems.append(Problem(first_rows.get(error.unit, 0), "representative", error.reason, error.unit))
    return plan


def _plan_owner(plan: _Plan, existing, digest: str, owner, unit_label: str) -> None:
    if existing is None:
        plan.new_owners[digest] = {"kind": OwnerKind(owner.kind), "name": owner.name, "id_doc_hash": digest,
                                   "id_doc_last4": owner.id_number[-4:], "phone": owner.phone}
        return
    update_row = {}
    for field_name, old, new, shown in (
        ("owner_name", existing.name, owner.name, None),
        ("owner_phone", existing.phone, owner.phone, _mask_phone),
        ("owner_kind", existing.kind.value, owner.kind, None),
    ):
        if old != new:
            update_row[field_name.removeprefix("owner_")] = new
            show = shown or (lambda value: value)
            plan.report.changes.append(Change(unit_label, field_name, show(old), show(new)))
    if update_row:
        plan.report.changed_owners += 1
        if "kind" in update_row:
            update_row["kind"] = OwnerKind(update_row["kind"])
        plan.owner_updates.append({"id": existing.id, **update_row})


def _plan_unit_changes(plan: _Plan, existing, unit: UnitRows, current_owners: dict[str, bool],
                       hashes: dict, owners: dict) -> None:
    changes = []
    for field_name, old, new in (
        ("building", existing.building, unit.building),
        ("area", rules.format_area(existing.area), rules.format_area(unit.area)),
        ("area_source", existing.area_source.value, unit.area_source),
        ("developer_held", str(existing.developer_held).lower(), str(unit.developer).lower()),
    ):
        if old != new:
            changes.append(Change(unit.label, field_name, old, new))
    if changes:
        plan.unit_updates.append((existing.id, unit))
    new_rep = next((h for h, o in hashes.items() if o.representative), None) if len(hashes) > 1 else None
    old_rep = next((h for h, rep in current_owners.items() if rep), None) if len(current_owners) > 1 else None

    def names(digests: Iterable[str]) -> str:
        shown = []
        for digest in sorted(digests):
            if digest in owners:
                shown.append(_owner_text(owners[digest].name, owners[digest].id_doc_last4))
            else:
                shown.append(_owner_text(hashes[digest].name, hashes[digest].id_number[-4:]))
        return "; ".join(shown)

    if set(current_owners) != set(hashes):
        changes.append(Change(unit.label, "owners", names(current_owners), names(hashes)))
        plan.reowned_units.append((existing.id, unit))
    elif new_rep != old_rep:
        changes.append(Change(unit.label, "representative", names([old_rep] if old_rep else []),
                              names([new_rep] if new_rep else [])))
        plan.representative_updates.append((existing.id, unit))
    if changes:
        plan.report.changes.extend(changes)
        plan.report.changed_units += 1


def _batches(rows: list[dict]) -> Iterable[list[dict]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def _insert(model, rows: list[dict]) -> None:
    """Plain batched inserts: executemany without RETURNING is several times faster
    (psycopg caches the statement; SQLite need not fall back to one row per statement).
    The new ids are read back afterwards by each table's unique key."""
    for batch in _batches(rows):
        db.session.execute(insert(model), batch)


def _apply(estate: Estate, plan: _Plan, content: bytes, roll_import: RollImport | None, actor=None) -> None:
    session = db.session
    on = clock.today()
    _insert(Building, [{"estate_id": estate.id, "label": label} for label in plan.new_buildings])
    building_ids = dict(session.execute(select(Building.label, Building.id).where(Building.estate_id == estate.id)).all())

    _insert(Owner, [{"estate_id": estate.id, **row} for row in plan.new_owners.values()])
    owner_ids = dict(session.execute(select(Owner.id_doc_hash, Owner.id).where(Owner.estate_id == estate.id)).all())
    for batch in _batches(plan.owner_updates):
        session.execute(update(Owner), batch)

    def unit_values(unit: UnitRows) -> dict:
        return {"building_id": building_ids[unit.building], "area": unit.area,
                "area_source": AreaSource(unit.area_source), "developer_held": unit.developer}

    _insert(Unit, [{"estate_id": estate.id, "label": u.label, **unit_values(u)} for u in plan.new_units])
    if plan.new_units:
        label_ids = dict(session.execute(select(Unit.label, Unit.id).where(Unit.estate_id == estate.id)).all())
        unit_ids = [label_ids[u.label] for u in plan.new_units]
    else:
        unit_ids = []
    for batch in _batches([{"id": unit_id, **unit_values(u)} for unit_id, u in plan.unit_updates]):
        session.execute(update(Unit), batch)

    reowned_ids = [unit_id for unit_id, _ in plan.reowned_units]
    for start in range(0, len(reowned_ids), BATCH):
        session.execute(update(Ownership).where(Ownership.unit_id.in_(reowned_ids[start:start + BATCH]),
                                                Ownership.valid_to.is_(None)).values(valid_to=on))
    ownership_rows = []
    for unit_id, unit in [*zip(unit_ids, plan.new_units), *plan.reowned_units]:
        for owner in unit.owners:
            ownership_rows.append({
                "estate_id": estate.id, "unit_id": unit_id,
                "owner_id": owner_ids[plan.digests[owner.id_number]], "valid_from": on,
                "valid_to": None, "is_representative": len(unit.owners) > 1 and owner.representative,
            })
    for batch in _batches(ownership_rows):
        session.execute(insert(Ownership), batch)
    for unit_id, unit in plan.representative_updates:
        for owner in unit.owners:
            session.execute(
                update(Ownership)
                .where(Ownership.unit_id == unit_id, Ownership.valid_to.is_(None),
                       Ownership.owner_id == owner_ids[plan.digests[owner.id_number]])
                .values(is_representative=owner.representative))

    if roll_import is None:
        roll_import = RollImport(estate_id=estate.id, filename=plan.report.filename[:200],
                                 content_sha256=hashlib.sha256(content).hexdigest())
        session.add(roll_import)
    roll_import.status = ImportStatus.APPLIED
    roll_import.content = None
    roll_import.summary = _summary(plan.report)
    roll_import.applied_at = clock.now()
    session.flush()
    change_rows = [{"roll_import_id": roll_import.id, "estate_id": estate.id, "unit_label": c.unit,
                    "field": c.field, "old_value": c.old[:400], "new_value": c.new[:400]}
                   for c in plan.report.changes]
    for batch in _batches(change_rows):
        session.execute(insert(RollChange), batch)
    plan.report.applied = True
    plan.report.roll_import_id = roll_import.id
    record("roll.imported", estate_id=estate.id, object_type="roll_import", object_id=roll_import.id,
           details={"file": plan.report.filename, **_summary(plan.report)}, actor=actor)
