"""Accounts: registration, verification, login with throttling, password reset, roles, tokens."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.audit import services as audit
from app.auth.models import ApiToken, User, UserRole, UserSession
from app.auth.passwords import check_password, hash_password, password_problem
from app.core import throttle
from app.core.db import db, transaction
from app.core.email import OutboxMessage, enqueue, external_url
from app.core.errors import DomainError, NotFound, PermissionDenied, Throttled, ValidationFailed
from app.core.permissions import Role, require
from app.core.time import utcnow

# A hash to compare against when the account does not exist, so timing reveals nothing.
_DUMMY_HASH: str | None = None


class InvalidCredentials(DomainError):
    default_message = _l("The email address or password is not correct.")


class AccountInactive(DomainError):
    default_message = _l("This account has been deactivated. Contact the ESF team.")


class LinkInvalid(DomainError):
    default_message = _l("This link is not valid. Request a new one.")


class LinkExpired(DomainError):
    default_message = _l("This link has expired. Request a new one.")


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


def load_user(user_id: str, session_key: str | None) -> User | None:
    """Flask-Login's loader: the user only while the session's key has a live row."""
    if not session_key or not user_id.isdigit() or len(user_id) > 9:
        return None
    return db.session.scalar(
        sa.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), UserSession.key_hash == _token_hash(session_key))
    )


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
    key = _printable((email or "").strip().lower(), 254)
    address = _printable(address, 64) or "unknown"
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
        ended = 0 if active else _end_sessions(user)
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
        sessions = _end_sessions(user)
        tokens = _revoke_all_tokens(user)
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
    return (
        db.session.execute(
            sa.delete(OutboxMessage).where(sa.func.lower(OutboxMessage.recipient) == email.lower())
        ).rowcount
        or 0
    )


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(sa.func.lower(User.email))))


def _raise(exc: Exception):
    raise exc


# ---------------------------------------------------------------- signed links


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"portal.{purpose}")


def make_link_token(user: User, purpose: str) -> str:
    # The hash fragment makes a reset link single-use: once the password changes it is void.
    return _serializer(purpose).dumps(
        {"id": user.id, "h": user.password_hash[-12:], "e": user.email.lower()}
    )


def _read_link_token(token: str, purpose: str, max_age: int) -> User:
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise LinkExpired() from exc
    except BadSignature as exc:
        raise LinkInvalid() from exc
    user = db.session.get(User, data.get("id"))
    if (
        user is None
        or user.password_hash[-12:] != data.get("h")
        or user.email.lower() != data.get("e")
    ):
        raise LinkInvalid()
    return user


def _link(endpoint: str, token: str) -> str:
    return external_url(endpoint, token=token)


def send_verification_email(user: User) -> None:
    with transaction():
        enqueue(
            "verify_email",
            to=user.email,
            language=user.language,
            subject=_l("Confirm your email address"),
            template="auth/email/verify.txt",
            user=user,
            link=_link("auth.verify_email", make_link_token(user, "verify")),
        )


def verify_email(token: str) -> User:
    with transaction():
        user = _read_link_token(token, "verify", current_app.config["EMAIL_TOKEN_MAX_AGE"])
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()
            audit.record(user, "user.email_verified", user, after={"email": user.email})
    return user


def request_password_reset(email: str, *, address: str | None = None) -> None:
    """Send a reset link when the account exists; say nothing either way (no enumeration).

    Without an account the same link and email are still made and rendered (then dropped),
    so the time the answer takes does not tell whether the address has an account.
    From the web (``address`` given) requests are throttled like logins, per address and per
    address-and-email, whether or not the account exists; ``Throttled`` says how long to wait."""
    if address is not None:
        config = current_app.config
        key = _printable((email or "").strip().lower(), 254)
        address = _printable(address, 64) or "unknown"
        window, delay = config["LOGIN_THROTTLE_WINDOW"], config["LOGIN_THROTTLE_DELAY"]
        throttle.reserve(
            [
                throttle.Rule(
                    f"reset:addr:{address}", config["RESET_THROTTLE_MAX_PER_ADDRESS"], window, delay
                ),
                throttle.Rule(
                    f"reset:acct:{key}|{address}",
                    config["RESET_THROTTLE_MAX_PER_ACCOUNT"],
                    window,
                    delay,
                ),
            ]
        )
    with transaction():
        user = get_user_by_email(email)
        if user is None or not user.active:
            stand_in = SimpleNamespace(
                id=0,
                name="",
                email=(email or "").strip().lower(),
                password_hash=_dummy_hash(),
                language="nl",
            )
            with force_locale("nl"):
                render_template(
                    "auth/email/reset.txt",
                    user=stand_in,
                    link=_link("auth.reset_password", make_link_token(stand_in, "reset")),
                    minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
                )
            return
        enqueue(
            "password_reset",
            to=user.email,
            language=user.language,
            subject=_l("Reset your password"),
            template="auth/email/reset.txt",
            user=user,
            link=_link("auth.reset_password", make_link_token(user, "reset")),
            minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
        )
        audit.record(None, "user.password_reset_requested", user)


def check_reset_token(token: str) -> User:
    return _read_link_token(token, "reset", current_app.config["RESET_TOKEN_MAX_AGE"])


def reset_password(token: str, new_password: str) -> User:
    with transaction():
        user = check_reset_token(token)
        if problem := password_problem(new_password, email=user.email, name=user.name):
            raise ValidationFailed({"password": problem})
        user.password_hash = hash_password(new_password)
        _end_sessions(user)
        _revoke_all_tokens(user)
        if user.email_verified_at is None:
            user.email_verified_at = utcnow()  # the link proved the address
        throttle.clear_prefix(f"login:acct:{user.email.lower()}|")
        audit.record(user, "user.password_reset", user)
    return user


def change_password(
    actor: User, current: str, new_password: str, *, keep_session: str | None = None
) -> User:
    """Change the password; every other session of the account ends (``keep_session`` is the
    key of the browser that made the change)."""
    with transaction():
        if not check_password(actor.password_hash, current):
            raise ValidationFailed({"current_password": _("Your current password is not correct.")})
        if problem := password_problem(new_password, email=actor.email, name=actor.name):
            raise ValidationFailed({"new_password": problem})
        actor.password_hash = hash_password(new_password)
        _end_sessions(actor, keep=keep_session)
        _revoke_all_tokens(actor)
        audit.record(actor, "user.password_changed", actor)
    return actor


# ---------------------------------------------------------------- sessions


def start_session(user: User) -> str:
    """A new server-side session for a browser that just logged in; returns its key."""
    key = secrets.token_urlsafe(32)
    with transaction():
        db.session.add(UserSession(user_id=user.id, key_hash=_token_hash(key)))
    return key


def end_session(session_key: str | None) -> None:
    """Log one browser out: its key stops working at once, wherever the cookie was copied."""
    if not session_key:
        return
    with transaction():
        db.session.execute(
            sa.delete(UserSession).where(UserSession.key_hash == _token_hash(session_key))
        )


def end_all_sessions(actor: User) -> int:
    """Log out everywhere: every session of ``actor``'s account ends, this one included."""
    with transaction():
        ended = _end_sessions(actor)
        audit.record(actor, "user.logged_out_everywhere", actor, after={"sessions": ended})
    return ended


