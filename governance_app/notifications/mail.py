"""E-mail of inbox messages through SMTP (``MAIL_*`` settings), sent by a job after the
transaction that made the message commits: a request never waits for the mail server.

Celery: the ``governance.send_mail`` task, retried with growing waits when the server refuses
or cannot be reached. Without Celery a thread sends it once; a message left ``queued`` is sent
again by the hourly task. The message is in the person's language (Chinese unless they chose)."""
from __future__ import annotations

import logging
import smtplib
import threading
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..core import clock
from ..extensions import db
from ..jobs.celery_app import broker_reachable, celery_for
from ..jobs.registry import task
from .messages import EMAIL_FOOTER, SECURITY_NOTE, SECURITY, render
from .models import Message

log = logging.getLogger(__name__)
PENDING = "notification_mail_pending"


class MailFailed(RuntimeError):
    """The SMTP server could not be reached or refused the message (worth trying again)."""


def after_commit(message_ids: list[int]) -> None:
    """Send these messages' e-mails once the session's transaction commits (never if it rolls back)."""
    if message_ids:
        db.session.info.setdefault(PENDING, []).extend(message_ids)


@event.listens_for(Session, "after_commit")
def _send_committed(session) -> None:
    pending = session.info.pop(PENDING, None)
    if pending:
        dispatch(pending)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session) -> None:
    session.info.pop(PENDING, None)


def dispatch(message_ids: list[int]) -> None:
    if not current_app.config["MAIL_SERVER"]:
        return
    how = current_app.config["JOBS_MODE"]
    if how == "celery":
        if not broker_reachable(current_app):
            log.warning("mail %s waits for the broker (the hourly task sends it)", message_ids)
            return
        celery = celery_for(current_app)
        for message_id in message_ids:
            try:
                celery.send_task("governance.send_mail", args=[message_id], retry=False)
            except Exception as error:  # noqa: BLE001 (broker down: the hourly task sends it later)
                log.warning("mail %s not queued: %s", message_id, error)
        return
    app = current_app._get_current_object()
    worker = threading.Thread(target=_send_in_thread, args=(app, list(message_ids)), daemon=True)
    worker.start()
    if how == "inline":
        worker.join()


def _send_in_thread(app, message_ids: list[int]) -> None:
    with app.app_context():
        try:
            for message_id in message_ids:
                try:
                    deliver(message_id)
                except MailFailed as error:
                    log.warning("mail %s not sent (will be tried again): %s", message_id, error)
        finally:
            db.session.remove()


def compose(message: Message, user: User) -> EmailMessage:
    config = current_app.config
    with force_locale(user.language or "zh_CN"):
        title, body = render(message.kind, message.values)
        url = config["SITE_URL"].rstrip("/") + (message.link or "/inbox")
        lines = [body, "", str(EMAIL_FOOTER) % {"url": url}]
        if message.kind in SECURITY:
            lines += ["", str(SECURITY_NOTE)]
    mail = EmailMessage()
    mail["Subject"] = title
    mail["From"] = config["MAIL_FROM"]
    mail["To"] = formataddr((user.display_name, user.email))
    mail["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or None)
    mail.set_content("\n".join(lines))
    return mail


@task("governance.send_mail", bind=True, max_retries=8)
def send_mail(celery_task, message_id: int) -> None:
    """The worker's task: deliver, or try again later (waits growing up to an hour)."""
    try:
        deliver(message_id)
    except MailFailed as error:
        raise celery_task.retry(exc=error, countdown=min(3600, 30 * 2 ** celery_task.request.retries)) from error


def deliver(message_id: int) -> bool:
    """Send one message's e-mail if it is still queued; True when sent."""
    message = db.session.get(Message, message_id)
    if message is None or message.mail_state != "queued":
        return False
    user = db.session.get(User, message.user_id)
    if not user.email:
        message.mail_state = None
        db.session.commit()
        return False
    mail = compose(message, user)
    config = current_app.config
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as server:
            if config["MAIL_USE_TLS"]:
                server.starttls()
            if config["MAIL_USERNAME"]:
                server.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            server.send_message(mail)
    except (OSError, smtplib.SMTPException) as error:
        db.session.rollback()
        raise MailFailed(f"{error.__class__.__name__}: {error}") from error
    message.mail_state, message.mailed_at = "sent", clock.now()
    db.session.commit()
    return True


def queued_before(moment) -> list[int]:
    return list(db.session.scalars(select(Message.id).where(Message.mail_state == "queued",
                                                           Message.created_at < moment)))
