"""Calls: create, edit, publish and close them; individual deadline extensions."""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.audit.models import AuditRecord
from app.auth.models import User
from app.calls import deadlines, permissions
from app.calls.models import (
    ALL_PROJECT_TYPES,
    ALL_PROVIDER_TYPES,
    ALL_TECHNOLOGIES,
    Call,
    CallPhase,
    CallStatus,
    DeadlineExtension,
)
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import (  # noqa: F401  (InvalidLocalTime, parse_local: calls.forms reads them here)
    BRUSSELS,
    InvalidLocalTime,
    before_deadline,
    format_brussels,
    parse_local,
    utcnow,
)
from app.organisations.models import Organisation
from app.organisations.services import active_members

CODE_CHARACTERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


@dataclass(frozen=True)
class CallInput:
    code: str
    title: str
    opens_at: datetime
    deadline: datetime
    description: str = ""
    budget_eur: Decimal = Decimal("0")
    max_request_eur: Decimal = Decimal("0")
    min_own_contribution_pct: Decimal = Decimal("0")
    project_start_earliest: date | None = None
    project_end_latest: date | None = None
    provider_types: list[str] = field(default_factory=lambda: list(ALL_PROVIDER_TYPES))
    project_types: list[str] = field(default_factory=lambda: list(ALL_PROJECT_TYPES))
    technologies: list[str] = field(default_factory=lambda: list(ALL_TECHNOLOGIES))
    contact_name: str = ""
    contact_email: str = ""
    # Why rules are changed after the deadline, or an open deadline is brought forward.
    change_reason: str = ""


# The rules submitted proposals were written and are judged against: after the deadline
# a change needs a reason (admissibility, eligibility, budget and funding line).
FROZEN_RULES = (
    "budget_eur",
    "max_request_eur",
    "min_own_contribution_pct",
    "project_start_earliest",
    "project_end_latest",
    "provider_types",
    "project_types",
    "technologies",
)


def rules_frozen(call: Call, moment: datetime | None = None) -> bool:
    """Whether the call's rules hold submitted proposals: published and past the deadline
    for everyone (proposals submitted on time are final from then on)."""
    return call.is_published and not before_deadline(
        moment or utcnow(), deadlines.for_everyone(call)
    )


RULE_CHANGE_ACTIONS = ("call.rules_changed_after_deadline", "call.deadline_brought_forward")


@dataclass(frozen=True)
class RuleChange:
    at: datetime
    kind: str  # "rules" or "deadline"
    reason: str
    rules: tuple[str, ...] = ()
    old_deadline: datetime | None = None
    new_deadline: datetime | None = None


def rule_changes(call: Call) -> list[RuleChange]:
    """Rules changed after the deadline and deadlines brought forward, with their reasons,
    oldest first (from the audit log): the call's page shows them."""
    records = db.session.scalars(
        sa.select(AuditRecord)
        .where(
            AuditRecord.entity_type == Call.__tablename__,
            AuditRecord.entity_id == call.id,
            AuditRecord.action.in_(RULE_CHANGE_ACTIONS),
        )
        .order_by(AuditRecord.at, AuditRecord.id)
        .limit(200)
    )
    changes = []
    for record in records:
        if record.action == "call.deadline_brought_forward":
            changes.append(
                RuleChange(
                    record.at,
                    "deadline",
                    record.reason or "",
                    old_deadline=datetime.fromisoformat(record.before["deadline"]),
                    new_deadline=datetime.fromisoformat(record.after["deadline"]),
                )
            )
        else:
            changes.append(
                RuleChange(
                    record.at,
                    "rules",
                    record.reason or "",
                    rules=tuple(n for n in FROZEN_RULES if n in record.after),
                )
            )
    return changes


