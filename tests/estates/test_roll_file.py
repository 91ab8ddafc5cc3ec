"""Reading roll files (CSV in UTF-8 or GBK, XLSX): every problem with its row, column and reason."""
import codecs
import io

import pytest
from openpyxl import Workbook

from governance_app.estates.roll_file import MAX_COLUMNS, MAX_PROBLEMS, MAX_ROWS, REQUIRED_COLUMNS, read_roll
from tests.conftest import ROLL_HEADER, owner_row, roll_csv
from tests.hostile_files import declared_dimension_xlsx, million_row_csv, watchdog, zip_bomb_xlsx

ENGLISH_HEADER = ["building", "unit", "area", "area_source", "owner_name", "id_number", "phone",
                  "co_owner_group", "representative", "developer"]
WANG = "310101199001011234"
LI = "310101198001012222"
ZHANG = "310101198001013333"


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems_of(content: bytes, filename: str = "roll.csv") -> list[tuple]:
    parsed = read_roll(content, filename)
    assert not parsed.ok
    return [(p.row, p.column, p.reason, p.value, p.other_row) for p in parsed.problems]


def one_problem(rows: list[list[str]]) -> tuple:
    found = problems_of(roll_csv(rows))
    assert len(found) == 1, found
    return found[0]


def good_rows() -> list[list[str]]:
    return [
        owner_row("1", "1-101", "88.50", "王伟", WANG, phone="13900000001"),
        owner_row("1", "1-102", "90", "王伟", WANG, source="实测"),
        owner_row("2", "2-201", "70.05", "李娜", LI, group="A", representative="是", source="合同"),
        owner_row("2", "2-201", "70.05", "张强", ZHANG, group="A", representative="否", source="合同"),
        owner_row("2", "2-202", "120", "上海某置业有限公司", "91310000MA1234567X", developer="是"),
    ]


def test_good_file_parses_into_units_with_owners():
    parsed = read_roll(roll_csv(good_rows()), "roll.csv")
    assert parsed.ok
    assert parsed.problems == []
    assert parsed.row_count == 5
    assert [(u.label, u.building, u.area, u.area_source, u.developer, u.first_row, u.group)
            for u in parsed.units] == [
        ("1-101", "1", 8850, "registry", False, 2, ""),
        ("1-102", "1", 9000, "survey", False, 3, ""),
        ("2-201", "2", 7005, "contract", False, 4, "A"),
        ("2-202", "2", 12000, "registry", True, 6, ""),
    ]
    first = parsed.units[0].owners
    assert [(o.row, o.name, o.id_number, o.phone, o.kind, o.representative) for o in first] == [
        (2, "王伟", WANG, "13900000001", "person", False)]
    co_owners = parsed.units[2].owners
    assert [(o.row, o.name, o.representative) for o in co_owners] == [(4, "李娜", True), (5, "张强", False)]
    developer = parsed.units[3].owners[0]
    assert (developer.kind, developer.id_number) == ("company", "91310000MA1234567X")


def test_id_number_is_normalised_spaces_removed_and_upper_case():
    parsed = read_roll(roll_csv([owner_row("1", "1-101", "88.5", "王伟", " 310101 19900101 123x ")]))
    assert parsed.ok
    assert parsed.units[0].owners[0].id_number == "31010119900101123X"


# --- one problem each: row, column, reason ---------------------------------------------

@pytest.mark.parametrize("area, reason", [
    ("八十八", "area_not_a_number"),
    ("88.5m2", "area_not_a_number"),
    ("88.555", "area_too_many_decimals"),
    ("-88.5", "area_not_positive"),
    ("0", "area_not_positive"),
    ("0.00", "area_not_positive"),
    ("", "area_empty"),
])
def test_bad_area_is_reported_on_its_row(area, reason):
    rows = good_rows()
    rows[1][2] = area
    assert one_problem(rows) == (3, "area", reason, area, 0)


def test_area_with_three_zero_decimals_is_accepted():
    rows = good_rows()
    rows[0][2] = "88.500"
    parsed = read_roll(roll_csv(rows))
    assert parsed.ok
    assert parsed.units[0].area == 8850


def test_duplicate_unit_without_co_owner_group():
    rows = good_rows() + [owner_row("1", "1-101", "88.50", "赵敏", "310101197001014444")]
    assert one_problem(rows) == (7, "unit", "duplicate_unit", "1-101", 2)


def test_second_row_of_a_unit_in_another_co_owner_group_is_a_duplicate():
    rows = good_rows() + [owner_row("2", "2-201", "70.05", "赵敏", "310101197001014444", group="B",
                                    source="合同")]
    assert one_problem(rows) == (7, "unit", "duplicate_unit", "2-201", 4)


