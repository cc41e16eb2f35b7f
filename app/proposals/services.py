"""Proposals: drafts, attachments, eligibility, submission before the deadline, withdrawal.

The rule that matters most (DESIGN.md rule 1): every change to a proposal is checked
against the organisation's deadline inside the transaction that makes it, using the
moment the server received the request.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.audit import services as audit
from app.auth.models import User
from app.calls import deadlines
from app.calls import services as calls
from app.calls.models import Call, CallStatus, ProjectType, Technology
from app.core import files, formatting
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.money import format_euro
from app.core.permissions import require
from app.core.time import before_deadline, format_brussels, utcnow
from app.organisations.models import Organisation
from app.organisations.services import active_members, submission_block
from app.proposals import merge, permissions
from app.proposals.declaration import declaration_record
from app.proposals.fields import FIELD_NAMES, LABELS
from app.proposals.models import Attachment, Proposal, ProposalStatus, ProposalVersion


class DeadlinePassed(DomainError):
    def __init__(self, deadline: datetime, received_at: datetime) -> None:
        super().__init__(
            _(
                "The deadline of %(deadline)s (Brussels time) has passed: your request arrived at "
                "%(received)s. Nothing was changed.",
                deadline=format_brussels(deadline),
                received=_precise(received_at),
            )
        )
        self.deadline = deadline
        self.received_at = received_at


class EditConflict(DomainError):
    """Someone saved the proposal since the form was opened: ``fields`` changed both there
    and here (empty when only the revision told: a form without a base)."""

    def __init__(self, proposal: Proposal, fields: list[str] | None = None) -> None:
        super().__init__(_("Someone else saved this proposal while you were editing it."))
        self.proposal = proposal
        self.fields = fields or []


def _precise(moment: datetime) -> str:
    return format_brussels(moment) + f".{moment.microsecond:06d}"


# ---------------------------------------------------------------------------- reading


def visible_proposals(actor: User, call_id: int | None = None) -> list[Proposal]:
    """The proposals ``actor`` may see: their organisations' for applicants, all for officials."""
    query = (
        sa.select(Proposal)
        .options(selectinload(Proposal.attachments), selectinload(Proposal.versions))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())
    )
    if not actor.is_official:
        query = query.where(Proposal.organisation_id.in_(actor.organisation_ids or {-1}))
    if call_id is not None:
        query = query.where(Proposal.call_id == call_id)
    return list(db.session.scalars(query))


def get_proposal(actor: User, proposal_id: int, *, for_update: bool = False) -> Proposal:
    """The proposal, or NotFound for anyone who may not know it exists."""
    query = (
        sa.select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            selectinload(Proposal.attachments),
            selectinload(Proposal.versions).joinedload(ProposalVersion.submitted_by),
        )
    )
    if for_update:
        query = query.with_for_update(of=Proposal)
    proposal = db.session.scalar(query)
    if proposal is None or not permissions.can_view(actor, proposal):
        raise NotFound()
    return proposal


def deadline_of(proposal: Proposal) -> datetime:
    """The proposal's organisation's deadline (app.calls.deadlines)."""
    return deadlines.for_organisation(proposal.call, proposal.organisation_id)


def is_editable(proposal: Proposal, moment: datetime | None = None) -> bool:
    moment = moment or utcnow()
    return (
        proposal.status is not ProposalStatus.withdrawn
        and proposal.call.opens_at <= moment
        and before_deadline(moment, deadline_of(proposal))
    )


def _check_open(proposal: Proposal, received_at: datetime) -> None:
    """The deadline rule, evaluated inside the caller's transaction."""
    if proposal.status is ProposalStatus.withdrawn:
        raise DomainError(_("This proposal was withdrawn and can no longer change."))
    deadline = deadline_of(proposal)
    if not before_deadline(received_at, deadline):
        raise DeadlinePassed(deadline, received_at)
    if received_at < proposal.call.opens_at:
        raise DomainError(
            _("The call opens on %(moment)s.", moment=format_brussels(proposal.call.opens_at))
        )


