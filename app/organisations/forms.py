"""Organisation forms, and the registration form (an account with its organisation)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.auth.services import AccountInput
from app.core.forms import EMAIL_REQUIRED, PASSWORD_REQUIRED, PortalForm, required_message
from app.organisations.models import ProviderType
from app.organisations.services import OrganisationInput


def _organisation_fields(*, required: bool) -> tuple[StringField, StringField, RadioField]:
    """Legal name, enterprise number and provider type: required when editing an
    organisation, checked by ``RegisterForm.validate`` when registering a new one."""
    needed = [DataRequired()] if required else [Optional()]
    return (
        StringField(
            _l("Legal name of the organisation"),
            widget=GovTextInput(),
            validators=[*needed, Length(max=200)],
        ),
        StringField(
            _l("Enterprise number"),
            widget=GovTextInput(),
            description=_l("For example 0123.456.749 or BE0123456749."),
            validators=[*needed, Length(max=20)],
        ),
        RadioField(
            _l("Type of training provider"),
            widget=GovRadioInput(),
            choices=[(t.value, t.label) for t in ProviderType],
            validators=list(needed),
        ),
    )


def _address_fields() -> tuple[StringField, StringField, StringField]:
    """Street, postal code and municipality, all optional."""
    return (
        StringField(
            _l("Street and number"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
        ),
        StringField(
            _l("Postal code"), widget=GovTextInput(), validators=[Optional(), Length(max=10)]
        ),
        StringField(
            _l("Municipality"), widget=GovTextInput(), validators=[Optional(), Length(max=100)]
        ),
    )


def _phone_field() -> StringField:
    return StringField(
        _l("Telephone"), widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )


def _organisation_input(form, contact_name: str, contact_email: str) -> OrganisationInput:
    return OrganisationInput(
        legal_name=form.legal_name.data,
        enterprise_number=form.enterprise_number.data,
        provider_type=ProviderType(form.provider_type.data),
        street=form.street.data or "",
        postal_code=form.postal_code.data or "",
        city=form.city.data or "",
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=form.contact_phone.data or "",
    )


class JoinForm(PortalForm):
    enterprise_number = StringField(
        _l("Enterprise number of the organisation"),
        widget=GovTextInput(),
        validators=[DataRequired(), Length(max=20)],
    )
    submit = SubmitField(_l("Ask to join"), widget=GovSubmitInput())


class OrganisationForm(PortalForm):
    legal_name, enterprise_number, provider_type = _organisation_fields(required=True)
    street, postal_code, city = _address_fields()
    contact_name = StringField(
        _l("Contact person"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    contact_email = StringField(
        _l("Contact email address"), widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    contact_phone = _phone_field()
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def to_input(self) -> OrganisationInput:
        return _organisation_input(
            self, self.contact_name.data or "", self.contact_email.data or ""
        )


class EvidenceForm(PortalForm):
    file = FileField(
        _l("A document showing you may act for the organisation (PDF)"),
        widget=GovFileInput(),
        description=_l(
            "For example a mandate signed by a director, or the page of "
            "the Belgian Official Gazette naming you."
        ),
        validators=[DataRequired(_l("Choose a PDF file to upload."))],
    )
    submit = SubmitField(_l("Upload"), widget=GovSubmitInput())


class RefuseOrganisationForm(PortalForm):
    reason = TextAreaField(
        _l("Reason for refusing"),
        widget=GovTextArea(),
        description=_l("The applicant receives this reason by email."),
        validators=[DataRequired(), Length(max=2000)],
    )
    submit = SubmitField(_l("Refuse the organisation"), widget=GovSubmitInput())


class RegisterForm(PortalForm):
    name = StringField(
        _l("Your full name"),
        widget=GovTextInput(),
        validators=[DataRequired(), Length(max=200)],
    )
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[
            DataRequired(EMAIL_REQUIRED),
            Length(max=254),
            Email(_l("Enter a valid email address.")),
        ],
    )
    password = PasswordField(
        _l("Password"),
        widget=GovPasswordInput(),
        description=_l("At least 12 characters; not a common password."),
        validators=[DataRequired(PASSWORD_REQUIRED)],
    )
    mode = RadioField(
        _l("Your organisation"),
        widget=GovRadioInput(),
        default="new",
        choices=[
            ("new", _l("Register a new organisation")),
            ("join", _l("Join an organisation that is already registered")),
        ],
        validators=[DataRequired()],
    )
    join_enterprise_number = StringField(
        _l("Enterprise number of the organisation to join"),
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
    )
    legal_name, enterprise_number, provider_type = _organisation_fields(required=False)
    street, postal_code, city = _address_fields()
    contact_phone = _phone_field()
    submit = SubmitField(_l("Register"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.mode.data == "join" and not (self.join_enterprise_number.data or "").strip():
            self.join_enterprise_number.errors = [required_message(self.join_enterprise_number)]
            ok = False
        if self.mode.data == "new":
            for field in (self.legal_name, self.enterprise_number, self.provider_type):
                if not (field.data or "").strip():
                    field.errors = [required_message(field)]
                    ok = False
        return ok

    @property
    def joining(self) -> bool:
        return self.mode.data == "join"

    def account_input(self, language: str) -> AccountInput:
        return AccountInput(
            email=self.email.data,
            name=self.name.data,
            password=self.password.data,
            language=language,
        )

    def organisation_input(self) -> OrganisationInput:
        return _organisation_input(self, self.name.data, self.email.data)
