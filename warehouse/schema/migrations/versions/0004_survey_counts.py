"""survey_count_delta and survey_cell_sum: the indicator step updates only the cells that changed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_cell_sum',
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
    sa.Column('numerator', sa.BigInteger(), nullable=False),
    sa.Column('denominator', sa.BigInteger(), nullable=False),
    sa.Column('members', sa.BigInteger(), nullable=False),
    sa.Column('inexact_members', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('indicator_id', 'source', 'rule_set', 'period', 'area_level', 'area_code', 'code_list_version', 'dimension', 'dimension_value')
    )
    with op.batch_alter_table('survey_cell_sum', schema=None) as batch_op:
        batch_op.create_index('ix_survey_cell_sum_area_period', ['area_code', 'period'], unique=False)

    op.create_table('survey_count_delta',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('rule_set', sa.String(length=16), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('urban_rural', sa.String(length=8), nullable=True),
    sa.Column('poverty_status', sa.String(length=16), nullable=True),
    sa.Column('sex', sa.String(length=8), nullable=True),
    sa.Column('age_band', sa.String(length=8), nullable=True),
    sa.Column('ethnic_group', sa.String(length=8), nullable=True),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('child_labour', sa.Integer(), nullable=False),
    sa.Column('hazardous', sa.Integer(), nullable=False),
    sa.Column('informed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('survey_count_delta')
    with op.batch_alter_table('survey_cell_sum', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_cell_sum_area_period')

    op.drop_table('survey_cell_sum')
