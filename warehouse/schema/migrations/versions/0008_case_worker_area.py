"""case_worker_area: the commune or province each case worker's PostgreSQL login may read restricted rows of

Read by the row-level security policies ``python -m warehouse.roles`` puts on the ``restricted_*`` tables.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_worker_area',
    sa.Column('role_name', sa.String(length=63), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('role_name', 'area_level', 'area_code')
    )


def downgrade() -> None:
    op.drop_table('case_worker_area')