# ---------------------------------------------------------------------------- drafts


def create_proposal(
    actor: User, call_id: int, organisation_id: int, received_at: datetime | None = None
) -> Proposal:
    received_at = received_at or utcnow()
    with transaction():
        call = calls.get_call(actor, call_id)
        organisation = db.session.get(Organisation, organisation_id)
        if organisation is None or organisation_id not in actor.organisation_ids:
            raise NotFound()
        require(actor.is_applicant)
        if call.status_at(received_at) is not CallStatus.open:
            deadline = deadlines.for_organisation(call, organisation_id)
            if (
                call.is_published
                and call.opens_at <= received_at
                and before_deadline(received_at, deadline)
            ):
                pass  # an individual extension keeps the call open for this organisation
            elif received_at >= call.opens_at:
                raise DeadlinePassed(deadline, received_at)
            else:
                raise DomainError(
                    _("The call opens on %(moment)s.", moment=format_brussels(call.opens_at))
                )
        proposal = Proposal(
            call=call,
            organisation=organisation,
            created_by_id=actor.id,
            created_at=received_at,
            updated_at=received_at,
            updated_by_id=actor.id,
            status=ProposalStatus.draft,
            technologies=[],
            milestones=[],
            partners=[],
        )
        _insert_with_reference(proposal, call)
        audit.record(
            actor,
            "proposal.created",
            proposal,
            after={
                "reference": proposal.reference,
                "call": call.code,
                "organisation": organisation.enterprise_number,
            },
        )
    return proposal


