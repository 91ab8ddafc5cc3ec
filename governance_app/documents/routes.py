"""PDF downloads of votes and statements, and the public page that checks a document's number."""
from __future__ import annotations

import logging
import re

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.permissions import can
from ..extensions import db, limiter
from ..files.responses import attachment_headers
from . import rules, services
from .forms import CheckForm
from .messages import KIND_TITLES, LOG_TEXTS, PRINTED_TEXTS, STATUS_TEXTS
from .render import FontMissing

bp = Blueprint("documents", __name__)
log = logging.getLogger(__name__)
CHECK_LIMIT = "30/minute"


def pdf_response(content: bytes, filename: str) -> Response:
    return Response(content, mimetype="application/pdf",
                    headers=attachment_headers(filename, **{"Cache-Control": "private, no-store"}))


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
    from ..voting import services as voting
    from ..voting.models import VoteState

    vote = voting.get_vote(vote_id)
    if vote is None or vote.result is None or not can(current_user, "vote.view", vote):
        abort(404)
    insider = can(current_user, "vote.manage", vote) or can(current_user, "vote.audit", vote)
    if vote.state != VoteState.PUBLISHED and not insider:
        abort(404)
    return vote


def _file_name(kind: str, vote) -> str:
    return f"{kind}-{vote.uid}.pdf"


@bp.get("/votes/<int:vote_id>/result-announcement.pdf")
@login_required
def result_announcement(vote_id: int):
    vote = _counted_vote_or_404(vote_id)
    content = services.result_announcement_pdf(vote, current_user)
    db.session.commit()
    return pdf_response(content, _file_name("result-announcement", vote))


@bp.get("/votes/<int:vote_id>/minutes.pdf")
@login_required
def vote_minutes(vote_id: int):
    vote = _counted_vote_or_404(vote_id)
    content = services.vote_minutes_pdf(vote, current_user)
    db.session.commit()
    return pdf_response(content, _file_name("minutes", vote))


@bp.get("/votes/<int:vote_id>/filing-form.pdf")
@login_required
def filing_form(vote_id: int):
    """R-46: the committee files the election with the sub-district, whose supervisors (and
    auditors) check it; not for owners or residents' committee staff."""
    vote = _counted_vote_or_404(vote_id)
    if not (can(current_user, "vote.manage", vote) or can(current_user, "vote.audit", vote)) \
            or not services.has_election(vote):
        abort(404)
    content = services.filing_form_pdf(vote, current_user)
    db.session.commit()
    return pdf_response(content, _file_name("filing-form", vote))


# --- fund statements ------------------------------------------------------------------------------------

@bp.get("/estates/<int:estate_id>/funds/statements/<int:statement_id>.pdf")
@login_required
def fund_statement(estate_id: int, statement_id: int):
    from ..estates.services import get_estate
    from ..funds.models import Statement

    estate = get_estate(estate_id)
    if estate is None or not can(current_user, "funds.view", estate):
        abort(404)
    statement = db.session.get(Statement, statement_id)
    if statement is None or statement.estate_id != estate.id:
        abort(404)
    content = services.fund_statement_pdf(statement, current_user)
    db.session.commit()
    name = f"statement-{statement.account.kind.value}-{statement.period_start}-{statement.period_end}.pdf"
    return pdf_response(content, name)


# --- checking a number ------------------------------------------------------------------------------------

@bp.get("/documents/check")
@limiter.limit(CHECK_LIMIT)
def check():
    """Public: anyone holding a paper copy may ask whether it is genuine and current."""
    form = CheckForm(request.args, meta={"csrf": False})
    found = services.check(form.number.data, form.head.data or "") if form.number.data and form.validate() else None
    return render_template("documents/check.html", form=form, found=found, kind_titles=KIND_TITLES,
                           status_texts=STATUS_TEXTS, log_texts=LOG_TEXTS, printed_texts=PRINTED_TEXTS)


# --- words and numbers in the documents ------------------------------------------------------------------

@bp.app_template_filter("grouped")
def grouped(decimal: str) -> str:
    """"1234567.89" -> "1,234,567.89"."""
    sign, digits = ("-", decimal[1:]) if decimal.startswith("-") else ("", decimal)
    whole, dot, part = digits.partition(".")
    return f"{sign}{int(whole):,}{dot}{part}"


@bp.app_template_filter("wide_spaces")
def wide_spaces(text: str) -> str:
    """En spaces for the blanks of a page number in small CJK type ("第 1 页 共 1 页"): an
    ordinary space there is too narrow for text extraction and search to see."""
    return str(text).replace(" ", "\u2002")


@bp.app_template_filter("shown_units")
def shown_units(units: list[str]) -> dict:
    """The units an activation letter lists and how many it leaves out (rules.shown_units)."""
    shown, left = rules.shown_units(units)
    return {"shown": shown, "left": left}


@bp.app_template_filter("fit")
def fit(text: str, room: str) -> str:
    """``text`` cut with "…" to the room an activation letter has for it ("estate", "owner")."""
    return rules.fit_text(str(text), {"estate": rules.ESTATE_NAME_EMS, "owner": rules.OWNER_NAME_EMS}[room])


@bp.app_template_filter("css_string")
def css_string(text: str) -> str:
    """A quoted CSS string: page margin boxes take their words from CSS."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


@bp.app_template_global()
def page_counter_css() -> str:
    """"Page %(page)s of %(pages)s" in the reader's language, as CSS ``content`` with counters."""
    pieces = re.split(r"(%\(pages?\)s)", _("Page %(page)s of %(pages)s"))
    # En spaces (see wide_spaces): "第1页共3页" would read as one word to pdftotext and search.
    return " ".join({"%(page)s": "counter(page)", "%(pages)s": "counter(pages)"}.get(piece)
                    or css_string(wide_spaces(piece)) for piece in pieces if piece)
