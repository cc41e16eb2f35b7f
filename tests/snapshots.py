"""A built world kept once and put back before each test: rows and stored files.

Building a world through the services (organisations, a submitted proposal, a funded
project …) costs far more than writing its rows back. A module-scoped fixture builds it
once, ``take()`` keeps every table's rows and the stored files, and each test starts from
``restore()``: the same rows with the same ids (sequences follow on PostgreSQL) and the
same files, whatever the previous test wrote, deleted or removed from disk.
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa

from app.core import files
from app.core.cache import cache
from app.core.db import db


@dataclass
class Snapshot:
    files: dict[str, bytes] = field(default_factory=dict)  # content by SHA-256
    # SQLite: per table, its INSERT and the rows as the driver returned them, written back
    # without SQLAlchemy's type processing (a third of the access matrix's time went there).
    stored: dict[str, tuple[str, list[tuple[Any, ...]]]] = field(default_factory=dict)
    # PostgreSQL: the rows are kept in a schema of their own in the test database and
    # copied back by the server in one round trip (sending them row by row took 44% of the
    # access matrix's time there).
    copy_back: str = ""


def wipe() -> None:
    """Empty every table; ids start again at 1."""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _wipe_postgresql(conn, tables)
        else:  # plain SQL: compiling 36 DELETE statements per test costs more than running them
            for table in tables:
                conn.exec_driver_sql(f'DELETE FROM "{table}"')


_restart_sequences: dict[str, str] = {}  # the setval statement, per database URL


def _wipe_postgresql(conn: sa.Connection, tables: list[str]) -> None:
    """DELETE and setval take about 1 ms where TRUNCATE … RESTART IDENTITY takes 80 (it
    replaces each table's files). The append-only triggers (audit records, versions,
    decisions) and the foreign key checks are off for this transaction only, which needs a
    superuser (as the test databases are reached); other roles TRUNCATE."""
    url = str(conn.engine.url)
    if url not in _restart_sequences:
        superuser = conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
        sequences = conn.exec_driver_sql(
            "SELECT string_agg('setval(' || quote_literal(oid::regclass::text) || ', 1, false)', ', ') "
            "FROM pg_class WHERE relkind = 'S'"
        ).scalar()
        _restart_sequences[url] = f"SELECT {sequences}" if superuser and sequences else ""
    if not _restart_sequences[url]:
        conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    conn.exec_driver_sql("; ".join(f'DELETE FROM "{table}"' for table in tables))
    conn.exec_driver_sql(_restart_sequences[url])


def take() -> Snapshot:
    """Every row of every table and the stored files they name (``sha256`` columns). The
    rows are read as the driver returns them: only their ids and file names are looked at
    here."""
    snapshot = Snapshot()
    rows: dict[str, list[dict[str, Any]]] = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            names = [c.name for c in table.c]
            columns = ", ".join(f'"{name}"' for name in names)
            kept = [
                tuple(row) for row in conn.exec_driver_sql(f'SELECT {columns} FROM "{table.name}"')
            ]
            if not kept:
                continue
            rows[table.name] = [dict(zip(names, row, strict=True)) for row in kept]
            if conn.dialect.name == "sqlite":
                marks = ", ".join("?" for _ in names)
                snapshot.stored[table.name] = (
                    f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})',
                    kept,
                )
    if db.engine.dialect.name == "postgresql" and rows:
        with db.engine.begin() as conn:
            snapshot.copy_back = _keep_in_schema(conn, list(rows)) + _next_ids(rows)
    for table_rows in rows.values():  # the stored files the rows name
        for row in table_rows:
            if (
                isinstance(row.get("sha256"), str)
                and (path := files.path_for(row["sha256"])).exists()
            ):
                snapshot.files[row["sha256"]] = path.read_bytes()
    return snapshot


KEPT_SCHEMA_PREFIX = "kept_world_"
_kept_schemas = itertools.count(1)


def _keep_in_schema(conn: sa.Connection, tables: list[str]) -> str:
    """Copy ``tables`` (parents first) into a new schema; the statements that copy them back."""
    schema = f"{KEPT_SCHEMA_PREFIX}{next(_kept_schemas)}"
    conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')  # earlier sessions': drop_kept_schemas
    for table in tables:
        conn.exec_driver_sql(f'CREATE TABLE "{schema}"."{table}" AS TABLE "{table}"')
    return "; ".join(f'INSERT INTO "{table}" TABLE "{schema}"."{table}"' for table in tables)


def _next_ids(rows: dict[str, list[dict[str, Any]]]) -> str:
    """The statement that sets each table's id sequence after its kept rows, as if the
    services had written them (PostgreSQL); empty when no table has a serial id."""
    tables = db.metadata.tables
    setvals = [
        f"setval(pg_get_serial_sequence('{name}', 'id'), {max(r['id'] for r in kept)})"
        for name, kept in rows.items()
        if "id" in tables[name].c
        and tables[name].c.id.autoincrement is not False
        and isinstance(tables[name].c.id.type, sa.Integer)
    ]
    return f"; SELECT {', '.join(setvals)}" if setvals else ""


def drop_kept_schemas(conn: sa.Connection) -> None:
    """Remove the schemas earlier test sessions kept worlds in (PostgreSQL)."""
    names = conn.exec_driver_sql(
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %(prefix)s)",
        {"prefix": KEPT_SCHEMA_PREFIX},
    ).scalars()
    for name in list(names):
        conn.exec_driver_sql(f'DROP SCHEMA "{name}" CASCADE')


def restore(snapshot: Snapshot) -> None:
    """Write the snapshot's rows into the (empty) tables and its files back where missing
    (in the upload folder of the moment, which a test may have made its own)."""
    with db.engine.begin() as conn:
        if snapshot.copy_back:  # PostgreSQL: one round trip
            conn.exec_driver_sql(snapshot.copy_back)
        for table in db.metadata.sorted_tables:  # SQLite: parents before children
            if table.name in snapshot.stored:
                conn.exec_driver_sql(*snapshot.stored[table.name])
    for sha256, content in snapshot.files.items():
        if not (path := files.path_for(sha256)).exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


class ModelKey(NamedTuple):
    model: type
    id: int


@dataclass(frozen=True)
class WorldKey:
    """A dataclass world inside what ``kept`` keeps: its type and its fields' keys."""

    world_type: type
    keys: dict[str, Any]