def test_unknown_area_source():
    rows = good_rows()
    rows[0][3] = "估算"
    assert one_problem(rows) == (2, "area_source", "unknown_area_source", "估算", 0)


@pytest.mark.parametrize("spelling, source", [
    ("登记", "registry"), ("不动产登记", "registry"), ("产证", "registry"), ("Registry", "registry"),
    ("实测", "survey"), ("测绘", "survey"), ("SURVEY", "survey"),
    ("合同", "contract"), ("预售合同", "contract"), ("销售合同", "contract"), ("contract", "contract"),
])
def test_area_source_spellings(spelling, source):
    parsed = read_roll(roll_csv([owner_row("1", "1-101", "88.5", "王伟", WANG, source=spelling)]))
    assert parsed.ok
    assert parsed.units[0].area_source == source


def test_missing_owner_name():
    rows = good_rows()
    rows[1][4] = " "
    assert one_problem(rows) == (3, "owner_name", "missing_owner", "", 0)


def test_missing_id_number():
    rows = good_rows()
    rows[0][5] = ""
    assert one_problem(rows) == (2, "id_number", "missing_id_number", "", 0)


def test_id_number_too_short_is_reported_masked():
    rows = good_rows()
    rows[0][5] = "123"
    assert one_problem(rows) == (2, "id_number", "id_number_too_short", "*23", 0)


def test_missing_building_and_unit_label():
    rows = good_rows()
    rows[0][0] = ""
    rows[1][1] = ""
    assert problems_of(roll_csv(rows)) == [
        (2, "building", "missing_value", "", 0),
        (3, "unit", "missing_value", "", 0),
    ]


def test_co_owned_unit_without_representative():
    rows = good_rows()
    rows[2][8] = "否"
    assert one_problem(rows) == (4, "representative", "no_representative", "2-201", 0)


def test_co_owned_unit_with_several_representatives():
    rows = good_rows()
    rows[3][8] = "是"
    assert one_problem(rows) == (5, "representative", "several_representatives", "2-201", 4)


def test_co_owner_rows_that_disagree_on_area():
    rows = good_rows()
    rows[3][2] = "70.06"
    assert one_problem(rows) == (5, "unit", "co_owner_rows_disagree", "2-201", 4)


@pytest.mark.parametrize("column, index", [("building", 0), ("area_source", 3), ("developer", 9)])
def test_co_owner_rows_that_disagree_on_building_source_or_developer_flag(column, index):
    rows = good_rows()
    rows[3][index] = {"building": "3", "area_source": "登记", "developer": "是"}[column]
    assert one_problem(rows) == (5, "unit", "co_owner_rows_disagree", "2-201", 4)


def test_same_owner_twice_in_one_co_owned_unit():
    rows = good_rows()
    rows[3][4:6] = ["李娜", LI]
    assert one_problem(rows) == (5, "id_number", "owner_twice_in_unit", "2-201", 4)


def test_same_id_number_for_two_names():
    rows = good_rows()
    rows[1][4] = "王小伟"
    assert one_problem(rows) == (3, "id_number", "document_name_conflict", "王小伟", 2)


@pytest.mark.parametrize("column, index", [("representative", 8), ("developer", 9)])
def test_bad_yes_no_flag(column, index):
    rows = good_rows()
    rows[0][index] = "也许"
    assert one_problem(rows) == (2, column, "bad_yes_no", "也许", 0)


@pytest.mark.parametrize("text, flag", [
    ("是", True), ("y", True), ("YES", True), ("true", True), ("1", True), ("√", True),
    ("否", False), ("", False), ("n", False), ("No", False), ("false", False), ("0", False),
])
def test_yes_no_spellings(text, flag):
    parsed = read_roll(roll_csv([owner_row("1", "1-101", "88.5", "某公司", WANG, developer=text)]))
    assert parsed.ok
    assert parsed.units[0].developer is flag


def test_unknown_owner_kind():
    header = ROLL_HEADER + ["业主类型"]
    rows = [owner_row("1", "1-101", "88.5", "王伟", WANG) + ["外星人"],
            owner_row("1", "1-102", "88.5", "某公司", LI) + ["单位"]]
    parsed = read_roll(roll_csv(rows, header=header))
    assert [(p.row, p.column, p.reason, p.value) for p in parsed.problems] == [
        (2, "owner_kind", "unknown_owner_kind", "外星人")]


