"""The estate pages: overview, roll upload, confirm or discard, the template file."""
import html
import io
import re

import pytest
from sqlalchemy import func, select

from governance_app.core.i18n import LANGUAGE_COOKIE
from governance_app.estates import services
from governance_app.estates.models import ImportStatus, RollChange, RollImport, Unit
from governance_app.extensions import db
from tests.conftest import count, owner_row, roll_csv
from tests.hostile_files import closed, declared_dimension_xlsx, million_row_csv, watchdog, zip_bomb_xlsx

WANG = "310101199001011234"
LI = "310101198001012222"
ZHANG = "310101198001013333"
DEVELOPER = "91310000MA1234567X"


def rows() -> list[list[str]]:
    return [
        owner_row("1", "1-101", "88.50", "王伟", WANG),
        owner_row("1", "1-102", "90", "王伟", WANG),
        owner_row("2", "2-201", "70.05", "李娜", LI, group="A", representative="是"),
        owner_row("2", "2-201", "70.05", "张强", ZHANG, group="A", representative="否"),
        owner_row("2", "2-202", "120", "上海某置业有限公司", DEVELOPER, developer="是"),
        owner_row("2", "2-203", "100", "上海某置业有限公司", DEVELOPER, developer="是"),
    ]


TOTAL_AREA = 8850 + 9000 + 7005 + 12000 + 10000


