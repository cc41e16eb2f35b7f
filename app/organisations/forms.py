from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import PortalForm
from app.organisations.models import ProviderType
from app.organisations.services import OrganisationInput

REQUIRED = _l("This field is required.")


class JoinForm(PortalForm):
    enterprise_number = StringField(_l("Enterprise number of the organisation"),
                                    widget=GovTextInput(),
                                    validators=[DataRequired(REQUIRED), Length(max=20)])
    submit = SubmitField(_l("Ask to join"), widget=GovSubmitInput())


class OrganisationForm(PortalForm):
    legal_name = StringField(_l("Legal name of the organisation"), widget=GovTextInput(),
                             validators=[DataRequired(REQUIRED), Length(max=200)])
    enterprise_number = StringField(_l("Enterprise number"), widget=GovTextInput(),
                                    description=_l("For example 0123.456.749 or BE0123456749."),
                                    validators=[DataRequired(REQUIRED), Length(max=20)])
    provider_type = RadioField(_l("Type of training provider"), widget=GovRadioInput(),
                               choices=[(t.value, t.label) for t in ProviderType],
                               validators=[DataRequired(REQUIRED)])
    street = StringField(_l("Street and number"), widget=GovTextInput(),
                         validators=[Optional(), Length(max=200)])
    postal_code = StringField(_l("Postal code"), widget=GovTextInput(),
                              validators=[Optional(), Length(max=10)])
    city = StringField(_l("Municipality"), widget=GovTextInput(),
                       validators=[Optional(), Length(max=100)])
    contact_name = StringField(_l("Contact person"), widget=GovTextInput(),
                               validators=[Optional(), Length(max=200)])
    contact_email = StringField(_l("Contact email address"), widget=GovTextInput(),
                                validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Telephone"), widget=GovTextInput(),
                                validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def to_input(self) -> OrganisationInput:
        return OrganisationInput(
            legal_name=self.legal_name.data, enterprise_number=self.enterprise_number.data,
            provider_type=ProviderType(self.provider_type.data),
            street=self.street.data or "", postal_code=self.postal_code.data or "",
            city=self.city.data or "", contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "")