@pytest.mark.parametrize("missing", REQUIRED_COLUMNS)
def test_missing_required_column(missing):
    index = ENGLISH_HEADER.index(missing)
    header = ENGLISH_HEADER[:index] + ENGLISH_HEADER[index + 1:]
    rows = [row[:index] + row[index + 1:] for row in good_rows()]
    parsed = read_roll(roll_csv(rows, header=header))
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [(1, missing, "missing_column")]
    assert parsed.units == []
    assert parsed.row_count == 0


def test_several_missing_columns_are_all_reported():
    parsed = read_roll(roll_csv([["1", "1-101"]], header=["楼栋", "房号"]))
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [
        (1, "area", "missing_column"), (1, "area_source", "missing_column"),
        (1, "owner_name", "missing_column"), (1, "id_number", "missing_column")]


def test_optional_columns_may_be_left_out():
    header = ["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码"]
    parsed = read_roll(roll_csv([["1", "1-101", "88.5", "登记", "王伟", WANG]], header=header))
    assert parsed.ok
    assert parsed.units[0].owners[0].phone == ""
    assert parsed.units[0].developer is False


def test_duplicate_column():
    parsed = read_roll(roll_csv([], header=ROLL_HEADER + ["建筑面积"]))
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [(1, "建筑面积", "duplicate_column")]


@pytest.mark.parametrize("content", [b"", b"\n\n", b" , ,\r\n", codecs.BOM_UTF8])
def test_empty_file(content):
    parsed = read_roll(content, "roll.csv")
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [(0, "", "empty_file")]
    assert not parsed.ok


def test_old_xls_file_is_refused():
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    parsed = read_roll(content, "名册.xls")
    assert [(p.row, p.column, p.reason, p.value) for p in parsed.problems] == [
        (0, "", "old_excel_format", "名册.xls")]


def test_damaged_xlsx_is_refused():
    parsed = read_roll(b"PK\x03\x04" + b"not really a zip file" * 10, "roll.xlsx")
    assert [(p.row, p.reason) for p in parsed.problems] == [(0, "unreadable_xlsx")]


def test_file_neither_utf8_nor_gbk_is_refused_with_the_row():
    content = roll_csv(good_rows()[:1]) + b"1,1-102,\xff\xff\x80,\xfe\n"
    assert not content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-8-sig", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            content.decode(encoding)
    assert problems_of(content) == [(3, "", "encoding", "", 0)]


def test_bytes_starting_like_a_utf16_bom_that_do_not_decode_are_refused():
    content = b"\xff\xfe\xfa"
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        with pytest.raises(UnicodeDecodeError):
            content.decode(encoding)
    assert problems_of(content) == [(1, "", "encoding", "", 0)]


