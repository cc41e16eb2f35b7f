"""Proposal forms: one per section. Shape only; the rules live in the services."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from app.calls.models import Call
from app.core.forms import EuroField, PortalForm, PortalSubForm, WholeNumberField
from app.organisations.enterprise_number import InvalidEnterpriseNumber, normalise
from app.proposals import merge
from app.proposals.fields import LABELS, SECTION_BY_KEY
from app.proposals.services import SectionInput

LONG_TEXT = 5000
WHOLE_NUMBER = _l("Enter a whole number, like 40.")
DATE_FORMAT = _l("Enter a date, like 2027-09-01.")


class DayField(DateField):
    """A date typed as YYYY-MM-DD (the browser shows its own date picker)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label,
            validators or [Optional()],
            format="%Y-%m-%d",
            widget=GovTextInput(),
            render_kw={"type": "date"},
            **kwargs,
        )

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DATE_FORMAT) from None


def _text(name: str, long: bool = True, max_length: int = LONG_TEXT, hint=None):
    widget = GovCharacterCount() if long else GovTextInput()
    return StringField(
        LABELS[name],
        widget=widget,
        description=hint,
        validators=[Optional(), Length(max=max_length)],
    )


class SectionForm(PortalForm):
    """Every section form carries the revision it was opened at (optimistic locking)."""

    revision = HiddenField(
        validators=[
            InputRequired(_l("This form is out of date. Reload the page and try again.")),
            Regexp(
                r"^\d{1,9}$", message=_l("This form is out of date. Reload the page and try again.")
            ),
        ]
    )
    # Each field's hash when the form was loaded: a save conflicts only where the same
    # fields changed since (app.proposals.merge).
    base = HiddenField()
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())
    section: str = ""

    def to_input(self) -> SectionInput:
        return SectionInput(
            {name: self._data_of(name) for name in SECTION_BY_KEY[self.section].fields},
            int(self.revision.data),
            merge.decode_base(self.base.data),
        )

    def _data_of(self, name: str):
        value = getattr(self, name).data
        return value.strip() if isinstance(value, str) else value

    def load(self, proposal, values: dict | None = None) -> None:
        """Fill the form from the proposal as it is now (``values`` overriding some fields,
        as typed), based on its current revision and field hashes."""
        fields = SECTION_BY_KEY[self.section].fields
        for name in fields:
            value = (values or {}).get(name, getattr(proposal, name))
            self._load_field(name, value)
        self.revision.data = str(proposal.revision)
        self.base.data = merge.encode_base(merge.base_of(proposal, fields))

    def _load_field(self, name: str, value) -> None:
        field = getattr(self, name)
        field.data = value.value if hasattr(value, "value") else value


