"""SQLAlchemy models of the warehouse.

Layers, in the order data flows:

- raw (``raw_submission``, ``raw_submission_history``, ``sync_cursor``): submissions exactly as received,
  kept forever, one row per (form, root instance id) whatever route brought it (``warehouse.raw_store``);
- clean (``household``, ``child``, ``quarantine``): typed, de-identified, keyed by pseudonymous ids;
  names, phone numbers, exact GPS and free text live only in the ``restricted_*`` tables;
- derived (``child_classification``, ``indicator_value``);
- bookkeeping (``pipeline_checkpoint``): how far each incremental step has read; ``survey_count_delta`` and
  ``survey_cell_sum``: what the indicator step needs to update only the cells that changed.

Analyst tables: ``household``, ``child``, ``child_classification``, ``indicator_value``.

The links from a household's children, PII row and its children's PII and classifications to the household and
the child are not foreign keys: the cleaning step keeps them, and a data-quality check counts any broken one
(:mod:`warehouse.clean_links`, which says why). The links to ``raw_submission`` are foreign keys.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

JsonDoc = JSON().with_variant(JSONB(), "postgresql")
PseudoId = String(32)


class Base(DeclarativeBase):
    pass


class RawSubmission(Base):
    """A submission exactly as received; upserted on its identity, the form and the root instance id (``source``
    and ``project``: the route and file or project of the version kept)."""

    __tablename__ = "raw_submission"
    __table_args__ = (
        UniqueConstraint("form_id", "instance_id", name="uq_raw_submission_identity"),
        Index("ix_raw_submission_form_seq", "form_id", "change_seq"),
        Index("ix_raw_submission_source_row", "source", "project", "form_id", "source_row_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    project: Mapped[str] = mapped_column(String(128))
    form_id: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[str] = mapped_column(String(128))
    source_row_id: Mapped[int | None] = mapped_column(BigInteger)  # the platform's row number (KoboToolbox `_id`)
    form_version: Mapped[str | None] = mapped_column(String(64))
    current_instance_id: Mapped[str | None] = mapped_column(String(128))
    submitted_at: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[str | None] = mapped_column(String(40))
    submitter: Mapped[str | None] = mapped_column(String(256))
    review_state: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    received: Mapped[dict | None] = mapped_column(JsonDoc)
    content_sha256: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    first_loaded_at: Mapped[str] = mapped_column(String(40))
    last_changed_at: Mapped[str] = mapped_column(String(40))


class RawSubmissionHistory(Base):
    """Earlier contents of a raw submission, kept when an edit, review, deletion or a newer version from another
    route replaced them (``source`` and ``project``: the route that had brought it)."""

    __tablename__ = "raw_submission_history"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), index=True)
    source: Mapped[str | None] = mapped_column(String(64))
    project: Mapped[str | None] = mapped_column(String(128))
    form_version: Mapped[str | None] = mapped_column(String(64))
    current_instance_id: Mapped[str | None] = mapped_column(String(128))
    updated_at: Mapped[str | None] = mapped_column(String(40))
    deleted_at: Mapped[str | None] = mapped_column(String(40))
    review_state: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JsonDoc)
    received: Mapped[dict | None] = mapped_column(JsonDoc)
    content_sha256: Mapped[str] = mapped_column(String(64))
    change_seq: Mapped[int] = mapped_column(BigInteger)
    replaced_at: Mapped[str] = mapped_column(String(40))


class SyncCursor(Base):
    """Where the last complete sync of a form from a source ended."""

    __tablename__ = "sync_cursor"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    project: Mapped[str] = mapped_column(String(128), primary_key=True)
    form_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    cursor: Mapped[dict] = mapped_column(JsonDoc)
    last_synced_at: Mapped[str] = mapped_column(String(40))
    last_stats: Mapped[dict] = mapped_column(JsonDoc)


class PipelineCheckpoint(Base):
    """The last ``change_seq`` an incremental step has fully processed, under a given logic version."""

    __tablename__ = "pipeline_checkpoint"

    step: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[str] = mapped_column(String(64))


class WorkAnswers:
    """A child's work in the last 7 days, asked the same way in every form that asks it."""

    working: Mapped[bool] = mapped_column(Boolean)
    work_kinds: Mapped[str | None] = mapped_column(String(512))  # space-separated work_kind codes
    workplaces: Mapped[str | None] = mapped_column(String(512))
    sector: Mapped[str | None] = mapped_column(String(32))
    hours_day: Mapped[float | None] = mapped_column(Float)
    hours_week: Mapped[float | None] = mapped_column(Float)
    night_work: Mapped[bool | None] = mapped_column(Boolean)
    overtime: Mapped[bool | None] = mapped_column(Boolean)
    hazards: Mapped[str | None] = mapped_column(String(512))
    performance_approved: Mapped[bool | None] = mapped_column(Boolean)


