"""Who organised an activity: the mass organisation (``activity.organisation``) and the level of the organising
body (``activity.organiser_level``), for reports by organisation (district Youth Unions to the provincial one).

Plain ``ADD COLUMN``/``DROP COLUMN`` (SQLite 3.35+): rebuilding ``activity`` would cascade to its reach rows.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('activity', sa.Column('organisation', sa.String(length=32), nullable=True))
    op.add_column('activity', sa.Column('organiser_level', sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column('activity', 'organiser_level')
    op.drop_column('activity', 'organisation')