class GeneralForm(SectionForm):
    section = "general"
    title = _text("title", long=False, max_length=250)
    acronym = _text("acronym", long=False, max_length=40)
    project_type = RadioField(
        LABELS["project_type"], widget=GovRadioInput(), validators=[Optional()], choices=[]
    )
    training_name = _text(
        "training_name",
        long=False,
        max_length=250,
        hint=_l("The name of the training this project is about."),
    )
    training_current_form = _text(
        "training_current_form",
        hint=_l("For an existing training: how it is given today (classroom, online, blended)."),
    )
    training_hours = WholeNumberField(
        LABELS["training_hours"],
        widget=GovTextInput(),
        validators=[Optional()],
        message=WHOLE_NUMBER,
    )
    training_reference = _text(
        "training_reference",
        long=False,
        max_length=40,
        hint=_l("Only if the training is already listed there."),
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.project_type.choices = [(t.value, t.label) for t in call.project_type_choices]

    def _data_of(self, name: str):
        if name == "project_type":
            from app.calls.models import ProjectType

            return ProjectType(self.project_type.data) if self.project_type.data else None
        return super()._data_of(name)


class DesignForm(SectionForm):
    section = "design"
    learning_objectives = _text("learning_objectives")
    content = _text("content")
    didactic_approach = _text(
        "didactic_approach", hint=_l("The methods you use and why they suit the target group.")
    )
    target_group = _text("target_group")
    disadvantaged_groups = _text(
        "disadvantaged_groups",
        hint=_l(
            "For example low-skilled learners, jobseekers, people with a disability or a "
            "migration background."
        ),
    )
    practice_oriented = RadioField(
        LABELS["practice_oriented"],
        widget=GovRadioInput(),
        validators=[Optional()],
        choices=[("yes", _l("Yes")), ("no", _l("No"))],
    )
    practice_explanation = _text("practice_explanation")
    guidance_before = _text("guidance_before")
    guidance_during = _text("guidance_during")
    guidance_after = _text("guidance_after")
    lms_follow_up = _text("lms_follow_up")

    def _data_of(self, name: str):
        if name == "practice_oriented":
            return {"yes": True, "no": False}.get(self.practice_oriented.data)
        return super()._data_of(name)

    def _load_field(self, name: str, value) -> None:
        if name == "practice_oriented":
            self.practice_oriented.data = None if value is None else ("yes" if value else "no")
        else:
            super()._load_field(name, value)


class TechnologiesForm(SectionForm):
    section = "technologies"
    technologies = SelectMultipleField(
        LABELS["technologies"], widget=GovCheckboxesInput(), choices=[], validators=[Optional()]
    )
    technology_other = _text(
        "technology_other", long=False, max_length=250, hint=_l("Only when you ticked 'Other'.")
    )

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.technologies.choices = [(t.value, t.label) for t in call.technology_choices]

    def _data_of(self, name: str):
        if name == "technologies":
            return list(self.technologies.data or [])
        return super()._data_of(name)


class MilestoneForm(PortalSubForm):
    when = DayField(_l("Date"))
    description = StringField(
        _l("Milestone"), widget=GovTextInput(), validators=[Optional(), Length(max=250)]
    )

    def validate_description(self, field):
        if field.data and field.data.strip() and not self.when.data:
            raise ValidationError(_l("Give the date of this milestone."))


class PlanningForm(SectionForm):
    section = "planning"
    start_date = DayField(LABELS["start_date"])
    end_date = DayField(LABELS["end_date"])
    milestones = FieldList(FormField(MilestoneForm), min_entries=6, max_entries=12)

    def _data_of(self, name: str):
        if name == "milestones":
            rows = []
            for entry in self.milestones:
                description = (entry.form.description.data or "").strip()
                if description:
                    rows.append(
                        {"date": entry.form.when.data.isoformat(), "description": description}
                    )
            return sorted(rows, key=lambda row: row["date"])
        return super()._data_of(name)

    def _load_field(self, name: str, value) -> None:
        if name == "milestones":
            while len(self.milestones):
                self.milestones.pop_entry()
            for row in value or []:
                self.milestones.append_entry(
                    {"when": date.fromisoformat(row["date"]), "description": row["description"]}
                )
            while len(self.milestones) < 6:
                self.milestones.append_entry()
        else:
            super()._load_field(name, value)


class BudgetForm(SectionForm):
    section = "budget"
    requested_eur = EuroField(
        LABELS["requested_eur"], widget=GovTextInput(), validators=[Optional()]
    )
    own_contribution_eur = EuroField(
        LABELS["own_contribution_eur"], widget=GovTextInput(), validators=[Optional()]
    )


class PartnerForm(PortalSubForm):
    name = StringField(
        _l("Partner"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    enterprise_number = StringField(
        _l("Enterprise number"), widget=GovTextInput(), validators=[Optional(), Length(max=20)]
    )
    role = StringField(
        _l("Role in the project"), widget=GovTextInput(), validators=[Optional(), Length(max=250)]
    )

    def validate_enterprise_number(self, field):
        if field.data and field.data.strip():
            try:
                field.data = normalise(field.data)
            except InvalidEnterpriseNumber:
                raise ValidationError(
                    _l("Enter a valid enterprise number, like 0123.456.749.")
                ) from None
        elif self.name.data and self.name.data.strip():
            raise ValidationError(_l("Give the partner's enterprise number."))


class PartnersForm(SectionForm):
    section = "partners"
    partners = FieldList(FormField(PartnerForm), min_entries=4, max_entries=20)
    expected_participants = WholeNumberField(
        LABELS["expected_participants"],
        widget=GovTextInput(),
        validators=[Optional()],
        message=WHOLE_NUMBER,
    )

    def _data_of(self, name: str):
        if name == "partners":
            return [
                {
                    "name": e.form.name.data.strip(),
                    "enterprise_number": e.form.enterprise_number.data,
                    "role": (e.form.role.data or "").strip(),
                }
                for e in self.partners
                if (e.form.name.data or "").strip()
            ]
        return super()._data_of(name)

    def _load_field(self, name: str, value) -> None:
        if name == "partners":
            while len(self.partners):
                self.partners.pop_entry()
            for row in value or []:
                self.partners.append_entry(row)
            while len(self.partners) < 4:
                self.partners.append_entry()
        else:
            super()._load_field(name, value)


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.section: form
    for form in (GeneralForm, DesignForm, TechnologiesForm, PlanningForm, BudgetForm, PartnersForm)
}


def section_form(section: str, call: Call, **kwargs) -> SectionForm:
    form_class = SECTION_FORMS[section]
    if form_class in (GeneralForm, TechnologiesForm):
        return form_class(call=call, **kwargs)
    return form_class(**kwargs)


class AttachmentForm(PortalForm):
    file = FileField(
        _l("Upload a PDF"),
        widget=GovFileInput(),
        validators=[DataRequired(_l("Choose a PDF file to upload."))],
    )
    submit = SubmitField(_l("Upload"), widget=GovSubmitInput())


class WithdrawForm(PortalForm):
    reason = StringField(
        _l("Why do you withdraw the proposal?"),
        widget=GovTextArea(),
        validators=[
            DataRequired(_l("Give the reason for withdrawing the proposal.")),
            Length(max=2000),
        ],
    )
    submit = SubmitField(_l("Withdraw the proposal"), widget=GovSubmitInput())


class NewProposalForm(PortalForm):
    organisation_id = RadioField(
        _l("For which organisation?"),
        widget=GovRadioInput(),
        coerce=int,
        choices=[],
        validators=[InputRequired(_l("Choose an organisation."))],
    )
    submit = SubmitField(_l("Start a proposal"), widget=GovSubmitInput())


class DeclarationForm(PortalForm):
    """The declaration on honour ticked on the check-your-answers page to submit; its text
    (app.proposals.declaration) is the checkbox's label."""

    declaration = BooleanField(
        _l("Declaration on honour"),
        widget=GovCheckboxInput(),
        validators=[
            DataRequired(_l("Tick the declaration on honour to submit the proposal.")),
        ],
    )
    submit = SubmitField(_l("Submit the proposal"), widget=GovSubmitInput())
