"""``flask estates ...`` and ``flask demo load`` through the CLI runner."""
import pytest
from sqlalchemy import func, select

from governance_app.demo import DEMO_ESTATES
from governance_app.estates import services
from governance_app.estates.models import Estate, ImportStatus, Owner, RollImport, Unit
from governance_app.extensions import db
from tests.conftest import count, owner_row, roll_csv
from tests.hostile_files import declared_dimension_xlsx, million_row_csv, watchdog, zip_bomb_xlsx

WANG = "310101199001011234"
LI = "310101198001012222"
ZHANG = "310101198001013333"


def rows() -> list[list[str]]:
    return [
        owner_row("1", "1-101", "88.50", "王伟", WANG),
        owner_row("1", "1-102", "90", "王伟", WANG),
        owner_row("2", "2-201", "70", "李娜", LI, group="A", representative="是"),
        owner_row("2", "2-201", "70", "张强", ZHANG, group="A", representative="否"),
    ]


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture
def roll_file(tmp_path):
    def write(content: bytes, name: str = "roll.csv"):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def import_roll(runner, path: str, estate_id: int, *options: str):
    return runner.invoke(args=["estates", "import-roll", path, "--estate", str(estate_id), *options])


# --- estates import-roll ----------------------------------------------------------------

def test_import_roll_success(runner, make_estate, roll_file):
    estate = make_estate()
    result = import_roll(runner, roll_file(roll_csv(rows())), estate.id)
    assert result.exit_code == 0, result.output
    roll_import = db.session.scalar(select(RollImport))
    assert roll_import.status == ImportStatus.APPLIED
    lines = result.stdout.splitlines()
    assert lines[0] == "rows: 4, units: 3, new: 3, changed: 0, unchanged: 0, owners with new details: 0"
    assert "  2-201: added: - -> 2 · 70.00 m² · 李娜 (…2222); 张强 (…3333)" in lines
    assert lines[-1] == f"imported (import {roll_import.id})"
    assert (count(Unit), count(Owner)) == (3, 3)
    overview = services.estate_overview(estate)
    assert (overview.roll.total_area, overview.roll.total_heads) == (8850 + 9000 + 7000, 2)


def test_import_roll_again_reports_no_changes(runner, make_estate, roll_file):
    estate = make_estate()
    path = roll_file(roll_csv(rows()))
    assert import_roll(runner, path, estate.id).exit_code == 0
    before = table_counts()
    result = import_roll(runner, path, estate.id)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["rows: 4, units: 3, new: 0, changed: 0, unchanged: 3, owners with new details: 0",
                                          "no changes: the roll already matches this file"]
    assert table_counts() == before


def test_import_roll_reports_changes_and_missing_units(runner, make_estate, roll_file):
    estate = make_estate()
    assert import_roll(runner, roll_file(roll_csv(rows())), estate.id).exit_code == 0
    changed = rows()[1:]
    changed[0][2] = "90.10"
    result = import_roll(runner, roll_file(roll_csv(changed), "roll-2.csv"), estate.id)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:3] == [
        "rows: 3, units: 2, new: 0, changed: 1, unchanged: 1, owners with new details: 0",
        "1 unit(s) of the estate are not in the file and were left unchanged: 1-101",
        "  1-102: area: 90.00 -> 90.10",
    ]
    assert db.session.scalar(select(Unit.area).where(Unit.label == "1-102")) == 9010
    assert count(Unit) == 3