class ClassificationColumns:
    """A classification under one rule set, with the reasons and the rules version that produced it."""

    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True)
    rules_version: Mapped[str] = mapped_column(String(32))
    age_band: Mapped[str] = mapped_column(String(8))
    working: Mapped[bool] = mapped_column(Boolean)
    child_labour: Mapped[bool] = mapped_column(Boolean)
    hazardous: Mapped[bool] = mapped_column(Boolean)
    at_risk: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[str] = mapped_column(String(1024))  # space-separated reason codes, sorted


class Household(Base):
    """One interviewed household (consent or not), de-identified."""

    __tablename__ = "household"

    household_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), unique=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(64))
    form_id: Mapped[str] = mapped_column(String(128))
    form_version: Mapped[str | None] = mapped_column(String(64))
    review_state: Mapped[str | None] = mapped_column(String(32))
    interview_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(8), index=True)
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    code_list_version: Mapped[str] = mapped_column(String(32))
    urban_rural: Mapped[str] = mapped_column(String(8))
    enumerator_id: Mapped[str | None] = mapped_column(PseudoId)
    consent: Mapped[bool] = mapped_column(Boolean)
    hh_size: Mapped[int | None] = mapped_column(Integer)
    poverty_status: Mapped[str | None] = mapped_column(String(16))
    craft_village: Mapped[bool | None] = mapped_column(Boolean)
    livelihood: Mapped[str | None] = mapped_column(String(32))
    caregiver_informed: Mapped[str | None] = mapped_column(String(16))
    n_children: Mapped[int | None] = mapped_column(Integer)


class Child(WorkAnswers, Base):
    """One child aged 5–17 from a household roster, de-identified."""

    __tablename__ = "child"

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    household_id: Mapped[str] = mapped_column(PseudoId, index=True)  # a household (warehouse.clean_links)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    repeat_index: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(8))
    age: Mapped[int] = mapped_column(Integer)
    age_source: Mapped[str] = mapped_column(String(8))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    ethnic_group: Mapped[str | None] = mapped_column(String(8))
    school_status: Mapped[str | None] = mapped_column(String(16))
    grade: Mapped[int | None] = mapped_column(Integer)
    econ_activity: Mapped[bool] = mapped_column(Boolean)
    temp_absent: Mapped[bool] = mapped_column(Boolean)
    chores_hours_week: Mapped[float | None] = mapped_column(Float)
    worked_12m: Mapped[bool | None] = mapped_column(Boolean)
    child_informed: Mapped[str | None] = mapped_column(String(16))


class RestrictedHouseholdPii(Base):
    """Identifying household answers: only for case workers with the right to see them."""

    __tablename__ = "restricted_household_pii"

    household_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # a household (warehouse.clean_links)
    village: Mapped[str | None] = mapped_column(Text)
    respondent_name: Mapped[str | None] = mapped_column(Text)
    respondent_phone: Mapped[str | None] = mapped_column(String(32))
    enumerator: Mapped[str | None] = mapped_column(Text)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    gps_alt: Mapped[float | None] = mapped_column(Float)
    gps_accuracy: Mapped[float | None] = mapped_column(Float)


