"""survey design: sample frame units, each household's round and sampling unit, design columns of the cells

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CELL_COLUMNS = {'design_kind': sa.String(length=16), 'interval_method': sa.String(length=16), 'deff': sa.Float(),
                'effective_n': sa.Float(), 'coverage': sa.Float()}


def upgrade() -> None:
    op.create_table('sample_frame_unit',
    sa.Column('round_id', sa.String(length=32), nullable=False),
    sa.Column('psu_code', sa.String(length=32), nullable=False),
    sa.Column('design', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('psu_name', sa.Text(), nullable=False),
    sa.Column('stratum', sa.String(length=32), nullable=False),
    sa.Column('psu_probability', sa.Float(), nullable=True),
    sa.Column('household_weight', sa.Float(), nullable=True),
    sa.Column('households_listed', sa.Integer(), nullable=False),
    sa.Column('upload_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['reference_upload.upload_id'], ),
    sa.PrimaryKeyConstraint('round_id', 'psu_code')
    )
    with op.batch_alter_table('household') as batch:
        batch.add_column(sa.Column('survey_round', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('psu_code', sa.String(length=32), nullable=True))
    with op.batch_alter_table('indicator_value') as batch:
        for name, kind in CELL_COLUMNS.items():
            batch.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('indicator_value') as batch:
        for name in CELL_COLUMNS:
            batch.drop_column(name)
    with op.batch_alter_table('household') as batch:
        batch.drop_column('psu_code')
        batch.drop_column('survey_round')
    op.drop_table('sample_frame_unit')
