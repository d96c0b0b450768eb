"""A case visit is classified by the classification step, after cleaning (``warehouse.classify.classify``): its
``rules_version``, ``child_labour`` and ``reasons`` are empty until then. The cleaning of visits no longer
depends on the rules version, so the next run cleans every visit again, then classifies it.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

COLUMNS = (('rules_version', sa.String(length=32)), ('child_labour', sa.Boolean()), ('reasons', sa.String(length=1024)))


def upgrade() -> None:
    with op.batch_alter_table('case_visit') as batch:
        for name, type_ in COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=True)


def downgrade() -> None:
    # the visits not yet classified go: the older cleaning, versioned with the rules, cleans every visit again
    op.execute(sa.text("DELETE FROM case_service WHERE visit_id IN "
                       "(SELECT visit_id FROM case_visit WHERE rules_version IS NULL)"))
    op.execute(sa.text("DELETE FROM case_visit WHERE rules_version IS NULL"))
    with op.batch_alter_table('case_visit') as batch:
        for name, type_ in COLUMNS:
            batch.alter_column(name, existing_type=type_, nullable=False)
