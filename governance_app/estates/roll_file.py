"""Reading a roll file (CSV in UTF-8 or GBK, or XLSX) into checked units.

This module knows file formats and column names; it reports every problem
with its row, column and a reason code, and never touches the database.
Reason codes are turned into sentences in the user's language by
``estates.messages``.
"""
from __future__ import annotations

import codecs
import csv
import itertools
from dataclasses import dataclass, field

from ..files import tables
from ..files.tables import LimitExceeded
from .rules import AreaError, parse_area

# Canonical column -> accepted header spellings (compared case-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "building": ("building", "楼栋", "楼号", "幢号"),
    "unit": ("unit", "unit_label", "房号", "室号"),
    "area": ("area", "面积", "建筑面积"),
    "area_source": ("area_source", "面积来源"),
    "owner_name": ("owner_name", "owner", "业主姓名", "业主名称", "业主"),
    "id_number": ("id_number", "id_document", "证件号码", "证件号", "身份证号"),
    "phone": ("phone", "电话", "手机", "联系电话"),
    "co_owner_group": ("co_owner_group", "共有组", "共有人组"),
    "representative": ("representative", "代表人", "表决代表"),
    "developer": ("developer", "developer_held", "开发商持有", "开发商"),
    "owner_kind": ("owner_kind", "业主类型"),
}
def chinese_header(column: str) -> str:
    """The Chinese header a template file uses for ``column``."""
    return next(spelling for spelling in COLUMNS[column] if not spelling.isascii())


REQUIRED_COLUMNS = ("building", "unit", "area", "area_source", "owner_name", "id_number")
# The stored columns' widths (models.Building.label, Unit.label, Owner.name, Owner.phone):
# a longer value is the user's to fix, not a database error on PostgreSQL.
MAX_LENGTHS = {"building": 40, "unit": 40, "owner_name": 100, "phone": 32}

AREA_SOURCE_VALUES = {
    "registry": "registry", "登记": "registry", "不动产登记": "registry", "产证": "registry",
    "survey": "survey", "实测": "survey", "测绘": "survey",
    "contract": "contract", "合同": "contract", "预售合同": "contract", "销售合同": "contract",
}
TRUE_VALUES = {"1", "y", "yes", "true", "是", "√"}
FALSE_VALUES = {"", "0", "n", "no", "false", "否"}
OWNER_KIND_VALUES = {
    "": "person", "person": "person", "个人": "person", "自然人": "person",
    "company": "company", "单位": "company", "企业": "company", "公司": "company", "法人": "company",
}
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"

# A file may not hold a worker (see files.tables): a roll of at most 100,000 rows (one per
# owner of each unit), each of at most 30 columns (11 are read), and a workbook that inflates
# to at most 64 MiB (a 100,000-row roll saved by Excel or openpyxl: 50 to 62 MB).
MAX_ROWS = 100_000
MAX_COLUMNS = 30
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_PROBLEMS = 1_000  # checking stops at the row after this many problems
LIMITS = tables.Limits(rows=MAX_ROWS + 1, columns=MAX_COLUMNS, unpacked_bytes=MAX_UNPACKED_BYTES)
LIMIT_TEXTS = {"too_many_rows": f"{MAX_ROWS:,}", "too_many_columns": f"{MAX_COLUMNS:,}",
               "beyond_last_row": f"{tables.EXCEL_LAST_ROW:,}", "xlsx_too_large": f"{MAX_UNPACKED_BYTES >> 20}"}


@dataclass(frozen=True)
class Problem:
    """``row`` is the line in the file (the header is row 1; 0 for the whole file)."""

    row: int
    column: str
    reason: str
    value: str = ""
    other_row: int = 0


@dataclass(slots=True)
class OwnerRow:
    row: int
    name: str
    id_number: str
    phone: str
    kind: str
    representative: bool


@dataclass(slots=True)
class UnitRows:
    """All rows naming one unit: one row per owner."""

    label: str
    building: str
    area: int
    area_source: str
    developer: bool
    first_row: int
    group: str
    owners: list[OwnerRow] = field(default_factory=list)


