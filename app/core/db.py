"""The declarative base, the UTC datetime type and the one transaction helper."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import Enum as PyEnum
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
import sqlalchemy.orm
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; naive input is a bug."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing a naive datetime; use app.core.time helpers")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    # Flask-SQLAlchemy subclasses this base, so metadata and the type map sit on an
    # explicit registry (a class-level type_annotation_map raises InvalidRequestError).
    registry = sa.orm.registry(
        metadata=sa.MetaData(
            naming_convention={
                "ix": "ix_%(column_0_label)s",
                "uq": "uq_%(table_name)s_%(column_0_name)s",
                "ck": "ck_%(table_name)s_%(constraint_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            }
        ),
        type_annotation_map={datetime: UTCDateTime()},
    )


db = SQLAlchemy(model_class=Base)

# The base of every model. At run time it is ``db.Model`` (Flask-SQLAlchemy's subclass of
# ``Base`` with the bind and table-name mixins); the type checker cannot follow that
# attribute, so it sees the class Flask-SQLAlchemy builds, spelled out.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as _FSAModel

    class Model(_FSAModel, Base):
        __abstract__ = True

else:
    Model = db.Model


def table_of(model: type[Base]) -> sa.Table:
    """A model's table, typed as the Table it is (SQLAlchemy types it as any FromClause)."""
    return cast(sa.Table, model.__table__)


def side_by_side(*parts: sa.Select[Any]) -> sa.Select[Any]:
    """One statement with the one-row results of ``parts`` side by side (each part an
    aggregate over one table, such as a count and a latest change): each table is read
    once, where a scalar subquery per figure would read the same rows once per figure."""
    subqueries = [part.subquery() for part in parts]
    joined: sa.FromClause = subqueries[0]
    for subquery in subqueries[1:]:
        joined = joined.join(subquery, sa.true())
    return sa.select(*(column for subquery in subqueries for column in subquery.c)).select_from(
        joined
    )


def affected(result: sa.Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed (its result is a CursorResult, typed as any Result)."""
    return cast("sa.CursorResult[Any]", result).rowcount or 0


def str_enum(enum_cls: type[PyEnum]) -> sa.Enum:
    """Store enum *values* as short strings, the same on SQLite and PostgreSQL."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        length=32,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


@contextmanager
def transaction() -> Iterator[None]:
    """Commit once at the outermost level; roll back on any error.

    Services nest freely: only the outermost ``with transaction()`` commits.
    """
    session = db.session
    if session.info.get("in_transaction"):
        yield
        return
    session.info["in_transaction"] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop("in_transaction", None)


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def init_db_events(app: Flask) -> None:
    """SQLite: enforce foreign keys and use write-ahead logging on every connection."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
