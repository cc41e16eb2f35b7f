"""Requests for explanation and objections against a published decision.

Within the objection window of the newest decision record that includes a proposal (from
the day of notification up to and including ``DecisionRecord.objection_until``, Brussels
dates), a member of the applicant's organisation lodges a request for explanation or an
objection, with an optional PDF. Officials answer it and, for an objection, record the
outcome (upheld or rejected); an upheld objection can lead to a new decision record n+1
whose reason names it. Everything is audited and emailed through the outbox; only the
organisation's members and officials know an objection exists (others get 404).
"""

from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit import services as audit
from app.auth.models import User
from app.core import files, formatting
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import BRUSSELS, utcnow
from app.organisations.services import active_members
from app.proposals import access as proposal_access
from app.proposals import permissions as proposal_permissions
from app.proposals import storage as proposal_storage
from app.proposals.models import Proposal
from app.reviews import permissions
from app.reviews.models import DecisionRecord, PublicationRequest
from app.reviews.objection_models import Objection, ObjectionKind, ObjectionOutcome
from app.reviews.rules import conflicts as conflicts_rules
from app.reviews.rules import decisions as decisions_rules

MAX_TEXT = 10000


def brussels_today() -> date:
    return utcnow().astimezone(BRUSSELS).date()


def record_for(proposal: Proposal) -> DecisionRecord | None:
    """The newest decision record that gives ``proposal`` an outcome (one query)."""
    for record in db.session.scalars(
        sa.select(DecisionRecord)
        .where(DecisionRecord.call_id == proposal.call_id)
        .order_by(DecisionRecord.number.desc())
    ):
        if any(
            row["proposal_id"] == proposal.id and row.get("outcome") for row in record.data["rows"]
        ):
            return record
    return None


def window_open(record: DecisionRecord, today: date) -> bool:
    """The window runs from the day of notification up to and including its last day."""
    return record.notified_on <= today <= record.objection_until


def days_left(record: DecisionRecord, today: date) -> int:
    """Calendar days after ``today`` still in the window (0 on the last day, negative
    once it has passed)."""
    return (record.objection_until - today).days


@dataclass(frozen=True)
class ObjectionInput:
    kind: ObjectionKind
    text: str
    filename: str = ""
    stream: BinaryIO | None = None


def lodge_objection(
    actor: User, proposal_id: int, data: ObjectionInput, today: date | None = None
) -> Objection:
    """A member of the applicant's organisation asks for an explanation or objects."""
    today = today or brussels_today()
    errors: dict[str, str] = {}
    if not data.text.strip():
        errors["text"] = _("Write your request or objection.")
    elif len(data.text) > MAX_TEXT:
        errors["text"] = _("Write at most %(count)s characters.", count=formatting.number(MAX_TEXT))
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id)
        if not proposal_permissions.is_member(actor, proposal):
            raise NotFound()
        record = record_for(proposal)
        if record is None:
            raise NotFound()
        if not window_open(record, today):
            raise DomainError(
                _(
                    "The period to ask for an explanation or to object ended on %(date)s.",
                    date=formatting.day(record.objection_until),
                )
            )
        stored = None
        if data.stream is not None and data.filename:
            max_bytes = current_app.config["PROPOSAL_MAX_ATTACHMENT_BYTES"]
            try:
                stored = files.store(data.stream, max_bytes, accept=files.accept_pdf)
            except files.FileTooLarge:
                errors["file"] = _(
                    "The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024)
                )
            except files.FileRefused:
                errors["file"] = _(
                    "The file is not a PDF. Save or export the document as PDF and try again."
                )
        if errors:
            raise ValidationFailed(errors)
        objection = Objection(
            proposal_id=proposal.id,
            decision_record_id=record.id,
            kind=data.kind,
            text=data.text.strip(),
            lodged_by_id=actor.id,
            lodged_at=utcnow(),
            filename=files.safe_pdf_filename(data.filename) if stored else None,
            sha256=stored.sha256 if stored else None,
            size=stored.size if stored else None,
        )
        db.session.add(objection)
        db.session.flush()
        audit.record(
            actor,
            f"proposal.{data.kind.value}_lodged",
            proposal,
            after={
                "objection_id": objection.id,
                "decision": record.number,
                "file": objection.sha256,
            },
        )
        for official in conflicts_rules._officials():
            enqueue(
                "objection_lodged",
                to=official.email,
                language=official.language,
                dedupe_key=f"objection:{objection.id}:{official.id}",
                subject=_(
                    "%(kind)s on %(reference)s", kind=data.kind.label, reference=proposal.reference
                ),
                template="reviews/email/objection_lodged.txt",
                official=official,
                objection=objection,
                proposal=proposal,
                record=record,
            )
        _notify_members(
            objection,
            proposal,
            "objection_received",
            _(
                "We received your %(kind)s on %(reference)s",
                kind=str(data.kind.label).lower(),
                reference=proposal.reference,
            ),
            "reviews/email/objection_received.txt",
        )
    return objection


