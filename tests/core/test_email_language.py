"""A letter is written wholly in its recipient's language, whoever's action sent it."""

import pytest
from flask_babel import force_locale

from app.core.email import OutboxMessage
from tests.factories import make_call, make_proposal, make_user


@pytest.mark.parametrize(("language", "subject", "greeting"), [
    ("en", "Received: ", "Hello "), ("nl", "Ontvangen: ", "Beste ")])
def test_the_receipt_email_has_subject_and_body_in_the_recipients_language(
        language, subject, greeting):
    user = make_user("applicant", language=language)
    with force_locale("nl" if language == "en" else "en"):  # the sender's session speaks the other
        make_proposal(make_call(), user, submit=True)
    [message] = OutboxMessage.query.filter_by(recipient=user.email).all()
    assert message.subject.startswith(subject)
    assert message.body.startswith(greeting)
