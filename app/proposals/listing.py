"""The proposals list: what the actor may see, filtered, sorted and paginated in SQL, with
each row's number of versions and the organisation's deadline (an individual extension
included) from the same query, so the page costs the same at 5 or 5,000 proposals."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.calls.models import Call, DeadlineExtension
from app.core.db import db
from app.core.pagination import Page, choice
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion

SORTS = {
    "updated": (Proposal.updated_at.desc(), Proposal.id.desc()),
    "reference": (Proposal.reference,),
    "deadline": (sa.func.coalesce(DeadlineExtension.deadline, Call.deadline), Proposal.reference),
}
STATUSES = [s.value for s in ProposalStatus]


@dataclass(frozen=True)
class Row:
    proposal: Proposal
    versions: int
    deadline: datetime
    extended: bool


@dataclass(frozen=True)
class Filters:
    call: str
    status: str
    q: str
    sort: str

    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out)."""
        return {
            k: v
            for k, v in (
                ("call", self.call),
                ("status", self.status),
                ("q", self.q),
                ("sort", self.sort),
            )
            if v and not (k == "sort" and v == "updated")
        }


def filters_from(args: Mapping[str, str]) -> Filters:
    return Filters(
        call=(args.get("call") or "").strip().upper()[:40],
        status=choice(args, "status", STATUSES, ""),
        q=" ".join((args.get("q") or "").split())[:100],
        sort=choice(args, "sort", list(SORTS), "updated"),
    )


def proposal_page(
    actor: User, args: Mapping[str, str], per_page: int | None = None
) -> tuple[Page, Filters]:
    """One page of the proposals ``actor`` may see: their organisations' for applicants,
    all for officials (two queries: the count and the page)."""
    filters = filters_from(args)
    versions = (
        sa.select(sa.func.count(ProposalVersion.id))
        .where(ProposalVersion.proposal_id == Proposal.id)
        .correlate(Proposal)
        .scalar_subquery()
    )
    query = (
        sa.select(Proposal, versions, DeadlineExtension.deadline, Call.deadline)
        .join(Call, Call.id == Proposal.call_id)
        .outerjoin(
            DeadlineExtension,
            sa.and_(
                DeadlineExtension.call_id == Proposal.call_id,
                DeadlineExtension.organisation_id == Proposal.organisation_id,
            ),
        )
    )
    conditions: list[sa.ColumnElement[bool]] = []
    if not actor.is_official:
        conditions.append(Proposal.organisation_id.in_(actor.organisation_ids or {-1}))
    if filters.call:
        conditions.append(Call.code == filters.call)
    if filters.status:
        conditions.append(Proposal.status == ProposalStatus(filters.status))
    if filters.q:
        pattern = (
            "%"
            + filters.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        conditions.append(
            sa.or_(
                sa.func.lower(Proposal.reference).like(pattern, escape="\\"),
                sa.func.lower(Proposal.title).like(pattern, escape="\\"),
                sa.func.lower(Proposal.acronym).like(pattern, escape="\\"),
            )
        )
    total = (
        db.session.scalar(
            sa.select(sa.func.count(Proposal.id))
            .join(Call, Call.id == Proposal.call_id)
            .where(*conditions)
        )
        or 0
    )
    page = Page.of(args, total, per_page)
    result = db.session.execute(
        query.where(*conditions)
        .order_by(*SORTS[filters.sort])
        .limit(page.per_page)
        .offset(page.offset)
    )
    page.items = [
        Row(
            proposal=proposal,
            versions=count or 0,
            deadline=extended or deadline,
            extended=extended is not None,
        )
        for proposal, count, extended, deadline in result
    ]
    return page, filters


def calls_with_proposals(actor: User) -> list[tuple[str, str]]:
    """(code, title) of the calls in which the actor sees proposals, for the call filter."""
    query = sa.select(Call.code, Call.title).order_by(Call.deadline.desc())
    if not actor.is_official:
        query = query.where(
            sa.exists().where(
                Proposal.call_id == Call.id,
                Proposal.organisation_id.in_(actor.organisation_ids or {-1}),
            )
        )
    return [tuple(row) for row in db.session.execute(query)]
