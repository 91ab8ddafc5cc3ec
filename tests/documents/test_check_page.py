"""The public page that checks a document's number: a form, answers in the reader's language,
and a limit per address so that numbers cannot be guessed by trying."""
from __future__ import annotations

from tests.documents.support import UNKNOWN, check_status
from tests.support.site import text


def test_the_page_is_a_form_anyone_can_use(client):
    page = client.get("/documents/check")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert '<form method="get" action="/documents/check"' in body and 'name="number"' in body
    assert "核验文件" in text(page) and "GV-2026-7KQ3-M9TX" in text(page)


def test_unknown_and_malformed_numbers_are_not_issued_here(app, client):
    assert check_status(client, "GV-2026-AAAA-BBBB") == UNKNOWN
    assert check_status(client, "not a number") == UNKNOWN
    from tests.auth.support import page_client

    english = page_client(app, "en").get("/documents/check", query_string={"number": "GV-2026-AAAA-BBBB"})
    assert "Not issued by this platform" in text(english)


def test_an_over_long_number_is_refused_by_the_form(client):
    page = client.get("/documents/check", query_string={"number": "GV-" + "9" * 60})
    assert page.status_code == 200 and "非本平台签发" not in text(page)


def test_checks_are_limited_per_address(client):
    for _ in range(30):
        assert client.get("/documents/check", query_string={"number": "GV-2026-AAAA-BBBB"}).status_code == 200
    limited = client.get("/documents/check", query_string={"number": "GV-2026-AAAA-BBBB"})
    assert limited.status_code == 429
