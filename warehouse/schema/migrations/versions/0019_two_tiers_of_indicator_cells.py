"""Two tiers of indicator cells (warehouse.disclosure): ``restricted_indicator_value`` holds every cell with its
numbers (the owner's alone, for accountable officers); ``indicator_value``, made from it by disclosure control,
says why a cell is suppressed (``suppression_reason``).

Both are derived: the next materialization fills them (the disclosure policy is part of its basis).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('indicator_value') as batch:
        batch.add_column(sa.Column('suppression_reason', sa.String(length=16), nullable=True))
    op.create_table(
        'restricted_indicator_value',
        sa.Column('indicator_id', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('rule_set', sa.String(length=16), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('area_level', sa.String(length=16), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('dimension', sa.String(length=32), nullable=False),
        sa.Column('dimension_value', sa.String(length=32), nullable=False),
        sa.Column('period_type', sa.String(length=8), nullable=False),
        sa.Column('unit', sa.String(length=8), nullable=False),
        sa.Column('rules_version', sa.String(length=32), nullable=True),
        sa.Column('numerator', sa.Integer(), nullable=True),
        sa.Column('denominator', sa.Integer(), nullable=True),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('ci_low', sa.Float(), nullable=True),
        sa.Column('ci_high', sa.Float(), nullable=True),
        sa.Column('suppressed', sa.Boolean(), nullable=False),
        sa.Column('suppression_reason', sa.String(length=16), nullable=True),
        sa.Column('exact_territory', sa.Boolean(), nullable=False),
        sa.Column('target_year', sa.Integer(), nullable=True),
        sa.Column('target_comparator', sa.String(length=16), nullable=True),
        sa.Column('target_value', sa.Float(), nullable=True),
        sa.Column('target_source', sa.Text(), nullable=True),
        sa.Column('gap', sa.Float(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('approval', sa.String(length=16), nullable=False, server_default='provisional'),
        sa.Column('design_kind', sa.String(length=16), nullable=True),
        sa.Column('interval_method', sa.String(length=16), nullable=True),
        sa.Column('deff', sa.Float(), nullable=True),
        sa.Column('effective_n', sa.Float(), nullable=True),
        sa.Column('coverage', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('indicator_id', 'source', 'rule_set', 'period', 'area_level', 'area_code',
                                'code_list_version', 'dimension', 'dimension_value'),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table('restricted_indicator_value')
    with op.batch_alter_table('indicator_value') as batch:
        batch.drop_column('suppression_reason')