def _insert_with_reference(proposal: Proposal, call: Call) -> None:
    """Number proposals per call (CODE-0001, ...) from the call's counter, which only grows:
    a deleted draft's reference is never given again. The UPDATE locks the call's row until
    the transaction ends, so drafts started at the same moment get consecutive numbers; a
    number already taken by other means is skipped."""
    for _attempt in range(20):
        number = db.session.execute(
            sa.update(Call)
            .where(Call.id == call.id)
            .values(proposals_numbered=Call.proposals_numbered + 1)
            .returning(Call.proposals_numbered)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        proposal.reference = f"{call.code}-{number:04d}"
        savepoint = db.session.begin_nested()
        try:
            db.session.add(proposal)
            db.session.flush()
        except sa.exc.IntegrityError:
            savepoint.rollback()
            continue
        savepoint.commit()
        return
    raise DomainError(_("Too many proposals are being started at once; please try again."))


@dataclass(frozen=True)
class SectionInput:
    """One section of a draft as typed: ``changes`` maps its field names to new values (None
    clears one), ``revision`` is the revision the form was opened at (optimistic locking);
    ``update_proposal`` takes both."""

    changes: Mapping[str, Any]
    revision: int
    base: Mapping[str, str] | None = None  # per-field hashes at loading (app.proposals.merge)


def update_proposal(
    actor: User,
    proposal_id: int,
    changes: Mapping[str, Any],
    expected_revision: int,
    received_at: datetime | None = None,
    *,
    base: Mapping[str, str] | None = None,
) -> Proposal:
    """Save some of a draft's fields (``changes`` maps field names to new values, None
    clearing one). Partial data is fine; impossible values are refused per field and
    nothing is saved, so the form can show them again.

    With ``base`` (each field's hash when the form was loaded) only the same fields changed
    since conflict (app.proposals.merge); without it, any save since ``expected_revision``."""
    unknown = set(changes) - set(FIELD_NAMES)
    if unknown:
        raise ValueError(f"unknown proposal fields: {sorted(unknown)}")
    received_at = received_at or utcnow()
    try:
        with transaction():
            proposal = get_proposal(actor, proposal_id, for_update=True)
            require(permissions.can_edit(actor, proposal))
            _check_open(proposal, received_at)
            if base is not None:
                rebased = merge.rebase(proposal, changes, base)
                if rebased.clashes:
                    raise EditConflict(proposal, rebased.clashes)
                changes = rebased.changes
            elif proposal.revision != expected_revision:
                raise EditConflict(proposal)
            _check_shape(proposal.call, proposal, changes)
            changed = _apply(proposal, changes)
            if not changed:
                return proposal
            proposal.updated_at = received_at
            proposal.updated_by_id = actor.id
            db.session.flush()
            audit.record(actor, "proposal.saved", proposal, after={"fields": changed})
    except StaleDataError as exc:
        db.session.expire_all()
        raise EditConflict(get_proposal(actor, proposal_id)) from exc
    return proposal


def _apply(proposal: Proposal, changes: Mapping[str, Any]) -> list[str]:
    changed = []
    for name in FIELD_NAMES:
        if name not in changes:
            continue
        value = changes[name]
        if isinstance(value, str) and not isinstance(value, Enum):
            value = value.strip()
        if value is None and name in _TEXT_FIELDS:
            value = ""
        if name == "technologies":
            value = [code for code in proposal.call.technologies if code in (value or [])]
        if name in ("milestones", "partners"):
            value = list(value or [])
        if getattr(proposal, name) != value:
            setattr(proposal, name, value)
            changed.append(name)
    return changed


_TEXT_FIELDS = {
    "title",
    "acronym",
    "training_name",
    "training_current_form",
    "training_reference",
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
}


def _check_shape(call: Call, proposal: Proposal, changes: Mapping[str, Any]) -> None:
    """Rules a draft must already respect: sane numbers, dates in order, known codes."""
    errors: dict[str, str] = {}
    data = _Merged(proposal, changes)
    if data.requested_eur is not None and data.requested_eur < 0:
        errors["requested_eur"] = _("The requested amount cannot be negative.")
    if data.own_contribution_eur is not None and data.own_contribution_eur < 0:
        errors["own_contribution_eur"] = _("The own contribution cannot be negative.")
    for name in ("requested_eur", "own_contribution_eur"):
        value = getattr(data, name)
        if value is not None and value >= Decimal("1000000000000"):
            errors[name] = _("This amount is too large.")
    if data.training_hours is not None and not 0 < data.training_hours <= 10000:
        errors["training_hours"] = _("Enter a number of hours between 1 and 10,000.")
    if data.expected_participants is not None and not 0 < data.expected_participants <= 1000000:
        errors["expected_participants"] = _(
            "Enter a number of participants between 1 and 1,000,000."
        )
    if data.start_date and data.end_date and data.end_date < data.start_date:
        errors["end_date"] = _("The end date must be on or after the start date.")
    if data.project_type is not None and data.project_type.value not in call.project_types:
        errors["project_type"] = _("This call does not fund this project type.")
    if data.technologies and not set(data.technologies) <= set(call.technologies):
        errors["technologies"] = _("Choose technologies from the call's list.")
    if errors:
        raise ValidationFailed(errors)


class _Merged:
    """The proposal as it would be after ``changes``: for checks across fields."""

    def __init__(self, proposal: Proposal, changes: Mapping[str, Any]) -> None:
        self._proposal, self._changes = proposal, changes

    def __getattr__(self, name: str) -> Any:
        if name in self._changes:
            return self._changes[name]
        return getattr(self._proposal, name)


# ---------------------------------------------------------------------------- eligibility


@dataclass(frozen=True)
class RuleResult:
    key: str
    label: str
    passed: bool
    message: str
    field: str | None = None


def check_eligibility(proposal: Proposal) -> list[RuleResult]:
    """The call's eligibility rules, each passed or failed, while the applicant writes."""
    call, organisation = proposal.call, proposal.organisation
    results = [
        RuleResult(
            "provider_type",
            _("Provider type allowed"),
            call.allows_provider_type(organisation.provider_type),
            _("%(type)s providers may apply to this call.", type=organisation.provider_type.label)
            if call.allows_provider_type(organisation.provider_type)
            else _(
                "This call is not open to %(type)s providers.",
                type=str(organisation.provider_type.label).lower(),
            ),
        )
    ]

    requested = proposal.requested_eur
    within_max = requested is not None and 0 < requested <= call.max_request_eur
    results.append(
        RuleResult(
            "requested",
            _("Requested amount within the call's maximum"),
            within_max,
            _(
                "%(amount)s requested; the maximum is %(max)s.",
                amount=format_euro(requested),
                max=format_euro(call.max_request_eur),
            )
            if requested is not None
            else _(
                "Enter the requested amount (maximum %(max)s).",
                max=format_euro(call.max_request_eur),
            ),
            "requested_eur",
        )
    )

    own = proposal.own_contribution_eur
    minimum_pct = call.min_own_contribution_pct
    if own is None or requested is None:
        own_ok = False
        own_message = _("Enter the requested amount and the own contribution.")
    else:
        total = requested + own
        share = (own / total * 100) if total else Decimal("0")
        own_ok = share >= minimum_pct
        own_message = _(
            "Own contribution is %(share)s of the total cost; the call asks at least %(minimum)s.",
            share=formatting.percent(share),
            minimum=formatting.percent(minimum_pct),
        )
    results.append(
        RuleResult(
            "own_contribution",
            _("Own contribution within the call's limits"),
            own_ok,
            own_message,
            "own_contribution_eur",
        )
    )

    start, end = proposal.start_date, proposal.end_date
    if start is None or end is None:
        planning_ok, planning_message = False, _("Enter the start and end date.")
    else:
        problems = []
        if end < start:
            problems.append(_("the end date is before the start date"))
        if call.project_start_earliest and start < call.project_start_earliest:
            problems.append(
                _(
                    "the project starts before %(date)s",
                    date=formatting.day(call.project_start_earliest),
                )
            )
        if call.project_end_latest and end > call.project_end_latest:
            problems.append(
                _("the project ends after %(date)s", date=formatting.day(call.project_end_latest))
            )
        planning_ok = not problems
        planning_message = (
            _(
                "From %(start)s to %(end)s, within the call's period.",
                start=formatting.day(start),
                end=formatting.day(end),
            )
            if planning_ok
            else "; ".join(problems).capitalize() + "."
        )
    results.append(
        RuleResult(
            "planning",
            _("Planning within the call's period"),
            planning_ok,
            planning_message,
            "start_date",
        )
    )

    identified = bool(proposal.training_name.strip()) and (
        proposal.project_type is ProjectType.new or bool(proposal.training_current_form.strip())
    )
    results.append(
        RuleResult(
            "training",
            _("Training concerned identified"),
            identified,
            (
                _("%(training)s", training=proposal.training_name)
                + (f" ({proposal.training_reference})" if proposal.training_reference else "")
            )
            if identified
            else _("Name the training and, for an existing training, its current form."),
            "training_name",
        )
    )
    return results


REQUIRED_FIELDS = (
    "title",
    "project_type",
    "training_name",
    "learning_objectives",
    "content",
    "didactic_approach",
    "target_group",
    "disadvantaged_groups",
    "practice_oriented",
    "guidance_before",
    "guidance_during",
    "guidance_after",
    "lms_follow_up",
    "technologies",
    "start_date",
    "end_date",
    "requested_eur",
    "own_contribution_eur",
    "expected_participants",
)


def submission_problems(proposal: Proposal) -> dict[str, str]:
    """Every missing or wrong item, field by field, in the user's language."""
    problems: dict[str, str] = {}
    for name in REQUIRED_FIELDS:
        value = getattr(proposal, name)
        if value is None or value == "" or value == []:
            problems[name] = _("Fill in “%(field)s”", field=LABELS[name])
    if proposal.project_type in (ProjectType.convert, ProjectType.adapt):
        if not proposal.training_current_form:
            problems["training_current_form"] = _(
                "Fill in “%(field)s”", field=LABELS["training_current_form"]
            )
        if proposal.training_hours is None:
            problems["training_hours"] = _("Fill in “%(field)s”", field=LABELS["training_hours"])
    if proposal.practice_oriented and not proposal.practice_explanation:
        problems["practice_explanation"] = _(
            "Fill in “%(field)s”", field=LABELS["practice_explanation"]
        )
    if Technology.other.value in (proposal.technologies or []) and not proposal.technology_other:
        problems["technology_other"] = _("Describe the other technology or method.")
    for rule in check_eligibility(proposal):
        if not rule.passed and rule.field not in problems:
            problems[rule.field or rule.key] = f"{rule.label}: {rule.message}"
    return problems


# ---------------------------------------------------------------------------- attachments


def add_attachment(
    actor: User,
    proposal_id: int,
    filename: str,
    stream: BinaryIO,
    received_at: datetime | None = None,
) -> Attachment:
    received_at = received_at or utcnow()
    config = current_app.config
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        _check_open(proposal, received_at)
        if len(proposal.attachments) >= config["PROPOSAL_MAX_ATTACHMENTS"]:
            raise ValidationFailed(
                {
                    "file": _(
                        "A proposal can have at most %(count)d attachments. Remove one first.",
                        count=config["PROPOSAL_MAX_ATTACHMENTS"],
                    )
                }
            )
        max_bytes = config["PROPOSAL_MAX_ATTACHMENT_BYTES"]
        used, quota = storage_used(proposal.organisation_id), config["ORGANISATION_STORAGE_BYTES"]

        def accept(path, size: int) -> None:  # on the temporary file, before it is kept
            files.accept_pdf(path, size)
            if used + size > quota:
                raise QuotaExceeded(used, size, quota)

        try:
            stored = files.store(stream, max_bytes, accept=accept)
        except files.FileTooLarge as exc:
            raise ValidationFailed(
                {"file": _("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024))}
            ) from exc
        except QuotaExceeded as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "Your organisation's attachments would take %(total)s MB, more than its "
                        "%(quota)s MB of storage. Remove attachments it no longer needs, or ask the "
                        "call's officials for more room.",
                        total=megabytes(exc.used + exc.size),
                        quota=megabytes(exc.quota),
                    )
                }
            ) from exc
        except files.FileRefused as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "The file is not a PDF. Save or export the document as PDF and try again."
                    )
                }
            ) from exc
        name = files.safe_pdf_filename(filename)
        attachment = Attachment(
            proposal=proposal,
            filename=name,
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=actor.id,
            uploaded_at=received_at,
        )
        db.session.add(attachment)
        db.session.flush()
        audit.record(
            actor,
            "proposal.attachment_added",
            proposal,
            after={"filename": name, "sha256": stored.sha256, "size": stored.size},
        )
    return attachment


