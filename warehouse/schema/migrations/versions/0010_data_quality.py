"""Data-quality checks of the household survey: interview length, flags, enumerators' names (restricted)

``household.interview_minutes`` is filled by the next cleaning (its logic version changes), ``data_quality_flag``
and ``restricted_enumerator`` by the data-quality step (warehouse.data_quality).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('household') as batch_op:
        batch_op.add_column(sa.Column('interview_minutes', sa.Float(), nullable=True))
    op.create_table(
        'restricted_enumerator',
        sa.Column('enumerator_id', sa.String(length=32), nullable=False),
        sa.Column('enumerator', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('enumerator_id'),
    )
    op.create_table(
        'data_quality_flag',
        sa.Column('check', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.String(length=48), nullable=False),
        sa.Column('enumerator_id', sa.String(length=32), nullable=True),
        sa.Column('interview_date', sa.Date(), nullable=True),
        sa.Column('household_id', sa.String(length=32), nullable=True),
        sa.Column('other_household_id', sa.String(length=32), nullable=True),
        sa.Column('child_id', sa.String(length=32), nullable=True),
        sa.Column('province_code', sa.String(length=8), nullable=False),
        sa.Column('commune_code', sa.String(length=8), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('threshold', sa.Float(), nullable=True),
        sa.Column('rules_version', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('check', 'subject_id'),
    )
    op.create_index('ix_data_quality_flag_enumerator_id', 'data_quality_flag', ['enumerator_id'])


def downgrade() -> None:
    op.drop_index('ix_data_quality_flag_enumerator_id', table_name='data_quality_flag')
    op.drop_table('data_quality_flag')
    op.drop_table('restricted_enumerator')
    with op.batch_alter_table('household') as batch_op:
        batch_op.drop_column('interview_minutes')
