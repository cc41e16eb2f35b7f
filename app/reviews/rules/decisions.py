"""Step 8: publishing the decision: a preview of what is published and who is emailed, the
confirmation (and, when the call wants it, a second official's approval), the frozen decision
record, the applicants' notices and the start of the objection window."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls.models import Call, CallPhase
from app.core import signals
from app.core.db import db, transaction
from app.core.email import enqueue, render_email
from app.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from app.core.permissions import require
from app.core.time import BRUSSELS, utcnow
from app.organisations.models import Membership, MembershipStatus
from app.organisations.services import active_members
from app.proposals.models import Proposal
from app.reviews import clock, permissions, ranking_policy
from app.reviews.facts import criteria_of, settings_of
from app.reviews.models import (
    ConsensusScore,
    Criterion,
    DecisionRecord,
    Outcome,
    PublicationRequest,
    PublicationStatus,
)
from app.reviews.objection_models import Objection
from app.reviews.rules.consensus import ReviewQuorum, review_quorums
from app.reviews.rules.ranking import (
    TIE_BREAK,
    TIE_BREAK_CODE,
    WEIGHTED_TOTAL,
    Ranking,
    RankingRow,
    ranking,
)

# ---------------------------------------------------------------------------- publication


def decision_data(
    call: Call, rows: Sequence[RankingRow], quorums: Mapping[int, "ReviewQuorum"] | None = None
) -> dict[str, Any]:
    """The frozen basis of the decision: criteria, consensus per proposal, the ranking,
    and per proposal the reviews submitted and required (with the reason for fewer)."""
    criteria = criteria_of(call.id)
    if quorums is None:
        quorums = review_quorums(call.id)
    settings = settings_of(call)
    consensus: dict[int, dict[int, ConsensusScore]] = defaultdict(dict)
    for item in db.session.scalars(
        sa.select(ConsensusScore)
        .join(Proposal, Proposal.id == ConsensusScore.proposal_id)
        .where(Proposal.call_id == call.id)
    ):
        consensus[item.proposal_id][item.criterion_id] = item
    return {
        "call": call.code,
        "budget_eur": f"{call.budget_eur:.2f}",
        "total_threshold": str(settings.total_threshold),
        "tie_break": TIE_BREAK_CODE,
        "tie_break_text": _both_languages(TIE_BREAK),
        "criteria": [
            {
                "id": c.id,
                "name_nl": c.name_nl,
                "name_en": c.name_en,
                "weight": str(c.weight),
                "scale_max": str(c.scale_max),
                "threshold": None if c.threshold is None else str(c.threshold),
            }
            for c in criteria
        ],
        "rows": [
            {
                "proposal_id": r.proposal.id,
                "reference": r.proposal.reference,
                "title": r.proposal.title,
                "organisation": r.proposal.organisation.legal_name,
                "enterprise_number": r.proposal.organisation.enterprise_number,
                "rank": r.rank,
                "score": None if r.score is None else str(r.score),
                "requested_eur": f"{r.requested:.2f}",
                "cumulative_eur": None if r.cumulative is None else f"{r.cumulative:.2f}",
                "computed": r.computed.value if r.computed else None,
                "outcome": r.outcome.value if r.outcome else None,
                "override_reason": r.override.reason if r.override else None,
                "failed_thresholds": _failed_codes(r, criteria),
                **_quorum_fields(quorums.get(r.proposal.id)),
                "consensus": [
                    {
                        "criterion_id": c.id,
                        "score": str(consensus[r.proposal.id][c.id].score),
                        "justification": consensus[r.proposal.id][c.id].justification,
                        "minority_view": consensus[r.proposal.id][c.id].minority_view,
                    }
                    for c in criteria
                    if c.id in consensus[r.proposal.id]
                ],
            }
            for r in rows
        ],
    }


def _both_languages(text: object) -> dict[str, str]:
    result = {}
    for language in ("nl", "en"):
        with force_locale(language):
            result[language] = str(text)
    return result


def _failed_codes(row: "RankingRow", criteria: Sequence[Criterion]) -> list[dict[str, Any]]:
    """The thresholds a row missed, frozen as codes with both languages' names (the
    ranking names them in the language of the request that computed it)."""
    names = {str(name) for name in row.failed}
    failed = [
        {"code": f"criterion:{c.id}", "nl": c.name_nl, "en": c.name_en}
        for c in criteria
        if c.name in names
    ]
    if str(WEIGHTED_TOTAL) in names:
        failed.append({"code": "total", **_both_languages(WEIGHTED_TOTAL)})
    return failed


def _quorum_fields(quorum: "ReviewQuorum | None") -> dict[str, Any]:
    if quorum is None:
        return {"reviews_submitted": None, "reviews_required": None, "review_override_reason": None}
    return {
        "reviews_submitted": quorum.submitted,
        "reviews_required": quorum.required,
        "review_override_reason": quorum.override_reason,
    }


def _publishable(call_id: int, reason: str) -> tuple[Call, Ranking, dict[int, Any], int]:
    """The rules every publication obeys: a complete consensus, the review quorum met (or
    a written reason), and a reason when a decision was published before."""
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    rows = ranking(call_id)
    if not rows or any(r.outcome is None for r in rows):
        raise DomainError(
            _(
                "Every admissible proposal needs a complete consensus before "
                "the decision can be published."
            )
        )
    quorums = review_quorums(call_id)
    short = [r.proposal.reference for r in rows if not quorums[r.proposal.id].satisfied]
    if short:
        raise DomainError(
            _(
                "These proposals have fewer submitted reviews than required "
                "and no written reason to decide on fewer: %(references)s.",
                references=", ".join(short),
            )
        )
    previous = (
        db.session.scalar(
            sa.select(sa.func.max(DecisionRecord.number)).where(DecisionRecord.call_id == call_id)
        )
        or 0
    )
    if previous and not reason.strip():
        raise ValidationFailed({"reason": _("Say why the decision is published again.")})
    return call, rows, quorums, previous


def _same_as_seen(call: Call, rows: Ranking, quorums: dict[int, Any], expected: str | None) -> None:
    if expected is not None and expected != ranking_policy.fingerprint(
        decision_data(call, rows, quorums)
    ):
        raise DomainError(
            _(
                "The ranking changed since the preview was shown. Nothing was published: "
                "look at the new preview and confirm again."
            )
        )


def publish_decision(
    actor: User,
    call_id: int,
    reason: str = "",
    today: date | None = None,
    *,
    expected: str | None = None,
    approval: PublicationRequest | None = None,
) -> DecisionRecord:
    """Freeze the ranking as a decision record, notify every applicant, start the clock.

    ``expected`` is the fingerprint of the ranking the official confirmed in the preview.
    A call that wants a second official's approval publishes only through an approved
    request (``approve_publication``), decision n+1 after an upheld objection included."""
    require(permissions.can_manage(actor))
    with transaction():
        call, rows, quorums, previous = _publishable(call_id, reason)
        settings = settings_of(call)
        if settings.second_approval and approval is None:
            raise DomainError(
                _(
                    "This call needs a second official's approval: request the "
                    "publication, and another official approves it."
                )
            )
        _same_as_seen(call, rows, quorums, expected)
        data = decision_data(call, rows, quorums)
        if approval is not None:
            data["approval"] = {
                "requested_by_id": approval.requested_by_id,
                "requested_at": approval.requested_at.isoformat(),
                "approved_by_id": actor.id,
            }
        notified_on = today or utcnow().astimezone(BRUSSELS).date()
        data["decision_clock"] = clock.record_fields(call, notified_on)
        record = DecisionRecord(
            call_id=call.id,
            number=previous + 1,
            published_at=utcnow(),
            published_by_id=actor.id,
            reason=reason.strip(),
            data=data,
            fingerprint=ranking_policy.fingerprint(data),
            notified_on=notified_on,
            objection_until=notified_on + timedelta(days=settings.objection_days),
        )
        db.session.add(record)
        call.phase = CallPhase.decided
        db.session.flush()
        audit.record(
            actor,
            "call.decision_published",
            record,
            after={
                "call": call.code,
                "number": record.number,
                "fingerprint": record.fingerprint,
                "objection_until": record.objection_until.isoformat(),
            },
            reason=reason.strip() or None,
        )
        signals.decision_published.send(actor, record=record)
        for row in rows:
            for member in active_members(row.proposal.organisation_id):
                enqueue(
                    dedupe_key=f"decision:{record.id}:{row.proposal.id}:{member.id}",
                    **_decision_letter(row, member, record),
                )
    return record


def _decision_letter(row: RankingRow, member: User, record: Any) -> dict[str, Any]:
    return {
        "kind": "decision_published",
        "to": member.email,
        "language": member.language,
        "subject": _l("Decision on your proposal %(reference)s", reference=row.proposal.reference),
        "template": "reviews/email/decision.txt",
        "member": member,
        "proposal": row.proposal,
        "outcome": row.outcome,
        "record": record,
    }


# ---------------------------------------------------------------------------- preview


@dataclass
class PublicationPreview:
    """What publishing would do: the outcomes and the funded total, who is emailed (one
    letter shown as its recipient reads it) and the fingerprint the official confirms."""

    counts: dict[str, int]  # outcome value -> proposals
    funded_total: Decimal
    recipients: int
    letter: dict[str, Any] | None  # {"to", "language", "subject", "body"}
    fingerprint: str
    republish: bool
    second_approval: bool
    objection_until: date
    pending: PublicationRequest | None = None


def pending_request(call_id: int) -> PublicationRequest | None:
    return db.session.scalar(
        sa.select(PublicationRequest)
        .where(
            PublicationRequest.call_id == call_id,
            PublicationRequest.status == PublicationStatus.pending,
        )
        .order_by(PublicationRequest.id.desc())
        .limit(1)
    )


def publication_preview(actor: User, call_id: int, today: date | None = None) -> PublicationPreview:
    """Refuses (DomainError) what publishing would refuse, except the reason to publish
    again, which the confirmation asks for."""
    require(permissions.can_manage(actor))
    call, rows, quorums, previous = _publishable(call_id, "-")
    settings = settings_of(call)
    members = dict(
        db.session.execute(
            sa.select(Membership.organisation_id, sa.func.count(User.id))
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.organisation_id.in_({r.proposal.organisation_id for r in rows}),
                Membership.status == MembershipStatus.active,
                User.active.is_(True),
            )
            .group_by(Membership.organisation_id)
        )
        .tuples()
        .all()
    )
    counts = {outcome.value: 0 for outcome in Outcome}
    for row in rows:
        assert row.outcome is not None  # a publishable ranking is complete
        counts[row.outcome.value] += 1
    notified_on = today or utcnow().astimezone(BRUSSELS).date()
    objection_until = notified_on + timedelta(days=settings.objection_days)
    letter = None
    sample = next((r for r in rows if members.get(r.proposal.organisation_id)), None)
    if sample is not None:
        member = active_members(sample.proposal.organisation_id)[0]
        record = SimpleNamespace(notified_on=notified_on, objection_until=objection_until)
        fields = _decision_letter(sample, member, record)
        subject, body = render_email(
            fields.pop("subject"),
            fields.pop("template"),
            member.language,
            **{k: v for k, v in fields.items() if k not in ("kind", "to", "language")},
        )
        letter = {"to": member.email, "language": member.language, "subject": subject, "body": body}
    return PublicationPreview(
        counts={k: v for k, v in counts.items() if v},
        funded_total=sum((r.requested for r in rows if r.outcome is Outcome.funded), Decimal("0")),
        recipients=sum(members.get(r.proposal.organisation_id, 0) for r in rows),
        letter=letter,
        fingerprint=ranking_policy.fingerprint(decision_data(call, rows, quorums)),
        republish=bool(previous),
        second_approval=settings.second_approval,
        objection_until=objection_until,
        pending=pending_request(call_id),
    )


# ---------------------------------------------------------------------------- approval


def ranking_fingerprint(call_id: int) -> str:
    """The fingerprint of the decision that publishing now would freeze; refuses
    (DomainError) what publishing would refuse."""
    call, rows, quorums, _previous = _publishable(call_id, "-")
    return ranking_policy.fingerprint(decision_data(call, rows, quorums))


def request_publication(
    actor: User,
    call_id: int,
    expected: str,
    reason: str = "",
    *,
    objection: Objection | None = None,
) -> PublicationRequest:
    """The first official's half of a publication that needs a second official;
    ``objection``: the upheld objection that decision n+1 answers."""
    require(permissions.can_manage(actor))
    with transaction():
        call = db.session.get(Call, call_id, with_for_update=True)
        if call is None:
            raise NotFound()
        if not settings_of(call).second_approval:
            raise DomainError(_("This call publishes without a second official's approval."))
        if pending_request(call_id) is not None:
            raise DomainError(_("A publication is already waiting for approval."))
        call, rows, quorums, _previous = _publishable(call_id, reason)
        _same_as_seen(call, rows, quorums, expected)
        request = PublicationRequest(
            call_id=call.id,
            requested_by_id=actor.id,
            requested_at=utcnow(),
            reason=reason.strip(),
            fingerprint=expected,
            objection_id=objection.id if objection else None,
        )
        db.session.add(request)
        db.session.flush()
        audit.record(
            actor,
            "call.publication_requested",
            call,
            after={
                "request": request.id,
                "fingerprint": expected,
                **({"objection_id": objection.id} if objection else {}),
            },
            reason=reason.strip() or None,
        )
    return request


def publication_request(
    call_id: int, request_id: int, *, for_update: bool = False
) -> PublicationRequest:
    request = db.session.get(PublicationRequest, request_id, with_for_update=for_update)
    if request is None or request.call_id != call_id:
        raise NotFound()
    return request


def _pending(call_id: int, request_id: int) -> PublicationRequest:
    request = publication_request(call_id, request_id, for_update=True)
    if request.status is not PublicationStatus.pending:
        raise DomainError(_("This request was already approved or withdrawn."))
    return request


def approve_publication(
    actor: User, call_id: int, request_id: int, today: date | None = None
) -> DecisionRecord:
    """A different official approves: the decision is published as requested, provided the
    ranking is still the one the requester saw."""
    require(permissions.can_manage(actor))
    with transaction():
        db.session.get(Call, call_id, with_for_update=True)
        request = _pending(call_id, request_id)
        if request.requested_by_id == actor.id:
            raise PermissionDenied(
                _("The official who requested the publication cannot approve it.")
            )
        record = publish_decision(
            actor, call_id, request.reason, today, expected=request.fingerprint, approval=request
        )
        request.status = PublicationStatus.approved
        request.decided_by_id = actor.id
        request.decided_at = utcnow()
        request.record_id = record.id
        audit.record(
            actor,
            "call.publication_approved",
            record.call,
            before={"request": request.id, "requested_by_id": request.requested_by_id},
            after={"request": request.id, "decision": record.number},
        )
        if request.objection_id is not None:
            objection = db.session.get(Objection, request.objection_id)
            assert objection is not None  # a foreign key
            objection_decided(actor, objection, record)
    return record


def objection_decided(actor: User, objection: Objection, record: DecisionRecord) -> None:
    """Decision ``record`` was published because ``objection`` was upheld (inside the
    publishing transaction)."""
    objection.new_decision_number = record.number
    audit.record(
        actor,
        "proposal.objection_decision_published",
        objection.proposal,
        after={"objection_id": objection.id, "decision": record.number},
    )


def withdraw_publication(actor: User, call_id: int, request_id: int) -> PublicationRequest:
    """The requester takes the request back, or another official declines it."""
    require(permissions.can_manage(actor))
    with transaction():
        request = _pending(call_id, request_id)
        request.status = PublicationStatus.withdrawn
        request.decided_by_id = actor.id
        request.decided_at = utcnow()
        audit.record(
            actor,
            "call.publication_withdrawn",
            db.session.get(Call, call_id),
            before={"request": request.id, "requested_by_id": request.requested_by_id},
        )
    return request
