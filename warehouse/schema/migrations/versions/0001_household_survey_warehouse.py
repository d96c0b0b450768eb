"""household survey warehouse

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator_value',
    sa.Column('indicator_id', sa.String(length=16), nullable=False),
    sa.Column('rule_set', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('dimension_value', sa.String(length=32), nullable=False),
    sa.Column('period_type', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('indicator_id', 'rule_set', 'period', 'area_level', 'area_code', 'dimension', 'dimension_value')
    )
    op.create_table('pipeline_checkpoint',
    sa.Column('step', sa.String(length=64), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('step')
    )
    op.create_table('raw_submission',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('project', sa.String(length=128), nullable=False),
    sa.Column('form_id', sa.String(length=128), nullable=False),
    sa.Column('instance_id', sa.String(length=128), nullable=False),
    sa.Column('form_version', sa.String(length=64), nullable=True),
    sa.Column('current_instance_id', sa.String(length=128), nullable=True),
    sa.Column('submitted_at', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.String(length=40), nullable=True),
    sa.Column('submitter', sa.String(length=256), nullable=True),
    sa.Column('review_state', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('received', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('first_loaded_at', sa.String(length=40), nullable=False),
    sa.Column('last_changed_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'project', 'form_id', 'instance_id', name='uq_raw_submission_identity')
    )
    with op.batch_alter_table('raw_submission', schema=None) as batch_op:
        batch_op.create_index('ix_raw_submission_form_seq', ['form_id', 'change_seq'], unique=False)

    op.create_table('sync_cursor',
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('project', sa.String(length=128), nullable=False),
    sa.Column('form_id', sa.String(length=128), nullable=False),
    sa.Column('cursor', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_synced_at', sa.String(length=40), nullable=False),
    sa.Column('last_stats', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('source', 'project', 'form_id')
    )
    op.create_table('household',
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('form_id', sa.String(length=128), nullable=False),
    sa.Column('form_version', sa.String(length=64), nullable=True),
    sa.Column('review_state', sa.String(length=32), nullable=True),
    sa.Column('interview_date', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('urban_rural', sa.String(length=8), nullable=False),
    sa.Column('enumerator_id', sa.String(length=32), nullable=True),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('hh_size', sa.Integer(), nullable=True),
    sa.Column('poverty_status', sa.String(length=16), nullable=True),
    sa.Column('craft_village', sa.Boolean(), nullable=True),
    sa.Column('livelihood', sa.String(length=32), nullable=True),
    sa.Column('caregiver_informed', sa.String(length=16), nullable=True),
    sa.Column('n_children', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id'], ),
    sa.PrimaryKeyConstraint('household_id'),
    sa.UniqueConstraint('raw_submission_id')
    )
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_province_code'), ['province_code'], unique=False)

    op.create_table('quarantine',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('form_id', sa.String(length=128), nullable=False),
    sa.Column('instance_id', sa.String(length=128), nullable=False),
    sa.Column('entity', sa.String(length=16), nullable=False),
    sa.Column('repeat_index', sa.Integer(), nullable=True),
    sa.Column('field', sa.String(length=128), nullable=False),
    sa.Column('value', sa.String(length=256), nullable=True),
    sa.Column('reason_code', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantine_raw_submission_id'), ['raw_submission_id'], unique=False)

    op.create_table('raw_submission_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('form_version', sa.String(length=64), nullable=True),
    sa.Column('current_instance_id', sa.String(length=128), nullable=True),
    sa.Column('updated_at', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.String(length=40), nullable=True),
    sa.Column('review_state', sa.String(length=32), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('received', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('replaced_at', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('raw_submission_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raw_submission_history_raw_submission_id'), ['raw_submission_id'], unique=False)

    op.create_table('child',
    sa.Column('child_id', sa.String(length=32), nullable=False),
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('repeat_index', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('age_source', sa.String(length=8), nullable=False),
    sa.Column('ethnicity', sa.String(length=16), nullable=True),
    sa.Column('ethnic_group', sa.String(length=8), nullable=True),
    sa.Column('school_status', sa.String(length=16), nullable=True),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('econ_activity', sa.Boolean(), nullable=False),
    sa.Column('temp_absent', sa.Boolean(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('work_kinds', sa.String(length=512), nullable=True),
    sa.Column('workplaces', sa.String(length=512), nullable=True),
    sa.Column('sector', sa.String(length=32), nullable=True),
    sa.Column('hours_day', sa.Float(), nullable=True),
    sa.Column('hours_week', sa.Float(), nullable=True),
    sa.Column('night_work', sa.Boolean(), nullable=True),
    sa.Column('overtime', sa.Boolean(), nullable=True),
    sa.Column('hazards', sa.String(length=512), nullable=True),
    sa.Column('performance_approved', sa.Boolean(), nullable=True),
    sa.Column('chores_hours_week', sa.Float(), nullable=True),
    sa.Column('worked_12m', sa.Boolean(), nullable=True),
    sa.Column('child_informed', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.household_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id')
    )
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_child_household_id'), ['household_id'], unique=False)

    op.create_table('restricted_household_pii',
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.Column('village', sa.Text(), nullable=True),
    sa.Column('respondent_name', sa.Text(), nullable=True),
    sa.Column('respondent_phone', sa.String(length=32), nullable=True),
    sa.Column('enumerator', sa.Text(), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.Column('gps_alt', sa.Float(), nullable=True),
    sa.Column('gps_accuracy', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['household.household_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('household_id')
    )
    op.create_table('child_classification',
    sa.Column('child_id', sa.String(length=32), nullable=False),
    sa.Column('rule_set', sa.String(length=16), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('child_labour', sa.Boolean(), nullable=False),
    sa.Column('hazardous', sa.Boolean(), nullable=False),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.String(length=1024), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['child.child_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id', 'rule_set')
    )
    op.create_table('restricted_child_pii',
    sa.Column('child_id', sa.String(length=32), nullable=False),
    sa.Column('household_id', sa.String(length=32), nullable=False),
    sa.Column('child_name', sa.Text(), nullable=True),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['child.child_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id')
    )
    with op.batch_alter_table('restricted_child_pii', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_restricted_child_pii_household_id'), ['household_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('restricted_child_pii', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_restricted_child_pii_household_id'))

    op.drop_table('restricted_child_pii')
    op.drop_table('child_classification')
    op.drop_table('restricted_household_pii')
    with op.batch_alter_table('child', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_household_id'))
        batch_op.drop_index(batch_op.f('ix_child_change_seq'))

    op.drop_table('child')
    with op.batch_alter_table('raw_submission_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raw_submission_history_raw_submission_id'))

    op.drop_table('raw_submission_history')
    with op.batch_alter_table('quarantine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quarantine_raw_submission_id'))

    op.drop_table('quarantine')
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_province_code'))
        batch_op.drop_index(batch_op.f('ix_household_commune_code'))
        batch_op.drop_index(batch_op.f('ix_household_change_seq'))

    op.drop_table('household')
    op.drop_table('sync_cursor')
    with op.batch_alter_table('raw_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_raw_submission_form_seq')

    op.drop_table('raw_submission')
    op.drop_table('pipeline_checkpoint')
    op.drop_table('indicator_value')
