"""Step-up: sensitive actions need a second factor from the last few minutes.

When the last code is older, the request is answered with a page that asks
for a fresh code and carries everything the person had typed as hidden
fields; submitting it replays the original request with the code added, so
nothing typed is lost.
"""
from __future__ import annotations

from functools import wraps

from flask import flash, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from . import services
from .forms import StepUpForm
from .messages import auth_error_message

CARRY_EXCLUDED = {"csrf_token", "step_up_code", "step_up_submit"}


def fresh_second_factor(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
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