def table_counts() -> dict[str, int]:
    db.session.rollback()  # see what the requests committed
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, estate_id: int, content: bytes, filename: str = "roll.csv"):
    return client.post(f"/estates/{estate_id}/roll/import",
                       data={"roll_file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def upload_status(upload_id: int) -> tuple:
    db.session.rollback()
    return db.session.execute(
        select(RollImport.status, RollImport.content).where(RollImport.id == upload_id)).one()


@pytest.fixture(autouse=True)
def _signed_in(supervisor_client):
    """These pages are for committee members and staff: a supervisor of the estates' sub-district."""


@pytest.fixture
def english(client):
    client.set_cookie(LANGUAGE_COOKIE, "en")
    return client


@pytest.fixture
def estate(make_estate):
    return make_estate("梅园小区", "星光居民区")


@pytest.fixture
def pending_upload_id(english, estate) -> int:
    response = upload(english, estate.id, roll_csv(rows()))
    assert response.status_code == 200
    return db.session.scalar(select(RollImport.id))


# --- overview ------------------------------------------------------------------------------

def test_overview_shows_total_area_headcount_and_the_r02_sentence(english, estate):
    services.import_roll(estate, roll_csv(rows()), "roll.csv")
    db.session.commit()
    response = english.get(f"/estates/{estate.id}")
    assert response.status_code == 200
    text = page(response)
    assert "<h1>梅园小区</h1>" in text
    assert "测试街道 · 星光居民区" in text
    assert "<div><dt>Total area</dt><dd>468.55 m²</dd></div>" in text
    assert TOTAL_AREA == 46855
    assert "<div><dt>Owners (headcount)</dt><dd>3</dd></div>" in text
    assert "<div><dt>Units</dt><dd>5</dd></div>" in text
    assert "<div><dt>Buildings</dt><dd>2</dd></div>" in text
    assert ("Counted under R-02: each unit is one owner, except that all 2 units the developer still holds "
            "count as one owner together, and an owner holding several units counts once with their areas "
            "added (1 such owners). Each of the 1 co-owned units counts once, voted by its named representative "
            "(R-03).") in text
    assert ('<tr><th scope="row">2</th><td class="num">3</td><td class="num">290.05</td></tr>') in text


def test_overview_is_chinese_by_default(client, estate):
    services.import_roll(estate, roll_csv(rows()), "roll.csv")
    db.session.commit()
    text = page(client.get(f"/estates/{estate.id}"))
    assert "<div><dt>总面积</dt><dd>468.55 m²</dd></div>" in text
    assert "<div><dt>业主人数</dt><dd>3</dd></div>" in text
    assert "按 R-02 计算" in text
    assert "尚未出售或未交付的 2 套房屋合计为一名业主" in text


def test_overview_of_an_estate_without_roll(english, estate):
    text = page(english.get(f"/estates/{estate.id}"))
    assert "<div><dt>Total area</dt><dd>0.00 m²</dd></div>" in text
    assert "No roll has been imported yet." in text


@pytest.mark.parametrize("method, path", [
    ("get", "/estates/{missing}"),
    ("get", "/estates/{missing}/roll/import"),
    ("post", "/estates/{missing}/roll/import"),
    ("post", "/estates/{missing}/roll/import/1"),
])
def test_unknown_estate_is_404(english, estate, method, path):
    response = getattr(english, method)(path.format(missing=estate.id + 1))
    assert response.status_code == 404


# --- upload: check, then confirm or discard ---------------------------------------------------

def test_upload_page_shows_the_form(english, estate):
    response = english.get(f"/estates/{estate.id}/roll/import")
    assert response.status_code == 200
    text = page(response)
    assert 'enctype="multipart/form-data"' in text
    assert 'name="roll_file"' in text
    assert 'href="/estates/roll-template.csv"' in text


def test_bad_file_is_422_with_every_problem_listed_and_writes_nothing(english, estate):
    bad = rows() + [owner_row("3", "3-101", "abc", "赵敏", "310101197001014444"),
                    owner_row("3", "3-102", "80", "", "310101197001015555", source="估算"),
                    owner_row("1", "1-101", "88.50", "钱多", "310101196001016666")]
    bad[2][8] = "否"
    before = table_counts()
    response = upload(english, estate.id, roll_csv(bad))
    assert response.status_code == 422
    text = page(response)
    assert "5 problems found: nothing was imported" in text
    listed = re.findall(r'<tr><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', text)
    assert listed == [
        ("4", "representative",
         "Co-owned unit 2-201 has no voting representative: mark one co-owner as representative."),
        ("8", "area", "The area “abc” is not a number."),
        ("9", "area source", "Unknown area source “估算”: use registry, survey or contract (登记, 实测, 合同)."),
        ("9", "owner name", "The owner's name is missing."),
        ("10", "unit", "Unit 1-101 already appears in row 2. Co-owners of one unit must share a co-owner group."),
    ]
    assert "/roll/import/" not in text  # no confirm form
    assert table_counts() == before


HOSTILE = {  # issue 12, point 4: each held a gunicorn worker at full CPU until it was killed
    "dimension": (declared_dimension_xlsx, "roll.xlsx", "1048576",
                  "The sheet goes on beyond column 30 here: a roll file may have at most 30 columns."),
    "zip bomb": (zip_bomb_xlsx, "roll.xlsx", "—",
                 "The workbook is packed as no spreadsheet program packs one: it would unpack to far more than "
                 "its size."),
    "million rows": (million_row_csv, "roll.csv", "100002",
                     "The file has more than 100,000 rows, the most a roll file may have"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_file_is_refused_with_its_reason_and_writes_nothing(english, estate, kind):
    make, filename, row, reason = HOSTILE[kind]
    before = table_counts()
    with watchdog():
        response = closed(upload(english, estate.id, make(), filename))
    assert response.status_code == 422
    text = page(response)
    assert "1 problem found: nothing was imported" in text
    listed = re.findall(r'<tr><td class="num">(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>', text)
    assert [(found_row, column) for found_row, column, _words in listed] == [(row, "—")]
    assert listed[0][2].startswith(reason)
    assert table_counts() == before


def test_co_owners_naming_two_representatives_are_refused_and_the_overview_still_works(english, estate):
    conflicting = [
        owner_row("1", "1-101", "88", "李娜", LI, group="A", representative="是"),
        owner_row("1", "1-101", "88", "张强", ZHANG, group="A", representative="否"),
        owner_row("1", "1-102", "90", "李娜", LI, group="B", representative="否"),
        owner_row("1", "1-102", "90", "张强", ZHANG, group="B", representative="是"),
    ]
    response = upload(english, estate.id, roll_csv(conflicting))
    assert response.status_code == 422
    assert ('<tr><td class="num">2</td><td>representative</td><td>Unit 1-101: the same co-owners hold another '
            'unit with a different representative. They vote once for all their units (R-15): name the same '
            'representative for each.</td></tr>') in page(response)
    assert count(Unit) == 0
    assert english.get(f"/estates/{estate.id}").status_code == 200


def test_file_level_problem_is_listed_without_row(english, estate):
    response = upload(english, estate.id, b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "roll.xls")
    assert response.status_code == 422
    assert ('<tr><td class="num">—</td><td>—</td><td>Old Excel .xls files cannot be read. '
            'Save the sheet as .xlsx or CSV.</td></tr>') in page(response)
    assert count(RollImport) == 0


def test_good_file_shows_the_report_and_a_confirm_form_and_writes_no_roll(english, estate):
    content = roll_csv(rows())
    response = upload(english, estate.id, content)
    assert response.status_code == 200
    text = page(response)
    assert "Check of roll.csv" in text
    for title, value in (("Rows", 6), ("Units", 5), ("New units", 5), ("Changed units", 0),
                         ("Unchanged units", 0)):
        assert f"<div><dt>{title}</dt><dd>{value}</dd></div>" in text
    assert "<tr><td>2-201</td><td>new unit</td><td>—</td><td>2 · 70.05 m² · 李娜 (…2222); 张强 (…3333)</td></tr>" in text
    counts = table_counts()
    assert counts["roll_import"] == 1
    assert {name: counts[name] for name in ("building", "unit", "owner", "ownership", "roll_change")} == {
        "building": 0, "unit": 0, "owner": 0, "ownership": 0, "roll_change": 0}
    upload_id = db.session.scalar(select(RollImport.id))
    assert f'action="/estates/{estate.id}/roll/import/{upload_id}"' in text
    assert 'name="confirm"' in text and 'name="cancel"' in text
    assert upload_status(upload_id) == (ImportStatus.CHECKED, content)


def test_confirm_applies_the_upload_and_redirects_to_the_overview(english, estate, pending_upload_id):
    response = english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}", data={"confirm": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/estates/{estate.id}"
    assert upload_status(pending_upload_id) == (ImportStatus.APPLIED, None)
    counts = table_counts()
    assert (counts["unit"], counts["owner"], counts["ownership"], counts["roll_import"], counts["roll_change"]) == (
        5, 4, 6, 1, 5)
    assert db.session.scalar(select(func.count()).select_from(RollChange).where(
        RollChange.roll_import_id == pending_upload_id)) == 5
    roll = services.estate_overview(estate).roll
    assert (roll.total_area, roll.total_heads) == (TOTAL_AREA, 3)
    text = page(english.get(response.headers["Location"]))
    assert "Roll imported: 5 new units, 0 changed." in text
    assert "<div><dt>Total area</dt><dd>468.55 m²</dd></div>" in text


def test_confirm_twice_is_404_the_second_time(english, estate, pending_upload_id):
    assert english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}",
                        data={"confirm": "1"}).status_code == 302
    before = table_counts()
    assert english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}",
                        data={"confirm": "1"}).status_code == 404
    assert table_counts() == before


