"""Bank-file problems in words, in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .bank_file import Problem

FIELD_TITLES = {
    "date": _l("date"),
    "amount": _l("amount (signed)"),
    "amount_in": _l("money in"),
    "amount_out": _l("money out"),
    "counterparty": _l("counterparty"),
    "description": _l("description"),
    "reference": _l("bank reference"),
}

REASONS = {
    # the file
    "empty_file": _l("The file has no rows."),
    "encoding": _l("The file is neither UTF-8 nor GBK text. Save it from Excel as CSV (UTF-8) or as .xlsx."),
    "old_excel_format": _l("Old Excel .xls files cannot be read. Open %(value)s in Excel and save it as .xlsx "
                           "or CSV."),
    "unreadable_xlsx": _l("The .xlsx file is damaged or is not an Excel workbook."),
    "html_file": _l("This file is a web page saved under an Excel name. Open it in Excel and save it as .xlsx "
                    "or CSV."),
    "unreadable_csv": _l("A quotation mark opened on this line is never closed, so the rest of the file reads as "
                         "one cell. Correct the line, or export the statement again."),
    "too_many_rows": _l("The file has more than %(value)s lines, the most a bank file may have. Export the "
                        "statement in shorter periods (a month or a quarter) and import each file."),
    "too_many_columns": _l("The sheet goes on beyond column %(value)s here: a bank file may have at most "
                           "%(value)s columns. Delete the columns after the last one you use."),
    "beyond_last_row": _l("The file goes on past row %(value)s, the last row a spreadsheet can have. Delete the "
                          "rows after the statement, or export it again."),
    "xlsx_too_large": _l("The workbook unpacks to more than %(value)s MB, more than any bank statement needs. "
                         "Export the statement in shorter periods, or as CSV."),
    "xlsx_packed": _l("The workbook is packed as no spreadsheet program packs one: it would unpack to far more than "
                      "its size. Open it in Excel or WPS and save it again, or export it as CSV."),
    "too_many_problems": _l("Checking stopped here, after %(value)s problems. Correct them and check the file "
                            "again."),
    "no_header": _l("No header row was found: the table needs a row naming at least three columns."),
    "no_rows": _l("The file has a header but no transactions."),
    # the mapping of columns
    "mapping_unknown_field": _l("Unknown field “%(value)s” in the column choice."),
    "mapping_missing_date": _l("Choose the column that holds the date."),
    "mapping_missing_amount": _l("Choose either the column with the signed amount, or both the money-in and "
                                 "the money-out columns."),
    "mapping_amount_and_in_out": _l("Choose either a signed amount column or money-in and money-out columns, "
                                    "not both."),
    "mapping_unknown_header": _l("The file has no column “%(value)s”."),
    "mapping_header_twice": _l("Column “%(value)s” is chosen for two fields."),
    # one row
    "imprecise_number": _l("Excel saved %(value)s as a number and it has lost digits. Format the column as text, "
                           "type the value again and save."),
    "date_empty": _l("The date is empty."),
    "date_invalid": _l("“%(value)s” is not a date: write it as 2026-07-01, 2026/7/1, 20260701 or 2026年7月1日."),
    "amount_empty": _l("The row has no amount."),
    "amount_not_a_number": _l("The amount “%(value)s” is not a number."),
    "amount_too_many_decimals": _l("The amount “%(value)s” has more than 2 decimals."),
    "amount_zero": _l("The amount is zero."),
    "amount_signed_in_column": _l("The amount “%(value)s” has a sign in a money-in or money-out column: write it "
                                  "without the sign in the right column."),
    "amount_in_and_out": _l("The row has both a money-in and a money-out amount (%(value)s)."),
    "too_long": _l("The text is too long: at most %(value)s characters."),
}


def field_title(field: str) -> str:
    return str(FIELD_TITLES[field]) if field in FIELD_TITLES else field


def describe(problem: Problem) -> str:
    template = REASONS.get(problem.reason)
    if template is None:
        return problem.reason
    return str(template) % {"value": problem.value}
