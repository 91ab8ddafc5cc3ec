"""Roll import and the current roll, through the database (R-01 to R-03, R-15)."""
import re

import pytest
from sqlalchemy import func, select

from governance_app.core import clock as platform_clock
from governance_app.estates import rules, services
from governance_app.estates.models import (
    AreaSource, Building, Estate, ImportStatus, Owner, OwnerKind, Ownership, RollChange, RollImport, Unit,
)
from governance_app.audit.models import AuditEvent
from governance_app.extensions import db
from tests.conftest import count, owner_row, roll_csv

WANG = "310101199001011234"
LI = "310101198001012222"
ZHANG = "310101198001013333"
ZHAO = "310101197001014444"
SUN = "310101197501015555"
QIAN = "310101196001016666"
DEVELOPER = "91310000MA1234567X"
DOCUMENTS = (WANG, LI, ZHANG, ZHAO, SUN, QIAN, DEVELOPER)


def base_rows() -> list[list[str]]:
    return [
        owner_row("1", "1-101", "88.50", "王伟", WANG, phone="13900000001"),
        owner_row("1", "1-102", "90", "王伟", WANG, phone="13900000001", source="实测"),
        owner_row("1", "1-201", "75.25", "赵敏", ZHAO, phone="13900000004"),
        owner_row("2", "2-201", "70.05", "李娜", LI, group="A", representative="是", source="合同"),
        owner_row("2", "2-201", "70.05", "张强", ZHANG, group="A", representative="否", source="合同"),
        owner_row("2", "2-202", "120", "上海某置业有限公司", DEVELOPER, developer="是"),
        owner_row("2", "2-203", "100.01", "上海某置业有限公司", DEVELOPER, developer="是"),
    ]


BASE_AREA = 8850 + 9000 + 7525 + 7005 + 12000 + 10001


REGISTRY_TABLES = ("sub_district", "community", "estate", "building", "unit", "owner", "ownership",
                   "roll_import", "roll_change")


