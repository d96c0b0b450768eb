"""programme: reference data, inspections, cases, activities, targets on indicators

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('area_commune',
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('area_name', sa.Text(), nullable=False),
    sa.Column('exact', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('area_level', 'area_code', 'code_list_version', 'commune_code')
    )
    with op.batch_alter_table('area_commune', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_commune_commune_code'), ['commune_code'], unique=False)

    op.create_table('case_register',
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('case_code', sa.String(length=16), nullable=False),
    sa.Column('subject_kind', sa.String(length=16), nullable=False),
    sa.Column('subject_id', sa.String(length=32), nullable=False),
    sa.Column('identified_source', sa.String(length=32), nullable=False),
    sa.Column('identified_on', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('case_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('first_support_on', sa.Date(), nullable=True),
    sa.Column('visits', sa.Integer(), nullable=False),
    sa.Column('last_visit_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closure_reason', sa.String(length=32), nullable=True),
    sa.Column('in_education_at_last_visit', sa.Boolean(), nullable=True),
    sa.Column('child_labour_at_last_visit', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('case_id'),
    sa.UniqueConstraint('case_code')
    )
    with op.batch_alter_table('case_register', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_register_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_register_subject_id'), ['subject_id'], unique=False)

    op.create_table('legacy_commune',
    sa.Column('legacy_code', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('legacy_name', sa.Text(), nullable=False),
    sa.Column('legacy_district_code', sa.String(length=8), nullable=True),
    sa.Column('legacy_district_name', sa.Text(), nullable=True),
    sa.Column('legacy_province_code', sa.String(length=8), nullable=False),
    sa.Column('legacy_province_name', sa.Text(), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=True),
    sa.Column('partly_merged', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('legacy_code', 'commune_code')
    )
    with op.batch_alter_table('legacy_commune', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legacy_commune_legacy_province_code'), ['legacy_province_code'], unique=False)

    op.create_table('reference_upload',
    sa.Column('upload_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('file_name', sa.String(length=256), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('loaded_at', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('upload_id')
    )
    op.create_table('activity',
    sa.Column('activity_id', sa.String(length=32), nullable=False),
    sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=64), nullable=True),
    sa.Column('activity_date', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('activity_type', sa.String(length=32), nullable=False),
    sa.Column('training', sa.Boolean(), nullable=False),
    sa.Column('topics', sa.String(length=256), nullable=True),
    sa.Column('organiser_type', sa.String(length=32), nullable=True),
    sa.Column('participants_male', sa.Integer(), nullable=True),
    sa.Column('participants_female', sa.Integer(), nullable=True),
    sa.Column('participants_total', sa.Integer(), nullable=False),
    sa.Column('participants_new', sa.Integer(), nullable=True),
    sa.Column('has_participant_list', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id'], ),
    sa.PrimaryKeyConstraint('activity_id'),
    sa.UniqueConstraint('raw_submission_id')
    )
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_activity_commune_code'), ['commune_code'], unique=False)

    op.create_table('case_visit',
    sa.Column('visit_id', sa.String(length=32), nullable=False),
    sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.String(length=36), nullable=False),
    sa.Column('visit_date', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('case_worker_id', sa.String(length=32), nullable=True),
    sa.Column('case_source', sa.String(length=32), nullable=True),
    sa.Column('case_type', sa.String(length=16), nullable=True),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('econ_activity', sa.Boolean(), nullable=False),
    sa.Column('temp_absent', sa.Boolean(), nullable=False),
    sa.Column('chores_hours_week', sa.Float(), nullable=True),
    sa.Column('school_status', sa.String(length=16), nullable=True),
    sa.Column('vocational_training', sa.Boolean(), nullable=True),
    sa.Column('supports', sa.String(length=256), nullable=True),
    sa.Column('first_support_date', sa.Date(), nullable=True),
    sa.Column('case_status', sa.String(length=16), nullable=False),
    sa.Column('closure_reason', sa.String(length=32), nullable=True),
    sa.Column('next_visit', sa.Date(), nullable=True),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('child_labour', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.String(length=1024), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('work_kinds', sa.String(length=512), nullable=True),
    sa.Column('workplaces', sa.String(length=512), nullable=True),
    sa.Column('sector', sa.String(length=32), nullable=True),
    sa.Column('hours_day', sa.Float(), nullable=True),
    sa.Column('hours_week', sa.Float(), nullable=True),
    sa.Column('night_work', sa.Boolean(), nullable=True),
    sa.Column('overtime', sa.Boolean(), nullable=True),
    sa.Column('hazards', sa.String(length=512), nullable=True),
    sa.Column('performance_approved', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id'], ),
    sa.PrimaryKeyConstraint('visit_id'),
    sa.UniqueConstraint('raw_submission_id')
    )
    with op.batch_alter_table('case_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_visit_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_visit_change_seq'), ['change_seq'], unique=False)

    op.create_table('inspection',
    sa.Column('inspection_id', sa.String(length=32), nullable=False),
    sa.Column('raw_submission_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('form_version', sa.String(length=64), nullable=True),
    sa.Column('inspection_date', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=8), nullable=False),
    sa.Column('commune_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('inspection_kind', sa.String(length=16), nullable=True),
    sa.Column('inspector_id', sa.String(length=32), nullable=True),
    sa.Column('establishment_type', sa.String(length=32), nullable=False),
    sa.Column('enterprise_size', sa.String(length=16), nullable=True),
    sa.Column('sector', sa.String(length=32), nullable=True),
    sa.Column('craft_village', sa.Boolean(), nullable=True),
    sa.Column('total_workers', sa.Integer(), nullable=True),
    sa.Column('n_young_workers', sa.Integer(), nullable=False),
    sa.Column('employer_informed', sa.String(length=16), nullable=True),
    sa.Column('employer_informed_date', sa.Date(), nullable=True),
    sa.Column('employer_trained', sa.String(length=16), nullable=True),
    sa.Column('employer_trained_date', sa.Date(), nullable=True),
    sa.Column('violations', sa.String(length=512), nullable=True),
    sa.Column('actions', sa.String(length=128), nullable=True),
    sa.Column('fine_amount', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['raw_submission_id'], ['raw_submission.id'], ),
    sa.PrimaryKeyConstraint('inspection_id'),
    sa.UniqueConstraint('raw_submission_id')
    )
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_commune_code'), ['commune_code'], unique=False)

    op.create_table('reference_population',
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('population_group', sa.String(length=48), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('upload_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['reference_upload.upload_id'], ),
    sa.PrimaryKeyConstraint('area_level', 'area_code', 'code_list_version', 'year', 'population_group')
    )
    op.create_table('target',
    sa.Column('indicator_id', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_level', sa.String(length=16), nullable=False),
    sa.Column('jurisdiction_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('jurisdiction_name', sa.Text(), nullable=False),
    sa.Column('comparator', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('source_document', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('upload_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['upload_id'], ['reference_upload.upload_id'], ),
    sa.PrimaryKeyConstraint('indicator_id', 'jurisdiction_level', 'jurisdiction_code', 'code_list_version', 'year')
    )
    op.create_table('activity_reach',
    sa.Column('activity_id', sa.String(length=32), nullable=False),
    sa.Column('audience', sa.String(length=48), nullable=False),
    sa.Column('reached', sa.Integer(), nullable=False),
    sa.Column('reached_new', sa.Integer(), nullable=False),
    sa.Column('reached_new_trained', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.activity_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id', 'audience')
    )
    op.create_table('restricted_activity_text',
    sa.Column('activity_id', sa.String(length=32), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('venue', sa.Text(), nullable=True),
    sa.Column('organiser_name', sa.Text(), nullable=True),
    sa.Column('reporter', sa.Text(), nullable=True),
    sa.Column('participant_list', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.activity_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('activity_id')
    )
    op.create_table('restricted_inspection_pii',
    sa.Column('inspection_id', sa.String(length=32), nullable=False),
    sa.Column('establishment_name', sa.Text(), nullable=True),
    sa.Column('craft_village_name', sa.Text(), nullable=True),
    sa.Column('inspector', sa.Text(), nullable=True),
    sa.Column('gps_lat', sa.Float(), nullable=True),
    sa.Column('gps_lon', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.inspection_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('inspection_id')
    )
    op.create_table('young_worker',
    sa.Column('worker_id', sa.String(length=32), nullable=False),
    sa.Column('inspection_id', sa.String(length=32), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.Column('repeat_index', sa.Integer(), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age', sa.Integer(), nullable=False),
    sa.Column('age_source', sa.String(length=8), nullable=False),
    sa.Column('in_register', sa.Boolean(), nullable=True),
    sa.Column('contract_signed', sa.Boolean(), nullable=True),
    sa.Column('health_certificate', sa.Boolean(), nullable=True),
    sa.Column('health_checkups', sa.Boolean(), nullable=True),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('work_kinds', sa.String(length=512), nullable=True),
    sa.Column('workplaces', sa.String(length=512), nullable=True),
    sa.Column('sector', sa.String(length=32), nullable=True),
    sa.Column('hours_day', sa.Float(), nullable=True),
    sa.Column('hours_week', sa.Float(), nullable=True),
    sa.Column('night_work', sa.Boolean(), nullable=True),
    sa.Column('overtime', sa.Boolean(), nullable=True),
    sa.Column('hazards', sa.String(length=512), nullable=True),
    sa.Column('performance_approved', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['inspection_id'], ['inspection.inspection_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id')
    )
    with op.batch_alter_table('young_worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_young_worker_change_seq'), ['change_seq'], unique=False)
        batch_op.create_index(batch_op.f('ix_young_worker_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('restricted_young_worker_pii',
    sa.Column('worker_id', sa.String(length=32), nullable=False),
    sa.Column('inspection_id', sa.String(length=32), nullable=False),
    sa.Column('worker_name', sa.Text(), nullable=True),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['worker_id'], ['young_worker.worker_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id')
    )
    with op.batch_alter_table('restricted_young_worker_pii', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_restricted_young_worker_pii_inspection_id'), ['inspection_id'], unique=False)

    op.create_table('young_worker_classification',
    sa.Column('worker_id', sa.String(length=32), nullable=False),
    sa.Column('rule_set', sa.String(length=16), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('child_labour', sa.Boolean(), nullable=False),
    sa.Column('hazardous', sa.Boolean(), nullable=False),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.String(length=1024), nullable=False),
    sa.ForeignKeyConstraint(['worker_id'], ['young_worker.worker_id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('worker_id', 'rule_set')
    )
    # indicator_value is derived (recomputed by every materialization) and its key grows: rebuild it
    op.drop_table('indicator_value')
    op.create_table('indicator_value',
    sa.Column('indicator_id', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('rule_set', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('dimension_value', sa.String(length=32), nullable=False),
    sa.Column('period_type', sa.String(length=8), nullable=False),
    sa.Column('unit', sa.String(length=8), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=True),
    sa.Column('numerator', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.Column('exact_territory', sa.Boolean(), nullable=False),
    sa.Column('target_year', sa.Integer(), nullable=True),
    sa.Column('target_comparator', sa.String(length=16), nullable=True),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('target_source', sa.Text(), nullable=True),
    sa.Column('gap', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('indicator_id', 'source', 'rule_set', 'period', 'area_level', 'area_code',
                            'code_list_version', 'dimension', 'dimension_value')
    )


def downgrade() -> None:
    op.drop_table('indicator_value')
    op.create_table('indicator_value',
    sa.Column('indicator_id', sa.String(length=16), nullable=False),
    sa.Column('rule_set', sa.String(length=16), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('area_level', sa.String(length=16), nullable=False),
    sa.Column('area_code', sa.String(length=8), nullable=False),
    sa.Column('dimension', sa.String(length=32), nullable=False),
    sa.Column('dimension_value', sa.String(length=32), nullable=False),
    sa.Column('period_type', sa.String(length=8), nullable=False),
    sa.Column('code_list_version', sa.String(length=32), nullable=False),
    sa.Column('rules_version', sa.String(length=32), nullable=False),
    sa.Column('numerator', sa.Integer(), nullable=True),
    sa.Column('denominator', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('ci_low', sa.Float(), nullable=True),
    sa.Column('ci_high', sa.Float(), nullable=True),
    sa.Column('suppressed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('indicator_id', 'rule_set', 'period', 'area_level', 'area_code', 'dimension',
                            'dimension_value')
    )

    op.drop_table('young_worker_classification')
    with op.batch_alter_table('restricted_young_worker_pii', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_restricted_young_worker_pii_inspection_id'))

    op.drop_table('restricted_young_worker_pii')
    with op.batch_alter_table('young_worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_young_worker_inspection_id'))
        batch_op.drop_index(batch_op.f('ix_young_worker_change_seq'))

    op.drop_table('young_worker')
    op.drop_table('restricted_inspection_pii')
    op.drop_table('restricted_activity_text')
    op.drop_table('activity_reach')
    op.drop_table('target')
    op.drop_table('reference_population')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inspection_commune_code'))
        batch_op.drop_index(batch_op.f('ix_inspection_change_seq'))

    op.drop_table('inspection')
    with op.batch_alter_table('case_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_visit_change_seq'))
        batch_op.drop_index(batch_op.f('ix_case_visit_case_id'))

    op.drop_table('case_visit')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_commune_code'))
        batch_op.drop_index(batch_op.f('ix_activity_change_seq'))

    op.drop_table('activity')
    op.drop_table('reference_upload')
    with op.batch_alter_table('legacy_commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legacy_commune_legacy_province_code'))

    op.drop_table('legacy_commune')
    with op.batch_alter_table('case_register', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_register_subject_id'))
        batch_op.drop_index(batch_op.f('ix_case_register_commune_code'))

    op.drop_table('case_register')
    with op.batch_alter_table('area_commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_commune_commune_code'))

    op.drop_table('area_commune')
