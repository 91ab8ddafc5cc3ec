"""Files download under the names they were uploaded with, made harmless, and the header carries
any name safely (RFC 6266 with RFC 5987's UTF-8 ``filename*``)."""
from __future__ import annotations

from urllib.parse import unquote

import pytest
from werkzeug.http import parse_options_header

from governance_app.files.names import MAX_LENGTH, clean, content_disposition, download_name


@pytest.mark.parametrize("original, wanted", [
    ("会议纪要.pdf", "会议纪要.pdf"),
    ("Résumé 2026.PDF", "Résumé 2026.PDF"),
    ("../../etc/passwd", "passwd.pdf"),
    ("C:\\Users\\x\\evil.pdf", "evil.pdf"),
    ("a\r\nSet-Cookie: x=1.pdf", "aSet-Cookie_ x=1.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe.pdf"),  # the right-to-left mark would show "exe.pdf"
    ('"quoted";x.pdf', "_quoted__x.pdf"),
    ("nul\x00byte.pdf", "nulbyte.pdf"),
    ("plan.exe", "plan.exe.pdf"),
    ("..", "attachment-3.pdf"),
    ("", "attachment-3.pdf"),
    (None, "attachment-3.pdf"),
    ("  .hidden.pdf ", "hidden.pdf"),
])
def test_a_hostile_name_is_cleaned_and_ends_with_the_extension_of_its_content(original, wanted):
    assert download_name(original, "application/pdf", "attachment-3") == wanted


def test_the_extension_follows_the_content_not_the_name():
    assert download_name("slip.pdf", "image/png", "evidence-1") == "slip.pdf.png"
    assert download_name("照片.JPEG", "image/jpeg", "evidence-1") == "照片.JPEG"
    assert download_name("scan", "image/jpeg", "evidence-1") == "scan.jpg"


def test_a_long_name_is_shortened_keeping_its_extension():
    name = download_name("很" * 300 + ".pdf", "application/pdf", "x")
    assert len(name) == MAX_LENGTH and name.endswith("很.pdf")
    assert len(clean("a" * 500)) == MAX_LENGTH


@pytest.mark.parametrize("name", ["会议纪要.pdf", "Résumé 2026.PDF", "a b;c.pdf", '引号"和\\斜杠.pdf', "100%.pdf",
                                  "x\r\nLocation: /evil.pdf"])
def test_the_header_reads_back_as_the_cleaned_name_and_holds_one_line_of_ascii(name):
    header = content_disposition("attachment", name, "attachment-3.pdf")
    header.encode("ascii")  # raises on anything a header cannot carry
    assert "\r" not in header and "\n" not in header
    disposition, options = parse_options_header(header)
    assert disposition == "attachment"
    assert options["filename"] == clean(name)  # werkzeug prefers filename* as browsers do
    assert "/" not in options["filename"] and "\\" not in options["filename"]


def test_a_chinese_name_gets_an_ascii_fallback_for_old_clients():
    header = content_disposition("inline", "会议纪要.pdf", "attachment-3.pdf")
    assert header.startswith('inline; filename="attachment-3.pdf"; filename*=UTF-8\'\'')
    assert unquote(header.split("UTF-8''", 1)[1]) == "会议纪要.pdf"
    assert content_disposition("attachment", "statement-2026.csv") == 'attachment; filename="statement-2026.csv"'