class RestrictedChildPii(Base):
    """Identifying child answers: only for case workers with the right to see them."""

    __tablename__ = "restricted_child_pii"

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # a child (warehouse.clean_links)
    household_id: Mapped[str] = mapped_column(PseudoId)  # a household's children: through child.household_id
    child_name: Mapped[str | None] = mapped_column(Text)
    dob: Mapped[date | None] = mapped_column(Date)


class Quarantine(Base):
    """A rejected household or child, with the field and the reason; restricted (may hold raw values)."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), index=True)
    change_seq: Mapped[int] = mapped_column(BigInteger)
    form_id: Mapped[str] = mapped_column(String(128))
    instance_id: Mapped[str] = mapped_column(String(128))
    entity: Mapped[str] = mapped_column(String(16))  # household | child
    repeat_index: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(128))
    value: Mapped[str | None] = mapped_column(String(256))
    reason_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


class ChildClassification(ClassificationColumns, Base):
    """A household-survey child's classification under one rule set."""

    __tablename__ = "child_classification"

    child_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)  # a child (warehouse.clean_links)


class IndicatorValue(Base):
    """One published cell of an indicator: source, area, period and disaggregation, against its target.

    ``value`` is a share (``unit`` "share") or a number of days (``unit`` "days"); suppressed cells carry no
    numbers; ``exact_territory`` is false on old (pre-2025) territories approximated by new communes.
    """

    __tablename__ = "indicator_value"
    __table_args__ = {"sqlite_with_rowid": False}  # the rows live in the key's tree: written once, not twice

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)  # household_survey | inspections | …
    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True)  # vn_law | icls | "" when not classified
    period: Mapped[str] = mapped_column(String(16), primary_key=True)  # 2026, 2026-Q3
    area_level: Mapped[str] = mapped_column(String(16), primary_key=True)  # national | province | commune
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True)  # "VN" for national
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True)  # national | vn-2025-07 | vn-legacy
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)  # total | sex | age_band | ...
    dimension_value: Mapped[str] = mapped_column(String(32), primary_key=True)  # "all" for total
    period_type: Mapped[str] = mapped_column(String(8))  # year | quarter
    unit: Mapped[str] = mapped_column(String(8))
    rules_version: Mapped[str | None] = mapped_column(String(32))
    numerator: Mapped[int | None] = mapped_column(Integer)
    denominator: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    ci_low: Mapped[float | None] = mapped_column(Float)
    ci_high: Mapped[float | None] = mapped_column(Float)
    suppressed: Mapped[bool] = mapped_column(Boolean)
    exact_territory: Mapped[bool] = mapped_column(Boolean)
    target_year: Mapped[int | None] = mapped_column(Integer)
    target_comparator: Mapped[str | None] = mapped_column(String(16))
    target_value: Mapped[float | None] = mapped_column(Float)
    target_source: Mapped[str | None] = mapped_column(Text)
    gap: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # met | on_track | off_track | no_data | no_denominator | suppressed | no_target


class SurveyCountDelta(Base):
    """A change to the household-survey counts behind the indicators, at the finest grain, written in the same
    transaction as the change it counts.

    Cleaning subtracts the households it replaces (and their classified children) and adds the households it
    loads; classifying subtracts the classifications it replaces and adds the new ones. The indicator step folds
    the deltas into ``survey_cell_sum`` and deletes them, so that its work follows what changed, not the history.
    ``kind`` "child": one classified child under ``rule_set``; "household": one consenting household.
    Internal bookkeeping: not an analyst table.
    """

    __tablename__ = "survey_count_delta"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    rule_set: Mapped[str] = mapped_column(String(16))  # "" for households
    commune_code: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    urban_rural: Mapped[str | None] = mapped_column(String(8))
    poverty_status: Mapped[str | None] = mapped_column(String(16))
    sex: Mapped[str | None] = mapped_column(String(8))
    age_band: Mapped[str | None] = mapped_column(String(8))
    ethnic_group: Mapped[str | None] = mapped_column(String(8))
    members: Mapped[int] = mapped_column(Integer)  # children or households
    child_labour: Mapped[int] = mapped_column(Integer)
    hazardous: Mapped[int] = mapped_column(Integer)
    informed: Mapped[int] = mapped_column(Integer)  # children or caregivers informed


