"""Proposals: every change to a proposal (drafts, attachments, submission before the
deadline, withdrawal) and the version that counts.

The rule that matters most (DESIGN.md rule 1): every change to a proposal is checked
against the organisation's deadline inside the transaction that makes it, using the
moment the server received the request (``access.check_open``). Its content rules are in
``eligibility``, its versions' snapshots and fingerprints in ``versions``, the files'
quota in ``storage`` and the reminders in ``reminders``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.audit import services as audit
from app.auth.models import User
from app.calls import deadlines
from app.calls import services as calls
from app.calls.models import Call, CallStatus
from app.core import files
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import before_deadline, format_brussels, utcnow
from app.organisations.confirmation import submission_block
from app.organisations.models import Organisation
from app.organisations.services import active_members
from app.proposals import merge, permissions
from app.proposals.access import DeadlinePassed, EditConflict, check_open, deadline_of, get_proposal
from app.proposals.declaration import declaration_record
from app.proposals.eligibility import check_shape, submission_problems
from app.proposals.fields import FIELD_NAMES
from app.proposals.models import Attachment, Proposal, ProposalStatus, ProposalVersion
from app.proposals.storage import QuotaExceeded, lock_organisation, megabytes, storage_used
from app.proposals.versions import fingerprint, organisation_snapshot, snapshot, version_header

# ---------------------------------------------------------------------------- drafts


def create_proposal(
    actor: User, call_id: int, organisation_id: int, received_at: datetime | None = None
) -> Proposal:
    received_at = received_at or utcnow()
    with transaction():
        call = calls.get_call(actor, call_id)
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or organisation_id not in actor.organisation_ids:
            raise NotFound()
        require(actor.is_applicant)
        if call.status_at(received_at) is not CallStatus.open:
            deadline = deadlines.for_organisation(call, organisation_id)
            if (
                call.is_published
                and call.opens_at <= received_at
                and before_deadline(received_at, deadline)
            ):
                pass  # an individual extension keeps the call open for this organisation
            elif received_at >= call.opens_at:
                raise DeadlinePassed(deadline, received_at)
            else:
                raise DomainError(
                    _("The call opens on %(moment)s.", moment=format_brussels(call.opens_at))
                )
        proposal = Proposal(
            call=call,
            organisation=organisation,
            created_by_id=actor.id,
            created_at=received_at,
            updated_at=received_at,
            updated_by_id=actor.id,
            status=ProposalStatus.draft,
            technologies=[],
            milestones=[],
            partners=[],
        )
        _insert_with_reference(proposal, call)
        audit.record(
            actor,
            "proposal.created",
            proposal,
            after={
                "reference": proposal.reference,
                "call": call.code,
                "organisation": organisation.enterprise_number,
            },
        )
    return proposal


def _insert_with_reference(proposal: Proposal, call: Call) -> None:
    """Number proposals per call (CODE-0001, ...) from the call's counter, which only grows:
    a deleted draft's reference is never given again. The UPDATE locks the call's row until
    the transaction ends, so drafts started at the same moment get consecutive numbers; a
    number already taken by other means is skipped."""
    for _attempt in range(20):
        number = db.session.execute(
            sa.update(Call)
            .where(Call.id == call.id)
            .values(proposals_numbered=Call.proposals_numbered + 1)
            .returning(Call.proposals_numbered)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        proposal.reference = f"{call.code}-{number:04d}"
        savepoint = db.session.begin_nested()
        try:
            db.session.add(proposal)
            db.session.flush()
        except sa.exc.IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return
    raise DomainError(_("Too many proposals are being started at once; please try again."))


@dataclass(frozen=True)
class SectionInput:
    """One section of a draft as typed: ``changes`` maps its field names to new values (None
    clears one), ``revision`` is the revision the form was opened at (optimistic locking);
    ``update_proposal`` takes both."""

    changes: Mapping[str, Any]
    revision: int
    base: Mapping[str, str] | None = None  # per-field hashes at loading (app.proposals.merge)


def update_proposal(
    actor: User,
    proposal_id: int,
    changes: Mapping[str, Any],
    expected_revision: int,
    received_at: datetime | None = None,
    *,
    base: Mapping[str, str] | None = None,
) -> Proposal:
    """Save some of a draft's fields (``changes`` maps field names to new values, None
    clearing one). Partial data is fine; impossible values are refused per field and
    nothing is saved, so the form can show them again.

    With ``base`` (each field's hash when the form was loaded) only the same fields changed
    since conflict (app.proposals.merge); without it, any save since ``expected_revision``."""
    unknown = set(changes) - set(FIELD_NAMES)
    if unknown:
        raise ValueError(f"unknown proposal fields: {sorted(unknown)}")
    received_at = received_at or utcnow()
    try:
        with transaction():
            proposal = get_proposal(actor, proposal_id, for_update=True)
            require(permissions.can_edit(actor, proposal))
            check_open(proposal, received_at)
            if base is not None:
                rebased = merge.rebase(proposal, changes, base)
                if rebased.clashes:
                    raise EditConflict(proposal, rebased.clashes)
                changes = rebased.changes
            elif proposal.revision != expected_revision:
                raise EditConflict(proposal)
            check_shape(proposal.call, proposal, changes)
            changed = _apply(proposal, changes)
            if not changed:
                return proposal
            proposal.updated_at = received_at
            proposal.updated_by_id = actor.id
            db.session.flush()
            audit.record(actor, "proposal.saved", proposal, after={"fields": changed})
    except StaleDataError as exc:
        db.session.expire_all()
        raise EditConflict(get_proposal(actor, proposal_id)) from exc
    return proposal


def _apply(proposal: Proposal, changes: Mapping[str, Any]) -> list[str]:
    changed = []
    for name in FIELD_NAMES:
        if name not in changes:
            continue
        value = changes[name]
        if isinstance(value, str) and not isinstance(value, Enum):
            value = value.strip()
        if value is None and name in _TEXT_FIELDS:
            value = ""
        if name == "technologies":
            value = [code for code in proposal.call.technologies if code in (value or [])]
        if name in ("milestones", "partners"):
            value = list(value or [])
        if getattr(proposal, name) != value:
            setattr(proposal, name, value)
            changed.append(name)
    return changed


_TEXT_FIELDS = {
    "title",
    "acronym",
    "training_name",
    "training_current_form",
    "training_reference",
    "learning_objectives",
    "content",
    "didactic_approach",
    "target_group",
    "disadvantaged_groups",
    "practice_explanation",
    "guidance_before",
    "guidance_during",
    "guidance_after",
    "lms_follow_up",
    "technology_other",
}


# ---------------------------------------------------------------------------- attachments


def add_attachment(
    actor: User,
    proposal_id: int,
    filename: str,
    stream: BinaryIO,
    received_at: datetime | None = None,
) -> Attachment:
    received_at = received_at or utcnow()
    config = current_app.config
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        check_open(proposal, received_at)
        if len(proposal.attachments) >= config["PROPOSAL_MAX_ATTACHMENTS"]:
            raise ValidationFailed(
                {
                    "file": _(
                        "A proposal can have at most %(count)d attachments. Remove one first.",
                        count=config["PROPOSAL_MAX_ATTACHMENTS"],
                    )
                }
            )
        max_bytes = config["PROPOSAL_MAX_ATTACHMENT_BYTES"]
        lock_organisation(proposal.organisation_id)  # count and store as one step
        used, quota = storage_used(proposal.organisation_id), config["ORGANISATION_STORAGE_BYTES"]

        def accept(path: Path, size: int) -> None:  # on the temporary file, before it is kept
            files.accept_pdf(path, size)
            if used + size > quota:
                raise QuotaExceeded(used, size, quota)

        try:
            stored = files.store(stream, max_bytes, accept=accept)
        except files.FileTooLarge as exc:
            raise ValidationFailed(
                {"file": _("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024))}
            ) from exc
        except QuotaExceeded as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "Your organisation's attachments would take %(total)s MB, more than its "
                        "%(quota)s MB of storage. Remove attachments it no longer needs, or ask the "
                        "call's officials for more room.",
                        total=megabytes(exc.used + exc.size),
                        quota=megabytes(exc.quota),
                    )
                }
            ) from exc
        except files.FileRefused as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "The file is not a PDF. Save or export the document as PDF and try again."
                    )
                }
            ) from exc
        name = files.safe_pdf_filename(filename)
        attachment = Attachment(
            proposal=proposal,
            filename=name,
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=actor.id,
            uploaded_at=received_at,
        )
        db.session.add(attachment)
        db.session.flush()
        audit.record(
            actor,
            "proposal.attachment_added",
            proposal,
            after={"filename": name, "sha256": stored.sha256, "size": stored.size},
        )
    return attachment


def remove_attachment(
    actor: User, proposal_id: int, attachment_id: int, received_at: datetime | None = None
) -> None:
    received_at = received_at or utcnow()
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        check_open(proposal, received_at)
        attachment = next((a for a in proposal.attachments if a.id == attachment_id), None)
        if attachment is None:
            raise NotFound()
        proposal.attachments.remove(attachment)
        audit.record(
            actor,
            "proposal.attachment_removed",
            proposal,
            before={"filename": attachment.filename, "sha256": attachment.sha256},
        )


# ---------------------------------------------------------------------------- submission


def submit_proposal(
    actor: User,
    proposal_id: int,
    received_at: datetime | None = None,
    *,
    declaration: str | None = None,
) -> ProposalVersion:
    """Freeze version n+1 if the request arrived before the organisation's deadline.

    ``declaration`` is the text of the declaration on honour the actor ticked (pages ask
    for it; see app.proposals.declaration): the version keeps it with who and when."""
    received_at = received_at or utcnow()
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        check_open(proposal, received_at)
        if blocked := submission_block(proposal.organisation):  # pending or refused
            raise DomainError(blocked)
        if actor.email_verified_at is None:
            raise DomainError(
                _(
                    "Confirm your email address before you submit: the receipt "
                    "and every message about the proposal go there. Use the link "
                    "in the email we sent, or ask for a new one on your profile."
                )
            )
        problems = submission_problems(proposal)
        if problems:
            raise ValidationFailed(problems)
        data = snapshot(proposal)
        latest = proposal.versions[-1] if proposal.versions else None
        if (
            latest is not None
            and latest.data == data
            and proposal.status is ProposalStatus.submitted
        ):
            raise DomainError(
                _(
                    "Nothing has changed since version %(number)d, which counts.",
                    number=latest.number,
                )
            )
        number = (latest.number if latest else 0) + 1
        version = ProposalVersion(
            proposal=proposal,
            number=number,
            submitted_at=received_at,
            submitted_by_id=actor.id,
            data=data,
            organisation=organisation_snapshot(proposal.organisation),
            fingerprint_scheme=3,
            declaration=declaration_record(actor, declaration, received_at)
            if declaration
            else None,
            deadline_in_force=deadline_of(proposal),
        )
        version.fingerprint = fingerprint(version_header(version), data)
        db.session.add(version)
        before_status = proposal.status.value
        proposal.status = ProposalStatus.submitted
        proposal.submitted_at = received_at
        db.session.flush()
        audit.record(
            actor,
            "proposal.submitted",
            proposal,
            before={"status": before_status},
            after={
                "status": "submitted",
                "version": number,
                "fingerprint": version.fingerprint,
                "received_at": received_at.isoformat(),
            },
        )
        for member in active_members(proposal.organisation_id):
            enqueue(
                "proposal_submitted",
                to=member.email,
                language=member.language,
                dedupe_key=f"proposal-submitted:{version.id}:{member.id}",
                subject=_l(
                    "Received: %(reference)s version %(number)d",
                    reference=proposal.reference,
                    number=number,
                ),
                template="proposals/email/submitted.txt",
                member=member,
                proposal=proposal,
                version=version,
                submitter=actor,
            )
    return version


def withdraw_proposal(
    actor: User, proposal_id: int, reason: str, received_at: datetime | None = None
) -> Proposal:
    received_at = received_at or utcnow()
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for withdrawing the proposal.")})
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        check_open(proposal, received_at)
        before = proposal.status.value
        proposal.status = ProposalStatus.withdrawn
        proposal.withdrawn_at = received_at
        proposal.withdrawal_reason = reason.strip()
        proposal.updated_by_id = actor.id
        db.session.flush()
        audit.record(
            actor,
            "proposal.withdrawn",
            proposal,
            before={"status": before},
            after={"status": "withdrawn"},
            reason=reason.strip(),
        )
        for member in active_members(proposal.organisation_id):
            enqueue(
                "proposal_withdrawn",
                to=member.email,
                language=member.language,
                dedupe_key=f"proposal-withdrawn:{proposal.id}:{member.id}",
                subject=_l("Withdrawn: %(reference)s", reference=proposal.reference),
                template="proposals/email/withdrawn.txt",
                member=member,
                proposal=proposal,
                withdrawn_by=actor,
            )
    return proposal


def counting_version(
    proposal: Proposal, deadline: datetime | None = None
) -> ProposalVersion | None:
    """The last version submitted before the organisation's deadline: the one evaluated.

    Pass ``deadline`` (see ``app.calls.deadlines.by_organisation``) when handling many
    proposals."""
    if proposal.status is ProposalStatus.withdrawn:
        return None
    deadline = deadline or deadline_of(proposal)
    eligible = [v for v in proposal.versions if before_deadline(v.submitted_at, deadline)]
    return eligible[-1] if eligible else None


# The evaluation reads it under this name.
deadlines_by_organisation = deadlines.by_organisation


def get_version(actor: User, proposal_id: int, number: int) -> tuple[Proposal, ProposalVersion]:
    proposal = get_proposal(actor, proposal_id)
    version = next((v for v in proposal.versions if v.number == number), None)
    if version is None:
        raise NotFound()
    return proposal, version
