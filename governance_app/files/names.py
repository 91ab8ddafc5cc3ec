"""A stored file's name as a browser saves it: the name it was uploaded with, made harmless.

Pure: names in, names and header values out. The type of a file is known from its content
(``services.detect_type``), so the extension is made to agree with it: ``plan.exe`` holding a PDF
downloads as ``plan.exe.pdf``. Names come from uploaders and are hostile until cleaned: no folders
(``../``), no control or direction-changing characters (a name must read as it is), no quotes, and
the header carries them per RFC 6266 with the UTF-8 form of RFC 5987 (``filename*``) beside a plain
ASCII ``filename`` for old clients.
"""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

EXTENSIONS = {"application/pdf": (".pdf",), "image/jpeg": (".jpg", ".jpeg", ".jpe"), "image/png": (".png",)}
MAX_LENGTH = 120
# Characters no file system or header takes in a name (Windows' reserved ones, quotes, separators).
_RESERVED = re.compile(r'[<>:"/\\|?*;]')
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")
_SPACES = re.compile(r"\s+")


def clean(original: str | None) -> str:
    """The last part of an uploaded name, with nothing that could move, hide or break it; "" if
    nothing is left (``..``, only control characters)."""
    name = unicodedata.normalize("NFC", original or "")
    name = re.split(r"[/\\]", name)[-1]
    # Cc: controls (CR, LF, NUL); Cf: format characters such as U+202E, which would show
    # "gpj.exe" as "exe.jpg"; Cs, Co, Cn: nothing a name needs.
    name = "".join(c for c in name if not unicodedata.category(c).startswith("C"))
    name = _SPACES.sub(" ", _RESERVED.sub("_", name)).strip(" .")
    return _shorten(name)


def _shorten(name: str) -> str:
    if len(name) <= MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        return stem[:MAX_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
    return name[:MAX_LENGTH].rstrip(" .")


def download_name(original: str | None, content_type: str, fallback: str) -> str:
    """The cleaned original name (or ``fallback`` when none is left), ending with an extension that
    matches the content: ``会议纪要.PDF`` stays, ``scan`` holding a JPEG becomes ``scan.jpg``."""
    name = clean(original) or fallback
    extensions = EXTENSIONS.get(content_type, ())
    if extensions and not name.lower().endswith(extensions):
        name = name[:MAX_LENGTH - len(extensions[0])].rstrip(" .") + extensions[0]
    return name


def ascii_name(name: str, fallback: str) -> str:
    """For clients that ignore ``filename*``: the name's ASCII letters if it has a real stem, else
    ``fallback`` (a Chinese name has none), with the name's extension."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = _SPACES.sub(" ", _ASCII_UNSAFE.sub("_", plain)).strip(" ._")
    stem, dot, extension = name.rpartition(".")
    plain_stem = plain.rpartition(".")[0] if dot else plain
    if not re.search(r"[A-Za-z0-9]", plain_stem or ""):
        fallback_stem = fallback.rpartition(".")[0] or fallback
        extension = _ASCII_UNSAFE.sub("", extension) if dot else ""
        return f"{fallback_stem}.{extension}" if extension else fallback_stem
    return plain


def content_disposition(disposition: str, name: str, fallback: str = "download") -> str:
    """``attachment; filename="plain.pdf"; filename*=UTF-8''%E4%BC%9A.pdf`` (RFC 6266, RFC 5987).
    ``name`` must be cleaned already; quoting here makes any name safe in the header anyway."""
    cleaned = clean(name) or fallback
    plain = ascii_name(cleaned, fallback)
    value = f'{disposition}; filename="{plain}"'
    if plain != cleaned:
        value += f"; filename*=UTF-8''{quote(cleaned, safe='')}"
    return value
