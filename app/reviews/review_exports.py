"""Review detail for the ranking exports (officials only): the consensus score per
criterion beside each row, and the individual scores and justifications with the
evaluators anonymised as "Evaluator 1..n" per proposal (in the order they were assigned)."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.core.db import db
from app.proposals.models import Proposal
from app.reviews.models import (
    Assignment,
    AssignmentStatus,
    ConsensusScore,
    Criterion,
    Review,
    ReviewStatus,
)


def consensus_headers(criteria: Sequence[Criterion]) -> list[str]:
    return [f"consensus_criterion_{c.position}" for c in criteria]


def consensus_by_proposal(call_id: int) -> dict[int, dict[int, Decimal]]:
    """proposal id -> criterion id -> consensus score (one query)."""
    result: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for item in db.session.scalars(
        sa.select(ConsensusScore)
        .join(Proposal, Proposal.id == ConsensusScore.proposal_id)
        .where(Proposal.call_id == call_id)
    ):
        result[item.proposal_id][item.criterion_id] = Decimal(item.score)
    return result


def consensus_values(
    proposal_id: int, criteria: Sequence[Criterion], consensus: dict[int, dict[int, Decimal]]
) -> list[Decimal | None]:
    mine = consensus.get(proposal_id, {})
    return [mine.get(c.id) for c in criteria]


def individual_rows(
    call_id: int, proposal_ids: Sequence[int], criteria: Sequence[Criterion]
) -> list[list]:
    """[reference, "Evaluator n", criterion, score, justification] for every submitted
    review, proposals in ``proposal_ids`` order (two queries)."""
    by_proposal: dict[int, list[Review]] = defaultdict(list)
    references: dict[int, str] = {}
    for assignment in db.session.scalars(
        sa.select(Assignment)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call_id, Assignment.status == AssignmentStatus.accepted)
        .options(
            selectinload(Assignment.review).selectinload(Review.scores),
            selectinload(Assignment.proposal),
        )
        .order_by(Assignment.id)
    ):
        if assignment.review is not None and assignment.review.status is ReviewStatus.submitted:
            by_proposal[assignment.proposal_id].append(assignment.review)
            references[assignment.proposal_id] = assignment.proposal.reference
    rows = []
    for proposal_id in proposal_ids:
        for number, review in enumerate(by_proposal.get(proposal_id, []), start=1):
            scores = {s.criterion_id: s for s in review.scores}
            label = _("Evaluator %(number)d", number=number)
            for criterion in criteria:
                score = scores.get(criterion.id)
                rows.append(
                    [
                        references[proposal_id],
                        label,
                        criterion.name,
                        None if score is None or score.score is None else Decimal(score.score),
                        score.justification if score else "",
                    ]
                )
    return rows


def individual_headers() -> list[str]:
    return [_("Reference"), _("Evaluator"), _("Criterion"), _("Score"), _("Justification")]
