"""Every POST of the site is refused without its CSRF token before its view runs (CSRFProtect),
which is why a button's handler does not validate an empty form itself."""
from __future__ import annotations

import re

from werkzeug.routing import AnyConverter, IntegerConverter


def _values(rule) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, AnyConverter):
            values[name] = re.match(r"\(\?:([^|)]+)", converter.regex).group(1).replace("\\", "")
        else:
            values[name] = "x"
    return values


def test_every_post_needs_its_csrf_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    adapter = app.url_map.bind("localhost")
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())]
    assert len(posts) > 100
    answered = {}
    for rule in posts:
        path = adapter.build(rule.endpoint, _values(rule), method="POST")
        response = client.post(path, data={"submit": "1"})
        answered[rule.endpoint] = (response.status_code, "表单已过期" in response.get_data(as_text=True))
    refused_elsewhere = {endpoint: found for endpoint, found in answered.items() if found != (400, True)}
    assert refused_elsewhere == {}