@dataclass
class ParsedRoll:
    units: list[UnitRows]
    problems: list[Problem]
    row_count: int

    @property
    def ok(self) -> bool:
        return not self.problems


def read_roll(content: bytes, filename: str = "") -> ParsedRoll:
    """Parse and check a roll file; every problem is collected, none raised."""
    table, problems = _read_table(content, filename)
    if problems:
        return ParsedRoll([], problems, 0)
    return _check_rows(table)


def _read_table(content: bytes, filename: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    if content.startswith(OLE_MAGIC):
        return [], [Problem(0, "", "old_excel_format", filename)]
    try:
        if content.startswith(XLSX_MAGIC):
            return _read_xlsx(content)
        return _read_csv(content)
    except LimitExceeded as exceeded:
        return [], [Problem(exceeded.row, "", exceeded.reason, LIMIT_TEXTS.get(exceeded.reason, ""))]


def _read_csv(content: bytes) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GBK/GB18030 as Excel saves it: each
    tried in turn on the text as it is decoded, up to the row limit."""
    encodings = ("utf-8-sig", "gb18030")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16", *encodings)
    for encoding in encodings:
        try:
            return _csv_table(content, encoding)
        except UnicodeDecodeError:
            continue
    return [], [Problem(tables.first_undecodable_line(content), "", "encoding")]


def _csv_table(content: bytes, encoding: str) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    lines = tables.text_lines(content, encoding)
    first_line = next(lines, "")
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(itertools.chain([first_line], lines), delimiter=delimiter)
    counter = tables.RowCounter(LIMITS)
    table, row_start = [], 1
    try:
        for row in reader:
            cells = counter.take(reader.line_num, row)
            if cells is not None:
                table.append((reader.line_num, cells))
            row_start = reader.line_num + 1
    except csv.Error:  # a quote left open runs into a cell longer than csv's limit (131,072 characters)
        return [], [Problem(row_start, "", "unreadable_csv")]
    return table, []


def _read_xlsx(content: bytes) -> tuple[list[tuple[int, list[str]]], list[Problem]]:
    try:
        return tables.xlsx_rows(content, LIMITS, _cell_text), []
    except tables.UNREADABLE_XLSX:
        return [], [Problem(0, "", "unreadable_xlsx")]


# Excel keeps numbers as 64-bit floats: an 18-digit id number typed into a number
# cell has already lost its last digits. Such cells are marked and refused.
IMPRECISE = "\x00imprecise:"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if abs(value) >= 2 ** 53:
            return IMPRECISE + repr(value)
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _match_header(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    spellings = {s.casefold(): name for name, options in COLUMNS.items() for s in options}
    positions: dict[str, int] = {}
    problems = []
    for index, title in enumerate(header):
        name = spellings.get(title.strip().casefold())
        if name is None:
            continue
        if name in positions:
            problems.append(Problem(1, title.strip(), "duplicate_column"))
        positions[name] = index
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problems.append(Problem(1, name, "missing_column"))
    return positions, problems


def _check_rows(table: list[tuple[int, list[str]]]) -> ParsedRoll:
    if not table:
        return ParsedRoll([], [Problem(0, "", "empty_file")], 0)
    header_row, header = table[0]
    positions, problems = _match_header(header)
    if problems:
        return ParsedRoll([], problems, 0)
    if len(table) == 1:  # a header without a single unit would report every unit as missing
        return ParsedRoll([], [Problem(0, "", "empty_file")], 0)
    units: dict[str, UnitRows] = {}
    names_by_document: dict[str, tuple[str, int]] = {}
    for number, cells in table[1:]:
        if len(problems) >= MAX_PROBLEMS:
            return _stopped(problems, number, len(table) - 1)

        def cell(name: str) -> str:
            index = positions.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        row_problems: list[Problem] = []
        label, building = cell("unit"), cell("building")
        if not building:
            row_problems.append(Problem(number, "building", "missing_value"))
        if not label:
            row_problems.append(Problem(number, "unit", "missing_value"))
        for column, limit in MAX_LENGTHS.items():
            if len(cell(column)) > limit:
                row_problems.append(Problem(number, column, "too_long", str(limit)))
        area = 0
        try:
            area = parse_area(cell("area"))
        except AreaError as error:
            row_problems.append(Problem(number, "area", f"area_{error.reason}", cell("area")))
        source = AREA_SOURCE_VALUES.get(cell("area_source").casefold())
        if source is None:
            row_problems.append(Problem(number, "area_source", "unknown_area_source", cell("area_source")))
        name, document = cell("owner_name"), cell("id_number").replace(" ", "").upper()
        if not name:
            row_problems.append(Problem(number, "owner_name", "missing_owner"))
        if document.startswith(IMPRECISE.upper()):
            row_problems.append(Problem(number, "id_number", "id_number_as_number"))
        elif not document:
            row_problems.append(Problem(number, "id_number", "missing_id_number"))
        elif len(document) < 4:
            row_problems.append(Problem(number, "id_number", "id_number_too_short", _mask(document)))
        flags = {}
        for flag in ("developer", "representative"):
            text = cell(flag).casefold()
            if text in TRUE_VALUES:
                flags[flag] = True
            elif text in FALSE_VALUES:
                flags[flag] = False
            else:
                row_problems.append(Problem(number, flag, "bad_yes_no", cell(flag)))
        kind = OWNER_KIND_VALUES.get(cell("owner_kind").casefold())
        if kind is None:
            row_problems.append(Problem(number, "owner_kind", "unknown_owner_kind", cell("owner_kind")))
        if flags.get("developer"):
            kind = "company" if not cell("owner_kind") else kind
        problems.extend(row_problems)
        if row_problems:
            continue
        if document in names_by_document and names_by_document[document][0] != name:
            problems.append(Problem(number, "id_number", "document_name_conflict", name,
                                    names_by_document[document][1]))
            continue
        names_by_document.setdefault(document, (name, number))
        owner = OwnerRow(number, name, document, cell("phone"), kind, flags["representative"])
        group = cell("co_owner_group")
        existing = units.get(label)
        if existing is None:
            units[label] = UnitRows(label, building, area, source, flags["developer"], number, group, [owner])
            continue
        problem = _second_row_problem(existing, owner, group, building, area, source, flags["developer"])
        if problem:
            problems.append(problem)
        else:
            existing.owners.append(owner)
    for unit in units.values():
        if len(unit.owners) > 1:
            representatives = [o for o in unit.owners if o.representative]
            if not representatives:
                problems.append(Problem(unit.first_row, "representative", "no_representative", unit.label))
            elif len(representatives) > 1:
                problems.append(Problem(representatives[1].row, "representative", "several_representatives",
                                        unit.label, representatives[0].row))
    problems.sort(key=lambda p: (p.row, p.column))
    return ParsedRoll(list(units.values()), problems, len(table) - 1)


def _stopped(problems: list[Problem], row: int, row_count: int) -> ParsedRoll:
    """A file this wrong is not checked to its end: the first problems are enough to act on."""
    problems.sort(key=lambda p: (p.row, p.column))
    return ParsedRoll([], [*problems[:MAX_PROBLEMS], Problem(row, "", "too_many_problems", f"{MAX_PROBLEMS:,}")],
                      row_count)


def _second_row_problem(unit: UnitRows, owner: OwnerRow, group: str, building: str, area: int,
                        source: str, developer: bool) -> Problem | None:
    """A unit may appear again only as another co-owner in the same co-owner group."""
    if not group or group != unit.group:
        return Problem(owner.row, "unit", "duplicate_unit", unit.label, unit.first_row)
    if any(o.id_number == owner.id_number for o in unit.owners):
        return Problem(owner.row, "id_number", "owner_twice_in_unit", unit.label, unit.first_row)
    if (building, area, source, developer) != (unit.building, unit.area, unit.area_source, unit.developer):
        return Problem(owner.row, "unit", "co_owner_rows_disagree", unit.label, unit.first_row)
    return None


def _mask(document: str) -> str:
    return "*" * max(len(document) - 2, 0) + document[-2:]
