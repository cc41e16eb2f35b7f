"""What a view catches and what reaches the error handlers; the one form-to-service block."""

import pytest
from flask import get_flashed_messages
from wtforms import StringField

from app.core.errors import DomainError, NotFound, PermissionDenied, PortalError, ValidationFailed
from app.core.forms import PortalForm, submit_form


class _NameForm(PortalForm):
    name = StringField()


def test_not_found_and_permission_denied_are_not_domain_errors():
    for error in (NotFound, PermissionDenied):
        assert not issubclass(error, DomainError)
        assert issubclass(error, PortalError)
    assert issubclass(ValidationFailed, DomainError)


def _post(app, action, **kwargs):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        form = _NameForm()
        response = submit_form(form, action, success="Saved", then="/done", **kwargs)
        return form, response, get_flashed_messages(with_categories=True)


def test_done_flashes_and_redirects(app):
    _form, response, flashed = _post(app, lambda: 1)
    assert response.status_code == 302 and response.location == "/done"
    assert flashed == [("success", "Saved")]


def test_a_result_can_word_the_success(app):
    with app.test_request_context("/", method="POST", data={"name": "x"}):
        submit_form(_NameForm(), lambda: 7, success=lambda n: f"Saved {n}", then="/done")
        assert get_flashed_messages() == ["Saved 7"]


def test_a_refusal_flashes_and_redirects_to_refused(app):
    def refuse():
        raise DomainError("No")

    _form, response, flashed = _post(app, refuse, refused="/back")
    assert response.location == "/back" and flashed == [("error", "No")]


def test_validation_errors_go_on_the_fields_and_the_view_renders_again(app):
    def invalid():
        raise ValidationFailed({"name": "Too short", "other": "Elsewhere"})

    form, response, flashed = _post(
        app,
        invalid,
        errors=lambda exc: ValidationFailed({k: v.upper() for k, v in exc.errors.items()}),
    )
    assert response is None
    assert form.name.errors == ["TOO SHORT"] and flashed == [("error", "ELSEWHERE")]


@pytest.mark.parametrize("error", [NotFound, PermissionDenied])
def test_not_found_and_permission_denied_pass_through(app, error):
    def unseen():
        raise error()

    with pytest.raises(error):
        _post(app, unseen)


def test_a_service_not_found_reaches_the_404_page_and_the_json_error(client):
    # get_call_by_code raises NotFound; no view catches it
    assert client.get("/calls/NO-SUCH-CALL").status_code == 404
    answer = client.get("/calls/NO-SUCH-CALL", headers={"Accept": "application/json"})
    assert answer.status_code == 404 and answer.get_json()["error"]["status"] == 404