def count_sessions(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id)
        )
        or 0
    )


def _end_sessions(user: User, *, keep: str | None = None) -> int:
    query = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.key_hash != _token_hash(keep))
    return db.session.execute(query).rowcount or 0


# ---------------------------------------------------------------- login and throttling


def _printable(text: str, limit: int) -> str:
    return "".join(c for c in (text or "") if c.isprintable())[:limit]


def login_rules(email: str, address: str) -> list[throttle.Rule]:
    """Failures count per client address (an address trying many accounts) and per account
    on that address (guessing one password). A correct password from another address is
    never slowed down by failures elsewhere; the owner on the same address waits, never
    more than the window."""
    config = current_app.config
    window, delay = config["LOGIN_THROTTLE_WINDOW"], config["LOGIN_THROTTLE_DELAY"]
    return [
        throttle.Rule(
            f"login:addr:{address}", config["LOGIN_THROTTLE_MAX_PER_ADDRESS"], window, delay
        ),
        throttle.Rule(
            f"login:acct:{email}|{address}", config["LOGIN_THROTTLE_MAX_PER_ACCOUNT"], window, delay
        ),
    ]


def authenticate(email: str, password: str, *, address: str, now: datetime | None = None) -> User:
    """Check credentials, throttled per address and per account-and-address.

    The attempt is counted (atomically, in the database or Redis) before the password is
    checked, so parallel tries never check more passwords than the limit allows.
    Raises ``Throttled`` (with ``retry_after``), ``InvalidCredentials`` or ``AccountInactive``.
    """
    now = now or utcnow()
    key = _printable(email.strip().lower() if email else "", 254)
    address = _printable(address or "unknown", 64) or "unknown"
    by_address, by_account = login_rules(key, address)
    throttle.reserve([by_address, by_account], now=now)
    user = get_user_by_email(key)
    ok = check_password(user.password_hash if user else _dummy_hash(), password or "")
    if not ok or user is None:
        raise InvalidCredentials()
    with transaction():
        # A right password is no failure: give the address its attempt back and forget the
        # account's count on this address (in the order reserve() locks them).
        throttle.release(by_address, now=now)
        throttle.clear(by_account.key, now=now)
        if user.active:
            user.last_login_at = now
            audit.record(user, "user.logged_in", user)
    if not user.active:
        raise AccountInactive()
    return user


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


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