class SurveyCellSum(Base):
    """The unsuppressed sums behind each published household-survey cell (same key as ``indicator_value``).

    ``members``: the children (or households) counted, the cell exists while it is above zero;
    ``inexact_members``: those from communes that only partly lie in the area. Kept so that new submissions
    update the cells they touch instead of every cell being recomputed. Internal: suppressed cells' small
    counts are here, so it is not an analyst table.
    """

    __tablename__ = "survey_cell_sum"
    __table_args__ = (Index("ix_survey_cell_sum_area_period", "area_code", "period"),)

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    rule_set: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    dimension_value: Mapped[str] = mapped_column(String(32), primary_key=True)
    period_type: Mapped[str] = mapped_column(String(8))
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int] = mapped_column(BigInteger)
    members: Mapped[int] = mapped_column(BigInteger)
    inexact_members: Mapped[int] = mapped_column(BigInteger)


class ReferenceUpload(Base):
    """One reference-data file as loaded: targets or reference populations, versioned by content."""

    __tablename__ = "reference_upload"

    upload_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # kind + SHA-256 of the content
    kind: Mapped[str] = mapped_column(String(32))  # targets | populations
    file_name: Mapped[str] = mapped_column(String(256))
    content_sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[str] = mapped_column(String(40))


class Target(Base):
    """A plan's target for an indicator, tied to the jurisdiction (and code list) it was written for."""

    __tablename__ = "target"

    indicator_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    jurisdiction_level: Mapped[str] = mapped_column(String(16), primary_key=True)  # national | province | commune
    jurisdiction_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True)  # national | vn-legacy | vn-2025-07
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    jurisdiction_name: Mapped[str] = mapped_column(Text)
    comparator: Mapped[str] = mapped_column(String(16))  # < <= >= > minimise
    value: Mapped[float | None] = mapped_column(Float)
    source_document: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[str] = mapped_column(ForeignKey("reference_upload.upload_id"))


class ReferencePopulation(Base):
    """How many people or units an area has (teachers, caregivers, officials, enterprises …) in a year."""

    __tablename__ = "reference_population"

    area_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    population_group: Mapped[str] = mapped_column(String(48), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(Text)
    upload_id: Mapped[str] = mapped_column(ForeignKey("reference_upload.upload_id"))


class LegacyCommune(Base):
    """A pre-July-2025 commune and a new commune its territory went to (one row per pair: splits kept)."""

    __tablename__ = "legacy_commune"

    legacy_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(8), primary_key=True)  # new (vn-2025-07), "" when none
    legacy_name: Mapped[str] = mapped_column(Text)
    legacy_district_code: Mapped[str | None] = mapped_column(String(8))
    legacy_district_name: Mapped[str | None] = mapped_column(Text)
    legacy_province_code: Mapped[str] = mapped_column(String(8), index=True)
    legacy_province_name: Mapped[str] = mapped_column(Text)
    province_code: Mapped[str | None] = mapped_column(String(8))
    partly_merged: Mapped[bool] = mapped_column(Boolean)


class AreaCommune(Base):
    """Which new communes make up each reporting area, old (pre-2025) territories included.

    ``exact`` is false when a new commune also covers land outside the area (a commune formed across the
    old boundary): measurements on such an area are approximate and say so.
    """

    __tablename__ = "area_commune"

    area_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    code_list_version: Mapped[str] = mapped_column(String(32), primary_key=True)
    commune_code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)
    area_name: Mapped[str] = mapped_column(Text)
    exact: Mapped[bool] = mapped_column(Boolean)


