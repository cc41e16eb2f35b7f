"""Personal data: what the portal holds about one person, as JSON with the documents the
person uploaded (one ZIP archive), and anonymising an account.

This sits above every domain because one person's data is spread over all of them: the
account (auth), memberships (organisations), proposals they wrote (proposals and the audit
trail), reviews (reviews), enrolment files they uploaded (monitoring) and the audit records
about them.
"""

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth import services as auth
from app.auth.models import ApiToken, User, UserSession
from app.core import files
from app.core.db import db, transaction
from app.core.errors import NotFound
from app.core.permissions import require
from app.core.time import utcnow
from app.monitoring.models import EnrolmentImport
from app.organisations import services as organisations
from app.organisations.models import Membership, OrganisationEvidence
from app.proposals.models import Proposal, ProposalVersion
from app.reviews.models import Affiliation, Assignment, EvaluatorProfile, Review

FORMAT = "esf-eleren-personal-data/1"
ARCHIVE_DATA = "personal-data.json"


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound()
    return user


def personal_data(actor: User | None, user_id: int) -> dict[str, Any]:
    """Everything the portal keeps about the account ``user_id``. Only its owner asks from
    the web (``actor``); the command line (``actor`` None) is the operator's."""
    if actor is not None:
        require(actor.id == user_id)
    user = _user(user_id)
    return {
        "format": FORMAT,
        "exported_at": utcnow(),
        "account": {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "roles": sorted(role.value for role in user.roles),
            "active": user.active,
            "language": user.language,
            "email_verified_at": user.email_verified_at,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
            "anonymised_at": user.anonymised_at,
        },
        "preferences": {"language": user.language},
        "sessions": [
            {"id": row.id, "started_at": row.created_at}
            for row in db.session.scalars(
                sa.select(UserSession)
                .where(UserSession.user_id == user.id)
                .order_by(UserSession.id)
            )
        ],
        "api_tokens": [
            {
                "id": t.id,
                "name": t.name,
                "starts_with": t.prefix,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
                "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
            }
            for t in db.session.scalars(
                sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
            )
        ],
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.legal_name,
                "enterprise_number": m.organisation.enterprise_number,
                "status": m.status,
                # a member administrator approves others' requests to join
                "is_admin": m.is_admin,
                "requested_at": m.requested_at,
                "decided_at": m.decided_at,
            }
            for m in db.session.scalars(
                sa.select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
            )
        ],
        # documents uploaded to show one may act for an organisation (a mandate, statutes):
        # in the archive under ``file``; ``sha256`` proves it is the very file kept
        "organisation_evidence": [
            {
                "organisation_id": e.organisation_id,
                "organisation": e.organisation.legal_name,
                "filename": e.filename,
                "uploaded_at": e.uploaded_at,
                "size": e.size,
                "sha256": e.sha256,
                "file": _evidence_path(e),
            }
            for e in db.session.scalars(
                sa.select(OrganisationEvidence)
                .where(OrganisationEvidence.uploaded_by_id == user.id)
                .order_by(OrganisationEvidence.id)
            )
        ],
        "proposals": _proposals(user),
        "evaluation": _evaluation(user),
        # enrolment files uploaded for funded projects (the learners in them are pseudonymous)
        "enrolment_imports": [
            {
                "project": row.project.reference,
                "filename": row.filename,
                "uploaded_at": row.created_at,
                "status": row.status,
                "rows": row.rows_total,
            }
            for row in db.session.scalars(
                sa.select(EnrolmentImport)
                .where(EnrolmentImport.created_by_id == user.id)
                .order_by(EnrolmentImport.id)
            )
        ],
        "audit_records": [
            _audit(record)
            for record in db.session.scalars(
                sa.select(AuditRecord)
                .where(
                    sa.or_(
                        AuditRecord.actor_id == user.id,
                        sa.and_(
                            AuditRecord.entity_type == User.__tablename__,
                            AuditRecord.entity_id == user.id,
                        ),
                    )
                )
                .order_by(AuditRecord.id)
            )
        ],
    }


