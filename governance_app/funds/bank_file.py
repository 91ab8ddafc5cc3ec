"""Reading a bank statement export (CSV or XLSX) into rows for draft ledger entries.

The treasurer maps the file's headers to our fields (``guess_mapping`` proposes a
mapping from the usual Chinese bank headers). This module knows file formats and
reports every problem with its row, field and a reason code; it never touches the
database. Reason codes become sentences in the user's language in
``funds.bank_messages``.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..files import tables
from ..files.tables import LimitExceeded
from .rules import MoneyError, parse_yuan

DATE = "date"
AMOUNT = "amount"  # one signed column: negative is money out
AMOUNT_IN = "amount_in"  # or two columns, money in and money out
AMOUNT_OUT = "amount_out"
COUNTERPARTY = "counterparty"
DESCRIPTION = "description"
REFERENCE = "reference"
MAPPING_FIELDS = (DATE, AMOUNT, AMOUNT_IN, AMOUNT_OUT, COUNTERPARTY, DESCRIPTION, REFERENCE)

# Our field -> header spellings of common Chinese bank exports, best first (compared after
# removing spaces, a unit in brackets such as "(元)" and upper/lower case).
HEADER_SPELLINGS: dict[str, tuple[str, ...]] = {
    DATE: ("交易日期", "记账日期", "入账日期", "交易时间", "日期", "date", "transaction date", "value date"),
    AMOUNT: ("交易金额", "金额", "发生额", "amount"),
    AMOUNT_IN: ("收入金额", "贷方发生额", "贷方金额", "收入", "贷方", "credit", "credit amount"),
    AMOUNT_OUT: ("支出金额", "借方发生额", "借方金额", "支出", "借方", "debit", "debit amount"),
    COUNTERPARTY: ("对方户名", "对方账户名称", "对方账户名", "交易对方", "对方名称", "对方单位", "counterparty",
                   "payee", "payer"),
    DESCRIPTION: ("摘要", "用途", "附言", "备注", "交易摘要", "description", "memo", "remark"),
    REFERENCE: ("交易流水号", "流水号", "凭证号", "交易参考号", "参考号", "reference", "transaction id"),
}
# The stored columns' widths (models.Entry.counterparty, Entry.bank_reference).
MAX_LENGTHS = {COUNTERPARTY: 200, REFERENCE: 100}
# A header row is the first row with at least this many non-empty cells; rows above it are
# the bank's title block (account number, holder, period).
HEADER_MIN_CELLS = 3
HEADER_SEARCH = 30  # rows of that many cells looked at for a recognised header
# First cell of a trailing total row (compared without spaces and colons).
TOTAL_LABELS = ("合计", "总计", "小计", "本页合计", "本期合计", "本月合计", "total")
EMPTY_AMOUNTS = ("", "-", "--", "—")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old binary .xls
# A file may not hold a worker (see files.tables): at most 50,000 non-empty lines (title,
# header and totals included), each of at most 40 columns, and a workbook that inflates to at
# most 32 MiB (50,000 lines of ten columns saved by Excel: about 20 MB).
MAX_LINES = 50_000
MAX_COLUMNS = 40
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_PROBLEMS = 1_000  # checking stops at the line after this many problems
LIMITS = tables.Limits(rows=MAX_LINES, columns=MAX_COLUMNS, unpacked_bytes=MAX_UNPACKED_BYTES)
LIMIT_TEXTS = {"too_many_rows": f"{MAX_LINES:,}", "too_many_columns": f"{MAX_COLUMNS:,}",
               "beyond_last_row": f"{tables.EXCEL_LAST_ROW:,}", "xlsx_too_large": f"{MAX_UNPACKED_BYTES >> 20}"}
# Excel keeps numbers as 64-bit floats: a long serial number typed into a number cell has
# lost its last digits, and an amount beyond 15 significant digits is no longer exact.
IMPRECISE = "\x00imprecise:"
EXACT_FRACTION_LIMIT = 10 ** 13  # 13 digits + 2 decimals = 15 significant digits
EXACT_INTEGER_LIMIT = 2 ** 53


@dataclass(frozen=True)
class Problem:
    """``row`` is the line in the file (sheet row for XLSX; 0 for the whole file);
    ``column`` is one of MAPPING_FIELDS, or "" for the whole row or file."""

    row: int
    column: str
    reason: str
    value: str = ""


@dataclass(frozen=True, slots=True)
class BankRow:
    row: int
    day: dt.date
    direction: str  # "in" | "out"
    amount: int  # fen, > 0
    counterparty: str
    description: str
    reference: str


@dataclass
class BankFile:
    rows: list[BankRow]
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


Table = list[tuple[int, list[str]]]


# --- the table ------------------------------------------------------------------------

def read_table(content: bytes, filename: str = "") -> tuple[list[str], Table, list[Problem]]:
    """The header names and the non-empty rows below the header, with their row numbers."""
    if not content.strip():
        return [], [], [Problem(0, "", "empty_file")]
    if content.startswith(OLE_MAGIC):
        return [], [], [Problem(0, "", "old_excel_format", filename)]
    try:
        if content.startswith(XLSX_MAGIC):
            table, problems = _read_xlsx(content)
        elif filename.lower().endswith((".xlsx", ".xlsm")):
            return [], [], [Problem(0, "", "unreadable_xlsx", filename)]
        else:
            table, problems = _read_csv(content)
    except LimitExceeded as exceeded:
        return [], [], [Problem(exceeded.row, "", exceeded.reason, LIMIT_TEXTS.get(exceeded.reason, ""))]
    if problems:
        return [], [], problems
    position = _header_position(table)
    if position is None:
        return [], [], [Problem(0, "", "no_header" if table else "empty_file")]
    return _header_names(table[position][1]), table[position + 1:], []


def _header_position(table: Iterable[tuple[int, list[str]]]) -> int | None:
    """The first row that names a date and an amount, among the first HEADER_SEARCH rows of at
    least HEADER_MIN_CELLS non-empty cells; failing that, the first of those. Rows above it are
    the bank's title block (account number, holder, period), which may itself have several
    cells. Reads ``table`` only as far as it must."""
    first_wide, wide_seen = None, 0
    for position, (_number, cells) in enumerate(table):
        if sum(1 for cell in cells if cell) < HEADER_MIN_CELLS:
            continue
        if first_wide is None:
            first_wide = position
        mapping = guess_mapping(_header_names(cells))
        if not validate_mapping(mapping, list(mapping.values())):
            return position
        wide_seen += 1
        if wide_seen == HEADER_SEARCH:
            break
    return first_wide


def _read_csv(content: bytes) -> tuple[Table, list[Problem]]:
    lines, problem = _decoded_lines(content)
    if problem:
        return [], [problem]
    if lines is None:
        # Several banks save an HTML table under an .xls name.
        return [], [Problem(0, "", "html_file")]
    candidates: Table = []

    def split_lines():
        for number, line in enumerate(lines, start=1):
            if line.strip():
                candidates.append((number, _split(line)))
                yield candidates[-1]

    position = _header_position(split_lines())
    if position is None:
        return candidates, []  # read_table reports "no_header"
    header_number = candidates[position][0]
    delimiter = _delimiter(lines[header_number - 1])
    # Lines above the header are kept whole: they are the title block, never data.
    table = [(number, [line.strip()]) for number, line in enumerate(lines[:header_number - 1], start=1)
             if line.strip()]
    reader = csv.reader(io.StringIO("\n".join(lines[header_number - 1:])), delimiter=delimiter)
    first_line = 1
    try:
        for cells in reader:
            cells = [cell.strip() for cell in cells]
            if any(cells):
                table.append((header_number - 1 + first_line, cells))
            first_line = reader.line_num + 1
    except csv.Error:  # a quote left open runs into a cell longer than csv's limit (131,072 characters)
        return [], [Problem(header_number - 1 + first_line, "", "unreadable_csv")]
    return table, []


def _decoded_lines(content: bytes) -> tuple[list[str] | None, Problem | None]:
    """The file's lines (as ``str.splitlines`` cuts them), decoded as they are read and counted
    against the line limit; None for a web page. UTF-8 (with or without BOM), UTF-16 with BOM
    (Excel's "Unicode text"), or GBK/GB18030 as Chinese Excel and bank systems save it."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _counted_lines(content, "utf-16"), None
        except UnicodeDecodeError:
            return None, Problem(0, "", "encoding")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return _counted_lines(content, encoding), None
        except UnicodeDecodeError:
            continue
    return None, Problem(_undecodable_line(content), "", "encoding")


def _counted_lines(content: bytes, encoding: str) -> list[str] | None:
    counter = tables.RowCounter(LIMITS)
    lines: list[str] = []
    for text in tables.text_lines(content, encoding):
        for line in text.splitlines():
            if counter.rows == 0 and line.lstrip().startswith("<"):
                return None
            lines.append(line)
            # A line is one cell here: its columns are counted once the delimiter is known.
            counter.take(len(lines), [line])
    return lines


def _undecodable_line(content: bytes) -> int:
    """The line of the first byte that is neither UTF-8 nor GB18030. Chinese text before the
    first byte that is not UTF-8 means a UTF-8 file, and that byte is the bad spot; otherwise
    the first byte that is not GB18030 is. A line at a time: no multi-byte character of either
    holds the byte of a line feed."""
    ascii_so_far = True
    for number, line in enumerate(io.BytesIO(content), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as error:
            if not (ascii_so_far and line[:error.start].isascii()):
                return number
            break
        ascii_so_far = ascii_so_far and line.isascii()
    return tables.first_undecodable_line(content, "gb18030")


def _split(line: str) -> list[str]:
    delimiter = _delimiter(line)
    if not delimiter:
        return [line.strip()]
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def _delimiter(line: str) -> str:
    """The delimiter that splits a header line into the most non-empty cells (at least 3)."""
    best, best_count = "", HEADER_MIN_CELLS - 1
    for delimiter in (",", "\t", ";"):
        count = sum(1 for cell in next(csv.reader([line], delimiter=delimiter), []) if cell.strip())
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _read_xlsx(content: bytes) -> tuple[Table, list[Problem]]:
    try:
        return tables.xlsx_rows(content, LIMITS, lambda value: _cell_text(value).strip()), []
    except tables.UNREADABLE_XLSX:
        return [], [Problem(0, "", "unreadable_xlsx")]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and abs(value) >= EXACT_INTEGER_LIMIT:
        return IMPRECISE + str(value)  # openpyxl reads "9007199254740993" as int; Excel already rounded it
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)) if abs(value) < EXACT_INTEGER_LIMIT else IMPRECISE + repr(value)
        # repr is the shortest text that reads back as the same float: "1234.56" for what
        # was typed as 1234.56, as long as it has at most 15 significant digits.
        return repr(value) if abs(value) < EXACT_FRACTION_LIMIT else IMPRECISE + repr(value)
    return str(value)


