"""What the evaluation's pages share: the call and proposal of a URL (403/404 as the services
say), downloads, the list pages' query string, the reader's language."""

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.calls import services as calls
from app.calls.models import Call
from app.core.downloads import download  # noqa: F401  (the views import it from here)
from app.core.errors import NotFound
from app.core.money import format_decimal
from app.proposals import access as proposal_access
from app.reviews.blueprint import bp
from app.reviews.models import Assignment
from app.reviews.overview import review_state_of


def language() -> str:
    return str(get_locale() or "nl")


def call_by_code(code: str) -> Call:
    return calls.get_call_by_code(current_user, code)


def proposal_of(call: Call, proposal_id: int):
    proposal = proposal_access.get_proposal(current_user, proposal_id)
    if proposal.call_id != call.id:
        raise NotFound()
    return proposal


def list_args(*names: str) -> dict:
    """The list's sort, filters and page from the query string, for links and redirects."""
    return {name: request.args[name] for name in (*names, "page") if request.args.get(name)}


bp.add_app_template_global(format_decimal, "review_number")


@bp.app_template_global()
def assignment_review_state(assignment: Assignment) -> str:
    """Where an active assignment's review stands (``overview.review_state_of``)."""
    review = assignment.review
    return review_state_of(
        assignment.status, review.id if review else None, review.status if review else None
    )


@bp.app_template_global()
def review_state_words() -> dict[str, str]:
    """Where an active assignment's review stands, in words (the ``review_state`` macro):
    translated once for a page that shows many."""
    return {
        "pending": _("Declaration pending"),
        "not_started": _("Not started"),
        "draft": _("Draft"),
        "submitted": _("Submitted"),
    }
