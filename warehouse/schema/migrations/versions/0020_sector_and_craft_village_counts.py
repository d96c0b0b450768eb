"""The household-survey count changes keyed by the child's sector of work and the household's craft village
(``survey_count_delta.work_sector``, ``craft_village``), which indicator 1.1 is now broken down by.

Changes recorded before the upgrade have neither: the new breakdowns change the indicator settings, so the next
materialization recomputes every cell from the clean tables and drops them.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_count_delta') as batch:
        batch.add_column(sa.Column('work_sector', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('craft_village', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('survey_count_delta') as batch:
        batch.drop_column('craft_village')
        batch.drop_column('work_sector')
