"""Case reports from every channel: case_report and its restricted answers; matching a report to a case

``case_report`` (de-identified) and ``restricted_case_report_pii``; ``case_report_match`` (the case each report
that opened a case belongs to), ``restricted_case_match_candidate`` (possible matches for a person to decide) and
``restricted_case_match_decision`` (the decisions).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_report',
        sa.Column('report_id', sa.String(length=32), nullable=False),
        sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('change_seq', sa.BigInteger(), nullable=False),
        sa.Column('report_code', sa.String(length=16), nullable=False),
        sa.Column('report_date', sa.Date(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('quarter', sa.Integer(), nullable=False),
        sa.Column('officer_id', sa.String(length=32), nullable=True),
        sa.Column('reporter_type', sa.String(length=32), nullable=False),
        sa.Column('report_channel', sa.String(length=16), nullable=True),
        sa.Column('sex', sa.String(length=8), nullable=False),
        sa.Column('age', sa.Integer(), nullable=False),
        sa.Column('age_source', sa.String(length=8), nullable=False),
        sa.Column('age_band', sa.String(length=8), nullable=False),
        sa.Column('case_type', sa.String(length=16), nullable=False),
        sa.Column('province_code', sa.String(length=8), nullable=False),
        sa.Column('commune_code', sa.String(length=8), nullable=False),
        sa.Column('code_list_version', sa.String(length=32), nullable=False),
        sa.Column('urgency', sa.String(length=16), nullable=False),
        sa.Column('screening_outcome', sa.String(length=16), nullable=False),
        sa.Column('identification_date', sa.Date(), nullable=True),
        sa.Column('no_case_reason', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id']),
        sa.PrimaryKeyConstraint('report_id'),
        sa.UniqueConstraint('raw_submission_id'),
    )
    op.create_index('ix_case_report_change_seq', 'case_report', ['change_seq'])
    op.create_index('ix_case_report_commune_code', 'case_report', ['commune_code'])
    op.create_table(
        'restricted_case_report_pii',
        sa.Column('report_id', sa.String(length=32), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=True) for name in (
            'officer', 'reporter_name', 'reporter_phone', 'child_name')),
        sa.Column('dob', sa.Date(), nullable=True),
        *(sa.Column(name, sa.Text(), nullable=True) for name in (
            'guardian_name', 'guardian_phone', 'village', 'summary')),
        sa.ForeignKeyConstraint(['report_id'], ['case_report.report_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('report_id'),
    )
    op.create_table(
        'case_report_match',
        sa.Column('report_id', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('matched', sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint('report_id'),
    )
    op.create_index('ix_case_report_match_case_id', 'case_report_match', ['case_id'])
    op.create_table(
        'restricted_case_match_candidate',
        sa.Column('report_id', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('report_id', 'case_id'),
    )
    op.create_table(
        'restricted_case_match_decision',
        sa.Column('report_id', sa.String(length=32), nullable=False),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decided_by_id', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('report_id', 'case_id'),
    )


def downgrade() -> None:
    op.drop_table('restricted_case_match_decision')
    op.drop_table('restricted_case_match_candidate')
    op.drop_index('ix_case_report_match_case_id', table_name='case_report_match')
    op.drop_table('case_report_match')
    op.drop_table('restricted_case_report_pii')
    op.drop_index('ix_case_report_commune_code', table_name='case_report')
    op.drop_index('ix_case_report_change_seq', table_name='case_report')
    op.drop_table('case_report')
