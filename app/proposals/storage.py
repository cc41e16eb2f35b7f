"""The files of proposals: the organisation's storage quota, the files versions refer to,
and reading one (an audited confidential read for anyone outside the organisation)."""

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from app.audit import services as audit
from app.auth.models import User
from app.core import files, formatting
from app.core.db import db
from app.core.errors import NotFound
from app.organisations.models import Organisation
from app.proposals import permissions
from app.proposals.access import get_proposal
from app.proposals.models import Attachment, Proposal, ProposalVersion


class QuotaExceeded(ValueError):
    def __init__(self, used: int, size: int, quota: int) -> None:
        super().__init__(used, size, quota)
        self.used, self.size, self.quota = used, size, quota


def megabytes(size: int) -> str:
    """A size in MB with at most one decimal, in the user's language (12,5 in Dutch)."""
    return formatting.megabytes(size)


def lock_organisation(organisation_id: int) -> None:
    """Serialise storage changes of one organisation until the transaction ends.

    Counting the bytes an organisation uses and storing a new file must be one step, or two
    uploads at the same moment (to two of its proposals) both count the same total and both
    pass. PostgreSQL: the organisation's row ``FOR UPDATE``. SQLite: a write to that row,
    which takes the database's one write lock (waiting up to ``busy_timeout``) and, as the
    first write, begins the transaction, so what is read afterwards includes every upload
    committed before."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            sa.select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
        )
    else:
        db.session.execute(
            sa.text("UPDATE organisations SET id = id WHERE id = :id"), {"id": organisation_id}
        )


def storage_used(organisation_id: int) -> int:
    """Bytes of the distinct files an organisation's proposals hold: the working copies'
    attachments and those of every submitted version (kept for good)."""
    sizes = dict(
        db.session.execute(
            sa.select(Attachment.sha256, Attachment.size)
            .join(Proposal, Proposal.id == Attachment.proposal_id)
            .where(Proposal.organisation_id == organisation_id)
        )
        .tuples()
        .all()
    )
    for data in db.session.scalars(
        sa.select(ProposalVersion.data["attachments"])
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.organisation_id == organisation_id)
    ):
        for item in data or []:
            sizes.setdefault(item["sha256"], int(item.get("size") or 0))
    return sum(sizes.values())


def version_file_hashes() -> set[str]:
    """The files submitted versions refer to (inside their JSON data)."""
    found: set[str] = set()
    for data in db.session.scalars(sa.select(ProposalVersion.data["attachments"])):
        found.update(item["sha256"] for item in data or [] if item.get("sha256"))
    return found


def attachment_file(actor: User, proposal_id: int, sha256: str) -> tuple[str, str]:
    """(path, filename) of a file of this proposal, current or in any submitted version."""
    proposal = get_proposal(actor, proposal_id)
    names = [a.filename for a in proposal.attachments if a.sha256 == sha256] + [
        item["filename"]
        for version in proposal.versions
        for item in version.data.get("attachments", [])
        if item["sha256"] == sha256
    ]
    if not names:
        raise NotFound()
    log_confidential_read(actor, proposal, "attachment", {"sha256": sha256, "filename": names[0]})
    return str(files.path_for(sha256)), names[0]


def log_confidential_read(
    actor: User, proposal: Proposal, document: str, details: Mapping[str, Any] | None = None
) -> None:
    """Anyone but a member of the proposal's organisation reading one of its confidential
    documents leaves an audit record (``read.<document>``) the officials can see."""
    if not permissions.is_member(actor, proposal):
        audit.record_read(
            actor, document, proposal, {"reference": proposal.reference, **(details or {})}
        )
