"""The indicator step recomputes every cell from the clean and classified tables: ``survey_count_delta`` (the
count changes cleaning recorded) and ``survey_cell_sum`` (the sums they updated) go, with the indicator step's
checkpoint, which told cleaning to record. The classification step classifies what has no classification under
the current rules: its checkpoint goes too.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('survey_count_delta')
    with op.batch_alter_table('survey_cell_sum') as batch:
        batch.drop_index('ix_survey_cell_sum_area_period')
    op.drop_table('survey_cell_sum')
    op.execute("DELETE FROM pipeline_checkpoint WHERE step IN ('indicator_values', 'classify_children')")


def downgrade() -> None:
    """The tables back, empty: the older code's next indicator run finds no checkpoint and recomputes all, and its
    classification step, none of its own, classifies every child again."""
    op.create_table(
        'survey_cell_sum',
        *(sa.Column(name, sa.String(length=size), nullable=False) for name, size in (
            ('indicator_id', 16), ('source', 32), ('rule_set', 16), ('period', 16), ('area_level', 16),
            ('area_code', 8), ('code_list_version', 32), ('dimension', 32), ('dimension_value', 32),
            ('period_type', 8))),
        *(sa.Column(name, sa.BigInteger(), nullable=False)
          for name in ('numerator', 'denominator', 'members', 'inexact_members')),
        sa.PrimaryKeyConstraint('indicator_id', 'source', 'rule_set', 'period', 'area_level', 'area_code',
                                'code_list_version', 'dimension', 'dimension_value'))
    with op.batch_alter_table('survey_cell_sum') as batch:
        batch.create_index('ix_survey_cell_sum_area_period', ['area_code', 'period'], unique=False)
    op.create_table(
        'survey_count_delta',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('rule_set', sa.String(length=16), nullable=False),
        sa.Column('commune_code', sa.String(length=8), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.String(length=size), nullable=True) for name, size in (
            ('urban_rural', 8), ('poverty_status', 16), ('sex', 8), ('age_band', 8), ('ethnic_group', 8))),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ('members', 'child_labour', 'hazardous', 'informed')),
        sa.Column('work_sector', sa.String(length=32), nullable=True),
        sa.Column('craft_village', sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint('id'))
