"""Server-side sessions: one row per logged-in browser, ended one by one or all at once."""

import secrets

import sqlalchemy as sa

from app.audit import services as audit
from app.auth.models import User, UserSession
from app.auth.tokens import hash_token
from app.core.db import affected, db, transaction


def load_user(user_id: str, session_key: str | None) -> User | None:
    """Flask-Login's loader: the user only while the session's key has a live row."""
    if not session_key or not user_id.isdigit() or len(user_id) > 9:
        return None
    return db.session.scalar(
        sa.select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), UserSession.key_hash == hash_token(session_key))
    )


def start_session(user: User) -> str:
    """A new server-side session for a browser that just logged in; returns its key."""
    key = secrets.token_urlsafe(32)
    with transaction():
        db.session.add(UserSession(user_id=user.id, key_hash=hash_token(key)))
    return key


def end_session(session_key: str | None) -> None:
    """Log one browser out: its key stops working at once, wherever the cookie was copied."""
    if not session_key:
        return
    with transaction():
        db.session.execute(
            sa.delete(UserSession).where(UserSession.key_hash == hash_token(session_key))
        )


def end_all_sessions(actor: User) -> int:
    """Log out everywhere: every session of ``actor``'s account ends, this one included."""
    with transaction():
        ended = end_user_sessions(actor)
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


def end_user_sessions(user: User, *, keep: str | None = None) -> int:
    query = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.key_hash != hash_token(keep))
    return affected(db.session.execute(query))
