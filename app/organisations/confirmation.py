"""Confirmation by officials: a registered organisation is pending, with its evidence,
until an official confirms or refuses it; its proposals wait for that to be submitted."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.core import files, formatting
from app.core.db import db, transaction
from app.core.email import enqueue, external_url
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.pagination import Page
from app.core.permissions import require
from app.core.time import utcnow
from app.organisations import permissions
from app.organisations.models import (
    Organisation,
    OrganisationEvidence,
    OrganisationStatus,
)
from app.organisations.services import active_members, visible_organisation

MAX_EVIDENCE_FILES = 5


def submission_block(organisation: Organisation) -> str | None:
    """Why proposals of ``organisation`` cannot be submitted yet, or None when they can."""
    if organisation.status is OrganisationStatus.pending:
        return _(
            "Your organisation is waiting for confirmation by the ESF team, so its "
            "proposals cannot be submitted yet. Upload a document showing you may act for "
            "the organisation on its page if you have not done so. You can keep working on "
            "the draft; the deadline of the call still applies."
        )
    if organisation.status is OrganisationStatus.refused:
        return _(
            "The registration of your organisation was refused, so its proposals cannot "
            "be submitted. The reason is on the organisation's page."
        )
    return None


def add_evidence(
    actor: User, organisation_id: int, filename: str, stream: BinaryIO
) -> OrganisationEvidence:
    """A member of a pending organisation uploads a PDF showing they may act for it."""
    config = current_app.config
    with transaction():
        organisation = visible_organisation(actor, organisation_id)
        require(permissions.can_add_evidence(actor, organisation))
        if organisation.status is not OrganisationStatus.pending:
            raise DomainError(
                _("Evidence is only needed while the organisation waits for confirmation.")
            )
        if len(organisation.evidence) >= MAX_EVIDENCE_FILES:
            raise ValidationFailed(
                {
                    "file": _(
                        "You can upload at most %(count)d documents. Ask the ESF team if you need more.",
                        count=MAX_EVIDENCE_FILES,
                    )
                }
            )
        max_bytes = config["PROPOSAL_MAX_ATTACHMENT_BYTES"]
        try:  # checked before it is kept: a refused file leaves nothing in storage
            stored = files.store(stream, max_bytes, accept=files.accept_pdf)
        except files.FileTooLarge as exc:
            raise ValidationFailed(
                {"file": _("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024))}
            ) from exc
        except files.FileRefused as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "The file is not a PDF. Save or export the document as PDF and try again."
                    )
                }
            ) from exc
        evidence = OrganisationEvidence(
            organisation=organisation,
            filename=files.safe_pdf_filename(filename),
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=actor.id,
        )
        db.session.add(evidence)
        db.session.flush()
        audit.record(
            actor,
            "organisation.evidence_added",
            organisation,
            after={"filename": evidence.filename, "sha256": stored.sha256, "size": stored.size},
        )
    return evidence


def get_evidence(actor: User, evidence_id: int) -> OrganisationEvidence:
    """Members of the organisation and officials may read its evidence."""
    evidence = db.session.get(OrganisationEvidence, evidence_id)
    if evidence is None or not permissions.can_view(actor, evidence.organisation):
        raise NotFound()
    return evidence


def confirm_organisation(actor: User, organisation_id: int) -> Organisation:
    """An official confirms a pending organisation on its evidence; its registrant becomes a
    member administrator."""
    require(permissions.can_confirm(actor))
    with transaction():
        organisation = _pending(organisation_id)
        if not organisation.evidence:
            raise DomainError(
                _(
                    "The applicant has not uploaded any evidence yet. Confirm the "
                    "organisation once a document shows they may act for it."
                )
            )
        organisation.status = OrganisationStatus.confirmed
        organisation.decided_at = utcnow()
        organisation.decided_by_id = actor.id
        for membership in organisation.memberships:
            if membership.user_id == organisation.registered_by_id and membership.is_active:
                membership.is_admin = True
        audit.record(
            actor,
            "organisation.confirmed",
            organisation,
            before={"status": "pending"},
            after={"status": "confirmed", "evidence": [e.sha256 for e in organisation.evidence]},
        )
        _tell_members(organisation, approved=True)
    return organisation


def refuse_organisation(actor: User, organisation_id: int, reason: str) -> Organisation:
    """An official refuses a pending organisation, with a reason its members are told."""
    require(permissions.can_confirm(actor))
    reason = (reason or "").strip()
    with transaction():
        organisation = _pending(organisation_id)
        if not reason:
            raise ValidationFailed({"reason": _("Say why the organisation is refused.")})
        if len(reason) > 2000:
            raise ValidationFailed(
                {"reason": _("Write at most %(count)s characters.", count=formatting.number(2000))}
            )
        organisation.status = OrganisationStatus.refused
        organisation.decided_at = utcnow()
        organisation.decided_by_id = actor.id
        organisation.refusal_reason = reason
        audit.record(
            actor,
            "organisation.refused",
            organisation,
            before={"status": "pending"},
            after={"status": "refused", "reason": reason},
        )
        _tell_members(organisation, approved=False)
    return organisation


def _pending(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    if organisation.status is not OrganisationStatus.pending:
        raise DomainError(_("This organisation has already been handled."))
    return organisation


def _tell_members(organisation: Organisation, *, approved: bool) -> None:
    assert organisation.decided_at is not None  # the decision was just recorded
    for member in active_members(organisation.id):
        enqueue(
            "organisation_decided",
            to=member.email,
            language=member.language,
            dedupe_key=f"organisation-decided:{organisation.id}:{member.id}:"
            f"{organisation.decided_at.isoformat()}",
            subject=_l(
                "The registration of %(organisation)s", organisation=organisation.legal_name
            ),
            template="organisations/email/organisation_decided.txt",
            member=member,
            organisation=organisation,
            approved=approved,
            link=external_url("organisations.detail", organisation_id=organisation.id),
        )


@dataclass(frozen=True)
class PendingRow:
    organisation: Organisation
    registrant: User | None
    evidence_count: int


def pending_queue(actor: User, args: Mapping[str, str]) -> Page:
    """The officials' queue: pending organisations, oldest first, one page of at most 50,
    each with its registrant and how many documents it uploaded (counted in SQL)."""
    require(permissions.can_confirm(actor))
    pending = Organisation.status == OrganisationStatus.pending
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(pending)) or 0
    )
    page = Page.of(args, total=total)
    evidence_count = (
        sa.select(sa.func.count())
        .where(OrganisationEvidence.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Organisation, User, evidence_count)
        .outerjoin(User, User.id == Organisation.registered_by_id)
        .where(pending)
        .order_by(Organisation.created_at, Organisation.id)
        .limit(page.per_page)
        .offset(page.offset)
    )
    page.items = [PendingRow(o, u, n) for o, u, n in rows]
    return page


def count_pending() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.status == OrganisationStatus.pending)
        )
        or 0
    )