class Inspection(Base):
    """One establishment inspected, de-identified."""

    __tablename__ = "inspection"

    inspection_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), unique=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str | None] = mapped_column(String(64))
    inspection_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(8))
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    code_list_version: Mapped[str] = mapped_column(String(32))
    inspection_kind: Mapped[str | None] = mapped_column(String(16))
    inspector_id: Mapped[str | None] = mapped_column(PseudoId)
    establishment_type: Mapped[str] = mapped_column(String(32))
    enterprise_size: Mapped[str | None] = mapped_column(String(16))
    sector: Mapped[str | None] = mapped_column(String(32))
    craft_village: Mapped[bool | None] = mapped_column(Boolean)
    total_workers: Mapped[int | None] = mapped_column(Integer)
    n_young_workers: Mapped[int] = mapped_column(Integer)
    employer_informed: Mapped[str | None] = mapped_column(String(16))
    employer_informed_date: Mapped[date | None] = mapped_column(Date)
    employer_trained: Mapped[str | None] = mapped_column(String(16))
    employer_trained_date: Mapped[date | None] = mapped_column(Date)
    violations: Mapped[str | None] = mapped_column(String(512))  # space-separated violation codes
    actions: Mapped[str | None] = mapped_column(String(128))  # space-separated action codes
    fine_amount: Mapped[int | None] = mapped_column(BigInteger)


class YoungWorker(WorkAnswers, Base):
    """A worker under 18 found at an inspection, de-identified."""

    __tablename__ = "young_worker"

    worker_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    inspection_id: Mapped[str] = mapped_column(ForeignKey("inspection.inspection_id", ondelete="CASCADE"), index=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    repeat_index: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(8))
    age: Mapped[int] = mapped_column(Integer)
    age_source: Mapped[str] = mapped_column(String(8))
    in_register: Mapped[bool | None] = mapped_column(Boolean)
    contract_signed: Mapped[bool | None] = mapped_column(Boolean)
    health_certificate: Mapped[bool | None] = mapped_column(Boolean)
    health_checkups: Mapped[bool | None] = mapped_column(Boolean)


class YoungWorkerClassification(ClassificationColumns, Base):
    """A young worker's classification under one rule set (the same rules as household-survey children)."""

    __tablename__ = "young_worker_classification"

    worker_id: Mapped[str] = mapped_column(
        ForeignKey("young_worker.worker_id", ondelete="CASCADE"), primary_key=True
    )


class RestrictedInspectionPii(Base):
    """Identifying inspection answers: establishment and inspector names, GPS."""

    __tablename__ = "restricted_inspection_pii"

    inspection_id: Mapped[str] = mapped_column(
        ForeignKey("inspection.inspection_id", ondelete="CASCADE"), primary_key=True
    )
    establishment_name: Mapped[str | None] = mapped_column(Text)
    craft_village_name: Mapped[str | None] = mapped_column(Text)
    inspector: Mapped[str | None] = mapped_column(Text)
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)


class RestrictedYoungWorkerPii(Base):
    __tablename__ = "restricted_young_worker_pii"

    worker_id: Mapped[str] = mapped_column(ForeignKey("young_worker.worker_id", ondelete="CASCADE"), primary_key=True)
    inspection_id: Mapped[str] = mapped_column(PseudoId, index=True)
    worker_name: Mapped[str | None] = mapped_column(Text)
    dob: Mapped[date | None] = mapped_column(Date)


class Case(Base):
    """A child identified as a child labourer or at risk: one case per child, the register's row.

    Created by the pipeline from the classification (``subject_kind`` child or young_worker, ``subject_id`` its
    pseudonymous id); ``case_id`` is the ``cases`` entity id on ODK Central and the ``name`` of ``cases.csv``.
    The current state (status, first support, visits) is recomputed from the visits.
    """

    __tablename__ = "case_register"

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_code: Mapped[str] = mapped_column(String(16), unique=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(PseudoId, index=True)
    identified_source: Mapped[str] = mapped_column(String(32))  # household_survey | inspection
    identified_on: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(8))
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    code_list_version: Mapped[str] = mapped_column(String(32))
    sex: Mapped[str] = mapped_column(String(8))
    age_band: Mapped[str] = mapped_column(String(8))
    case_type: Mapped[str] = mapped_column(String(16))  # child_labourer | at_risk | trafficked
    status: Mapped[str] = mapped_column(String(16))  # open | supported | monitoring | closed
    first_support_on: Mapped[date | None] = mapped_column(Date)
    visits: Mapped[int] = mapped_column(Integer)
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    in_education_at_last_visit: Mapped[bool | None] = mapped_column(Boolean)
    child_labour_at_last_visit: Mapped[bool | None] = mapped_column(Boolean)