def test_import_roll_dry_run_writes_nothing(runner, make_estate, roll_file):
    estate = make_estate()
    before = table_counts()
    result = import_roll(runner, roll_file(roll_csv(rows())), estate.id, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "rows: 4, units: 3, new: 3, changed: 0, unchanged: 0, owners with new details: 0"
    assert result.stdout.splitlines()[-1] == "dry run: nothing was written"
    assert table_counts() == before
    assert count(Unit) == 0


def test_import_roll_bad_file_lists_problems_and_writes_nothing(runner, make_estate, roll_file):
    estate = make_estate()
    bad = rows() + [owner_row("3", "3-101", "abc", "赵敏", "310101197001014444"),
                    owner_row("3", "3-102", "80", "", "310101197001015555", source="估算")]
    bad[2][8] = "否"
    before = table_counts()
    result = import_roll(runner, roll_file(roll_csv(bad)), estate.id)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-5:] == [
        "row 4, representative: Co-owned unit 2-201 has no voting representative: "
        "mark one co-owner as representative.",
        "row 6, area: The area “abc” is not a number.",
        "row 7, area_source: Unknown area source “估算”: use registry, survey or contract (登记, 实测, 合同).",
        "row 7, owner_name: The owner's name is missing.",
        "Error: 4 problem(s) found; nothing was imported",
    ]
    assert table_counts() == before


HOSTILE = {  # issue 12, point 4
    "dimension": (declared_dimension_xlsx, "roll.xlsx",
                  "row 1048576, -: The sheet goes on beyond column 30 here: a roll file may have at most 30 columns."),
    "zip bomb": (zip_bomb_xlsx, "roll.xlsx",
                 "row 0, -: The workbook is packed as no spreadsheet program packs one: it would unpack to far more "
                 "than its size."),
    "million rows": (million_row_csv, "roll.csv",
                     "row 100002, -: The file has more than 100,000 rows, the most a roll file may have"),
}


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
@pytest.mark.parametrize("kind", HOSTILE)
def test_import_roll_refuses_a_hostile_file_with_its_reason_and_writes_nothing(runner, make_estate, roll_file,
                                                                               kind, dry_run):
    estate = make_estate()
    make, filename, reason = HOSTILE[kind]
    path = roll_file(make(), filename)
    before = table_counts()
    with watchdog():
        result = import_roll(runner, path, estate.id, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(reason)
    assert lines[-1] == "Error: 1 problem(s) found; nothing was imported"
    assert table_counts() == before


def test_import_roll_refuses_a_file_larger_than_an_upload_may_be_before_reading_it(runner, app, make_estate,
                                                                                   roll_file, monkeypatch):
    estate = make_estate()
    content = roll_csv(rows())
    path = roll_file(content)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(content) - 1)
    result = import_roll(runner, path, estate.id)
    assert result.exit_code == 1
    assert result.stderr.strip() == (f"Error: the file is larger than {len(content) - 1:,} bytes (MAX_UPLOAD_BYTES), "
                                     "the most the import page accepts; nothing was imported")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", len(content))
    assert import_roll(runner, path, estate.id, "--dry-run").exit_code == 0


def test_import_roll_bad_file_changes_nothing_in_an_existing_roll(runner, make_estate, roll_file):
    estate = make_estate()
    assert import_roll(runner, roll_file(roll_csv(rows())), estate.id).exit_code == 0
    before = table_counts()
    bad = rows()
    bad[0][2] = "95"
    bad.append(owner_row("3", "3-101", "0", "赵敏", "310101197001014444"))
    result = import_roll(runner, roll_file(roll_csv(bad), "roll-2.csv"), estate.id)
    assert result.exit_code == 1
    assert "row 6, area: The area “0” must be greater than zero." in result.stderr
    assert table_counts() == before
    assert db.session.scalar(select(Unit.area).where(Unit.label == "1-101")) == 8850


def test_import_roll_old_excel_file(runner, make_estate, roll_file):
    estate = make_estate()
    result = import_roll(runner, roll_file(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "roll.xls"), estate.id)
    assert result.exit_code == 1
    assert "row 0, -: Old Excel .xls files cannot be read. Save the sheet as .xlsx or CSV." in result.stderr


def test_import_roll_unknown_estate_is_a_usage_error(runner, make_estate, roll_file):
    estate = make_estate()
    result = import_roll(runner, roll_file(roll_csv(rows())), estate.id + 1)
    assert result.exit_code == 2
    assert f"no estate with id {estate.id + 1}; see `flask estates list`" in result.stderr
    assert count(Unit) == 0


def test_import_roll_missing_file_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(args=["estates", "import-roll", str(tmp_path / "none.csv"), "--estate", "1"])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


