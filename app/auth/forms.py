"""Account forms: shape only; the services check the rules."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    EmailField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app.core.forms import PortalForm
from app.core.permissions import Role
from app.organisations.models import ProviderType

REQUIRED = _l("This field is required.")


class LoginForm(PortalForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("Log in"), widget=GovSubmitInput())


class RegisterForm(PortalForm):
    name = StringField(_l("Your full name"), widget=GovTextInput(),
                       validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[DataRequired(REQUIRED), Length(max=254),
                                   Email(_l("Enter a valid email address."))])
    password = PasswordField(_l("Password"), widget=GovPasswordInput(),
                             description=_l("At least 12 characters; not a common password."),
                             validators=[DataRequired(REQUIRED)])
    mode = RadioField(_l("Your organisation"), widget=GovRadioInput(), default="new",
                      choices=[("new", _l("Register a new organisation")),
                               ("join", _l("Join an organisation that is already registered"))],
                      validators=[DataRequired(REQUIRED)])
    join_enterprise_number = StringField(
        _l("Enterprise number of the organisation to join"), widget=GovTextInput(),
        validators=[Optional(), Length(max=20)])
    legal_name = StringField(_l("Legal name of the organisation"), widget=GovTextInput(),
                             validators=[Optional(), Length(max=200)])
    enterprise_number = StringField(
        _l("Enterprise number"), widget=GovTextInput(),
        description=_l("For example 0123.456.749 or BE0123456749."),
        validators=[Optional(), Length(max=20)])
    provider_type = RadioField(_l("Type of training provider"), widget=GovRadioInput(),
                               choices=[(t.value, t.label) for t in ProviderType],
                               validators=[Optional()])
    street = StringField(_l("Street and number"), widget=GovTextInput(),
                         validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), widget=GovTextInput(),
                              validators=[Optional(), Length(max=10)])
    city = StringField(_l("Municipality"), widget=GovTextInput(),
                       validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Telephone"), widget=GovTextInput(),
                                validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Register"), widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.mode.data == "join" and not (self.join_enterprise_number.data or "").strip():
            self.join_enterprise_number.errors = [str(REQUIRED)]
            ok = False
        if self.mode.data == "new":
            for field in (self.legal_name, self.enterprise_number, self.provider_type):
                if not (field.data or "").strip():
                    field.errors = [str(REQUIRED)]
                    ok = False
        return ok


class ForgotPasswordForm(PortalForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(),
                       validators=[DataRequired(REQUIRED), Length(max=254)])
    submit = SubmitField(_l("Send me a link"), widget=GovSubmitInput())


class ResetPasswordForm(PortalForm):
    password = PasswordField(_l("New password"), widget=GovPasswordInput(),
                             description=_l("At least 12 characters; not a common password."),
                             validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("Save new password"), widget=GovSubmitInput())


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(_l("Current password"), widget=GovPasswordInput(),
                                     validators=[DataRequired(REQUIRED)])
    new_password = PasswordField(_l("New password"), widget=GovPasswordInput(),
                                 description=_l("At least 12 characters; not a common password."),
                                 validators=[DataRequired(REQUIRED)])
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class LetterLanguageForm(PortalForm):
    """The language of the letters (emails) the portal sends this account: set here only,
    never by switching the language of the pages."""

    language = RadioField(_l("Language of your letters"), widget=GovRadioInput(),
                          choices=[("nl", "Nederlands"), ("en", "English")],
                          description=_l("The emails the portal sends you are written in this "
                                         "language. Switching the language of the pages does "
                                         "not change it."),
                          validators=[DataRequired(_l("Choose the language of your letters."))])
    submit = SubmitField(_l("Save the language of letters"), widget=GovSubmitInput())


class TokenForm(PortalForm):
    name = StringField(_l("Name of the new token"), widget=GovTextInput(),
                       description=_l("So you recognise it later, e.g. 'reporting script'."),
                       validators=[DataRequired(REQUIRED), Length(max=100)])
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())


class RolesForm(PortalForm):
    roles = SelectMultipleField(_l("Roles"), widget=GovCheckboxesInput(),
                                choices=[(r.value, r.label) for r in Role])
    submit = SubmitField(_l("Save roles"), widget=GovSubmitInput())
