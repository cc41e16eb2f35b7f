"""Organisations and memberships: register a provider, ask to join, approve members."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth import services as auth_services
from app.auth.models import User
from app.core.db import db, transaction
from app.core.email import enqueue
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow
from app.organisations import permissions
from app.organisations.enterprise_number import InvalidEnterpriseNumber, normalise
from app.organisations.models import Membership, MembershipStatus, Organisation, ProviderType


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
        raise ValidationFailed({field: _(
            "Enter a valid enterprise number, like 0123.456.749 or BE0123456749 "
            "(the last two digits are a check).")}) from exc


def get_by_enterprise_number(value: str) -> Organisation | None:
    try:
        number = normalise(value)
    except InvalidEnterpriseNumber:
        return None
    return db.session.scalar(sa.select(Organisation).where(
        Organisation.enterprise_number == number))


def _check_organisation(data: OrganisationInput, *, existing_id: int | None = None) -> str:
    errors: dict[str, str] = {}
    number = ""
    try:
        number = canonical_enterprise_number(data.enterprise_number)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if number:
        other = get_by_enterprise_number(number)
        if other is not None and other.id != existing_id:
            errors["enterprise_number"] = _(
                "An organisation with this enterprise number is already registered. "
                "Ask to join it instead.")
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
    return {"legal_name": organisation.legal_name,
            "enterprise_number": organisation.enterprise_number,
            "provider_type": organisation.provider_type.value,
            "address": f"{organisation.street}, {organisation.postal_code} {organisation.city}",
            "contact": f"{organisation.contact_name} {organisation.contact_email} "
                       f"{organisation.contact_phone}".strip()}


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
        before = _snapshot(organisation)
        _apply(organisation, data, number)
        audit.record(actor, "organisation.updated", organisation, before=before,
                     after=_snapshot(organisation))
    return organisation


def register_with_new_organisation(account: auth_services.AccountInput,
                                   data: OrganisationInput) -> User:
    """Self-registration: a new applicant account and its new organisation, one transaction."""
    with transaction():
        errors: dict[str, str] = {}
        for check in (lambda: _check_organisation(data),
                      lambda: auth_services.check_new_account(account)):
            try:
                check()
            except ValidationFailed as exc:
                errors.update(exc.errors)
        if errors:
            raise ValidationFailed(errors)
        user = auth_services.register_applicant(account)
        organisation = Organisation()
        _apply(organisation, data, canonical_enterprise_number(data.enterprise_number))
        db.session.add(organisation)
        audit.record(user, "organisation.registered", organisation, after=_snapshot(organisation))
        membership = Membership(user=user, organisation=organisation,
                                status=MembershipStatus.active, decided_at=utcnow())
        db.session.add(membership)
        audit.record(user, "membership.created", membership,
                     after={"organisation": organisation.enterprise_number, "status": "active"})
    return user


def register_to_join(account: auth_services.AccountInput, enterprise_number: str) -> User:
    """Self-registration asking to join an existing organisation (a member or official approves)."""
    with transaction():
        errors: dict[str, str] = {}
        organisation = None
        try:
            number = canonical_enterprise_number(enterprise_number, "join_enterprise_number")
            organisation = get_by_enterprise_number(number)
            if organisation is None:
                errors["join_enterprise_number"] = _(
                    "No organisation with this enterprise number is registered yet. "
                    "Register it as a new organisation instead.")
        except ValidationFailed as exc:
            errors.update(exc.errors)
        try:
            auth_services.check_new_account(account)
        except ValidationFailed as exc:
            errors.update(exc.errors)
        if errors:
            raise ValidationFailed(errors)
        user = auth_services.register_applicant(account)
        _request_membership(user, organisation)
    return user


def request_membership(actor: User, enterprise_number: str) -> Membership:
    """A logged-in applicant asks to join another organisation."""
    require(actor.is_applicant)
    with transaction():
        number = canonical_enterprise_number(enterprise_number)
        organisation = get_by_enterprise_number(number)
        if organisation is None:
            raise ValidationFailed({"enterprise_number": _(
                "No organisation with this enterprise number is registered yet.")})
        existing = db.session.scalar(sa.select(Membership).where(
            Membership.user_id == actor.id, Membership.organisation_id == organisation.id))
        if existing is not None and existing.status is not MembershipStatus.rejected:
            raise DomainError(_("You are already a member of this organisation or have asked "
                                "to join it."))
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        return _request_membership(actor, organisation)


def _request_membership(user: User, organisation: Organisation) -> Membership:
    membership = Membership(user=user, organisation=organisation,
                            status=MembershipStatus.pending)
    db.session.add(membership)
    audit.record(user, "membership.requested", membership,
                 after={"organisation": organisation.enterprise_number, "status": "pending"})
    for member in active_members(organisation.id):
        enqueue("membership_requested", to=member.email, language=member.language,
                subject=_l("%(name)s asks to join %(organisation)s", name=user.name,
                          organisation=organisation.legal_name),
                template="organisations/email/membership_requested.txt",
                member=member, applicant=user, organisation=organisation)
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
        audit.record(actor, "membership.approved" if approve else "membership.rejected",
                     membership, before={"status": "pending"},
                     after={"status": membership.status.value,
                            "user": membership.user.email,
                            "organisation": membership.organisation.enterprise_number})
        user = membership.user
        enqueue("membership_decided", to=user.email, language=user.language,
                subject=_l("Your request to join %(organisation)s",
                          organisation=membership.organisation.legal_name),
                template="organisations/email/membership_decided.txt",
                user=user, organisation=membership.organisation, approved=approve)
    return membership


def add_member(actor: User | None, organisation: Organisation, user: User) -> Membership:
    """Operators (command line) and officials attach a user to an organisation directly."""
    if actor is not None:
        require(actor.is_official or actor.is_admin)
    with transaction():
        membership = db.session.scalar(sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id))
        if membership is None:
            membership = Membership(user=user, organisation=organisation)
            db.session.add(membership)
        membership.status = MembershipStatus.active
        membership.decided_at = utcnow()
        audit.record(actor, "membership.created", membership,
                     after={"organisation": organisation.enterprise_number, "user": user.email,
                            "status": "active"})
    return membership


# ---------------------------------------------------------------- reads

def _visible(actor: User, organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not permissions.can_view(actor, organisation):
        raise NotFound()
    return organisation


def get_organisation(actor: User, organisation_id: int) -> Organisation:
    return _visible(actor, organisation_id)


def active_members(organisation_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == organisation_id,
               Membership.status == MembershipStatus.active, User.active.is_(True))
        .order_by(User.name)))


def list_memberships(organisation_id: int) -> list[Membership]:
    return list(db.session.scalars(
        sa.select(Membership).where(Membership.organisation_id == organisation_id)
        .options(sa.orm.selectinload(Membership.user))
        .order_by(Membership.status, Membership.requested_at)))


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
        for organisation in db.session.scalars(sa.select(Organisation).where(
                sa.func.lower(Organisation.contact_email) == old_email.lower())):
            organisation.contact_name = user.name
            organisation.contact_email = user.email
            organisation.contact_phone = ""
            audit.record(actor, "organisation.contact_anonymised", organisation,
                         after={"user_id": user.id})
            count += 1
    return count