def _header_names(cells: list[str]) -> list[str]:
    """Header names, unique and non-empty, so that a mapping can name each column."""
    while cells and not cells[-1]:
        cells = cells[:-1]
    names: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = cell or f"({position})"
        if name in names:
            name = f"{name} ({position})"
        names.append(name)
    return names


# --- the mapping ----------------------------------------------------------------------

def _normalise_header(header: str) -> str:
    text = re.sub(r"\s+", "", header).casefold()
    return re.sub(r"[（(][^）)]*[）)]$", "", text)  # "交易金额(元)", "金额（RMB）"


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """Our fields -> header names, for the headers recognised; one header per field at most."""
    normalised = {header: _normalise_header(header) for header in headers}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field, spellings in HEADER_SPELLINGS.items():
        for spelling in spellings:
            wanted = _normalise_header(spelling)
            header = next((h for h in headers if normalised[h] == wanted and h not in used), None)
            if header is not None:
                mapping[field] = header
                used.add(header)
                break
    if AMOUNT_IN in mapping and AMOUNT_OUT in mapping:
        mapping.pop(AMOUNT, None)  # "金额" beside 收入/支出 is usually the balance or a copy
    elif AMOUNT in mapping:
        mapping.pop(AMOUNT_IN, None)
        mapping.pop(AMOUNT_OUT, None)
    return mapping