def _notify_members(
    objection: Objection, proposal: Proposal, kind: str, subject: str, template: str
) -> None:
    for member in active_members(proposal.organisation_id):
        enqueue(
            kind,
            to=member.email,
            language=member.language,
            dedupe_key=f"{kind}:{objection.id}:{member.id}",
            subject=subject,
            template=template,
            member=member,
            objection=objection,
            proposal=proposal,
        )


def get_objection(actor: User, objection_id: int) -> Objection:
    """The objection for its organisation's members and officials; NotFound for others."""
    objection = db.session.get(Objection, objection_id)
    if objection is None:
        raise NotFound()
    proposal = proposal_access.get_proposal(actor, objection.proposal_id)
    if not (proposal_permissions.is_member(actor, proposal) or permissions.can_manage(actor)):
        raise NotFound()
    return objection


def objection_file(actor: User, objection_id: int) -> tuple[str, str]:
    objection = get_objection(actor, objection_id)
    if not objection.sha256:
        raise NotFound()
    proposal_storage.log_confidential_read(
        actor,
        objection.proposal,
        "objection_file",
        {"objection": objection.id, "sha256": objection.sha256},
    )
    return str(files.path_for(objection.sha256)), objection.filename or "bijlage.pdf"


def objections_of(actor: User, proposal: Proposal) -> list[Objection]:
    """What the proposal's organisation lodged (members and officials only)."""
    if not (proposal_permissions.is_member(actor, proposal) or permissions.can_manage(actor)):
        return []
    return list(
        db.session.scalars(
            sa.select(Objection).where(Objection.proposal_id == proposal.id).order_by(Objection.id)
        )
    )


def answer_objection(
    actor: User, objection_id: int, answer: str, outcome: ObjectionOutcome | None
) -> Objection:
    """The official's answer; an objection needs its outcome (upheld or rejected)."""
    require(permissions.can_manage(actor))
    errors: dict[str, str] = {}
    if not answer.strip():
        errors["answer"] = _("Write the answer; the applicant reads it.")
    with transaction():
        objection = get_objection(actor, objection_id)
        if objection.kind is ObjectionKind.objection and outcome is None:
            errors["outcome"] = _("Say whether the objection is upheld or rejected.")
        if errors:
            raise ValidationFailed(errors)
        if objection.answered:
            raise DomainError(_("This has already been answered."))
        objection.answer = answer.strip()
        objection.outcome = outcome if objection.kind is ObjectionKind.objection else None
        objection.answered_by_id = actor.id
        objection.answered_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            f"proposal.{objection.kind.value}_answered",
            objection.proposal,
            after={
                "objection_id": objection.id,
                "outcome": objection.outcome.value if objection.outcome else None,
            },
            reason=objection.answer,
        )
        _notify_members(
            objection,
            objection.proposal,
            "objection_answered",
            _("Answer on %(reference)s", reference=objection.proposal.reference),
            "reviews/email/objection_answered.txt",
        )
    return objection


