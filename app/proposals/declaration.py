"""The declaration on honour an applicant ticks to submit a proposal.

Its text is shown on the check-your-answers page; submitting stores the text as shown, who
ticked it and when in the submitted version, whose fingerprint covers it (scheme 3)."""

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from app.auth.models import User
from app.proposals.models import Proposal


def declaration_text(proposal: Proposal) -> str:
    """The declaration for this proposal, in the reader's language."""
    return _(
        "I declare on my honour that the information in proposal %(reference)s and its "
        "attachments is correct and complete, that I may submit it on behalf of "
        "%(organisation)s, and that the organisation will inform the ESF agency of any "
        "change that affects it.",
        reference=proposal.reference,
        organisation=proposal.organisation.legal_name,
    )


def declaration_record(actor: User, text: str, accepted_at: datetime) -> dict[str, Any]:
    """What a submitted version keeps of the declaration: the text as shown, who ticked it
    and when (the moment the submission arrived)."""
    return {
        "text": text,
        "accepted_by_id": actor.id,
        "accepted_by": actor.name,
        "accepted_at": accepted_at.isoformat(),
    }
