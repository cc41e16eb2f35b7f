"""Statistics of one call as of any moment, comparisons, the mention finder, verification.

As-of semantics (DESIGN.md rule 8). At moment T a proposal of the call is
- *withdrawn* if it was withdrawn at or before T;
- *submitted* if it has a version submitted at or before T and was not withdrawn by then;
  its figures (technologies, project type, budget, ...) are those of the LAST version
  submitted at or before T, so a resubmitted proposal counts once, as it then stood;
- a *draft* if it existed at T with no version yet.
Figures count submitted proposals unless they say otherwise.

Every figure is aggregated by the database in a fixed number of GROUP BY queries
(``aggregate_statistics``, app/reporting/aggregates.py), whatever the number of proposals,
versions and verifications; ``compute_statistics`` states the same figures in Python over
loaded rows. The rows themselves are loaded (three selects) only where a page lists them.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls import services as calls
from app.calls.models import ALL_PROJECT_TYPES, ALL_PROVIDER_TYPES, ALL_TECHNOLOGIES, Call
from app.core.cache import cache
from app.core.db import db, transaction
from app.core.errors import DomainError, ValidationFailed
from app.core.pagination import Page, choice
from app.core.permissions import require
from app.core.time import (
    InvalidLocalTime,
    NonexistentLocalTime,
    parse_local,
    to_brussels,
    utcnow,
)
from app.organisations.models import Organisation
from app.proposals import services as proposals
from app.proposals.fields import LABELS
from app.proposals.models import (
    Proposal,
    ProposalStatus,
    ProposalVersion,
    submitted_legal_name,
)
from app.reporting import aggregates, permissions
from app.reporting.models import TechnologyVerification
from app.reviews.models import Admissibility, AdmissibilityCheck, DecisionRecord, Outcome

STATUSES, VR_OR_AI, PRACTICE = aggregates.STATUSES, aggregates.VR_OR_AI, aggregates.PRACTICE


# ---------------------------------------------------------------------------- rows


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


@dataclass
class DayRow:
    day: date  # in Brussels
    new: int = 0  # proposals submitted for the first time
    resubmitted: int = 0  # new versions of proposals submitted before
    withdrawn: int = 0  # submitted proposals withdrawn
    cumulative: int = 0  # submitted proposals at the end of the day (or at the moment)


@dataclass
class CallStatistics:
    call: Call
    as_of: datetime
    technologies: list[str]  # the call's vocabulary, in order
    by_status: dict[str, int]
    by_technology: dict[str, int]
    verified_by_technology: dict[str, int]
    verified_count: int
    vr_or_ai: int
    vr_and_ai: int
    verified_vr_or_ai: int
    verified_vr_and_ai: int
    by_project_type: dict[str, int]
    by_provider_type: dict[str, int]
    by_practice: dict[str, int]
    technology_by_project_type: dict[str, dict[str, int]]
    technology_by_provider_type: dict[str, dict[str, int]]
    technology_by_practice: dict[str, dict[str, int]]
    budget_by_technology: dict[str, Decimal]
    requested_budget: Decimal
    days: list[DayRow]
    # After the deadline: admissibility results and the outcomes of the newest decision
    # published by the moment (keys of EVALUATION_STATES), empty before any of that exists.
    evaluation: dict[str, int] = field(default_factory=dict)
    # Every proposal of the call as it stood, loaded only when asked for (the figures above
    # are aggregated without them); never cached with the figures.
    loaded_rows: list[ProposalRow] | None = field(default=None, repr=False, compare=False)

    @property
    def rows(self) -> list[ProposalRow]:
        if self.loaded_rows is None:
            self.loaded_rows = _load_rows(self.call, self.as_of)
        return self.loaded_rows

    @property
    def submitted(self) -> list[ProposalRow]:
        return [row for row in self.rows if row.status == "submitted"]

    @property
    def submitted_count(self) -> int:
        return self.by_status["submitted"]


# ---------------------------------------------------------------------------- moments


class InvalidMoment(DomainError):
    default_message = _l("Enter a date and time like 2027-03-31 23:59:59.")


class NonexistentMoment(InvalidMoment):
    """A Brussels wall-clock time skipped when the clocks go forward."""


def parse_moment(text: str | None, *, now: datetime | None = None) -> datetime:
    """An "as of" moment from ISO 8601 text; naive times are Brussels time.

    Empty text means now. A moment in the future means now too (nothing later is known):
    the figures always say which moment they are as of.
    """
    now = now or utcnow()
    text = (text or "").strip()
    if not text:
        return now
    try:
        moment = parse_local(text, offsets=True)
    except NonexistentLocalTime:
        raise NonexistentMoment(
            _(
                "%(text)s does not exist in Brussels time: the clocks go "
                "forward an hour that night.",
                text=text[:40],
            )
        ) from None
    except InvalidLocalTime:
        raise InvalidMoment(
            _(
                "“%(text)s” is not a date and time. Use ISO 8601, for example "
                "2027-03-31T23:59:59+02:00, or 2027-03-31 23:59:59 in Brussels "
                "time.",
                text=text[:40],
            )
        ) from None
    return min(moment, now)


def comparison_moment(
    main: Call, other: Call, as_of: datetime, now: datetime | None = None
) -> datetime:
    """The same point in ``other``'s submission period as ``as_of`` is in ``main``'s:
    as long before (or after) its own deadline, and never later than now."""
    now = now or utcnow()
    moment = other.deadline + (as_of - main.deadline)
    return min(moment, now)


# ---------------------------------------------------------------------------- loading


def _decimal(text: str | None) -> Decimal | None:
    if text in (None, ""):
        return None
    return Decimal(str(text))


def _partner(partner: dict) -> str:
    name = str(partner.get("name") or "").strip()
    number = str(partner.get("enterprise_number") or "").strip()
    return f"{name} ({number})" if number else name


def _load_rows(call: Call, as_of: datetime, ids: Sequence[int] | None = None) -> list[ProposalRow]:
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


# ---------------------------------------------------------------------------- statistics


def get_call(actor: User, code: str) -> Call:
    require(permissions.can_view_statistics(actor))
    return calls.get_call_by_code(actor, code)


def call_statistics(actor: User, call: Call, as_of: datetime | None = None) -> CallStatistics:
    """Every figure of the dashboard for ``call`` as of ``as_of`` (default: now).

    Cached per call under its last change (``change_key``). The figures as of a moment M
    hold for every later moment T up to now on the same Brussels day while the key holds:
    anything that happened after M would have changed the key. So the page, its charts
    and the stats API reuse one computation until the call's data changes."""
    require(permissions.can_view_statistics(actor))
    changed = change_key(call)
    now = utcnow()  # after reading the key: whatever happened by now is in it or changes it
    as_of = as_of or now
    key = f"stats:{call.id}:{changed}:{to_brussels(as_of).date().isoformat()}"
    store = cache()
    for entry_key in (f"{key}:now", f"{key}:{as_of.isoformat()}"):
        entry = store.get(entry_key)
        if entry is not None:
            computed_at, statistics = entry
            if entry_key.endswith(":now") and not computed_at <= as_of <= now:
                continue
            return replace(statistics, call=call, as_of=as_of)
    statistics = aggregate_statistics(call, as_of)
    statistics.evaluation = evaluation_counts(call, as_of)
    stored = replace(statistics, call=None, loaded_rows=None)
    store.set(f"{key}:now" if as_of == now else f"{key}:{as_of.isoformat()}", (as_of, stored))
    return statistics