class QuotaExceeded(ValueError):
    def __init__(self, used: int, size: int, quota: int) -> None:
        super().__init__(used, size, quota)
        self.used, self.size, self.quota = used, size, quota


def megabytes(size: int) -> str:
    """A size in MB with at most one decimal, in the user's language (12,5 in Dutch)."""
    return formatting.megabytes(size)


def storage_used(organisation_id: int) -> int:
    """Bytes of the distinct files an organisation's proposals hold: the working copies'
    attachments and those of every submitted version (kept for good)."""
    sizes = dict(
        db.session.execute(
            sa.select(Attachment.sha256, Attachment.size)
            .join(Proposal, Proposal.id == Attachment.proposal_id)
            .where(Proposal.organisation_id == organisation_id)
        ).all()
    )
    for data in db.session.scalars(
        sa.select(ProposalVersion.data["attachments"])
        .join(Proposal, Proposal.id == ProposalVersion.proposal_id)
        .where(Proposal.organisation_id == organisation_id)
    ):
        for item in data or []:
            sizes.setdefault(item["sha256"], int(item.get("size") or 0))
    return sum(sizes.values())


def version_file_hashes() -> set[str]:
    """The files submitted versions refer to (inside their JSON data)."""
    found: set[str] = set()
    for data in db.session.scalars(sa.select(ProposalVersion.data["attachments"])):
        found.update(item["sha256"] for item in data or [] if item.get("sha256"))
    return found


