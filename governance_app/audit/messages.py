"""The audit log in words: each action code as a phrase ("published the statement"), each kind of
object as a noun. A supervisor reads sentences; the codes and their details are for auditors, who
check the chain against them (``audit.read_codes``). Lazy: translated when a page is drawn."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_PHRASES = {
    "activation.failed": _l("typed a wrong activation code"),
    "activation.issued": _l("issued activation letters"),
    "activation.revoked": _l("revoked an activation code"),
    "activation.used": _l("activated an owner's account"),
    "ballot.paper_confirmed": _l("confirmed a paper ballot"),
    "ballot.paper_entered": _l("entered a paper ballot"),
    "ballot.paper_opened": _l("opened a paper ballot to check it"),
    "ballot.paper_rejected": _l("rejected a paper ballot"),
    "ballot.refused_second": _l("refused a second ballot of the same unit"),
    "committee.member_added": _l("added a committee member"),
    "committee.member_left": _l("recorded that a committee member left"),
    "document.generated": _l("drew a numbered document"),
    "document.version_added": _l("added a version of an estate document"),
    "funds.accounts_opened": _l("opened the estate's accounts"),
    "funds.bank_imported": _l("imported bank lines"),
    "funds.bank_uploads_removed": _l("removed stale bank uploads"),
    "funds.draft_discarded": _l("discarded a draft entry"),
    "funds.entry_posted": _l("posted an entry to the accounts"),
    "funds.entry_reversed": _l("reversed an entry"),
    "funds.evidence_attached": _l("attached evidence to an entry"),
    "funds.policy_changed": _l("changed the accounts' settings"),
    "funds.question_answered": _l("answered an owner's question"),
    "funds.question_asked": _l("asked about an entry"),
    "funds.statement_published": _l("published a statement of the accounts"),
    "funds.transfer": _l("transferred between accounts"),
    "funds.unit_balances_imported": _l("imported the units' fund balances"),
    "meeting.decision": _l("recorded a committee decision"),
    "meeting.held": _l("recorded who attended a committee meeting"),
    "meeting.posted": _l("posted the minutes of a committee meeting"),
    "meeting.scheduled": _l("scheduled a committee meeting and posted its agenda"),
    "notice.published": _l("published a notice"),
    "notice.withdrawn": _l("withdrew a notice"),
    "proxy.recorded": _l("recorded a proxy"),
    "role.granted": _l("granted a role"),
    "role.revoked": _l("revoked a role"),
    "roll.imported": _l("imported the roll of owners"),
    "user.assisted_reset": _l("issued a reset code for an account"),
    "user.created": _l("created an account"),
    "user.password_changed": _l("changed a password"),
    "user.password_failed": _l("typed a wrong password"),
    "user.recovery_code_used": _l("signed in with a recovery code"),
    "user.recovery_codes_regenerated": _l("made new recovery codes"),
    "user.reset_code_failed": _l("typed a wrong reset code"),
    "user.reset_completed": _l("chose a new password with a reset code"),
    "user.second_factor_failed": _l("typed a wrong authenticator code"),
    "user.signed_in": _l("signed in"),
    "user.signed_out": _l("signed out"),
    "user.signed_out_everywhere": _l("signed out on every device"),
    "user.totp_enrolled": _l("set up an authenticator"),
    "vote.ballots_viewed": _l("looked at the individual ballots of a vote"),
    "vote.bundle_downloaded": _l("downloaded the audit bundle of a vote"),
    "vote.candidate_added": _l("added a candidate"),
    "vote.counted": _l("counted a vote"),
    "vote.drafted": _l("drafted a vote"),
    "vote.item_added": _l("added an item to a vote"),
    "vote.noticed": _l("published the notice of a vote"),
    "vote.published": _l("published the result of a vote"),
    "vote.scan_viewed": _l("looked at the scan of a paper ballot"),
    "vote.state_changed": _l("changed the state of a vote"),
    "voting.settings_changed": _l("changed the estate's voting settings"),
}

OBJECT_NOUNS = {
    "activation_code": _l("activation code"),
    "committee_meeting": _l("committee meeting"),
    "committee_member": _l("committee member"),
    "estate": _l("estate"),
    "estate_document": _l("estate document"),
    "fund_account": _l("account"),
    "fund_bank_upload": _l("bank file"),
    "fund_entry": _l("entry"),
    "fund_question": _l("question"),
    "fund_statement": _l("statement"),
    "notice": _l("notice"),
    "paper_entry": _l("paper ballot"),
    "proxy_authority": _l("proxy"),
    "roll_import": _l("roll import"),
    "user": _l("account"),
    "vote": _l("vote"),
}


def action_phrase(action: str):
    """What was done, in words; an action without a phrase yet shows as an unnamed change (its
    code stays on the page of those who read codes)."""
    return ACTION_PHRASES.get(action, _l("made a change"))


def object_noun(object_type: str):
    return OBJECT_NOUNS.get(object_type, _l("record"))
