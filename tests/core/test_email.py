"""The outbox against a real SMTP server (aiosmtpd on a free local port)."""

import socket
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.core.db import db, transaction
from app.core.email import OutboxMessage, OutboxStatus, enqueue, send_pending
from app.core.time import utcnow


class CollectingHandler:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy))
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def mail_config(app):
    """Point the app at a given SMTP port for one test and restore the config afterwards."""
    saved = {k: app.config[k] for k in ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT")}

    def _set(port: int):
        app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
        return port

    yield _set
    app.config.update(saved)


@pytest.fixture
def smtp_server(mail_config):
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mail_config(controller.port)
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def dead_smtp(mail_config):
    """A port nobody listens on: every delivery fails with a connection error."""
    return mail_config(_free_port())


def _enqueue(to="ontvanger@example.org", dedupe_key=None):
    with transaction():
        message = enqueue(
            "verify_email",
            to=to,
            subject="Bevestig uw e-mailadres",
            template="auth/email/verify.txt",
            dedupe_key=dedupe_key,
            user=type("U", (), {"name": "Els", "email": to})(),
            link="http://localhost/auth/verify/abc",
        )
    return message


def _get(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_enqueue_then_send_pending_delivers_over_smtp(smtp_server):
    message_id = _enqueue().id
    assert _get(message_id).status is OutboxStatus.pending

    assert send_pending() == (1, 0)

    assert len(smtp_server.messages) == 1
    recipients, mail = smtp_server.messages[0]
    assert recipients == ["ontvanger@example.org"]
    assert mail["To"] == "ontvanger@example.org"
    assert mail["Subject"] == "Bevestig uw e-mailadres"
    assert "http://localhost/auth/verify/abc" in mail.get_content()
    stored = _get(message_id)
    assert stored.status is OutboxStatus.sent
    assert stored.sent_at is not None
    assert stored.attempts == 1
    assert stored.last_error is None
    # Nothing left to send: a second run is a no-op.
    assert send_pending() == (0, 0)
    assert len(smtp_server.messages) == 1


def test_failure_is_recorded_and_retried_with_back_off(app, dead_smtp):
    message_id = _enqueue().id
    now = utcnow()

    assert send_pending(now=now) == (0, 1)

    stored = _get(message_id)
    assert stored.status is OutboxStatus.pending
    assert stored.attempts == 1
    assert stored.last_error
    base = app.config["MAIL_RETRY_BASE_SECONDS"]
    assert stored.next_attempt_at == now + timedelta(seconds=base)
    # Not due yet: nothing is tried.
    assert send_pending(now=now) == (0, 0)
    assert _get(message_id).attempts == 1


def test_message_fails_after_max_attempts(app, dead_smtp):
    message_id = _enqueue().id
    now = utcnow()
    max_attempts = app.config["MAIL_MAX_ATTEMPTS"]
    for attempt in range(1, max_attempts + 1):
        assert send_pending(now=now) == (0, 1), attempt
        stored = _get(message_id)
        assert stored.attempts == attempt
        now = stored.next_attempt_at
    assert _get(message_id).status is OutboxStatus.failed
    # A failed message is never tried again.
    assert send_pending(now=now + timedelta(days=365)) == (0, 0)


def test_dedupe_key_prevents_a_second_enqueue():
    assert _enqueue(dedupe_key="remind:test:1") is not None
    assert _enqueue(dedupe_key="remind:test:1") is None
    assert _enqueue(dedupe_key="remind:test:2") is not None
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert count == 2


def test_cli_outbox_send_reports_counts(runner, smtp_server):
    _enqueue("een@example.org")
    _enqueue("twee@example.org")
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 2, failed 0"
    assert sorted(r[0][0] for r in smtp_server.messages) == ["een@example.org", "twee@example.org"]


def test_cli_outbox_send_reports_failures(runner, dead_smtp):
    _enqueue()
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "sent 0, failed 1"
    status = runner.invoke(args=["outbox", "status"])
    assert status.output.strip() == "pending 1 sent 0 failed 0"


# ---------------------------------------------------------------- one bad message never blocks

INJECTED = "Leerhuis vzw\r\nBcc: iedereen@example.org"


def _enqueue_subject(subject: str, to="ontvanger@example.org"):
    with transaction():
        message = enqueue(
            "receipt",
            to=to,
            subject=subject,
            template="auth/email/verify.txt",
            user=type("U", (), {"name": "Els", "email": to})(),
            link="http://localhost/auth/verify/abc",
        )
    return message.id


def _raw_message(**fields) -> int:
    """A message stored as it might have been before names were checked."""
    with transaction():
        message = OutboxMessage(kind="receipt", body="Dag Els", **fields)
        db.session.add(message)
    return message.id


def test_a_line_break_in_a_subject_never_adds_a_header(smtp_server):
    message_id = _enqueue_subject(f"Ontvangstbewijs {INJECTED}")

    assert send_pending() == (1, 0)

    assert len(smtp_server.messages) == 1
    recipients, mail = smtp_server.messages[0]
    assert recipients == ["ontvanger@example.org"]
    assert mail["Bcc"] is None
    assert "\r" not in mail["Subject"] and "\n" not in mail["Subject"]
    assert _get(message_id).status is OutboxStatus.sent


def test_a_message_that_cannot_be_built_fails_at_once_and_the_queue_moves_on(smtp_server):
    bad = _raw_message(recipient="ontvanger@example.org", subject=f"Ontvangstbewijs {INJECTED}")
    bad_address = _raw_message(
        recipient="x@example.org\r\nBcc: iedereen@example.org", subject="Ontvangstbewijs"
    )
    good = _enqueue_subject("Wachtwoord herstellen", to="els@example.org")

    assert send_pending() == (1, 2)

    assert [r for r, _mail in smtp_server.messages] == [["els@example.org"]]
    for message_id in (bad, bad_address):
        stored = _get(message_id)
        assert stored.status is OutboxStatus.failed
        assert stored.attempts == 1
        assert "ValueError" in stored.last_error
    assert _get(good).status is OutboxStatus.sent
    assert send_pending() == (0, 0)  # never tried again


def test_any_delivery_error_is_recorded_and_backed_off_per_message(app, smtp_server, monkeypatch):
    import app.core.email as email_module

    real_deliver = email_module._deliver

    def flaky(mail):
        if mail["To"] == "kapot@example.org":
            raise RuntimeError("the relay said something unexpected")
        real_deliver(mail)

    monkeypatch.setattr(email_module, "_deliver", flaky)
    broken = _enqueue_subject("Ontvangstbewijs", to="kapot@example.org")
    fine = _enqueue_subject("Ontvangstbewijs", to="els@example.org")
    now = utcnow()

    assert send_pending(now=now) == (1, 1)

    stored = _get(broken)
    assert stored.status is OutboxStatus.pending
    assert stored.last_error == "RuntimeError: the relay said something unexpected"
    assert stored.next_attempt_at == now + timedelta(seconds=app.config["MAIL_RETRY_BASE_SECONDS"])
    assert _get(fine).status is OutboxStatus.sent
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        send_pending(now=_get(broken).next_attempt_at)
    assert _get(broken).status is OutboxStatus.failed


def test_outbox_status_lists_failed_messages(runner):
    _raw_message(recipient="x@example.org\r\nBcc: y@example.org", subject="Ontvangstbewijs")
    send_pending()
    result = runner.invoke(args=["outbox", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "pending 0 sent 0 failed 1"
    assert lines[1].startswith("failed #")
    assert "ValueError" in lines[1]


def test_officials_see_failed_messages_on_their_home_page(client, as_role):
    _raw_message(recipient="x@example.org\r\nBcc: y@example.org", subject="Ontvangstbewijs")
    send_pending()
    as_role("official")
    body = client.get("/").get_data(as_text=True)
    assert 'class="failed-mail"' in body
    assert "Ontvangstbewijs" in body


def test_applicants_do_not_see_failed_messages(client, as_role):
    _raw_message(recipient="x@example.org\r\nBcc: y@example.org", subject="Ontvangstbewijs")
    send_pending()
    as_role("applicant")
    assert 'class="failed-mail"' not in client.get("/").get_data(as_text=True)