def test_gbk_csv_with_chinese_headers():
    content = roll_csv(good_rows(), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    parsed = read_roll(content, "roll.csv")
    assert parsed.ok
    assert [u.label for u in parsed.units] == ["1-101", "1-102", "2-201", "2-202"]
    assert [o.name for u in parsed.units for o in u.owners] == ["王伟", "王伟", "李娜", "张强", "上海某置业有限公司"]
    assert parsed.units[2].area_source == "contract"


def test_utf8_with_bom():
    parsed = read_roll(codecs.BOM_UTF8 + roll_csv(good_rows()), "roll.csv")
    assert parsed.ok
    assert parsed.units[0].building == "1"
    assert parsed.units[0].owners[0].name == "王伟"


def test_utf16_with_bom_as_excel_unicode_text_saves_it():
    text = roll_csv(good_rows()).decode("utf-8").replace(",", "\t")
    parsed = read_roll(text.encode("utf-16"), "roll.txt")
    assert parsed.ok
    assert [u.area for u in parsed.units] == [8850, 9000, 7005, 12000]


def test_english_header_spellings():
    parsed = read_roll(roll_csv(good_rows(), header=ENGLISH_HEADER))
    assert parsed.ok
    assert [(u.label, u.area) for u in parsed.units] == [("1-101", 8850), ("1-102", 9000), ("2-201", 7005),
                                                         ("2-202", 12000)]


def test_headers_are_matched_case_insensitively_and_in_any_order():
    header = ["Owner_Name", "ID_NUMBER", " Area ", "Area_Source", "Unit", "BUILDING"]
    parsed = read_roll(roll_csv([["王伟", WANG, "88.5", "registry", "1-101", "1"]], header=header))
    assert parsed.ok
    unit = parsed.units[0]
    assert (unit.label, unit.building, unit.area, unit.owners[0].name) == ("1-101", "1", 8850, "王伟")


def test_xlsx_with_numeric_cells():
    content = xlsx([
        ROLL_HEADER,
        [1, "1-101", 88.5, "登记", "王伟", WANG, 13900000001, None, None, "否"],
        [1, "1-102", 90, "实测", "王伟", WANG, None, None, None, False],
        [2, "2-201", 70.05, "合同", "李娜", LI, None, "A", True, None],
        [2, "2-201", 70.05, "合同", "张强", ZHANG, None, "A", False, None],
    ])
    parsed = read_roll(content, "roll.xlsx")
    assert parsed.problems == []
    assert [(u.label, u.building, u.area, u.area_source, u.first_row) for u in parsed.units] == [
        ("1-101", "1", 8850, "registry", 2),
        ("1-102", "1", 9000, "survey", 3),
        ("2-201", "2", 7005, "contract", 4),
    ]
    assert parsed.units[0].owners[0].id_number == WANG
    assert parsed.units[0].owners[0].phone == "13900000001"
    assert [o.representative for o in parsed.units[2].owners] == [True, False]


def test_xlsx_problems_keep_the_sheet_row_numbers():
    content = xlsx([
        ROLL_HEADER,
        [1, "1-101", 88.5, "登记", "王伟", WANG],
        [None] * 10,
        [1, "1-102", 88.555, "登记", "李娜", LI],
        [1, "1-103", -3, "登记", "张强", ZHANG],
    ])
    assert problems_of(content, "roll.xlsx") == [
        (4, "area", "area_too_many_decimals", "88.555", 0),
        (5, "area", "area_not_positive", "-3", 0),
    ]


def test_csv_blank_lines_keep_the_file_line_numbers():
    content = roll_csv(good_rows()[:1]) + b"\n\n" + f"1,1-102,x,登记,李娜,{LI},,,,否\n".encode()
    assert problems_of(content) == [(5, "area", "area_not_a_number", "x", 0)]


def test_multiple_problems_are_all_reported_sorted_by_row():
    rows = good_rows() + [
        owner_row("3", "3-101", "abc", "赵敏", "310101197001014444"),
        owner_row("3", "3-102", "80", "", "310101197001015555", source="估算"),
        owner_row("1", "1-101", "88.50", "钱多", "310101197001016666"),
        owner_row("3", "3-103", "80", "孙丽", "", developer="也许"),
    ]
    rows[2][8] = "否"  # 2-201 loses its representative: reported on its first row, 4
    parsed = read_roll(roll_csv(rows))
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [
        (4, "representative", "no_representative"),
        (7, "area", "area_not_a_number"),
        (8, "area_source", "unknown_area_source"),
        (8, "owner_name", "missing_owner"),
        (9, "unit", "duplicate_unit"),
        (10, "developer", "bad_yes_no"),
        (10, "id_number", "missing_id_number"),
    ]
    assert not parsed.ok
    assert parsed.row_count == 9


def test_values_longer_than_the_stored_columns_are_reported():
    rows = good_rows()
    rows[0][0] = "楼" * 41
    rows[1][1] = "1-" + "9" * 39
    rows[2][4] = "李" * 101
    rows[3][6] = "1" * 33
    assert problems_of(roll_csv(rows)) == [
        (2, "building", "too_long", "40", 0),
        (3, "unit", "too_long", "40", 0),
        (4, "owner_name", "too_long", "100", 0),
        (5, "phone", "too_long", "32", 0),
    ]


def test_values_exactly_as_long_as_the_stored_columns_are_accepted():
    rows = [owner_row("楼" * 40, "1" * 40, "88.5", "李" * 100, WANG, phone="1" * 32)]
    assert read_roll(roll_csv(rows)).ok


def test_excel_number_cell_holding_an_18_digit_id_is_refused_not_rounded():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["楼栋", "房号", "面积", "面积来源", "业主姓名", "证件号码"])
    sheet.append(["1", "1-101", 88.5, "登记", "王伟", 310101199001011234.0])  # as Excel stores it
    sheet.append(["1", "1-102", 90, "登记", "李娜", "310101198001012222"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = read_roll(buffer.getvalue(), "roll.xlsx")
    assert [(p.row, p.column, p.reason) for p in parsed.problems] == [(2, "id_number", "id_number_as_number")]


def test_a_header_without_any_unit_is_an_empty_file():
    parsed = read_roll("楼栋,房号,面积,面积来源,业主姓名,证件号码\n".encode(), "roll.csv")
    assert [(p.row, p.reason) for p in parsed.problems] == [(0, "empty_file")]


# --- files that must not hold a worker (issue 12, point 4) ---------------------------------

def hostile_problems(content: bytes, filename: str) -> list[tuple]:
    with watchdog():
        return problems_of(content, filename)


def test_a_workbook_declaring_a1_xfd1048576_is_refused_at_its_far_cell():
    assert hostile_problems(declared_dimension_xlsx(), "roll.xlsx") == [
        (1_048_576, "", "too_many_columns", "30", 0)]


def test_a_zip_bomb_is_refused_before_it_is_inflated(monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", None)  # never reached
    assert hostile_problems(zip_bomb_xlsx(), "roll.xlsx") == [(0, "", "xlsx_packed", "", 0)]


def test_a_million_row_csv_is_read_only_to_the_row_after_the_limit(monkeypatch):
    from governance_app.files import tables

    read = []
    original = tables.text_lines

    def counting(content, encoding):
        for line in original(content, encoding):
            read.append(1)
            yield line

    monkeypatch.setattr(tables, "text_lines", counting)
    assert hostile_problems(million_row_csv(), "roll.csv") == [(100_002, "", "too_many_rows", "100,000", 0)]
    assert len(read) == 100_002  # the header and 100,001 rows, of 1,000,001 lines


def test_a_roll_of_exactly_100000_rows_is_checked_one_more_is_refused():
    header = "building,unit,area,area_source,owner_name,id_number\n"
    at_limit = read_roll((header + "1,1,1,1,1,1\n" * MAX_ROWS).encode(), "roll.csv")
    assert at_limit.problems[-1].reason == "too_many_problems"  # checked, not refused for its length
    over = read_roll((header + "1,1,1,1,1,1\n" * (MAX_ROWS + 1)).encode(), "roll.csv")
    assert [(p.row, p.reason) for p in over.problems] == [(MAX_ROWS + 2, "too_many_rows")]


def test_columns_up_to_the_limit_are_read_a_value_beyond_is_refused_with_its_row():
    header = ROLL_HEADER + [f"备注{n}" for n in range(MAX_COLUMNS - len(ROLL_HEADER))]
    row = owner_row("1", "1-101", "88.5", "王伟", WANG) + ["x"] * (MAX_COLUMNS - len(ROLL_HEADER))
    assert read_roll(roll_csv([row], header=header), "roll.csv").ok
    assert read_roll(roll_csv([row + ["", "  "]], header=header), "roll.csv").ok  # empty cells beyond
    assert problems_of(roll_csv([row, row[:1] + ["1-102"] + row[2:] + ["", "x"]], header=header)) == [
        (3, "", "too_many_columns", "30", 0)]
    assert problems_of(xlsx([header, row + ["x"]]), "roll.xlsx") == [(2, "", "too_many_columns", "30", 0)]


def test_checking_stops_after_a_thousand_problems():
    rows = [owner_row("1", f"1-{n}", "八十", "王伟", WANG) for n in range(1, 1200)]
    found = problems_of(roll_csv(rows))
    assert len(found) == MAX_PROBLEMS + 1
    assert found[-2][:3] == (MAX_PROBLEMS + 1, "area", "area_not_a_number")
    assert found[-1] == (MAX_PROBLEMS + 2, "", "too_many_problems", "1,000", 0)


def test_a_quote_never_closed_is_a_problem_on_its_line_not_an_error():
    content = roll_csv(good_rows()[:1]) + b'1,1-102,"90,' + b"x" * 200_000 + b"\n"
    assert problems_of(content) == [(3, "", "unreadable_csv", "", 0)]


def test_gbk_text_first_met_far_into_the_file_is_still_read_as_gbk():
    rows = [owner_row("1", f"1-{n}", "88.5", "Wang", f"31010119900101{n:04d}") for n in range(1, 3000)]
    rows.append(owner_row("1", "1-3000", "88.5", "王伟", "310101198001019999"))
    content = roll_csv(rows, header=ENGLISH_HEADER, encoding="gbk")
    assert content.index("王伟".encode("gbk")) > 100_000  # past the first chunks decoded as UTF-8
    parsed = read_roll(content, "roll.csv")
    assert parsed.ok
    assert parsed.units[-1].owners[0].name == "王伟"


@pytest.mark.parametrize("reason", ["unreadable_csv", "too_many_rows", "too_many_columns", "beyond_last_row",
                                    "xlsx_too_large", "xlsx_packed", "too_many_problems"])
def test_every_limit_is_named_in_the_message(app, reason):
    from flask_babel import force_locale

    from governance_app.estates.messages import describe
    from governance_app.estates.roll_file import LIMIT_TEXTS, Problem

    value = LIMIT_TEXTS.get(reason, "1,000" if reason == "too_many_problems" else "")
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        text = describe(Problem(5, "", reason, value))
    assert value in text
    assert "%(" not in text and "Problem:" not in text
