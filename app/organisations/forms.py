from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

REQUIRED = _l("This field is required.")


class JoinForm(FlaskForm):
    enterprise_number = StringField(_l("Enterprise number of the organisation"),
                                    widget=GovTextInput(),
                                    validators=[DataRequired(REQUIRED), Length(max=20)])
    submit = SubmitField(_l("Ask to join"), widget=GovSubmitInput())
