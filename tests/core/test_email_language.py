"""A letter is written wholly in its recipient's language, whoever's action sent it."""

import pytest
from flask_babel import force_locale

from app.core.email import OutboxMessage
from tests.factories import make_call, make_proposal, make_user


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [("en", "Received: ", "Hello "), ("nl", "Ontvangen: ", "Beste ")],
)
def test_the_receipt_email_has_subject_and_body_in_the_recipients_language(
    language, subject, greeting
):
    user = make_user("applicant", language=language)
    with force_locale("nl" if language == "en" else "en"):  # the sender's session speaks the other
        make_proposal(make_call(), user, submit=True)
    [message] = OutboxMessage.query.filter_by(recipient=user.email).all()
    assert message.subject.startswith(subject)
    assert message.body.startswith(greeting)


@pytest.mark.parametrize(
    ("language", "written"), [("en", "31 Mar 2027 23:59:59"), ("nl", "31-03-2027 23:59:59")]
)
def test_the_reminders_deadline_is_written_the_recipients_way(language, written):
    from datetime import timedelta

    from app.core.time import brussels
    from app.proposals.reminders import send_deadline_reminders

    deadline = brussels(2027, 3, 31, 23, 59, 59)
    user = make_user("applicant", language=language)
    make_proposal(make_call(deadline=deadline), user, complete=False)
    with force_locale("nl" if language == "en" else "en"):  # the job's own language
        assert send_deadline_reminders(deadline - timedelta(days=3)) == 1
    [message] = OutboxMessage.query.filter_by(recipient=user.email).all()
    assert written in message.subject and written in message.body