# Actions after which figures of a call may change without a row of the call changing.
_CHANGES_ELSEWHERE = (
    "organisation.updated",
    "call.updated",
    "call.closed",
    "call.published",
    "call.extension_granted",
    "call.criteria_set",
)


def change_key(call: Call) -> str:
    """The call's last change, in one query: any write that can move a figure changes it."""
    from app.audit.models import AuditRecord
    from app.reviews.models import AdmissibilityCheck, DecisionRecord

    of_call = Proposal.call_id == call.id

    def proposals_(column):
        return sa.select(column).where(of_call).scalar_subquery()

    def joined(column, model):
        return (
            sa.select(column)
            .join(Proposal, Proposal.id == model.proposal_id)
            .where(of_call)
            .scalar_subquery()
        )

    row = db.session.execute(
        sa.select(
            proposals_(sa.func.count(Proposal.id)),
            proposals_(sa.func.max(Proposal.id)),
            proposals_(sa.func.max(Proposal.updated_at)),
            proposals_(sa.func.max(Proposal.withdrawn_at)),
            joined(sa.func.max(ProposalVersion.id), ProposalVersion),
            joined(sa.func.max(TechnologyVerification.id), TechnologyVerification),
            joined(sa.func.count(AdmissibilityCheck.id), AdmissibilityCheck),
            joined(sa.func.max(AdmissibilityCheck.checked_at), AdmissibilityCheck),
            sa.select(sa.func.max(DecisionRecord.id))
            .where(DecisionRecord.call_id == call.id)
            .scalar_subquery(),
            sa.select(sa.func.max(AuditRecord.id))
            .where(AuditRecord.action.in_(_CHANGES_ELSEWHERE))
            .scalar_subquery(),
        )
    ).one()
    return "|".join(str(value) for value in row)


