"""Reading PDFs as a person would (poppler's pdftotext and pdffonts) and the check page."""
from __future__ import annotations

import re
import subprocess

NUMBER = re.compile(r"GV-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def pdf_text(content: bytes, *, layout: bool = False) -> str:
    """The text of a PDF, pages separated by form feeds."""
    assert content.startswith(b"%PDF-"), content[:200]
    command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(command, input=content, capture_output=True, check=True).stdout.decode("utf-8")


CJK = "\u3000-\u9fff\uff00-\uffef“”"


def flat(text: str) -> str:
    """Blanks collapsed, so a figure split over a line end still reads as one; a line end
    between two Chinese characters is no blank (Chinese has no spaces between words)."""
    joined = re.sub(rf"(?<=[{CJK}])\n(?=[{CJK}])", "", text)
    return re.sub(r"\s+", " ", joined)


def pdf_fonts(content: bytes) -> list[dict]:
    """pdffonts' table: one dict per font with its name and whether it is embedded."""
    output = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
    rows = []
    for line in output.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object-number generation: the flags are fixed from the end
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def assert_cjk_font_embedded(content: bytes) -> None:
    fonts = pdf_fonts(content)
    assert any("CJK" in font["name"] and font["emb"] == "yes" for font in fonts), fonts


def page_count(content: bytes) -> int:
    return pdf_text(content).count("\f")


def numbers(content: bytes) -> list[str]:
    """The document numbers printed, in order, each once."""
    return list(dict.fromkeys(NUMBER.findall(pdf_text(content))))


def check_status(client, number: str) -> str:
    """What the public check page says about ``number`` (its answer's heading, in Chinese)."""
    from tests.support.site import text

    page = client.get("/documents/check", query_string={"number": number})
    assert page.status_code == 200, page.status_code
    for status in ("真实有效，且为最新版本", "真实，但已被新版本取代", "真实文件", "非本平台签发"):
        if status in text(page):
            return status
    raise AssertionError(text(page))


CURRENT, SUPERSEDED, GENUINE, UNKNOWN = "真实有效，且为最新版本", "真实，但已被新版本取代", "真实文件", "非本平台签发"
