"""Valid HTML from every form (issue 14): several forms on one page never share an id, a form drawn
twice draws its token's id once, and a select that always has a value is not marked required
(the Nu Html Checker's errors on the vote and committee pages; tests/e2e/test_html_valid.py runs it)."""
from __future__ import annotations

import re

from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from governance_app.core.forms import FlaskForm


class _Form(FlaskForm):
    day = StringField("day")
    kind = SelectField("kind", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")], validators=[InputRequired()])
    choice = SelectField("choice", choices=[SelectChoice("", "—"), SelectChoice("a", "A")], validators=[InputRequired()])
    submit = SubmitField("go")


def test_several_forms_on_one_page_never_share_an_id(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # as in production
    with app.test_request_context():
        html = "".join(str(form.hidden_tag()) + str(form.day()) + str(form.day.label()) + str(form.submit())
                       for form in (_Form(), _Form(), _Form()))
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids)) == 9
    assert {"csrf_token", "csrf_token-2", "day-3", "submit-2"} <= set(ids)
    assert html.count('for="day-2"') == 1


def test_a_form_drawn_twice_draws_its_token_id_once(app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    with app.test_request_context():
        form = _Form()
        html = str(form.hidden_tag()) + str(form.hidden_tag())
    assert html.count('id="csrf_token"') == 1 and html.count('name="csrf_token"') == 2


def test_only_a_select_starting_with_an_empty_choice_is_required(app):
    with app.test_request_context():
        form = _Form()
        assert " required" not in str(form.kind()) and " required" in str(form.choice())