EVALUATION_STATES = (
    "admissible",
    "inadmissible",
    "funded",
    "reserve",
    "rejected",
    "below_threshold",
)


def evaluation_counts(call: Call, as_of: datetime) -> dict[str, int]:
    """Admissibility decided and decision outcomes published by ``as_of``: two queries."""
    counts = Counter(dict.fromkeys(EVALUATION_STATES, 0))
    counts.update(
        result.value
        for result in db.session.scalars(
            sa.select(AdmissibilityCheck.result)
            .join(Proposal, Proposal.id == AdmissibilityCheck.proposal_id)
            .where(Proposal.call_id == call.id, AdmissibilityCheck.checked_at <= as_of)
        )
    )
    record = db.session.scalar(
        sa.select(DecisionRecord)
        .where(DecisionRecord.call_id == call.id, DecisionRecord.published_at <= as_of)
        .order_by(DecisionRecord.number.desc())
        .limit(1)
    )
    if record is not None:
        counts.update(row["outcome"] for row in record.data["rows"] if row.get("outcome"))
    if not any(counts.values()):
        return {}
    return {state: counts[state] for state in EVALUATION_STATES}


def evaluation_state_label(state: str) -> str:
    if state in {a.value for a in Admissibility}:
        return str(Admissibility(state).label)
    return str(Outcome(state).label)


def aggregate_statistics(call: Call, as_of: datetime) -> CallStatistics:
    """The figures of ``compute_statistics`` by GROUP BY queries in the database, without
    loading the call's rows (see app/reporting/aggregates.py)."""
    found = aggregates.figures(call, as_of)
    days = [
        DayRow(day, new, again, gone, running)
        for day, new, again, gone, running in aggregates.days_from_events(
            call, found.day_events, as_of
        )
    ]
    return CallStatistics(
        call=call,
        as_of=as_of,
        technologies=list(call.technologies),
        by_status=found.by_status,
        by_technology=found.by_technology,
        verified_by_technology=found.verified_by_technology,
        verified_count=found.verified_count,
        vr_or_ai=found.vr_or_ai,
        vr_and_ai=found.vr_and_ai,
        verified_vr_or_ai=found.verified_vr_or_ai,
        verified_vr_and_ai=found.verified_vr_and_ai,
        by_project_type=found.by_project_type,
        by_provider_type=found.by_provider_type,
        by_practice=found.by_practice,
        technology_by_project_type=found.technology_by_project_type,
        technology_by_provider_type=found.technology_by_provider_type,
        technology_by_practice=found.technology_by_practice,
        budget_by_technology=found.budget_by_technology,
        requested_budget=found.requested_budget,
        days=days,
    )


