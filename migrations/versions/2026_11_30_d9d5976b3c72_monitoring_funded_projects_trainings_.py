"""monitoring: funded projects, trainings, enrolments, status history, imports

Revision ID: d9d5976b3c72
Revises: 2104d907d741
Create Date: 2026-11-30 08:23:14.086481

"""
from alembic import op
import sqlalchemy as sa

import app.core.db


# revision identifiers, used by Alembic.
revision = 'd9d5976b3c72'
down_revision = '2104d907d741'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funded_projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('decision_record_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('status', sa.Enum('active', 'ended', name='projectstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', app.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_funded_projects_call_id_calls')),
    sa.ForeignKeyConstraint(['decision_record_id'], ['decision_records.id'], name=op.f('fk_funded_projects_decision_record_id_decision_records')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_funded_projects_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_funded_projects_proposal_id_proposals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funded_projects')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_funded_projects_proposal_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_funded_projects_reference'))
    )
    with op.batch_alter_table('funded_projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funded_projects_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funded_projects_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('enrolment_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'refused', 'failed', name='importstatus', native_enum=False, length=32), nullable=False),
    sa.Column('rows_total', sa.Integer(), nullable=False),
    sa.Column('rows_done', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('unchanged_count', sa.Integer(), nullable=False),
    sa.Column('late_count', sa.Integer(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.db.UTCDateTime(), nullable=False),
    sa.Column('finished_at', app.core.db.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_enrolment_imports_created_by_id_users')),
    sa.ForeignKeyConstraint(['project_id'], ['funded_projects.id'], name=op.f('fk_enrolment_imports_project_id_funded_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_imports'))
    )
    with op.batch_alter_table('enrolment_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enrolment_imports_project_id'), ['project_id'], unique=False)

    op.create_table('project_trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=250), nullable=False),
    sa.Column('planned_mode', sa.Enum('online', 'blended', 'physical', name='mode', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['funded_projects.id'], name=op.f('fk_project_trainings_project_id_funded_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_trainings')),
    sa.UniqueConstraint('project_id', 'code', name='uq_project_trainings_project_code')
    )
    with op.batch_alter_table('project_trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_trainings_project_id'), ['project_id'], unique=False)

    op.create_table('enrolments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('enrolment_id', sa.String(length=64), nullable=False),
    sa.Column('training_code', sa.String(length=50), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('started_year', sa.Integer(), nullable=False),
    sa.Column('started_month', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('online', 'blended', 'physical', name='mode', native_enum=False, length=32), nullable=False),
    sa.Column('channel', sa.Enum('own', 'partner', name='channel', native_enum=False, length=32), nullable=False),
    sa.Column('education', sa.Enum('low', 'middle', 'high', 'unknown', name='education', native_enum=False, length=32), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('age_at_start', sa.Integer(), nullable=True),
    sa.Column('gender', sa.Enum('f', 'm', 'x', 'unknown', name='gender', native_enum=False, length=32), nullable=False),
    sa.Column('disability', sa.Enum('yes', 'no', 'unknown', name='answer', native_enum=False, length=32), nullable=False),
    sa.Column('migration_background', sa.Enum('yes', 'no', 'unknown', name='answer', native_enum=False, length=32), nullable=False),
    sa.Column('labour_status', sa.Enum('jobseeker_activation', 'temporarily_unemployed', 'inactive', 'employed', 'unknown', name='labourstatus', native_enum=False, length=32), nullable=False),
    sa.Column('status', sa.Enum('enrolled', 'active', 'completed', 'dropped', name='enrolmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('first_import_id', sa.Integer(), nullable=False),
    sa.Column('first_reported_at', app.core.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['first_import_id'], ['enrolment_imports.id'], name=op.f('fk_enrolments_first_import_id_enrolment_imports')),
    sa.ForeignKeyConstraint(['project_id'], ['funded_projects.id'], name=op.f('fk_enrolments_project_id_funded_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolments')),
    sa.UniqueConstraint('project_id', 'enrolment_id', name='uq_enrolments_project_enrolment_id')
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_project_started', ['project_id', 'started_on'], unique=False)
        batch_op.create_index('ix_enrolments_started', ['started_year', 'started_month', 'mode'], unique=False)
        batch_op.create_index('ix_enrolments_started_on', ['started_on'], unique=False)

    op.create_table('reported_months',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('first_import_id', sa.Integer(), nullable=False),
    sa.Column('first_reported_at', app.core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['first_import_id'], ['enrolment_imports.id'], name=op.f('fk_reported_months_first_import_id_enrolment_imports')),
    sa.ForeignKeyConstraint(['project_id'], ['funded_projects.id'], name=op.f('fk_reported_months_project_id_funded_projects')),
    sa.PrimaryKeyConstraint('project_id', 'year', 'month', name=op.f('pk_reported_months'))
    )
    op.create_table('enrolment_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrolment_pk', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('enrolled', 'active', 'completed', 'dropped', name='enrolmentstatus', native_enum=False, length=32), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=False),
    sa.Column('until_on', sa.Date(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['enrolment_pk'], ['enrolments.id'], name=op.f('fk_enrolment_status_changes_enrolment_pk_enrolments')),
    sa.ForeignKeyConstraint(['import_id'], ['enrolment_imports.id'], name=op.f('fk_enrolment_status_changes_import_id_enrolment_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrolment_status_changes')),
    sa.UniqueConstraint('enrolment_pk', 'status_on', name='uq_enrolment_status_changes_enrolment_day')
    )
    with op.batch_alter_table('enrolment_status_changes', schema=None) as batch_op:
        batch_op.create_index('ix_enrolment_status_changes_period', ['status_on', 'until_on'], unique=False)



def downgrade():
    with op.batch_alter_table('enrolment_status_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolment_status_changes_period')

    op.drop_table('enrolment_status_changes')
    op.drop_table('reported_months')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_started_on')
        batch_op.drop_index('ix_enrolments_started')
        batch_op.drop_index('ix_enrolments_project_started')

    op.drop_table('enrolments')
    with op.batch_alter_table('project_trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_trainings_project_id'))

    op.drop_table('project_trainings')
    with op.batch_alter_table('enrolment_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enrolment_imports_project_id'))

    op.drop_table('enrolment_imports')
    with op.batch_alter_table('funded_projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funded_projects_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_funded_projects_call_id'))

    op.drop_table('funded_projects')
