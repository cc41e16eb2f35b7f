"""Reporting forms: shape only; the services check the rules."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from app.calls.models import Call
from app.core.forms import PortalForm


class VerifyForm(PortalForm):
    """The official's judgement of the technologies one submitted version really uses."""

    version = HiddenField(
        validators=[
            InputRequired(_l("Open the proposal's verification page again and verify it there.")),
            Regexp(r"^\d{1,6}$", message=_l("Open the proposal's verification page again.")),
        ]
    )
    technologies = SelectMultipleField(
        _l("Technologies and methods the proposal really uses"),
        widget=GovCheckboxesInput(),
        validate_choice=True,
    )
    note = TextAreaField(_l("Note (optional)"), widget=GovTextArea(), validators=[Length(max=2000)])
    submit = SubmitField(_l("Save verification"), widget=GovSubmitInput())

    @classmethod
    def for_call(cls, call: Call, **kwargs) -> "VerifyForm":
        form = cls(**kwargs)
        form.technologies.choices = [(t.value, t.label) for t in call.technology_choices]
        return form
