"""The migrations build exactly the models' schema, and go down and up again."""

import warnings

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.core.db import db


def _differences():
    with db.engine.connect() as conn, warnings.catch_warnings():
        # Alembic cannot compare expression indexes (lower(email)); it says so and skips them.
        warnings.filterwarnings("ignore", message=".*expression.*")
        warnings.filterwarnings("ignore", message=".*functional index.*")
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree():
    assert _differences() == []


def test_downgrade_to_base_and_upgrade_again():
    flask_migrate.downgrade(revision="base")
    try:
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
    finally:
        flask_migrate.upgrade()
    assert _differences() == []


@pytest.mark.parametrize("email", ["Same@Example.org"])
def test_email_unique_regardless_of_case_in_the_database(email):
    import sqlalchemy as sa

    from app.auth.models import User

    db.session.add(User(email=email, name="A", password_hash="x"))
    db.session.commit()
    db.session.add(User(email=email.lower(), name="B", password_hash="x"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