class CaseVisit(WorkAnswers, Base):
    """One follow-up visit to a case, de-identified, with the child's work re-classified (vn_law)."""

    __tablename__ = "case_visit"

    visit_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), unique=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    case_id: Mapped[str] = mapped_column(String(36), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    case_worker_id: Mapped[str | None] = mapped_column(PseudoId)
    case_source: Mapped[str | None] = mapped_column(String(32))
    case_type: Mapped[str | None] = mapped_column(String(16))
    age: Mapped[int] = mapped_column(Integer)
    econ_activity: Mapped[bool] = mapped_column(Boolean)
    temp_absent: Mapped[bool] = mapped_column(Boolean)
    chores_hours_week: Mapped[float | None] = mapped_column(Float)
    school_status: Mapped[str | None] = mapped_column(String(16))
    vocational_training: Mapped[bool | None] = mapped_column(Boolean)
    supports: Mapped[str | None] = mapped_column(String(256))  # space-separated support_type codes
    first_support_date: Mapped[date | None] = mapped_column(Date)
    case_status: Mapped[str] = mapped_column(String(16))
    closure_reason: Mapped[str | None] = mapped_column(String(32))
    next_visit: Mapped[date | None] = mapped_column(Date)
    rules_version: Mapped[str] = mapped_column(String(32))
    child_labour: Mapped[bool] = mapped_column(Boolean)  # vn_law, at this visit
    reasons: Mapped[str] = mapped_column(String(1024))


class Activity(Base):
    """One communication activity or training course; free text (title, venue, organiser) is restricted."""

    __tablename__ = "activity"

    activity_id: Mapped[str] = mapped_column(PseudoId, primary_key=True)
    raw_submission_id: Mapped[int] = mapped_column(ForeignKey("raw_submission.id"), unique=True)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True)
    source: Mapped[str] = mapped_column(String(64))
    form_version: Mapped[str | None] = mapped_column(String(64))
    activity_date: Mapped[date] = mapped_column(Date)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str] = mapped_column(String(8))
    commune_code: Mapped[str] = mapped_column(String(8), index=True)
    code_list_version: Mapped[str] = mapped_column(String(32))
    activity_type: Mapped[str] = mapped_column(String(32))
    training: Mapped[bool] = mapped_column(Boolean)
    topics: Mapped[str | None] = mapped_column(String(256))
    organiser_type: Mapped[str | None] = mapped_column(String(32))
    participants_male: Mapped[int | None] = mapped_column(Integer)
    participants_female: Mapped[int | None] = mapped_column(Integer)
    participants_total: Mapped[int] = mapped_column(Integer)
    participants_new: Mapped[int | None] = mapped_column(Integer)
    has_participant_list: Mapped[bool] = mapped_column(Boolean)


class ActivityReach(Base):
    """People (or establishments) of one audience group an activity reached, reached anew, trained anew."""

    __tablename__ = "activity_reach"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.activity_id", ondelete="CASCADE"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(48), primary_key=True)
    reached: Mapped[int] = mapped_column(Integer)
    reached_new: Mapped[int] = mapped_column(Integer)
    reached_new_trained: Mapped[int | None] = mapped_column(Integer)


class RestrictedActivityText(Base):
    """Free text of an activity report (title, venue, organiser, reporter): not for analysts."""

    __tablename__ = "restricted_activity_text"

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.activity_id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)
    organiser_name: Mapped[str | None] = mapped_column(Text)
    reporter: Mapped[str | None] = mapped_column(Text)
    participant_list: Mapped[str | None] = mapped_column(Text)  # the uploaded file's name
