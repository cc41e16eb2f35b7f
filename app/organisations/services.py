"""Organisations and memberships: register a provider, confirm it, ask to join, approve
members."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import BinaryIO

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth import services as auth_services
from app.auth.models import User, UserRole
from app.core import files
from app.core.db import db, transaction
from app.core.email import enqueue, external_url
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.pagination import Page
from app.core.permissions import Role, require
from app.core.time import utcnow
from app.organisations import permissions
from app.organisations.enterprise_number import InvalidEnterpriseNumber, normalise
from app.organisations.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationEvidence,
    OrganisationStatus,
    ProviderType,
)

MAX_EVIDENCE_FILES = 5


@dataclass(frozen=True)
class OrganisationInput:
    legal_name: str
    enterprise_number: str
    provider_type: ProviderType
    street: str = ""
    postal_code: str = ""
    city: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def canonical_enterprise_number(value: str, field: str = "enterprise_number") -> str:
    try:
        return normalise(value)
    except InvalidEnterpriseNumber as exc:
        raise ValidationFailed(
            {
                field: _(
                    "Enter a valid enterprise number, like 0123.456.749 or BE0123456749 "
                    "(the last two digits are a check)."
                )
            }
        ) from exc


def get_by_enterprise_number(value: str) -> Organisation | None:
    try:
        number = normalise(value)
    except InvalidEnterpriseNumber:
        return None
    return db.session.scalar(
        sa.select(Organisation).where(Organisation.enterprise_number == number)
    )


def _check_organisation(
    data: OrganisationInput, *, existing_id: int | None = None, reuse_refused: bool = False
) -> str:
    errors: dict[str, str] = {}
    number = ""
    try:
        number = canonical_enterprise_number(data.enterprise_number)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if number:
        other = get_by_enterprise_number(number)
        if (
            other is not None
            and other.id != existing_id
            and not (reuse_refused and other.status is OrganisationStatus.refused)
        ):
            errors["enterprise_number"] = _(
                "An organisation with this enterprise number is already registered. "
                "Ask to join it instead."
            )
    if not data.legal_name.strip():
        errors["legal_name"] = _("Enter the legal name of the organisation.")
    if data.contact_email:
        try:
            auth_services.normalise_email(data.contact_email)
        except ValidationFailed:
            errors["contact_email"] = _("Enter a valid email address.")
    if errors:
        raise ValidationFailed(errors)
    return number


def _apply(organisation: Organisation, data: OrganisationInput, number: str) -> None:
    organisation.legal_name = data.legal_name.strip()
    organisation.enterprise_number = number
    organisation.provider_type = data.provider_type
    organisation.street = data.street.strip()
    organisation.postal_code = data.postal_code.strip()
    organisation.city = data.city.strip()
    organisation.contact_name = data.contact_name.strip()
    organisation.contact_email = data.contact_email.strip()
    organisation.contact_phone = data.contact_phone.strip()


def _snapshot(organisation: Organisation) -> dict:
    return {
        "legal_name": organisation.legal_name,
        "enterprise_number": organisation.enterprise_number,
        "provider_type": organisation.provider_type.value,
        "address": f"{organisation.street}, {organisation.postal_code} {organisation.city}",
        "contact": f"{organisation.contact_name} {organisation.contact_email} "
        f"{organisation.contact_phone}".strip(),
    }


def create_organisation(actor: User | None, data: OrganisationInput) -> Organisation:
    """An official/admin (or the command line, actor None) registers an organisation."""
    if actor is not None:
        require(actor.is_official or actor.is_admin)
    with transaction():
        number = _check_organisation(data)
        organisation = Organisation()
        _apply(organisation, data, number)
        db.session.add(organisation)
        audit.record(actor, "organisation.created", organisation, after=_snapshot(organisation))
    return organisation


def update_organisation(actor: User, organisation_id: int, data: OrganisationInput) -> Organisation:
    with transaction():
        organisation = _visible(actor, organisation_id)
        require(permissions.can_edit(actor, organisation))
        number = _check_organisation(data, existing_id=organisation.id)
        if (
            number != organisation.enterprise_number
            and organisation.is_confirmed
            and not (actor.is_official or actor.is_admin)
        ):
            # The confirmation was for this number: another one would be claimed unchecked.
            raise ValidationFailed(
                {
                    "enterprise_number": _(
                        "Only the ESF team can change the enterprise number of a confirmed "
                        "organisation. Contact them if it is wrong."
                    )
                }
            )
        before = _snapshot(organisation)
        _apply(organisation, data, number)
        audit.record(
            actor,
            "organisation.updated",
            organisation,
            before=before,
            after=_snapshot(organisation),
        )
    return organisation


def register_with_new_organisation(
    account: auth_services.AccountInput, data: OrganisationInput, *, address: str | None = None
) -> User | None:
    """Self-registration: a new applicant account and its new organisation, one transaction.

    The organisation is pending until an official confirms it (see ``confirm_organisation``);
    meanwhile its registrant may write drafts but not submit. An enterprise number whose
    registration was refused may be registered again: the record is reused, its old members
    lose access. The web form passes the client ``address``: registrations are throttled per
    email address and per client address. Returns None, creating nothing, when the email
    address already has an account (its owner is told by email; the caller answers as if it
    were new)."""
    if address is not None:
        auth_services.note_registration_attempt(account.email, address)
    with transaction():
        number = _collect_errors(
            lambda: _check_organisation(data, reuse_refused=True),
            lambda: auth_services.check_account_fields(account),
        )[0]
        user = auth_services.register_applicant(account)
        if user is None:
            return None
        organisation = get_by_enterprise_number(number)
        before = None
        if organisation is None:
            organisation = Organisation()
            db.session.add(organisation)
        else:  # refused before: a fresh start for the new registrant
            before = {**_snapshot(organisation), "status": organisation.status.value}
            for old in organisation.memberships:
                old.status, old.is_admin = MembershipStatus.rejected, False
            organisation.evidence = []
        _apply(organisation, data, number)
        organisation.status = OrganisationStatus.pending
        organisation.registered_by_id = user.id
        organisation.decided_at = organisation.decided_by_id = None
        organisation.refusal_reason = ""
        db.session.flush()
        audit.record(
            user,
            "organisation.registered",
            organisation,
            before=before,
            after={**_snapshot(organisation), "status": "pending"},
        )
        membership = Membership(
            user=user,
            organisation=organisation,
            status=MembershipStatus.active,
            decided_at=utcnow(),
        )
        db.session.add(membership)
        audit.record(
            user,
            "membership.created",
            membership,
            after={"organisation": organisation.enterprise_number, "status": "active"},
        )
    return user


def _collect_errors(*checks) -> list:
    """Run every check, gather all their field errors in one ValidationFailed."""
    errors: dict[str, str] = {}
    results = []
    for check in checks:
        try:
            results.append(check())
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    return results


def register_to_join(
    account: auth_services.AccountInput, enterprise_number: str, *, address: str | None = None
) -> User | None:
    """Self-registration asking to join an existing organisation: nobody joins by knowing an
    enterprise number; a member administrator (or an official) approves. None as in
    ``register_with_new_organisation`` when the email address already has an account."""
    if address is not None:
        auth_services.note_registration_attempt(account.email, address)
    with transaction():
        organisation = _collect_errors(
            lambda: _joinable(enterprise_number, "join_enterprise_number"),
            lambda: auth_services.check_account_fields(account),
        )[0]
        user = auth_services.register_applicant(account)
        if user is None:
            return None
        _request_membership(user, organisation)
    return user


def _joinable(enterprise_number: str, field: str) -> Organisation:
    number = canonical_enterprise_number(enterprise_number, field)
    organisation = get_by_enterprise_number(number)
    if organisation is None:
        raise ValidationFailed(
            {
                field: _(
                    "No organisation with this enterprise number is registered yet. "
                    "Register it as a new organisation instead."
                )
            }
        )
    if organisation.status is OrganisationStatus.refused:
        raise ValidationFailed(
            {
                field: _(
                    "The registration of this organisation was refused. Register it as a new "
                    "organisation instead, with a document showing you may act for it."
                )
            }
        )
    return organisation


def request_membership(actor: User, enterprise_number: str) -> Membership:
    """A logged-in applicant asks to join another organisation."""
    require(actor.is_applicant)
    with transaction():
        organisation = _joinable(enterprise_number, "enterprise_number")
        existing = db.session.scalar(
            sa.select(Membership).where(
                Membership.user_id == actor.id, Membership.organisation_id == organisation.id
            )
        )
        if existing is not None and existing.status is not MembershipStatus.rejected:
            raise DomainError(
                _("You are already a member of this organisation or have asked to join it.")
            )
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return _request_membership(actor, organisation)


def _request_membership(user: User, organisation: Organisation) -> Membership:
    membership = Membership(user=user, organisation=organisation, status=MembershipStatus.pending)
    db.session.add(membership)
    audit.record(
        user,
        "membership.requested",
        membership,
        after={"organisation": organisation.enterprise_number, "status": "pending"},
    )
    # The member administrators decide; while there are none (a pending organisation), the
    # ESF team does.
    for member in member_admins(organisation.id) or officials():
        enqueue(
            "membership_requested",
            to=member.email,
            language=member.language,
            subject=_l(
                "%(name)s asks to join %(organisation)s",
                name=user.name,
                organisation=organisation.legal_name,
            ),
            template="organisations/email/membership_requested.txt",
            member=member,
            applicant=user,
            organisation=organisation,
            link=external_url("organisations.detail", organisation_id=organisation.id),
        )
    return membership


def decide_membership(actor: User, membership_id: int, approve: bool) -> Membership:
    with transaction():
        membership = db.session.get(Membership, membership_id)
        if membership is None or not permissions.can_view(actor, membership.organisation):
            raise NotFound()
        require(permissions.can_decide_membership(actor, membership))
        if membership.status is not MembershipStatus.pending:
            raise DomainError(_("This request has already been handled."))
        membership.status = MembershipStatus.active if approve else MembershipStatus.rejected
        membership.decided_at = utcnow()
        membership.decided_by_id = actor.id
        audit.record(
            actor,
            "membership.approved" if approve else "membership.rejected",
            membership,
            before={"status": "pending"},
            after={
                "status": membership.status.value,
                "user": membership.user.email,
                "organisation": membership.organisation.enterprise_number,
            },
        )
        user = membership.user
        enqueue(
            "membership_decided",
            to=user.email,
            language=user.language,
            subject=_l(
                "Your request to join %(organisation)s",
                organisation=membership.organisation.legal_name,
            ),
            template="organisations/email/membership_decided.txt",
            user=user,
            organisation=membership.organisation,
            approved=approve,
        )
    return membership


def add_member(
    actor: User | None, organisation: Organisation, user: User, *, admin: bool | None = None
) -> Membership:
    """Operators (command line) and officials attach a user to an organisation directly.
    The first member becomes a member administrator unless ``admin`` says otherwise."""
    if actor is not None:
        require(actor.is_official or actor.is_admin)
    with transaction():
        membership = db.session.scalar(
            sa.select(Membership).where(
                Membership.user_id == user.id, Membership.organisation_id == organisation.id
            )
        )
        if admin is None:
            admin = not member_admins(organisation.id)
        if membership is None:
            membership = Membership(user=user, organisation=organisation)
            db.session.add(membership)
        membership.status = MembershipStatus.active
        membership.is_admin = admin
        membership.decided_at = utcnow()
        audit.record(
            actor,
            "membership.created",
            membership,
            after={
                "organisation": organisation.enterprise_number,
                "user": user.email,
                "status": "active",
                "admin": admin,
            },
        )
    return membership


# ---------------------------------------------------------------- confirmation by officials


def submission_block(organisation: Organisation) -> str | None:
    """Why proposals of ``organisation`` cannot be submitted yet, or None when they can."""
    if organisation.status is OrganisationStatus.pending:
        return _(
            "Your organisation is waiting for confirmation by the ESF team, so its "
            "proposals cannot be submitted yet. Upload a document showing you may act for "
            "the organisation on its page if you have not done so. You can keep working on "
            "the draft; the deadline of the call still applies."
        )
    if organisation.status is OrganisationStatus.refused:
        return _(
            "The registration of your organisation was refused, so its proposals cannot "
            "be submitted. The reason is on the organisation's page."
        )
    return None


def add_evidence(
    actor: User, organisation_id: int, filename: str, stream: BinaryIO
) -> OrganisationEvidence:
    """A member of a pending organisation uploads a PDF showing they may act for it."""
    config = current_app.config
    with transaction():
        organisation = _visible(actor, organisation_id)
        require(permissions.can_add_evidence(actor, organisation))
        if organisation.status is not OrganisationStatus.pending:
            raise DomainError(
                _("Evidence is only needed while the organisation waits for confirmation.")
            )
        if len(organisation.evidence) >= MAX_EVIDENCE_FILES:
            raise ValidationFailed(
                {
                    "file": _(
                        "You can upload at most %(count)d documents. Ask the ESF team if you need more.",
                        count=MAX_EVIDENCE_FILES,
                    )
                }
            )
        max_bytes = config["PROPOSAL_MAX_ATTACHMENT_BYTES"]
        try:  # checked before it is kept: a refused file leaves nothing in storage
            stored = files.store(stream, max_bytes, accept=files.accept_pdf)
        except files.FileTooLarge as exc:
            raise ValidationFailed(
                {"file": _("The file is larger than %(size)s MB.", size=max_bytes // (1024 * 1024))}
            ) from exc
        except files.FileRefused as exc:
            raise ValidationFailed(
                {
                    "file": _(
                        "The file is not a PDF. Save or export the document as PDF and try again."
                    )
                }
            ) from exc
        evidence = OrganisationEvidence(
            organisation=organisation,
            filename=files.safe_pdf_filename(filename),
            sha256=stored.sha256,
            size=stored.size,
            uploaded_by_id=actor.id,
        )
        db.session.add(evidence)
        db.session.flush()
        audit.record(
            actor,
            "organisation.evidence_added",
            organisation,
            after={"filename": evidence.filename, "sha256": stored.sha256, "size": stored.size},
        )
    return evidence


def get_evidence(actor: User, evidence_id: int) -> OrganisationEvidence:
    """Members of the organisation and officials may read its evidence."""
    evidence = db.session.get(OrganisationEvidence, evidence_id)
    if evidence is None or not permissions.can_view(actor, evidence.organisation):
        raise NotFound()
    return evidence


def confirm_organisation(actor: User, organisation_id: int) -> Organisation:
    """An official confirms a pending organisation on its evidence; its registrant becomes a
    member administrator."""
    require(permissions.can_confirm(actor))
    with transaction():
        organisation = _pending(organisation_id)
        if not organisation.evidence:
            raise DomainError(
                _(
                    "The applicant has not uploaded any evidence yet. Confirm the "
                    "organisation once a document shows they may act for it."
                )
            )
        organisation.status = OrganisationStatus.confirmed
        organisation.decided_at = utcnow()
        organisation.decided_by_id = actor.id
        for membership in organisation.memberships:
            if membership.user_id == organisation.registered_by_id and membership.is_active:
                membership.is_admin = True
        audit.record(
            actor,
            "organisation.confirmed",
            organisation,
            before={"status": "pending"},
            after={"status": "confirmed", "evidence": [e.sha256 for e in organisation.evidence]},
        )
        _tell_members(organisation, approved=True)
    return organisation


def refuse_organisation(actor: User, organisation_id: int, reason: str) -> Organisation:
    """An official refuses a pending organisation, with a reason its members are told."""
    require(permissions.can_confirm(actor))
    reason = (reason or "").strip()
    with transaction():
        organisation = _pending(organisation_id)
        if not reason:
            raise ValidationFailed({"reason": _("Say why the organisation is refused.")})
        if len(reason) > 2000:
            raise ValidationFailed({"reason": _("Write at most %(count)d characters.", count=2000)})
        organisation.status = OrganisationStatus.refused
        organisation.decided_at = utcnow()
        organisation.decided_by_id = actor.id
        organisation.refusal_reason = reason
        audit.record(
            actor,
            "organisation.refused",
            organisation,
            before={"status": "pending"},
            after={"status": "refused", "reason": reason},
        )
        _tell_members(organisation, approved=False)
    return organisation


def _pending(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    if organisation.status is not OrganisationStatus.pending:
        raise DomainError(_("This organisation has already been handled."))
    return organisation


def _tell_members(organisation: Organisation, *, approved: bool) -> None:
    for member in active_members(organisation.id):
        enqueue(
            "organisation_decided",
            to=member.email,
            language=member.language,
            dedupe_key=f"organisation-decided:{organisation.id}:{member.id}:"
            f"{organisation.decided_at.isoformat()}",
            subject=_l(
                "The registration of %(organisation)s", organisation=organisation.legal_name
            ),
            template="organisations/email/organisation_decided.txt",
            member=member,
            organisation=organisation,
            approved=approved,
            link=external_url("organisations.detail", organisation_id=organisation.id),
        )


# ---------------------------------------------------------------- reads


def _visible(actor: User, organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.can_view(actor, organisation):
        raise NotFound()
    return organisation


def get_organisation(actor: User, organisation_id: int) -> Organisation:
    return _visible(actor, organisation_id)


def active_members(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.status == MembershipStatus.active,
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )


def member_admins(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == organisation_id,
                Membership.is_admin.is_(True),
                Membership.status == MembershipStatus.active,
                User.active.is_(True),
            )
            .order_by(User.name)
        )
    )


def officials() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.official, User.active.is_(True))
            .order_by(User.id)
        )
    )


@dataclass(frozen=True)
class PendingRow:
    organisation: Organisation
    registrant: User | None
    evidence_count: int


def pending_queue(actor: User, args: Mapping[str, str]) -> Page:
    """The officials' queue: pending organisations, oldest first, one page of at most 50,
    each with its registrant and how many documents it uploaded (counted in SQL)."""
    require(permissions.can_confirm(actor))
    pending = Organisation.status == OrganisationStatus.pending
    total = (
        db.session.scalar(sa.select(sa.func.count()).select_from(Organisation).where(pending)) or 0
    )
    page = Page.of(args, total=total)
    evidence_count = (
        sa.select(sa.func.count())
        .where(OrganisationEvidence.organisation_id == Organisation.id)
        .correlate(Organisation)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Organisation, User, evidence_count)
        .outerjoin(User, User.id == Organisation.registered_by_id)
        .where(pending)
        .order_by(Organisation.created_at, Organisation.id)
        .limit(page.per_page)
        .offset(page.offset)
    )
    page.items = [PendingRow(o, u, n) for o, u, n in rows]
    return page


def count_pending() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Organisation)
            .where(Organisation.status == OrganisationStatus.pending)
        )
        or 0
    )


def list_memberships(organisation_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            sa.select(Membership)
            .where(Membership.organisation_id == organisation_id)
            .options(sa.orm.selectinload(Membership.user))
            .order_by(Membership.status, Membership.requested_at)
        )
    )


def list_visible_organisations(actor: User) -> list[Organisation]:
    query = sa.select(Organisation).order_by(Organisation.legal_name)
    if not (actor.is_official or actor.is_admin):
        query = query.where(Organisation.id.in_(actor.organisation_ids or {-1}))
    return list(db.session.scalars(query))


def anonymise_contact(actor: User | None, user: User, old_email: str) -> int:
    """Where the anonymised ``user`` (whose address was ``old_email``) is an organisation's
    contact person, replace the contact's name, email and phone with the account's
    placeholders. Versions already submitted keep the organisation data they froze."""
    count = 0
    with transaction():
        for organisation in db.session.scalars(
            sa.select(Organisation).where(
                sa.func.lower(Organisation.contact_email) == old_email.lower()
            )
        ):
            organisation.contact_name = user.name
            organisation.contact_email = user.email
            organisation.contact_phone = ""
            audit.record(
                actor, "organisation.contact_anonymised", organisation, after={"user_id": user.id}
            )
            count += 1
    return count
