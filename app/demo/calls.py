"""Demo calls and proposals for ``seed-demo``: this year's open call and last year's closed one.

Everything goes through the real services with ``received_at`` set to the simulated moment,
so proposals get real references, audit records, immutable versions with fingerprints,
stored PDF attachments and queued emails. The plans (plans.py) are built from a fixed random
seed and the current date only, so every run produces the same data. Everything is built in
one transaction (the services nest), so a failure leaves nothing half made, and a call whose
code already exists is skipped, so running the command again changes nothing.
"""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.auth import services as auth_services
from app.auth.models import User
from app.calls import services as calls
from app.calls.models import Call
from app.core.db import db, transaction
from app.core.money import format_euro
from app.core.permissions import Role
from app.core.time import BRUSSELS, format_brussels, utcnow
from app.demo.content import CALL_DESCRIPTION, PROVIDERS, Provider
from app.demo.dates import (
    call_code,
    deadline_of_year,
    historic_window,
    open_call_opening,
    open_call_year,
)
from app.demo.plans import Plan, historic_plans, open_plans
from app.organisations import services as organisations
from app.proposals import services as proposals
from app.proposals.models import Proposal, ProposalStatus

# ============================================================================ calls


def _call_input(year: int, opens: datetime, budget: Decimal) -> calls.CallInput:
    maximum = Decimal("150000.00")
    return calls.CallInput(
        code=call_code(year),
        title=f"ESF e-leren {year}",
        opens_at=opens,
        deadline=deadline_of_year(year),
        description=CALL_DESCRIPTION.format(
            budget=format_euro(budget).replace(",00", ""),
            maximum=format_euro(maximum).replace(",00", ""),
            year=year,
            next_year=year + 1,
        ),
        budget_eur=budget,
        max_request_eur=maximum,
        min_own_contribution_pct=Decimal("10"),
        project_start_earliest=date(year, 7, 1),
        project_end_latest=date(year + 1, 12, 31),
    )


def _get_call(code: str) -> Call | None:
    return db.session.scalar(sa.select(Call).where(Call.code == code))


def _call(code: str) -> Call:
    return db.session.scalars(sa.select(Call).where(Call.code == code)).one()


def _ensure_provider(provider: Provider, password: str) -> tuple[User, int]:
    organisation = organisations.get_by_enterprise_number(provider.enterprise_number)
    if organisation is None:
        organisation = organisations.create_organisation(None, provider.organisation_input())
    user = auth_services.get_user_by_email(provider.email)
    if user is None:
        user = auth_services.create_user(
            None,
            auth_services.AccountInput(
                email=provider.email, name=provider.contact_name, password=password
            ),
            roles={Role.applicant},
            verified=True,
        )
    if organisation.id not in user.organisation_ids:
        organisations.add_member(None, organisation, user)
    return user, organisation.id


def _run(call: Call, plans: list[Plan], password: str) -> None:
    """Replay every plan's steps in time order through the services."""
    actors = {}
    for plan in plans:
        if plan.provider.email not in actors:
            actors[plan.provider.email] = _ensure_provider(plan.provider, password)
    steps = sorted(
        (step.at, i, j) for i, plan in enumerate(plans) for j, step in enumerate(plan.steps)
    )
    current: dict[int, Proposal] = {}
    for at, i, j in steps:
        step = plans[i].steps[j]
        user, organisation_id = actors[plans[i].provider.email]
        if step.kind == "create":
            current[i] = proposals.create_proposal(user, call.id, organisation_id, received_at=at)
        elif step.kind == "save":
            current[i] = proposals.update_proposal(
                user, current[i].id, step.changes, current[i].revision, received_at=at
            )
        elif step.kind == "attach":
            assert step.content is not None
            proposals.add_attachment(
                user,
                current[i].id,
                step.filename,
                io.BytesIO(step.content.render()),
                received_at=at,
            )
        elif step.kind == "submit":
            proposals.submit_proposal(user, current[i].id, received_at=at)
        elif step.kind == "withdraw":
            proposals.withdraw_proposal(user, current[i].id, step.reason, received_at=at)
        else:  # pragma: no cover
            raise ValueError(step.kind)
        # Each service would normally commit, which expires the proposal; inside this one
        # transaction, expire it by hand so the next step reads it back as stored
        # (update_proposal leaves project_type as a plain str until it is reloaded).
        db.session.expire(current[i])


def _build(data: calls.CallInput, published_at: datetime, plans: list[Plan], password: str) -> None:
    call = calls.create_call(None, data)
    calls.publish_call(None, call.id, received_at=published_at)
    _run(call, plans, password)


def build_calls(password: str, now: datetime | None = None) -> list[str]:
    """Create the two demo calls with their proposals unless their codes exist; one summary line
    per call."""
    now = now or utcnow()
    year = open_call_year(now)
    with transaction():
        for provider in PROVIDERS:
            _ensure_provider(provider, password)
        previous = year - 1
        if _get_call(call_code(previous)) is None:
            opens, _deadline = historic_window(previous)
            _build(
                _call_input(previous, opens, Decimal("2000000.00")),
                opens - timedelta(days=14),
                historic_plans(previous),
                password,
            )
        if _get_call(call_code(year)) is None:
            opens = open_call_opening(year, now)
            _build(
                _call_input(year, opens, Decimal("4500000.00")),
                opens - timedelta(days=14),
                open_plans(year, opens, now),
                password,
            )
    return [summary(_call(call_code(y)), now) for y in (year, year - 1)]


def summary(call: Call, now: datetime) -> str:
    counts = dict(
        db.session.execute(
            sa.select(Proposal.status, sa.func.count(Proposal.id))
            .where(Proposal.call_id == call.id)
            .group_by(Proposal.status)
        )
        .tuples()
        .all()
    )
    by_status = ", ".join(f"{counts.get(status, 0)} {status.value}" for status in ProposalStatus)
    return (
        f"call {call.code} ({call.status_at(now).value}) deadline "
        f"{format_brussels(call.deadline)} {BRUSSELS.key}: "
        f"{sum(counts.values())} proposals ({by_status})"
    )
