"""Joining an organisation: asking to join (registering or logged in), and a member
administrator's or an official's approval."""

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth import services as auth_services
from app.auth.models import User
from app.core.db import db, transaction
from app.core.email import enqueue, external_url
from app.core.errors import DomainError, NotFound, ValidationFailed
from app.core.permissions import require
from app.core.time import utcnow
from app.organisations import permissions
from app.organisations.models import (
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStatus,
)
from app.organisations.services import (
    canonical_enterprise_number,
    collect_errors,
    get_by_enterprise_number,
    member_admins,
    officials,
)


def register_to_join(
    account: auth_services.AccountInput, enterprise_number: str, *, address: str | None = None
) -> User | None:
    """Self-registration asking to join an existing organisation: nobody joins by knowing an
    enterprise number; a member administrator (or an official) approves. None as in
    ``register_with_new_organisation`` when the email address already has an account."""
    if address is not None:
        auth_services.note_registration_attempt(account.email, address)
    with transaction():
        organisation = collect_errors(
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