def compute_statistics(call: Call, rows: list[ProposalRow], as_of: datetime) -> CallStatistics:
    """The same figures counted in Python from loaded rows: the plain statement of what
    ``aggregate_statistics`` computes in SQL (the tests compare the two)."""
    codes = list(call.technologies)
    submitted = [row for row in rows if row.status == "submitted"]
    by_status = Counter(dict.fromkeys(STATUSES, 0))
    by_status.update(row.status for row in rows)

    declared = Counter(dict.fromkeys(codes, 0))
    verified = Counter(dict.fromkeys(codes, 0))
    by_project_type = Counter(dict.fromkeys(ALL_PROJECT_TYPES, 0))
    by_provider_type = Counter(dict.fromkeys(ALL_PROVIDER_TYPES, 0))
    by_practice = Counter(dict.fromkeys(PRACTICE, 0))
    tech_project = {code: dict.fromkeys(ALL_PROJECT_TYPES, 0) for code in codes}
    tech_provider = {code: dict.fromkeys(ALL_PROVIDER_TYPES, 0) for code in codes}
    tech_practice = {code: dict.fromkeys(PRACTICE, 0) for code in codes}
    budget = {code: Decimal("0.00") for code in codes}
    total = Decimal("0.00")
    vr_or_ai = vr_and_ai = verified_vr_or_ai = verified_vr_and_ai = verified_count = 0

    for row in submitted:
        mine = set(row.technologies)
        practice = "yes" if row.practice_oriented else "no"
        if row.project_type:
            by_project_type[row.project_type] += 1
        by_provider_type[row.provider_type] += 1
        by_practice[practice] += 1
        total += row.requested_eur or 0
        vr_or_ai += bool(mine & set(VR_OR_AI))
        vr_and_ai += set(VR_OR_AI) <= mine
        for code in codes:
            if code not in mine:
                continue
            declared[code] += 1
            if row.project_type in tech_project[code]:
                tech_project[code][row.project_type] += 1
            tech_provider[code][row.provider_type] += 1
            tech_practice[code][practice] += 1
            budget[code] += row.requested_eur or 0
        if row.verified is not None:
            verified_count += 1
            checked = set(row.verified)
            verified_vr_or_ai += bool(checked & set(VR_OR_AI))
            verified_vr_and_ai += set(VR_OR_AI) <= checked
            for code in codes:
                verified[code] += code in checked

    return CallStatistics(
        call=call,
        as_of=as_of,
        technologies=codes,
        loaded_rows=rows,
        by_status={status: by_status[status] for status in STATUSES},
        by_technology={code: declared[code] for code in codes},
        verified_by_technology={code: verified[code] for code in codes},
        verified_count=verified_count,
        vr_or_ai=vr_or_ai,
        vr_and_ai=vr_and_ai,
        verified_vr_or_ai=verified_vr_or_ai,
        verified_vr_and_ai=verified_vr_and_ai,
        by_project_type=dict(by_project_type),
        by_provider_type=dict(by_provider_type),
        by_practice=dict(by_practice),
        technology_by_project_type=tech_project,
        technology_by_provider_type=tech_provider,
        technology_by_practice=tech_practice,
        budget_by_technology=budget,
        requested_budget=total,
        days=submissions_per_day(call, rows, as_of),
    )


def submissions_per_day(call: Call, rows: Iterable[ProposalRow], as_of: datetime) -> list[DayRow]:
    """One row per Brussels day from the opening up to the deadline (or a later submission
    under an individual extension), stopping at the moment."""
    rows = list(rows)
    first = to_brussels(call.opens_at).date()
    last = to_brussels(call.deadline).date()
    events: list[datetime] = []
    for row in rows:
        events.extend(row.version_times)
        if row.withdrawn_at is not None:
            events.append(row.withdrawn_at)
    if events:
        first = min(first, *(to_brussels(e).date() for e in events))
        last = max(last, *(to_brussels(e).date() for e in events))
    last = min(last, to_brussels(as_of).date())
    if last < first:
        return []
    days = {}
    day = first
    while day <= last:
        days[day] = DayRow(day)
        day += timedelta(days=1)
    for row in rows:
        for number, moment in enumerate(row.version_times, start=1):
            entry = days[to_brussels(moment).date()]
            if number == 1:
                entry.new += 1
            else:
                entry.resubmitted += 1
        if row.withdrawn_at is not None and row.first_submitted_at is not None:
            days[to_brussels(row.withdrawn_at).date()].withdrawn += 1
    running = 0
    for entry in days.values():
        running += entry.new - entry.withdrawn
        entry.cumulative = running
    return list(days.values())


# ---------------------------------------------------------------------------- comparison


