"""A case's urgency when it was reported (``case_register.urgent_at_report``), apart from its urgency now: the
limits counted from the report (assessment, plan, first support and indicator 1.2) keep the urgency known then.
The next run of the case register fills it.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_register') as batch:
        batch.add_column(sa.Column('urgent_at_report', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('case_register') as batch:
        batch.drop_column('urgent_at_report')
