"""Step-up: sensitive actions need a second factor from the last few minutes.

When the last code is older, the request is answered with a page that asks
for a fresh code and carries everything the person had typed as hidden
fields; submitting it replays the original request with the code added, so
nothing typed is lost.

A person without the right to the action gets 404 before anything else: the
decorator first runs the route's own check (``may``), so nobody is asked for a
code on an object they may not touch, and the step-up page never tells them it
exists (issue 12).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from . import services
from .forms import StepUpForm
from .messages import auth_error_message

CARRY_EXCLUDED = {"csrf_token", "step_up_code", "step_up_submit"}


def fresh_second_factor(*, may: Callable[..., object] | None):
    """Decorate a view whose POST needs a fresh second factor.

    ``may`` is called first, with the view's arguments: the route's loader or predicate, which
    aborts with 404 (or returns a false value) for a person who may not act there. ``None`` only
    for actions on one's own account."""

    def decorate(view):
        wrapped = _asking(view, may)
        wrapped.step_up_may = may  # read by the route-by-route test of the order of checks
        return wrapped

    return decorate


def _asking(view, may):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        if may is not None and not may(**kwargs):
            abort(404)
        session = current_user.current_session
        if services.second_factor_is_fresh(session):
            return view(*args, **kwargs)
        form = StepUpForm()
        if "step_up_code" in request.form and form.validate_on_submit():
            try:
                services.verify_second_factor(current_user, form.step_up_code.data, session=session)
            except services.AuthError as error:
                db.session.commit()  # the failure is counted and audited
                flash(auth_error_message(error), "error")
            else:
                db.session.commit()
                return view(*args, **kwargs)
        elif "step_up_code" not in request.form:
            flash(_("For your safety, confirm this with a fresh code from your authenticator app."), "info")
        carried = [(key, value) for key, value in request.form.items(multi=True) if key not in CARRY_EXCLUDED]
        return render_template("auth/step_up.html", form=StepUpForm(formdata=None), carried=carried,
                               action=request.full_path if request.query_string else request.path)

    return wrapped
