"""Programme registers uploaded as reference data (warehouse.programme_registers): pilot and model sites, the
sector responsible for each indicator in a jurisdiction, and budget lines allocated and spent.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def _upload() -> list:
    return [sa.Column('upload_id', sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(['upload_id'], ['reference_upload.upload_id'])]


def upgrade() -> None:
    op.create_table(
        'programme_site',
        sa.Column('programme_id', sa.String(length=32), nullable=False),
        sa.Column('area_level', sa.String(length=16), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('programme_name', sa.Text(), nullable=False),
        sa.Column('site_kind', sa.String(length=16), nullable=False),
        sa.Column('source_document', sa.Text(), nullable=False),
        *_upload(),
        sa.PrimaryKeyConstraint('programme_id', 'area_level', 'area_code', 'code_list_version', 'valid_from'),
    )
    op.create_table(
        'indicator_responsibility',
        sa.Column('indicator_id', sa.String(length=16), nullable=False),
        sa.Column('jurisdiction_level', sa.String(length=16), nullable=False),
        sa.Column('jurisdiction_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('part', sa.String(length=32), nullable=False),
        sa.Column('sector', sa.String(length=32), nullable=False),
        sa.Column('agency', sa.Text(), nullable=False),
        sa.Column('source_document', sa.Text(), nullable=False),
        *_upload(),
        sa.PrimaryKeyConstraint('indicator_id', 'jurisdiction_level', 'jurisdiction_code', 'code_list_version',
                                'part'),
    )
    op.create_table(
        'budget_line',
        sa.Column('area_level', sa.String(length=16), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('activity_line', sa.String(length=32), nullable=False),
        sa.Column('funding_source', sa.String(length=32), nullable=False),
        sa.Column('allocated', sa.BigInteger(), nullable=False),
        sa.Column('spent', sa.BigInteger(), nullable=True),
        sa.Column('source_document', sa.Text(), nullable=False),
        *_upload(),
        sa.PrimaryKeyConstraint('area_level', 'area_code', 'code_list_version', 'year', 'activity_line',
                                'funding_source'),
    )


def downgrade() -> None:
    op.drop_table('budget_line')
    op.drop_table('indicator_responsibility')
    op.drop_table('programme_site')