def percent_change(old: int | Decimal, new: int | Decimal) -> Decimal | None:
    """(new - old) / old in percent, to one decimal; None ("n/a") when the base is zero."""
    old, new = Decimal(old), Decimal(new)
    if old == 0:
        return None
    return ((new - old) / old * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ComparisonRow:
    key: str
    label: str
    earlier: int | Decimal
    later: int | Decimal
    change: Decimal | None
    money: bool = False


@dataclass
class Comparison:
    earlier: CallStatistics
    later: CallStatistics
    rows: list[ComparisonRow]


def comparison_call_statistics(actor: User, main: CallStatistics, other: Call) -> Comparison:
    """``other`` at the same point of its submission period, compared with ``main``;
    the change is computed against whichever call has the earlier deadline."""
    require(permissions.can_view_statistics(actor))
    other_stats = call_statistics(actor, other, comparison_moment(main.call, other, main.as_of))
    return compare(main, other_stats)


def compare(a: CallStatistics, b: CallStatistics) -> Comparison:
    earlier, later = (
        (a, b) if (a.call.deadline, a.call.id) <= (b.call.deadline, b.call.id) else (b, a)
    )
    rows: list[ComparisonRow] = []

    def add(key: str, label, old, new, money: bool = False) -> None:
        rows.append(ComparisonRow(key, str(label), old, new, percent_change(old, new), money))

    add(
        "submitted",
        _l("Submitted proposals"),
        earlier.by_status["submitted"],
        later.by_status["submitted"],
    )
    add("draft", _l("Drafts"), earlier.by_status["draft"], later.by_status["draft"])
    add("withdrawn", _l("Withdrawn"), earlier.by_status["withdrawn"], later.by_status["withdrawn"])
    add("vr_or_ai", _l("VR or AI (distinct proposals)"), earlier.vr_or_ai, later.vr_or_ai)
    add("vr_and_ai", _l("Both VR and AI"), earlier.vr_and_ai, later.vr_and_ai)
    for code in ALL_TECHNOLOGIES:
        if code in earlier.by_technology or code in later.by_technology:
            add(
                f"technology.{code}",
                technology_label(code),
                earlier.by_technology.get(code, 0),
                later.by_technology.get(code, 0),
            )
    for code in ALL_PROJECT_TYPES:
        add(
            f"project_type.{code}",
            _("Project type: %(type)s", type=project_type_label(code)),
            earlier.by_project_type[code],
            later.by_project_type[code],
        )
    for code in ALL_PROVIDER_TYPES:
        add(
            f"provider_type.{code}",
            _("Provider type: %(type)s", type=provider_type_label(code)),
            earlier.by_provider_type[code],
            later.by_provider_type[code],
        )
    add(
        "requested_budget_eur",
        _l("Requested budget (EUR)"),
        earlier.requested_budget,
        later.requested_budget,
        money=True,
    )
    return Comparison(earlier, later, rows)


# ---------------------------------------------------------------------------- labels


def technology_label(code: str) -> str:
    from app.calls.models import Technology

    return str(Technology(code).label)


def project_type_label(code: str) -> str:
    from app.calls.models import ProjectType

    return str(ProjectType(code).short_label)


def provider_type_label(code: str) -> str:
    from app.organisations.models import ProviderType

    return str(ProviderType(code).label)


def practice_label(key: str) -> str:
    return _("Practice-oriented") if key == "yes" else _("Not practice-oriented")


def status_label(status: str) -> str:
    return str(ProposalStatus(status).label)


# ---------------------------------------------------------------------------- proposal list


def submitted_proposals(
    actor: User, call: Call, as_of: datetime | None = None
) -> list[ProposalRow]:
    """The submitted proposals at ``as_of``, as they then stood, by reference."""
    require(permissions.can_view_statistics(actor))
    return [row for row in _load_rows(call, as_of or utcnow()) if row.status == "submitted"]


PROPOSAL_LIST_SORTS = ("reference", "organisation")
PROPOSAL_LIST_FILTERS = ("all", "unverified")


def submitted_proposals_page(actor: User, call: Call, args, now: datetime | None = None) -> Page:
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
    query = (
        sa.select(Proposal.id)
        .join(Organisation, Organisation.id == Proposal.organisation_id)
        .where(
            Proposal.call_id == call.id,
            latest_version.is_not(None),
            sa.or_(Proposal.withdrawn_at.is_(None), Proposal.withdrawn_at > now),
        )
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
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    page = Page.of(args, total)
    order = (
        (Proposal.reference,) if sort == "reference" else (submitted_legal_name, Proposal.reference)
    )
    ids = list(db.session.scalars(query.order_by(*order).limit(page.per_page).offset(page.offset)))
    page.items = _load_rows(call, now, ids)
    return page


# ---------------------------------------------------------------------------- mention finder

# Terms that name a technology, in Dutch and English. Spaces match any run of spaces or a
# hyphen; every term matches as a whole word, case-insensitively, so "AI" is not found in
# "detail" or "Maillot". Optional endings are written as regular expressions.
# Not searched: the LMS and blended learning, which every e-training of this call uses
# (the form itself asks how the LMS follows learners up), nor everyday words like group work.
TERMS: dict[str, tuple[str, ...]] = {
    "vr": (
        "VR",
        "VR-bril(?:len)?",
        "VR headsets?",
        "virtuele realiteit",
        "virtuele werkelijkheid",
        "virtual reality",
        "360 graden video's?",
    ),
    "ar": (
        "AR",
        "AR-bril(?:len)?",
        "augmented reality",
        "toegevoegde realiteit",
        "aangevulde realiteit",
        "verrijkte realiteit",
        "mixed reality",
    ),
    "ai": (
        "AI",
        "A\\.I\\.",
        "artifici[eë]le intelligentie",
        "kunstmatige intelligentie",
        "artificial intelligence",
        "chatbots?",
        "ChatGPT",
        "generatieve AI",
        "machine learning",
        "taalmodel(?:len)?",
        "language models?",
    ),
    "gamification": (
        "gamification",
        "gamificatie",
        "serious games?",
        "game-based learning",
        "spelelementen",
        "escape rooms?",
    ),
    "webinar": ("webinars?", "webinaries?", "live-?streams?"),
}

# The texts searched: every free-text field of the submitted version.
TEXT_FIELDS = (
    "title",
    "acronym",
    "training_name",
    "training_current_form",
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
)


def _pattern(terms: Sequence[str]) -> re.Pattern[str]:
    parts = sorted(terms, key=len, reverse=True)  # the longest term wins: "VR-bril" over "VR"
    body = "|".join(part.replace(" ", r"[\s\-]+") for part in parts)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


PATTERNS: dict[str, re.Pattern[str]] = {code: _pattern(terms) for code, terms in TERMS.items()}


@dataclass(frozen=True)
class Mention:
    technology: str
    term: str  # as written in the text
    start: int
    end: int


def find_mentions(text: str, technologies: Iterable[str] | None = None) -> list[Mention]:
    """Every whole-word mention of a technology term in ``text``, in order of appearance."""
    found = []
    for code, pattern in PATTERNS.items():
        if technologies is not None and code not in technologies:
            continue
        for match in pattern.finditer(text or ""):
            found.append(Mention(code, match.group(0), match.start(), match.end()))
    return sorted(found, key=lambda m: (m.start, m.technology))


@dataclass(frozen=True)
class Excerpt:
    field: str
    label: str
    before: str
    term: str
    after: str


def text_mentions(
    data: dict, technologies: Iterable[str] | None = None
) -> list[tuple[str, Excerpt]]:
    """(technology, excerpt) for every mention in a version's texts, field by field."""
    found = []
    for name in TEXT_FIELDS:
        text = data.get(name) or ""
        for mention in find_mentions(text, technologies):
            found.append((mention.technology, excerpt(name, text, mention)))
    return found


@dataclass
class MentionReview:
    row: ProposalRow
    undeclared: dict[str, list[Excerpt]]  # technology code -> where it is mentioned

    @property
    def reviewed(self) -> bool:
        """An official verified the technologies of the version in force."""
        return self.row.is_verified and not self.row.verification_outdated


def excerpt(name: str, text: str, mention: Mention, width: int = 60) -> Excerpt:
    start, end = max(0, mention.start - width), min(len(text), mention.end + width)
    before = ("…" if start else "") + text[start : mention.start]
    after = text[mention.end : end] + ("…" if end < len(text) else "")
    return Excerpt(
        name,
        str(LABELS[name]),
        re.sub(r"\s+", " ", before),
        mention.term,
        re.sub(r"\s+", " ", after),
    )


def undeclared_mentions(
    actor: User, call: Call, as_of: datetime | None = None
) -> list[MentionReview]:
    """Submitted proposals whose texts mention a technology of the call they did not declare,
    for an official to review. Not yet reviewed ones first."""
    require(permissions.can_view_statistics(actor))
    as_of = as_of or utcnow()
    rows = {row.id: row for row in _load_rows(call, as_of) if row.status == "submitted"}
    if not rows:
        return []
    last = (
        sa.select(ProposalVersion.proposal_id, sa.func.max(ProposalVersion.number).label("number"))
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.call_id == call.id, ProposalVersion.submitted_at <= as_of)
        .group_by(ProposalVersion.proposal_id)
        .subquery()
    )
    texts = db.session.execute(
        sa.select(ProposalVersion.proposal_id, ProposalVersion.data)
        .join(
            last,
            sa.and_(
                last.c.proposal_id == ProposalVersion.proposal_id,
                last.c.number == ProposalVersion.number,
            ),
        )
        .order_by(ProposalVersion.proposal_id)
    )
    reviews = []
    for pid, data in texts:
        row = rows.get(pid)
        if row is None:  # withdrawn by then
            continue
        wanted = [
            code for code in call.technologies if code in PATTERNS and code not in row.technologies
        ]
        undeclared: dict[str, list[Excerpt]] = {}
        for code, found in text_mentions(data, wanted):
            undeclared.setdefault(code, []).append(found)
        if undeclared:
            ordered = {code: undeclared[code] for code in call.technologies if code in undeclared}
            reviews.append(MentionReview(row, ordered))
    return sorted(reviews, key=lambda r: (r.reviewed, r.row.reference))


# ---------------------------------------------------------------------------- verification


def latest_verification(proposal_id: int) -> TechnologyVerification | None:
    return db.session.scalar(
        sa.select(TechnologyVerification)
        .where(TechnologyVerification.proposal_id == proposal_id)
        .order_by(TechnologyVerification.verified_at.desc(), TechnologyVerification.id.desc())
        .limit(1)
    )


def verification_history(proposal_id: int) -> list[TechnologyVerification]:
    return list(
        db.session.scalars(
            sa.select(TechnologyVerification)
            .where(TechnologyVerification.proposal_id == proposal_id)
            .order_by(TechnologyVerification.verified_at.desc(), TechnologyVerification.id.desc())
        )
    )


def get_proposal_for_verification(actor: User, proposal_id: int) -> Proposal:
    require(permissions.can_verify(actor))
    return proposals.get_proposal(actor, proposal_id)


def verify_technologies(
    actor: User,
    proposal_id: int,
    technologies: Sequence[str],
    *,
    version_number: int,
    note: str = "",
    received_at: datetime | None = None,
) -> TechnologyVerification:
    """Record which technologies the submitted version really uses, as an official judged.

    ``version_number`` is the version the official looked at; if the applicant submitted a
    newer one since, nothing is recorded. Each verification is kept and audited.
    """
    received_at = received_at or utcnow()
    with transaction():
        require(permissions.can_verify(actor))
        proposal = proposals.get_proposal(actor, proposal_id, for_update=True)
        if proposal.status is not ProposalStatus.submitted or not proposal.versions:
            raise DomainError(_("Only submitted proposals can be verified."))
        latest = proposal.versions[-1]
        if version_number != latest.number:
            raise DomainError(
                _(
                    "Version %(number)d of this proposal was submitted after you opened the page. "
                    "Nothing was saved; check the new version and verify again.",
                    number=latest.number,
                )
            )
        allowed = list(proposal.call.technologies)
        unknown = sorted(set(technologies) - set(allowed))
        if unknown:
            raise ValidationFailed({"technologies": _("Choose technologies from the call's list.")})
        codes = [code for code in allowed if code in technologies]
        declared = [code for code in allowed if code in (latest.data.get("technologies") or [])]
        previous = latest_verification(proposal.id)
        verification = TechnologyVerification(
            proposal_id=proposal.id,
            version_number=latest.number,
            technologies=codes,
            note=note.strip(),
            verified_at=received_at,
            verified_by_id=actor.id,
        )
        db.session.add(verification)
        db.session.flush()
        audit.record(
            actor,
            "proposal.technologies_verified",
            proposal,
            before={"declared": declared, "verified": previous.technologies if previous else None},
            after={
                "verified": codes,
                "version": latest.number,
                "added": [c for c in codes if c not in declared],
                "removed": [c for c in declared if c not in codes],
            },
            reason=note.strip() or None,
        )
    return verification