def _snapshot(call: Call) -> dict[str, Any]:
    return {
        "code": call.code,
        "title": call.title,
        "phase": call.phase.value,
        "opens_at": call.opens_at.isoformat(),
        "deadline": call.deadline.isoformat(),
        "budget_eur": f"{call.budget_eur:.2f}",
        "max_request_eur": f"{call.max_request_eur:.2f}",
        "min_own_contribution_pct": f"{call.min_own_contribution_pct:.2f}",
        "project_start_earliest": call.project_start_earliest
        and call.project_start_earliest.isoformat(),
        "project_end_latest": call.project_end_latest and call.project_end_latest.isoformat(),
        "provider_types": list(call.provider_types),
        "project_types": list(call.project_types),
        "technologies": list(call.technologies),
        "contact_name": call.contact_name,
        "contact_email": call.contact_email,
    }


def _check(data: CallInput, existing: Call | None) -> str:
    errors: dict[str, str] = {}
    code = data.code.strip().upper()
    if not code:
        errors["code"] = _("Enter a code for the call.")
    elif len(code) > 40 or not set(code) <= CODE_CHARACTERS:
        errors["code"] = _("Use at most 40 letters, digits, hyphens or underscores for the code.")
    else:
        other = db.session.scalar(sa.select(Call).where(Call.code == code))
        if other is not None and other is not existing:
            errors["code"] = _("The code %(code)s is already used by another call.", code=code)
    if not data.title.strip():
        errors["title"] = _("Enter a title for the call.")
    if data.deadline <= data.opens_at:
        errors["deadline"] = _("The deadline must be after the opening moment.")
    if data.budget_eur is None or data.budget_eur < 0:
        errors["budget_eur"] = _("The budget cannot be negative.")
    if data.max_request_eur is None or data.max_request_eur < 0:
        errors["max_request_eur"] = _("The maximum per proposal cannot be negative.")
    elif data.budget_eur is not None and data.max_request_eur > data.budget_eur > 0:
        errors["max_request_eur"] = _("The maximum per proposal cannot exceed the budget.")
    if not Decimal("0") <= data.min_own_contribution_pct <= Decimal("100"):
        errors["min_own_contribution_pct"] = _("Enter a percentage between 0 and 100.")
    if (
        data.project_start_earliest
        and data.project_end_latest
        and data.project_end_latest <= data.project_start_earliest
    ):
        errors["project_end_latest"] = _("The end of the project period must be after its start.")
    if not data.provider_types or not set(data.provider_types) <= set(ALL_PROVIDER_TYPES):
        errors["provider_types"] = _("Choose at least one eligible provider type.")
    if not data.project_types or not set(data.project_types) <= set(ALL_PROJECT_TYPES):
        errors["project_types"] = _("Choose at least one project type.")
    if not data.technologies or not set(data.technologies) <= set(ALL_TECHNOLOGIES):
        errors["technologies"] = _("Choose at least one technology.")
    if data.contact_email.strip() and contact_address(data.contact_email) is None:
        errors["contact_email"] = _("Enter an email address like info@example.be.")
    if len(data.contact_name.strip()) > 200:
        errors["contact_name"] = _("Use at most 200 characters for the contact.")
    if existing is not None and existing.is_published:
        now = utcnow()
        if data.opens_at != existing.opens_at and existing.opens_at <= now:
            errors["opens_at"] = _("The call is already open; its opening moment cannot change.")
        if data.deadline != existing.deadline and existing.deadline <= now:
            errors["deadline"] = _(
                "The deadline has passed and cannot be moved. Grant an individual extension "
                "to an organisation instead."
            )
        elif data.deadline != existing.deadline and data.deadline <= now:
            errors["deadline"] = _("A new deadline must lie in the future.")
    if errors:
        raise ValidationFailed(errors)
    return code


def _apply(call: Call, data: CallInput, code: str) -> None:
    call.code = code
    call.title = data.title.strip()
    call.description = data.description.strip()
    call.opens_at = data.opens_at
    call.deadline = data.deadline
    call.budget_eur = data.budget_eur
    call.max_request_eur = data.max_request_eur
    call.min_own_contribution_pct = data.min_own_contribution_pct
    call.project_start_earliest = data.project_start_earliest
    call.project_end_latest = data.project_end_latest
    call.provider_types = [t for t in ALL_PROVIDER_TYPES if t in data.provider_types]
    call.project_types = [t for t in ALL_PROJECT_TYPES if t in data.project_types]
    call.technologies = [t for t in ALL_TECHNOLOGIES if t in data.technologies]
    call.contact_name = data.contact_name.strip()
    call.contact_email = contact_address(data.contact_email) or ""


