"""Statistics of one call as of any moment (the as-of semantics: app/reporting/proposal_rows.py).

Figures count submitted proposals unless they say otherwise. Every figure is aggregated by
the database in a fixed number of GROUP BY queries (``aggregate_statistics``,
app/reporting/aggregates.py), whatever the number of proposals, versions and
verifications; ``compute_statistics`` states the same figures in Python over loaded rows.
The figures are cached per call under its last change (``change_key``).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.audit.models import AuditRecord
from app.auth.models import User
from app.calls import services as calls
from app.calls.models import ALL_PROJECT_TYPES, ALL_PROVIDER_TYPES, Call
from app.core.cache import cache
from app.core.db import db, side_by_side
from app.core.permissions import require
from app.core.time import to_brussels, utcnow
from app.proposals.models import Proposal, ProposalVersion
from app.reporting import aggregates, permissions
from app.reporting.models import TechnologyVerification
from app.reporting.proposal_rows import ProposalRow, load_rows
from app.reviews.models import AdmissibilityCheck, DecisionRecord

STATUSES, VR_OR_AI, PRACTICE = aggregates.STATUSES, aggregates.VR_OR_AI, aggregates.PRACTICE


@dataclass
class DayRow:
    day: date  # in Brussels
    new: int = 0  # proposals submitted for the first time
    resubmitted: int = 0  # new versions of proposals submitted before
    withdrawn: int = 0  # submitted proposals withdrawn
    cumulative: int = 0  # submitted proposals at the end of the day (or at the moment)


@dataclass
class CallStatistics(aggregates.Figures):
    """The figures (``aggregates.Figures``) of ``call`` as of ``as_of``, with the days and
    the evaluation."""

    call: Call
    as_of: datetime
    technologies: list[str]  # the call's vocabulary, in order
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
            self.loaded_rows = load_rows(self.call, self.as_of)
        return self.loaded_rows

    @property
    def submitted(self) -> list[ProposalRow]:
        return [row for row in self.rows if row.status == "submitted"]

    @property
    def submitted_count(self) -> int:
        return self.by_status["submitted"]


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
            cached: CallStatistics = replace(statistics, call=call, as_of=as_of)
            return cached
    statistics = aggregate_statistics(call, as_of)
    statistics.evaluation = evaluation_counts(call, as_of)
    stored = replace(statistics, call=None, loaded_rows=None)  # type: ignore[arg-type]  # no ORM object in the cache
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
    """The call's last change, in one query (each table read once): any write that can
    move a figure changes it."""
    of_call = Proposal.call_id == call.id

    def joined(model: Any, *columns: Any) -> sa.Select[Any]:
        return sa.select(*columns).join(Proposal, Proposal.id == model.proposal_id).where(of_call)

    row = db.session.execute(
        side_by_side(
            sa.select(
                sa.func.count(Proposal.id),
                sa.func.max(Proposal.id),
                sa.func.max(Proposal.updated_at),
            ).where(of_call),
            sa.select(sa.func.max(Proposal.withdrawn_at)).where(of_call),
            joined(ProposalVersion, sa.func.max(ProposalVersion.id)),
            joined(TechnologyVerification, sa.func.max(TechnologyVerification.id)),
            joined(
                AdmissibilityCheck,
                sa.func.count(AdmissibilityCheck.id),
                sa.func.max(AdmissibilityCheck.checked_at),
            ),
            sa.select(sa.func.max(DecisionRecord.id)).where(DecisionRecord.call_id == call.id),
            sa.select(sa.func.max(AuditRecord.id)).where(
                AuditRecord.action.in_(_CHANGES_ELSEWHERE)
            ),
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


def aggregate_statistics(call: Call, as_of: datetime) -> CallStatistics:
    """The figures of ``compute_statistics`` by GROUP BY queries in the database, without
    loading the call's rows (see app/reporting/aggregates.py)."""
    found = aggregates.figures(call, as_of)
    days = [
        DayRow(day, new, again, gone, running)
        for day, new, again, gone, running in aggregates.days_from_events(
            call, aggregates.day_events(call, as_of), as_of
        )
    ]
    return CallStatistics(
        **{name.name: getattr(found, name.name) for name in fields(aggregates.Figures)},
        call=call,
        as_of=as_of,
        technologies=list(call.technologies),
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
