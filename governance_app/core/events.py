"""Events a package announces so that others can follow without being imported.

Blinker signals (Flask's own dependency). The sender is the object concerned; keyword arguments
carry plain values. Receivers run inside the sender's transaction: they add to the session and
never commit; an exception in a receiver refuses the whole action.

    from governance_app.core import events
    events.vote_result_published.connect(on_result)     # in the follower's package
    events.vote_result_published.send(vote, estate_id=vote.estate_id)   # in voting
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

vote_noticing = _signals.signal("vote-noticing")  # a notice is about to be published; a receiver may refuse it
vote_noticed = _signals.signal("vote-noticed")  # a vote's notice was published
vote_opened = _signals.signal("vote-opened")
vote_closed = _signals.signal("vote-closed")
vote_result_published = _signals.signal("vote-result-published")  # the counted result is public
statement_published = _signals.signal("statement-published")  # a fund statement is public
notice_published = _signals.signal("notice-published")  # a committee notice is posted
account_changed = _signals.signal("account-changed")  # sign-in from a new place, password or 2FA change
question_answered = _signals.signal("question-answered")  # the committee answered an owner's question
