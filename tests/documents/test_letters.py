"""Activation letters as a PDF, from the same POST that issues the codes: one page and one number
per voter; a letter checks as current while its code can still open an account."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from governance_app.auth.models import ActivationCode
from governance_app.documents.models import DocumentKind, DocumentRecord
from governance_app.extensions import db
from tests.documents.support import (
    CURRENT, SUPERSEDED, assert_cjk_font_embedded, check_status, flat, numbers, page_count, pdf_text,
)
from tests.support.site import fresh, text

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def _letters_pdf(pages, estate, **form):
    """The PDF button starts a job (issue 16; inline in tests) and leads to its progress page,
    from which the file downloads."""
    response = pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "生成 PDF", **form})
    assert response.status_code == 302 and response.location.startswith("/jobs/"), response.status_code
    progress = pages.get(response.location)
    assert progress.status_code == 200 and "100%" in text(progress), text(progress)[100:700]
    response = pages.get(response.location + "/file")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize("per_part", [25, 2], ids=["one part", "parts of two"])
def test_the_letters_come_as_a_pdf_with_a_page_and_a_number_per_voter(monkeypatch, app, login, pages, estate, committee,
                                                                      per_part):
    """Drawn in one part or in several bound together: the same pages. However many processes
    ``PDF_PROCESSES`` allows, a job run by the web process draws in that process alone (issue 16:
    no process pool in a request; test_jobs checks it)."""
    from governance_app.documents import services

    monkeypatch.setattr(services, "LETTERS_PER_PART", per_part)
    monkeypatch.setitem(app.config, "PDF_PROCESSES", 2)
    login(committee, client=pages)
    activation = pages.get(f"/estates/{estate.id}/activation").get_data(as_text=True)
    assert 'name="pdf"' in activation and "生成 PDF" in activation
    content = _letters_pdf(pages, estate)
    assert_cjk_font_embedded(content)
    fresh()
    issued = db.session.scalar(select(func.count()).select_from(ActivationCode))
    assert issued == 9  # every voter of the roll, the co-owned unit's representative once
    assert page_count(content) == issued
    pages_text = pdf_text(content).split("\f")[:-1]
    assert len(numbers(content)) == issued
    first = flat(pages_text[0])
    assert "梅园小区 · 业主账户激活函" in first and "激活码" in first and "/activate" in first
    assert "第 1 页 共 1 页" in first
    assert CODE.search(first)
    records = db.session.scalars(select(DocumentRecord).order_by(DocumentRecord.id)).all()
    assert {r.kind for r in records} == {DocumentKind.ACTIVATION_LETTER} and len(records) == issued
    assert {r.object_id for r in records} == set(db.session.scalars(select(ActivationCode.id)))
    # The page of a letter carries that letter's number and hash, and never the code's hash.
    for page_text, number in zip(pages_text, numbers(content)):
        record = next(r for r in records if r.number == number)
        assert number in page_text and record.data_sha256 in flat(page_text)
    assert all(code.code_hash not in pdf_text(content) for code in db.session.scalars(select(ActivationCode)))


def test_a_letter_is_current_until_its_code_is_replaced(login, pages, estate, committee, client):
    login(committee, client=pages)
    first = numbers(_letters_pdf(pages, estate))
    assert all(check_status(client, number) == CURRENT for number in first[:2])
    # New letters for everyone replace the codes: the old letters are genuine but superseded.
    second = numbers(_letters_pdf(pages, estate, reissue="y"))
    assert check_status(client, first[0]) == SUPERSEDED
    assert check_status(client, second[0]) == CURRENT


def test_the_html_letters_still_come_without_the_pdf_button(login, pages, estate, committee):
    login(committee, client=pages)
    response = pages.post(f"/estates/{estate.id}/activation/letters", data={"submit": "生成激活函"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    # How to switch 长辈版 on, as on the PDF (and no switch on the page: the codes show once).
    assert "字太小？在网站任一页面顶部点“长辈版”" in text(response) and 'action="/display"' not in text(response)
    fresh()
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0


def test_without_a_chinese_font_no_code_is_issued(monkeypatch, login, pages, estate, committee):
    from governance_app.documents import render

    monkeypatch.setattr(render, "cjk_font", lambda: None)
    login(committee, client=pages)
    response = pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "生成 PDF"})
    assert response.status_code == 503 and "fonts-noto-cjk" in text(response)
    fresh()
    # The codes would exist only in a response that could not be made: none was issued.
    assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0
    assert db.session.scalar(select(func.count()).select_from(DocumentRecord)) == 0


def test_only_those_who_issue_letters_get_them(login, pages, estate, owner_of, make_user, make_estate):
    from governance_app.auth.models import Role

    outsider = make_user(Role.COMMITTEE_CHAIR, make_estate("别的小区"), login="other-chair")
    for user in (owner_of("1-103"), outsider):
        login(user, client=pages)
        assert pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "1"}).status_code == 404
    fresh()
    assert db.session.scalar(select(func.count()).select_from(ActivationCode)) == 0


# --- the two layers of a letter ------------------------------------------------------------------------------

LONG_ESTATE = "真如镇" * 33 + "园"  # 100 characters, as long as an estate's name can be
LONG_OWNER = "上海" + "真如" * 47 + "有限公司"  # a company's name is printed whole, up to 100


def _layers(app, units, owner=LONG_OWNER, estate=LONG_ESTATE):
    """The HTML of the form every letter is drawn on, and of one letter's own page."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    from governance_app.auth import printing
    from governance_app.core import clock
    from governance_app.documents import rules, services

    with app.test_request_context(), force_locale(services.LOCALE):
        data = printing.letter_data(estate, owner, units, "0" * 64, clock.now() + dt.timedelta(days=30))
        doc = services.Issued("GV-2026-WWWW-MMMM", rules.data_sha256(data), clock.now(), data)
        common = {"estate_name": estate, "activate_url": data["activate_url"]}
        form = services.draw("pdf/activation_letters.html", layer="form",
                             qr=services.qr_data_uri(data["activate_url"]), **common)
        letter = services.draw("pdf/activation_letters.html", layer="letters",
                               letters=[(SimpleNamespace(code="WWWW-MMMM-8888"), doc)], **common)
    return form, letter


