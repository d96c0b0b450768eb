"""A target's validity period (``target.valid_from``, ``target.valid_to``): the years a plan's target counts for.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('target') as batch:
        batch.add_column(sa.Column('valid_from', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('valid_to', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('target') as batch:
        batch.drop_column('valid_to')
        batch.drop_column('valid_from')
