"""Step 2: the evaluation starts after every deadline, and an official decides each
submitted proposal's admissibility on the version that counts: one at a time or a selection
at once, as a draft; the applicants learn the results when an official releases them, in one
confirmed step (a result changed after its release sends a correction)."""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.models import User
from app.calls import deadlines
from app.calls.models import Call, CallPhase
from app.core.db import db, transaction
from app.core.email import enqueue, render_email
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import before_deadline, format_brussels, utcnow
from app.organisations.models import Membership, MembershipStatus
from app.organisations.services import active_members
from app.proposals import access as proposal_access
from app.proposals import services as proposals
from app.proposals.models import Proposal
from app.reviews import permissions
from app.reviews.facts import evaluated_version, last_deadline, missing_in_version
from app.reviews.models import Admissibility, AdmissibilityCheck, AdmissibilityRelease

# ---------------------------------------------------------------------------- admissibility


def admissibility_checks(proposal: Proposal) -> dict[str, bool]:
    """The facts an official weighs: on time, complete, provider type, budget."""
    version = proposals.counting_version(proposal)
    call = proposal.call
    requested = Decimal(version.data.get("requested_eur") or "0") if version else None
    return {
        "on_time": version is not None,
        "complete": version is not None and not missing_in_version(version.data),
        "provider_type": call.allows_provider_type(proposal.submitted_organisation.provider_type),
        "budget": requested is not None and Decimal("0") < requested <= call.max_request_eur,
    }


def _reason_required(result: Admissibility, reason: str) -> None:
    if result is Admissibility.inadmissible and not reason.strip():
        raise ValidationFailed(
            {
                "reason": _(
                    "Give the reason why the proposal is inadmissible; the applicant will read it."
                )
            }
        )


def _decide(
    actor: User, proposal: Proposal, result: Admissibility, reason: str
) -> AdmissibilityCheck:
    """Record the decision on one (locked) proposal, audited; nothing is sent: the
    applicant learns it when the results are released (``release_results``)."""
    if before_deadline(utcnow(), proposal_access.deadline_of(proposal)):
        raise DomainError(_("Admissibility is checked after the deadline."))
    version = evaluated_version(proposal)
    check = db.session.scalar(
        sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == proposal.id)
    )
    before = {} if check is None else {"result": check.result.value, "reason": check.reason}
    if check is None:
        check = AdmissibilityCheck(proposal_id=proposal.id)
        db.session.add(check)
    check.version_id = version.id
    check.result = result
    check.reason = reason.strip()
    check.checks = admissibility_checks(proposal)
    check.checked_by_id = actor.id
    check.checked_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        f"proposal.{result.value}",
        proposal,
        before=before,
        after={
            "result": result.value,
            "version": version.number,
            "checks": check.checks,
            "released": not check.unreleased,
        },
        reason=check.reason or None,
    )
    return check


def decide_admissibility(
    actor: User, proposal_id: int, result: Admissibility, reason: str = ""
) -> AdmissibilityCheck:
    """Decide one proposal's admissibility, as a draft the applicant does not see yet."""
    require(permissions.can_manage(actor))
    _reason_required(result, reason)
    with transaction():
        proposal = proposal_access.get_proposal(actor, proposal_id, for_update=True)
        return _decide(actor, proposal, result, reason)


def decide_admissibility_many(
    actor: User, call_id: int, proposal_ids: list[int], result: Admissibility, reason: str = ""
) -> list[AdmissibilityCheck]:
    """Decide several proposals of one call at once, with the same result and reason: the
    same rules and audit record per proposal, all or none."""
    require(permissions.can_manage(actor))
    wanted = sorted(set(proposal_ids))
    if not wanted:
        raise ValidationFailed({"proposal_ids": _("Select at least one proposal.")})
    if len(wanted) > BULK_LIMIT:
        raise ValidationFailed(
            {"proposal_ids": _("Select at most %(count)d proposals at once.", count=BULK_LIMIT)}
        )
    _reason_required(result, reason)
    with transaction():
        chosen = list(
            db.session.scalars(
                sa.select(Proposal)
                .where(Proposal.id.in_(wanted), Proposal.call_id == call_id)
                .order_by(Proposal.id)
                .with_for_update()
            )
        )
        if len(chosen) != len(wanted):
            raise NotFound()
        checks = []
        for proposal in chosen:
            try:
                checks.append(_decide(actor, proposal, result, reason))
            except DomainError as exc:
                raise DomainError(
                    _(
                        "%(reference)s: %(problem)s Nothing was recorded.",
                        reference=proposal.reference,
                        problem=exc.user_message(),
                    )
                ) from exc
    return checks


