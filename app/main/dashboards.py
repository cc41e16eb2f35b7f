"""What each role sees first on the home page after logging in: the applicant's proposals
with their deadline and outcome, the evaluator's open work, the official's pipeline per
call, the administrator's accounts. Every figure is counted in SQL (GROUP BY), so a
dashboard costs the same few queries at any size."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.auth.models import User, UserRole
from app.calls.models import Call
from app.core.db import db
from app.core.pagination import Page
from app.proposals import listing
from app.proposals.models import Proposal, ProposalStatus
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    DecisionRecord,
    Outcome,
    Review,
    ReviewStatus,
)
from app.reviews.objection_models import Objection

RECENT = 10


# ------------------------------------------------------------------ applicant


def applicant(user: User) -> dict[str, Any]:
    """The newest proposals of the user's organisations, with each organisation's own
    deadline and the outcome of the newest published decision that includes it."""
    page, _filters = listing.proposal_page(user, {}, per_page=RECENT)
    outcomes = _outcomes([row.proposal for row in page.items])
    return {"page": page, "outcomes": outcomes}


def _outcomes(proposals: list[Proposal]) -> dict[int, Outcome]:
    """proposal id -> outcome, from the newest decision record of each call shown (one
    query, whatever the number of rows): the record's rows are read in SQL, never loaded."""
    wanted = {p.id for p in proposals}
    if not wanted:
        return {}
    rows = _decided_rows({p.call_id for p in proposals})
    return {
        pid: Outcome(outcome)
        for pid, outcome in db.session.execute(
            sa.select(rows.c.proposal_id, rows.c.outcome).where(rows.c.proposal_id.in_(wanted))
        )
    }


def _decided_rows(call_ids: set[int] | list[int]) -> sa.Subquery:
    """(call_id, proposal_id, outcome) of every row with an outcome in the newest decision
    record of each call, unnested from the record's JSON by the database: ``json_each`` on
    SQLite, ``jsonb_array_elements`` on PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        statement = """
SELECT dr.call_id AS call_id, (e.value ->> 'proposal_id')::integer AS proposal_id,
       e.value ->> 'outcome' AS outcome
FROM decision_records dr
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(dr.data::jsonb -> 'rows')
  = 'array' THEN dr.data::jsonb -> 'rows' ELSE '[]'::jsonb END) AS e(value)
WHERE dr.call_id IN :calls
  AND dr.number = (SELECT MAX(d.number) FROM decision_records d WHERE d.call_id = dr.call_id)
  AND COALESCE(e.value ->> 'outcome', '') <> ''
"""
    else:
        statement = """
SELECT dr.call_id AS call_id, json_extract(e.value, '$.proposal_id') AS proposal_id,
       json_extract(e.value, '$.outcome') AS outcome
FROM decision_records dr JOIN json_each(dr.data, '$.rows') AS e ON json_valid(dr.data)
WHERE dr.call_id IN :calls
  AND dr.number = (SELECT MAX(d.number) FROM decision_records d WHERE d.call_id = dr.call_id)
  AND COALESCE(json_extract(e.value, '$.outcome'), '') <> ''