def _places(html):
    """Each slot of the first page (and the letter's body): where it is, and what of its
    content lies outside it (text a reader would never see, as the slot hides overflow)."""
    from weasyprint import HTML

    page = HTML(string=html).render().pages[0]
    places, seen = {}, set()
    for box in page._page_box.descendants():
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        names = [name[5:] for name in classes if name.startswith("slot-")] + (
            ["body"] if "letter-body" in classes else [])
        if not names or id(element) in seen:
            continue
        seen.add(id(element))  # the first box of an element is its outermost
        top, left = box.content_box_y(), box.content_box_x()
        bottom, right = top + box.height, left + box.width
        outside = [child for child in box.descendants() if child is not box and (
            child.position_y + child.margin_height() > bottom + 0.01
            or child.position_x + child.margin_width() > right + 0.01)]
        places[names[0]] = (top, bottom, outside)
    return places


@pytest.mark.parametrize("units", [
    [f"{n // 100}-{n % 100 + 1}-1502" for n in range(300)],  # the developer's key holds many
    ["真如镇" * 13 + "楼"] * 4,  # the longest labels, Chinese and not
    ["W" * 40] * 4,
    ["3-101"],
], ids=["many units", "long Chinese labels", "long labels", "one unit"])
def test_nothing_on_a_letter_overflows_or_overprints(app, units):
    """Every slot of either layer holds its content whole (at the longest an estate's or an
    owner's name and a unit's label can be), and no slot of a letter's page lies over a slot of
    the form it is drawn on."""
    form, letter = _layers(app, units)
    form_places, letter_places = _places(form), _places(letter)
    for places in (form_places, letter_places):
        assert {name: outside for name, (_top, _bottom, outside) in places.items() if outside} == {}
    assert set(form_places) == {"body", "title", "intro", "how", "page"}
    assert set(letter_places) == {"body", "greeting", "code", "facts", "footer"}
    assert form_places["body"][:2] == letter_places["body"][:2]
    for name, (top, bottom, _outside) in letter_places.items():
        for other, (other_top, other_bottom, _outside) in form_places.items():
            if "body" not in (name, other):
                assert bottom <= other_top + 0.01 or other_bottom <= top + 0.01, (name, other)


def test_a_letter_reads_as_one_page_with_what_does_not_fit_said(app):
    """Drawn and bound, a page reads in order: the form's words and the letter's own. Names too
    long for their place end with "…"; units beyond room are counted, not dropped silently."""
    from governance_app.documents import render

    units = [f"1-{n}" for n in range(101, 181)]
    form, letter = _layers(app, units)
    content = render.html_to_pdf([letter, letter], processes=1, under=form)
    assert page_count(content) == 2
    page = flat(pdf_text(content).split("\f")[0])
    order = ["真如镇真如镇", "业主账户激活函", "上海真如", "您好！", "激活码：WWWW-MMMM-8888", "房屋：1-101、1-102",
             "有效期至", "网址：", "激活码只能使用一次", "字太小？在网站任一页面顶部点“长辈版”", "GV-2026-WWWW-MMMM",
             "内容数据 SHA-256", "第 1 页 共 1 页"]
    positions = [page.replace("\u2002", " ").find(words) for words in order]
    assert -1 not in positions and positions == sorted(positions), list(zip(order, positions))
    shown = page[page.index("房屋："):page.index("有效期至")]
    assert "…" in page and "1-180" not in shown
    assert f"另有 {80 - shown.count('1-1')} 套" in shown
    assert_cjk_font_embedded(content)


@pytest.mark.parametrize("site_url, asked_at, printed", [
    ("", "http://localhost:8000", "http://localhost:8000/activate"),  # development: where people reach it
    ("https://vote.example.gov.cn", "http://localhost:8000", "https://vote.example.gov.cn/activate"),
])
def test_letters_print_site_url_or_in_development_the_address_the_page_was_asked_at(monkeypatch, app, login, pages,
                                                                                     estate, committee, site_url,
                                                                                     asked_at, printed):
    monkeypatch.setitem(app.config, "SITE_URL", site_url)
    login(committee, client=pages)
    html = pages.post(f"/estates/{estate.id}/activation/letters", data={"submit": "生成激活函"}, base_url=asked_at)
    assert printed in text(html) and "127.0.0.1:5000" not in text(html)
    started = pages.post(f"/estates/{estate.id}/activation/letters", data={"pdf": "生成 PDF", "reissue": "y"},
                         base_url=asked_at)
    assert started.location.startswith("/jobs/")  # a job draws them (issue 16), here inside the request
    content = pages.get(started.location + "/file", base_url=asked_at).data
    assert printed in flat(pdf_text(content))
