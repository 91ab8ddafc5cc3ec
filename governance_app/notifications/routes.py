"""The inbox (a count in the header, a list with unread marks) and the notification preferences."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import child_or_404
from ..core.inputs import safe_next
from ..core.refusals import done
from ..extensions import db
from . import receivers  # noqa: F401 (connects the followers of the platform's events)
from . import services
from .forms import MarkReadForm, PreferencesForm
from .messages import KIND_GROUPS, render
from .models import Message

bp = Blueprint("notifications", __name__)
PAGE = 30


@bp.app_template_global("inbox_unread")
def inbox_unread() -> int:
    return services.unread_count(current_user) if current_user.is_authenticated else 0


@bp.app_template_global("message_text")
def message_text(message: Message) -> tuple[str, str]:
    return render(message.kind, message.values)


@bp.get("/inbox")
@login_required
def inbox():
    page = max(1, request.args.get("page", 1, type=int))
    messages = services.inbox(current_user, PAGE, (page - 1) * PAGE)
    total = services.inbox_size(current_user)
    return render_template("notifications/inbox.html", messages=messages, page=page, pages=max(1, -(-total // PAGE)),
                           form=MarkReadForm())


@bp.get("/inbox/<int:message_id>")
@login_required
def open_message(message_id: int):
    """Marks the message read and goes where the person acts."""
    message = child_or_404(Message, message_id, current_user, parent_id="user_id")
    services.mark_read(message)
    return done(None, safe_next(message.link, url_for(".inbox")))


@bp.post("/inbox/read")
@login_required
def read_all():
    if MarkReadForm().validate_on_submit():
        services.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for(".inbox"))


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences():
    form = PreferencesForm()
    if request.method == "GET":
        form.email.data, form.language.data = current_user.email or "", current_user.language or "zh_CN"
        for group, wanted in services.email_groups(current_user).items():
            form[group].data = wanted
    if form.validate_on_submit():
        services.save_preferences(current_user, (form.email.data or "").strip(), form.language.data,
                                  {group: bool(form[group].data) for group in KIND_GROUPS})
        db.session.commit()
        flash(_("Your notification settings were saved."), "success")
        return redirect(url_for(".preferences"))
    return render_template("notifications/preferences.html", form=form, groups=KIND_GROUPS), \
        (400 if form.errors else 200)