def _used(mapping: dict[str, str]) -> dict[str, str]:
    """The mapping without unused fields (a form sends "" for "not in this file")."""
    return {field: header for field, header in mapping.items() if header}


def validate_mapping(mapping: dict[str, str], headers: list[str]) -> list[str]:
    """Problem codes of a mapping, each once, in a stable order."""
    mapping = _used(mapping)
    codes = []
    if any(field not in MAPPING_FIELDS for field in mapping):
        codes.append("mapping_unknown_field")
    if DATE not in mapping:
        codes.append("mapping_missing_date")
    has_in_out = AMOUNT_IN in mapping and AMOUNT_OUT in mapping
    if AMOUNT in mapping and (AMOUNT_IN in mapping or AMOUNT_OUT in mapping):
        codes.append("mapping_amount_and_in_out")
    elif AMOUNT not in mapping and not has_in_out:
        codes.append("mapping_missing_amount")
    if any(header not in headers for header in mapping.values()):
        codes.append("mapping_unknown_header")
    if len(set(mapping.values())) < len(mapping):
        codes.append("mapping_header_twice")
    return codes


def _mapping_problems(mapping: dict[str, str], headers: list[str]) -> list[Problem]:
    """The codes of ``validate_mapping``, with the field and header they concern."""
    mapping = _used(mapping)
    problems = []
    seen: dict[str, str] = {}
    for code in validate_mapping(mapping, headers):
        if code == "mapping_unknown_field":
            problems += [Problem(0, "", code, f) for f in mapping if f not in MAPPING_FIELDS]
        elif code == "mapping_unknown_header":
            problems += [Problem(0, f, code, h) for f, h in mapping.items() if h not in headers]
        elif code == "mapping_header_twice":
            for field, header in mapping.items():
                if header in seen:
                    problems.append(Problem(0, field, code, header))
                seen.setdefault(header, field)
        else:
            problems.append(Problem(0, "", code))
    return problems


