"""Nothing English on a Chinese page: every page of the route matrix, drawn in zh-CN for every role
that may see it, shows no string of the catalogue in its English original (issue 14).

A string the catalogue translates shows in English on a Chinese page when it was translated
before the page's language was known (``gettext`` at import instead of ``lazy_gettext``), when a
template prints a value instead of its title, or when a msgid changed without its translation.
The pages come from ``tests/test_route_matrix.py``: its rows, its world and its expected answers
(only the pages a role gets with 200 are read). Text nodes and the attributes people read or hear
(``title``, ``aria-label``, ``placeholder``, ``alt``, button values) are searched, as whole words;
``<code>`` is not text but a machine value shown as it is (an audit action code for auditors).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.test_route_matrix import (DISCLOSURE_IDS, ELECTION_IDS, FUND_IDS, GET_ROWS, IDS, JOB_IDS, MATRIX,
                                     PLEDGE_IDS, PROPOSAL_IDS, ROLES, SUPERVISION_IDS, SURVEY_IDS, VOTE_IDS, World,
                                     add_jobs_and_messages, add_proposals, add_supervision, expected, names_in,
                                     request_of)

CATALOGUE = Path(__file__).resolve().parent.parent / "governance_app/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
# Not text: scripts, styles and <code>, which holds machine values (an audit action code, a hash).
SKIPPED = ("script", "style", "code")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def english_originals() -> list[tuple[str, re.Pattern]]:
    """Each English msgid whose translation differs, as a pattern of whole words (a placeholder
    matches any text)."""
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    patterns = []
    for message in catalogue:
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        msgstr = message.string if isinstance(message.string, str) else message.string[0]
        plain = PLACEHOLDER.sub("", msgid)
        if not msgid or msgstr == msgid or not re.search(r"[A-Za-z]{3}", plain):
            continue
        body = r"\S.*?".join(re.escape(part) for part in PLACEHOLDER.split(msgid.strip()))
        patterns.append((msgid, re.compile(rf"(?<![A-Za-z0-9_-]){body}(?![A-Za-z0-9_-])")))
    return patterns


class _Readable(HTMLParser):
    """The text people read on a page, one string per text node or read attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skip += 1
        for name, value in attrs:
            if value and (name in READ_ATTRIBUTES or (name == "value" and dict(attrs).get("type") in ("submit",
                                                                                                      "button"))):
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def untranslated(html: str, patterns) -> list[str]:
    parser = _Readable()
    parser.feed(html)
    found = []
    for text in parser.texts:
        found += [f"{msgid!r} in {text[:80]!r}" for msgid, pattern in patterns if pattern.search(text)]
    return found


# The objects of every package, in two worlds: the board's entry needs a valid decision of a committee
# of three (two signers), which the disclosure's chair and the re-election's old chair would outnumber,
# and the disclosure's meetings need a quorum their one member would not have beside the board's three.
WORLDS = {
    "votes, funds, disclosure, surveys, jobs, proposals": (
        (World.add_votes, World.add_elections, World.add_funds, World.add_disclosure, World.add_surveys,
         add_jobs_and_messages, add_proposals),
        IDS + VOTE_IDS + ELECTION_IDS + FUND_IDS + DISCLOSURE_IDS + SURVEY_IDS + JOB_IDS + PROPOSAL_IDS),
    "pledges, supervision": ((World.add_pledges, add_supervision), IDS + PLEDGE_IDS + SUPERVISION_IDS),
}


def _names(target, answers) -> set[str]:
    """The ids a page of a row names (its URL and its expected answers)."""
    return names_in({target: answers})


def test_every_page_of_the_route_matrix_is_read_in_one_of_the_worlds():
    built = [set(ids) for _adds, ids in WORLDS.values()]
    unread = [f"{method} {rule} {target}" for method, rule in GET_ROWS
              for target, answers in MATRIX[(method, rule)].items()
              if not any(_names(target, answers) <= ids for ids in built)]
    assert not unread, unread


@pytest.mark.parametrize("world_name", list(WORLDS))
def test_every_page_of_the_route_matrix_is_all_chinese_in_zh_cn(app, make_estate, make_user, login, world_name):
    adds, names = WORLDS[world_name]
    world = World(make_estate, make_user)
    for add in adds:
        add(world)
    assert set(names) <= set(world.ids)
    patterns = english_originals()
    problems, pages = {}, 0
    for role in ROLES:
        client = app.test_client()
        client.set_cookie("lang", "zh_CN")
        if role != "anonymous":
            login(world.users[role], client=client)
        for method, rule in GET_ROWS:
            for target, answers in MATRIX[(method, rule)].items():
                if not _names(target, answers) <= set(names):
                    continue  # read in the other world
                if expected(answers[ROLES.index(role)], world.ids) != 200:
                    continue
                url, _form = request_of(target, world.ids)
                response = client.get(url)
                if response.status_code != 200 or response.mimetype != "text/html":
                    response.close()
                    continue
                pages += 1
                for problem in untranslated(response.get_data(as_text=True), patterns):
                    problems.setdefault(problem, f"{role} {url}")
    assert pages > 100, pages  # the pages were read
    assert not problems, "\n".join(f"{problem} ({where})" for problem, where in sorted(problems.items()))


def test_the_check_finds_an_english_original_on_a_chinese_page():
    patterns = english_originals()
    assert untranslated("<p>表决事项：<span>Resolution</span></p>", patterns) == ["'Resolution' in 'Resolution'"]
    assert untranslated('<button aria-label="Sign out">退出</button>', patterns) != []
    assert untranslated("<p>决议</p><script>var Resolution = 1;</script>", patterns) == []
