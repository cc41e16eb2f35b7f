"""Call forms: shape only (dates, amounts, choices); the services check the rules."""

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.calls.models import Call, ProjectType, Technology
from app.calls.services import CallInput
from app.core.forms import BrusselsMomentField, DecimalTextField, EuroField, PortalForm
from app.organisations.models import ProviderType

DEADLINE_HINT = _l("The last moment that counts, for example 23:59:59.")
DATE_HINT = _l("Leave empty for no limit.")
AMOUNT_ERROR = _l(
    "Enter an amount in euro, for example 150000 or 150.000,00, with at most two decimals."
)
AMOUNT_HINT = _l("In euro, for example 1500000 or 1.500.000,00.")


class DateTextField(StringField):
    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            self.data = date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(_("Enter a date like 2027-09-01.")) from exc

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""


def _optional_int(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AtLeastOne:
    """The same messages as the service's, so they share their translations."""

    messages = {
        "provider_types": _l("Choose at least one eligible provider type."),
        "project_types": _l("Choose at least one project type."),
        "technologies": _l("Choose at least one technology."),
    }

    def __call__(self, form, field):
        if not field.data:
            raise ValidationError(str(self.messages[field.name]))


class CallForm(PortalForm):
    code = StringField(
        _l("Call number"),
        widget=GovTextInput(),
        description=_l("Letters, digits, hyphens or underscores, for example ESF-ELEREN-2027."),
        validators=[DataRequired(_l("Enter a code for the call.")), Length(max=40)],
    )
    title = StringField(
        _l("Title"),
        widget=GovTextInput(),
        validators=[DataRequired(_l("Enter a title for the call.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"),
        widget=GovTextArea(),
        description=_l(
            "Shown on the public call page. Leave an empty line between paragraphs; "
            '**bold**, *italic*, lists starting with "- " or "1. " and links '
            "like [text](https://www.example.be) are formatted."
        ),
        validators=[Optional(), Length(max=20000)],
    )
    opens_at = BrusselsMomentField(
        _l("Opening of the submission period"),
        validators=[InputRequired(_l("Enter when the submission period opens."))],
    )
    deadline = BrusselsMomentField(
        _l("Submission deadline"),
        description=DEADLINE_HINT,
        validators=[InputRequired(_l("Enter the submission deadline."))],
    )
    budget_eur = EuroField(
        _l("Call budget"),
        widget=GovTextInput(),
        description=AMOUNT_HINT,
        message=AMOUNT_ERROR,
        validators=[InputRequired(_l("Enter the call budget."))],
    )
    max_request_eur = EuroField(
        _l("Maximum per proposal"),
        widget=GovTextInput(),
        description=AMOUNT_HINT,
        message=AMOUNT_ERROR,
        validators=[InputRequired(_l("Enter the maximum amount per proposal."))],
    )
    min_own_contribution_pct = DecimalTextField(
        _l("Minimum own contribution (%)"),
        widget=GovTextInput(),
        places=2,
        strip="%",
        message=_l("Enter a percentage, for example 10 or 12,5."),
        description=_l("A percentage of the total project cost; 0 for none."),
        validators=[Optional()],
    )
    project_start_earliest = DateTextField(
        _l("Projects start at the earliest on"),
        widget=GovTextInput(),
        description=DATE_HINT,
        validators=[Optional()],
    )
    project_end_latest = DateTextField(
        _l("Projects end at the latest on"),
        widget=GovTextInput(),
        description=DATE_HINT,
        validators=[Optional()],
    )
    provider_types = SelectMultipleField(
        _l("Eligible training providers"),
        widget=GovCheckboxesInput(),
        choices=[(t.value, t.label) for t in ProviderType],
        validators=[AtLeastOne()],
    )
    project_types = SelectMultipleField(
        _l("Project types"),
        widget=GovCheckboxesInput(),
        choices=[(t.value, t.label) for t in ProjectType],
        validators=[AtLeastOne()],
    )
    technologies = SelectMultipleField(
        _l("Technologies and methods applicants can declare"),
        widget=GovCheckboxesInput(),
        choices=[(t.value, t.label) for t in Technology],
        validators=[AtLeastOne()],
    )
    contact_name = StringField(
        _l("Contact person or service"),
        widget=GovTextInput(),
        description=_l("Shown on the public call page, for questions about the call."),
        validators=[Optional(), Length(max=200)],
    )
    contact_email = StringField(
        _l("Contact email address"), widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    change_reason = TextAreaField(
        _l("Reason for the change"),
        widget=GovTextArea(),
        description=_l(
            "Needed when you change the rules after the deadline or bring an open "
            "deadline forward. Stored in the audit log and shown on the call's "
            "page."
        ),
        validators=[Optional(), Length(max=2000)],
    )
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    _original: Call | None = None

    @classmethod
    def for_call(cls, call: Call) -> "CallForm":
        """The form filled in from ``call`` on GET; from the request on POST."""
        form = cls(obj=call)
        form._original = call
        if not form.is_submitted():
            form.provider_types.data = list(call.provider_types)
            form.project_types.data = list(call.project_types)
            form.technologies.data = list(call.technologies)
        return form

    @classmethod
    def blank(cls) -> "CallForm":
        form = cls()
        if not form.is_submitted():
            form.provider_types.data = [t.value for t in ProviderType]
            form.project_types.data = [t.value for t in ProjectType]
            form.technologies.data = [t.value for t in Technology]
            form.min_own_contribution_pct.data = Decimal("0")
        return form

    def _unchanged(self, submitted: datetime, name: str) -> datetime:
        """The form shows whole seconds: the same second means the stored instant unchanged."""
        stored = getattr(self._original, name, None)
        if stored is not None and submitted == stored.replace(microsecond=0):
            return stored
        return submitted

    def to_input(self) -> CallInput:
        return CallInput(
            code=self.code.data or "",
            title=self.title.data or "",
            description=self.description.data or "",
            opens_at=self._unchanged(self.opens_at.data, "opens_at"),
            deadline=self._unchanged(self.deadline.data, "deadline"),
            budget_eur=self.budget_eur.data,
            max_request_eur=self.max_request_eur.data,
            min_own_contribution_pct=self.min_own_contribution_pct.data or Decimal("0"),
            project_start_earliest=self.project_start_earliest.data,
            project_end_latest=self.project_end_latest.data,
            provider_types=list(self.provider_types.data or []),
            project_types=list(self.project_types.data or []),
            technologies=list(self.technologies.data or []),
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            change_reason=self.change_reason.data or "",
        )


class CloseForm(PortalForm):
    reason = TextAreaField(
        _l("Reason for closing the call early"),
        widget=GovTextArea(),
        description=_l("Stored in the audit log and shown on the call's page."),
        validators=[
            DataRequired(_l("Give the reason for closing the call early.")),
            Length(max=2000),
        ],
    )
    submit = SubmitField(_l("Close the call now"), widget=GovSubmitInput())


class ExtensionForm(PortalForm):
    organisation_id = SelectField(
        _l("Organisation"),
        widget=GovSelect(),
        coerce=_optional_int,
        validate_choice=False,
        validators=[DataRequired(_l("Choose an organisation."))],
    )
    deadline = BrusselsMomentField(
        _l("New deadline for this organisation"),
        description=DEADLINE_HINT,
        validators=[InputRequired(_l("Enter the new deadline."))],
    )
    reason = TextAreaField(
        _l("Reason"),
        widget=GovTextArea(),
        description=_l("Stored in the audit log."),
        validators=[DataRequired(_l("Give the reason for the extension.")), Length(max=2000)],
    )
    submit = SubmitField(_l("Grant the extension"), widget=GovSubmitInput())


class CallDocumentForm(PortalForm):
    title = StringField(
        _l("Title of the document"),
        widget=GovTextInput(),
        description=_l("For example: Call text, Budget template, Guide for applicants."),
        validators=[DataRequired(_l("Enter a title for the document.")), Length(max=200)],
    )
    file = FileField(
        _l("Upload a PDF"),
        widget=GovFileInput(),
        validators=[DataRequired(_l("Choose a PDF file to upload."))],
    )
    submit = SubmitField(_l("Add the document"), widget=GovSubmitInput())
