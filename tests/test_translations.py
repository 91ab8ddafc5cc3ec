"""Every user-facing string has a Simplified Chinese translation with the same placeholders."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "governance_app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _source_messages() -> set[str]:
    found = set()
    for folder in ("governance_app", "templates"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, METHODS, keywords=KEYWORDS, comment_tags=()):
            found.add(message if isinstance(message, str) else message[0])
    return found


def _catalog():
    with CATALOG.open("rb") as po_file:
        return read_po(po_file)


def test_every_source_string_is_translated_to_chinese():
    catalog = _catalog()
    untranslated = []
    for message_id in sorted(_source_messages()):
        message = catalog.get(message_id)
        strings = [] if message is None else ([message.string] if isinstance(message.string, str) else list(message.string))
        if message is None or message.fuzzy or not all(strings):
            untranslated.append(message_id)
    assert untranslated == [], "run `make messages` and translate these in the zh_Hans_CN catalogue"


def test_translations_keep_their_placeholders():
    wrong = []
    for message in _catalog():
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        for target in targets:
            if set(PLACEHOLDER.findall(source)) != set(PLACEHOLDER.findall(target)):
                wrong.append((source, target))
    assert wrong == []
