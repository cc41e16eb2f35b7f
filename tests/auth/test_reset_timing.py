"""A password-reset request does the same work whether or not the address has an account
(no timing test: the work is observed through Flask's template signal)."""

from contextlib import contextmanager

from flask import template_rendered

from app.auth import password_reset as auth_password_reset
from tests.factories import make_user


@contextmanager
def rendered_templates(app):
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def test_the_reset_email_is_rendered_for_an_unknown_address_too(app):
    user = make_user()
    with rendered_templates(app) as known:
        auth_password_reset.request_password_reset(user.email)
    with rendered_templates(app) as unknown:
        auth_password_reset.request_password_reset("niemand@example.org")
    assert known == unknown == ["auth/email/reset.txt"]


def test_the_page_says_the_same_either_way(client):
    user = make_user()
    known = client.post("/auth/forgot-password", data={"email": user.email})
    unknown = client.post("/auth/forgot-password", data={"email": "niemand@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True).replace(user.email, "X") == unknown.get_data(
        as_text=True
    ).replace("niemand@example.org", "X")
