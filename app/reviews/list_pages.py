"""The officials' list pages of the evaluation: one page of rows each (app.core.pagination),
chosen, counted and sorted in SQL; only the page's proposals are loaded as objects."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload

from app.auth.models import User, UserRole
from app.calls.models import Call
from app.core.db import db
from app.core.errors import NotFound
from app.core.pagination import Page, choice, page_of_keys
from app.core.permissions import Role, require
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus, ProposalVersion, submitted_legal_name
from app.reviews import permissions
from app.reviews.facts import (
    LIGHT_USER,
    LIST_PROPOSAL,
    EvaluatorName,
    missing_in_version,
    replacement_for,
    settings_of,
)
from app.reviews.models import (
    ACTIVE_ASSIGNMENT,
    Admissibility,
    AdmissibilityCheck,
    Assignment,
    AssignmentStatus,
    Review,
    ReviewStatus,
)
from app.reviews.overview import EvaluatorCalibration, OverviewLine, calibration, overview_page_rows
from app.reviews.queries import AdmissibilityRow, ProposalAssignments

# ---------------------------------------------------------------------------- list pages
# Each official list shows one page of rows (app.core.pagination): the page's proposals
# are chosen, counted and sorted in SQL; only they are loaded as objects.

PROPOSAL_SORTS = {
    "reference": (Proposal.reference,),
    "organisation": (submitted_legal_name, Proposal.reference),
    "title": (Proposal.title, Proposal.reference),
}


def _page_of_proposals(query, args, sort: str) -> tuple[Page, list[int]]:
    """The page of proposal ids that ``query`` (a select of Proposal.id) yields, sorted."""
    return page_of_keys(args, query, PROPOSAL_SORTS[sort], count=query)


def _proposals_by_id(ids: list[int], *options) -> dict[int, Proposal]:
    return {
        p.id: p
        for p in db.session.scalars(
            sa.select(Proposal).where(Proposal.id.in_(ids or [-1])).options(*options)
        )
    }


# undecided: no decision yet; unreleased: decided, the applicant not told yet (or told an
# earlier decision); released: decided and told as it stands.
ADMISSIBILITY_STATES = ("all", "undecided", "unreleased", "released", "admissible", "inadmissible")


@dataclass
class AdmissibilityPage:
    page: Page  # items: AdmissibilityRow
    submitted: int
    decided: int
    sort: str  # the sort applied: one of PROPOSAL_SORTS
    state: str  # the filter applied: one of ADMISSIBILITY_STATES


def admissibility_page(actor: User, call: Call, args) -> AdmissibilityPage:
    """One page of the call's submitted proposals with the facts to weigh and the decision
    taken; ``args``: page, sort (reference, organisation, title), state (undecided,
    unreleased, released, admissible, inadmissible)."""
    require(permissions.can_manage(actor))
    sort = choice(args, "sort", tuple(PROPOSAL_SORTS), "reference")
    state = choice(args, "state", ADMISSIBILITY_STATES, "all")
    submitted = (Proposal.call_id == call.id, Proposal.status == ProposalStatus.submitted)
    query = (
        sa.select(Proposal.id)
        .where(*submitted)
        .outerjoin(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
    )
    if state == "undecided":
        query = query.where(AdmissibilityCheck.id.is_(None))
    elif state == "unreleased":
        query = query.where(
            AdmissibilityCheck.id.is_not(None), AdmissibilityCheck.unreleased_in_sql()
        )
    elif state == "released":
        query = query.where(
            AdmissibilityCheck.id.is_not(None), ~AdmissibilityCheck.unreleased_in_sql()
        )
    elif state != "all":
        query = query.where(AdmissibilityCheck.result == Admissibility(state))
    page, ids = _page_of_proposals(query, args, sort)
    found = _proposals_by_id(
        ids,
        *LIST_PROPOSAL,
        selectinload(Proposal.versions).options(
            lazyload(ProposalVersion.submitted_by),
            defer(ProposalVersion.declaration),
            defer(ProposalVersion.organisation),
        ),
    )
    decisions = {
        c.proposal_id: c
        for c in db.session.scalars(
            sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id.in_(ids or [-1]))
        )
    }
    deadlines = proposals.deadlines_by_organisation(call)
    for pid in ids:
        proposal = found[pid]
        version = proposals.counting_version(
            proposal, deadlines.get(proposal.organisation_id, call.closes_at)
        )
        requested = Decimal(version.data.get("requested_eur") or "0") if version else None
        checks = {
            "on_time": version is not None,
            "complete": version is not None and not missing_in_version(version.data),
            "provider_type": call.allows_provider_type(
                proposal.submitted_organisation.provider_type
            ),
            "budget": requested is not None and Decimal("0") < requested <= call.max_request_eur,
        }
        page.items.append(AdmissibilityRow(proposal, checks, decisions.get(pid), version))
    counts = db.session.execute(
        sa.select(sa.func.count(Proposal.id), sa.func.count(AdmissibilityCheck.id))
        .outerjoin(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(*submitted)
    ).one()
    return AdmissibilityPage(page, counts[0], counts[1], sort, state)


def _admissible(call_id: int) -> tuple:
    return (
        Proposal.call_id == call_id,
        Proposal.status == ProposalStatus.submitted,
        AdmissibilityCheck.result == Admissibility.admissible,
    )


ASSIGNMENT_STATES = ("all", "short", "conflict")


@dataclass
class AssignmentPage:
    page: Page  # items: ProposalAssignments
    per_proposal: int
    admissible: int
    short: int
    sort: str  # the sort applied: one of PROPOSAL_SORTS
    state: str  # the filter applied: one of ASSIGNMENT_STATES


def _active_counts(call_id: int):
    """Per proposal of the call, its number of active assignments (subquery)."""
    return (
        sa.select(
            Assignment.proposal_id.label("proposal_id"),
            sa.func.count(Assignment.id).label("active"),
        )
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .where(Proposal.call_id == call_id, Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .group_by(Assignment.proposal_id)
        .subquery()
    )


def _complete(call_id: int, per_proposal: int) -> int:
    """How many admissible proposals of the call have ``per_proposal`` active assignments."""
    complete = (
        sa.select(Assignment.proposal_id)
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(*_admissible(call_id), Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .group_by(Assignment.proposal_id)
        .having(sa.func.count() >= per_proposal)
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(complete)) or 0


def assignments_page(actor: User, call: Call, args) -> AssignmentPage:
    """One page of the admissible proposals with their assignments (all statuses); the
    loads per evaluator and how many proposals are short, counted in SQL. ``args``: page,
    sort, state (short: fewer active evaluators than required; conflict: one declared)."""
    require(permissions.can_manage(actor))
    settings = settings_of(call)
    sort = choice(args, "sort", tuple(PROPOSAL_SORTS), "reference")
    state = choice(args, "state", ASSIGNMENT_STATES, "all")
    query = (
        sa.select(Proposal.id)
        .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(*_admissible(call.id))
    )
    if state == "short":
        active = _active_counts(call.id)
        query = query.outerjoin(active, active.c.proposal_id == Proposal.id).where(
            sa.func.coalesce(active.c.active, 0) < settings.reviews_per_proposal
        )
    elif state == "conflict":
        query = query.where(
            sa.exists().where(
                Assignment.proposal_id == Proposal.id,
                Assignment.status == AssignmentStatus.conflict,
            )
        )
    page, ids = _page_of_proposals(query, args, sort)
    found = _proposals_by_id(ids, *LIST_PROPOSAL)
    by_proposal: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.proposal_id.in_(ids or [-1]))
        .options(
            joinedload(Assignment.evaluator).options(*LIGHT_USER),
            joinedload(Assignment.review),
        )
        .order_by(Assignment.id)
    ):
        by_proposal[assignment.proposal_id].append(assignment)
    for pid in ids:
        row = ProposalAssignments(found[pid], by_proposal.get(pid, []))
        row.active = sum(1 for a in row.assignments if a.is_active)
        row.short = max(0, settings.reviews_per_proposal - row.active)
        page.items.append(row)
    admissible = (
        page.total
        if state == "all"
        else db.session.scalar(
            sa.select(sa.func.count(Proposal.id))
            .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
            .where(*_admissible(call.id))
        )
        or 0
    )
    complete = _complete(call.id, settings.reviews_per_proposal)
    return AssignmentPage(
        page, settings.reviews_per_proposal, admissible, admissible - complete, sort, state
    )


LOAD_SORTS = ("load", "name")


@dataclass
class LoadPage:
    page: Page  # items: (EvaluatorName, active assignments in the call)
    sort: str  # one of LOAD_SORTS
    lowest: int  # the smallest and largest load over every active evaluator
    highest: int


def loads_page(actor: User, call: Call, args) -> LoadPage:
    """One page of the active evaluators with their number of active assignments on the
    call's admissible proposals; ``args``: page and sort (load: the heaviest first; name).
    Counted, sorted and cut in SQL."""
    require(permissions.can_manage(actor))
    counts = (
        sa.select(Assignment.evaluator_id.label("evaluator_id"), sa.func.count().label("load"))
        .join(Proposal, Proposal.id == Assignment.proposal_id)
        .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(*_admissible(call.id), Assignment.status.in_(ACTIVE_ASSIGNMENT))
        .group_by(Assignment.evaluator_id)
        .subquery()
    )
    load = sa.func.coalesce(counts.c.load, 0).label("load")
    evaluators = (
        sa.select(User.id, User.name, User.email, load)
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(counts, counts.c.evaluator_id == User.id)
        .where(UserRole.role == Role.evaluator, User.active.is_(True))
    )
    sort = choice(args, "sort", LOAD_SORTS, "load")
    order = (User.name, User.id) if sort == "name" else (load.desc(), User.name, User.id)
    summary = evaluators.subquery()
    total, lowest, highest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(summary.c.load), sa.func.max(summary.c.load))
    ).one()
    page = Page.of(args, total=total or 0)
    page.items = [
        (EvaluatorName(uid, name, email), count)
        for uid, name, email, count in db.session.execute(
            evaluators.order_by(*order).limit(page.per_page).offset(page.offset)
        ).tuples()
    ]
    return LoadPage(page, sort, lowest or 0, highest or 0)


def proposal_assignments(actor: User, call: Call, proposal_id: int) -> ProposalAssignments:
    """One admissible proposal's assignments, what is short and, after a declared conflict,
    the evaluator the rules propose instead (its own page: the rules plan the whole call)."""
    require(permissions.can_manage(actor))
    proposal = db.session.scalar(
        sa.select(Proposal)
        .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(Proposal.id == proposal_id, *_admissible(call.id))
    )
    if proposal is None:
        raise NotFound()
    settings = settings_of(call)
    row = ProposalAssignments(
        proposal,
        list(
            db.session.scalars(
                sa.select(Assignment)
                .where(Assignment.proposal_id == proposal.id)
                .options(selectinload(Assignment.evaluator), selectinload(Assignment.review))
                .order_by(Assignment.id)
            )
        ),
    )
    row.active = sum(1 for a in row.assignments if a.is_active)
    row.short = max(0, settings.reviews_per_proposal - row.active)
    if row.short and any(a.status is AssignmentStatus.conflict for a in row.assignments):
        row.replacement = replacement_for(proposal.id)
    return row


OVERVIEW_STATES = ("all", "pending", "complete")


@dataclass
class OverviewPage:
    page: Page  # items: ProposalScores
    lines: dict[int, list[OverviewLine]]
    admissible: int
    sort: str  # the sort applied: one of PROPOSAL_SORTS
    state: str  # the filter applied: one of OVERVIEW_STATES


def overview_page(actor: User, call: Call, args) -> OverviewPage:
    """One page of the admissible proposals with their reviews' totals; ``args``: page,
    sort, state (pending: an active assignment without a submitted review; complete)."""
    require(permissions.can_manage(actor))
    sort = choice(args, "sort", tuple(PROPOSAL_SORTS), "reference")
    state = choice(args, "state", OVERVIEW_STATES, "all")
    base = (
        sa.select(Proposal.id)
        .join(AdmissibilityCheck, AdmissibilityCheck.proposal_id == Proposal.id)
        .where(*_admissible(call.id))
    )
    pending = sa.exists().where(
        Assignment.proposal_id == Proposal.id,
        Assignment.status.in_(ACTIVE_ASSIGNMENT),
        ~sa.exists().where(
            Review.assignment_id == Assignment.id, Review.status == ReviewStatus.submitted
        ),
    )
    query = (
        base.where(pending)
        if state == "pending"
        else base.where(~pending)
        if state == "complete"
        else base
    )
    page, ids = _page_of_proposals(query, args, sort)
    page.items, lines = overview_page_rows(actor, call.id, ids)
    admissible = (
        page.total
        if state == "all"
        else db.session.scalar(base.with_only_columns(sa.func.count(Proposal.id))) or 0
    )
    return OverviewPage(page, lines, admissible, sort, state)


CALIBRATION_SORTS = ("difference", "name", "reviews")


@dataclass
class CalibrationPage:
    page: Page  # items: EvaluatorCalibration
    sort: str  # one of CALIBRATION_SORTS
    spreads: dict[int, Decimal]  # criterion id -> mean spread of its scores on a proposal


def calibration_page(actor: User, call: Call, args, changed: str | None = None) -> CalibrationPage:
    """One page of the evaluators' calibration; ``args``: page and sort (difference: the
    largest deviation from the others first, harsh or lenient; name; reviews: most first).

    The figures are aggregated in SQL and cached per call (``overview.calibration``): one
    row per evaluator who submitted a review, sorted and cut to the page here. ``changed``:
    the reviews' last change when the caller read it already."""
    figures, spreads = calibration(actor, call.id, changed)
    sort = choice(args, "sort", CALIBRATION_SORTS, "difference")
    if sort == "name":
        figures.sort(key=lambda f: (f.evaluator.name.casefold(), f.evaluator.id))
    elif sort == "reviews":
        figures.sort(key=lambda f: (-f.reviews, f.evaluator.name.casefold(), f.evaluator.id))
    else:
        figures.sort(key=_deviation)
    page = Page.of(args, total=len(figures))
    page.items = figures[page.offset : page.offset + page.per_page]
    return CalibrationPage(page, sort, spreads)


def _deviation(figure: EvaluatorCalibration) -> tuple[bool, Decimal, str, int]:
    """Sort key: the largest mean difference from the others (either sign) first, those
    without one (never on a proposal with another submitted review) last."""
    difference = figure.mean_difference
    return (
        difference is None,
        -abs(difference) if difference is not None else Decimal(0),
        figure.evaluator.name.casefold(),
        figure.evaluator.id,
    )
