"""The words of every kind of message, in the reader's language (drawn when read or mailed)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# kind: (title, body). Values are plain: a vote's or a notice's title, the estate's name, dates.
TEXTS = {
    "vote_noticed": (_l("Vote announced: %(title)s"),
                     _l("The committee of %(estate)s published the notice of the vote “%(title)s”. "
                        "Voting opens on %(opens)s.")),
    "vote_opened": (_l("Voting is open: %(title)s"),
                    _l("Voting on “%(title)s” in %(estate)s is open until %(closes)s.")),
    "vote_closing": (_l("Two days left to vote: %(title)s"),
                     _l("Voting on “%(title)s” in %(estate)s closes on %(closes)s, and you have not voted "
                        "yet.")),
    "vote_result": (_l("Result published: %(title)s"),
                    _l("The result of the vote “%(title)s” in %(estate)s is published.")),
    "statement_published": (_l("Fund statement published"),
                            _l("%(estate)s published the statement of %(account)s for %(start)s to %(end)s.")),
    "notice_published": (_l("New notice: %(title)s"),
                         _l("The committee of %(estate)s posted “%(title)s”.")),
    "question_answered": (_l("Your question was answered"),
                          _l("The committee of %(estate)s answered your question about an entry of the "
                             "accounts.")),
    "duty_soon": (_l("Due in two days: %(title)s"),
                  _l("In %(estate)s: “%(title)s” is due on %(due)s (%(rule)s).")),
    "duty_overdue": (_l("Overdue: %(title)s"),
                     _l("In %(estate)s: “%(title)s” was due on %(due)s (%(rule)s) and is overdue.")),
    "board_notified": (_l("A matter concerning you under the estate's conventions"),
                       _l("The committee of %(estate)s has recorded a matter concerning you under the estate's "
                          "conventions. You may object until %(until)s: open the page to read it and to object.")),
    "new_device": (_l("New sign-in to your account"),
                   _l("Your account was signed in to from a browser or device it had not used before. If "
                      "this was not you, change your password and end your other sessions.")),
    "password_changed": (_l("Your password was changed"),
                         _l("The password of your account was changed. If you did not do this, ask your "
                            "committee or residents' committee to reset your account.")),
    "authenticator_reset": (_l("Your authenticator was set up again"),
                            _l("A new authenticator app was set up for your account. If you did not do this, "
                               "ask for a reset of your account.")),
    "recovery_code_used": (_l("A recovery code was used"),
                           _l("One of your recovery codes was used to sign in. If it was not you, change your "
                              "password and end your other sessions.")),
    "sessions_ended": (_l("Your sessions were ended"),
                       _l("Every signed-in session of your account was ended.")),
}
# Kinds a person chooses to get by e-mail or not; security messages always come.
KIND_GROUPS = {
    "votes": (_l("Votes: notices, opening, the reminder two days before closing, results"),
              ("vote_noticed", "vote_opened", "vote_closing", "vote_result")),
    "funds": (_l("Fund statements and answers to my questions"), ("statement_published", "question_answered")),
    "notices": (_l("Notices of the committee"), ("notice_published",)),
    "duties": (_l("Duties falling due (committee and staff)"), ("duty_soon", "duty_overdue")),
}
SECURITY = frozenset({"new_device", "password_changed", "authenticator_reset", "recovery_code_used",
                      "sessions_ended"})
ACCOUNT_NAMES = {"maintenance_fund": _l("the maintenance fund"), "common_income": _l("common income"),
                 "working_fund": _l("the committee's working fund")}
EMAIL_FOOTER = _l("Open it on the platform: %(url)s")
SECURITY_NOTE = _l("Security messages are always sent.")


def group_of(kind: str) -> str | None:
    return next((group for group, (_title, kinds) in KIND_GROUPS.items() if kind in kinds), None)


def render(kind: str, values: dict) -> tuple[str, str]:
    """(title, body) of a message in the current language."""
    title, body = TEXTS[kind]
    shown = dict(values)
    if "account" in shown:
        shown["account"] = str(ACCOUNT_NAMES.get(shown["account"], shown["account"]))
    return _fill(title, shown), _fill(body, shown)


def _fill(template, values: dict) -> str:
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(template)