# --- the rows -------------------------------------------------------------------------

def read_bank_rows(content: bytes, filename: str, mapping: dict[str, str]) -> BankFile:
    """Parse and check every row; every problem is collected, none raised. The caller
    writes nothing while there is any problem."""
    headers, table, problems = read_table(content, filename)
    if problems:
        return BankFile([], problems)
    problems = _mapping_problems(mapping, headers)
    if problems:
        return BankFile([], problems)
    positions = {field: headers.index(header) for field, header in _used(mapping).items()}
    table = _without_total_rows(table, positions)
    rows: list[BankRow] = []
    for number, cells in table:
        if len(problems) >= MAX_PROBLEMS:  # a file this wrong is not checked to its end
            return BankFile([], [*problems[:MAX_PROBLEMS],
                                 Problem(number, "", "too_many_problems", f"{MAX_PROBLEMS:,}")])
        row, row_problems = _read_row(number, cells, positions)
        problems += row_problems
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem(0, "", "no_rows"))
    return BankFile(rows if not problems else [], problems)


def _without_total_rows(table: Table, positions: dict[str, int]) -> Table:
    end = len(table)
    while end and _is_total_row(table[end - 1][1], positions):
        end -= 1
    return table[:end]


def _is_total_row(cells: list[str], positions: dict[str, int]) -> bool:
    first = next((cell for cell in cells if cell), "")
    label = re.sub(r"[\s:：]", "", first).casefold()
    if not any(label.startswith(total) for total in TOTAL_LABELS):
        return False
    return _parse_date(_cell(cells, positions, DATE)) is None