"""
    return (
        sa.text(statement)
        .bindparams(sa.bindparam("calls", list(call_ids), expanding=True))
        .columns(
            sa.column("call_id", sa.Integer),
            sa.column("proposal_id", sa.Integer),
            sa.column("outcome", sa.String),
        )
        .subquery()
    )


# ------------------------------------------------------------------ evaluator


@dataclass
class EvaluatorWork:
    to_declare: int = 0
    to_score: int = 0
    submitted: int = 0


def evaluator(user: User) -> EvaluatorWork:
    """Open work first: declarations to make, reviews to write; then what is done."""
    work = EvaluatorWork()
    rows = db.session.execute(
        sa.select(Assignment.status, Review.status, sa.func.count(Assignment.id))
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Assignment.evaluator_id == user.id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .group_by(Assignment.status, Review.status)
    )
    for assignment_status, review_status, count in rows:
        if assignment_status is AssignmentStatus.awaiting_declaration:
            work.to_declare += count
        elif review_status is ReviewStatus.submitted:
            work.submitted += count
        else:
            work.to_score += count
    return work


# ------------------------------------------------------------------ official


@dataclass
class CallPipeline:
    call: Call
    drafts: int = 0
    submitted: int = 0
    withdrawn: int = 0
    admissible: int = 0
    inadmissible: int = 0
    reviews_submitted: int = 0
    reviews_open: int = 0
    decisions: int = 0
    objections_open: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def admissibility_open(self) -> int:
        return max(0, self.submitted - self.admissible - self.inadmissible)


def official(args: Mapping[str, str]) -> Page:
    """One page of calls (newest deadline first), each with its pipeline: six GROUP BY
    queries for the page, whatever the number of proposals."""
    total = db.session.scalar(sa.select(sa.func.count(Call.id))) or 0
    page = Page.of(args, total, per_page=RECENT)
    calls = list(
        db.session.scalars(
            sa.select(Call)
            .order_by(Call.deadline.desc(), Call.id)
            .limit(page.per_page)
            .offset(page.offset)
        )
    )
    lines = {call.id: CallPipeline(call) for call in calls}
    if not lines:
        return page
    ids = list(lines)
    for call_id, status, count in db.session.execute(
        sa.select(Proposal.call_id, Proposal.status, sa.func.count(Proposal.id))
        .where(Proposal.call_id.in_(ids))
        .group_by(Proposal.call_id, Proposal.status)
    ):
        setattr(
            lines[call_id],
            {
                ProposalStatus.draft: "drafts",
                ProposalStatus.submitted: "submitted",
                ProposalStatus.withdrawn: "withdrawn",
            }[status],
            count,
        )
    for call_id, result, count in db.session.execute(
        sa.select(Proposal.call_id, AdmissibilityCheck.result, sa.func.count(AdmissibilityCheck.id))
        .join(Proposal, Proposal.id == AdmissibilityCheck.proposal_id)
        .where(Proposal.call_id.in_(ids), Proposal.status == ProposalStatus.submitted)
        .group_by(Proposal.call_id, AdmissibilityCheck.result)
    ):
        if result is Admissibility.admissible:
            lines[call_id].admissible = count
        else:
            lines[call_id].inadmissible += count
    for call_id, review_status, count in db.session.execute(
        sa.select(Proposal.call_id, Review.status, sa.func.count(Assignment.id))
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .where(Proposal.call_id.in_(ids), Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .group_by(Proposal.call_id, Review.status)
    ):
        if review_status is ReviewStatus.submitted:
            lines[call_id].reviews_submitted = count
        else:
            lines[call_id].reviews_open += count
    for call_id, count in db.session.execute(
        sa.select(DecisionRecord.call_id, sa.func.count(DecisionRecord.id))
        .where(DecisionRecord.call_id.in_(ids))
        .group_by(DecisionRecord.call_id)
    ):
        lines[call_id].decisions = count
    rows = _decided_rows(ids)
    for call_id, outcome, count in db.session.execute(
        sa.select(rows.c.call_id, rows.c.outcome, sa.func.count()).group_by(
            rows.c.call_id, rows.c.outcome
        )
    ):
        lines[call_id].outcomes[outcome] = count
    for call_id, count in db.session.execute(
        sa.select(Proposal.call_id, sa.func.count(Objection.id))
        .join(Proposal, Proposal.id == Objection.proposal_id)
        .where(Proposal.call_id.in_(ids), Objection.answered_at.is_(None))
        .group_by(Proposal.call_id)
    ):
        lines[call_id].objections_open = count
    page.items = [lines[call.id] for call in calls]
    return page


# ------------------------------------------------------------------ admin


def admin() -> dict[str, Any]:
    """Accounts per role, and how many are deactivated (two queries)."""
    per_role = dict(
        db.session.execute(
            sa.select(UserRole.role, sa.func.count(UserRole.user_id))
            .join(User, User.id == UserRole.user_id)
            .where(User.active.is_(True))
            .group_by(UserRole.role)
        )
        .tuples()
        .all()
    )
    inactive = (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.active.is_(False))) or 0
    )
    return {"per_role": per_role, "inactive": inactive}
