"""Drawing: only with a Chinese font found through fontconfig, and nothing fetched from outside."""
from __future__ import annotations

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
