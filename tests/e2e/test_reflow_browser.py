"""Every page of the route matrix reflows at 320 px wide with the browser's text size at 200%
(WCAG 1.4.4 and 1.4.10), in the standard display and in 长辈版: no sideways scrolling, no box
hiding text, and every text really twice its size.

The pages are the GET rows of tests/test_route_matrix.py that answer with HTML, each requested
by the first role of the matrix that may see it (anonymous first), in the matrix's world with
all its objects. A new route enters the matrix (test_every_route_is_in_the_matrix), and so
this walk, with nothing else to do. The browser's text size is Chromium's own default font size
(DevTools' Page.setFontSizes), as a reader sets it in the browser's settings."""
from __future__ import annotations

from pathlib import PurePosixPath
from urllib.parse import urlsplit

import pytest

from governance_app.auth import services as auth_services
from governance_app.core.display import DISPLAY_COOKIE
from governance_app.extensions import db
from tests.e2e.display import CLIPPED, ELDER_MEASURES, HORIZONTAL_SCROLL, TEXT_SIZES, measure
from tests.test_route_matrix import MATRIX, ROLES, World, expected, names_in, request_of

NARROW = {"width": 320, "height": 640}
NORMAL_TEXT, DOUBLE_TEXT = 16, 32  # the browsers' default font size, and 200% of it
ROOT_SIZE = {False: 18, True: 22}  # site.css: 112.5% and, in 长辈版, 137.5% of the default


def pages_by_role(world) -> dict[str | None, list[str]]:
    """The URLs of the GET rows, under the first role that gets 200 for each (None: anonymous)."""
    found: dict[str | None, list[str]] = {}
    for (method, _rule), row in MATRIX.items():
        if method != "GET":
            continue
        for target, answers in row.items():
            if not names_in({target: answers}) <= set(world.ids):
                continue  # a page of a package whose objects this world does not build
            role = next((role for role, answer in zip(ROLES, answers) if expected(answer, world.ids) == 200), None)
            if role is not None:
                url, _form = request_of(target, world.ids)
                found.setdefault(None if role == "anonymous" else role, []).append(url)
    return found


def _context(browser, live_server, app, user, elder: bool):
    """A narrow phone, in the given display, signed in as ``user`` (its session made as the
    ``login`` fixture makes one: the sign-in pages have their own tests)."""
    context = browser.new_context(viewport=NARROW, is_mobile=True, has_touch=True, base_url=live_server,
                                  locale="zh-CN")
    cookies = [{"name": DISPLAY_COOKIE, "value": "elder" if elder else "standard", "url": live_server}]
    if user is not None:
        session = auth_services.open_session(user, "127.0.0.1", "reflow test")
        db.session.commit()
        value = app.session_interface.get_signing_serializer(app).dumps({"_user_id": session.token, "_fresh": True})
        cookies.append({"name": app.config["SESSION_COOKIE_NAME"], "value": value, "url": live_server})
    context.add_cookies(cookies)
    context.set_default_timeout(10_000)
    return context


def _text_size(cdp, size: int) -> None:
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": size, "fixed": size}})


@pytest.fixture
def world(make_estate, make_user):
    world = World(make_estate, make_user)
    world.add_votes()
    world.add_elections()
    world.add_funds()
    world.add_disclosure()
    return world


def _is_page(context, url: str) -> bool:
    """A page, not a file: a PDF, a download, a scan (an address ending in .pdf, .csv, .json or
    .css is a file without asking)."""
    if PurePosixPath(urlsplit(url).path).suffix:
        return False
    answer = context.request.get(url, max_redirects=0)
    return answer.status == 200 and answer.headers.get("content-type", "").startswith("text/html")


def test_every_page_of_the_route_matrix_reflows_at_320_px_with_text_at_200_percent(browser, live_server, app, world):
    walked, problems = [], []
    for role, urls in pages_by_role(world).items():
        user = world.users[role] if role else None
        for elder in (False, True):
            context = _context(browser, live_server, app, user, elder)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            if not elder:
                urls = [url for url in urls if _is_page(context, url)]
            for url in urls:
                _text_size(cdp, NORMAL_TEXT)
                page.goto(url)
                where = f"{url} as {role or 'anonymous'}{' in 长辈版' if elder else ''}"
                assert page.evaluate("document.documentElement.classList.contains('elder')") is elder, where
                normal = measure(page, TEXT_SIZES)
                if elder:  # every page in 长辈版, not only the owner's (test_elder_browser)
                    problems += [f"{where}: {problem}" for problem in measure(page, ELDER_MEASURES)]
                _text_size(cdp, DOUBLE_TEXT)
                doubled = measure(page, TEXT_SIZES)
                root = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
                assert root == 2 * ROOT_SIZE[elder], f"{where}: the root text is {root}px"
                assert [label for label, _size in normal] == [label for label, _size in doubled], where
                problems += [f"{where}: {label} stays {size}px at 200% (was {before}px)"
                             for (label, before), (_label, size) in zip(normal, doubled) if size < 1.95 * before]
                overflow = page.evaluate(HORIZONTAL_SCROLL)
                if overflow > 0:
                    problems.append(f"{where}: {overflow}px wider than the screen")
                problems += [f"{where}: {clipped}" for clipped in measure(page, CLIPPED)]
                walked.append(where)
            context.close()
    assert problems == [], "\n".join(problems)
    # Every kind of page is there: signed out, the owner's, the committee's, the supervisors'.
    assert {"/login", "/account", f"/estates/{world.ids['estate_mine']}/votes/new", "/audit",
            f"/votes/{world.ids['vote_open_mine']}/receipt?voter={world.ids['voter_mine']}"} <= {
        where.split(" as ")[0] for where in walked}
    assert len(walked) >= 2 * 40, len(walked)
