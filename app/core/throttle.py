"""Throttling that slows down instead of locking out, counted atomically.

Each key (``login:addr:ADDRESS``, ``login:acct:EMAIL|ADDRESS``, ...) has one row: how many
attempts it made since it was last quiet for ``window`` seconds, and the instant before which
the next attempt is refused. An attempt *reserves* its place before the work it guards (a
password check) is done: one conditional ``UPDATE ... RETURNING`` per key, in one short
transaction, so 40 parallel tries against a limit of 5 get at most 5 reservations on
PostgreSQL (row lock, the condition re-checked on the updated row) and on SQLite (one writer
at a time). Once a key reaches its limit each further attempt waits ``delay`` seconds,
doubling per attempt up to the window; nothing is ever locked for good, and the owner of an
account is only ever slowed down on the address that made the failures.

The counters live in the database, or in Redis when ``REDIS_URL`` is set (a Lua script does
the same check-and-count in one step), never in one process's memory.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Model, db, table_of
from app.core.errors import Throttled
from app.core.time import utcnow

if TYPE_CHECKING:
    import redis


class ThrottleCounter(Model):
    __tablename__ = "throttle_counters"

    key: Mapped[str] = mapped_column(sa.String(400), primary_key=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(index=True)
    next_at: Mapped[datetime | None]  # no attempt before this instant


@dataclass(frozen=True)
class Rule:
    """``limit`` attempts per ``window`` seconds of activity run at once; then each waits
    ``delay`` seconds, doubling, at most ``window``."""

    key: str
    limit: int
    window: int
    delay: int = 30

    def wait_after(self, attempts: int) -> int | None:
        """Seconds the next attempt waits after ``attempts`` were made, or None."""
        if attempts < self.limit:
            return None
        doubling: int = 2 ** min(attempts - self.limit, 30)
        return min(self.delay * doubling, self.window)


def reserve(rules: list[Rule], *, now: datetime | None = None) -> None:
    """Count one attempt under every rule, or none: raises ``Throttled`` (with
    ``retry_after`` in seconds) when any key must still wait. Commits at once, so other
    processes see the attempt before the guarded work starts."""
    now = now or utcnow()
    if (client := _redis()) is not None:
        _redis_reserve(client, rules, now)
        return
    session = db.session
    if session.info.get("in_transaction"):
        raise RuntimeError("reserve() runs in its own transaction")
    session.commit()  # end any read transaction: the first statement below takes the lock
    try:
        for rule in rules:
            _reserve_one(rule, now)
    except BaseException:
        session.rollback()
        raise
    session.commit()


def _reserve_one(rule: Rule, now: datetime) -> None:
    table = table_of(ThrottleCounter)
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        insert: Any = pg_insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(table)
        .values(key=rule.key, attempts=0, last_at=now, next_at=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    quiet_since = now - timedelta(seconds=rule.window)
    attempts = db.session.execute(
        sa.update(table)
        .where(
            table.c.key == rule.key,
            sa.or_(
                table.c.next_at.is_(None), table.c.next_at <= now, table.c.last_at < quiet_since
            ),
        )
        .values(
            attempts=sa.case((table.c.last_at < quiet_since, 1), else_=table.c.attempts + 1),
            last_at=now,
        )
        .returning(table.c.attempts)
    ).scalar()
    if attempts is None:  # still waiting: nothing counted
        next_at = db.session.scalar(sa.select(table.c.next_at).where(table.c.key == rule.key))
        raise _throttled(next_at, now)
    wait = rule.wait_after(attempts)
    db.session.execute(
        sa.update(table)
        .where(table.c.key == rule.key)
        .values(next_at=now + timedelta(seconds=wait) if wait is not None else None)
    )


def release(rule: Rule, *, now: datetime | None = None) -> None:
    """Give one reserved attempt back (the guarded work succeeded). Part of the caller's
    transaction."""
    if (client := _redis()) is not None:
        client.eval(_REDIS_RELEASE, 1, _redis_key(rule.key), rule.limit)
        return
    table = table_of(ThrottleCounter)
    db.session.execute(
        sa.update(table)
        .where(table.c.key == rule.key, table.c.attempts > 0)
        .values(
            attempts=table.c.attempts - 1,
            next_at=sa.case((table.c.attempts - 1 < rule.limit, None), else_=table.c.next_at),
        )
    )


def clear(key: str, *, now: datetime | None = None) -> None:
    """Forget a key's attempts (a successful login, a new password), and prune keys quiet for
    a day. Part of the caller's transaction."""
    if (client := _redis()) is not None:
        client.delete(_redis_key(key))
        return
    now = now or utcnow()
    table = table_of(ThrottleCounter)
    db.session.execute(sa.delete(table).where(table.c.key == key))
    # Rows another transaction holds are skipped (PostgreSQL), so pruning never waits for,
    # nor deadlocks with, a login counting at the same moment.
    stale = sa.select(table.c.key).where(table.c.last_at < now - timedelta(days=1)).limit(500)
    if db.engine.dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    db.session.execute(sa.delete(table).where(table.c.key.in_(stale)))