def test_discard_marks_the_upload_rejected_and_writes_nothing(english, estate, pending_upload_id):
    before = table_counts()
    response = english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}", data={"cancel": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/estates/{estate.id}/roll/import"
    assert upload_status(pending_upload_id) == (ImportStatus.REJECTED, None)
    assert table_counts() == before
    assert count(Unit) == 0
    assert "The upload was discarded; nothing was imported." in page(english.get(response.headers["Location"]))
    assert english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}",
                        data={"confirm": "1"}).status_code == 404
    assert count(Unit) == 0


def test_confirming_an_upload_of_another_estate_is_404(english, estate, make_estate, pending_upload_id):
    other = make_estate("桂苑", "星光居民区")
    response = english.post(f"/estates/{other.id}/roll/import/{pending_upload_id}", data={"confirm": "1"})
    assert response.status_code == 404
    assert upload_status(pending_upload_id)[0] == ImportStatus.CHECKED
    assert count(Unit) == 0


def test_confirming_an_unknown_upload_is_404(english, estate):
    assert english.post(f"/estates/{estate.id}/roll/import/12345", data={"confirm": "1"}).status_code == 404


def test_confirming_after_the_same_roll_was_imported_elsewhere_writes_nothing(english, estate,
                                                                              pending_upload_id):
    services.import_roll(estate, roll_csv(rows()), "roll.csv")
    db.session.commit()
    before = table_counts()
    response = english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}", data={"confirm": "1"},
                            follow_redirects=True)
    assert response.status_code == 200
    assert "Nothing to import: the roll already matches this file." in page(response)
    assert upload_status(pending_upload_id) == (ImportStatus.APPLIED, None)
    assert table_counts() == before


