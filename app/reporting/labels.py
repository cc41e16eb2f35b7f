"""The words the statistics show for the codes they count, in the user's language."""

from flask_babel import gettext as _

from app.calls.models import ProjectType, Technology
from app.organisations.models import ProviderType
from app.proposals.models import ProposalStatus
from app.reviews.models import Admissibility, Outcome


def technology_label(code: str) -> str:
    return str(Technology(code).label)


def project_type_label(code: str) -> str:
    return str(ProjectType(code).short_label)


def provider_type_label(code: str) -> str:
    return str(ProviderType(code).label)


def practice_label(key: str) -> str:
    return _("Practice-oriented") if key == "yes" else _("Not practice-oriented")


def status_label(status: str) -> str:
    return str(ProposalStatus(status).label)


def evaluation_state_label(state: str) -> str:
    if state in {a.value for a in Admissibility}:
        return str(Admissibility(state).label)
    return str(Outcome(state).label)
