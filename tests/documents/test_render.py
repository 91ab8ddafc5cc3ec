"""Drawing: only with a Chinese font found through fontconfig, and nothing fetched from outside."""
from __future__ import annotations

import io
import re

import pytest

from governance_app.documents import render
from tests.documents.support import assert_cjk_font_embedded


def test_the_chinese_font_is_found_through_fontconfig():
    font = render.cjk_font()
    assert font is not None, "install fonts-noto-cjk"
    assert "CJK" in font.family and font.file.startswith("/")


def test_without_a_chinese_font_nothing_is_drawn(monkeypatch):
    monkeypatch.setattr(render, "cjk_font", lambda: None)
    with pytest.raises(render.FontMissing) as refused:
        render.html_to_pdf("<p>梅园小区</p>")
    assert refused.value.package == "fonts-noto-cjk" and "apt-get install fonts-noto-cjk" in str(refused.value)


def test_a_document_fetches_nothing_from_outside():
    with pytest.raises(Exception) as refused:
        render.html_to_pdf('<p>梅园小区</p><img src="http://127.0.0.1:9/logo.png" alt="">')
    assert isinstance(refused.value, render.DocumentError) and "127.0.0.1:9/logo.png" in str(refused.value)
    with pytest.raises(Exception):
        render.html_to_pdf('<img src="file:///etc/hostname" alt="">')


def test_parts_are_bound_in_order_with_one_font():
    content = render.html_to_pdf(["<p>第一部分</p>", "<p>第二部分</p>", "<p>第三部分</p>"])
    from tests.documents.support import page_count, pdf_text

    assert page_count(content) == 3
    assert [page.strip() for page in pdf_text(content).split("\f")[:3]] == ["第一部分", "第二部分", "第三部分"]
    assert_cjk_font_embedded(content)


@pytest.mark.parametrize("processes", [2, 3])
def test_parts_drawn_by_several_processes_are_bound_in_order(processes):
    """A long batch is shared among processes (PDF_PROCESSES); the bound file has every page
    in the order of the parts, and the Chinese font in it."""
    parts = [f"<p>第{n}部分</p><p style='break-before: page'>第{n}部分续</p>" for n in range(1, 6)]
    content = render.html_to_pdf(parts, processes=processes)
    from tests.documents.support import page_count, pdf_text

    assert page_count(content) == 10
    assert [page.strip() for page in pdf_text(content).split("\f")[:10]] == [
        text for n in range(1, 6) for text in (f"第{n}部分", f"第{n}部分续")]
    assert_cjk_font_embedded(content)


def test_a_failing_part_fails_the_batch_in_any_process():
    parts = ["<p>梅园小区</p>", '<img src="http://127.0.0.1:9/logo.png" alt="">', "<p>梅园小区</p>"]
    with pytest.raises(render.DocumentError) as refused:
        render.html_to_pdf(parts, processes=3)
    assert "127.0.0.1:9/logo.png" in str(refused.value)


@pytest.mark.parametrize("processes", [1, 2])
def test_a_page_drawn_once_lies_under_every_page(processes):
    """What the pages of a batch share (the words of an activation letter) is drawn once and
    held once, under each page; every font subset in the bound file has a name of its own."""
    import pikepdf

    from tests.documents.support import page_count, pdf_fonts, pdf_text

    parts = [f"<p style='margin-top: 30mm'>第{n}封</p>" for n in range(1, 5)]
    content = render.html_to_pdf(parts, processes=processes, under="<p>共同的话</p><p><b>粗体</b></p>")
    assert page_count(content) == 4
    assert [page.split() for page in pdf_text(content).split("\f")[:4]] == [
        ["共同的话", "粗体", f"第{n}封"] for n in range(1, 5)]
    with pikepdf.open(io.BytesIO(content)) as pdf:
        forms = {tuple(page.Resources.XObject[name].objgen for name in page.Resources.XObject.keys())
                 for page in pdf.pages}
    assert len(forms) == 1  # one form, shared
    names = [font["name"] for font in pdf_fonts(content)]
    assert len(names) == len(set(names)) >= 3 and all(re.match(r"^[A-Z]{6}\+", name) for name in names), names
