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


def test_organisations_from_before_confirmation_are_confirmed_and_their_members_admins():
    """7b3e9d2f4a61 on data: every existing organisation is confirmed; its active members
    (who approved joins until then) become member administrators, pending ones do not."""
    import sqlalchemy as sa

    flask_migrate.downgrade(revision="a7c3f19d2b60")
    try:
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, name, password_hash, active, language, created_at)"
                    " VALUES (1, 'a@example.org', 'A', 'x', :t, 'nl', '2026-01-01'),"
                    " (2, 'b@example.org', 'B', 'x', :t, 'nl', '2026-01-01')"
                ).bindparams(t=True)
            )
            conn.execute(
                sa.text(
                    "INSERT INTO organisations (id, legal_name, enterprise_number, provider_type,"
                    " street, postal_code, city, contact_name, contact_email, contact_phone,"
                    " created_at) VALUES (1, 'Oud vzw', '0200.000.001', 'private', '', '', '',"
                    " '', '', '', '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO memberships (id, user_id, organisation_id, status, requested_at)"
                    " VALUES (1, 1, 1, 'active', '2026-01-01'), (2, 2, 1, 'pending', '2026-01-02')"
                )
            )
    finally:
        flask_migrate.upgrade()
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT status FROM organisations")).scalar() == "confirmed"
        admins = dict(conn.execute(sa.text("SELECT id, is_admin FROM memberships")).all())
    assert {k: bool(v) for k, v in admins.items()} == {1: True, 2: False}


def test_admissibility_decided_before_the_release_step_counts_as_released():
    """c4d8e1f25a70 on data: decisions taken before it were emailed at once, so they are
    released already (no second letter); going down and up again keeps the decision."""
    import sqlalchemy as sa

    from app.reviews.models import Admissibility
    from app.reviews.rules import admissibility as admissibility_rules
    from tests.reviews.factories import admissibility_world

    world = admissibility_world(1)
    admissibility_rules.decide_admissibility(
        world.official, world.proposals[0].id, Admissibility.inadmissible, "Te laat"
    )
    db.session.commit()
    db.session.remove()
    flask_migrate.downgrade(revision="7a1c4e2b9d30")
    flask_migrate.upgrade()
    with db.engine.connect() as conn:
        row = conn.execute(
            sa.text("SELECT result, released_result, released_reason FROM admissibility_checks")
        ).one()
    assert tuple(row) == ("inadmissible", "inadmissible", "Te laat")