BULK_LIMIT = 200  # more than a page of the list (50 rows): a selection, never a whole call


def admissibility_of(proposal_id: int) -> AdmissibilityCheck | None:
    return db.session.scalar(
        sa.select(AdmissibilityCheck).where(AdmissibilityCheck.proposal_id == proposal_id)
    )


# ---------------------------------------------------------------------------- release


@dataclass(frozen=True)
class ReleasedResult:
    """What the applicant was told: nothing before the results are released."""

    result: Admissibility
    reason: str
    released_at: datetime


def released_admissibility(proposal_id: int) -> ReleasedResult | None:
    check = admissibility_of(proposal_id)
    if check is None or check.released_result is None or check.released_at is None:
        return None
    return ReleasedResult(check.released_result, check.released_reason or "", check.released_at)


def _unreleased(call_id: int) -> sa.Select[tuple[AdmissibilityCheck]]:
    return (
        sa.select(AdmissibilityCheck)
        .join(Proposal, Proposal.id == AdmissibilityCheck.proposal_id)
        .where(Proposal.call_id == call_id, AdmissibilityCheck.unreleased_in_sql())
    )


def unreleased_count(call_id: int) -> int:
    """How many decisions the applicants have not been told yet (new or changed)."""
    query = _unreleased(call_id).with_only_columns(sa.func.count(AdmissibilityCheck.id))
    return db.session.scalar(query) or 0


def _letter(check: AdmissibilityCheck, member: User) -> dict[str, Any]:
    """The email one member of the applicant organisation gets for this decision: the
    first letter (admissible or inadmissible) or a correction of an earlier one."""
    proposal = check.proposal
    common = {"member": member, "proposal": proposal, "reason": check.reason, "check": check}
    if check.released_result is not None:
        return {
            "kind": "admissibility_corrected",
            "subject": _l(
                "Correction: the admissibility of your proposal %(reference)s",
                reference=proposal.reference,
            ),
            "template": "reviews/email/admissibility_correction.txt",
            **common,
        }
    if check.result is Admissibility.inadmissible:
        return {
            "kind": "proposal_inadmissible",
            "subject": _l(
                "Your proposal %(reference)s is inadmissible", reference=proposal.reference
            ),
            "template": "reviews/email/inadmissible.txt",
            **common,
        }
    return {
        "kind": "proposal_admissible",
        "subject": _l("Your proposal %(reference)s is admissible", reference=proposal.reference),
        "template": "reviews/email/admissible.txt",
        **common,
    }


def _token(checks: list[AdmissibilityCheck]) -> str:
    """Names exactly the decisions a confirmation page showed: the release refuses when
    one of them changed (or another was added) in the meantime."""
    parts = sorted(f"{c.id}:{c.result.value}:{c.reason}:{c.checked_at.isoformat()}" for c in checks)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass
class ReleasePreview:
    """What releasing the results would send: per outcome the proposals and emails, the
    corrections of results released before, and one letter as its recipient reads it."""

    counts: dict[str, int] = field(default_factory=dict)  # admissible, inadmissible, corrections
    emails: dict[str, int] = field(default_factory=dict)  # the same keys: emails queued
    token: str = ""
    letter: dict[str, Any] | None = None  # {"to", "language", "subject", "body"}
    releases: list[AdmissibilityRelease] = field(default_factory=list)

    @property
    def proposals(self) -> int:
        return sum(self.counts.values())

    @property
    def recipients(self) -> int:
        return sum(self.emails.values())


def _kind(check: AdmissibilityCheck) -> str:
    return "corrections" if check.released_result is not None else check.result.value