def remove_attachment(
    actor: User, proposal_id: int, attachment_id: int, received_at: datetime | None = None
) -> None:
    received_at = received_at or utcnow()
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        _check_open(proposal, received_at)
        attachment = next((a for a in proposal.attachments if a.id == attachment_id), None)
        if attachment is None:
            raise NotFound()
        proposal.attachments.remove(attachment)
        audit.record(
            actor,
            "proposal.attachment_removed",
            proposal,
            before={"filename": attachment.filename, "sha256": attachment.sha256},
        )


def attachment_file(actor: User, proposal_id: int, sha256: str) -> tuple[str, str]:
    """(path, filename) of a file of this proposal, current or in any submitted version."""
    proposal = get_proposal(actor, proposal_id)
    names = [a.filename for a in proposal.attachments if a.sha256 == sha256] + [
        item["filename"]
        for version in proposal.versions
        for item in version.data.get("attachments", [])
        if item["sha256"] == sha256
    ]
    if not names:
        raise NotFound()
    log_confidential_read(actor, proposal, "attachment", {"sha256": sha256, "filename": names[0]})
    return str(files.path_for(sha256)), names[0]


def log_confidential_read(
    actor: User, proposal: Proposal, document: str, details: Mapping[str, Any] | None = None
) -> None:
    """Anyone but a member of the proposal's organisation reading one of its confidential
    documents leaves an audit record (``read.<document>``) the officials can see."""
    if not permissions.is_member(actor, proposal):
        audit.record_read(
            actor, document, proposal, {"reference": proposal.reference, **(details or {})}
        )


