"""PDF downloads of votes and statements, and the public page that checks a document's number."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import can, child_or_404, load_or_404
from ..estates.models import Estate
from ..extensions import db, limiter
from ..jobs import services as jobs
from ..funds import printing as fund_printing
from ..funds.models import Statement
from ..voting import printing as vote_printing
from ..voting import services as voting
from ..voting import tasks as vote_tasks
from . import services
from .forms import CheckForm
from .messages import KIND_TITLES, LOG_TEXTS, PRINTED_TEXTS, STATUS_TEXTS
from .render import FontMissing
from .responses import pdf_response

bp = Blueprint("documents", __name__)
log = logging.getLogger(__name__)
CHECK_LIMIT = "30/minute"


@bp.app_errorhandler(FontMissing)
def font_missing(error: FontMissing):
    """Not something the reader caused or can fix: say who can, and change nothing."""
    db.session.rollback()
    log.error("PDF refused at %s: %s", request.path, error)
    return render_template("core/error.html", status=503, title=_("PDF documents cannot be made right now"),
                           detail=_("No Chinese font is installed on the server, and a document without one would "
                                    "show empty boxes. The administrator must install the Debian package "
                                    "%(package)s (apt-get install %(package)s).", package=error.package)), 503


# --- votes ----------------------------------------------------------------------------------------------

def _counted_vote_or_404(vote_id: int):
    """The vote, if its result page is open to the user: the committee, supervisors and
    auditors once counted; everyone who may view the estate's votes once published."""
    vote = voting.get_vote(vote_id)
    if vote is None or not voting.may_read_result(current_user, vote):
        abort(404)
    return vote


def _file_name(kind: str, vote) -> str:
    return f"{kind}-{vote.uid}.pdf"


def _printed(content: bytes, name: str):
    """A PDF just printed: the number it carries is kept (committed) before it is sent."""
    db.session.commit()
    return pdf_response(content, name)


@bp.app_template_global()
def announcement_as_job(vote) -> bool:
    return vote_tasks.announcement_as_job(vote)


@bp.get("/votes/<int:vote_id>/result-announcement.pdf")
@login_required
def result_announcement(vote_id: int):
    vote = _counted_vote_or_404(vote_id)
    if vote_tasks.announcement_as_job(vote):  # a large estate's: printed by a job, started by a button
        flash(_("For an estate this large the announcement is printed in the background: press "
                "“Print the result announcement (PDF)” and its page will show the progress."), "info")
        return redirect(url_for("voting.result", vote_id=vote.id))
    return _printed(vote_printing.result_announcement_pdf(vote, current_user), _file_name("result-announcement", vote))


@bp.post("/votes/<int:vote_id>/result-announcement")
@login_required
def print_result_announcement(vote_id: int):
    """The announcement printed by a job (the button large estates show): progress, then the file."""
    vote = _counted_vote_or_404(vote_id)
    return redirect(jobs.launched(vote_tasks.start_announcement(vote, current_user)))


@bp.get("/votes/<int:vote_id>/minutes.pdf")
@login_required
def vote_minutes(vote_id: int):
    vote = _counted_vote_or_404(vote_id)
    return _printed(vote_printing.vote_minutes_pdf(vote, current_user), _file_name("minutes", vote))


@bp.get("/votes/<int:vote_id>/filing-form.pdf")
@login_required
def filing_form(vote_id: int):
    """R-46: the committee files the election with the sub-district, whose supervisors (and
    auditors) check it; not for owners or residents' committee staff."""
    vote = _counted_vote_or_404(vote_id)
    if not (can(current_user, "vote.manage", vote) or can(current_user, "vote.inspect", vote)) \
            or not vote_printing.has_election(vote):
        abort(404)
    return _printed(vote_printing.filing_form_pdf(vote, current_user), _file_name("filing-form", vote))


# --- fund statements ------------------------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/funds/statements/<int:statement_id>.pdf")
@login_required
def fund_statement(estate_id: int, statement_id: int):
    estate = load_or_404(Estate, estate_id, "funds.view")
    statement = child_or_404(Statement, statement_id, estate)
    return _printed(fund_printing.fund_statement_pdf(statement, current_user),
                    f"statement-{statement.account.kind.value}-{statement.period_start}-{statement.period_end}.pdf")


# --- checking a number ------------------------------------------------------------------------------------

@bp.get("/documents/check")
@limiter.limit(CHECK_LIMIT)
def check():
    """Public: anyone holding a paper copy may ask whether it is genuine and current."""
    form = CheckForm(request.args, meta={"csrf": False})
    found = services.check(form.number.data, form.head.data or "") if form.number.data and form.validate() else None
    return render_template("documents/check.html", form=form, found=found, kind_titles=KIND_TITLES,
                           status_texts=STATUS_TEXTS, log_texts=LOG_TEXTS, printed_texts=PRINTED_TEXTS)