def table_counts() -> dict[str, int]:
    """Rows in the registry's tables (the audit log and accounts are checked apart)."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name in REGISTRY_TABLES}


def all_cell_texts() -> list[str]:
    texts = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                if isinstance(value, bytes):
                    texts.append(value.decode("utf-8", "replace"))
                    texts.append(value.decode("gb18030", "replace"))
                elif value is not None:
                    texts.append(str(value))
    return texts


def units_by_label() -> dict[str, Unit]:
    return {unit.label: unit for unit in db.session.scalars(select(Unit))}


def current_owners(label: str) -> list[tuple[str, bool]]:
    return sorted(db.session.execute(
        select(Owner.name, Ownership.is_representative)
        .join(Ownership, Ownership.owner_id == Owner.id).join(Unit, Ownership.unit_id == Unit.id)
        .where(Unit.label == label, Ownership.valid_to.is_(None))).all())


def changes_of(roll_import_id: int) -> set[tuple[str, str, str, str]]:
    return {(c.unit_label, c.field, c.old_value, c.new_value) for c in db.session.scalars(
        select(RollChange).where(RollChange.roll_import_id == roll_import_id))}


@pytest.fixture
def estate(make_estate) -> Estate:
    return make_estate("梅园小区")


@pytest.fixture
def imported(estate) -> Estate:
    report = services.import_roll(estate, roll_csv(base_rows()), "roll.csv")
    assert report.applied
    db.session.commit()
    return estate


# --- first import ---------------------------------------------------------------------

def test_import_writes_units_owners_and_ownerships(estate):
    report = services.import_roll(estate, roll_csv(base_rows()), "roll.csv")
    db.session.commit()
    assert report.ok and report.applied
    assert (report.row_count, report.unit_count, report.new_units, report.changed_units,
            report.unchanged_units, report.missing_units) == (7, 6, 6, 0, 0, [])
    assert table_counts() == {"sub_district": 1, "community": 1, "estate": 1, "building": 2, "unit": 6,
                              "owner": 5, "ownership": 7, "roll_import": 1, "roll_change": 6}
    event = db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.estate_id, event.object_id) == ("roll.imported", estate.id, str(report.roll_import_id))
    assert event.details["new"] == 6

    units = units_by_label()
    assert {label: (u.building.label, u.area, u.area_source, u.developer_held) for label, u in units.items()} == {
        "1-101": ("1", 8850, AreaSource.REGISTRY, False),
        "1-102": ("1", 9000, AreaSource.SURVEY, False),
        "1-201": ("1", 7525, AreaSource.REGISTRY, False),
        "2-201": ("2", 7005, AreaSource.CONTRACT, False),
        "2-202": ("2", 12000, AreaSource.REGISTRY, True),
        "2-203": ("2", 10001, AreaSource.REGISTRY, True),
    }
    assert all(u.estate_id == estate.id for u in units.values())
    owners = {o.name: (o.kind, o.id_doc_last4, o.phone) for o in db.session.scalars(select(Owner))}
    assert owners == {
        "王伟": (OwnerKind.PERSON, "1234", "13900000001"),
        "赵敏": (OwnerKind.PERSON, "4444", "13900000004"),
        "李娜": (OwnerKind.PERSON, "2222", ""),
        "张强": (OwnerKind.PERSON, "3333", ""),
        "上海某置业有限公司": (OwnerKind.COMPANY, "567X", ""),
    }
    assert current_owners("1-101") == [("王伟", False)]
    assert current_owners("1-102") == [("王伟", False)]
    assert current_owners("2-201") == [("张强", False), ("李娜", True)]
    assert current_owners("2-203") == [("上海某置业有限公司", False)]
    ownerships = db.session.scalars(select(Ownership)).all()
    assert {(o.valid_from, o.valid_to) for o in ownerships} == {(platform_clock.today(), None)}

    roll_import = db.session.scalar(select(RollImport))
    assert (roll_import.id, roll_import.status, roll_import.content, roll_import.filename) == (
        report.roll_import_id, ImportStatus.APPLIED, None, "roll.csv")
    assert roll_import.summary == {"rows": 7, "units": 6, "new": 6, "changed": 0, "changed_owners": 0,
                                   "unchanged": 0, "missing": 0, "problems": 0}
    assert roll_import.applied_at is not None
    assert ("2-201", "added", "", "2 · 70.05 m² · 李娜 (…2222); 张强 (…3333)") in changes_of(roll_import.id)
    assert {c[1] for c in changes_of(roll_import.id)} == {"added"}


def test_dry_run_writes_nothing(estate):
    before = table_counts()
    report = services.check_roll_file(estate, roll_csv(base_rows()), "roll.csv")
    assert report.ok
    assert not report.applied
    assert report.roll_import_id is None
    assert (report.new_units, len(report.changes)) == (6, 6)
    db.session.commit()
    assert table_counts() == before


def test_dry_run_of_an_update_writes_nothing(imported):
    before = table_counts()
    rows = base_rows()
    rows[0][2] = "88.60"
    report = services.check_roll_file(imported, roll_csv(rows), "roll.csv")
    db.session.commit()
    assert report.changes == [services.Change("1-101", "area", "88.50", "88.60")]
    assert table_counts() == before
    assert units_by_label()["1-101"].area == 8850


def many_rows(how_many: int) -> list[list[str]]:
    return [owner_row(str(n % 7 + 1), f"{n % 7 + 1}-{n:03d}", "80.5", f"业主{n}", f"3101011990{n:08d}")
            for n in range(how_many)]


def test_one_bad_row_among_many_good_rows_writes_nothing_on_an_empty_estate(estate):
    rows = many_rows(200)
    rows[137][2] = "80.555"
    before = table_counts()
    report = services.import_roll(estate, roll_csv(rows), "roll.csv")
    db.session.commit()
    assert not report.ok and not report.applied
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(139, "area", "area_too_many_decimals")]
    assert report.changes == []
    assert table_counts() == before


def test_one_bad_row_among_many_good_rows_changes_nothing_in_an_existing_roll(imported):
    rows = base_rows()
    rows[0][2] = "88.60"  # would be a change
    rows[2][4:6] = ["孙丽", SUN]  # would be a sale
    rows += many_rows(100)
    rows.append(owner_row("9", "9-101", "60", "钱多", ""))  # the bad row
    before = table_counts()
    report = services.import_roll(imported, roll_csv(rows), "roll.csv")
    db.session.commit()
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(109, "id_number", "missing_id_number")]
    assert not report.applied
    assert table_counts() == before
    assert units_by_label()["1-101"].area == 8850
    assert current_owners("1-201") == [("赵敏", False)]


def test_reimporting_the_same_file_changes_nothing(imported):
    before = table_counts()
    report = services.import_roll(imported, roll_csv(base_rows()), "roll.csv")
    db.session.commit()
    assert report.ok
    assert not report.applied
    assert report.changes == []
    assert (report.new_units, report.changed_units, report.unchanged_units, report.missing_units) == (0, 0, 6, [])
    assert table_counts() == before
    assert count(RollImport) == 1


def test_reimporting_the_same_roll_as_gbk_with_english_headers_changes_nothing(imported):
    header = ["building", "unit", "area", "area_source", "owner_name", "id_number", "phone",
              "co_owner_group", "representative", "developer"]
    before = table_counts()
    report = services.import_roll(imported, roll_csv(base_rows(), header=header, encoding="gbk"), "roll.csv")
    db.session.commit()
    assert report.ok and report.changes == []
    assert table_counts() == before


# --- an updated file ---------------------------------------------------------------------

def updated_rows() -> list[list[str]]:
    rows = base_rows()
    rows[0][2] = "88.60"  # 1-101: area corrected
    rows[0][6] = rows[1][6] = "13800009999"  # 王伟's phone
    rows[2][4:7] = ["孙丽", SUN, "13700005555"]  # 1-201 sold by 赵敏 to 孙丽
    rows[3][8], rows[4][8] = "否", "是"  # 2-201: 张强 becomes the representative
    del rows[6]  # 2-203 left out of the file
    rows.append(owner_row("3", "3-101", "66", "钱多", QIAN))  # a new unit in a new building
    return rows


def test_updated_file_updates_by_unit_label_and_records_each_change(imported):
    first_import = db.session.scalar(select(RollImport.id))
    report = services.import_roll(imported, roll_csv(updated_rows()), "roll-2.csv")
    db.session.commit()
    assert report.ok and report.applied
    assert (report.unit_count, report.new_units, report.changed_units, report.unchanged_units) == (6, 1, 3, 2)
    assert report.missing_units == ["2-203"]
    assert count(RollImport) == 2
    assert report.roll_import_id != first_import
    assert changes_of(report.roll_import_id) == {
        ("1-101", "area", "88.50", "88.60"),
        ("1-101", "owner_phone", "139****0001", "138****9999"),
        ("1-201", "owners", "赵敏 (…4444)", "孙丽 (…5555)"),
        ("2-201", "representative", "李娜 (…2222)", "张强 (…3333)"),
        ("3-101", "added", "", "3 · 66.00 m² · 钱多 (…6666)"),
    }
    assert set(changes_of(report.roll_import_id)) == {
        (c.unit, c.field, c.old, c.new) for c in report.changes}
    summary = db.session.get(RollImport, report.roll_import_id).summary
    assert summary == {"rows": 7, "units": 6, "new": 1, "changed": 3, "changed_owners": 1, "unchanged": 2,
                       "missing": 1, "problems": 0}

    units = units_by_label()
    assert units["1-101"].area == 8850 + 10
    assert units["3-101"].building.label == "3"
    assert sorted(units) == ["1-101", "1-102", "1-201", "2-201", "2-202", "2-203", "3-101"]
    assert db.session.scalar(select(Owner.phone).where(Owner.name == "王伟")) == "13800009999"


def test_sale_closes_the_old_ownership_and_opens_a_new_one(imported):
    services.import_roll(imported, roll_csv(updated_rows()), "roll-2.csv")
    db.session.commit()
    history = db.session.execute(
        select(Owner.name, Ownership.valid_from, Ownership.valid_to)
        .join(Ownership, Ownership.owner_id == Owner.id).join(Unit, Ownership.unit_id == Unit.id)
        .where(Unit.label == "1-201").order_by(Ownership.id)).all()
    today = platform_clock.today()
    assert history == [("赵敏", today, today), ("孙丽", today, None)]
    assert current_owners("1-201") == [("孙丽", False)]
    # The seller stays known (by hash) for the history.
    assert db.session.scalar(select(Owner.id_doc_last4).where(Owner.name == "赵敏")) == "4444"


def test_representative_change_keeps_the_ownerships_open(imported):
    ids_before = set(db.session.scalars(select(Ownership.id).join(Unit).where(Unit.label == "2-201")))
    services.import_roll(imported, roll_csv(updated_rows()), "roll-2.csv")
    db.session.commit()
    assert current_owners("2-201") == [("张强", True), ("李娜", False)]
    ids_after = set(db.session.scalars(select(Ownership.id).join(Unit).where(Unit.label == "2-201")))
    assert ids_after == ids_before
    assert count(Ownership) == 7 + 1 + 1  # 1-201 gets a second row, 3-101 its first


def test_units_left_out_of_the_file_are_reported_and_left_unchanged(imported):
    unit_before = units_by_label()["2-203"]
    before = (unit_before.area, unit_before.area_source, unit_before.developer_held, unit_before.building_id)
    report = services.import_roll(imported, roll_csv(updated_rows()), "roll-2.csv")
    db.session.commit()
    assert report.missing_units == ["2-203"]
    unit_after = units_by_label()["2-203"]
    assert (unit_after.area, unit_after.area_source, unit_after.developer_held, unit_after.building_id) == before
    assert current_owners("2-203") == [("上海某置业有限公司", False)]
    assert not any(c[0] == "2-203" for c in changes_of(report.roll_import_id))
    assert services.estate_overview(imported).roll.unit_count == 7


def test_developer_selling_a_unit(imported):
    rows = base_rows()
    rows[6] = owner_row("2", "2-203", "100.01", "钱多", QIAN)
    report = services.import_roll(imported, roll_csv(rows), "roll-2.csv")
    db.session.commit()
    assert changes_of(report.roll_import_id) == {
        ("2-203", "developer_held", "true", "false"),
        ("2-203", "owners", "上海某置业有限公司 (…567X)", "钱多 (…6666)"),
    }
    assert units_by_label()["2-203"].developer_held is False
    roll = services.estate_overview(imported).roll
    assert roll.voter_of("2-203").area == 10001
    assert roll.voter_of("2-202").units == ("2-202",)
    assert roll.total_heads == 5  # 王伟, 赵敏, 李娜+张强, the developer, 钱多


def test_owner_name_area_source_and_building_changes_are_recorded(imported):
    rows = base_rows()
    rows[3][4] = "李娜娜"
    rows[0][3] = "实测"
    rows[2][0] = "2"
    report = services.import_roll(imported, roll_csv(rows), "roll-2.csv")
    db.session.commit()
    assert changes_of(report.roll_import_id) == {
        ("2-201", "owner_name", "李娜", "李娜娜"),
        ("1-101", "area_source", "registry", "survey"),
        ("1-201", "building", "1", "2"),
    }
    assert units_by_label()["1-201"].building.label == "2"
    assert units_by_label()["1-101"].area_source == AreaSource.SURVEY
    assert count(Owner) == 5


# --- id documents ----------------------------------------------------------------------------

def test_id_numbers_are_never_stored_in_clear(imported):
    services.import_roll(imported, roll_csv(updated_rows()), "roll-2.csv")
    db.session.commit()
    owners = db.session.scalars(select(Owner).order_by(Owner.id)).all()
    assert len(owners) == 7
    by_name = {o.name: o for o in owners}
    for name, number in (("王伟", WANG), ("李娜", LI), ("张强", ZHANG), ("赵敏", ZHAO), ("孙丽", SUN),
                         ("钱多", QIAN), ("上海某置业有限公司", DEVELOPER)):
        owner = by_name[name]
        assert owner.id_doc_hash != number
        assert re.fullmatch(r"[0-9a-f]{64}", owner.id_doc_hash)
        assert owner.id_doc_hash == services.id_document_hash(imported, number)
        assert owner.id_doc_last4 == number[-4:]
    texts = all_cell_texts()
    assert texts  # the scan did read the tables
    for number in DOCUMENTS:
        assert not any(number in text for text in texts), number


def test_id_numbers_match_whatever_their_spacing_and_case(imported):
    rows = base_rows()
    rows[0][5] = rows[1][5] = "3101 0119 9001 01123 4"
    rows[5][5] = rows[6][5] = DEVELOPER.lower()
    report = services.import_roll(imported, roll_csv(rows), "roll.csv")
    assert report.ok and report.changes == []


def test_same_id_document_in_two_estates_gives_different_hashes(make_estate):
    first, second = make_estate("梅园小区"), make_estate("桂苑")
    for estate in (first, second):
        services.import_roll(estate, roll_csv([owner_row("1", "1-101", "88.5", "王伟", WANG)]), "roll.csv")
    db.session.commit()
    hashes = dict(db.session.execute(select(Owner.estate_id, Owner.id_doc_hash)).all())
    assert set(hashes) == {first.id, second.id}
    assert hashes[first.id] != hashes[second.id]
    assert first.id_salt != second.id_salt
    assert services.id_document_hash(first, WANG) != services.id_document_hash(second, WANG)
    assert services.id_document_hash(first, WANG) == services.id_document_hash(first, f" {WANG.lower()} ")


# --- the current roll ---------------------------------------------------------------------

def test_estate_overview_totals_match_count_roll(imported):
    overview = services.estate_overview(imported)
    expected = rules.count_roll([
        rules.RollUnit("1-101", "1", 8850, ("wang",)),
        rules.RollUnit("1-102", "1", 9000, ("wang",)),
        rules.RollUnit("1-201", "1", 7525, ("zhao",)),
        rules.RollUnit("2-201", "2", 7005, ("li", "zhang"), representative="li"),
        rules.RollUnit("2-202", "2", 12000, ("dev",), developer_held=True),
        rules.RollUnit("2-203", "2", 10001, ("dev",), developer_held=True),
    ])
    roll = overview.roll
    assert (roll.total_area, roll.total_heads, roll.unit_count) == (
        expected.total_area, expected.total_heads, expected.unit_count)
    assert (roll.total_area, roll.total_heads, roll.unit_count) == (BASE_AREA, 4, 6)
    assert sorted(v.units for v in roll.voters) == sorted(v.units for v in expected.voters)
    assert sorted(v.area for v in roll.voters) == [7005, 7525, 17850, 22001]
    assert (overview.developer_units, overview.co_owned_units, overview.multi_unit_voters) == (2, 1, 1)
    assert [(b.label, b.units, b.area) for b in overview.buildings] == [
        ("1", 3, 8850 + 9000 + 7525), ("2", 3, 7005 + 12000 + 10001)]
    li = db.session.scalar(select(Owner.id).where(Owner.name == "李娜"))
    assert roll.voter_of("2-201").representative == f"o{li}"


def test_estate_overview_buildings_in_natural_order(estate):
    rows = [owner_row(b, f"{b}-101", "50", f"业主{b}", f"31010119900101{int(b):04d}") for b in ("10", "9", "2")]
    services.import_roll(estate, roll_csv(rows), "roll.csv")
    assert [b.label for b in services.estate_overview(estate).buildings] == ["2", "9", "10"]


def test_estate_overview_of_an_empty_estate(estate):
    overview = services.estate_overview(estate)
    assert (overview.roll.total_area, overview.roll.total_heads, overview.buildings) == (0, 0, [])


def test_estates_do_not_see_each_others_units(make_estate):
    first, second = make_estate("梅园小区"), make_estate("桂苑")
    services.import_roll(first, roll_csv(base_rows()), "roll.csv")
    report = services.import_roll(second, roll_csv(base_rows()[:1]), "roll.csv")
    db.session.commit()
    assert report.new_units == 1 and report.missing_units == []
    assert services.estate_overview(second).roll.total_area == 8850
    assert services.estate_overview(first).roll.total_area == BASE_AREA
    assert count(Unit) == 7
    assert db.session.scalar(select(Building.estate_id).where(Building.estate_id == second.id)) == second.id


# --- the roll after an import must stay countable -------------------------------------

def test_r15_same_co_owners_with_the_same_representative_in_two_units_are_one_voter(estate):
    rows = [
        owner_row("1", "1-101", "88", "李娜", LI, group="A", representative="是"),
        owner_row("1", "1-101", "88", "张强", ZHANG, group="A", representative="否"),
        owner_row("1", "1-102", "90", "张强", ZHANG, group="B", representative="否"),
        owner_row("1", "1-102", "90", "李娜", LI, group="B", representative="是"),
    ]
    report = services.import_roll(estate, roll_csv(rows), "roll.csv")
    assert report.applied
    roll = services.estate_overview(estate).roll
    assert (roll.total_heads, roll.total_area, roll.voters[0].units) == (1, 17800, ("1-101", "1-102"))


def test_r15_same_co_owners_with_different_representatives_in_one_file_are_refused(estate):
    rows = [
        owner_row("1", "1-100", "50", "王伟", WANG),
        owner_row("1", "1-101", "88", "李娜", LI, group="A", representative="是"),
        owner_row("1", "1-101", "88", "张强", ZHANG, group="A", representative="否"),
        owner_row("1", "1-102", "90", "李娜", LI, group="B", representative="否"),
        owner_row("1", "1-102", "90", "张强", ZHANG, group="B", representative="是"),
    ]
    before = table_counts()
    report = services.import_roll(estate, roll_csv(rows), "roll.csv")
    db.session.commit()
    assert [(p.row, p.column, p.reason, p.value) for p in report.problems] == [
        (3, "representative", "conflicting_representatives", "1-101")]
    assert not report.applied
    assert table_counts() == before
    # Dry run reports it too.
    assert not services.check_roll_file(estate, roll_csv(rows), "roll.csv").ok


def test_r15_representative_conflicting_with_a_unit_left_out_of_the_file_is_refused(imported):
    rows = [
        owner_row("3", "3-101", "60", "张强", ZHANG, group="C", representative="是"),
        owner_row("3", "3-101", "60", "李娜", LI, group="C", representative="否"),
    ]
    before = table_counts()
    report = services.import_roll(imported, roll_csv(rows), "roll-2.csv")
    db.session.commit()
    assert report.missing_units == ["1-101", "1-102", "1-201", "2-201", "2-202", "2-203"]
    assert [(p.row, p.column, p.reason, p.value) for p in report.problems] == [
        (2, "representative", "conflicting_representatives", "3-101")]
    assert table_counts() == before
    assert services.estate_overview(imported).roll.total_heads == 4