def keys_of(world: Any) -> dict[str, Any]:
    """A dataclass world with each model (also in a list) replaced by its ``ModelKey``."""
    return {f.name: _key(getattr(world, f.name)) for f in fields(world)}


def _key(value: Any) -> Any:
    """``value`` with each model in it (also in lists and tuples) replaced by its key."""
    if isinstance(value, db.Model):
        return ModelKey(type(value), value.id)
    if is_dataclass(value) and not isinstance(value, type):
        return WorldKey(type(value), keys_of(value))
    if isinstance(value, list | tuple) and not isinstance(value, ModelKey):
        return type(value)(_key(item) for item in value)
    return value


def _loaded(shape: Any) -> Any:
    """``shape`` of ``_key`` with its models read in the current session: one query per
    model (and per eagerly loaded relationship), whatever the number of its rows."""
    ids: dict[type, set[int]] = {}

    def collect(key: Any) -> None:
        if isinstance(key, ModelKey):
            ids.setdefault(key.model, set()).add(key.id)
        elif isinstance(key, WorldKey):
            collect(list(key.keys.values()))
        elif isinstance(key, list | tuple):
            for item in key:
                collect(item)

    collect(shape)
    loaded = {
        (model, row.id): row
        for model, wanted in ids.items()
        for row in db.session.scalars(sa.select(model).where(model.id.in_(wanted)))
    }

    def value(key: Any) -> Any:
        if isinstance(key, ModelKey):
            return loaded[key]
        if isinstance(key, WorldKey):
            return key.world_type(**{name: value(item) for name, item in key.keys.items()})
        if isinstance(key, list | tuple):
            return type(key)(value(item) for item in key)
        return key

    return value(shape)


def load(world_type: type, keys: dict[str, Any]) -> Any:
    """The world of ``keys_of``, its models read in the current session."""
    names = list(keys)
    values = _loaded(tuple(keys[name] for name in names))
    return world_type(**dict(zip(names, values, strict=True)))


def kept(store: dict[Any, Any], key: Any, build: Callable[[], Any]) -> Any:
    """In a test (its database empty): ``build()`` the first time for ``key`` in this
    process, its rows and files then kept in ``store`` (a dict of the test module); the next
    times those rows and files written back and what ``build()`` returned (models, also in
    lists and tuples) read again."""
    if key in store:
        shape, snapshot = store[key]
        restore(snapshot)
        return _loaded(shape)
    built = build()
    db.session.commit()
    store[key] = _key(built), take()
    return built


def build_once(app: Any, build: Callable[[], Any]) -> tuple[type | None, dict[str, Any], Snapshot]:
    """For a module-scoped fixture: what ``build()`` makes, kept (every row and file, and a
    dataclass world's keys) and taken out of the database again."""
    with app.app_context():
        world = build()
        db.session.commit()
        # a world that is no dataclass: only its rows count
        keys = keys_of(world) if is_dataclass(world) else {}
        built = (type(world) if is_dataclass(world) else None), keys, take()
        db.session.remove()
        wipe()
        cache().clear()  # nothing computed on the built rows outlives them
    return built


def put_back(built: tuple[type | None, dict[str, Any], Snapshot]) -> Any:
    """The world of ``build_once``, its rows and files written back, read in this session
    (None when it was not a dataclass)."""
    world_type, keys, snapshot = built
    restore(snapshot)
    return None if world_type is None else load(world_type, keys)