def test_good_file_that_changes_nothing_offers_no_confirm_and_stores_nothing(english, estate):
    services.import_roll(estate, roll_csv(rows()), "roll.csv")
    db.session.commit()
    before = table_counts()
    response = upload(english, estate.id, roll_csv(rows()))
    assert response.status_code == 200
    text = page(response)
    assert "Nothing to import: the roll already matches this file." in text
    assert "<div><dt>Unchanged units</dt><dd>5</dd></div>" in text
    assert 'name="confirm"' not in text
    assert table_counts() == before


def test_update_upload_lists_changes_and_missing_units(english, estate):
    services.import_roll(estate, roll_csv(rows()), "roll.csv")
    db.session.commit()
    changed = rows()[:-1]
    changed[0][2] = "88.60"
    text = page(upload(english, estate.id, roll_csv(changed)))
    assert "<tr><td>1-101</td><td>area</td><td>88.50</td><td>88.60</td></tr>" in text
    assert "1 units of the estate are not in this file; they stay as they are: 2-203" in text


def test_post_without_file_is_400_with_the_message(english, estate):
    response = english.post(f"/estates/{estate.id}/roll/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert '<p class="field-error" id="roll-file-error">Choose a file to check.</p>' in page(response)
    assert count(RollImport) == 0


def test_post_without_file_in_chinese(client, estate):
    response = client.post(f"/estates/{estate.id}/roll/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "请选择要检查的文件。" in page(response)


def test_upload_post_requires_csrf(app, english, estate, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = table_counts()
    response = upload(english, estate.id, roll_csv(rows()))
    assert response.status_code == 400
    assert table_counts() == before
    assert count(RollImport) == 0


def test_confirm_post_requires_csrf(app, english, estate, pending_upload_id, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}", data={"confirm": "1"})
    assert response.status_code == 400
    assert upload_status(pending_upload_id)[0] == ImportStatus.CHECKED
    assert count(Unit) == 0


# --- the template file ------------------------------------------------------------------------

def test_roll_template_downloads_and_reimports_as_a_one_unit_roll(english, estate):
    response = english.get("/estates/roll-template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="roll-template.csv"'
    content = response.get_data()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").splitlines()[0] == "楼栋,房号,面积,面积来源,业主姓名,证件号码,电话,共有组,代表人,开发商持有,业主类型"

    check = upload(english, estate.id, content, "roll-template.csv")
    assert check.status_code == 200
    assert "<div><dt>New units</dt><dd>1</dd></div>" in page(check)
    upload_id = db.session.scalar(select(RollImport.id))
    assert english.post(f"/estates/{estate.id}/roll/import/{upload_id}", data={"confirm": "1"}).status_code == 302
    db.session.rollback()
    overview = services.estate_overview(estate)
    assert (overview.roll.unit_count, overview.roll.total_heads, overview.roll.total_area) == (1, 1, 8850)
    assert [(b.label, b.units) for b in overview.buildings] == [("1", 1)]
    assert services.check_roll_file(estate, content, "roll-template.csv").changes == []


def test_a_new_upload_discards_the_unconfirmed_one_and_erases_its_file(english, estate, pending_upload_id):
    """Roll files hold id-document numbers: only the newest unconfirmed upload is kept."""
    response = upload(english, estate.id, roll_csv(rows()[:1]))
    assert response.status_code == 200
    assert upload_status(pending_upload_id) == (ImportStatus.REJECTED, None)
    assert english.post(f"/estates/{estate.id}/roll/import/{pending_upload_id}",
                        data={"confirm": "1"}).status_code == 404
    assert count(Unit) == 0
