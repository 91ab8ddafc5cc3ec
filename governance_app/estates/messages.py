"""Roll-file problems in words, in the reader's language."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .roll_file import COLUMNS, Problem, chinese_header

COLUMN_TITLES = {
    "building": _l("building"),
    "unit": _l("unit"),
    "area": _l("area"),
    "area_source": _l("area source"),
    "owner_name": _l("owner name"),
    "id_number": _l("id document number"),
    "phone": _l("phone"),
    "co_owner_group": _l("co-owner group"),
    "representative": _l("representative"),
    "developer": _l("developer-held"),
    "owner_kind": _l("owner kind"),
}

REASONS = {
    "encoding": _l("The file is neither UTF-8 nor GBK text. Save it from Excel as CSV (UTF-8) or as .xlsx."),
    "old_excel_format": _l("Old Excel .xls files cannot be read. Save the sheet as .xlsx or CSV."),
    "unreadable_xlsx": _l("The .xlsx file is damaged or is not an Excel workbook."),
    "empty_file": _l("The file has no rows."),
    "unreadable_csv": _l("A quotation mark opened on this line is never closed, so the rest of the file reads as "
                         "one cell. Correct the line, or save the file again from Excel."),
    "too_many_rows": _l("The file has more than %(value)s rows, the most a roll file may have (one row per owner "
                        "of each unit). Split it into files of at most %(value)s rows and import them one after "
                        "the other: units that are not in a file stay as they are."),
    "too_many_columns": _l("The sheet goes on beyond column %(value)s here: a roll file may have at most "
                           "%(value)s columns. Delete the columns after the last one you use."),
    "beyond_last_row": _l("The file goes on past row %(value)s, the last row a spreadsheet can have. Delete the "
                          "rows after the roll, or save the roll again from Excel."),
    "xlsx_too_large": _l("The workbook unpacks to more than %(value)s MB, more than any roll needs. Save the roll "
                         "alone in a new workbook, or as CSV."),
    "xlsx_packed": _l("The workbook is packed as no spreadsheet program packs one: it would unpack to far more than "
                      "its size. Open it in Excel or WPS and save it again, or save it as CSV."),
    "too_many_problems": _l("Checking stopped here, after %(value)s problems. Correct them and check the file "
                            "again."),
    "missing_column": _l("Required column “%(column)s” is missing from the header."),
    "duplicate_column": _l("Column “%(value)s” appears twice in the header."),
    "missing_value": _l("%(column)s is empty."),
    "too_long": _l("%(column)s is too long: at most %(value)s characters."),
    "area_empty": _l("The area is empty."),
    "area_not_a_number": _l("The area “%(value)s” is not a number."),
    "area_too_many_decimals": _l("The area “%(value)s” has more than 2 decimals."),
    "area_not_positive": _l("The area “%(value)s” must be greater than zero."),
    "unknown_area_source": _l("Unknown area source “%(value)s”: use registry, survey or contract (登记, 实测, 合同)."),
    "missing_owner": _l("The owner's name is missing."),
    "missing_id_number": _l("The owner's id document number is missing."),
    "id_number_too_short": _l("The id document number is too short."),
    "id_number_as_number": _l("The id document number was saved by Excel as a number and has lost its last digits. Format the column as text, type the numbers again and save."),
    "bad_yes_no": _l("“%(value)s” is not yes or no (是/否)."),
    "unknown_owner_kind": _l("Unknown owner kind “%(value)s”: use person or company (个人/单位)."),
    "document_name_conflict": _l("The same id document number was given for another name in row %(other_row)s."),
    "duplicate_unit": _l("Unit %(value)s already appears in row %(other_row)s. Co-owners of one unit must share a co-owner group."),
    "owner_twice_in_unit": _l("This owner is already listed for unit %(value)s in row %(other_row)s."),
    "co_owner_rows_disagree": _l("Unit %(value)s: building, area, area source or developer flag differ from row %(other_row)s."),
    "no_representative": _l("Co-owned unit %(value)s has no voting representative: mark one co-owner as representative."),
    "several_representatives": _l("Co-owned unit %(value)s has more than one representative (also row %(other_row)s)."),
    "conflicting_representatives": _l("Unit %(value)s: the same co-owners hold another unit with a different "
                                      "representative. They vote once for all their units (R-15): name the same "
                                      "representative for each."),
}


def column_title(column: str) -> str:
    return str(COLUMN_TITLES[column]) if column in COLUMNS else column


def describe(problem: Problem) -> str:
    template = REASONS.get(problem.reason)
    if template is None:
        return _("Problem: %(reason)s", reason=problem.reason)
    column = column_title(problem.column)
    if problem.reason == "missing_column":
        column = f"{chinese_header(problem.column)} / {problem.column}"
    return str(template) % {"column": column, "value": problem.value, "other_row": problem.other_row}


CHANGE_TITLES = {
    "added": _l("new unit"),
    "building": _l("building"),
    "area": _l("area"),
    "area_source": _l("area source"),
    "developer_held": _l("developer-held"),
    "owners": _l("owners"),
    "representative": _l("representative"),
    "owner_name": _l("owner name"),
    "owner_phone": _l("phone"),
    "owner_kind": _l("owner kind"),
}


def change_title(field: str) -> str:
    return str(CHANGE_TITLES.get(field, field))
