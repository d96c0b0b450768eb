"""approval and restricted_approval; indicator_value.approval: figures provisional or approved

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'approval',
        sa.Column('approval_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('area_level', sa.String(length=16), nullable=False),
        sa.Column('area_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('period', sa.String(length=16), nullable=False),
        sa.Column('approved_at', sa.String(length=40), nullable=False),
        sa.Column('approver_id', sa.String(length=32), nullable=False),
        sa.Column('fingerprint', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('reopened_at', sa.String(length=40), nullable=True),
        sa.Column('reopened_because', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('approval_id'),
    )
    op.create_index('ix_approval_area_period', 'approval',
                    ['area_level', 'area_code', 'code_list_version', 'period'], unique=False)
    op.create_table(
        'restricted_approval',
        sa.Column('approval_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('approver_name', sa.Text(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['approval_id'], ['approval.approval_id']),
        sa.PrimaryKeyConstraint('approval_id'),
    )
    op.add_column('indicator_value', sa.Column('approval', sa.String(length=16), nullable=False,
                                               server_default='provisional'))


def downgrade() -> None:
    with op.batch_alter_table('indicator_value') as batch_op:
        batch_op.drop_column('approval')
    op.drop_table('restricted_approval')
    op.drop_index('ix_approval_area_period', table_name='approval')
    op.drop_table('approval')
