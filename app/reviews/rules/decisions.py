"""Step 8: publishing the decision: the frozen decision record, the applicants' notices and
the start of the objection window."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
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
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import BRUSSELS, utcnow
from app.organisations.services import active_members
from app.proposals.models import Proposal
from app.reviews import clock, permissions, ranking_policy
from app.reviews.facts import criteria_of, settings_of
from app.reviews.models import ConsensusScore, Criterion, DecisionRecord
from app.reviews.rules.consensus import ReviewQuorum, review_quorums
from app.reviews.rules.ranking import TIE_BREAK, TIE_BREAK_CODE, WEIGHTED_TOTAL, RankingRow, ranking

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


def publish_decision(
    actor: User, call_id: int, reason: str = "", today: date | None = None
) -> DecisionRecord:
    """Freeze the ranking as a decision record, notify every applicant, start the clock."""
    require(permissions.can_manage(actor))
    with transaction():
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
                sa.select(sa.func.max(DecisionRecord.number)).where(
                    DecisionRecord.call_id == call_id
                )
            )
            or 0
        )
        if previous and not reason.strip():
            raise ValidationFailed({"reason": _("Say why the decision is published again.")})
        settings = settings_of(call)
        data = decision_data(call, rows, quorums)
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
                    "decision_published",
                    to=member.email,
                    language=member.language,
                    dedupe_key=f"decision:{record.id}:{row.proposal.id}:{member.id}",
                    subject=_l(
                        "Decision on your proposal %(reference)s", reference=row.proposal.reference
                    ),
                    template="reviews/email/decision.txt",
                    member=member,
                    proposal=row.proposal,
                    outcome=row.outcome,
                    record=record,
                )
    return record
