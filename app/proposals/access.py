"""Finding a proposal the actor may see, and whether it may still change.

The rule that matters most (DESIGN.md rule 1): every change to a proposal is checked
against the organisation's deadline inside the transaction that makes it, using the
moment the server received the request (``check_open``).
"""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.calls import deadlines
from app.core.db import db
from app.core.errors import DomainError, NotFound
from app.core.time import before_deadline, format_brussels, utcnow
from app.proposals import permissions
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion


class DeadlinePassed(DomainError):
    def __init__(self, deadline: datetime, received_at: datetime) -> None:
        super().__init__(
            _(
                "The deadline of %(deadline)s (Brussels time) has passed: your request arrived at "
                "%(received)s. Nothing was changed.",
                deadline=format_brussels(deadline),
                received=_precise(received_at),
            )
        )
        self.deadline = deadline
        self.received_at = received_at


class EditConflict(DomainError):
    """Someone saved the proposal since the form was opened: ``fields`` changed both there
    and here (empty when only the revision told: a form without a base)."""

    def __init__(self, proposal: Proposal, fields: list[str] | None = None) -> None:
        super().__init__(_("Someone else saved this proposal while you were editing it."))
        self.proposal = proposal
        self.fields = fields or []


def _precise(moment: datetime) -> str:
    return format_brussels(moment) + f".{moment.microsecond:06d}"


# ---------------------------------------------------------------------------- reading


def visible_proposals(actor: User, call_id: int | None = None) -> list[Proposal]:
    """The proposals ``actor`` may see: their organisations' for applicants, all for officials."""
    query = (
        sa.select(Proposal)
        .options(selectinload(Proposal.attachments), selectinload(Proposal.versions))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    )
    if not actor.is_official:
        query = query.where(Proposal.organisation_id.in_(actor.organisation_ids or {-1}))
    if call_id is not None:
        query = query.where(Proposal.call_id == call_id)
    return list(db.session.scalars(query))


def get_proposal(actor: User, proposal_id: int, *, for_update: bool = False) -> Proposal:
    """The proposal, or NotFound for anyone who may not know it exists."""
    query = (
        sa.select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            selectinload(Proposal.attachments),
            selectinload(Proposal.versions).joinedload(ProposalVersion.submitted_by),
        )
    )
    if for_update:
        query = query.with_for_update(of=Proposal)
    proposal = db.session.scalar(query)
    if proposal is None or not permissions.can_view(actor, proposal):
        raise NotFound()
    return proposal


def deadline_of(proposal: Proposal) -> datetime:
    """The proposal's organisation's deadline (app.calls.deadlines)."""
    return deadlines.for_organisation(proposal.call, proposal.organisation_id)


def is_editable(proposal: Proposal, moment: datetime | None = None) -> bool:
    moment = moment or utcnow()
    return (
        proposal.status is not ProposalStatus.withdrawn
        and proposal.call.opens_at <= moment
        and before_deadline(moment, deadline_of(proposal))
    )


def check_open(proposal: Proposal, received_at: datetime) -> None:
    """The deadline rule, evaluated inside the caller's transaction."""
    if proposal.status is ProposalStatus.withdrawn:
        raise DomainError(_("This proposal was withdrawn and can no longer change."))
    deadline = deadline_of(proposal)
    if not before_deadline(received_at, deadline):
        raise DeadlinePassed(deadline, received_at)
    if received_at < proposal.call.opens_at:
        raise DomainError(
            _("The call opens on %(moment)s.", moment=format_brussels(proposal.call.opens_at))
        )
