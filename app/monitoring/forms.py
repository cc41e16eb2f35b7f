"""Monitoring forms: shape only; the services check the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, StringField, SubmitField
from wtforms.validators import DataRequired

from app.core.forms import PortalForm
from app.monitoring.models import Mode
from app.monitoring.services import TrainingInput


class UploadForm(PortalForm):
    file = FileField(
        _l("Enrolment file (CSV or XLSX)"),
        widget=GovFileInput(),
        validators=[DataRequired(_l("Choose a CSV or XLSX file to upload."))],
    )
    submit = SubmitField(_l("Upload and import"), widget=GovSubmitInput())


class TrainingForm(PortalForm):
    code = StringField(_l("Code"), widget=GovTextInput())
    title = StringField(_l("Title"), widget=GovTextInput())
    planned_mode = RadioField(
        _l("Planned mode"),
        widget=GovRadioInput(),
        choices=[(m.value, m.label) for m in Mode],
        validate_choice=False,
    )
    submit = SubmitField(_l("Save training"), widget=GovSubmitInput())

    def to_input(self) -> TrainingInput:
        return TrainingInput(
            code=self.code.data or "",
            title=self.title.data or "",
            planned_mode=self.planned_mode.data or "",
        )