# --- estates add / list ---------------------------------------------------------------------

def test_add_and_list_estates(runner, app_context):
    first = runner.invoke(args=["estates", "add", "--sub-district", "真如镇街道", "--community", "星光居民区",
                                "--name", "梅园小区", "--address", "真光路 1288 弄"])
    assert first.exit_code == 0, first.output
    estate = db.session.scalar(select(Estate))
    assert first.stdout == f"estate {estate.id}: 真如镇街道 / 星光居民区 / 梅园小区\n"
    assert (estate.name, estate.address, estate.community.name, estate.community.sub_district.name) == (
        "梅园小区", "真光路 1288 弄", "星光居民区", "真如镇街道")
    assert len(estate.id_salt) == 32

    second = runner.invoke(args=["estates", "add", "--sub-district", "真如镇街道", "--community", "星光居民区",
                                 "--name", "桂苑"])
    assert second.exit_code == 0
    again = runner.invoke(args=["estates", "add", "--sub-district", "真如镇街道", "--community", "星光居民区",
                                "--name", "梅园小区"])
    assert again.stdout == first.stdout
    assert table_counts()["estate"] == 2
    assert table_counts()["community"] == 1
    assert table_counts()["sub_district"] == 1

    listed = runner.invoke(args=["estates", "list"])
    assert listed.exit_code == 0
    guiyuan = db.session.scalar(select(Estate.id).where(Estate.name == "桂苑"))
    assert listed.stdout.splitlines() == [f"{guiyuan}\t真如镇街道 / 星光居民区 / 桂苑",
                                          f"{estate.id}\t真如镇街道 / 星光居民区 / 梅园小区"]


def test_add_requires_its_options(runner, app_context):
    result = runner.invoke(args=["estates", "add", "--name", "梅园小区"])
    assert result.exit_code == 2
    assert "--sub-district" in result.stderr
    assert count(Estate) == 0


def test_list_with_no_estates_prints_nothing(runner, app_context):
    result = runner.invoke(args=["estates", "list"])
    assert (result.exit_code, result.stdout) == (0, "")


# --- demo load -----------------------------------------------------------------------------

def test_demo_load_is_idempotent_and_realistic(runner, app_context):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    after_first = table_counts()
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert table_counts() == after_first
    assert after_first["roll_import"] == 3

    sizes = {spec.name: spec.buildings * spec.floors * spec.flats_per_floor for spec in DEMO_ESTATES}
    assert sizes == {"梅园小区": 180, "桂苑": 420, "兰庭花园": 768}
    assert first.stdout.splitlines() == [f"{name}: {units} units ({units} new, 0 changed)"
                                         for name, units in sizes.items()]
    assert second.stdout.splitlines() == [f"{name}: {units} units (unchanged)" for name, units in sizes.items()]

    estates = services.list_estates()
    assert len(estates) == 3
    for estate in estates:
        overview = services.estate_overview(estate)
        assert 150 <= overview.roll.unit_count <= 800
        assert overview.roll.unit_count == sizes[estate.name]
        assert overview.developer_units > 0
        assert overview.co_owned_units > 0
        assert overview.multi_unit_voters > 0
        assert overview.roll.total_heads < overview.roll.unit_count
        assert overview.roll.total_area == sum(b.area for b in overview.buildings)
    assert {e.community.sub_district.name for e in estates} == {"真如镇街道"}


