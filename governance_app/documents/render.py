"""HTML to PDF with WeasyPrint, only ever with a real Chinese font.

WeasyPrint draws a character that no available font has as an empty box, and says
nothing. A document full of boxes must never reach a sub-district office, so no PDF
is drawn unless fontconfig knows a Simplified Chinese font; otherwise ``FontMissing``
names the Debian package to install.
"""
from __future__ import annotations

import contextlib
import functools
import io
import logging
import multiprocessing
import shutil
import subprocess
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

FONT_PACKAGE = "fonts-noto-cjk"
PREFERRED = "Noto Sans CJK SC:lang=zh-cn"
log = logging.getLogger(__name__)


class FontMissing(RuntimeError):
    """No Simplified Chinese font is installed; ``package`` is what to install."""

    package = FONT_PACKAGE

    def __init__(self):
        super().__init__(f"no Simplified Chinese font known to fontconfig: apt-get install {FONT_PACKAGE}")


@dataclass(frozen=True)
class Font:
    family: str
    file: str


def cjk_font() -> Font | None:
    """The Chinese font documents are set in, or None. Tests replace this function."""
    return _lookup()


@functools.lru_cache(maxsize=1)
def _lookup() -> Font | None:
    if not shutil.which("fc-match") or not shutil.which("fc-list"):
        return None
    # fc-match always answers with some font: only a face that covers Chinese will do.
    matched = _run(["fc-match", "-f", "%{family[0]}|%{file}|%{lang}", PREFERRED])
    if matched.count("|") >= 2:
        family, file, languages = matched.split("|", 2)
        if "zh-cn" in languages.split("|"):
            return Font(family, file)
    for line in _run(["fc-list", ":lang=zh-cn", "family", "file"]).splitlines():
        file, _sep, families = line.partition(": ")
        if families:
            return Font(families.split(",")[0].strip(), file.strip())
    return None


def _run(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        log.warning("fontconfig lookup %s failed: %s", command[0], error)
        return ""


def require_font() -> Font:
    font = cjk_font()
    if font is None:
        raise FontMissing()
    return font


def _fetcher():
    """Documents embed what they show (QR codes as data: URIs): nothing is fetched from a
    network or read from disk while drawing, and a resource that fails stops the drawing
    rather than leaving a hole in a document."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint before the URLFetcher class: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetch(url: str, timeout: int = 10, ssl_context=None):
            if not url.startswith("data:"):
                raise ValueError(f"documents load nothing from outside: {url[:60]!r}")
            return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)

        return fetch
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def html_to_pdf(html: str | Sequence[str], processes: int = 1) -> bytes:
    """One PDF from one HTML document, or from several drawn apart and bound in order.

    Several parts are for long batches (a letter per owner): WeasyPrint's time per page grows
    with the length of a document, so 2,000 letters are drawn 25 at a time. With ``processes``
    above 1 the parts are shared, in order, among that many processes, each drawing one PDF of
    its pages, and the PDFs are bound into one (``bind``): WeasyPrint draws on one core."""
    require_font()
    parts = [html] if isinstance(html, str) else list(html)
    processes = max(1, min(processes, len(parts)))
    if processes == 1:
        return _draw_parts(parts)
    size, extra = divmod(len(parts), processes)
    groups, start = [], 0
    for index in range(processes):
        end = start + size + (1 if index < extra else 0)
        groups.append(parts[start:end])
        start = end
    # fork: the children start with WeasyPrint and the fonts already loaded, and only draw.
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        return bind(list(pool.map(_draw_parts, groups)))


def _draw_parts(parts: Sequence[str]) -> bytes:
    from weasyprint import HTML

    fetcher = _fetcher()
    try:
        documents = [HTML(string=part, url_fetcher=fetcher).render() for part in parts]
    except _fatal() as error:  # a BaseException in WeasyPrint: it would escape the web server's handling
        raise DocumentError(str(error)) from error
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def bind(pdfs: Sequence[bytes]) -> bytes:
    """The pages of several PDFs, in order, in one file (qpdf through pikepdf)."""
    import pikepdf

    with contextlib.ExitStack() as stack:  # pages copied from a file need it open until saved
        first, *rest = (stack.enter_context(pikepdf.open(io.BytesIO(data))) for data in pdfs)
        for more in rest:
            first.pages.extend(more.pages)
        out = io.BytesIO()
        first.save(out)
        return out.getvalue()


class DocumentError(RuntimeError):
    """A document could not be drawn (a bug: templates embed everything they show)."""


def _fatal() -> tuple[type[BaseException], ...]:
    try:
        from weasyprint.urls import FatalURLFetchingError
    except ImportError:  # an older WeasyPrint: nothing fatal to translate
        return ()
    return (FatalURLFetchingError,)