def _proposals(user: User) -> list[dict[str, Any]]:
    """Proposals the person created, edited or submitted, as the audit trail and the
    proposals' own fields show, each with the person's actions on it."""
    actions: dict[int, list[dict[str, Any]]] = {}
    for record in db.session.scalars(
        sa.select(AuditRecord)
        .where(AuditRecord.actor_id == user.id, AuditRecord.entity_type == Proposal.__tablename__)
        .order_by(AuditRecord.id)
    ):
        if record.entity_id is not None:  # a proposal's record always names it
            actions.setdefault(record.entity_id, []).append(
                {"at": record.at, "action": record.action}
            )
    ids = set(actions) | set(
        db.session.scalars(
            sa.select(Proposal.id).where(
                sa.or_(Proposal.created_by_id == user.id, Proposal.updated_by_id == user.id)
            )
        )
    )
    ids |= set(
        db.session.scalars(
            sa.select(ProposalVersion.proposal_id).where(ProposalVersion.submitted_by_id == user.id)
        )
    )
    out = []
    for proposal in db.session.scalars(
        sa.select(Proposal).where(Proposal.id.in_(ids)).order_by(Proposal.id)
    ):
        out.append(
            {
                "id": proposal.id,
                "reference": proposal.reference,
                "title": proposal.title,
                "organisation": proposal.organisation.legal_name,
                "call": proposal.call.code,
                "status": proposal.status,
                "created_by_you": proposal.created_by_id == user.id,
                "versions_you_submitted": [
                    {
                        "number": v.number,
                        "submitted_at": v.submitted_at,
                        "fingerprint": v.fingerprint,
                    }
                    for v in db.session.scalars(
                        sa.select(ProposalVersion)
                        .where(
                            ProposalVersion.proposal_id == proposal.id,
                            ProposalVersion.submitted_by_id == user.id,
                        )
                        .order_by(ProposalVersion.number)
                    )
                ],
                "your_actions": actions.get(proposal.id, []),
            }
        )
    return out


def _evaluation(user: User) -> dict[str, Any]:
    profile = db.session.get(EvaluatorProfile, user.id)
    assignments = list(
        db.session.scalars(
            sa.select(Assignment).where(Assignment.evaluator_id == user.id).order_by(Assignment.id)
        )
    )
    reviews = {
        review.assignment_id: review
        for review in db.session.scalars(
            sa.select(Review).where(Review.assignment_id.in_([a.id for a in assignments]))
        )
    }
    return {
        "expertise": profile.expertise if profile else [],
        "affiliations": [
            {
                "organisation": a.organisation_name,
                "enterprise_number": a.enterprise_number,
                "relation": a.relation,
            }
            for a in db.session.scalars(
                sa.select(Affiliation)
                .where(Affiliation.user_id == user.id)
                .order_by(Affiliation.id)
            )
        ],
        "assignments": [
            {
                "proposal": a.proposal.reference,
                "status": a.status,
                "assigned_at": a.assigned_at,
                "declared_at": a.declared_at,
                "conflict_reason": a.conflict_reason,
                "review": _review(reviews.get(a.id)),
            }
            for a in assignments
        ],
    }


def _review(review: Review | None) -> dict[str, Any] | None:
    if review is None:
        return None
    return {
        "status": review.status,
        "overall_comment": review.overall_comment,
        "submitted_at": review.submitted_at,
        "scores": [
            {
                "criterion": score.criterion.name_en,
                "score": score.score,
                "justification": score.justification,
            }
            for score in sorted(review.scores, key=lambda s: s.criterion_id)
        ],
    }


def _audit(record: AuditRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "at": record.at,
        "action": record.action,
        "entity": record.entity_type,
        "entity_id": record.entity_id,
        "before": record.before,
        "after": record.after,
        "reason": record.reason,
        "address": record.address,
    }


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON: {type(value).__name__}")


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, default=_default, ensure_ascii=False, indent=2)


def _evidence_path(evidence: OrganisationEvidence) -> str:
    return f"evidence/{evidence.id}-{files.safe_pdf_filename(evidence.filename)}"


def to_archive(data: dict[str, Any]) -> bytes:
    """One ZIP archive: ``personal-data.json`` and every document the person uploaded, at the
    path its entry names. A document no longer on disk is marked ``"missing": true``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for entry in data.get("organisation_evidence", []):
            path = files.path_for(entry["sha256"])
            if path.is_file():
                archive.write(path, entry["file"])
            else:
                entry["missing"] = True
        archive.writestr(ARCHIVE_DATA, to_json(data) + "\n")
    return buffer.getvalue()


def anonymise(actor: User | None, user_id: int) -> User:
    """Anonymise an account (administrators; ``actor`` None is the command line), and the
    organisation contact details that were this person's, in one transaction."""
    with transaction():
        old_email = _user(user_id).email
        user = auth.anonymise_account(actor, user_id)
        organisations.anonymise_contact(actor, user, old_email)
    return user
