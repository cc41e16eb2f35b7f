"""Forms of the steps that reach applicants: deciding a selection of proposals, releasing
the admissibility results, publishing a decision and approving its publication. Each asks
for an explicit confirmation; the hidden token names what the official saw, so a change in
between sends nothing (app.reviews.rules)."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    BooleanField,
    HiddenField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import PortalForm
from app.reviews.forms import admissibility_reason, admissibility_result


class BulkAdmissibilityForm(PortalForm):
    """The same decision for the proposals ticked on the page (``prefix="bulk"``)."""

    proposal_ids = SelectMultipleField(_l("Proposals"), validate_choice=False)
    result = admissibility_result(_l("Decision on the selected proposals"))
    reason = admissibility_reason(
        _l("Required when inadmissible: every selected applicant reads it.")
    )
    submit = SubmitField(_l("Decide the selected proposals"), widget=GovSubmitInput())

    def ids(self) -> list[int]:
        """The ticked proposals; anything that is not a number is ignored."""
        return [int(v) for v in self.proposal_ids.data or [] if str(v).isdigit()]


class ReleaseForm(PortalForm):
    token = HiddenField()
    confirm = BooleanField(
        _l("I have checked the figures and the letter: send the results to the applicants."),
        widget=GovCheckboxInput(),
        validators=[DataRequired(_l("Tick the box to confirm that the results may be sent."))],
    )
    submit = SubmitField(_l("Release the results"), widget=GovSubmitInput())


class PublishForm(PortalForm):
    fingerprint = HiddenField()
    reason = StringField(
        _l("Why is the decision published again?"),
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
    )
    confirm = BooleanField(
        _l("I have checked what will be published and who will be emailed."),
        widget=GovCheckboxInput(),
        validators=[DataRequired(_l("Tick the box to confirm the publication."))],
    )
    submit = SubmitField(_l("Publish the decision"), widget=GovSubmitInput())


class ApprovalForm(PortalForm):
    confirm = BooleanField(
        _l("I have checked the preview and approve the publication."),
        widget=GovCheckboxInput(),
        validators=[DataRequired(_l("Tick the box to confirm your approval."))],
    )
    submit = SubmitField(_l("Approve and publish"), widget=GovSubmitInput())