# ---------------------------------------------------------------------------- submission


def snapshot(proposal: Proposal) -> dict[str, Any]:
    """All fields and attachment hashes, as plain JSON values."""
    data: dict[str, Any] = {}
    for name in FIELD_NAMES:
        value = getattr(proposal, name)
        if isinstance(value, Decimal):
            value = f"{value:.2f}"
        elif isinstance(value, date):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        data[name] = value
    data["attachments"] = [
        {"filename": a.filename, "sha256": a.sha256, "size": a.size} for a in proposal.attachments
    ]
    return data


def organisation_snapshot(organisation: Organisation) -> dict[str, str]:
    """The organisation's identifying data as a submitted version keeps it."""
    return {
        "legal_name": organisation.legal_name,
        "enterprise_number": organisation.enterprise_number,
        "provider_type": organisation.provider_type.value,
        "street": organisation.street or "",
        "postal_code": organisation.postal_code or "",
        "city": organisation.city or "",
    }


def version_header(version: ProposalVersion) -> dict[str, Any]:
    """What a version's fingerprint covers besides its data, by its fingerprint scheme.

    Scheme 1 (versions from before organisations were frozen in) names the organisation
    by its enterprise number; scheme 2 covers the whole frozen organisation."""
    organisation = version.organisation_data
    header: dict[str, Any] = {
        "reference": version.proposal.reference,
        "call": version.proposal.call.code,
        "organisation": organisation.get("enterprise_number", ""),
        "version": version.number,
        "submitted_at": version.submitted_at.isoformat(),
    }
    if version.fingerprint_scheme >= 2:
        header["organisation"] = organisation
        header["scheme"] = version.fingerprint_scheme
    if version.fingerprint_scheme >= 3:
        header["declaration"] = version.declaration
    return header


