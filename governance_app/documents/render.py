"""HTML to PDF with WeasyPrint, only ever with a real Chinese font.

WeasyPrint draws a character that no available font has as an empty box, and says
nothing. A document full of boxes must never reach a sub-district office, so no PDF
is drawn unless fontconfig knows a Simplified Chinese font; otherwise ``FontMissing``
names the Debian package to install.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import multiprocessing
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

FONT_PACKAGE = "fonts-noto-cjk"
PREFERRED = "Noto Sans CJK SC:lang=zh-cn"
GROUP_PARTS = 4  # parts drawn together by one process between two reports of progress
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


def html_to_pdf(html: str | Sequence[str], processes: int = 1, under: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> bytes:
    """One PDF from one HTML document, or from several drawn apart and bound in order.

    Several parts are for long batches (a letter per owner): WeasyPrint's time per page grows
    with the length of a document, so 2,000 letters are drawn 25 at a time. With ``processes``
    above 1 the parts are shared, in order, among that many processes, each drawing PDFs of a few
    parts at a time, and the PDFs are bound into one (``bind``): WeasyPrint draws on one core.
    Only a job's worker asks for more than one process (issue 16): never a web request.
    ``under`` is the HTML of one page that is drawn once and under every page: what the pages of
    a batch have in common. ``progress(parts drawn, parts)`` is called as the parts are drawn."""
    require_font()
    parts = [html] if isinstance(html, str) else list(html)
    processes = max(1, min(processes, len(parts)))
    report = progress or (lambda done, total: None)
    # Groups of a few parts: progress can be told as each is drawn, in one process or several.
    size = max(1, min(GROUP_PARTS, -(-len(parts) // processes)))
    groups = [parts[start:start + size] for start in range(0, len(parts), size)]
    drawn = 0
    pdfs: list[bytes] = []
    if processes == 1:
        form = _draw_parts([under]) if under is not None else None
        for group in groups:
            pdfs.append(_draw_parts(group))
            drawn += len(group)
            report(drawn, len(parts))
    else:
        # fork: the children start with WeasyPrint and the fonts already loaded, and only draw;
        # this process draws the page underneath meanwhile.
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            drawing = [pool.submit(_draw_parts, group) for group in groups]
            form = _draw_parts([under]) if under is not None else None
            for group, part in zip(groups, drawing):
                pdfs.append(part.result())
                drawn += len(group)
                report(drawn, len(parts))
    if len(pdfs) == 1 and form is None:
        return pdfs[0]
    return bind(pdfs, under=form)


def _draw_parts(parts: Sequence[str]) -> bytes:
    from weasyprint import HTML

    fetcher = _fetcher()
    try:
        documents = [HTML(string=part, url_fetcher=fetcher).render() for part in parts]
    except _fatal() as error:  # a BaseException in WeasyPrint: it would escape the web server's handling
        raise DocumentError(str(error)) from error
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def bind(pdfs: Sequence[bytes], under: bytes | None = None) -> bytes:
    """The pages of several PDFs, in order, in one file, each drawn over the first page of
    ``under`` if given (a page of the same size, held once in the file as a form XObject).
    qpdf, through pikepdf, does the work.

    Each PDF came from its own WeasyPrint run, which named its font subsets after the font alone:
    two different subsets of one font would have the same name in the bound file, which PDF
    forbids (ISO 32000-1, 9.6.4) and some printers take at their word. They are renamed."""
    import pikepdf

    with contextlib.ExitStack() as stack:  # pages copied from a file need it open until saved
        first, *rest = (stack.enter_context(pikepdf.open(io.BytesIO(data))) for data in pdfs)
        form = stack.enter_context(pikepdf.open(io.BytesIO(under))) if under is not None else None
        taken: set[str] = set()
        for source in (first, *rest, *([form] if form is not None else [])):
            _rename_subsets(source, taken)
        for more in rest:
            first.pages.extend(more.pages)
        if form is not None:
            shared = first.copy_foreign(form.pages[0].as_form_xobject())
            for page in first.pages:
                page.add_underlay(shared)
        out = io.BytesIO()
        first.save(out)
        return out.getvalue()


SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


def _rename_subsets(pdf, taken: set[str]) -> None:
    """Give each font subset of ``pdf`` a tag (``ABCDEF+``) not in ``taken``, and add it there."""
    import pikepdf

    fonts: dict[tuple[int, int], pikepdf.Dictionary] = {}
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        for font in (resources.get("/Font", {}) if resources is not None else {}).values():
            fonts.setdefault(font.objgen, font)
    for font in fonts.values():
        name = str(font.get("/BaseFont", ""))[1:]
        if not SUBSET_TAG.match(name):
            continue
        tag, rest = name[:6], name[7:]
        while tag in taken:
            tag = "".join(chr(65 + byte % 26) for byte in hashlib.sha256(tag.encode()).digest()[:6])
        taken.add(tag)
        renamed = pikepdf.Name(f"/{tag}+{rest}")
        font.BaseFont = renamed
        for descendant in font.get("/DescendantFonts", []):
            descendant.BaseFont = renamed
            if "/FontDescriptor" in descendant:
                descendant.FontDescriptor.FontName = renamed
        if "/FontDescriptor" in font:
            font.FontDescriptor.FontName = renamed


class DocumentError(RuntimeError):
    """A document could not be drawn (a bug: templates embed everything they show)."""


def _fatal() -> tuple[type[BaseException], ...]:
    try:
        from weasyprint.urls import FatalURLFetchingError
    except ImportError:  # an older WeasyPrint: nothing fatal to translate
        return ()
    return (FatalURLFetchingError,)
