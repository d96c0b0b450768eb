"""Expected reporting (uploaded: which commune sends which form for which period, by when) and the completeness
table built from it (warehouse.completeness).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KEY = ('form_id', 'commune_code', 'code_list_version', 'period')


def _period_columns() -> list[sa.Column]:
    return [
        sa.Column('form_id', sa.String(length=64), nullable=False),
        sa.Column('commune_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('period', sa.String(length=32), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'reporting_expectation', *_period_columns(),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('expected', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('source_row', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['upload_id'], ['reference_upload.upload_id']),
        sa.PrimaryKeyConstraint(*KEY),
    )
    op.create_table(
        'reporting_completeness', *_period_columns(),
        sa.Column('province_code', sa.String(length=8), nullable=False),
        sa.Column('commune_name', sa.Text(), nullable=False),
        sa.Column('period_start', sa.Date(), nullable=False),
        sa.Column('period_end', sa.Date(), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('expected', sa.Integer(), nullable=False),
        sa.Column('received', sa.Integer(), nullable=False),
        sa.Column('on_time', sa.Integer(), nullable=False),
        sa.Column('late', sa.Integer(), nullable=False),
        sa.Column('missing', sa.Integer(), nullable=False),
        sa.Column('completed_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY),
    )


def downgrade() -> None:
    op.drop_table('reporting_completeness')
    op.drop_table('reporting_expectation')