def _upheld_without_decision(actor: User, objection_id: int) -> Objection:
    objection = get_objection(actor, objection_id)
    if objection.outcome is not ObjectionOutcome.upheld:
        raise DomainError(_("Only an upheld objection leads to a new decision."))
    if objection.new_decision_number is not None:
        raise DomainError(
            _(
                "Decision %(number)d was already published for this objection.",
                number=objection.new_decision_number,
            )
        )
    return objection


def _republication_reason(objection: Objection) -> str:
    return _(
        "Objection of %(reference)s upheld: %(answer)s",
        reference=objection.proposal.reference,
        answer=objection.answer,
    )


def republish_after_objection(actor: User, objection_id: int) -> DecisionRecord:
    """Publish decision record n+1 because an objection was upheld (after the official has
    changed the consensus or the outcome); its reason names the objection. A call that
    wants a second official's approval refuses this: ``request_republication`` instead."""
    require(permissions.can_manage(actor))
    with transaction():
        objection = _upheld_without_decision(actor, objection_id)
        record = decisions_rules.publish_decision(
            actor, objection.proposal.call_id, _republication_reason(objection)
        )
        decisions_rules.objection_decided(actor, objection, record)
    return record


def request_republication(actor: User, objection_id: int) -> PublicationRequest:
    """For a call that wants a second official's approval: request decision n+1 after an
    upheld objection, as any publication is requested; a different official approves it on
    the publication page (``decisions.approve_publication``), which marks the objection."""
    require(permissions.can_manage(actor))
    with transaction():
        objection = _upheld_without_decision(actor, objection_id)
        call_id = objection.proposal.call_id
        return decisions_rules.request_publication(
            actor,
            call_id,
            decisions_rules.ranking_fingerprint(call_id),
            _republication_reason(objection),
            objection=objection,
        )


def pending_publication(objection: Objection) -> PublicationRequest | None:
    """The publication of the objection's call waiting for a second official, if any
    (``objection_id`` says whether it is this objection's decision n+1)."""
    return decisions_rules.pending_request(objection.proposal.call_id)


@dataclass
class QueueRow:
    objection: Objection
    days_left: int  # in the objection window of its decision record


def objection_queue(actor: User, call_id: int, today: date | None = None) -> list[QueueRow]:
    """A call's objections for officials: open ones first, oldest first (two queries)."""
    require(permissions.can_manage(actor))
    today = today or brussels_today()
    items = db.session.scalars(
        sa.select(Objection)
        .join(Proposal, Proposal.id == Objection.proposal_id)
        .where(Proposal.call_id == call_id)
        .options(
            selectinload(Objection.record),
            selectinload(Objection.proposal),
            selectinload(Objection.lodged_by),
        )
        .order_by(Objection.answered_at.is_not(None), Objection.lodged_at, Objection.id)
    )
    return [QueueRow(o, days_left(o.record, today)) for o in items]


@dataclass(frozen=True)
class ApplicantObjections:
    """What the proposal page shows about objections: the window and what was lodged."""

    record: DecisionRecord | None
    open: bool
    days_left: int | None
    items: list[Objection]


def for_proposal_page(
    actor: User, proposal: Proposal, today: date | None = None, record: DecisionRecord | None = None
) -> ApplicantObjections | None:
    """None for anyone who is neither a member nor an official, or before any decision.
    ``record``: the newest decision record that includes the proposal, when known."""
    if not (proposal_permissions.is_member(actor, proposal) or permissions.can_manage(actor)):
        return None
    record = record or record_for(proposal)
    if record is None:
        return None
    today = today or brussels_today()
    return ApplicantObjections(
        record,
        window_open(record, today) and proposal_permissions.is_member(actor, proposal),
        days_left(record, today),
        objections_of(actor, proposal),
    )
