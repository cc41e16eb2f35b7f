"""Evaluation forms. Shape only; the rules live in app.reviews.rules."""

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from app.calls.models import Technology
from app.core.forms import DecimalTextField, PortalForm, PortalSubForm, WholeNumberField
from app.reviews.objection_models import ObjectionKind, ObjectionOutcome
from app.reviews.objections import ObjectionInput
from app.reviews.rules.conflicts import AffiliationInput
from app.reviews.rules.consensus import ConsensusInput
from app.reviews.rules.criteria import CriterionInput, SettingsInput
from app.reviews.rules.scoring import ReviewInput

LONG_TEXT = 5000

# evaluator forms


class DeclarationForm(PortalForm):
    """Before reading a proposal: no conflict of interest (and confidentiality), or one."""

    has_conflict = RadioField(
        _l("Do you have a conflict of interest with this proposal?"),
        widget=GovRadioInput(),
        choices=[
            ("no", _l("I have no conflict of interest")),
            ("yes", _l("I have a conflict of interest")),
        ],
        validate_choice=False,
        validators=[
            InputRequired(_l("Say whether you have a conflict of interest.")),
            AnyOf(["no", "yes"], message=_l("Say whether you have a conflict of interest.")),
        ],
    )
    reason = StringField(
        _l("If you have a conflict of interest, describe it"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
    )
    confidential = BooleanField(
        _l("I will keep the content of this proposal and of its evaluation confidential."),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField(_l("Confirm my declaration"), widget=GovSubmitInput())

    @property
    def conflict(self) -> bool:
        return self.has_conflict.data == "yes"

    def validate_confidential(self, field):
        if self.has_conflict.data == "no" and not field.data:
            raise ValidationError(_l("Confirm that you will keep the content confidential."))


class ReviewForm(PortalForm):
    """Per criterion a score (typed, '3,5' or '3.5') and a justification; an overall
    comment. Built per call by ``review_form`` with fields ``score-<criterion id>`` and
    ``justification-<criterion id>``, the keys the services report errors under."""

    criterion_ids: tuple[int, ...] = ()

    def score(self, criterion_id: int):
        return self[f"score-{criterion_id}"]

    def justification(self, criterion_id: int):
        return self[f"justification-{criterion_id}"]

    def to_input(self) -> ReviewInput:
        """What the evaluator typed, as the services take it."""
        return ReviewInput(
            {
                cid: ((self.score(cid).data or "").strip(), self.justification(cid).data or "")
                for cid in self.criterion_ids
            },
            self.overall_comment.data or "",
        )

    def load(self, review, score_text) -> None:
        by_criterion = {s.criterion_id: s for s in review.scores}
        for cid in self.criterion_ids:
            if cid in by_criterion:
                self.score(cid).data = score_text(by_criterion[cid].score)
                self.justification(cid).data = by_criterion[cid].justification
        self.overall_comment.data = review.overall_comment


def review_form(criteria, **kwargs) -> ReviewForm:
    attributes: dict = {"criterion_ids": tuple(c.id for c in criteria)}
    for criterion in criteria:
        attributes[f"score-{criterion.id}"] = StringField(
            _l("Score"), widget=GovTextInput(), validators=[Optional(), Length(max=10)]
        )
        attributes[f"justification-{criterion.id}"] = StringField(
            _l("Justification"),
            widget=GovCharacterCount(),
            validators=[Optional(), Length(max=LONG_TEXT)],
        )
    attributes["overall_comment"] = StringField(
        _l("Overall comment"),
        widget=GovCharacterCount(),
        validators=[Optional(), Length(max=LONG_TEXT)],
    )
    form_class = type("CallReviewForm", (ReviewForm,), attributes)
    return form_class(**kwargs)


class AffiliationForm(PortalSubForm):
    organisation_name = StringField(
        _l("Organisation"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    enterprise_number = StringField(
        _l("Enterprise number"), widget=GovTextInput(), validators=[Optional(), Length(max=20)]
    )
    relation = StringField(
        _l("Your relation to it"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )

    def is_empty(self) -> bool:
        return not any(
            (f.data or "").strip()
            for f in (self.organisation_name, self.enterprise_number, self.relation)
        )

    def to_input(self) -> AffiliationInput:
        return AffiliationInput(
            self.organisation_name.data or "",
            self.enterprise_number.data or "",
            self.relation.data or "",
        )


EMPTY_AFFILIATION_ROWS = 3
MIN_AFFILIATION_ROWS = 5


class ProfileForm(PortalForm):
    expertise = SelectMultipleField(
        _l("Your expertise"),
        widget=GovCheckboxesInput(),
        validators=[Optional()],
        choices=[(t.value, t.label) for t in Technology],
    )
    affiliations = FieldList(
        FormField(AffiliationForm), min_entries=MIN_AFFILIATION_ROWS, max_entries=100
    )
    submit = SubmitField(_l("Save your profile"), widget=GovSubmitInput())

    def load(self, expertise, affiliations) -> None:
        self.expertise.data = list(expertise)
        while len(self.affiliations):
            self.affiliations.pop_entry()
        for affiliation in affiliations:
            self.affiliations.append_entry(
                {
                    "organisation_name": affiliation.organisation_name,
                    "enterprise_number": affiliation.enterprise_number,
                    "relation": affiliation.relation,
                }
            )
        self.pad()

    def pad(self) -> None:
        """Empty rows to add organisations without JavaScript."""
        filled = sum(not entry.form.is_empty() for entry in self.affiliations)
        while len(self.affiliations) < max(MIN_AFFILIATION_ROWS, filled + EMPTY_AFFILIATION_ROWS):
            self.affiliations.append_entry()

    def filled_rows(self) -> list[tuple[int, AffiliationForm]]:
        """(row index, row) of every row with something typed in it."""
        return [
            (index, entry.form)
            for index, entry in enumerate(self.affiliations)
            if not entry.form.is_empty()
        ]


# official forms


class CriterionRowForm(PortalSubForm):
    name_nl = StringField(
        _l("Name in Dutch"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    name_en = StringField(
        _l("Name in English"), widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    guidance_nl = StringField(
        _l("Guidance for evaluators in Dutch"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=LONG_TEXT)],
    )
    guidance_en = StringField(
        _l("Guidance for evaluators in English"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=LONG_TEXT)],
    )
    weight = DecimalTextField(_l("Weight"), widget=GovTextInput())
    scale_max = DecimalTextField(_l("Highest score"), widget=GovTextInput())
    step = DecimalTextField(_l("Step"), widget=GovTextInput())
    threshold = DecimalTextField(_l("Threshold (optional)"), widget=GovTextInput())

    def is_empty(self) -> bool:
        for field in (
            self.name_nl,
            self.name_en,
            self.guidance_nl,
            self.guidance_en,
            self.weight,
            self.threshold,
        ):
            text = (
                field.raw_data[0]
                if field.raw_data
                else ("" if field.data is None else str(field.data))
            )
            if text.strip():
                return False
        return True

    def to_input(self) -> CriterionInput:
        return CriterionInput(
            name_nl=self.name_nl.data or "",
            name_en=self.name_en.data or "",
            guidance_nl=self.guidance_nl.data or "",
            guidance_en=self.guidance_en.data or "",
            weight=self.weight.data,
            scale_max=self.scale_max.data,
            step=self.step.data,
            threshold=self.threshold.data,
        )


EMPTY_CRITERION_ROWS = 1


class CriteriaForm(PortalForm):
    """The call's criteria, a row each; an empty row adds one, emptying a row removes it."""

    criteria = FieldList(FormField(CriterionRowForm), min_entries=0, max_entries=30)
    submit = SubmitField(_l("Save the criteria"), widget=GovSubmitInput())

    def load(self, criteria) -> None:
        while len(self.criteria):
            self.criteria.pop_entry()
        for criterion in criteria:
            self.criteria.append_entry(
                {
                    "name_nl": criterion.name_nl,
                    "name_en": criterion.name_en,
                    "guidance_nl": criterion.guidance_nl,
                    "guidance_en": criterion.guidance_en,
                    "weight": criterion.weight,
                    "scale_max": criterion.scale_max,
                    "step": criterion.step,
                    "threshold": criterion.threshold,
                }
            )
        self.pad()

    def pad(self) -> None:
        filled = sum(not entry.form.is_empty() for entry in self.criteria)
        while len(self.criteria) < filled + EMPTY_CRITERION_ROWS:
            self.criteria.append_entry({"scale_max": Decimal("5"), "step": Decimal("0.5")})

    def filled_rows(self) -> list[tuple[int, CriterionRowForm]]:
        return [
            (index, entry.form)
            for index, entry in enumerate(self.criteria)
            if not entry.form.is_empty()
        ]

    def missing_numbers(self) -> bool:
        """Mark filled rows without a weight, highest score or step; True if any."""
        missing = False
        for _index, row in self.filled_rows():
            for field, message in (
                (row.weight, _l("Give the criterion a weight.")),
                (row.scale_max, _l("Give the highest score.")),
                (row.step, _l("Give the step between scores.")),
            ):
                if field.data is None and not field.errors:
                    field.errors = [*field.errors, message]
                    missing = True
        return missing


class SettingsForm(PortalForm):
    reviews_per_proposal = WholeNumberField(
        _l("Evaluators per proposal"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Give the number of evaluators per proposal."))],
    )
    total_threshold = DecimalTextField(
        _l("Threshold for the weighted total (0 to 100)"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Give the threshold for the weighted total."))],
    )
    disagreement_spread = DecimalTextField(
        _l("Disagreement flag: spread of the weighted totals above"),
        widget=GovTextInput(),
        description=_l("Points on 100 between the highest and the lowest review."),
        validators=[InputRequired(_l("Give the spread that flags a disagreement."))],
    )
    criterion_spread_percent = DecimalTextField(
        _l("Disagreement per criterion: spread above this percentage of the criterion's scale"),
        widget=GovTextInput(),
        description=_l("Leave empty for a third of the scale (more than 1.67 points on 0 to 5)."),
        validators=[Optional()],
    )
    reserve_size = WholeNumberField(
        _l("Size of the reserve list"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Give the size of the reserve list."))],
    )
    objection_days = WholeNumberField(
        _l("Calendar days to object after the notification"),
        widget=GovTextInput(),
        validators=[InputRequired(_l("Give the number of days to object."))],
    )
    second_approval = BooleanField(
        _l("Publishing a decision needs a second official's approval"),
        widget=GovCheckboxInput(),
    )
    submit = SubmitField(_l("Save the settings"), widget=GovSubmitInput())

    def to_input(self) -> SettingsInput:
        percent = self.criterion_spread_percent.data
        return SettingsInput(
            reviews_per_proposal=self.reviews_per_proposal.data,
            total_threshold=self.total_threshold.data,
            disagreement_spread=self.disagreement_spread.data,
            reserve_size=self.reserve_size.data,
            objection_days=self.objection_days.data,
            criterion_spread_share=None if percent is None else percent / 100,
            second_approval=bool(self.second_approval.data),
        )


def admissibility_result(label: Any) -> RadioField:
    """Admissible or inadmissible: one proposal's decision, or a selection's."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        validate_choice=False,
        choices=[("admissible", _l("Admissible")), ("inadmissible", _l("Inadmissible"))],
        validators=[
            InputRequired(_l("Choose admissible or inadmissible.")),
            AnyOf(["admissible", "inadmissible"], message=_l("Choose admissible or inadmissible.")),
        ],
    )


def admissibility_reason(description: Any) -> StringField:
    """The reason the applicant reads when a proposal is inadmissible."""
    return StringField(
        _l("Reason"),
        widget=GovTextArea(),
        description=description,
        validators=[Optional(), Length(max=2000)],
    )


class AdmissibilityForm(PortalForm):
    result = admissibility_result(_l("Decision"))
    reason = admissibility_reason(_l("Required when inadmissible: the applicant reads it."))
    submit = SubmitField(_l("Record the decision"), widget=GovSubmitInput())


def _choice(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class AssignForm(PortalForm):
    evaluator_id = SelectField(
        _l("Evaluator"),
        widget=GovSelect(),
        coerce=_choice,
        validate_choice=False,
        validators=[InputRequired(_l("Choose an evaluator."))],
    )
    submit = SubmitField(_l("Assign"), widget=GovSubmitInput())

    def validate_evaluator_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose an evaluator."))


class ReasonForm(PortalForm):
    """A reason, required: removing an evaluator, reopening a review."""

    reason = StringField(
        _l("Reason"),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Give the reason.")), Length(max=2000)],
    )
    submit = SubmitField(_l("Confirm"), widget=GovSubmitInput())


class ConsensusForm(PortalForm):
    """Per criterion the final score, the consensus justification and a minority view;
    fields ``score-<id>``, ``justification-<id>``, ``minority-<id>``."""

    criterion_ids: tuple[int, ...] = ()

    def to_input(self) -> ConsensusInput:
        """The criteria something was typed for, as ``record_consensus_set`` takes them."""
        items: dict[int, Any] = {}  # criterion id -> (score, justification, minority view)
        for cid in self.criterion_ids:
            values = tuple(
                (self[f"{name}-{cid}"].data or "").strip()
                for name in ("score", "justification", "minority")
            )
            if any(values):
                items[cid] = values
        return ConsensusInput(items)

    def load(self, consensus, score_text) -> None:
        for cid, item in consensus.items():
            if cid in self.criterion_ids:
                self[f"score-{cid}"].data = score_text(item.score)
                self[f"justification-{cid}"].data = item.justification
                self[f"minority-{cid}"].data = item.minority_view


def consensus_form(criteria, **kwargs) -> ConsensusForm:
    attributes: dict = {"criterion_ids": tuple(c.id for c in criteria)}
    for criterion in criteria:
        attributes[f"score-{criterion.id}"] = StringField(
            _l("Final score"), widget=GovTextInput(), validators=[Optional(), Length(max=10)]
        )
        attributes[f"justification-{criterion.id}"] = StringField(
            _l("Consensus justification"),
            widget=GovTextArea(),
            validators=[Optional(), Length(max=LONG_TEXT)],
        )
        attributes[f"minority-{criterion.id}"] = StringField(
            _l("Minority view (optional)"),
            widget=GovTextArea(),
            validators=[Optional(), Length(max=LONG_TEXT)],
        )
    attributes["submit"] = SubmitField(_l("Save the consensus"), widget=GovSubmitInput())
    return type("CallConsensusForm", (ConsensusForm,), attributes)(**kwargs)


OUTCOME_CHOICES = [
    ("", _l("The computed outcome (no override)")),
    ("funded", _l("Approved")),
    ("reserve", _l("Reserve list")),
    ("rejected", _l("Rejected")),
    ("below_threshold", _l("Below a threshold")),
]


class OverrideForm(PortalForm):
    proposal_id = SelectField(
        _l("Proposal"),
        widget=GovSelect(),
        coerce=_choice,
        validate_choice=False,
        validators=[InputRequired(_l("Choose a proposal."))],
    )
    outcome = SelectField(
        _l("Outcome in force"),
        widget=GovSelect(),
        choices=OUTCOME_CHOICES,
        validators=[
            AnyOf([value for value, _label in OUTCOME_CHOICES], message=_l("Choose an outcome."))
        ],
    )
    reason = StringField(
        _l("Reason"),
        widget=GovTextArea(),
        description=_l("Stored in the audit log and in the decision record."),
        validators=[
            InputRequired(_l("Give the reason for departing from the ranking.")),
            Length(max=2000),
        ],
    )
    submit = SubmitField(_l("Record the outcome"), widget=GovSubmitInput())

    def validate_proposal_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a proposal."))


class QuorumOverrideForm(PortalForm):
    """The official's written reason to hold the consensus with fewer reviews."""

    reason = StringField(
        _l("Why does the consensus go ahead with fewer reviews?"),
        description=_l(
            "The applicant reads this in the evaluation summary "
            "report, and it is kept in the decision record."
        ),
        widget=GovTextArea(),
        validators=[InputRequired(_l("Give the reason.")), Length(max=2000)],
    )
    submit = SubmitField(_l("Decide with fewer reviews"), widget=GovSubmitInput())


class ObjectionForm(PortalForm):
    """A member's request for explanation or objection, with an optional PDF."""

    kind = RadioField(
        _l("What do you want to do?"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=[
            ("explanation", _l("Ask for an explanation of the decision")),
            ("objection", _l("Object to the decision")),
        ],
        validators=[
            InputRequired(_l("Choose whether you ask for an explanation or object.")),
            AnyOf(
                ["explanation", "objection"],
                message=_l("Choose whether you ask for an explanation or object."),
            ),
        ],
    )
    text = StringField(
        _l("Your request or objection"),
        widget=GovTextArea(),
        description=_l(
            "Say what you want explained, or why the decision "
            "should change, and on which criterion."
        ),
        validators=[InputRequired(_l("Write your request or objection.")), Length(max=10000)],
    )
    file = FileField(_l("A PDF with supporting documents (optional)"), widget=GovFileInput())
    submit = SubmitField(_l("Send"), widget=GovSubmitInput())

    def to_input(self) -> ObjectionInput:
        upload = self.file.data
        return ObjectionInput(
            kind=ObjectionKind(self.kind.data),
            text=self.text.data or "",
            filename=getattr(upload, "filename", "") or "",
            stream=getattr(upload, "stream", None),
        )


class ObjectionAnswerForm(PortalForm):
    """The official's answer, with the outcome of an objection."""

    answer = StringField(
        _l("Answer"),
        widget=GovTextArea(),
        description=_l("The applicant reads this answer in the portal."),
        validators=[
            InputRequired(_l("Write the answer; the applicant reads it.")),
            Length(max=10000),
        ],
    )
    outcome = RadioField(
        _l("Outcome of the objection"),
        widget=GovRadioInput(),
        validate_choice=False,
        choices=[(outcome.value, outcome.label) for outcome in ObjectionOutcome],
        validators=[
            Optional(),
            AnyOf([o.value for o in ObjectionOutcome], message=_l("Choose upheld or not upheld.")),
        ],
    )
    submit = SubmitField(_l("Record the answer"), widget=GovSubmitInput())
