"""The case workflow (issue 23): each case's state, urgency and next due date; the visit's assessment, plan,
state and closure sign-off; the services and referrals (``case_service``) and each case's history of states
(``case_state_history``).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_register') as batch:
        batch.add_column(sa.Column('state', sa.String(length=16), nullable=False, server_default='screened'))
        batch.add_column(sa.Column('urgent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('second_visit_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('child_labour_at_second_visit', sa.Boolean(), nullable=True))
    with op.batch_alter_table('case_visit') as batch:
        batch.add_column(sa.Column('case_state', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('assessed', sa.Boolean(), nullable=True))
        batch.add_column(sa.Column('risk_level', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('needs', sa.String(length=256), nullable=True))
        batch.add_column(sa.Column('plan_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('plan_review_date', sa.Date(), nullable=True))
        batch.add_column(sa.Column('supervisor_id', sa.String(length=32), nullable=True))
        batch.add_column(sa.Column('signoff_date', sa.Date(), nullable=True))
    op.create_table(
        'case_service',
        sa.Column('visit_id', sa.String(length=32), nullable=False),
        sa.Column('repeat_index', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('service_type', sa.String(length=32), nullable=False),
        sa.Column('provider', sa.String(length=32), nullable=False),
        sa.Column('referred_date', sa.Date(), nullable=False),
        sa.Column('service_outcome', sa.String(length=16), nullable=False),
        sa.Column('received_date', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['visit_id'], ['case_visit.visit_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('visit_id', 'repeat_index'),
    )
    op.create_index('ix_case_service_case_id', 'case_service', ['case_id'])
    op.create_table(
        'case_state_history',
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('step', sa.Integer(), nullable=False),
        sa.Column('from_state', sa.String(length=16), nullable=True),
        sa.Column('to_state', sa.String(length=16), nullable=False),
        sa.Column('changed_on', sa.Date(), nullable=False),
        sa.Column('visit_id', sa.String(length=32), nullable=True),
        sa.Column('workflow_version', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('case_id', 'step'),
    )


def downgrade() -> None:
    op.drop_table('case_state_history')
    op.drop_index('ix_case_service_case_id', table_name='case_service')
    op.drop_table('case_service')
    with op.batch_alter_table('case_visit') as batch:
        for column in ('signoff_date', 'supervisor_id', 'plan_review_date', 'plan_date', 'needs', 'risk_level',
                       'assessed', 'case_state'):
            batch.drop_column(column)
    with op.batch_alter_table('case_register') as batch:
        for column in ('child_labour_at_second_visit', 'second_visit_on', 'due_on', 'urgent', 'state'):
            batch.drop_column(column)