def clear_prefix(prefix: str) -> None:
    """Forget every key starting with ``prefix`` (a new password forgets the account's
    failures on every address). Part of the caller's transaction."""
    if (client := _redis()) is not None:
        for name in client.scan_iter(_redis_key(prefix).replace("*", "\\*") + "*"):
            client.delete(name)
        return
    table = table_of(ThrottleCounter)
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    db.session.execute(sa.delete(table).where(table.c.key.like(escaped + "%", escape="\\")))


def attempts(key: str) -> int:
    """Attempts counted under ``key`` (for tests and operators)."""
    if (client := _redis()) is not None:
        return int(client.hget(_redis_key(key), "n") or 0)
    return (
        db.session.scalar(sa.select(ThrottleCounter.attempts).where(ThrottleCounter.key == key))
        or 0
    )


def _throttled(next_at: datetime | None, now: datetime) -> Throttled:
    seconds = max(1, math.ceil((next_at - now).total_seconds())) if next_at else 1
    return Throttled(retry_after=seconds)


# ---------------------------------------------------------------- Redis

# KEYS[1] the counter; ARGV: now (ms), window (ms), limit, delay (ms).
# Returns {1, attempts} when counted, {0, ms to wait} when refused.
_REDIS_RESERVE = """
local now = tonumber(ARGV[1]); local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3]); local delay = tonumber(ARGV[4])
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
local nxt = tonumber(redis.call('HGET', KEYS[1], 'next') or '0')
if last < now - window then n = 0; nxt = 0 end
if nxt > now then return {0, nxt - now} end
n = n + 1
if n >= limit then
  nxt = now + math.min(delay * 2 ^ math.min(n - limit, 30), window)
else
  nxt = 0
end
redis.call('HSET', KEYS[1], 'n', n, 'last', now, 'next', nxt)
redis.call('PEXPIRE', KEYS[1], window + 86400000)
return {1, n}
"""

_REDIS_RELEASE = """
local n = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
if n > 0 then
  redis.call('HSET', KEYS[1], 'n', n - 1)
  if n - 1 < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'next', 0) end
end
return n
"""


def _redis() -> "redis.Redis | None":
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("portal_throttle_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url)
    return cast("redis.Redis", clients[url])


def _redis_key(key: str) -> str:
    return "portal:throttle:" + key


def _redis_reserve(client: "redis.Redis", rules: list[Rule], now: datetime) -> None:
    """Redis runs each script alone; several keys are counted one after the other and a
    refusal gives back what was counted before it."""
    ms = int(now.timestamp() * 1000)
    counted: list[Rule] = []
    for rule in rules:
        ok, value = client.eval(
            _REDIS_RESERVE,
            1,
            _redis_key(rule.key),
            ms,
            rule.window * 1000,
            rule.limit,
            rule.delay * 1000,
        )
        if not ok:
            for done in counted:
                client.eval(_REDIS_RELEASE, 1, _redis_key(done.key), done.limit)
            raise Throttled(retry_after=max(1, math.ceil(int(value) / 1000)))
        counted.append(rule)
