"""throttle counters replace login failures; users.anonymised_at

Login, password-reset and token throttling count attempts per key in one row each
(``throttle_counters``), reserved with one conditional UPDATE before the password check, so
parallel tries never exceed the limit. The old ``login_failures`` rows (at most a window
old) are dropped: throttling starts afresh. ``users.anonymised_at`` marks an account an
administrator anonymised.

Revision ID: 7c2d4e6f8a13
Revises: a7c1e2f3b4d5
Create Date: 2026-12-06 21:30:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = '7c2d4e6f8a13'
down_revision = 'a7c1e2f3b4d5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_counters',
    sa.Column('key', sa.String(length=400), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_at', app.core.db.UTCDateTime(), nullable=False),
    sa.Column('next_at', app.core.db.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_throttle_counters'))
    )
    with op.batch_alter_table('throttle_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_throttle_counters_last_at'), ['last_at'], unique=False)

    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_email'))
        batch_op.drop_index(batch_op.f('ix_login_failures_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))
    op.drop_table('login_failures')

    # Plain ADD/DROP COLUMN (SQLite 3.35+): a batch copy of users would lose the expression
    # index on lower(email).
    op.add_column('users', sa.Column('anonymised_at', app.core.db.UTCDateTime(), nullable=True))


def downgrade():
    op.drop_column('users', 'anonymised_at')

    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', app.core.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_email'), ['email'], unique=False)

    with op.batch_alter_table('throttle_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_counters_last_at'))
    op.drop_table('throttle_counters')
