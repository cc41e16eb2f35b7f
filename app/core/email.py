"""Email through an outbox table: services enqueue inside their transaction, a timer sends.

``flask --app app outbox send`` delivers pending messages over SMTP (or prints them to the
console in development). Each message is handled on its own: a delivery failure is recorded
and retried with exponential back-off until MAIL_MAX_ATTEMPTS, then the message is marked
failed; a message that cannot be built at all (say a line break in an address) is marked
failed at once. One bad message never blocks the ones queued after it. Failed messages show in
``outbox status`` and on the officials' home page.
"""

import re
import smtplib
import sys
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from enum import StrEnum
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app, render_template
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Model, db, str_enum, transaction
from app.core.time import utcnow


class OutboxStatus(StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after MAIL_MAX_ATTEMPTS


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(sa.String(60), index=True)
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(250))
    body: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.pending, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Optional key that makes an email idempotent (e.g. "remind:call:7:org:3:7d").
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200), unique=True)


def enqueue(
    kind: str,
    *,
    to: str,
    subject: str,
    template: str,
    language: str = "nl",
    dedupe_key: str | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Render a plain-text email in the recipient's language and add it to the outbox.

    Call inside the service's transaction: the email leaves only if the change commits.
    With ``dedupe_key``, a message already queued under that key is not queued again.
    """
    if dedupe_key and db.session.scalar(
        sa.select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)
    ):
        return None
    subject, body = render_email(subject, template, language, **context)
    message = OutboxMessage(
        kind=kind, recipient=to, subject=subject, body=body, dedupe_key=dedupe_key
    )
    db.session.add(message)
    return message


def render_email(
    subject: object, template: str, language: str = "nl", **context: Any
) -> tuple[str, str]:
    """The subject and body of an email as its recipient will read it (``enqueue`` queues
    exactly this; a confirmation page shows it as a preview)."""
    with force_locale(language):
        return single_line(str(subject)), render_template(template, **context)


_LINE_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(text: str) -> str:
    """A header value with every control character (CR, LF, NUL, ...) turned into a space, so
    a name typed before the forms refused them can never add a header to an email."""
    return _LINE_BREAKS.sub(" ", text).strip()


def _build(message: OutboxMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    mail.set_content(message.body)
    return mail


def _deliver(mail: EmailMessage) -> None:
    config = current_app.config
    if config["MAIL_BACKEND"] == "console":
        click.echo(f"----- email -----\n{mail}\n----- end -----", file=sys.stderr)
        return
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def send_pending(now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Deliver due messages; return (sent, failed attempts). Each message is its own unit.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several senders on
    several machines never send the same message twice.
    """
    now = now or utcnow()
    config = current_app.config
    sent = failed = 0
    for _ in range(limit):
        with transaction():
            query = (
                sa.select(OutboxMessage)
                .where(
                    OutboxMessage.status == OutboxStatus.pending,
                    OutboxMessage.next_attempt_at <= now,
                )
                .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                .limit(1)
            )
            if db.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            message = db.session.scalar(query)
            if message is None:
                break
            message.attempts += 1
            try:
                mail = _build(message)
            except Exception as exc:  # never retried: the message itself is bad
                failed += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                message.status = OutboxStatus.failed
                continue
            try:
                _deliver(mail)
            except Exception as exc:  # any error: record it, retry later
                failed += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                    message.status = OutboxStatus.failed
                else:
                    delay = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (message.attempts - 1)
                    message.next_attempt_at = now + timedelta(seconds=delay)
            else:
                sent += 1
                message.status = OutboxStatus.sent
                message.sent_at = utcnow()
                message.last_error = None
    return sent, failed


outbox_cli = AppGroup("outbox", help="The email outbox.")


@outbox_cli.command("send")
@click.option("--limit", default=200, show_default=True, help="At most this many messages.")
def send_command(limit: int) -> None:
    """Deliver pending emails (run it every minute from a timer)."""
    sent, failed = send_pending(limit=limit)
    click.echo(f"sent {sent}, failed {failed}")


def failed_messages(limit: int = 5) -> tuple[int, list[OutboxMessage]]:
    """How many messages failed for good, and the newest ``limit`` of them."""
    count = (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.failed)
        )
        or 0
    )
    newest = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.failed)
            .order_by(OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )
    return count, newest


@outbox_cli.command("status")
@click.option("--limit", default=20, show_default=True, help="List at most this many failed.")
def status_command(limit: int) -> None:
    """Count messages per status and list the failed ones with their last error."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    ).all()
    counts = {status.value: 0 for status in OutboxStatus}
    counts.update({status.value: n for status, n in rows})
    click.echo(" ".join(f"{k} {v}" for k, v in counts.items()))
    _count, failed = failed_messages(limit)
    for message in failed:
        click.echo(
            f"failed #{message.id} {message.kind} to {message.recipient!r} after "
            f"{message.attempts} attempt(s): {message.last_error}"
        )


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for emails, built from SERVER_BASE_URL (works outside requests)."""
    from flask import url_for

    base = current_app.config["SERVER_BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