def fingerprint_matches(version: ProposalVersion) -> bool:
    """Whether the stored fingerprint still matches the version's header and data."""
    return fingerprint(version_header(version), version.data) == version.fingerprint


def fingerprint(header: dict[str, Any], data: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"header": header, "content": data},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def submit_proposal(
    actor: User,
    proposal_id: int,
    received_at: datetime | None = None,
    *,
    declaration: str | None = None,
) -> ProposalVersion:
    """Freeze version n+1 if the request arrived before the organisation's deadline.

    ``declaration`` is the text of the declaration on honour the actor ticked (pages ask
    for it; see app.proposals.declaration): the version keeps it with who and when."""
    received_at = received_at or utcnow()
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        _check_open(proposal, received_at)
        if blocked := submission_block(proposal.organisation):  # pending or refused
            raise DomainError(blocked)
        if actor.email_verified_at is None:
            raise DomainError(
                _(
                    "Confirm your email address before you submit: the receipt "
                    "and every message about the proposal go there. Use the link "
                    "in the email we sent, or ask for a new one on your profile."
                )
            )
        problems = submission_problems(proposal)
        if problems:
            raise ValidationFailed(problems)
        data = snapshot(proposal)
        latest = proposal.versions[-1] if proposal.versions else None
        if (
            latest is not None
            and latest.data == data
            and proposal.status is ProposalStatus.submitted
        ):
            raise DomainError(
                _(
                    "Nothing has changed since version %(number)d, which counts.",
                    number=latest.number,
                )
            )
        number = (latest.number if latest else 0) + 1
        version = ProposalVersion(
            proposal=proposal,
            number=number,
            submitted_at=received_at,
            submitted_by_id=actor.id,
            data=data,
            organisation=organisation_snapshot(proposal.organisation),
            fingerprint_scheme=3,
            deadline_in_force=deadline_of(proposal),
            declaration=declaration_record(actor, declaration, received_at)
            if declaration
            else None,
        )
        version.fingerprint = fingerprint(version_header(version), data)
        db.session.add(version)
        before_status = proposal.status.value
        proposal.status = ProposalStatus.submitted
        proposal.submitted_at = received_at
        db.session.flush()
        audit.record(
            actor,
            "proposal.submitted",
            proposal,
            before={"status": before_status},
            after={
                "status": "submitted",
                "version": number,
                "fingerprint": version.fingerprint,
                "received_at": received_at.isoformat(),
            },
        )
        for member in active_members(proposal.organisation_id):
            enqueue(
                "proposal_submitted",
                to=member.email,
                language=member.language,
                dedupe_key=f"proposal-submitted:{version.id}:{member.id}",
                subject=_l(
                    "Received: %(reference)s version %(number)d",
                    reference=proposal.reference,
                    number=number,
                ),
                template="proposals/email/submitted.txt",
                member=member,
                proposal=proposal,
                version=version,
                submitter=actor,
            )
    return version


def withdraw_proposal(
    actor: User, proposal_id: int, reason: str, received_at: datetime | None = None
) -> Proposal:
    received_at = received_at or utcnow()
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for withdrawing the proposal.")})
    with transaction():
        proposal = get_proposal(actor, proposal_id, for_update=True)
        require(permissions.can_edit(actor, proposal))
        _check_open(proposal, received_at)
        before = proposal.status.value
        proposal.status = ProposalStatus.withdrawn
        proposal.withdrawn_at = received_at
        proposal.withdrawal_reason = reason.strip()
        proposal.updated_by_id = actor.id
        db.session.flush()
        audit.record(
            actor,
            "proposal.withdrawn",
            proposal,
            before={"status": before},
            after={"status": "withdrawn"},
            reason=reason.strip(),
        )
        for member in active_members(proposal.organisation_id):
            enqueue(
                "proposal_withdrawn",
                to=member.email,
                language=member.language,
                dedupe_key=f"proposal-withdrawn:{proposal.id}:{member.id}",
                subject=_l("Withdrawn: %(reference)s", reference=proposal.reference),
                template="proposals/email/withdrawn.txt",
                member=member,
                proposal=proposal,
                withdrawn_by=actor,
            )
    return proposal


