"""The proposals of a call as they stood at a moment, as rows for pages, exports and the API.

As-of semantics (DESIGN.md rule 8). At moment T a proposal of the call is
- *withdrawn* if it was withdrawn at or before T;
- *submitted* if it has a version submitted at or before T and was not withdrawn by then;
  its figures (technologies, project type, budget, ...) are those of the LAST version
  submitted at or before T, so a resubmitted proposal counts once, as it then stood;
- a *draft* if it existed at T with no version yet.

The rows are loaded in three selects (``load_rows``), only where a page lists them.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.calls.models import ALL_TECHNOLOGIES, Call
from app.core.db import db
from app.core.pagination import Page, choice, page_of_keys
from app.core.permissions import require
from app.core.time import utcnow
from app.organisations.models import Organisation
from app.proposals.models import Proposal, ProposalVersion, submitted_legal_name
from app.reporting import permissions
from app.reporting.models import TechnologyVerification


@dataclass
class ProposalRow:
    """One proposal of the call as it stood at the moment."""

    id: int
    reference: str
    organisation: str
    enterprise_number: str
    provider_type: str
    status: str = "draft"
    title: str = ""
    version_number: int | None = None
    first_submitted_at: datetime | None = None
    submitted_at: datetime | None = None  # of the version in force
    withdrawn_at: datetime | None = None
    project_type: str | None = None
    technologies: list[str] = field(default_factory=list)
    practice_oriented: bool | None = None
    requested_eur: Decimal | None = None
    verified: list[str] | None = None  # None: not verified (at the moment)
    verified_at: datetime | None = None
    verified_by: str = ""
    verified_version: int | None = None
    version_times: list[datetime] = field(default_factory=list)
    training_name: str = ""
    training_reference: str = ""
    expected_participants: int | None = None
    partners: list[str] = field(default_factory=list)  # "name (enterprise number)"
    own_contribution_eur: Decimal | None = None

    @property
    def is_verified(self) -> bool:
        return self.verified is not None

    @property
    def verification_outdated(self) -> bool:
        """Verified on an earlier version than the one in force."""
        return (
            self.verified_version is not None
            and self.version_number is not None
            and self.verified_version < self.version_number
        )


def _decimal(text: str | None) -> Decimal | None:
    if text in (None, ""):
        return None
    return Decimal(str(text))


def _partner(partner: dict[str, Any]) -> str:
    name = str(partner.get("name") or "").strip()
    number = str(partner.get("enterprise_number") or "").strip()
    return f"{name} ({number})" if number else name


def load_rows(call: Call, as_of: datetime, ids: Sequence[int] | None = None) -> list[ProposalRow]:
    """Three selects: the call's proposals (those of ``ids`` only, in that order, when
    given), their versions and verifications up to ``as_of``."""
    rows: dict[int, ProposalRow] = {}
    only = (Proposal.id.in_(ids or [-1]),) if ids is not None else ()
    proposal_query = (
        sa.select(
            Proposal.id,
            Proposal.reference,
            Proposal.title,
            Proposal.created_at,
            Proposal.withdrawn_at,
            Organisation.legal_name,
            Organisation.enterprise_number,
            Organisation.provider_type,
        )
        .join(Organisation, Organisation.id == Proposal.organisation_id)
        .where(Proposal.call_id == call.id, *only)
        .order_by(Proposal.reference)
    )
    created: dict[int, datetime] = {}
    for (
        pid,
        reference,
        title,
        created_at,
        withdrawn_at,
        name,
        number,
        provider,
    ) in db.session.execute(proposal_query):
        created[pid] = created_at
        rows[pid] = ProposalRow(
            id=pid,
            reference=reference,
            title=title,
            organisation=name,
            enterprise_number=number,
            provider_type=provider.value,
            withdrawn_at=withdrawn_at
            if withdrawn_at is not None and withdrawn_at <= as_of
            else None,
        )

    data = ProposalVersion.data
    version_query = (
        sa.select(
            ProposalVersion.proposal_id,
            ProposalVersion.number,
            ProposalVersion.submitted_at,
            data["title"].as_string(),
            data["project_type"].as_string(),
            data["technologies"],
            data["practice_oriented"].as_boolean(),
            data["requested_eur"].as_string(),
            data["training_name"].as_string(),
            data["training_reference"].as_string(),
            data["expected_participants"],
            data["partners"],
            data["own_contribution_eur"].as_string(),
            ProposalVersion.organisation,
        )
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.call_id == call.id, ProposalVersion.submitted_at <= as_of, *only)
        .order_by(ProposalVersion.proposal_id, ProposalVersion.number)
    )
    for (
        pid,
        number,
        submitted_at,
        title,
        project_type,
        technologies,
        practice,
        requested,
        training,
        training_reference,
        participants,
        partners,
        own,
        organisation,
    ) in db.session.execute(version_query):
        row = rows.get(pid)
        if row is None:  # pragma: no cover - a version cannot predate its proposal
            continue
        row.version_times.append(submitted_at)
        if row.first_submitted_at is None:
            row.first_submitted_at = submitted_at
        row.version_number, row.submitted_at = number, submitted_at
        row.title = title or ""
        row.project_type = project_type or None
        row.technologies = [code for code in ALL_TECHNOLOGIES if code in (technologies or [])]
        row.practice_oriented = None if practice is None else bool(practice)
        row.requested_eur = _decimal(requested)
        row.training_name, row.training_reference = training or "", training_reference or ""
        row.expected_participants = None if participants in (None, "") else int(participants)
        row.partners = [_partner(p) for p in partners or [] if isinstance(p, dict)]
        row.own_contribution_eur = _decimal(own)
        if organisation:  # as frozen at submission, not as the organisation reads today
            row.organisation = organisation.get("legal_name") or row.organisation
            row.enterprise_number = organisation.get("enterprise_number") or row.enterprise_number
            row.provider_type = organisation.get("provider_type") or row.provider_type

    verification_query = (
        sa.select(
            TechnologyVerification.proposal_id,
            TechnologyVerification.technologies,
            TechnologyVerification.verified_at,
            TechnologyVerification.version_number,
            User.name,
        )
        .join(Proposal, Proposal.id == TechnologyVerification.proposal_id)
        .outerjoin(User, User.id == TechnologyVerification.verified_by_id)
        .where(Proposal.call_id == call.id, TechnologyVerification.verified_at <= as_of, *only)
        .order_by(
            TechnologyVerification.proposal_id,
            TechnologyVerification.verified_at,
            TechnologyVerification.id,
        )
    )
    for pid, technologies, verified_at, version_number, name in db.session.execute(
        verification_query
    ):
        row = rows.get(pid)
        if row is None:  # pragma: no cover
            continue
        row.verified = [code for code in ALL_TECHNOLOGIES if code in (technologies or [])]
        row.verified_at, row.verified_version, row.verified_by = (
            verified_at,
            version_number,
            name or "",
        )

    existing = []
    ordered = rows.values() if ids is None else [rows[pid] for pid in ids if pid in rows]
    for row in ordered:
        if row.withdrawn_at is not None:
            row.status = "withdrawn"
        elif row.version_number is not None:
            row.status = "submitted"
        elif created[row.id] <= as_of:
            row.status = "draft"
        else:
            continue  # did not exist yet
        existing.append(row)
    return existing


def submitted_proposals(
    actor: User, call: Call, as_of: datetime | None = None
) -> list[ProposalRow]:
    """The submitted proposals at ``as_of``, as they then stood, by reference."""
    require(permissions.can_view_statistics(actor))
    return [row for row in load_rows(call, as_of or utcnow()) if row.status == "submitted"]


PROPOSAL_LIST_SORTS = ("reference", "organisation")
PROPOSAL_LIST_FILTERS = ("all", "unverified")


@dataclass
class ProposalListPage:
    page: Page  # items: ProposalRow
    sort: str  # the sort applied: one of PROPOSAL_LIST_SORTS
    show: str  # the filter applied: one of PROPOSAL_LIST_FILTERS


def submitted_proposals_page(
    actor: User, call: Call, args: Mapping[str, str], now: datetime | None = None
) -> ProposalListPage:
    """One page of the submitted proposals as they stand now, chosen, filtered (``show``:
    all or unverified, i.e. never verified or verified on an earlier version), sorted
    (``sort``: reference or organisation) and counted in SQL; items are ProposalRow."""
    require(permissions.can_view_statistics(actor))
    now = now or utcnow()
    sort = choice(args, "sort", PROPOSAL_LIST_SORTS, "reference")
    show = choice(args, "show", PROPOSAL_LIST_FILTERS, "all")
    latest_version = (
        sa.select(sa.func.max(ProposalVersion.number))
        .where(ProposalVersion.proposal_id == Proposal.id, ProposalVersion.submitted_at <= now)
        .correlate(Proposal)
        .scalar_subquery()
    )
    query = sa.select(Proposal.id).where(
        Proposal.call_id == call.id,
        latest_version.is_not(None),
        sa.or_(Proposal.withdrawn_at.is_(None), Proposal.withdrawn_at > now),
    )
    if show == "unverified":
        verified_version = (
            sa.select(TechnologyVerification.version_number)
            .where(
                TechnologyVerification.proposal_id == Proposal.id,
                TechnologyVerification.verified_at <= now,
            )
            .order_by(TechnologyVerification.verified_at.desc(), TechnologyVerification.id.desc())
            .limit(1)
            .correlate(Proposal)
            .scalar_subquery()
        )
        query = query.where(sa.or_(verified_version.is_(None), verified_version < latest_version))
    order = (
        (Proposal.reference,) if sort == "reference" else (submitted_legal_name, Proposal.reference)
    )
    page, ids = page_of_keys(args, query, order)
    page.items = load_rows(call, now, ids)
    return ProposalListPage(page, sort, show)