def _cell(cells: list[str], positions: dict[str, int], field: str) -> str:
    index = positions.get(field)
    return cells[index] if index is not None and index < len(cells) else ""


def _read_row(number: int, cells: list[str], positions: dict[str, int]) -> tuple[BankRow | None, list[Problem]]:
    problems = [Problem(number, field, "imprecise_number", _cell(cells, positions, field)[len(IMPRECISE):])
                for field in positions if _cell(cells, positions, field).startswith(IMPRECISE)]
    if problems:
        return None, problems
    text = {field: _cell(cells, positions, field) for field in MAPPING_FIELDS}
    day = _parse_date(text[DATE])
    if not text[DATE]:
        problems.append(Problem(number, DATE, "date_empty"))
    elif day is None:
        problems.append(Problem(number, DATE, "date_invalid", text[DATE]))
    if AMOUNT in positions:
        direction, amount, amount_problems = _signed_amount(number, text[AMOUNT])
    else:
        direction, amount, amount_problems = _in_out_amount(number, text[AMOUNT_IN], text[AMOUNT_OUT])
    problems += amount_problems
    for field, limit in MAX_LENGTHS.items():
        if len(text[field]) > limit:
            problems.append(Problem(number, field, "too_long", str(limit)))
    if problems:
        return None, problems
    return BankRow(number, day, direction, amount, text[COUNTERPARTY], text[DESCRIPTION], text[REFERENCE]), []


def _parse_amount(text: str) -> int:
    cleaned = text.strip().removesuffix("元").strip()
    if cleaned[:1] in "+-" and cleaned[1:2] in ("+", "-"):
        raise MoneyError("not_a_number")
    return parse_yuan(cleaned)


def _signed_amount(number: int, text: str) -> tuple[str, int, list[Problem]]:
    if text in EMPTY_AMOUNTS:
        return "", 0, [Problem(number, AMOUNT, "amount_empty")]
    try:
        fen = _parse_amount(text)
    except MoneyError as error:
        return "", 0, [Problem(number, AMOUNT, f"amount_{error.reason}", text)]
    if fen == 0:
        return "", 0, [Problem(number, AMOUNT, "amount_zero", text)]
    return ("in", fen, []) if fen > 0 else ("out", -fen, [])


def _in_out_amount(number: int, in_text: str, out_text: str) -> tuple[str, int, list[Problem]]:
    """Exactly one of the two columns holds an amount; banks often write 0.00 or "-" in the
    other one, which counts as empty."""
    found: dict[str, int] = {}
    problems = []
    for direction, field, text in (("in", AMOUNT_IN, in_text), ("out", AMOUNT_OUT, out_text)):
        if text in EMPTY_AMOUNTS:
            continue
        try:
            found[direction] = _parse_amount(text)
        except MoneyError as error:
            problems.append(Problem(number, field, f"amount_{error.reason}", text))
            continue
        if found[direction] < 0:
            # A sign inside an in/out column (a refund? a reversal?) is the treasurer's to decide.
            problems.append(Problem(number, field, "amount_signed_in_column", text))
    if problems:
        return "", 0, problems
    filled = {direction: fen for direction, fen in found.items() if fen}
    if len(filled) == 2:
        return "", 0, [Problem(number, "", "amount_in_and_out", f"{in_text} / {out_text}")]
    if not filled:
        if found:
            return "", 0, [Problem(number, "", "amount_zero", in_text or out_text)]
        return "", 0, [Problem(number, "", "amount_empty")]
    direction, fen = next(iter(filled.items()))
    return direction, fen, []


DATE_PATTERNS = (
    # 2026-07-01, 2026/7/1, 2026.7.1, 2026年7月1日, each with an optional time
    re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"),
    # 20260701, 20260701 10:30:00, 20260701103000
    re.compile(r"(\d{4})(\d{2})(\d{2})(?:\s*\d{2}:?\d{2}(?::?\d{2})?)?"),
)


def _parse_date(text: str) -> dt.date | None:
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text.strip())
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None