def counting_version(
    proposal: Proposal, deadline: datetime | None = None
) -> ProposalVersion | None:
    """The last version submitted before the organisation's deadline: the one evaluated.

    Pass ``deadline`` (see ``app.calls.deadlines.by_organisation``) when handling many
    proposals."""
    if proposal.status is ProposalStatus.withdrawn:
        return None
    deadline = deadline or deadline_of(proposal)
    eligible = [v for v in proposal.versions if before_deadline(v.submitted_at, deadline)]
    return eligible[-1] if eligible else None


# The evaluation reads it under this name.
deadlines_by_organisation = deadlines.by_organisation


def has_unsubmitted_changes(proposal: Proposal) -> bool:
    if not proposal.versions:
        return True
    return proposal.versions[-1].data != snapshot(proposal)


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: Any
    after: Any


def changes_between(older: dict[str, Any] | None, newer: dict[str, Any]) -> list[Change]:
    """What changed from one version's data to the next, field by field."""
    older = older or {}
    changes = []
    for name in (*FIELD_NAMES, "attachments"):
        if older.get(name) != newer.get(name):
            changes.append(Change(name, str(LABELS[name]), older.get(name), newer.get(name)))
    return changes


def version_history(proposal: Proposal) -> list[tuple[ProposalVersion, list[Change]]]:
    history, previous = [], None
    for version in proposal.versions:
        history.append((version, changes_between(previous, version.data)))
        previous = version.data
    return history


def get_version(actor: User, proposal_id: int, number: int) -> tuple[Proposal, ProposalVersion]:
    proposal = get_proposal(actor, proposal_id)
    version = next((v for v in proposal.versions if v.number == number), None)
    if version is None:
        raise NotFound()
    return proposal, version


# ---------------------------------------------------------------------------- reminders

REMINDER_WINDOWS = (("1d", timedelta(days=1)), ("7d", timedelta(days=7)))


def send_deadline_reminders(now: datetime | None = None) -> int:
    """Email every organisation with an unsubmitted draft 7 days and 1 day before its deadline.

    Idempotent: each (call, organisation, window, member) is emailed once, whenever and
    however often this runs. Returns the number of emails queued.
    """
    now = now or utcnow()
    queued = 0
    with transaction():
        drafts = db.session.scalars(
            sa.select(Proposal)
            .where(Proposal.status == ProposalStatus.draft)
            .order_by(Proposal.organisation_id, Proposal.id)
        ).all()
        by_organisation: dict[tuple[int, int], list[Proposal]] = {}
        for proposal in drafts:
            by_organisation.setdefault((proposal.call_id, proposal.organisation_id), []).append(
                proposal
            )
        for (_call_id, organisation_id), proposals in by_organisation.items():
            call = proposals[0].call
            if not call.is_published or now < call.opens_at:
                continue
            deadline = deadlines.for_organisation(call, organisation_id)
            remaining = deadline - now
            if not before_deadline(now, deadline):
                continue
            window = next((key for key, span in REMINDER_WINDOWS if remaining <= span), None)
            if window is None:
                continue
            for member in active_members(organisation_id):
                message = enqueue(
                    "deadline_reminder",
                    to=member.email,
                    language=member.language,
                    dedupe_key=f"deadline-reminder:{call.id}:{organisation_id}:{window}:"
                    f"{member.id}",
                    subject=_l(
                        "Reminder: the call %(call)s closes on %(deadline)s",
                        call=call.title,
                        deadline=format_brussels(deadline, language=member.language),
                    ),
                    template="proposals/email/reminder.txt",
                    member=member,
                    call=call,
                    deadline=deadline,
                    proposals=proposals,
                    window=window,
                )
                queued += message is not None
    return queued