def create_call(actor: User | None, data: CallInput) -> Call:
    """An official (or the command line, actor None) creates a call as a draft."""
    if actor is not None:
        require(permissions.can_manage(actor))
    with transaction():
        code = _check(data, None)
        call = Call(phase=CallPhase.draft)
        _apply(call, data, code)
        db.session.add(call)
        db.session.flush()
        audit.record(actor, "call.created", call, after=_snapshot(call))
    return call


def update_call(actor: User, call_id: int, data: CallInput) -> Call:
    require(permissions.can_manage(actor))
    with transaction():
        call = get_call(actor, call_id)
        if call.phase in (CallPhase.evaluation, CallPhase.decided):
            raise DomainError(_("A call in evaluation can no longer be edited."))
        before = _snapshot(call)
        code = _check(data, call)
        now = utcnow()
        frozen = rules_frozen(call, now)
        old_deadline = call.deadline
        shortened = (
            call.is_published
            and data.deadline < old_deadline
            and before_deadline(now, old_deadline)
        )
        _apply(call, data, code)
        after = _snapshot(call)
        changed = [name for name in FROZEN_RULES if before[name] != after[name]] if frozen else []
        reason = data.change_reason.strip()
        if (changed or shortened) and not reason:
            raise ValidationFailed(
                {
                    "change_reason": _(
                        "The deadline has passed: submitted proposals were written against these "
                        "rules. Give the reason for changing them; it is shown on the call's page."
                    )
                    if changed
                    else _(
                        "Give the reason for bringing the deadline forward; it is shown on the "
                        "call's page."
                    )
                }
            )
        audit.record(actor, "call.updated", call, before=before, after=after, reason=reason or None)
        if changed:
            audit.record(
                actor,
                "call.rules_changed_after_deadline",
                call,
                before={name: before[name] for name in changed},
                after={name: after[name] for name in changed},
                reason=reason,
            )
        if shortened:
            audit.record(
                actor,
                "call.deadline_brought_forward",
                call,
                before={"deadline": old_deadline.isoformat()},
                after={"deadline": call.deadline.isoformat()},
                reason=reason,
            )
    return call


def publish_call(actor: User | None, call_id: int, received_at: datetime | None = None) -> Call:
    received_at = received_at or utcnow()
    if actor is not None:
        require(permissions.can_manage(actor))
    with transaction():
        call = _get(call_id)
        if call.phase is not CallPhase.draft:
            raise DomainError(_("This call has already been published."))
        if call.deadline <= received_at:
            raise DomainError(_("The deadline has passed; move it before publishing."))
        call.phase = CallPhase.published
        call.published_at = received_at
        audit.record(
            actor, "call.published", call, before={"phase": "draft"}, after={"phase": "published"}
        )
    return call


def close_call(actor: User, call_id: int, reason: str) -> Call:
    """Close an open call before its deadline (an exceptional measure, with a reason)."""
    require(permissions.can_manage(actor))
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for closing the call early.")})
    with transaction():
        call = _get(call_id)
        now = utcnow()
        if call.status_at(now) not in (CallStatus.open, CallStatus.upcoming):
            raise DomainError(_("Only an open or announced call can be closed."))
        # The last second on time is the one before this one: from now on, nothing is accepted.
        call.closed_at = now.replace(microsecond=0) - timedelta(seconds=1)
        call.closed_reason = reason.strip()
        audit.record(
            actor,
            "call.closed",
            call,
            before={"closes_at": call.deadline.isoformat()},
            after={"closes_at": call.closed_at.isoformat()},
            reason=reason.strip(),
        )
    return call