def test_demo_shows_the_inbox_and_a_finished_letters_job(runner, app_context, client, login):
    """Issue 16 in the demo: the demo owner's inbox has unread messages (the votes' notices, votes
    opened, results published) and its count is in the header; the committee member has a finished
    letters job, listed on the activation page, whose PDF holds its letters."""
    from governance_app.auth import services as auth_services
    from governance_app.auth.models import ActivationCode
    from governance_app.demo import JOB_LETTERS, LETTER_COUNT, demo_letters
    from governance_app.jobs import services as jobs
    from governance_app.jobs.models import Job, JobState
    from governance_app.notifications import services as notifications
    from tests.documents.support import page_count
    from tests.support.site import text

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    owner = auth_services.find_user("13900000001")
    assert sorted((m.kind, m.read_at) for m in notifications.inbox(owner)) == [  # the open vote's, last
        ("vote_noticed", None), ("vote_noticed", None), ("vote_noticed", None),  # year's, the project's
        ("vote_opened", None), ("vote_opened", None), ("vote_opened", None), ("vote_result", None),
        ("vote_result", None)]
    member = auth_services.find_user("member")
    job = db.session.scalars(select(Job)).one()
    assert (job.owner_id, job.kind, job.state) == (member.id, "activation_letters", JobState.DONE)
    assert page_count(jobs.read_result(job)) == len(job.params["voters"]) == JOB_LETTERS
    assert db.session.scalar(select(func.count()).select_from(ActivationCode).where(
        ActivationCode.voter_key.in_(job.params["voters"]))) == JOB_LETTERS
    assert len(demo_letters()) == LETTER_COUNT  # the printed demo letters are still usable
    estate = services.find_estate("梅园小区")

    login(member)
    activation = client.get(f"/estates/{estate.id}/activation").get_data(as_text=True)
    assert f'href="/jobs/{job.id}"' in activation and "最近 24 小时生成的激活函" in activation
    assert "下载文件" in text(client.get(f"/jobs/{job.id}"))
    login(owner)
    assert "消息 (8 条未读)" in text(client.get("/"))


def test_demo_load_if_empty_does_nothing_when_estates_exist(runner, make_estate):
    make_estate()
    before = table_counts()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert result.stdout == "The database already has estates; demo not loaded.\n"
    assert table_counts() == before


def test_demo_load_is_refused_in_production(runner, app, app_context, monkeypatch):
    monkeypatch.setitem(app.config, "GOVERNANCE_ENV", "production")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "Error: demo data is never loaded in production" in result.stderr
    assert all(n == 0 for n in table_counts().values())


# --- progress bars (issue 16) -------------------------------------------------------------

@pytest.fixture
def bar_calls(monkeypatch):
    """What the commands' progress bars are told: (done, total, step), in order."""
    from governance_app.core.progress_bar import ProgressBar

    calls = []
    told = ProgressBar.__call__

    def tell(self, done, total, step="", **values):
        calls.append((done, total, step))
        return told(self, done, total, step, **values)

    monkeypatch.setattr(ProgressBar, "__call__", tell)
    return calls


def many_units(units: int) -> list[list[str]]:
    return [owner_row(str(1 + n // 100), f"{1 + n // 100}-{n % 100 + 1:03d}", "80.25", f"业主{n}",
                      f"3101011990{n:08d}") for n in range(units)]


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_import_roll_draws_a_bar_fed_as_the_job_is(runner, make_estate, roll_file, bar_calls, dry_run):
    estate = make_estate()
    result = import_roll(runner, roll_file(roll_csv(many_units(1200))), estate.id, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 0, result.output
    assert bar_calls == [(500, 1200, "roll.checking"), (1000, 1200, "roll.checking"), (1200, 1200, "roll.writing")]
    assert "Checking units" in result.stderr and "Writing the roll" in result.stderr  # labels on standard error
    assert result.stdout.splitlines()[0].startswith("rows: 1200, units: 1200, new: 1200")
    assert count(Unit) == (0 if dry_run else 1200)


def test_demo_load_draws_a_bar_over_its_stages(runner, app_context, bar_calls):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    names = [spec.name for spec in DEMO_ESTATES]
    assert [step for _done, _total, step in bar_calls] == [
        *(f"Roll of {name}" for name in names), "Accounts and letters", "Votes", "Accounts' entries", "Pledges",
        "Surveys", "Supervision", "Proposals", "Done"]
    assert [done for done, _total, _step in bar_calls] == list(range(11))
    assert {total for _done, total, _step in bar_calls} == {10}
    assert "Roll of 梅园小区" in result.stderr and "Proposals" in result.stderr
    assert len(result.stdout.splitlines()) == 3  # the estates' lines, as before
