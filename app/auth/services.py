"""Accounts: registration, reads, roles, activation, anonymisation and the letters' language.

Logging in is in ``login``, sessions in ``sessions``, signed links in ``links``, password
resets and changes in ``password_reset``, API tokens in ``tokens``."""

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.audit import services as audit
from app.auth.links import send_verification_email
from app.auth.models import User, UserRole
from app.auth.passwords import hash_password, password_problem
from app.auth.sessions import end_user_sessions
from app.auth.tokens import revoke_all_tokens
from app.core import throttle
from app.core.db import affected, db, transaction
from app.core.email import OutboxMessage, enqueue, external_url
from app.core.errors import DomainError, NotFound, PermissionDenied, Throttled, ValidationFailed
from app.core.permissions import Role, require
from app.core.time import utcnow


class InvalidCredentials(DomainError):
    default_message = _l("The email address or password is not correct.")


class AccountInactive(DomainError):
    default_message = _l("This account has been deactivated. Contact the ESF team.")


# ---------------------------------------------------------------- reads


def normalise_email(email: str) -> str:
    """Check the syntax and return the address with its domain lower-cased."""
    try:
        result = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed({"email": _("Enter a valid email address.")}) from exc
    return result.normalized


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        sa.select(User).where(sa.func.lower(User.email) == (email or "").strip().lower())
    )


def get_active_by_email(email: str) -> User:
    user = get_user_by_email(email)
    if user is None or not user.active:
        raise NotFound(_("No active account with that email address."))
    return user


# ---------------------------------------------------------------- creating accounts


@dataclass(frozen=True)
class AccountInput:
    email: str
    name: str
    password: str
    language: str = "nl"


def check_account_fields(data: AccountInput) -> str:
    """The account's own fields (address syntax, name, password policy), not whether the
    address is taken: what self-registration may tell anyone."""
    errors: dict[str, str] = {}
    email = ""
    try:
        email = normalise_email(data.email)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if not data.name.strip():
        errors["name"] = _("Enter your name.")
    if problem := password_problem(data.password, email=email, name=data.name):
        errors["password"] = problem
    if errors:
        raise ValidationFailed(errors)
    return email


def check_new_account(data: AccountInput) -> str:
    """The fields, and that no account has the address (administrators and the command line
    are told; self-registration never is, see ``register_applicant``)."""
    errors: dict[str, str] = {}
    email = _normalised_or_empty(data.email)
    try:
        check_account_fields(data)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if email and get_user_by_email(email) is not None:
        errors["email"] = _("An account with this email address already exists.")
    if errors:
        raise ValidationFailed(errors)
    return email


def _normalised_or_empty(email: str) -> str:
    try:
        return normalise_email(email)
    except ValidationFailed:
        return ""


def create_user(
    actor: User | None, data: AccountInput, *, roles: set[Role], verified: bool = False
) -> User:
    """Create an account (admin or operator). ``actor`` None means the command line."""
    if actor is not None:
        require(actor.is_admin)
    with transaction():
        email = check_new_account(data)
        user = User(
            email=email,
            name=data.name.strip(),
            password_hash=hash_password(data.password),
            language=data.language,
            email_verified_at=utcnow() if verified else None,
        )
        user.role_rows = [UserRole(role=role) for role in sorted(roles)]
        db.session.add(user)
        audit.record(
            actor,
            "user.created",
            user,
            after={"email": email, "roles": sorted(r.value for r in roles)},
        )
    return user


def register_applicant(data: AccountInput) -> User | None:
    """Self-registration of an applicant; the organisation part is in organisations.services.

    The answer must not tell whether the address already has an account: check the fields
    with ``check_account_fields`` first. When the address is taken, nothing is created and
    the owner is told by email that someone tried to register with it; ``None`` is returned
    and the caller shows the same page as for a new account. The password is hashed either
    way, so the time taken tells nothing either."""
    with transaction():
        email = check_account_fields(data)
        password_hash = hash_password(data.password)
        existing = get_user_by_email(email)
        if existing is not None:
            enqueue(
                "registration_attempt",
                to=existing.email,
                language=existing.language,
                subject=_l("Someone tried to register with your email address"),
                template="auth/email/registration_attempt.txt",
                user=existing,
                login=external_url("auth.login"),
                reset=external_url("auth.forgot_password"),
            )
            audit.record(
                None,
                "user.registration_refused",
                existing,
                after={"reason": "email already registered"},
            )
            return None
        user = User(
            email=email, name=data.name.strip(), password_hash=password_hash, language=data.language
        )
        user.role_rows = [UserRole(role=Role.applicant)]
        db.session.add(user)
        audit.record(None, "user.registered", user, after={"email": email})
        send_verification_email(user)
    return user