def grant_extension(
    actor: User, call_id: int, organisation_id: int, deadline: datetime, reason: str
) -> DeadlineExtension:
    """Give one organisation its own, later deadline for this call."""
    require(permissions.can_manage(actor))
    errors: dict[str, str] = {}
    if not reason.strip():
        errors["reason"] = _("Give the reason for the extension.")
    with transaction():
        call = _get(call_id)
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None:
            errors["organisation_id"] = _("Choose an organisation.")
        if deadline <= call.deadline:
            errors["deadline"] = _(
                "The extended deadline must be after the call's deadline (%(deadline)s).",
                deadline=format_brussels(call.deadline),
            )
        if errors or organisation is None:
            raise ValidationFailed(errors)
        extension = db.session.scalar(
            sa.select(DeadlineExtension).where(
                DeadlineExtension.call_id == call.id,
                DeadlineExtension.organisation_id == organisation_id,
            )
        )
        before: dict[str, str] = {}
        if extension is None:
            extension = DeadlineExtension(call=call, organisation_id=organisation_id)
            db.session.add(extension)
        else:
            before = {"deadline": extension.deadline.isoformat(), "reason": extension.reason}
        extension.deadline = deadline
        extension.reason = reason.strip()
        extension.granted_by_id = actor.id
        extension.granted_at = utcnow()
        db.session.flush()
        audit.record(
            actor,
            "call.extension_granted",
            extension,
            before=before,
            after={
                "call": call.code,
                "organisation": organisation.enterprise_number,
                "deadline": deadline.isoformat(),
            },
            reason=reason.strip(),
        )
        for member in active_members(organisation_id):
            enqueue(
                "deadline_extension",
                to=member.email,
                language=member.language,
                dedupe_key=f"extension:{extension.id}:{deadline.isoformat()}:{member.id}",
                subject=_l(
                    "Your own deadline for %(call)s: %(deadline)s",
                    call=call.code,
                    deadline=format_brussels(deadline),
                ),
                template="calls/email/extension.txt",
                member=member,
                organisation=organisation,
                call=call,
                extension=extension,
            )
    return extension


def extensions_for(call: Call, organisation_ids: Collection[int]) -> list[DeadlineExtension]:
    """The individual deadlines of these organisations (a user's) in this call."""
    if not organisation_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(DeadlineExtension)
            .where(
                DeadlineExtension.call_id == call.id,
                DeadlineExtension.organisation_id.in_(organisation_ids),
            )
            .order_by(DeadlineExtension.deadline)
        )
    )


def extension_for(call: Call, organisation_id: int) -> DeadlineExtension | None:
    return db.session.scalar(
        sa.select(DeadlineExtension).where(
            DeadlineExtension.call_id == call.id,
            DeadlineExtension.organisation_id == organisation_id,
        )
    )


def deadline_for(call: Call, organisation_id: int) -> datetime:
    """The instant after which this organisation can no longer change its proposals."""
    return deadlines.for_organisation(call, organisation_id)


def _get(call_id: int) -> Call:
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound()
    return call


def get_call(actor: User | None, call_id: int) -> Call:
    call = _get(call_id)
    if not permissions.can_view(actor, call):
        raise NotFound()
    return call


def get_call_by_code(actor: User | None, code: str) -> Call:
    call = db.session.scalar(sa.select(Call).where(Call.code == code.upper()))
    if call is None or not permissions.can_view(actor, call):
        raise NotFound()
    return call


def list_calls(actor: User | None) -> list[Call]:
    """Published calls for everyone; officials also see drafts. Newest deadline first."""
    query = sa.select(Call).order_by(Call.deadline.desc(), Call.id)
    if not permissions.can_manage(actor):
        query = query.where(Call.phase != CallPhase.draft)
    return list(db.session.scalars(query))


def open_calls(moment: datetime | None = None) -> list[Call]:
    moment = moment or utcnow()
    return [call for call in list_calls(None) if call.status_at(moment) is CallStatus.open]


def brussels_input(moment: datetime | None) -> str:
    """The form value for a deadline: Brussels wall-clock time with seconds."""
    return "" if moment is None else moment.astimezone(BRUSSELS).strftime("%Y-%m-%d %H:%M:%S")


def contact_address(value: str) -> str | None:
    """The call's contact address checked as account addresses are (email_validator, no
    DNS lookup) and normalised; None when it is not a valid address."""
    value = (value or "").strip()
    if len(value) > 254:
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None
