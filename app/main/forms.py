"""Forms of the pages that span the domains."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput
from wtforms import BooleanField, SubmitField
from wtforms.validators import DataRequired

from app.core.forms import PortalForm


class AnonymiseForm(PortalForm):
    confirm = BooleanField(
        _l("I understand that this cannot be undone: the person can never log in again."),
        widget=GovCheckboxInput(),
        validators=[DataRequired(_l("Confirm that you want to anonymise this account."))],
    )
    submit = SubmitField(_l("Anonymise this account"), widget=GovSubmitInput())