def release_preview(actor: User, call_id: int) -> ReleasePreview:
    """Counted in SQL (whatever the number of proposals); one letter rendered."""
    require(permissions.can_manage(actor))
    preview = ReleasePreview(
        counts=dict.fromkeys(RELEASE_KINDS, 0), emails=dict.fromkeys(RELEASE_KINDS, 0)
    )
    members = (
        sa.select(sa.func.count(User.id))
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organisation_id == Proposal.organisation_id,
            Membership.status == MembershipStatus.active,
            User.active.is_(True),
        )
        .scalar_subquery()
    )
    checks = list(db.session.scalars(_unreleased(call_id).order_by(Proposal.reference)))
    counted = db.session.execute(
        _unreleased(call_id).with_only_columns(AdmissibilityCheck.id, members)
    )
    by_id: dict[int, int] = dict(counted.tuples().all())
    for check in checks:
        preview.counts[_kind(check)] += 1
        preview.emails[_kind(check)] += by_id.get(check.id, 0)
    preview.token = _token(checks)
    for check in checks:
        if by_id.get(check.id):
            member = active_members(check.proposal.organisation_id)[0]
            letter = _letter(check, member)
            subject, body = render_email(
                letter.pop("subject"),
                letter.pop("template"),
                member.language,
                **{k: v for k, v in letter.items() if k != "kind"},
            )
            preview.letter = {
                "to": member.email,
                "language": member.language,
                "subject": subject,
                "body": body,
            }
            break
    preview.releases = list(
        db.session.scalars(
            sa.select(AdmissibilityRelease)
            .where(AdmissibilityRelease.call_id == call_id)
            .order_by(AdmissibilityRelease.id.desc())
            .limit(10)
        )
    )
    return preview


RELEASE_KINDS = ("admissible", "inadmissible", "corrections")


def release_results(actor: User, call_id: int, token: str) -> AdmissibilityRelease:
    """Tell the applicants every decision not released yet, in one confirmed step: the
    first letter, or a correction when a released result changed. ``token`` is the
    preview's: when the decisions changed since the official looked, nothing is sent."""
    require(permissions.can_manage(actor))
    with transaction():
        call = db.session.get(Call, call_id, with_for_update=True)
        if call is None:
            raise NotFound()
        checks = list(
            db.session.scalars(_unreleased(call_id).order_by(Proposal.reference).with_for_update())
        )
        if not checks:
            raise DomainError(_("Every decision has been released: there is nothing to send."))
        if token != _token(checks):
            raise DomainError(
                _(
                    "The decisions changed since you opened this page. Nothing was sent: "
                    "check the new figures and confirm again."
                )
            )
        now = utcnow()
        release = AdmissibilityRelease(call_id=call.id, released_at=now, released_by_id=actor.id)
        db.session.add(release)
        db.session.flush()
        counts = dict.fromkeys((*RELEASE_KINDS, "emails"), 0)
        for check in checks:
            counts[_kind(check)] += 1
            for member in active_members(check.proposal.organisation_id):
                letter = _letter(check, member)
                enqueue(
                    letter.pop("kind"),
                    to=member.email,
                    language=member.language,
                    dedupe_key=f"admissibility:{release.id}:{check.id}:{member.id}",
                    subject=letter.pop("subject"),
                    template=letter.pop("template"),
                    **letter,
                )
                counts["emails"] += 1
            before = (
                {}
                if check.released_result is None
                else {"result": check.released_result.value, "reason": check.released_reason}
            )
            audit.record(
                actor,
                "proposal.admissibility_corrected" if before else "proposal.admissibility_released",
                check.proposal,
                before=before,
                after={"result": check.result.value, "reason": check.reason},
            )
            check.released_result = check.result
            check.released_reason = check.reason
            check.released_at = now
        release.counts = counts
        audit.record(actor, "call.admissibility_released", call, after=counts)
    return release


def start_evaluation(actor: User, call_id: int, now: datetime | None = None) -> Call:
    """Move a closed call into the evaluation phase (after every deadline, audited)."""
    require(permissions.can_manage(actor))
    moment = now or utcnow()
    with transaction():
        call = db.session.get(Call, call_id, with_for_update=True)
        if call is None:
            raise NotFound()
        if call.phase is not CallPhase.published:
            raise DomainError(
                _(
                    "Only a published call that has closed can start its "
                    "evaluation; this one is in phase “%(phase)s”.",
                    phase=call.status_at(moment).label,
                )
            )
        if not deadlines.all_passed(call, moment):
            raise DomainError(
                _(
                    "The evaluation starts after the deadline (%(deadline)s, "
                    "Brussels time, individual extensions included).",
                    deadline=format_brussels(last_deadline(call)),
                )
            )
        call.phase = CallPhase.evaluation
        audit.record(
            actor,
            "call.evaluation_started",
            call,
            before={"phase": "published"},
            after={"phase": "evaluation"},
        )
    return call
