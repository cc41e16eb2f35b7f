"""Organisations: the record (register a provider, edit it), adding members directly, and
the reads of organisations and their people. Joining is in ``memberships``, confirmation
by officials (evidence, confirm, refuse, the pending queue) in ``confirmation``."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit import services as audit
from app.auth import services as auth_services
from app.auth.models import User, UserRole
from app.core.db import db, transaction
from app.core.errors import NotFound, ValidationFailed
from app.core.permissions import Role, require
from app.core.time import utcnow
from app.organisations import permissions
from app.organisations.enterprise_number import InvalidEnterpriseNumber, normalise
from app.organisations.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStatus,
    ProviderType,
)


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


def _snapshot(organisation: Organisation) -> dict[str, Any]:
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
        organisation = visible_organisation(actor, organisation_id)
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

    The organisation is pending until an official confirms it (see ``confirmation.confirm_organisation``);
    meanwhile its registrant may write drafts but not submit. An enterprise number whose
    registration was refused may be registered again: the record is reused, its old members
    lose access. The web form passes the client ``address``: registrations are throttled per
    email address and per client address. Returns None, creating nothing, when the email
    address already has an account (its owner is told by email; the caller answers as if it
    were new)."""
    if address is not None:
        auth_services.note_registration_attempt(account.email, address)
    with transaction():
        number = collect_errors(
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


def collect_errors(*checks: Callable[[], Any]) -> list[Any]:
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


# ---------------------------------------------------------------- reads


def visible_organisation(actor: User, organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.can_view(actor, organisation):
        raise NotFound()
    return organisation


def get_organisation(actor: User, organisation_id: int) -> Organisation:
    return visible_organisation(actor, organisation_id)


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