def registration_rules(email: str, address: str) -> list[throttle.Rule]:
    """Registrations count per email address (on every client address) and per client
    address, in the shared throttle counters: past REGISTRATION_THROTTLE_MAX_PER_EMAIL or
    _PER_ADDRESS each further form waits LOGIN_THROTTLE_DELAY seconds, doubling, at most
    REGISTRATION_THROTTLE_WINDOW."""
    config = current_app.config
    window, delay = config["REGISTRATION_THROTTLE_WINDOW"], config["LOGIN_THROTTLE_DELAY"]
    key = printable((email or "").strip().lower(), 254)
    address = printable(address, 64) or "unknown"
    return [
        throttle.Rule(
            f"register:email:{key}", config["REGISTRATION_THROTTLE_MAX_PER_EMAIL"], window, delay
        ),
        throttle.Rule(
            f"register:addr:{address}",
            config["REGISTRATION_THROTTLE_MAX_PER_ADDRESS"],
            window,
            delay,
        ),
    ]


def note_registration_attempt(email: str, address: str, now: datetime | None = None) -> None:
    """Count one registration form for ``email`` and the client ``address`` before it is
    checked; raise ``Throttled`` (with ``retry_after``) while either must still wait.

    Counted the same whether or not the address has an account (so the limit tells nothing),
    and committed on its own, so a refused form still counts."""
    throttle.reserve(registration_rules(email, address), now=now)


def set_roles(actor: User, user_id: int, roles: set[Role]) -> User:
    require(actor.is_admin)
    with transaction():
        user = db.session.get(User, user_id) or _raise(NotFound())
        if user.id == actor.id and Role.admin not in roles:
            raise DomainError(_("You cannot remove your own administrator role."))
        before = sorted(r.value for r in user.roles)
        user.role_rows = [UserRole(role=role) for role in sorted(roles)]
        audit.record(
            actor,
            "user.roles_changed",
            user,
            before={"roles": before},
            after={"roles": sorted(r.value for r in roles)},
        )
    return user


def set_active(actor: User, user_id: int, active: bool) -> User:
    require(actor.is_admin)
    with transaction():
        user = db.session.get(User, user_id) or _raise(NotFound())
        if user.id == actor.id and not active:
            raise DomainError(_("You cannot deactivate your own account."))
        if active and user.anonymised_at is not None:
            raise DomainError(_("An anonymised account cannot be activated again."))
        before = user.active
        user.active = active
        # a deactivated account is logged out everywhere at once, not at its next login
        ended = 0 if active else end_user_sessions(user)
        audit.record(
            actor,
            "user.activated" if active else "user.deactivated",
            user,
            before={"active": before},
            after={"active": active, **({} if active else {"sessions_ended": ended})},
        )
    return user


ANONYMISED_DOMAIN = "invalid"  # RFC 2606: never delivered


class AlreadyAnonymised(DomainError):
    default_message = _l("This account has already been anonymised.")


def anonymise_account(actor: User | None, user_id: int) -> User:
    """Replace the account's name and email with placeholders, make the password unusable,
    end its sessions and tokens and forget its throttling and queued emails: it can never log
    in again. Administrators only (``actor`` None is the command line); never one's own.

    What was frozen stays as it was: proposal versions and decisions keep their fingerprints,
    and earlier audit records are not rewritten; a new one records the anonymisation (without
    the old address)."""
    if actor is not None:
        require(actor.is_admin)
    with transaction():
        user = db.session.get(User, user_id) or _raise(NotFound())
        if actor is not None and user.id == actor.id:
            raise DomainError(_("You cannot anonymise your own account."))
        if user.anonymised_at is not None:
            raise AlreadyAnonymised()
        old_email = user.email.lower()
        user.name = f"anonymised-{user.id}"
        user.email = f"anonymised-{user.id}@{ANONYMISED_DOMAIN}"
        user.password_hash = "!anonymised"  # noqa: S105 (not a hash: no password matches it)
        user.active = False
        user.anonymised_at = utcnow()
        user.email_verified_at = None
        sessions = end_user_sessions(user)
        tokens = revoke_all_tokens(user)
        throttle.clear_prefix(f"login:acct:{old_email}|")
        throttle.clear_prefix(f"reset:acct:{old_email}|")
        throttle.clear(f"token:user:{user.id}")
        mails = forget_outbox(old_email)
        audit.record(
            actor,
            "user.anonymised",
            user,
            after={"sessions_ended": sessions, "tokens_revoked": tokens, "emails_removed": mails},
        )
    return user


def forget_outbox(email: str) -> int:
    """Delete the queued and sent emails to ``email`` (they carry the name and links)."""
    return affected(
        db.session.execute(
            sa.delete(OutboxMessage).where(sa.func.lower(OutboxMessage.recipient) == email.lower())
        )
    )


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(sa.func.lower(User.email))))


def _raise(exc: Exception) -> NoReturn:
    raise exc


def printable(text: str, limit: int) -> str:
    return "".join(c for c in (text or "") if c.isprintable())[:limit]


def set_letter_language(user: User, language: str) -> None:
    """The language of the letters (emails) to ``user``, chosen on the profile; audited.

    The language of the pages is the session's and never changes this."""
    if language not in current_app.config["LANGUAGES"]:
        raise ValidationFailed({"language": _("Choose the language of your letters.")})
    if user.language == language:
        return
    with transaction():
        before = user.language
        user.language = language
        audit.record(
            user,
            "user.letter_language_changed",
            user,
            before={"language": before},
            after={"language": language},
        )


__all__ = [
    "AccountInactive",
    "InvalidCredentials",
    "PermissionDenied",
    "Throttled",
]
