import io

from governance_app.core.i18n import LANGUAGE_COOKIE


def test_home_page_is_chinese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "业主大会" in html
    assert 'lang="en">English</button>' in html


def test_language_switch_remembers_english(client):
    response = client.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "en" and cookie.http_only
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Owners’ assembly and committee, in the open" in html
    assert 'lang="zh-CN">简体中文</button>' in html


def test_language_switch_back_to_chinese(client):
    client.post("/language", data={"language": "en", "next": "/"})
    client.post("/language", data={"language": "zh_CN", "next": "/"})
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_refused_with_a_message_and_changes_nothing(client):
    response = client.post("/language", data={"language": "fr", "next": "/"}, follow_redirects=True)
    assert client.get_cookie(LANGUAGE_COOKIE) is None
    assert "该语言暂不可用" in response.get_data(as_text=True)


def test_language_switch_is_not_an_open_redirect(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/language", data={"language": "en", "next": target})
        assert response.headers["Location"] == "/"


def test_language_switch_requires_csrf(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/language", data={"language": "en", "next": "/"})
    assert response.status_code == 400
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_upload_is_rate_limited_per_address(supervisor_client, make_estate):
    client = supervisor_client
    estate = make_estate()
    statuses = [
        client.post(f"/estates/{estate.id}/roll/import",
                    data={"roll_file": (io.BytesIO(b"not a roll"), "x.csv")},
                    content_type="multipart/form-data").status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [422] * 30
    assert statuses[30] == 429


def test_unknown_page_gets_a_chinese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_csrf_failure_gets_a_clear_message(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/language", data={"language": "en"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)


def test_too_large_upload_is_refused_with_a_message(app, supervisor_client, make_estate, monkeypatch):
    client = supervisor_client
    estate = make_estate()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post(f"/estates/{estate.id}/roll/import",
                           data={"roll_file": (io.BytesIO(b"x" * 4096), "big.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "文件太大" in response.get_data(as_text=True)


def test_every_page_names_a_favicon_that_is_served(client):
    import re

    html = client.get("/").get_data(as_text=True)
    [href] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    icon.close()


def test_switching_language_on_a_page_drawn_for_a_post_draws_it_again_with_what_was_typed(client):
    """Issue 14: the switch led to a GET of the POST's address (405, in English) and lost the form."""
    import html
    import re

    refused = client.post("/login", data={"login": "wang.wei", "password": "not-his-password"})
    assert refused.status_code in (200, 400) and '<html lang="zh-CN">' in refused.get_data(as_text=True)
    [switch] = re.findall(r'<form class="language-switch".*?</form>', refused.get_data(as_text=True), re.S)
    fields = [(name, html.unescape(value)) for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', switch)]
    assert ("login", "wang.wei") in fields and ("replay", "1") in fields
    assert "not-his-password" not in switch  # nothing secret is carried
    from werkzeug.datastructures import MultiDict

    moved = client.post("/language", data=MultiDict([*fields, ("language", "en")]))
    assert (moved.status_code, moved.headers["Location"]) == (307, "/login")
    again = client.post("/login", data=MultiDict([*fields, ("language", "en")]))  # the browser repeats the POST
    page = again.get_data(as_text=True)
    assert '<html lang="en">' in page and 'value="wang.wei"' in page and again.status_code != 405


def test_a_replay_to_another_site_is_a_plain_redirect_home(client):
    moved = client.post("/language", data={"language": "en", "next": "//evil.example/x", "replay": "1"})
    assert (moved.status_code, moved.headers["Location"]) == (302, "/")