# ---------------------------------------------------------------- API tokens

TOKEN_PREFIX = "esf_"  # noqa: S105 (a prefix, not a secret)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    actor: User, user: User, name: str, *, throttled: bool = False
) -> tuple[ApiToken, str]:
    """Create a personal API token; the plain token is returned once and never stored.
    From the web (``throttled``) at most ``TOKEN_THROTTLE_MAX`` per window run at once per
    account, then each waits like a login."""
    require(actor.id == user.id or actor.is_admin)
    if throttled:
        config = current_app.config
        throttle.reserve(
            [
                throttle.Rule(
                    f"token:user:{user.id}",
                    config["TOKEN_THROTTLE_MAX"],
                    config["LOGIN_THROTTLE_WINDOW"],
                    config["LOGIN_THROTTLE_DELAY"],
                )
            ]
        )
    name = (name or "").strip()[:100] or _("API token")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with transaction():
        token = ApiToken(
            user_id=user.id,
            name=name,
            token_hash=_token_hash(plain),
            prefix=plain[:12],
            created_at=now,
            expires_at=now + timedelta(days=current_app.config["API_TOKEN_DAYS"]),
        )
        db.session.add(token)
        audit.record(actor, "api_token.created", token, after={"user": user.email, "name": name})
    return token, plain


def revoke_token(actor: User, token_id: int) -> ApiToken:
    with transaction():
        token = db.session.get(ApiToken, token_id)
        if token is None or not (token.user_id == actor.id or actor.is_admin):
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            audit.record(actor, "api_token.revoked", token, after={"name": token.name})
    return token


def _revoke_all_tokens(user: User) -> int:
    """A new password revokes every API token: one made with a stolen password stops."""
    return (
        db.session.execute(
            sa.update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        or 0
    )


def list_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc())
        )
    )


def user_for_token(plain: str, now: datetime | None = None) -> User | None:
    """The active user owning an active token, recording when it was last used."""
    if not plain:
        return None
    now = now or utcnow()
    token = db.session.scalar(
        sa.select(ApiToken).where(
            ApiToken.token_hash == _token_hash(plain),
            ApiToken.revoked_at.is_(None),
            ApiToken.expires_at > now,
        )
    )
    if token is None or not token.user.active:
        return None
    # Write at most once a minute per token, so reads do not all become writes.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        with transaction():
            token.last_used_at = now
    return token.user


__all__ = [
    "AccountInactive",
    "InvalidCredentials",
    "LinkExpired",
    "LinkInvalid",
    "PermissionDenied",
    "Throttled",
]
