"""Control characters in form fields: refused on the field with the input kept, never stored."""

import importlib
import inspect
import pkgutil

import pytest
import sqlalchemy as sa
from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField

import app as app_package
from app.auth.models import User
from app.core.db import db
from app.core.forms import PortalForm, PortalSubForm
from tests.factories import DEFAULT_PASSWORD, valid_enterprise_number

SINGLE_LINE_ERROR = "Remove the line breaks and other control characters from this field."
# Without a session the request is in Dutch, the default.
SINGLE_LINE_ERROR_NL = "Verwijder de regeleinden en andere stuurtekens uit dit veld."
NUL_ERROR_NL = "Verwijder de onzichtbare nultekens uit deze tekst."


def _all_form_classes():
    for module_info in pkgutil.walk_packages(app_package.__path__, "app."):
        if not module_info.name.endswith("forms"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, Form):
                yield cls


def test_every_form_of_the_app_has_the_guard():
    classes = list(_all_form_classes())
    assert len(classes) > 20
    unguarded = [
        cls.__qualname__ for cls in classes if not issubclass(cls, PortalForm | PortalSubForm)
    ]
    assert unguarded == []


class _Sample(PortalForm):
    name = StringField(widget=GovTextInput())
    notes = TextAreaField()
    reason = StringField(widget=GovTextArea())


@pytest.mark.parametrize("character", ["\r", "\n", "\x00", "\x1b", "\x7f", "\x85", "\u2028"])
def test_single_line_field_refuses_control_characters(app, character):
    with app.test_request_context():
        form = _Sample(formdata=MultiDict({"name": f"Els{character}Bcc: x@example.org"}))
        assert not form.validate()
        assert form.name.errors == [SINGLE_LINE_ERROR_NL]
        assert f"Els{character}Bcc" in form.name._value()  # what was typed stays


def test_single_line_field_accepts_tab_and_ordinary_text(app):
    with app.test_request_context():
        form = _Sample(formdata=MultiDict({"name": "Élise\tD'Hondt – ŁÓDŹ 😀"}))
        assert form.validate(), form.errors


def test_multi_line_fields_keep_line_breaks_but_refuse_nul(app):
    with app.test_request_context():
        form = _Sample(formdata=MultiDict({"notes": "a\r\nb\tc", "reason": "x\ny"}))
        assert form.validate(), form.errors
        form = _Sample(formdata=MultiDict({"notes": "a\x00b", "reason": "x\x00"}))
        assert not form.validate()
        assert form.notes.errors == [NUL_ERROR_NL]
        assert form.reason.errors == [NUL_ERROR_NL]


def _registration(**overrides):
    data = {
        "name": "Nele Nieuw",
        "email": "nele@example.org",
        "password": DEFAULT_PASSWORD,
        "mode": "new",
        "legal_name": "Leerhuis vzw",
        "enterprise_number": valid_enterprise_number().replace(".", ""),
        "provider_type": "private",
        "street": "Veldstraat 1",
        "postal_code": "9000",
        "city": "Gent",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("field", ["name", "legal_name", "city"])
def test_registration_refuses_a_line_break_and_keeps_the_input(client, field):
    assert client.post("/language", data={"language": "en"}).status_code == 302
    typed = "Leerhuis\r\nBcc: iedereen@example.org"
    response = client.post("/auth/register", data=_registration(**{field: typed}))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert SINGLE_LINE_ERROR in body
    assert "Bcc: iedereen@example.org" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_error_is_in_dutch_for_dutch_users(client):
    response = client.post("/auth/register", data=_registration(name="Nele\rNieuw"))
    assert SINGLE_LINE_ERROR_NL in response.get_data(as_text=True)
