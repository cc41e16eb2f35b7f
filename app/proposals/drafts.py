"""Drafts an organisation has not submitted yet: find them again instead of starting a new
one on every click, and delete one that was never submitted."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth.models import User
from app.core.db import db, transaction
from app.core.errors import DomainError
from app.core.permissions import require
from app.core.time import utcnow
from app.proposals import permissions
from app.proposals.access import check_open, get_proposal
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion


def _never_submitted() -> sa.ColumnElement[bool]:
    return ~sa.exists().where(ProposalVersion.proposal_id == Proposal.id)


def open_drafts(actor: User, call_id: int) -> list[Proposal]:
    """The never-submitted drafts of the actor's organisations in this call, newest first."""
    if not actor.organisation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(Proposal)
            .where(
                Proposal.call_id == call_id,
                Proposal.status == ProposalStatus.draft,
                Proposal.organisation_id.in_(actor.organisation_ids),
                _never_submitted(),
            )
            .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
        )
    )


def is_deletable(proposal: Proposal) -> bool:
    """A draft that was never submitted (a submitted proposal is withdrawn instead)."""
    return proposal.status is ProposalStatus.draft and not proposal.versions


def delete_draft(actor: User, proposal_id: int, received_at: datetime | None = None) -> str:
    """Delete a never-submitted draft with its attachments (their files stay, shared by
    hash); audited. Its reference is never given again. Returns the reference."""
    received_at = received_at or utcnow()
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        if not is_deletable(proposal):
            raise DomainError(
                _(
                    "Only a draft that was never submitted can be deleted. "
                    "Withdraw a submitted proposal instead."
                )
            )
        check_open(proposal, received_at)
        reference = proposal.reference
        audit.record(
            actor,
            "proposal.deleted",
            proposal,
            before={
                "reference": reference,
                "title": proposal.title,
                "attachments": [a.sha256 for a in proposal.attachments],
            },
        )
        db.session.delete(proposal)
    return reference
