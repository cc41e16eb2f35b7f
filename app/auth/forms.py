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
from wtforms.validators import DataRequired, Length

from app.core.forms import EMAIL_REQUIRED, PASSWORD_REQUIRED, PortalForm
from app.core.permissions import Role


class LoginForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[DataRequired(EMAIL_REQUIRED), Length(max=254)],
    )
    password = PasswordField(
        _l("Password"), widget=GovPasswordInput(), validators=[DataRequired(PASSWORD_REQUIRED)]
    )
    submit = SubmitField(_l("Log in"), widget=GovSubmitInput())


class ForgotPasswordForm(PortalForm):
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        validators=[DataRequired(EMAIL_REQUIRED), Length(max=254)],
    )
    submit = SubmitField(_l("Send me a link"), widget=GovSubmitInput())


class ResetPasswordForm(PortalForm):
    password = PasswordField(
        _l("New password"),
        widget=GovPasswordInput(),
        description=_l("At least 12 characters; not a common password."),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Save new password"), widget=GovSubmitInput())


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"), widget=GovPasswordInput(), validators=[DataRequired()]
    )
    new_password = PasswordField(
        _l("New password"),
        widget=GovPasswordInput(),
        description=_l("At least 12 characters; not a common password."),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())


class LetterLanguageForm(PortalForm):
    """The language of the letters (emails) the portal sends this account: set here only,
    never by switching the language of the pages."""

    language = RadioField(
        _l("Language of your letters"),
        widget=GovRadioInput(),
        choices=[("nl", "Nederlands"), ("en", "English")],
        description=_l(
            "The emails the portal sends you are written in this "
            "language. Switching the language of the pages does "
            "not change it."
        ),
        validators=[DataRequired(_l("Choose the language of your letters."))],
    )
    submit = SubmitField(_l("Save the language of letters"), widget=GovSubmitInput())


class TokenForm(PortalForm):
    name = StringField(
        _l("Name of the new token"),
        widget=GovTextInput(),
        description=_l("So you recognise it later, e.g. 'reporting script'."),
        validators=[DataRequired(), Length(max=100)],
    )
    submit = SubmitField(_l("Create token"), widget=GovSubmitInput())


class RolesForm(PortalForm):
    roles = SelectMultipleField(
        _l("Roles"), widget=GovCheckboxesInput(), choices=[(r.value, r.label) for r in Role]
    )
    submit = SubmitField(_l("Save roles"), widget=GovSubmitInput())


class AccountForm(PortalForm):
    name = StringField(
        _l("Full name"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter the full name.")), Length(max=200)],
    )
    email = EmailField(
        _l("Email address"),
        widget=GovTextInput(),
        description=_l("The new account's owner gets a link at this address to choose a password."),
        validators=[DataRequired(_l("Enter the email address.")), Length(max=254)],
    )
    roles = SelectMultipleField(
        _l("Roles"), widget=GovCheckboxesInput(), choices=[(r.value, r.label) for r in Role]
    )
    language = RadioField(
        _l("Language of letters"),
        widget=GovRadioInput(),
        choices=[("nl", "Nederlands"), ("en", "English")],
        default="nl",
    )
    submit = SubmitField(_l("Create the account"), widget=GovSubmitInput())
