"""raw_submission.source_row_id: the platform's own row number (KoboToolbox `_id`), indexed for reconciliation

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("raw_submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_row_id", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_raw_submission_source_row", ["source", "project", "form_id", "source_row_id"])


def downgrade() -> None:
    with op.batch_alter_table("raw_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_raw_submission_source_row")
        batch_op.drop_column("source_row_id")
